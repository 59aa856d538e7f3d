package sales

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// refundBook keeps refunds in memory, as the store would.
type refundBook struct {
	refunds map[uuid.UUID]*models.Refund
	left    int64
}

func (b *refundBook) CreateRefund(_ context.Context, r *models.Refund) (bool, error) {
	if _, ok := b.refunds[r.ID]; ok {
		return false, nil
	}
	if r.Amount > b.left {
		return false, models.ErrOverRefund
	}
	b.left -= r.Amount
	r.Status = "pending"
	b.refunds[r.ID] = r
	return true, nil
}
func (b *refundBook) RefundByID(_ context.Context, id uuid.UUID) (*models.Refund, error) {
	return find(b.refunds, id)
}
func (b *refundBook) Refunds(context.Context, models.RefundFilter) ([]models.Refund, error) {
	return nil, nil
}
func (b *refundBook) Refundable(context.Context, *models.Payment) (int64, error) { return b.left, nil }

// starter records the refund workflows started, and answers err.
type starter struct {
	Workflows
	started []contract.RefundInput
	err     error
}

func (s *starter) ExecuteWorkflow(_ context.Context, opts client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	if s.err != nil {
		return nil, s.err
	}
	in := args[0].(contract.RefundInput)
	if opts.ID != contract.RefundWorkflowID(in.RefundID) {
		return nil, errors.New("started as " + opts.ID)
	}
	s.started = append(s.started, in)
	return endedRun{}, nil
}

type endedRun struct{ client.WorkflowRun }

func (endedRun) Get(context.Context, any) error { return nil }

func refundFixture() (*fixture, *refundBook, *starter, *models.Payment) {
	f := newFixture()
	w := f.s.Billing.(*world)
	w.payments = map[uuid.UUID]*models.Payment{}
	pay := &models.Payment{ID: uuid.New(), TenantID: f.shop.ID, CustomerID: f.bob.ID, Amount: 3000, Currency: "EUR", Status: "paid",
		Gateway: "stripe/" + uuid.NewString(), Attempts: []models.PaymentAttempt{{Number: 1, Status: "declined", Reference: "pi_0"}, {Number: 2, Status: "succeeded", Reference: "pi_1"}}}
	w.payments[pay.ID] = pay
	book := &refundBook{refunds: map[uuid.UUID]*models.Refund{}, left: 3000}
	st := &starter{}
	f.s.Refunds, f.s.Workflows, f.s.Now = book, st, time.Now
	return f, book, st, pay
}

func TestRefund(t *testing.T) {
	f, book, st, pay := refundFixture()
	ctx := context.Background()
	id := uuid.New()
	part := int64(1000)
	r, err := f.s.Refund(ctx, f.shop, id, NewRefund{PaymentID: pay.ID, Amount: &part, Reason: "requested_by_customer"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != id || r.Amount != 1000 || r.Currency != "EUR" || r.PaymentID != pay.ID {
		t.Errorf("refund = %+v", r)
	}
	want := contract.RefundInput{RefundID: id, PaymentID: pay.ID, Gateway: pay.Gateway, ChargeReference: "pi_1", Amount: billing.Money{Amount: 1000, Currency: "EUR"}}
	if len(st.started) != 1 || st.started[0] != want {
		t.Errorf("started %+v, want %+v: the succeeded charge, part of it", st.started, want)
	}
	rest, err := f.s.Refund(ctx, f.shop, uuid.New(), NewRefund{PaymentID: pay.ID})
	if err != nil || rest.Amount != 2000 || book.left != 0 {
		t.Errorf("a refund naming no amount = %+v, %v; want the 2000 left", rest, err)
	}
	if st.started[1].Whole {
		t.Error("the rest after a partial refund was sent as the whole charge")
	}
	again, err := f.s.Refund(ctx, f.shop, id, NewRefund{PaymentID: pay.ID, Amount: &part, Reason: "requested_by_customer"})
	if err != nil || again.ID != id || len(st.started) != 3 || len(book.refunds) != 2 {
		t.Errorf("the same refund again, with nothing left = %+v, %v; want it, its workflow started or found again", again, err)
	}
}

func TestRefundRefusals(t *testing.T) {
	f, book, st, pay := refundFixture()
	ctx := context.Background()
	unpaid := &models.Payment{ID: uuid.New(), TenantID: f.shop.ID, CustomerID: f.bob.ID, Amount: 10, Currency: "EUR", Status: "pending"}
	f.s.Billing.(*world).payments[unpaid.ID] = unpaid
	big, zero := int64(3001), int64(0)
	for _, tt := range []struct {
		name  string
		n     NewRefund
		field string
	}{
		{"an unknown reason", NewRefund{PaymentID: pay.ID, Reason: "because"}, "reason"},
		{"no such payment", NewRefund{PaymentID: uuid.New()}, "paymentId"},
		{"an unpaid payment", NewRefund{PaymentID: unpaid.ID}, "paymentId"},
		{"more than was paid", NewRefund{PaymentID: pay.ID, Amount: &big}, "amount"},
		{"nothing", NewRefund{PaymentID: pay.ID, Amount: &zero}, "amount"},
	} {
		_, err := f.s.Refund(ctx, f.shop, uuid.New(), tt.n)
		var invalid *fault.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != tt.field {
			t.Errorf("%s: Refund = %v, want invalid %s", tt.name, err, tt.field)
		}
	}
	if _, err := f.s.Refund(ctx, f.stranger, uuid.New(), NewRefund{PaymentID: pay.ID}); !errors.As(err, new(*fault.InvalidError)) {
		t.Errorf("another business refunding = %v, want no such payment", err)
	}
	if _, err := f.s.Refund(ctx, f.bob, uuid.New(), NewRefund{PaymentID: pay.ID}); !errors.As(err, new(*fault.DeniedError)) {
		t.Errorf("a customer refunding = %v, want denied", err)
	}
	if len(book.refunds) != 0 || len(st.started) != 0 {
		t.Errorf("refusals stored %d refunds and started %d workflows", len(book.refunds), len(st.started))
	}

	st.err = serviceerror.NewUnavailable("down")
	id := uuid.New()
	if _, err := f.s.Refund(ctx, f.shop, id, NewRefund{PaymentID: pay.ID}); !errors.Is(err, fault.ErrUnavailable) {
		t.Errorf("Temporal down = %v, want unavailable", err)
	}
	st.err = nil
	if r, err := f.s.Refund(ctx, f.shop, id, NewRefund{PaymentID: pay.ID}); err != nil || r.ID != id || len(st.started) != 1 {
		t.Errorf("the retry = %+v, %v; want the stored refund, its workflow started", r, err)
	}
	st.err = serviceerror.NewWorkflowExecutionAlreadyStarted("ended", "", "")
	if r, err := f.s.Refund(ctx, f.shop, id, NewRefund{PaymentID: pay.ID}); err != nil || r.ID != id {
		t.Errorf("a retry after the workflow ended = %+v, %v; want the stored refund", r, err)
	}

	// A refund settled is answered as it is: its workflow never runs
	// again, whose gateway key may be long forgotten.
	st.err = nil
	book.refunds[id].Status = "succeeded"
	started := len(st.started)
	if r, err := f.s.Refund(ctx, f.shop, id, NewRefund{PaymentID: pay.ID}); err != nil || r.Status != "succeeded" || len(st.started) != started {
		t.Errorf("a retry of a settled refund = %+v, %v, %d workflows started; want it as it is, none", r, err, len(st.started)-started)
	}
}
