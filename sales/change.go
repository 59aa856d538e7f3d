package sales

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/testclocks"
	"github.com/billgate/billgate/workflows/contract"
)

// Subscription is the stored subscription id, if the scope sees it; with
// live, also the workflow's own state, which is ahead of the store.
func (s *Service) Subscription(ctx context.Context, scope tenancy.Scope, id uuid.UUID, live bool) (*models.Subscription, *contract.SubscriptionState, error) {
	sub, err := s.visibleSubscription(ctx, scope, id)
	if err != nil || !live {
		return sub, nil, err
	}
	var st contract.SubscriptionState
	if err := s.query(ctx, contract.SubscriptionWorkflowID(sub.ID), contract.SubscriptionStateQuery, &st); err != nil {
		return nil, nil, refusal(err, "subscription")
	}
	return sub, &st, nil
}

// UpcomingInvoice is the invoice the subscription will send next, as its
// workflow computes it: nothing changes.
func (s *Service) UpcomingInvoice(ctx context.Context, scope tenancy.Scope, id uuid.UUID) (*models.Subscription, *contract.InvoicePreview, error) {
	sub, err := s.visibleSubscription(ctx, scope, id)
	if err != nil {
		return nil, nil, err
	}
	var p contract.InvoicePreview
	if err := s.query(ctx, contract.SubscriptionWorkflowID(sub.ID), contract.UpcomingInvoiceQuery, &p); err != nil {
		var refused *serviceerror.QueryFailed
		if errors.As(err, &refused) { // nothing upcoming: the query says why
			return nil, nil, &fault.NotFoundError{Message: refused.Error()}
		}
		return nil, nil, refusal(err, "subscription")
	}
	return sub, &p, nil
}

// A change to a subscription is an Update of its workflow, under the
// caller's updateID, so that a retry of the same request is the same
// update. The workflow's validator refuses an illegal change with the
// reason; an accepted one answers with the subscription as stored after it.

// Cancel cancels the subscription now or at the end of its period.
func (s *Service) Cancel(ctx context.Context, scope tenancy.Scope, id, updateID uuid.UUID, c contract.Cancel) (*models.Subscription, error) {
	return s.change(ctx, scope, id, updateID, contract.CancelUpdate, func(*models.Subscription) (any, error) { return c, nil })
}

// Reactivate takes back a cancel at period end.
func (s *Service) Reactivate(ctx context.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	return s.change(ctx, scope, id, updateID, contract.ReactivateUpdate, nil)
}

// Pause stops billing until Resume.
func (s *Service) Pause(ctx context.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	return s.change(ctx, scope, id, updateID, contract.PauseUpdate, nil)
}

// Resume bills a paused subscription again.
func (s *Service) Resume(ctx context.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	return s.change(ctx, scope, id, updateID, contract.ResumeUpdate, nil)
}

// ChangePrice moves the subscription to another active recurring price of
// its tenant, in its currency, prorated as mode says.
func (s *Service) ChangePrice(ctx context.Context, scope tenancy.Scope, id, updateID, priceID uuid.UUID, mode billing.ProrationMode) (*models.Subscription, error) {
	return s.change(ctx, scope, id, updateID, contract.ChangePriceUpdate, func(sub *models.Subscription) (any, error) {
		return s.priceChange(ctx, sub, priceID, mode)
	})
}

// PreviewPriceChange is what ChangePrice would invoice if made now, as the
// subscription's workflow computes it: nothing changes. A change the
// subscription would refuse is refused the same way.
func (s *Service) PreviewPriceChange(ctx context.Context, scope tenancy.Scope, id, priceID uuid.UUID, mode billing.ProrationMode) (*models.Subscription, *contract.PriceChangePreview, error) {
	sub, err := s.visibleSubscription(ctx, scope, id)
	if err != nil {
		return nil, nil, err
	}
	change, err := s.priceChange(ctx, sub, priceID, mode)
	if err != nil {
		return nil, nil, err
	}
	var p contract.PriceChangePreview
	at := contract.PriceChangeAt{Change: change, At: s.Now()}
	if err := s.query(ctx, contract.SubscriptionWorkflowID(sub.ID), contract.PriceChangePreviewQuery, &p, at); err != nil {
		return nil, nil, refusal(err, "subscription")
	}
	if p.Refused != "" {
		return nil, nil, fault.IllegalChange(p.Refused)
	}
	return sub, &p, nil
}

// priceChange is the move of sub to the price priceID: an active recurring
// price of its tenant, in its currency.
func (s *Service) priceChange(ctx context.Context, sub *models.Subscription, priceID uuid.UUID, mode billing.ProrationMode) (contract.PriceChange, error) {
	price, _, err := s.salePrice(ctx, priceID, sub.TenantID, billing.RecurringPrice)
	if err != nil {
		return contract.PriceChange{}, err
	}
	plan := planOf(price)
	if plan.Amount.Currency != billing.Currency(sub.Currency) {
		return contract.PriceChange{}, fault.Invalid("priceId", "the new price must be in the subscription's currency, "+sub.Currency, priceID.String())
	}
	if _, err := plan.Total(sub.Quantity); err != nil {
		return contract.PriceChange{}, fault.Invalid("priceId", "the price times the quantity is too large", priceID.String())
	}
	return contract.PriceChange{Plan: plan, Proration: mode}, nil
}

// ChangePaymentMethod makes the customer pay the subscription another way.
// A subscription on a test clock stays on a gateway that follows it.
func (s *Service) ChangePaymentMethod(ctx context.Context, scope tenancy.Scope, id, updateID uuid.UUID, p Payment) (*models.Subscription, error) {
	return s.change(ctx, scope, id, updateID, contract.ChangePaymentMethodUpdate, func(sub *models.Subscription) (any, error) {
		m, err := s.paymentMethod(ctx, p, customer{ID: sub.CustomerID, TenantID: sub.TenantID}, billing.Currency(sub.Currency))
		if err != nil {
			return nil, err
		}
		if sub.TestClockID != nil && !testclocks.Follows(m.Gateway) {
			return nil, fault.Invalid("paymentMethod.gateway", "a subscription on a test clock pays through the sandbox gateway or a test-mode gateway account only", m.Gateway)
		}
		if sub.TestClockID != nil {
			if err := s.testModeOnly(ctx, m, "paymentMethod"); err != nil {
				return nil, err
			}
		}
		return m, nil
	})
}

// change sends the update named to the subscription's workflow, with the
// argument arg makes of the subscription (none when arg is nil).
func (s *Service) change(ctx context.Context, scope tenancy.Scope, id, updateID uuid.UUID, update string, arg func(*models.Subscription) (any, error)) (*models.Subscription, error) {
	sub, err := s.visibleSubscription(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	var args []any
	if arg != nil {
		a, err := arg(sub)
		if err != nil {
			return nil, err
		}
		args = []any{a}
	}
	wctx, cancel := context.WithTimeout(ctx, workflowTimeout)
	defer cancel()
	handle, err := s.Workflows.UpdateWorkflow(wctx, client.UpdateWorkflowOptions{
		WorkflowID: contract.SubscriptionWorkflowID(sub.ID), UpdateID: updateID.String(), UpdateName: update, Args: args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(wctx, nil)
	}
	if err != nil {
		return nil, refusal(err, "subscription")
	}
	return s.Billing.SubscriptionByID(ctx, sub.ID)
}
