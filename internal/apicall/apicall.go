// Package apicall builds the requests billgate's own load and chaos runs
// send its API, as a client would: a JSON body, an Idempotency-Key, a
// bearer token; and it reads a list across its pages.
package apicall

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
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

// EveryPage reads every page of the list at path (which may hold a query
// already), 200 items a page: get fetches the page at its path and returns
// its items and the cursor of the next page, empty on the last.
func EveryPage[T any](path string, get func(page string) (items []T, next string, err error)) ([]T, error) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var all []T
	for cursor := ""; ; {
		page := path + sep + "limit=200"
		if cursor != "" {
			page += "&cursor=" + url.QueryEscape(cursor)
		}
		items, next, err := get(page)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}
