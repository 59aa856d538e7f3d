package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"
)

// WebhookEvents keeps the inbound gateway webhooks.
type WebhookEvents struct{ *conn }

// WebhookEvent is one inbound gateway webhook.
type WebhookEvent struct {
	ID          string `gorm:"primaryKey"` // the gateway's event ID
	Gateway     string
	Payload     string
	ReceivedAt  time.Time
	DeliveredAt *time.Time // when its workflow took it; nil while undelivered
	// Kind (gateways.EventType), PaymentID and Reference are what the event
	// said, read when it was verified.
	Kind      string
	PaymentID *uuid.UUID
	Reference string
}

// RecordWebhookEvent keeps an event unless its ID was seen; the stored one
// is returned, with fresh reporting whether it is new.
func (s *WebhookEvents) RecordWebhookEvent(ctx context.Context, e WebhookEvent) (stored WebhookEvent, fresh bool, err error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}).Create(&e)
	if err := translate(res.Error); err != nil {
		return WebhookEvent{}, false, fmt.Errorf("record webhook event: %w", err)
	}
	if err := translate(s.db.WithContext(ctx).Take(&stored, "id = ?", e.ID).Error); err != nil {
		return WebhookEvent{}, false, fmt.Errorf("read webhook event: %w", err)
	}
	return stored, res.RowsAffected == 1, nil
}

// MarkWebhookDelivered records that the event reached its workflow.
func (s *WebhookEvents) MarkWebhookDelivered(ctx context.Context, id string, at time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&WebhookEvent{}).Where("id = ?", id).Update("delivered_at", at).Error)
}
