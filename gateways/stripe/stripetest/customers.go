package stripetest

import (
	"fmt"
	"net/http"
)

// createCustomer is POST /v1/customers (docs.stripe.com/api/customers/create),
// with payment_method attached at once when given.
func (s *Server) createCustomer(r *request) response {
	email, hasEmail := r.form.str("email")
	name, hasName := r.form.str("name")
	desc, hasDesc := r.form.str("description")
	metadata := r.form.mapOf("metadata")
	pmID, hasPM := r.form.str("payment_method")
	if err := r.form.check(); err != nil {
		return *err
	}
	c := &Customer{ID: newID("cus"), Object: "customer", Created: r.now.Unix(), Metadata: metadata}
	if hasEmail {
		c.Email = &email
	}
	if hasName {
		c.Name = &name
	}
	if hasDesc {
		c.Description = &desc
	}
	var m *method
	if hasPM {
		var resp *response
		if m, resp = s.methodFor(pmID, "payment_method"); resp != nil {
			return *resp
		}
		if resp := attachable(m, c.ID, "payment_method"); resp != nil {
			return *resp
		}
	}
	store(&s.state, s.state.customers, c.ID, c)
	s.emit(r, "customer.created", c, nil)
	if m != nil {
		s.attach(r, m, c.ID)
	}
	return ok200(c)
}

func (s *Server) getPaymentMethod(r *request) response {
	if err := r.form.check(); err != nil {
		return *err
	}
	m, resp := s.methodFor(r.pathID, "payment_method")
	if resp != nil {
		resp.status = http.StatusNotFound
		return *resp
	}
	return ok200(m.obj)
}

// attachPaymentMethod is POST /v1/payment_methods/{id}/attach
// (docs.stripe.com/api/payment_methods/attach).
func (s *Server) attachPaymentMethod(r *request) response {
	cusID := r.form.required("customer")
	if err := r.form.check(); err != nil {
		return *err
	}
	if _, ok := s.state.customers[cusID]; !ok {
		return missing(http.StatusBadRequest, "customer", "customer", cusID)
	}
	m, resp := s.methodFor(r.pathID, "payment_method")
	if resp != nil {
		resp.status = http.StatusNotFound
		return *resp
	}
	if resp := attachable(m, cusID, "customer"); resp != nil {
		return *resp
	}
	s.attach(r, m, cusID)
	return ok200(m.obj)
}

// attachable is why m cannot be attached to a customer, or nil. A test card
// whose payment declines is declined when attached too: Stripe checks a
// card it attaches (docs.stripe.com/testing, "Declined payments": only
// pm_card_chargeCustomerFail attaches and declines later).
func attachable(m *method, cusID, param string) *response {
	var resp response
	switch {
	case m.obj.Customer != nil && *m.obj.Customer == cusID:
		return nil
	case m.obj.Customer != nil:
		resp = refusal(&Error{Param: param, Message: "The payment method you provided has already been attached to a customer."})
	case m.declinesOnAttach:
		resp = declineResponse(&Error{Type: typeCard, Code: m.code, DeclineCode: m.declineCode, DocURL: docURL(m.code), Message: m.message, PaymentMethod: m.obj})
	default:
		return nil
	}
	return &resp
}

// attach attaches m, attachable, to a customer.
func (s *Server) attach(r *request, m *method, cusID string) {
	if m.obj.Customer != nil {
		return
	}
	m.obj.Customer = ptr(cusID)
	s.emit(r, "payment_method.attached", m.obj, nil)
}

// methodFor is a stored PaymentMethod, or a new one cloned from a test
// PaymentMethod's ID, as Stripe makes one each time such an ID is used.
func (s *Server) methodFor(id, param string) (*method, *response) {
	if m, ok := s.state.methods[id]; ok {
		return m, nil
	}
	b, ok := testMethods[id]
	if !ok {
		resp := missing(http.StatusBadRequest, param, "PaymentMethod", id)
		return nil, &resp
	}
	m := &method{behaviour: b, obj: &PaymentMethod{
		ID: newID("pm"), Object: "payment_method", AllowRedisplay: "unspecified", Created: s.now().Unix(),
		Metadata: map[string]string{}, Type: b.kind,
	}}
	switch b.kind {
	case "card":
		m.obj.Card = &Card{Brand: b.brand, Country: ptr("US"), ExpMonth: 12, ExpYear: int64(s.now().Year() + 3), Funding: "credit", Last4: b.last4}
	case "us_bank_account":
		m.obj.USBankAccount = &USBankAccount{AccountHolderType: ptr("individual"), AccountType: ptr("checking"),
			BankName: ptr("STRIPE TEST BANK"), Last4: ptr(b.last4), RoutingNumber: ptr("110000000")}
	default:
		panic(fmt.Sprintf("stripetest: test method %s of unknown kind %q", id, b.kind))
	}
	store(&s.state, s.state.methods, m.obj.ID, m)
	return m, nil
}
