package stripetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// validate sends the request to stripe-mock, which checks it against
// Stripe's OpenAPI specification (path, parameter names and types, the
// key's shape). Its refusal (a 4xx) is the answer; anything else lets the
// request through to stripetest's own handling. stripe-mock failing
// otherwise is stripetest's failure, an api_error.
func (s *Server) validate(hr *http.Request, body []byte) *response {
	req, err := http.NewRequestWithContext(hr.Context(), hr.Method, s.opts.StripeMock+hr.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return mockFailure(err)
	}
	for _, h := range []string{"Authorization", "Content-Type", "Stripe-Version", "Idempotency-Key", "User-Agent"} {
		if v := hr.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return mockFailure(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return mockFailure(err)
	case resp.StatusCode >= 500:
		return mockFailure(fmt.Errorf("HTTP %d: %s", resp.StatusCode, b))
	case resp.StatusCode >= 400:
		if !json.Valid(b) {
			return mockFailure(fmt.Errorf("HTTP %d with a body that is not JSON: %s", resp.StatusCode, b))
		}
		return &response{status: resp.StatusCode, body: json.RawMessage(b)}
	}
	return nil
}

func mockFailure(err error) *response {
	return &response{status: http.StatusInternalServerError, body: errorBody{&Error{Type: typeAPI, Message: "stripetest: validating with stripe-mock: " + err.Error()}}}
}
