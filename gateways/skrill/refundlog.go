package skrill

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// RefundLog keeps the refunds a gateway made, by idempotency key. Skrill's
// refund interface takes no key of ours and lists no refunds by one, so
// without this record a repeated refund would refund again. Keys and
// charges arrive scoped to their account ("<account ID>/<key>"), so one log
// may serve every account. Implementations must be safe for concurrent
// use.
type RefundLog interface {
	// Lock holds the refunds of charge until unlock is called, so that two
	// refunds of one charge never run at once.
	Lock(ctx context.Context, charge string) (unlock func(), err error)
	// Get returns the refund recorded under key.
	Get(ctx context.Context, key string) (RefundRecord, bool, error)
	// GetByReference returns the refund recorded with reference (a
	// RefundRecord.Reference).
	GetByReference(ctx context.Context, reference string) (RefundRecord, bool, error)
	// List returns the refunds recorded for charge.
	List(ctx context.Context, charge string) ([]RefundRecord, error)
	// Put records r under r.Key, replacing what was there.
	Put(ctx context.Context, r RefundRecord) error
	// Delete forgets the refund under key.
	Delete(ctx context.Context, key string) error
}

// RefundRecord is one refund in a RefundLog.
type RefundRecord struct {
	// Key is the refund's idempotency key, scoped to its account.
	Key string
	// Charge is the refunded charge's reference, scoped to its account.
	Charge string
	// Reference is the refund's (Result.Reference), scoped to its account;
	// empty until Skrill answered with one.
	Reference string
	// Requested is the amount the request named; zero for "what remains".
	Requested billing.Money
	// Amount is what the refund takes, in the account's currency.
	Amount billing.Money
	// Result is Skrill's answer; empty while InFlight.
	Result gateways.RefundResult
	// InFlight marks a refund sent to Skrill whose answer never came: it
	// may have been made.
	InFlight bool
	// At is when the record was written.
	At time.Time
}

// MemoryRefundLog is a RefundLog in memory: it lasts as long as the
// process, and is shared only by the gateways given it.
type MemoryRefundLog struct {
	mu      sync.Mutex
	byKey   map[string]RefundRecord
	holders map[string]chan struct{}
}

var _ RefundLog = (*MemoryRefundLog)(nil)

// NewMemoryRefundLog returns an empty MemoryRefundLog.
func NewMemoryRefundLog() *MemoryRefundLog {
	return &MemoryRefundLog{byKey: map[string]RefundRecord{}, holders: map[string]chan struct{}{}}
}

// Lock implements RefundLog; it gives up when ctx ends.
func (l *MemoryRefundLog) Lock(ctx context.Context, charge string) (func(), error) {
	l.mu.Lock()
	ch, ok := l.holders[charge]
	if !ok {
		ch = make(chan struct{}, 1)
		l.holders[charge] = ch
	}
	l.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Get implements RefundLog.
func (l *MemoryRefundLog) Get(_ context.Context, key string) (RefundRecord, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.byKey[key]
	return r, ok, nil
}

// GetByReference implements RefundLog.
func (l *MemoryRefundLog) GetByReference(_ context.Context, reference string) (RefundRecord, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.byKey {
		if reference != "" && r.Reference == reference {
			return r, true, nil
		}
	}
	return RefundRecord{}, false, nil
}

// List implements RefundLog, oldest first.
func (l *MemoryRefundLog) List(_ context.Context, charge string) ([]RefundRecord, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var rs []RefundRecord
	for _, r := range l.byKey {
		if r.Charge == charge {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b RefundRecord) int { return a.At.Compare(b.At) })
	return rs, nil
}

// Put implements RefundLog.
func (l *MemoryRefundLog) Put(_ context.Context, r RefundRecord) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byKey[r.Key] = r
	return nil
}

// Delete implements RefundLog.
func (l *MemoryRefundLog) Delete(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byKey, key)
	return nil
}
