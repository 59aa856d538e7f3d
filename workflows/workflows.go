// Package workflows holds billgate's Temporal workflows and the names they
// are known by: task queues and search attributes. Workflow code does no I/O.
package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Task queues. `billgate worker --queues` serves a subset of them.
const (
	SubscriptionsTaskQueue = "billgate-subscriptions" // subscription and payment workflows
	PaymentsTaskQueue      = "billgate-payments"      // gateway activities, rate-limited per gateway
	EventsTaskQueue        = "billgate-events"        // notifications
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
