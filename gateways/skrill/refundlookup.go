package skrill

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/billgate/billgate/gateways"
)

// LookupRefund implements gateways.RefundLooker. Skrill lists no refunds
// by a key of ours, so the refund is the one the gateway's RefundLog
// recorded with reference (its mb_transaction_id): a reference the log
// does not hold is a permanent error wrapping ErrUnknownCharge. A refund
// recorded succeeded or failed is answered as recorded; Skrill moves
// neither on. A pending one is asked about through the MQI (status_trn by
// mb_trn_id, the refund's own Skrill ID), and a change is written back to
// the log, so that a failed refund no longer counts against what remains
// refundable.
//
// The refund's status post (refund_status_url) is not used: md5sig covers
// neither mb_transaction_id nor the merchant fields, so another refund's
// post, replayed, could pass for this one.
func (g *Gateway) LookupRefund(ctx context.Context, reference string) (gateways.RefundResult, error) {
	if reference == "" {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: empty refund reference", gateways.ErrUnknownCharge))
	}
	rec, found, err := g.refunds.GetByReference(ctx, g.scoped(reference))
	switch {
	case err != nil:
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("read refund %s: %w", reference, err))
	case !found:
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: no refund of account %s has reference %s in the gateway's refund log", gateways.ErrUnknownCharge, g.acct.ID, reference))
	case rec.Result.Status != gateways.RefundPending:
		return rec.Result, nil
	}
	now, err := g.refundAtSkrill(ctx, rec)
	if err != nil || now == rec.Result {
		return now, err
	}
	return g.settleRecord(ctx, rec, now)
}

// refundAtSkrill is the pending refund rec as the MQI reports it now. A
// refund the MQI does not find is answered as recorded, pending: Skrill
// answered its ID, so it exists, and billgate asks again later.
func (g *Gateway) refundAtSkrill(ctx context.Context, rec RefundRecord) (gateways.RefundResult, error) {
	ref := rec.Result.Reference
	f, err := g.querySkrillTransaction(ctx, ref)
	switch {
	case errors.Is(err, errTransactionNotFound):
		return rec.Result, nil
	case err != nil:
		return gateways.RefundResult{}, err
	}
	if got := f.Get("mb_transaction_id"); got != "" && got != ref {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("MQI status_trn mb_trn_id=%s answered transaction %s", ref, got))
	}
	return refundStatus(ref, f)
}

// refundStatus reads a refund's status report ("Refunds": 2 processed, 0
// pending, -2 failed). -1, which the guide gives only payments, is read as
// failed "canceled".
func refundStatus(ref string, f url.Values) (gateways.RefundResult, error) {
	r := gateways.RefundResult{Reference: ref}
	switch s := f.Get("status"); s {
	case statusProcessed:
		r.Status = gateways.RefundSucceeded
	case statusPending:
		r.Status = gateways.RefundPending
	case statusFailed:
		r.Status, r.FailureReason = gateways.RefundFailed, failedDeclineCode(f.Get("failed_reason_code"))
	case statusCancelled:
		r.Status, r.FailureReason = gateways.RefundFailed, DeclineCanceled
	default:
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("refund %s has status %q, which the guide does not list for refunds", ref, s))
	}
	return r, nil
}

// settleRecord writes a pending refund's outcome to the log, under the
// charge's lock, unless another lookup wrote one first; it answers the
// refund as the log then holds it.
func (g *Gateway) settleRecord(ctx context.Context, rec RefundRecord, now gateways.RefundResult) (gateways.RefundResult, error) {
	unlock, err := g.refunds.Lock(ctx, rec.Charge)
	if err != nil {
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("hold the refunds of %s: %w", rec.Charge, err))
	}
	defer unlock()
	current, found, err := g.refunds.Get(ctx, rec.Key)
	switch {
	case err != nil:
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("read refund %s: %w", now.Reference, err))
	case !found || current.Result.Reference != rec.Result.Reference:
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: refund %s left the gateway's refund log", gateways.ErrUnknownCharge, now.Reference))
	case current.Result.Status != gateways.RefundPending:
		return current.Result, nil
	}
	current.Result, current.At = now, g.now()
	if err := g.refunds.Put(ctx, current); err != nil {
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("record refund %s %s: %w", now.Reference, now.Status, err))
	}
	return now, nil
}
