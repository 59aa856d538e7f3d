package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/billgate/billgate/gateways"
)

// maxBody bounds what is read of an answer.
const maxBody = 1 << 20

// api calls PayPal's REST APIs with one account's credentials, and keeps
// the account's OAuth 2.0 access token.
type api struct {
	base  string
	http  *http.Client
	creds credentials
	now   func() time.Time

	mu      sync.Mutex // held while a token is fetched, so that one fetch serves all waiting calls
	token   string
	expires time.Time
}

// request is one call: op names it (the spec's operation ID) in errors.
type request struct {
	op        string
	method    string
	path      string
	requestID string // PayPal-Request-Id, when the operation is idempotent by it
	body      any    // encoded as JSON when not nil
	// representation asks for the whole resource (Prefer:
	// return=representation) rather than the default minimal answer.
	representation bool
}

// statusError is a PayPal answer that is an error: the HTTP status and the
// error body.
type statusError struct {
	op     string
	status int
	body   apiError
}

func (e *statusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.op, e.status)
	if name := firstNonEmpty(e.body.Name, e.body.OAuthError); name != "" {
		b.WriteString(" " + name)
	}
	for _, d := range e.body.Details {
		b.WriteString(": " + d.Issue)
		if d.Description != "" {
			b.WriteString(" (" + d.Description + ")")
		}
	}
	if msg := firstNonEmpty(e.body.ErrorDescription, e.body.Message); msg != "" && len(e.body.Details) == 0 {
		b.WriteString(": " + msg)
	}
	if e.body.DebugID != "" {
		b.WriteString(" [debug_id " + e.body.DebugID + "]")
	}
	return b.String()
}

// issue is the first details[].issue, or "".
func (e *statusError) issue() string {
	if len(e.body.Details) == 0 {
		return ""
	}
	return e.body.Details[0].Issue
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// asStatusError is err's *statusError with HTTP status, if it is one.
func asStatusError(err error, status int) (*statusError, bool) {
	se, ok := errors.AsType[*statusError](err)
	if !ok || se.status != status {
		return nil, false
	}
	return se, true
}

// failure is err as the gateway reports it: a gateway error as it is, any
// other (a PayPal refusal the caller did not map) permanent.
func failure(err error) error {
	if _, ok := errors.AsType[*gateways.Error](err); ok {
		return err
	}
	return permanent(err)
}

// do makes the call and decodes a 2xx answer's body into out (when not
// nil). An answer that no retry changes (4xx) is a *statusError, for the
// caller to map; everything a retry may fix (no answer, 5xx, 429, 409
// PREVIOUS_REQUEST_IN_PROGRESS) is a transient gateway error. A 401
// refreshes the access token and tries once more.
func (a *api) do(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return permanent(fmt.Errorf("%s: encode request: %w", r.op, err))
		}
	}
	tok, err := a.accessToken(ctx, "")
	if err != nil {
		return err
	}
	status, body, err := a.send(ctx, r, payload, tok)
	if err == nil && status == http.StatusUnauthorized {
		// The token expired early or was revoked: one fresh token, one
		// more try.
		if tok, err = a.accessToken(ctx, tok); err != nil {
			return err
		}
		status, body, err = a.send(ctx, r, payload, tok)
	}
	if err != nil {
		return transient(fmt.Errorf("%s: %w", r.op, err))
	}
	if status >= 200 && status < 300 {
		if out == nil || len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			// The call may have taken effect; its retry is idempotent.
			return transient(fmt.Errorf("%s: decode HTTP %d answer: %w", r.op, status, err))
		}
		return nil
	}
	se := &statusError{op: r.op, status: status}
	_ = json.Unmarshal(body, &se.body) // a body that is not PayPal's JSON leaves only the status
	if retryable(status) {
		return transient(se)
	}
	return se
}

// retryable reports the statuses a retry may change: 5xx, 429 (rate
// limited) and 409 (payments v2: PREVIOUS_REQUEST_IN_PROGRESS, "a previous
// call for the given resource is in progress").
func retryable(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests || status == http.StatusConflict
}

func (a *api) send(ctx context.Context, r request, payload []byte, tok string) (int, []byte, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, a.base+r.path, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.requestID != "" {
		req.Header.Set("PayPal-Request-Id", r.requestID)
	}
	if r.representation {
		req.Header.Set("Prefer", "return=representation")
	}
	return a.roundTrip(req)
}

func (a *api) roundTrip(req *http.Request) (int, []byte, error) {
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, fmt.Errorf("read HTTP %d answer: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, b, nil
}
