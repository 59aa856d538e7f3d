// Package delivery sends one event to one webhook endpoint and says what
// came of it: delivered, to retry (and when, if the receiver asked), gone
// (410: stop sending to the endpoint), or refused for good (the address is
// internal, or the endpoint's configuration cannot sign or authenticate).
// It keeps no state: the delivery workflow decides what to do next.
package delivery

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/billgate/billgate/outbound"
	"github.com/billgate/billgate/safehttp"
)

// Message is what is sent: the event's ID, which a retry keeps (the
// receiver's key for dropping a repeat), and the event as JSON.
type Message struct {
	ID      string
	Payload []byte
}

// Target is where and how a message is sent: the endpoint's URL, the keys
// that sign it (the current secret first) and its ESPF scheme.
type Target struct {
	URL     string
	Signing [][]byte
	Auth    outbound.Auth
}

// Outcome is what came of a send.
type Outcome string

// The outcomes of a send.
const (
	Delivered Outcome = "delivered"
	Retry     Outcome = "retry"
	Gone      Outcome = "gone"
	Refused   Outcome = "refused"
)

// Result is one attempt, for the delivery log and the workflow.
type Result struct {
	Outcome Outcome
	// StatusCode is the receiver's answer; 0 when it gave none.
	StatusCode int
	// RetryAfter is what a 429 or a 503 asked for (Retry-After); zero when
	// it did not say.
	RetryAfter time.Duration
	Latency    time.Duration
	// Body is the start of the answer's body, at most MaxBody bytes.
	Body      string
	Truncated bool
	// Error says why there was no answer, or why the send was refused.
	Error string
}

// MaxBody bounds the answer's body kept.
const MaxBody = 4 << 10

// UserAgent names billgate to receivers.
const UserAgent = "billgate-webhooks/1"

// Sender sends messages through Client, which must refuse internal
// addresses (safehttp.NewClient).
type Sender struct {
	Client *http.Client
	Now    func() time.Time
}

// Send posts m to t once.
func (s Sender) Send(ctx context.Context, t Target, m Message) Result {
	now := s.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return Result{Outcome: Refused, Error: "the endpoint's URL: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if err := outbound.SignHeaders(req.Header, t.Signing, m.ID, now, m.Payload); err != nil {
		return Result{Outcome: Refused, Error: "sign: " + err.Error()}
	}
	if err := t.Auth.Authorize(req.Header, now); err != nil {
		return Result{Outcome: Refused, Error: "authenticate: " + err.Error()}
	}
	resp, err := s.Client.Do(req)
	latency := s.Now().Sub(now)
	switch {
	case errors.Is(err, safehttp.ErrBlocked):
		return Result{Outcome: Refused, Latency: latency, Error: err.Error()}
	case err != nil:
		return Result{Outcome: Retry, Latency: latency, Error: err.Error()}
	}
	defer resp.Body.Close()
	body, truncated, _ := safehttp.ReadCapped(resp.Body, MaxBody) // a body cut short is kept as far as it came
	res := Result{Outcome: Retry, StatusCode: resp.StatusCode, Latency: latency, Body: string(body), Truncated: truncated}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		res.Outcome = Delivered
	case code == http.StatusGone:
		res.Outcome = Gone
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		res.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	}
	return res
}

// retryAfter reads Retry-After (RFC 9110 §10.2.3): delay-seconds or an
// HTTP-date, at most MaxRetryAfter; zero when absent, malformed or past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(MaxRetryAfter/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return min(at.Sub(now), MaxRetryAfter)
	}
	return 0
}

// MaxRetryAfter bounds how long a receiver may ask billgate to wait: the
// longest step of the Standard Webhooks schedule.
const MaxRetryAfter = 10 * time.Hour
