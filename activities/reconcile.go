package activities

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// ReconcileLimit bounds what one reconciliation run takes of each kind;
// the next run takes the rest.
const ReconcileLimit = 100

// Reconcilable is what a reconciliation run looks at.
type Reconcilable struct {
	// LateSuccesses are charge successes a gateway reported that reached
	// no running payment.
	LateSuccesses []LateSuccess
	// StalePayments are payments still pending past their approval window.
	StalePayments []StalePayment
	// StaleRefunds are refunds still pending whose workflow may have ended.
	StaleRefunds []StaleRefund
}

// StaleRefund is a pending refund, as its workflow takes it.
type StaleRefund struct {
	Input    contract.RefundInput
	TenantID uuid.UUID
	// Reference is the gateway's, when it answered the refund pending.
	Reference string
	CreatedAt time.Time
}

// LateSuccess is one undelivered report of a charge's success.
type LateSuccess struct {
	EventID   string
	Gateway   string
	PaymentID uuid.UUID
	Reference string
}

// StalePayment is a pending payment, with its last charge.
type StalePayment struct {
	PaymentID uuid.UUID
	TenantID  uuid.UUID
	Gateway   string
	Reference string // the last attempt's charge; empty when none was made
}

// FindReconcilableInput dates a run.
type FindReconcilableInput struct {
	Now time.Time
}

// How old what the reconciliation looks at must be: older than anything a
// running workflow would still settle on its own.
const (
	lateEventAge   = 5 * time.Minute
	staleRefundAge = time.Hour
	stalePayment   = contract.DefaultApprovalWindow + time.Hour
)

// FindReconcilable lists what a run looks at.
func (a *Activities) FindReconcilable(ctx context.Context, in FindReconcilableInput) (Reconcilable, error) {
	var out Reconcilable
	events, err := a.Store.UndeliveredEvents(ctx, string(gateways.EventChargeSucceeded), in.Now.Add(-lateEventAge), ReconcileLimit)
	if err != nil {
		return out, err
	}
	for _, e := range events {
		out.LateSuccesses = append(out.LateSuccesses, LateSuccess{EventID: e.ID, Gateway: e.Gateway, PaymentID: *e.PaymentID, Reference: e.Reference})
	}
	payments, err := a.Store.StalePayments(ctx, in.Now.Add(-stalePayment), in.Now, ReconcileLimit)
	if err != nil {
		return out, err
	}
	for _, p := range payments {
		out.StalePayments = append(out.StalePayments, StalePayment{PaymentID: p.ID, TenantID: p.TenantID, Gateway: p.Gateway, Reference: lastReference(p.Attempts)})
	}
	refunds, err := a.Store.StaleRefunds(ctx, in.Now.Add(-staleRefundAge), in.Now, ReconcileLimit)
	if err != nil {
		return out, err
	}
	for _, r := range refunds {
		p, err := a.Store.PaymentByID(ctx, r.PaymentID)
		if err != nil {
			return out, err
		}
		out.StaleRefunds = append(out.StaleRefunds, StaleRefund{TenantID: r.TenantID, Reference: r.GatewayReference, CreatedAt: r.CreatedAt, Input: r.Input(p)})
	}
	return out, nil
}

func lastReference(attempts []models.PaymentAttempt) string {
	for _, a := range slices.Backward(attempts) {
		if a.Reference != "" {
			return a.Reference
		}
	}
	return ""
}

// ApplyLateSuccessResult is what was found and done of a late success.
type ApplyLateSuccessResult struct {
	TenantID uuid.UUID
	Action   string
	Detail   string
}

// ApplyLateSuccess settles a charge success that reached no running
// payment. The charge is looked up: when it did succeed and no invoice asks
// for it (its payment is closed: expired, failed or canceled; or paid by
// another charge), the money is refunded whole, under a key of the
// event's, so a rerun refunds once. The event is then marked delivered.
func (a *Activities) ApplyLateSuccess(ctx context.Context, in LateSuccess) (ApplyLateSuccessResult, error) {
	p, closed, err := a.Store.ClosedPayment(ctx, in.PaymentID)
	if err != nil {
		return ApplyLateSuccessResult{}, err
	}
	out := ApplyLateSuccessResult{TenantID: p.TenantID, Action: contract.ActionNone, Detail: "the payment is " + p.Status}
	if p.Status == string(contract.PaymentPaid) && p.PaidBy() != in.Reference {
		closed, out.Detail = true, "the payment was paid by "+p.PaidBy()
	}
	if closed && p.Gateway == in.Gateway {
		g, err := a.gateway(ctx, in.Gateway)
		if err != nil {
			return out, err
		}
		charge, err := g.Lookup(ctx, in.Reference)
		switch {
		case errors.Is(err, gateways.ErrUnknownCharge):
			out.Detail = "the gateway knows no charge " + in.Reference
		case err != nil:
			return out, gatewayError("look up "+in.Reference, err)
		case charge.Status == gateways.Succeeded:
			res, err := g.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "reconcile/" + in.EventID, Reference: in.Reference})
			if err != nil && !errors.Is(err, gateways.ErrAlreadyRefunded) {
				return out, gatewayError("refund "+in.Reference, err)
			}
			out.Action, out.Detail = contract.ActionRefunded, "charge "+in.Reference+" succeeded, but "+out.Detail+"; refund "+res.Reference
		default:
			out.Detail = "charge " + in.Reference + " is " + string(charge.Status)
		}
	}
	return out, a.Store.MarkWebhookDelivered(ctx, in.EventID, a.now())
}

// RecordFindingsInput keeps a run's findings.
type RecordFindingsInput struct {
	Findings []contract.Finding
}

// RecordFindings keeps a run's findings; a rerun keeps them once.
func (a *Activities) RecordFindings(ctx context.Context, in RecordFindingsInput) error {
	rows := make([]models.Finding, len(in.Findings))
	for i, f := range in.Findings {
		rows[i] = models.Finding{ID: f.ID, RunID: f.RunID, TenantID: f.TenantID, Kind: f.Kind, PaymentID: f.PaymentID, RefundID: f.RefundID,
			EventID: f.EventID, Gateway: f.Gateway, Action: f.Action, Detail: f.Detail, CreatedAt: f.At}
	}
	return a.Store.RecordFindings(ctx, rows)
}
