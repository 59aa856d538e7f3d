package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/webhookendpoints"
)

// EventPayload is an event as webhooks deliver it: as GET /v1/events/{id}
// shows it.
func EventPayload(e *models.Event) []byte {
	body, _ := json.Marshal(viewEvent(e)) // plain data: strings, IDs, times and numbers
	return body
}

// testPayload is the message a test send delivers: an event of type
// webhookendpoints.TestEvent about the endpoint, recorded nowhere.
func testPayload(e *models.WebhookEndpoint, id uuid.UUID, at time.Time) []byte {
	body, _ := json.Marshal(eventView{ID: id, Type: webhookendpoints.TestEvent, TenantID: e.TenantID, ObjectType: models.ObjectWebhookEndpoint,
		ObjectID: e.ID, CreatedAt: at.UTC(), Data: eventData{Object: viewWebhookEndpoint(e)}})
	return body
}

// deliveryView is a delivery as the API shows it, with its attempts.
type deliveryView struct {
	ID            uuid.UUID       `json:"id"`
	EndpointID    uuid.UUID       `json:"endpointId"`
	EventID       uuid.UUID       `json:"eventId"`
	EventType     string          `json:"eventType"`
	Status        string          `json:"status"`
	Payload       json.RawMessage `json:"payload"`
	Attempts      []attemptView   `json:"attempts"`
	NextAttemptAt *time.Time      `json:"nextAttemptAt"`
	CreatedAt     time.Time       `json:"createdAt"`
	UpdatedAt     time.Time       `json:"updatedAt"`
}

// attemptView is one try: what the receiver answered, and how fast.
type attemptView struct {
	Number            int       `json:"number"`
	Outcome           string    `json:"outcome"`
	StatusCode        *int      `json:"statusCode"`
	LatencyMS         int64     `json:"latencyMs"`
	ResponseBody      string    `json:"responseBody"`
	ResponseTruncated bool      `json:"responseTruncated"`
	Error             *string   `json:"error"`
	CreatedAt         time.Time `json:"createdAt"`
}

func viewDelivery(d *webhookendpoints.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, Status: d.Status,
		Payload: json.RawMessage(d.Payload), Attempts: make([]attemptView, len(d.Attempts)), NextAttemptAt: utc(d.NextAttemptAt),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	if !json.Valid(v.Payload) {
		v.Payload = json.RawMessage("null")
	}
	for i, a := range d.Attempts {
		v.Attempts[i] = attemptView{Number: a.Number, Outcome: a.Outcome, LatencyMS: a.LatencyMS, ResponseBody: a.ResponseBody,
			ResponseTruncated: a.Truncated, Error: optional(a.Error), CreatedAt: a.CreatedAt.UTC()}
		if a.StatusCode != 0 {
			v.Attempts[i].StatusCode = &a.StatusCode
		}
	}
	return v
}

// listWebhookDeliveries is GET /v1/webhook-endpoints/{id}/deliveries:
// oldest first, by status.
func (h *handlers) listWebhookDeliveries(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	lf, err := readListFilter(c, models.DeliveryStatuses)
	if err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]webhookendpoints.Delivery, error) {
		return h.WebhookEndpoints.Deliveries(c.Request.Context(), caller(c), id, lf.statuses, lf.after, limit)
	}, func(d webhookendpoints.Delivery) uuid.UUID { return d.ID }, viewDelivery)
}

// retryWebhookDelivery is POST
// /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry.
func (h *handlers) retryWebhookDelivery(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	deliveryID, err := uuid.Parse(c.Param("deliveryId"))
	if err != nil {
		return errNotFound
	}
	d, err := h.WebhookEndpoints.Retry(c.Request.Context(), caller(c), id, deliveryID)
	if err != nil {
		return err
	}
	respond(c, http.StatusAccepted, viewDelivery(&d))
	return nil
}

// testWebhookEndpoint is POST /v1/webhook-endpoints/{id}/test.
func (h *handlers) testWebhookEndpoint(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := h.WebhookEndpoints.SendTest(c.Request.Context(), caller(c), id, testPayload)
	if err != nil {
		return err
	}
	respond(c, http.StatusAccepted, viewDelivery(&d))
	return nil
}
