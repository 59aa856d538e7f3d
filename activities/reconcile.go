package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// RefundReports are a gateway's reports that a payment's charge was
	// refunded, by billgate or elsewhere.
	RefundReports []RefundReport
}

// RefundReport is one report that a payment's charge was refunded.
type RefundReport struct {
	EventID   string
	Gateway   string
	PaymentID uuid.UUID
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
	// EventAge and PendingAge are ReconcileInput's; zero means lateEventAge,
	// and stalePayment and staleRefundAge.
	EventAge   time.Duration `json:",omitempty"`
	PendingAge time.Duration `json:",omitempty"`
}

// olderThan is now less age, or less otherwise when age is zero.
func olderThan(now time.Time, age, otherwise time.Duration) time.Time {
	if age > 0 {
		return now.Add(-age)
	}
	return now.Add(-otherwise)
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
	eventsBefore := olderThan(in.Now, in.EventAge, lateEventAge)
	events, err := a.Store.UndeliveredEvents(ctx, string(gateways.EventChargeSucceeded), contract.FindingLateSuccess, eventsBefore, in.Now, ReconcileLimit)
	if err != nil {
		return out, err
	}
	for _, e := range events {
		out.LateSuccesses = append(out.LateSuccesses, LateSuccess{EventID: e.ID, Gateway: e.Gateway, PaymentID: *e.PaymentID, Reference: e.Reference})
	}
	reports, err := a.Store.UndeliveredEvents(ctx, string(gateways.EventChargeRefunded), contract.FindingGatewayRefund, eventsBefore, in.Now, ReconcileLimit)
	if err != nil {
		return out, err
	}
	for _, e := range reports {
		out.RefundReports = append(out.RefundReports, RefundReport{EventID: e.ID, Gateway: e.Gateway, PaymentID: *e.PaymentID})
	}
	payments, err := a.Store.StalePayments(ctx, olderThan(in.Now, in.PendingAge, stalePayment), in.Now, ReconcileLimit)
	if err != nil {
		return out, err
	}
	for _, p := range payments {
		out.StalePayments = append(out.StalePayments, StalePayment{PaymentID: p.ID, TenantID: p.TenantID, Gateway: p.Gateway, Reference: lastReference(p.Attempts)})
	}
	refunds, err := a.Store.StaleRefunds(ctx, olderThan(in.Now, in.PendingAge, staleRefundAge), in.Now, ReconcileLimit)
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

// Applied is what a reconciliation activity found and did of one item.
type Applied struct {
	TenantID uuid.UUID
	Action   string
	Detail   string
}

// ApplyLateSuccess settles a charge success that reached no running
// payment. The charge is looked up: when it did succeed and no invoice asks
// for it (its payment is closed: expired, failed or canceled; or paid by
// another charge), the money is refunded whole, under a key of the
// event's, so a rerun refunds once. The event is then marked delivered.
func (a *Activities) ApplyLateSuccess(ctx context.Context, in LateSuccess) (Applied, error) {
	p, closed, err := a.Store.ClosedPayment(ctx, in.PaymentID)
	if err != nil {
		return Applied{}, err
	}
	out := Applied{TenantID: p.TenantID, Action: contract.ActionNone, Detail: "the payment is " + p.Status}
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

// ApplyRefundReport records the refunds a gateway made of a paid
// payment's charge outside billgate, in its dashboard say, each with its
// credit note (models.RecordGatewayRefund), so that no money goes back
// without an invoice saying so. The gateway lists the charge's refunds; one
// whose key or reference is a refund of billgate's is billgate's own. A
// refund still pending at the gateway is recorded by a later run, and one
// that is more than billgate counts as left of the payment is for a person
// to check: the report is then left undelivered and Action is
// ActionReported, else it is marked delivered. Action is ActionNone when
// every refund was billgate's.
func (a *Activities) ApplyRefundReport(ctx context.Context, in RefundReport) (Applied, error) {
	p, err := a.Store.PaymentByID(ctx, in.PaymentID)
	if err != nil {
		return Applied{}, err
	}
	out := Applied{TenantID: p.TenantID, Action: contract.ActionNone}
	if p.Gateway != in.Gateway || p.Status != string(contract.PaymentPaid) {
		out.Detail = "the payment is " + p.Status + " through " + p.Gateway
		return out, a.Store.MarkWebhookDelivered(ctx, in.EventID, a.now())
	}
	listed, err := a.refundsAtGateway(ctx, in.Gateway, p.PaidBy())
	if err != nil {
		return out, err
	}
	ours, err := a.Store.Refunds(ctx, models.RefundFilter{PaymentID: &p.ID, Limit: maxRefundsPerPayment})
	if err != nil {
		return out, err
	}
	var details []string
	unsettled := false // a refund to look at again, or for a person to
	for _, l := range listed {
		switch {
		case madeByBillgate(l, ours):
		case l.Status == gateways.RefundPending:
			unsettled = true
			details = append(details, "refund "+l.Reference+" made at the gateway is still pending")
		case l.Status == gateways.RefundSucceeded:
			r, _, err := a.Store.RecordGatewayRefund(ctx, models.GatewayRefund{PaymentID: p.ID, Gateway: in.Gateway, Reference: l.Reference, Amount: l.Amount, At: a.now()})
			switch {
			case errors.Is(err, models.ErrOverRefund):
				unsettled = true
				details = append(details, fmt.Sprintf("refund %s of %s made at the gateway is more than is left of the payment in billgate: check the gateway", l.Reference, l.Amount))
			case err != nil:
				return out, err
			default:
				out.Action = contract.ActionRecorded
				details = append(details, fmt.Sprintf("refund %s of %s made at the gateway recorded as refund %s", l.Reference, l.Amount, r.ID))
			}
		}
	}
	out.Detail = strings.Join(details, "; ")
	if unsettled {
		out.Action = contract.ActionReported
		return out, nil
	}
	return out, a.Store.MarkWebhookDelivered(ctx, in.EventID, a.now())
}

// maxRefundsPerPayment bounds the refunds of one payment read at once;
// POST /v1/refunds takes at least one unit each, and a gateway far fewer.
const maxRefundsPerPayment = 1000

// refundsAtGateway lists a charge's refunds at its gateway; a gateway that
// lists none has none made outside billgate to record.
func (a *Activities) refundsAtGateway(ctx context.Context, route, reference string) ([]gateways.ListedRefund, error) {
	g, err := a.gateway(ctx, route)
	if err != nil {
		return nil, err
	}
	lister, ok := g.(gateways.RefundLister)
	if !ok {
		return nil, nil
	}
	listed, err := lister.ListRefunds(ctx, reference)
	if err != nil {
		return nil, gatewayError("list the refunds of "+reference, err)
	}
	return listed, nil
}

// madeByBillgate reports whether a listed refund is one of ours: by the key
// billgate made it under (the refund's ID), or by the reference the gateway
// answered it with.
func madeByBillgate(l gateways.ListedRefund, ours []models.Refund) bool {
	return slices.ContainsFunc(ours, func(r models.Refund) bool {
		return l.IdempotencyKey == r.ID.String() || l.Reference != "" && l.Reference == r.GatewayReference
	})
}

// ExpireOrphanedPayment settles a payment still pending whose workflow is
// gone (canceled while its charge awaited the payer, or ended by an
// operator): nothing will collect its invoice any more. Its last charge is
// voided, so that the payer can no longer approve it; one the payer
// approved first is refunded whole, under the key the workflow would have
// used, as a withdrawn invoice's charge is (a subscription took the payment
// as unpaid when its workflow ended). The payment is then expired, its
// attempt showing the void, the decline or the refund, and its invoice
// uncollectible. A charge the gateway keeps pending is reported.
func (a *Activities) ExpireOrphanedPayment(ctx context.Context, in StalePayment) (Applied, error) {
	p, err := a.Store.PaymentByID(ctx, in.PaymentID)
	if err != nil {
		return Applied{}, err
	}
	out := Applied{TenantID: p.TenantID, Action: contract.ActionNone, Detail: "the payment is " + p.Status}
	i := slices.IndexFunc(p.Attempts, func(at models.PaymentAttempt) bool { return at.Reference == in.Reference })
	if p.Status != string(contract.PaymentPending) || i < 0 {
		return out, nil
	}
	g, err := a.gateway(ctx, p.Gateway)
	if err != nil {
		return out, err
	}
	attempt := &p.Attempts[i]
	key := gateways.IdempotencyKey(p.ID.String(), attempt.Number)
	charge, err := g.Void(ctx, gateways.VoidRequest{IdempotencyKey: gateways.VoidKey(key), Reference: in.Reference})
	if err != nil && !errors.Is(err, gateways.ErrChargeSettled) {
		return out, gatewayError("void "+in.Reference, err)
	}
	switch charge.Status {
	case gateways.Voided:
		attempt.Status = "voided"
	case gateways.Declined:
		attempt.Status, attempt.DeclineCode = "declined", charge.DeclineCode
	case gateways.Succeeded:
		refund, err := g.Refund(ctx, gateways.RefundRequest{IdempotencyKey: gateways.RefundKey(key), Reference: in.Reference})
		if err != nil && !errors.Is(err, gateways.ErrAlreadyRefunded) {
			return out, gatewayError("refund "+in.Reference, err)
		}
		attempt.Status, attempt.RefundReference = "refunded", refund.Reference
	default:
		out.Action, out.Detail = contract.ActionReported, "its workflow is gone; charge "+in.Reference+" is "+string(charge.Status)+" and could not be voided"
		return out, nil
	}
	expired, err := a.Store.ExpireOrphanedPayment(ctx, p, a.now())
	if err != nil {
		return out, err
	}
	if !expired {
		out.Action, out.Detail = contract.ActionReported, "charge "+in.Reference+" "+attempt.Status+", but the payment changed meanwhile: its workflow may not be gone"
		return out, nil
	}
	out.Action, out.Detail = contract.ActionExpired, "its workflow is gone; charge "+in.Reference+" "+attempt.Status+", and the payment expired"
	return out, nil
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
