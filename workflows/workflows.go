// Package workflows holds billgate's Temporal workflows. Workflow code does
// no I/O. The names and messages they are known by are in package contract.
package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/workflows/contract"
)

// Registry is where a worker (or a test environment) registers workflows.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Register registers every workflow under its contract name.
func Register(r Registry) {
	for name, fn := range map[string]any{
		contract.SubscriptionWorkflowType:    SubscriptionWorkflow,
		contract.PaymentWorkflowType:         PaymentWorkflow,
		contract.TestClockWorkflowType:       TestClockWorkflow,
		contract.PurgeSessionsWorkflowType:   PurgeSessionsWorkflow,
		contract.RefundWorkflowType:          RefundWorkflow,
		contract.ReconcileWorkflowType:       ReconcileWorkflow,
		contract.WebhookEndpointWorkflowType: WebhookEndpointWorkflow,
	} {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
}
