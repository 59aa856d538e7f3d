package stripetest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header a webhook's signature travels in.
const SignatureHeader = "Stripe-Signature"

// emit records an event about obj, as it is now (docs.stripe.com/api/events).
// r is the API request that caused it, nil for a test hook's.
func (s *Server) emit(r *request, typ string, obj any, previous map[string]any) *Event {
	b, err := json.Marshal(obj)
	if err != nil {
		panic(fmt.Sprintf("stripetest: marshal %T: %v", obj, err)) // the objects are plain structs
	}
	ev := &Event{
		ID: newID("evt"), Object: "event", APIVersion: APIVersion, Created: s.now().Unix(),
		Data: EventData{Object: b, PreviousAttributes: previous}, PendingWebhooks: int64(len(s.opts.Webhooks)), Type: typ,
	}
	if r != nil {
		ev.Request.ID = ptr(r.id)
		if r.idempotencyKey != "" {
			ev.Request.IdempotencyKey = ptr(r.idempotencyKey)
		}
	}
	payload, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("stripetest: marshal event: %v", err))
	}
	s.events = append(s.events, ev)
	s.payloads[ev.ID] = payload
	return ev
}

// Events is every event so far, oldest first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.events))
	for i, ev := range s.events {
		out[i] = *ev
	}
	return out
}

// EventsOfType is the events of one type (e.g. "payment_intent.succeeded"),
// oldest first.
func (s *Server) EventsOfType(typ string) []Event {
	return slices.DeleteFunc(s.Events(), func(ev Event) bool { return ev.Type != typ })
}

// Payload is the JSON body a webhook of the event carries.
func (s *Server) Payload(eventID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payloads[eventID]
	return p, ok
}

func (s *Server) getEvent(r *request) response {
	if err := r.form.check(); err != nil {
		return *err
	}
	p, ok := s.payloads[r.pathID]
	if !ok {
		return missing(http.StatusNotFound, "id", "event", r.pathID)
	}
	return ok200(json.RawMessage(p))
}

// Sign is the Stripe-Signature header of payload sent at t: "t=<unix
// seconds>", then one "v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>" per
// secret (docs.stripe.com/webhooks#verify-manually).
func Sign(t time.Time, payload []byte, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	parts := []string{"t=" + ts}
	for _, secret := range secrets {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "."))
		m.Write(payload)
		parts = append(parts, "v1="+hex.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(parts, ",")
}

// Deliver sends each endpoint of Options.Webhooks the events it has not
// had, oldest first, signed at the server's time. A delivery that is not
// answered 2xx stops that endpoint's round, to be retried by the next
// Deliver, as Stripe retries.
func (s *Server) Deliver(ctx context.Context) error {
	for i, ep := range s.opts.Webhooks {
		for {
			s.mu.Lock()
			if s.delivered[i] >= len(s.events) {
				s.mu.Unlock()
				break
			}
			ev := s.events[s.delivered[i]]
			payload := s.payloads[ev.ID]
			s.mu.Unlock()
			if err := s.send(ctx, ep, payload); err != nil {
				return fmt.Errorf("deliver %s (%s) to %s: %w", ev.ID, ev.Type, ep.URL, err)
			}
			s.mu.Lock()
			s.delivered[i]++
			s.mu.Unlock()
		}
	}
	return nil
}

// Redeliver sends one event again to every endpoint, as Stripe may: same
// event, same ID.
func (s *Server) Redeliver(ctx context.Context, eventID string) error {
	payload, ok := s.Payload(eventID)
	if !ok {
		return fmt.Errorf("no event %s", eventID)
	}
	for _, ep := range s.opts.Webhooks {
		if err := s.send(ctx, ep, payload); err != nil {
			return fmt.Errorf("redeliver %s to %s: %w", eventID, ep.URL, err)
		}
	}
	return nil
}

func (s *Server) send(ctx context.Context, ep Endpoint, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	req.Header.Set(SignatureHeader, Sign(s.now(), payload, ep.Secrets...))
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	return nil
}
