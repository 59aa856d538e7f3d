package stripetest

import (
	"math/rand/v2"
	"strings"
)

// state is every object the server keeps, by ID.
type state struct {
	intents   map[string]*PaymentIntent
	charges   map[string]*Charge
	refunds   map[string]*Refund
	disputes  map[string]*Dispute
	methods   map[string]*method
	customers map[string]*Customer
	// intentMethods is the payment method each PaymentIntent is confirmed
	// with (PaymentIntent.payment_method is cleared by a decline).
	intentMethods map[string]*method
	// order is every object's ID in creation order.
	order []string
}

// method is a PaymentMethod and how it behaves.
type method struct {
	obj *PaymentMethod
	behaviour
}

func newState() state {
	return state{
		intents:       map[string]*PaymentIntent{},
		charges:       map[string]*Charge{},
		refunds:       map[string]*Refund{},
		disputes:      map[string]*Dispute{},
		methods:       map[string]*method{},
		customers:     map[string]*Customer{},
		intentMethods: map[string]*method{},
	}
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID is a Stripe-like ID: prefix, "_", 24 letters and digits.
func newID(prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('_')
	for range 24 {
		b.WriteByte(idAlphabet[rand.IntN(len(idAlphabet))])
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }

// store keeps a new object.
func store[T any](st *state, objects map[string]*T, id string, obj *T) {
	objects[id] = obj
	st.order = append(st.order, id)
}
