package contract

import "github.com/google/uuid"

// WebhookEndpointWorkflowID is the ID of the workflow that delivers an
// endpoint's events: one per endpoint, started by the first wake.
func WebhookEndpointWorkflowID(endpointID uuid.UUID) string {
	return "webhook-endpoint/" + endpointID.String()
}

// WebhookEndpointInput names the endpoint a delivery workflow serves.
type WebhookEndpointInput struct {
	EndpointID uuid.UUID
}

// WakeSignal tells an endpoint's workflow it has deliveries to send
// (signal-with-start: it starts the workflow if none runs).
const WakeSignal = "wake"

// Wake is WakeSignal's message. Now cuts short the wait for a planned
// retry: someone asked for a send (a retry or a test) and wants it tried
// at once, the endpoint's queue included.
type Wake struct {
	Now bool
}
