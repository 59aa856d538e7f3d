package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/billgate/billgate/internal/apicall"
)

// client calls billgate as a careful API client does: every create carries
// an Idempotency-Key, and a request that failed in transit, or answered a
// 5xx, or found its key still held by a first try that never answered, is
// sent again with the same key until billgate gives an answer.
type client struct {
	base    string
	http    *http.Client
	token   string
	retries *atomic.Int64
}

// newHTTPClient is a client's connection to billgate: it keeps its cookies
// and sees a redirect as the answer it is, as an API client does.
func newHTTPClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// answer is what billgate said: its status and envelope.
type answer struct {
	Status int
	Result map[string]any
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	// Results and Next are a list's page and the cursor of the next.
	Results []map[string]any
	Next    string
}

func (a answer) id() string {
	id, _ := a.Result["id"].(string)
	return id
}

func (a answer) String() string {
	if len(a.Errors) > 0 {
		return fmt.Sprintf("%d %s: %s", a.Status, a.Errors[0].Code, a.Errors[0].Message)
	}
	return fmt.Sprintf("%d %s", a.Status, a.id())
}

// retryable tells whether a client should send the request again, with
// the same key: billgate did not decide it.
func (a answer) retryable() bool {
	if a.Status >= 500 || a.Status == http.StatusTooManyRequests {
		return true
	}
	return a.Status == http.StatusConflict && len(a.Errors) > 0 && a.Errors[0].Code == "IDEMPOTENCY_KEY_IN_PROGRESS"
}

// call sends a request until billgate answers it, or ctx ends. An empty
// key sends none (reads).
func (c *client) call(ctx context.Context, method, path, body, key string) (answer, error) {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		a, err := c.once(ctx, method, path, body, key)
		if err == nil && !a.retryable() {
			return a, nil
		}
		c.retries.Add(1)
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("%s", a)
			}
			return a, fmt.Errorf("%s %s: no answer before the deadline: %w", method, path, err)
		case <-time.After(wait):
		}
	}
}

func (c *client) once(ctx context.Context, method, path, body, key string) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = c.base + path
	}
	req, err := apicall.Request(ctx, method, target, body, key, c.token)
	if err != nil {
		return answer{}, err
	}
	return c.do(req)
}

func (c *client) do(req *http.Request) (answer, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{Status: resp.StatusCode}
	if resp.StatusCode == http.StatusSeeOther {
		return a, nil
	}
	var envelope struct {
		Result  json.RawMessage  `json:"result"`
		Results []map[string]any `json:"results"`
		Errors  json.RawMessage  `json:"errors"`
		Meta    struct {
			NextCursor string `json:"nextCursor"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(raw, &envelope); err != nil {
		// A proxy's 502 while a replica restarts is not billgate's envelope.
		if resp.StatusCode >= 500 {
			return a, nil
		}
		return a, fmt.Errorf("%s %s: %d and no envelope: %.200s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	a.Results, a.Next = envelope.Results, envelope.Meta.NextCursor
	_ = json.Unmarshal(envelope.Result, &a.Result)
	_ = json.Unmarshal(envelope.Errors, &a.Errors)
	return a, nil
}

// approve decides an async charge on the sandbox's approval page, as its
// payer would, until the page takes the decision: the same decision again
// is taken again.
func (c *client) approve(ctx context.Context, approvalURL string) error {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, approvalURL, strings.NewReader(url.Values{"decision": {"approve"}}.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		a, err := c.do(req)
		if err == nil && a.Status == http.StatusSeeOther {
			return nil
		}
		if err == nil && a.Status < 500 {
			return fmt.Errorf("approve %s: %s", approvalURL, a)
		}
		c.retries.Add(1)
		select {
		case <-ctx.Done():
			return fmt.Errorf("approve %s: no answer before the deadline", approvalURL)
		case <-time.After(wait):
		}
	}
}

// list reads every page of a list.
func (c *client) list(ctx context.Context, path string) ([]map[string]any, error) {
	return apicall.EveryPage(path, func(page string) ([]map[string]any, string, error) {
		a, err := c.call(ctx, http.MethodGet, page, "", "")
		if err == nil && a.Status != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", page, a)
		}
		return a.Results, a.Next, err
	})
}
