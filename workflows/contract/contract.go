// Package contract is how the rest of billgate reaches the workflows: their
// types and IDs, task queues and search attributes, queries, signals and
// updates, and the messages they take and return. It holds no workflow
// code, so a caller such as the API compiles neither the workflows nor the
// activities and gateways they call.
package contract

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Workflow types: the names workers register the workflows under and
// clients start them by. Histories record them, so they never change.
const (
	SubscriptionWorkflowType    = "SubscriptionWorkflow"
	PaymentWorkflowType         = "PaymentWorkflow"
	TestClockWorkflowType       = "TestClockWorkflow"
	PurgeSessionsWorkflowType   = "PurgeSessionsWorkflow"
	RefundWorkflowType          = "RefundWorkflow"
	ReconcileWorkflowType       = "ReconcileWorkflow"
	WebhookEndpointWorkflowType = "WebhookEndpointWorkflow"
)

// Task queues. `billgate worker --queues` serves a subset of them.
const (
	SubscriptionsTaskQueue = "billgate-subscriptions" // subscription and payment workflows
	PaymentsTaskQueue      = "billgate-payments"      // gateway activities, rate-limited per gateway
	EventsTaskQueue        = "billgate-events"        // webhook deliveries: their workflows and activities
)

// Search attributes operators filter by in the Temporal UI.
var (
	TenantIDKey      = temporal.NewSearchAttributeKeyKeyword("BillgateTenantId")
	CustomerIDKey    = temporal.NewSearchAttributeKeyKeyword("BillgateCustomerId")
	StatusKey        = temporal.NewSearchAttributeKeyKeyword("BillgateStatus")
	NextBillingAtKey = temporal.NewSearchAttributeKeyTime("BillgateNextBillingAt")
)

// SearchAttributes lists every search attribute with its type, for
// registration (`billgate dev` does it at start; production operators use
// `temporal operator search-attribute create`, see docs/deployment.md).
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		TenantIDKey.GetName():      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		CustomerIDKey.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		StatusKey.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		NextBillingAtKey.GetName(): enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
}
