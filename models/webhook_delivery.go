package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// WebhookDeliveries is the outbox of webhook deliveries: one per event
// and endpoint that wants it, with the log of its attempts.
type WebhookDeliveries struct{ *conn }

// WebhookDelivery is one event to send to one endpoint.
type WebhookDelivery struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	EndpointID uuid.UUID
	TenantID   uuid.UUID
	// EventID orders an endpoint's deliveries and is the message's ID
	// (webhook-id), which every attempt repeats.
	EventID   uuid.UUID
	EventType string
	// Payload is the event as the API showed it when it was relayed.
	Payload  string
	Status   string // one of the Delivery… statuses
	Attempts int
	// NextAttemptAt is when the next try is planned, while it waits.
	NextAttemptAt *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// The statuses of a delivery: pending until an attempt is answered with a
// 2xx (delivered) or the retry schedule is spent (failed).
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// DeliveryStatuses lists every status, for filters.
var DeliveryStatuses = []string{DeliveryPending, DeliveryDelivered, DeliveryFailed}

// WebhookAttempt is one try at a delivery.
type WebhookAttempt struct {
	DeliveryID uuid.UUID `gorm:"primaryKey"`
	Number     int       `gorm:"primaryKey"`
	Outcome    string    // delivery.Outcome
	StatusCode int
	LatencyMS  int64 `gorm:"column:latency_ms"`
	// ResponseBody is the start of the receiver's answer.
	ResponseBody string
	Truncated    bool
	Error        string
	CreatedAt    time.Time
}

// RelayEvents fans out up to limit events not relayed yet, oldest first:
// each gets a delivery to every enabled endpoint of its tenant that wants
// its type, carrying payload(event), and is marked relayed, in one
// transaction. On Postgres the events are claimed with SKIP LOCKED, so
// that several relays share the work. It returns how many events it
// relayed and the endpoints given deliveries.
func (s *WebhookDeliveries) RelayEvents(ctx context.Context, limit int, payload func(*Event) []byte, now time.Time) (relayed int, woken []uuid.UUID, err error) {
	err = s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx)
		claim := q.Where("relayed_at IS NULL").Order("id").Limit(limit)
		if tx.dialect == Postgres {
			claim = claim.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var events []Event
		if err := translate(claim.Find(&events).Error); err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		deliveries, err := fanOut(q, events, payload, now)
		if err != nil {
			return err
		}
		if len(deliveries) > 0 {
			err := q.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "endpoint_id"}, {Name: "event_id"}}, DoNothing: true}).
				CreateInBatches(deliveries, 100).Error
			if err := translate(err); err != nil {
				return err
			}
		}
		ids := make([]uuid.UUID, len(events))
		for i, e := range events {
			ids[i] = e.ID
		}
		if err := translate(q.Model(&Event{}).Where("id IN ?", ids).Update("relayed_at", now).Error); err != nil {
			return err
		}
		relayed, woken = len(events), endpointsOf(deliveries)
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("relay events: %w", err)
	}
	return relayed, woken, nil
}

// fanOut is the deliveries of events to their tenants' enabled endpoints
// that existed when each event was recorded.
func fanOut(q *gorm.DB, events []Event, payload func(*Event) []byte, now time.Time) ([]WebhookDelivery, error) {
	tenants := map[uuid.UUID]bool{}
	for _, e := range events {
		tenants[e.TenantID] = true
	}
	var endpoints []WebhookEndpoint
	err := q.Where("tenant_id IN ? AND enabled", slices.Collect(maps.Keys(tenants))).Order("id").Find(&endpoints).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	var out []WebhookDelivery
	for i := range events {
		e := &events[i]
		var body []byte
		recorded := recordedAt(e.ID)
		for _, ep := range endpoints {
			if ep.TenantID != e.TenantID || !ep.Wants(e.Type) || ep.CreatedAt.Truncate(time.Millisecond).After(recorded) {
				continue
			}
			if body == nil {
				body = payload(e)
			}
			out = append(out, WebhookDelivery{ID: uuid.Must(uuid.NewV7()), EndpointID: ep.ID, TenantID: e.TenantID, EventID: e.ID,
				EventType: e.Type, Payload: string(body), Status: DeliveryPending, CreatedAt: now, UpdatedAt: now})
		}
	}
	return out, nil
}

// recordedAt is when an event was recorded, to the millisecond, by the
// clock of the process that recorded it: its UUIDv7 ID says. (Its
// CreatedAt is the change's own time, which a test clock sets.)
func recordedAt(id uuid.UUID) time.Time {
	sec, nsec := id.Time().UnixTime()
	return time.Unix(sec, nsec)
}

func endpointsOf(deliveries []WebhookDelivery) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, d := range deliveries {
		if !seen[d.EndpointID] {
			seen[d.EndpointID] = true
			out = append(out, d.EndpointID)
		}
	}
	return out
}

// CreateWebhookDelivery stores a delivery made apart from the relay (a
// test send).
func (s *WebhookDeliveries) CreateWebhookDelivery(ctx context.Context, d *WebhookDelivery) error {
	if err := translate(s.db.WithContext(ctx).Create(d).Error); err != nil {
		return fmt.Errorf("create webhook delivery: %w", err)
	}
	return nil
}

// NextWebhookDelivery is an endpoint's pending delivery of the oldest
// event; nil when none is pending.
func (s *WebhookDeliveries) NextWebhookDelivery(ctx context.Context, endpointID uuid.UUID) (*WebhookDelivery, error) {
	var rows []WebhookDelivery
	err := s.db.WithContext(ctx).Where("endpoint_id = ? AND status = ?", endpointID, DeliveryPending).Order("event_id").Limit(1).Find(&rows).Error
	if err := translate(err); err != nil {
		return nil, fmt.Errorf("next delivery of endpoint %s: %w", endpointID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// WebhookDeliveryByID finds a delivery.
func (s *WebhookDeliveries) WebhookDeliveryByID(ctx context.Context, id uuid.UUID) (*WebhookDelivery, error) {
	var d WebhookDelivery
	if err := translate(s.db.WithContext(ctx).Take(&d, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("webhook delivery %s: %w", id, err)
	}
	return &d, nil
}

// AttemptRecord is an attempt and what it leaves of its delivery: its
// status, and when it is tried next while it stays pending.
type AttemptRecord struct {
	Attempt       WebhookAttempt
	Status        string
	NextAttemptAt *time.Time
}

// RecordWebhookAttempt logs an attempt of a pending delivery (numbered
// after those before it) and sets the delivery's status. A delivered one
// clears its endpoint's FailingSince; any other starts it if it was not
// set. It returns the endpoint's FailingSince after the attempt. A
// delivery no longer pending is ErrConflict.
func (s *WebhookDeliveries) RecordWebhookAttempt(ctx context.Context, r AttemptRecord) (failingSince *time.Time, err error) {
	at := r.Attempt.CreatedAt
	err = s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx)
		if tx.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var d WebhookDelivery
		if err := translate(q.Take(&d, "id = ?", r.Attempt.DeliveryID).Error); err != nil {
			return err
		}
		q = tx.db.WithContext(ctx)
		if d.Status != DeliveryPending {
			return fmt.Errorf("delivery is %s: %w", d.Status, ErrConflict)
		}
		r.Attempt.Number = d.Attempts + 1
		if err := translate(q.Create(&r.Attempt).Error); err != nil {
			return err
		}
		err := q.Model(&WebhookDelivery{}).Where("id = ?", d.ID).
			Updates(map[string]any{"status": r.Status, "attempts": r.Attempt.Number, "next_attempt_at": r.NextAttemptAt, "updated_at": at}).Error
		if err := translate(err); err != nil {
			return err
		}
		endpoint := q.Model(&WebhookEndpoint{}).Where("id = ?", d.EndpointID)
		if r.Status == DeliveryDelivered {
			err = endpoint.Update("failing_since", nil).Error
		} else {
			err = endpoint.Where("failing_since IS NULL").Update("failing_since", at).Error
		}
		if err := translate(err); err != nil {
			return err
		}
		var e WebhookEndpoint
		if err := translate(q.Select("failing_since").Take(&e, "id = ?", d.EndpointID).Error); err != nil {
			return err
		}
		failingSince = e.FailingSince
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record attempt of webhook delivery %s: %w", r.Attempt.DeliveryID, err)
	}
	return failingSince, nil
}

// RetryWebhookDelivery makes a delivered or failed delivery pending
// again, to be sent once more from the start of the schedule; a pending
// one is left as it is.
func (s *WebhookDeliveries) RetryWebhookDelivery(ctx context.Context, id uuid.UUID, now time.Time) (*WebhookDelivery, error) {
	err := s.db.WithContext(ctx).Model(&WebhookDelivery{}).Where("id = ? AND status <> ?", id, DeliveryPending).
		Updates(map[string]any{"status": DeliveryPending, "next_attempt_at": nil, "updated_at": now}).Error
	if err := translate(err); err != nil {
		return nil, fmt.Errorf("retry webhook delivery %s: %w", id, err)
	}
	return s.WebhookDeliveryByID(ctx, id)
}

// DeliveryFilter narrows WebhookDeliveryList: one endpoint's, in the
// statuses given (none: every one), after a cursor (the last ID of the
// previous page).
type DeliveryFilter struct {
	EndpointID uuid.UUID
	Statuses   []string
	After      uuid.UUID
	Limit      int
}

// WebhookDeliveryList pages through an endpoint's deliveries, oldest
// first.
func (s *WebhookDeliveries) WebhookDeliveryList(ctx context.Context, f DeliveryFilter) ([]WebhookDelivery, error) {
	q := s.db.WithContext(ctx).Where("endpoint_id = ?", f.EndpointID).Order("id").Limit(f.Limit)
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.After != uuid.Nil {
		q = q.Where("id > ?", f.After)
	}
	return findReadable[WebhookDelivery](s.conn, q)
}

// WebhookAttemptsOf are the attempts of the deliveries named, by
// delivery, oldest first.
func (s *WebhookDeliveries) WebhookAttemptsOf(ctx context.Context, deliveries []uuid.UUID) (map[uuid.UUID][]WebhookAttempt, error) {
	out := map[uuid.UUID][]WebhookAttempt{}
	if len(deliveries) == 0 {
		return out, nil
	}
	attempts, err := findReadable[WebhookAttempt](s.conn, s.db.WithContext(ctx).Where("delivery_id IN ?", deliveries).Order("delivery_id, number"))
	if err != nil {
		return nil, fmt.Errorf("webhook attempts: %w", err)
	}
	for _, a := range attempts {
		out[a.DeliveryID] = append(out[a.DeliveryID], a)
	}
	return out, nil
}

// EndpointsAwaitingDelivery are the enabled endpoints with a pending
// delivery older than since and none waiting for a planned retry: those
// whose workflow may have missed its wake-up, for the relay's sweep.
func (s *WebhookDeliveries) EndpointsAwaitingDelivery(ctx context.Context, since, now time.Time, limit int) ([]WebhookEndpoint, error) {
	waiting := s.db.Model(&WebhookDelivery{}).Select("endpoint_id").Where("status = ? AND next_attempt_at > ?", DeliveryPending, now)
	stale := s.db.Model(&WebhookDelivery{}).Select("endpoint_id").Where("status = ? AND updated_at < ?", DeliveryPending, since)
	var out []WebhookEndpoint
	err := s.db.WithContext(ctx).Select("id", "tenant_id").Where("enabled AND id IN (?) AND id NOT IN (?)", stale, waiting).
		Order("id").Limit(limit).Find(&out).Error
	if err := translate(err); err != nil {
		return nil, fmt.Errorf("endpoints awaiting delivery: %w", err)
	}
	return out, nil
}

// DisableWebhookEndpoint disables an enabled endpoint for reason and
// records the event that tells its business. An endpoint disabled already
// is left as it is; it reports whether this call disabled it.
func (s *WebhookDeliveries) DisableWebhookEndpoint(ctx context.Context, id uuid.UUID, reason string, now time.Time) (bool, error) {
	disabled := false
	err := s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx)
		res := q.Model(&WebhookEndpoint{}).Where("id = ? AND enabled", id).
			Updates(map[string]any{"enabled": false, "disabled_reason": reason, "updated_at": now})
		if err := translate(res.Error); err != nil || res.RowsAffected == 0 {
			return err
		}
		var e WebhookEndpoint
		if err := translate(q.Take(&e, "id = ?", id).Error); err != nil {
			return err
		}
		disabled = true
		e.SealedSecrets = ""
		return recordRow(q, subject{ObjectWebhookEndpoint, id, e.TenantID, uuid.Nil, now}, &e,
			[]change{{EventWebhookEndpointDisabled, fmt.Sprint(now.UnixNano())}})
	})
	if err != nil {
		return false, fmt.Errorf("disable webhook endpoint %s: %w", id, err)
	}
	return disabled, nil
}
