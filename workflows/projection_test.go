package workflows

import (
	"context"
	"sync"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/workflows/contract"
)

// projections records what workflows write to the database, in order.
type projections struct {
	mu sync.Mutex
	// payments are every payment and raised invoice written, whichever
	// activity wrote it.
	payments      []contract.PaymentRecord
	subscriptions []contract.SubscriptionRecord
	// projected are the subscriptions runs begun before
	// recordSubscriptionState write.
	projected []activities.SubscriptionProjection
	// projectedPayments are the payments of runs begun before
	// recordPaymentState, and the invoices raised by subscriptions begun
	// before recordSubscriptionState, as they were written.
	projectedPayments []activities.PaymentProjection
}

// projectPayments keeps payments written as PaymentProjections.
func (p *projections) projectPayments(written ...activities.PaymentProjection) {
	p.projectedPayments = append(p.projectedPayments, written...)
	for _, w := range written {
		p.payments = append(p.payments, w.Record())
	}
}

// recordProjections replaces the projection activities of env with a
// recorder.
func recordProjections(env *testsuite.TestWorkflowEnvironment) *projections {
	var a *activities.Activities
	p := &projections{}
	env.OnActivity(a.RecordPayment, mock.Anything, mock.Anything).Return(func(_ context.Context, in contract.PaymentRecord) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.payments = append(p.payments, in)
		return nil
	}).Maybe()
	env.OnActivity(a.ProjectPayment, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.PaymentProjection) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.projectPayments(in)
		return nil
	}).Maybe()
	env.OnActivity(a.RecordSubscription, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, in contract.SubscriptionRecord, raised []contract.PaymentRecord) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.subscriptions = append(p.subscriptions, in)
		p.payments = append(p.payments, raised...)
		return nil
	}).Maybe()
	env.OnActivity(a.ProjectSubscription, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SubscriptionProjection, raised []activities.PaymentProjection) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.projected = append(p.projected, in)
		p.projectPayments(raised...)
		return nil
	}).Maybe()
	return p
}
