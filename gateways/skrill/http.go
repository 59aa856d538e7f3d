package skrill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/billgate/billgate/gateways"
)

// maxAnswer bounds what is read of an answer: Skrill's are a few hundred
// bytes.
const maxAnswer = 1 << 20

// errNoAnswer marks a request whose outcome is unknown: it may have reached
// Skrill and been carried out.
var errNoAnswer = errors.New("no answer from Skrill")

// post sends form to endpoint as application/x-www-form-urlencoded, as every
// Skrill interface takes it, and returns the answer's body. A lost
// connection, a timeout, a 5xx, a 408 or a 429 is transient (wrapping
// errNoAnswer); any other status but 2xx is permanent.
func (g *Gateway) post(ctx context.Context, endpoint string, form url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, gateways.Permanent(Kind, fmt.Errorf("request %s: %w", endpoint, err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := g.http.Do(req)
	if err != nil {
		return nil, gateways.Transient(Kind, fmt.Errorf("%w to POST %s: %w", errNoAnswer, endpoint, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, gateways.Transient(Kind, fmt.Errorf("%w to POST %s: reading the answer: %w", errNoAnswer, endpoint, err))
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return body, nil
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return nil, gateways.Transient(Kind, fmt.Errorf("%w to POST %s: HTTP %d: %s", errNoAnswer, endpoint, resp.StatusCode, errorText(body)))
	}
	return nil, gateways.Permanent(Kind, fmt.Errorf("POST %s: HTTP %d: %s", endpoint, resp.StatusCode, errorText(body)))
}

// errorText is what an error answer says: Quick Checkout's JSON
// {"code","message"}, or the start of any other body.
func errorText(body []byte) string {
	var e struct{ Code, Message string }
	if json.Unmarshal(body, &e) == nil && (e.Code != "" || e.Message != "") {
		return strings.TrimSpace(e.Code + " " + e.Message)
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "empty answer"
	}
	return s
}
