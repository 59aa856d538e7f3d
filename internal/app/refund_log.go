package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/skrill"
	"github.com/billgate/billgate/models"
)

// WithRefundLog is cs with Skrill's connector keeping its refunds in the
// database's log: Skrill takes no refund key, and a log in one process's
// memory is neither shared by the other processes nor kept across a
// restart, so a refund could be made twice.
func WithRefundLog(cs connected.Connectors, logs *models.RefundLogs) connected.Connectors {
	out := maps.Clone(cs)
	if c, ok := out[skrill.Kind].(skrill.Connector); ok {
		c.Refunds = NewRefundLog(logs)
		out[skrill.Kind] = c
	}
	return out
}

// NewRefundLog is a skrill.RefundLog kept in the database, shared by every
// process that opens it.
func NewRefundLog(logs *models.RefundLogs) skrill.RefundLog { return refundLog{logs} }

type refundLog struct{ logs *models.RefundLogs }

// storedRefund is what the log's record column holds of a refund: what the
// table has no column for, spelled apart from Go's names so that the
// stored form stays as it is.
type storedRefund struct {
	Requested     storedMoney `json:"requested"`
	Amount        storedMoney `json:"amount"`
	Reference     string      `json:"reference,omitempty"`
	Status        string      `json:"status,omitempty"`
	FailureReason string      `json:"failureReason,omitempty"`
}

type storedMoney struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
}

func (l refundLog) Lock(ctx context.Context, charge string) (func(), error) {
	return l.logs.LockRefundCharge(ctx, charge)
}

func (l refundLog) Get(ctx context.Context, key string) (skrill.RefundRecord, bool, error) {
	return found(l.logs.RefundLogByKey(ctx, key))
}

func (l refundLog) GetByReference(ctx context.Context, reference string) (skrill.RefundRecord, bool, error) {
	return found(l.logs.RefundLogByReference(ctx, reference))
}

func (l refundLog) List(ctx context.Context, charge string) ([]skrill.RefundRecord, error) {
	es, err := l.logs.RefundLogOfCharge(ctx, charge)
	if err != nil {
		return nil, err
	}
	rs := make([]skrill.RefundRecord, len(es))
	for i, e := range es {
		if rs[i], err = fromEntry(e); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

func (l refundLog) Put(ctx context.Context, r skrill.RefundRecord) error {
	record, err := json.Marshal(storedRefund{
		Requested: storedMoney{r.Requested.Amount, string(r.Requested.Currency)},
		Amount:    storedMoney{r.Amount.Amount, string(r.Amount.Currency)},
		Reference: r.Result.Reference, Status: string(r.Result.Status), FailureReason: r.Result.FailureReason,
	})
	if err != nil {
		return fmt.Errorf("encode refund %s: %w", r.Key, err)
	}
	return l.logs.PutRefundLog(ctx, models.RefundLogEntry{Key: r.Key, Charge: r.Charge, Reference: r.Reference,
		Record: string(record), InFlight: r.InFlight, At: r.At})
}

func (l refundLog) Delete(ctx context.Context, key string) error {
	return l.logs.DeleteRefundLog(ctx, key)
}

// found reads an entry the log may not have.
func found(e models.RefundLogEntry, err error) (skrill.RefundRecord, bool, error) {
	switch {
	case errors.Is(err, models.ErrNotFound):
		return skrill.RefundRecord{}, false, nil
	case err != nil:
		return skrill.RefundRecord{}, false, err
	}
	r, err := fromEntry(e)
	return r, err == nil, err
}

func fromEntry(e models.RefundLogEntry) (skrill.RefundRecord, error) {
	var s storedRefund
	if err := json.Unmarshal([]byte(e.Record), &s); err != nil {
		return skrill.RefundRecord{}, fmt.Errorf("refund %s: the stored record does not decode: %w", e.Key, err)
	}
	return skrill.RefundRecord{
		Key: e.Key, Charge: e.Charge, Reference: e.Reference,
		Requested: billing.Money{Amount: s.Requested.Amount, Currency: billing.Currency(s.Requested.Currency)},
		Amount:    billing.Money{Amount: s.Amount.Amount, Currency: billing.Currency(s.Amount.Currency)},
		Result:    gateways.RefundResult{Reference: s.Reference, Status: gateways.RefundStatus(s.Status), FailureReason: s.FailureReason},
		InFlight:  e.InFlight, At: e.At,
	}, nil
}
