package models

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/billgate/billgate/workflows/contract"
)

// Event is one change of a billing object, recorded in the transaction
// that made it.
type Event struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	TenantID   uuid.UUID
	CustomerID *uuid.UUID
	Type       string // one of EventTypes
	ObjectType string // one of the Object… constants
	ObjectID   uuid.UUID
	// DedupeKey names the transition: a retried or concurrent write of the
	// same change records it once.
	DedupeKey string
	// Data is the object's row, in JSON, as the change left it.
	Data      string
	CreatedAt time.Time
}

// The kinds of object an event is about.
const (
	ObjectSubscription = "subscription"
	ObjectInvoice      = "invoice"
	ObjectPayment      = "payment"
	ObjectRefund       = "refund"
	ObjectCustomer     = "customer"
	ObjectTestClock    = "test_clock"
	// ObjectWebhookEndpoint's events are the business's alone, about
	// its own endpoints.
	ObjectWebhookEndpoint = "webhook_endpoint"
)

// The event types.
const (
	EventSubscriptionCreated      = "subscription.created"
	EventSubscriptionTrialing     = "subscription.trialing"
	EventSubscriptionActivated    = "subscription.activated"
	EventSubscriptionRenewed      = "subscription.renewed"
	EventSubscriptionPastDue      = "subscription.past_due"
	EventSubscriptionPaused       = "subscription.paused"
	EventSubscriptionResumed      = "subscription.resumed"
	EventSubscriptionPriceChanged = "subscription.price_changed"
	EventSubscriptionCanceled     = "subscription.canceled"
	EventSubscriptionExpired      = "subscription.expired"
	EventInvoiceCreated           = "invoice.created"
	EventInvoiceFinalized         = "invoice.finalized"
	EventInvoicePaid              = "invoice.paid"
	EventInvoiceVoided            = "invoice.voided"
	EventInvoiceUncollectible     = "invoice.uncollectible"
	EventPaymentPending           = "payment.pending"
	EventPaymentSucceeded         = "payment.succeeded"
	EventPaymentFailed            = "payment.failed"
	EventPaymentExpired           = "payment.expired"
	EventPaymentCanceled          = "payment.canceled"
	EventRefundCreated            = "refund.created"
	EventRefundSucceeded          = "refund.succeeded"
	EventRefundFailed             = "refund.failed"
	EventCustomerCreated          = "customer.created"
	EventCustomerDisabled         = "customer.disabled"
	EventCustomerPasswordChanged  = "customer.password_changed"
	EventTestClockReady           = "test_clock.ready"
	EventWebhookEndpointDisabled  = "webhook_endpoint.disabled"
)

// EventTypes lists every event type, for filters and the docs.
var EventTypes = []string{
	EventSubscriptionCreated, EventSubscriptionTrialing, EventSubscriptionActivated, EventSubscriptionRenewed,
	EventSubscriptionPastDue, EventSubscriptionPaused, EventSubscriptionResumed, EventSubscriptionPriceChanged,
	EventSubscriptionCanceled, EventSubscriptionExpired,
	EventInvoiceCreated, EventInvoiceFinalized, EventInvoicePaid, EventInvoiceVoided, EventInvoiceUncollectible,
	EventPaymentPending, EventPaymentSucceeded, EventPaymentFailed, EventPaymentExpired, EventPaymentCanceled,
	EventRefundCreated, EventRefundSucceeded, EventRefundFailed,
	EventCustomerCreated, EventCustomerDisabled, EventCustomerPasswordChanged,
	EventTestClockReady,
	EventWebhookEndpointDisabled,
}

// AllEvents is the event type pattern that takes every event.
const AllEvents = "*"

// EventPatternMatches reports whether pattern takes events of type t: it
// is t, "<object>.*" for t's object, or AllEvents.
func EventPatternMatches(pattern, t string) bool {
	if pattern == AllEvents || pattern == t {
		return true
	}
	prefix, ok := strings.CutSuffix(pattern, "*")
	return ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(t, prefix)
}

// KnownEventPattern reports whether pattern takes at least one event type.
func KnownEventPattern(pattern string) bool {
	return slices.ContainsFunc(EventTypes, func(t string) bool { return EventPatternMatches(pattern, t) })
}

// change is one transition of an object: its event type, and what makes
// it one (the key's tail), when the type can happen again.
type change struct {
	typ, again string
}

// subscriptionChanges are the transitions from old (nil: none stored) to
// sub.
func subscriptionChanges(old, sub *Subscription) []change {
	var out []change
	if old == nil {
		out = append(out, change{typ: EventSubscriptionCreated})
	}
	was := func(statuses ...contract.SubscriptionStatus) bool {
		return old != nil && slices.Contains(statuses, contract.SubscriptionStatus(old.Status))
	}
	if old == nil || old.Status != sub.Status {
		switch contract.SubscriptionStatus(sub.Status) {
		case contract.SubscriptionTrialing:
			out = append(out, change{typ: EventSubscriptionTrialing})
		case contract.SubscriptionActive:
			switch {
			case was(contract.SubscriptionPaused):
				out = append(out, change{EventSubscriptionResumed, unixKey(old.PausedAt)})
			case old == nil || was(contract.SubscriptionPending, contract.SubscriptionTrialing):
				out = append(out, change{typ: EventSubscriptionActivated})
			}
		case contract.SubscriptionPastDue:
			out = append(out, change{EventSubscriptionPastDue, unixKey(sub.CurrentPeriodStart)})
		case contract.SubscriptionPaused:
			out = append(out, change{EventSubscriptionPaused, unixKey(sub.PausedAt)})
		case contract.SubscriptionCanceled:
			out = append(out, change{typ: EventSubscriptionCanceled})
		case contract.SubscriptionExpired:
			out = append(out, change{typ: EventSubscriptionExpired})
		}
	}
	if old != nil && !was(contract.SubscriptionPending, contract.SubscriptionTrialing) &&
		sub.CurrentPeriodStart != nil && old.CurrentPeriodStart != nil && sub.CurrentPeriodStart.After(*old.CurrentPeriodStart) {
		out = append(out, change{EventSubscriptionRenewed, unixKey(sub.CurrentPeriodStart)})
	}
	if old != nil && old.PriceID != sub.PriceID {
		out = append(out, change{EventSubscriptionPriceChanged, fmt.Sprint(sub.Version)})
	}
	return out
}

// invoiceChanges are the transitions from old (nil: none stored) to inv.
// An invoice is finalized when it leaves draft for good (opened, or paid
// at once); a draft withdrawn is voided without being finalized.
func invoiceChanges(old, inv *Invoice) []change {
	var out []change
	if old == nil {
		out = append(out, change{typ: EventInvoiceCreated})
	}
	status := contract.InvoiceStatus(inv.Status)
	if (old == nil || old.Status == string(contract.DraftInvoice)) && status != contract.DraftInvoice && status != contract.VoidInvoice {
		out = append(out, change{typ: EventInvoiceFinalized})
	}
	if typ, ok := invoiceReached[status]; ok && (old == nil || old.Status != inv.Status) {
		out = append(out, change{typ: typ})
	}
	return out
}

// invoiceReached and paymentReached are the events of an invoice and a
// payment reaching an end, by status.
var (
	invoiceReached = map[contract.InvoiceStatus]string{
		contract.PaidInvoice: EventInvoicePaid, contract.VoidInvoice: EventInvoiceVoided, contract.UncollectibleInvoice: EventInvoiceUncollectible,
	}
	paymentReached = map[contract.PaymentStatus]string{
		contract.PaymentPaid: EventPaymentSucceeded, contract.PaymentExpired: EventPaymentExpired, contract.PaymentCanceled: EventPaymentCanceled,
	}
)

// paymentChanges are the transitions from old (nil: none stored) to p:
// pending when it starts to collect, failed once per attempt declined or
// failed, and its end.
func paymentChanges(old, p *Payment) []change {
	var out []change
	if old == nil || old.Status != p.Status {
		if typ, ok := paymentReached[contract.PaymentStatus(p.Status)]; ok {
			out = append(out, change{typ: typ})
		} else if p.Status == string(contract.PaymentPending) {
			out = append(out, change{EventPaymentPending, fmt.Sprint(len(p.Attempts))})
		}
	}
	for _, a := range p.Attempts {
		if (a.Status == "declined" || a.Status == "failed") && (old == nil || !slices.ContainsFunc(old.Attempts, func(o PaymentAttempt) bool {
			return o.Number == a.Number && o.Status == a.Status
		})) {
			out = append(out, change{EventPaymentFailed, fmt.Sprint(a.Number)})
		}
	}
	return out
}

// refundChanges are a refund's transitions to its status, from old (""
// when it is new).
func refundChanges(old string, r *Refund) []change {
	var out []change
	if old == "" {
		out = append(out, change{typ: EventRefundCreated})
	}
	if old != r.Status {
		switch contract.RefundStatus(r.Status) {
		case contract.RefundSucceeded:
			out = append(out, change{typ: EventRefundSucceeded})
		case contract.RefundFailed:
			out = append(out, change{typ: EventRefundFailed})
		}
	}
	return out
}

func unixKey(t *time.Time) string {
	if t == nil {
		return "0"
	}
	return fmt.Sprint(t.UnixNano())
}

// subject is whose an object is, and where it is.
type subject struct {
	objectType string
	id         uuid.UUID
	tenant     uuid.UUID
	customer   uuid.UUID
	at         time.Time
}

// recordChanges records the events of changes of the object s, whose row
// (read back, so that columns the store keeps are in it) is the events'
// data. A row that cannot be read back or written as JSON (a time past
// year 9999) leaves the data null: the change is recorded all the same. A
// change recorded already is left.
func recordChanges(db *gorm.DB, s subject, row any, changes []change) error {
	if len(changes) == 0 {
		return nil
	}
	if db.Take(row, "id = ?", s.id).Error != nil {
		return insertEvents(db, s, []byte("null"), changes)
	}
	return recordRow(db, s, row, changes)
}

// recordRow records the events of changes of s with row, as it was just
// written, for data: for a row whose every column its writer sets.
func recordRow(db *gorm.DB, s subject, row any, changes []change) error {
	if len(changes) == 0 {
		return nil
	}
	data, err := json.Marshal(row)
	if err != nil {
		data = []byte("null")
	}
	return insertEvents(db, s, data, changes)
}

// insertEvents records the events of changes of s with data.
func insertEvents(db *gorm.DB, s subject, data []byte, changes []change) error {
	events := make([]Event, len(changes))
	for i, c := range changes {
		key := strings.Join([]string{s.id.String(), c.typ, c.again}, "/")
		events[i] = Event{ID: uuid.Must(uuid.NewV7()), TenantID: s.tenant, CustomerID: optionalID(s.customer), Type: c.typ,
			ObjectType: s.objectType, ObjectID: s.id, DedupeKey: key, Data: string(data), CreatedAt: s.at}
	}
	res := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(&events)
	if err := translate(res.Error); err != nil || res.RowsAffected == 0 {
		return err
	}
	if db.Dialector.Name() == string(Postgres) {
		// Delivered when the transaction commits: the relays and streams
		// of every process read the new events then.
		return translate(db.Exec("SELECT pg_notify(?, '')", eventsChannel).Error)
	}
	return nil
}

// CustomerSnapshot is a customer as its events keep it: the account
// without its password hash, and its roles.
type CustomerSnapshot struct {
	Client Client
	Roles  []string
}

// recordCustomerChange records a change of the client id when it is a
// business's customer (platform accounts have no tenant to tell).
func recordCustomerChange(db *gorm.DB, id uuid.UUID, c change, at time.Time) error {
	var snap CustomerSnapshot
	if err := translate(db.Take(&snap.Client, "id = ?", id).Error); err != nil {
		return err
	}
	if snap.Client.TenantID == nil {
		return nil
	}
	snap.Client.PasswordHash = ""
	err := db.Table("client_roles").Select("roles.name").Joins("JOIN roles ON roles.id = client_roles.role_id").
		Where("client_roles.client_id = ?", id).Order("roles.name").Pluck("roles.name", &snap.Roles).Error
	if err != nil {
		return translate(err)
	}
	data, err := json.Marshal(snap)
	if err != nil {
		data = []byte("null")
	}
	return insertEvents(db, subject{ObjectCustomer, id, *snap.Client.TenantID, id, at}, data, []change{c})
}

// storedOrNil is the stored row with the ID of row's type, or nil.
func storedOrNil[T any](db *gorm.DB, id uuid.UUID) (*T, error) {
	var rows []T
	if err := translate(db.Where("id = ?", id).Limit(1).Find(&rows).Error); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// EventLog reads the events.
type EventLog struct{ *conn }

// EventFilter narrows Events. Nil IDs and times, and no types, do not
// filter; a type ending in ".*" takes every type it begins. Limit is the
// page size.
type EventFilter struct {
	TenantID, CustomerID, ObjectID *uuid.UUID
	Types                          []string
	CreatedGte, CreatedLt          *time.Time
	After                          uuid.UUID // the cursor: the last ID of the previous page
	Limit                          int
}

// Events pages through events, oldest first.
func (s *EventLog) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	q := s.db.WithContext(ctx).Model(&Event{}).Order("id").Limit(f.Limit)
	for column, id := range map[string]*uuid.UUID{"tenant_id": f.TenantID, "customer_id": f.CustomerID, "object_id": f.ObjectID} {
		if id != nil {
			q = q.Where(column+" = ?", *id)
		}
	}
	if len(f.Types) > 0 {
		var exact []string
		or := s.db.Where("1 = 0")
		for _, t := range f.Types {
			if prefix, ok := strings.CutSuffix(t, ".*"); ok {
				or = or.Or("type LIKE ?", prefix+".%")
			} else {
				exact = append(exact, t)
			}
		}
		if len(exact) > 0 {
			or = or.Or("type IN ?", exact)
		}
		q = q.Where(or)
	}
	if f.CreatedGte != nil {
		q = q.Where("created_at >= ?", *f.CreatedGte)
	}
	if f.CreatedLt != nil {
		q = q.Where("created_at < ?", *f.CreatedLt)
	}
	if f.After != uuid.Nil {
		q = q.Where("id > ?", f.After)
	}
	return findReadable[Event](s.conn, q)
}

// EventByID finds an event.
func (s *EventLog) EventByID(ctx context.Context, id uuid.UUID) (*Event, error) {
	var e Event
	if err := translate(s.db.WithContext(ctx).Take(&e, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("event %s: %w", id, err)
	}
	return &e, nil
}
