// Package apicall builds the requests billgate's own load and chaos runs
// send its API, as a client would: a JSON body, an Idempotency-Key, a
// bearer token.
package apicall

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Request is method url with body (JSON, or none when empty), key as its
// Idempotency-Key and token as its bearer token, each when not empty.
func Request(ctx context.Context, method, url, body, key, token string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// JSON is v as a request body.
func JSON(v any) string {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	return strings.TrimSpace(b.String())
}
