package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/models"
)

// EventLog is the events as the API reads them (models.EventLog).
type EventLog interface {
	Events(ctx context.Context, f models.EventFilter) ([]models.Event, error)
	EventByID(ctx context.Context, id uuid.UUID) (*models.Event, error)
}

// eventView is an event as the API shows it: its object as the API shows
// that object, as the change left it.
type eventView struct {
	ID         uuid.UUID  `json:"id"`
	Type       string     `json:"type"`
	TenantID   uuid.UUID  `json:"tenantId"`
	CustomerID *uuid.UUID `json:"customerId"`
	ObjectType string     `json:"objectType"`
	ObjectID   uuid.UUID  `json:"objectId"`
	CreatedAt  time.Time  `json:"createdAt"`
	Data       eventData  `json:"data"`
}

type eventData struct {
	// Object is nil when the row could not be read back when it changed.
	Object any `json:"object"`
}

func viewEvent(e *models.Event) eventView {
	return eventView{ID: e.ID, Type: e.Type, TenantID: e.TenantID, CustomerID: e.CustomerID, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, CreatedAt: e.CreatedAt.UTC(), Data: eventData{Object: eventObject(e)}}
}

// eventObject is the event's row as the API shows that object.
func eventObject(e *models.Event) any {
	switch e.ObjectType {
	case models.ObjectSubscription:
		return viewOf(e.Data, viewSubscription)
	case models.ObjectInvoice:
		return viewOf(e.Data, viewInvoice)
	case models.ObjectPayment:
		return viewOf(e.Data, viewPayment)
	case models.ObjectRefund:
		return viewOf(e.Data, viewRefund)
	case models.ObjectCustomer:
		return viewOf(e.Data, func(c *models.CustomerSnapshot) clientDetail { return detailOf(auth.AccountOf(&c.Client), c.Roles) })
	case models.ObjectTestClock:
		return viewOf(e.Data, viewTestClock)
	case models.ObjectWebhookEndpoint:
		return viewOf(e.Data, viewWebhookEndpoint)
	}
	return nil
}

// viewOf reads a row kept as JSON and views it; nil when there is none.
func viewOf[T, V any](data string, view func(*T) V) any {
	var row *T
	if json.Unmarshal([]byte(data), &row) != nil || row == nil {
		return nil
	}
	return view(row)
}

// getEvent is GET /v1/events/{id}: one the caller may see.
func (h *handlers) getEvent(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := h.Events.EventByID(c.Request.Context(), id)
	if errors.Is(err, models.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	customer := uuid.Nil
	if e.CustomerID != nil {
		customer = *e.CustomerID
	}
	if !caller(c).Scope().Allows(e.TenantID, customer) {
		return errNotFound
	}
	respond(c, http.StatusOK, viewEvent(e))
	return nil
}

// listEvents is GET /v1/events: oldest first, those the caller may see,
// by type (several, comma-separated; "invoice.*" takes every invoice
// event), object and creation time.
func (h *handlers) listEvents(c *gin.Context) error {
	lf, err := readListFilter(c, nil)
	if err != nil {
		return err
	}
	f := models.EventFilter{TenantID: lf.tenant, CustomerID: lf.customer, After: lf.after}
	if f.ObjectID, err = idQuery(c, "objectId"); err != nil {
		return err
	}
	if f.Types, err = eventTypesQuery(c.Query("type")); err != nil {
		return err
	}
	if f.CreatedGte, err = timeQuery(c, "createdGte"); err != nil {
		return err
	}
	if f.CreatedLt, err = timeQuery(c, "createdLt"); err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]models.Event, error) {
		f.Limit = limit
		return h.Events.Events(c.Request.Context(), f)
	}, func(e models.Event) uuid.UUID { return e.ID }, viewEvent)
}

// eventTypesQuery reads type: event types, or "<object>.*".
func eventTypesQuery(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	types := strings.Split(s, ",")
	for _, t := range types {
		if t == models.AllEvents || !models.KnownEventPattern(t) { // no filter is every event
			return nil, Invalid("type", "type must be event types (see docs/events.md), or <object>.* for every event of an object", s)
		}
	}
	return types, nil
}

// timeQuery reads an optional RFC 3339 time query parameter.
func timeQuery(c *gin.Context, name string) (*time.Time, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, Invalid(name, name+" must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z", s)
	}
	if err := validTime(name, t); err != nil {
		return nil, err
	}
	return &t, nil
}
