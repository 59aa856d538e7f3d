package sandbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// Errors a Ledger returns (wrapped or not); test for them with errors.Is.
var (
	ErrUnknownReference = errors.New("unknown sandbox charge")
	ErrAlreadyDecided   = errors.New("sandbox charge is no longer pending")
)

// Charge is one answered charge in the sandbox's ledger. Transient failures
// are not charges and are not recorded.
type Charge struct {
	// Key is the request's idempotency key, unique in the ledger.
	Key string `json:"idempotencyKey"`
	// Reference is the sandbox's charge ID, unique in the ledger.
	Reference   string          `json:"reference"`
	CustomerID  string          `json:"customerId"`
	Token       string          `json:"token"`
	Amount      billing.Money   `json:"amount"`
	Description string          `json:"description,omitempty"`
	Status      gateways.Status `json:"status"`
	DeclineCode string          `json:"declineCode,omitempty"`
	CreatedAt   time.Time       `json:"createdAt"`
	// ResolvedAt is when a pending charge was approved, declined or
	// voided; zero for charges answered at once and for those still
	// pending.
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
	// VoidKey is the idempotency key of the void that canceled the charge,
	// when its Status is Voided.
	VoidKey string `json:"voidKey,omitempty"`
	// RefundKey, RefundReference and RefundedAt are the idempotency key,
	// the sandbox's ID and the time of the charge's refund, once it was
	// refunded (always whole).
	RefundKey       string    `json:"refundKey,omitempty"`
	RefundReference string    `json:"refundReference,omitempty"`
	RefundedAt      time.Time `json:"refundedAt,omitzero"`
}

// Ledger stores the sandbox's state, so that the app can keep it in its
// database and every worker process sees the same charges. Each method must
// be atomic on its own; Sandbox relies on nothing more.
type Ledger interface {
	// Record stores c unless a charge with c.Key exists, and returns the one
	// stored: the first write wins, and created reports whether it was c.
	Record(ctx context.Context, c Charge) (stored Charge, created bool, err error)
	// SucceededWithToken counts the succeeded charges of customerID with
	// token (for sandbox_decline_after_N).
	SucceededWithToken(ctx context.Context, customerID, token string) (int, error)
	// Attempt counts one more call with key and returns the new count, 1 on
	// the first call (for sandbox_flaky).
	Attempt(ctx context.Context, key string) (int, error)
	// Charges returns every charge, oldest first.
	Charges(ctx context.Context) ([]Charge, error)
	// ByReference returns the charge with reference, or ErrUnknownReference.
	ByReference(ctx context.Context, reference string) (Charge, error)
	// ByKey returns the charge recorded under the idempotency key, or
	// ErrUnknownReference.
	ByKey(ctx context.Context, key string) (Charge, error)
	// Resolve moves the pending charge with reference to status (Succeeded,
	// or Declined with declineCode) at time at, and returns it. It fails with
	// ErrUnknownReference, or ErrAlreadyDecided when the charge is not pending.
	Resolve(ctx context.Context, reference string, status gateways.Status, declineCode string, at time.Time) (Charge, error)
	// Void moves the pending charge with reference to Voided under key at
	// time at, and returns it; a voided charge is returned unchanged. It
	// fails with ErrUnknownReference, or with ErrAlreadyDecided when the
	// charge succeeded or was declined, returning it as it stands.
	Void(ctx context.Context, reference, key string, at time.Time) (Charge, error)
	// Refund records refundReference, under key at time at, as the refund
	// of the succeeded charge with reference, and returns the charge; one
	// refunded under key is returned unchanged. It fails with
	// ErrUnknownReference, gateways.ErrAlreadyRefunded (refunded under
	// another key), gateways.ErrNotRefundable (not succeeded) or
	// gateways.ErrIdempotencyConflict (key refunded another charge), in
	// that order.
	Refund(ctx context.Context, reference, key, refundReference string, at time.Time) (Charge, error)
}

// MemoryLedger is a Ledger in process memory, guarded by a mutex. It is a
// complete implementation for a single process (billgate dev's sandbox and
// tests), not a mock; its state is lost when the process exits.
type MemoryLedger struct {
	mu        sync.Mutex
	charges   []Charge       // in the order recorded
	byKey     map[string]int // index into charges
	byRef     map[string]int // index into charges
	succeeded map[customerToken]int
	attempts  map[string]int
	refunds   map[string]int // refund key → index into charges
}

type customerToken struct{ customerID, token string }

// NewMemoryLedger returns an empty MemoryLedger.
func NewMemoryLedger() *MemoryLedger {
	return &MemoryLedger{
		byKey:     make(map[string]int),
		byRef:     make(map[string]int),
		succeeded: make(map[customerToken]int),
		attempts:  make(map[string]int),
		refunds:   make(map[string]int),
	}
}

var _ Ledger = (*MemoryLedger)(nil)

// Record implements Ledger.
func (l *MemoryLedger) Record(_ context.Context, c Charge) (Charge, bool, error) {
	if c.Key == "" || c.Reference == "" {
		return Charge{}, false, errors.New("record sandbox charge: key and reference are required")
	}
	if !c.Status.Valid() {
		return Charge{}, false, fmt.Errorf("record sandbox charge: invalid status %q", c.Status)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i, ok := l.byKey[c.Key]; ok {
		return l.charges[i], false, nil
	}
	if _, ok := l.byRef[c.Reference]; ok {
		return Charge{}, false, fmt.Errorf("record sandbox charge: reference %q already used", c.Reference)
	}
	l.charges = append(l.charges, c)
	l.byKey[c.Key] = len(l.charges) - 1
	l.byRef[c.Reference] = len(l.charges) - 1
	if c.Status == gateways.Succeeded {
		l.succeeded[customerToken{c.CustomerID, c.Token}]++
	}
	return c, true, nil
}

// SucceededWithToken implements Ledger.
func (l *MemoryLedger) SucceededWithToken(_ context.Context, customerID, token string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.succeeded[customerToken{customerID, token}], nil
}

// Attempt implements Ledger.
func (l *MemoryLedger) Attempt(_ context.Context, key string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempts[key]++
	return l.attempts[key], nil
}

// Charges implements Ledger.
func (l *MemoryLedger) Charges(context.Context) ([]Charge, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Charge, len(l.charges))
	copy(out, l.charges)
	return out, nil
}

// ByReference implements Ledger.
func (l *MemoryLedger) ByReference(_ context.Context, reference string) (Charge, error) {
	return l.find(l.byRef, "reference", reference)
}

// ByKey implements Ledger.
func (l *MemoryLedger) ByKey(_ context.Context, key string) (Charge, error) {
	return l.find(l.byKey, "key", key)
}

// find is a copy of the charge index holds under id, which names a what.
func (l *MemoryLedger) find(index map[string]int, what, id string) (Charge, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, err := l.held(index, what, id)
	if err != nil {
		return Charge{}, err
	}
	return *c, nil
}

// held is the charge index holds under id, to read or change while l.mu
// is held.
func (l *MemoryLedger) held(index map[string]int, what, id string) (*Charge, error) {
	i, ok := index[id]
	if !ok {
		return nil, fmt.Errorf("%w: no charge with %s %q", ErrUnknownReference, what, id)
	}
	return &l.charges[i], nil
}

// Resolve implements Ledger.
func (l *MemoryLedger) Resolve(_ context.Context, reference string, status gateways.Status, declineCode string, at time.Time) (Charge, error) {
	if err := checkResolution(status, declineCode); err != nil {
		return Charge{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, err := l.held(l.byRef, "reference", reference)
	if err != nil {
		return Charge{}, err
	}
	if c.Status != gateways.Pending {
		return Charge{}, fmt.Errorf("%w: %q is %s", ErrAlreadyDecided, reference, c.Status)
	}
	c.Status, c.DeclineCode, c.ResolvedAt = status, declineCode, at
	if status == gateways.Succeeded {
		l.succeeded[customerToken{c.CustomerID, c.Token}]++
	}
	return *c, nil
}

// Void implements Ledger.
func (l *MemoryLedger) Void(_ context.Context, reference, key string, at time.Time) (Charge, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, err := l.held(l.byRef, "reference", reference)
	if err != nil {
		return Charge{}, err
	}
	switch c.Status {
	case gateways.Pending:
		c.Status, c.VoidKey, c.ResolvedAt = gateways.Voided, key, at
	case gateways.Succeeded, gateways.Declined:
		return *c, fmt.Errorf("%w: %q is %s", ErrAlreadyDecided, reference, c.Status)
	}
	return *c, nil
}

// Refund implements Ledger.
func (l *MemoryLedger) Refund(_ context.Context, reference, key, refundReference string, at time.Time) (Charge, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, err := l.held(l.byRef, "reference", reference)
	if err != nil {
		return Charge{}, err
	}
	if err := Refundable(*c, key); err != nil || c.RefundKey == key {
		return *c, err
	}
	if other, taken := l.refunds[key]; taken {
		return Charge{}, RefundKeyConflict(key, l.charges[other].Reference)
	}
	c.RefundKey, c.RefundReference, c.RefundedAt = key, refundReference, at
	l.refunds[key] = l.byRef[reference]
	return *c, nil
}

// Refundable reports why c cannot be refunded under key, if it cannot; a
// charge refunded under key already is refundable (it is the same refund).
// Ledgers share it so that they refuse alike.
func Refundable(c Charge, key string) error {
	switch {
	case c.RefundKey == key:
		return nil
	case c.RefundKey != "":
		return fmt.Errorf("%w: %q was refunded under %q", gateways.ErrAlreadyRefunded, c.Reference, c.RefundKey)
	case c.Status != gateways.Succeeded:
		return fmt.Errorf("%w: %q is %s", gateways.ErrNotRefundable, c.Reference, c.Status)
	}
	return nil
}

// RefundKeyConflict is a Ledger's error for a refund key reused for
// another charge.
func RefundKeyConflict(key, reference string) error {
	return fmt.Errorf("%w: refund key %q was used for %q", gateways.ErrIdempotencyConflict, key, reference)
}

// checkResolution rejects a resolution that Sandbox never asks for.
func checkResolution(status gateways.Status, declineCode string) error {
	switch {
	case status == gateways.Succeeded && declineCode == "":
		return nil
	case status == gateways.Declined && declineCode != "":
		return nil
	}
	return fmt.Errorf("resolve sandbox charge: status %q with decline code %q: want succeeded without a code or declined with one", status, declineCode)
}
