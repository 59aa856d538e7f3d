package paypal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenMargin is how long before its announced expiry an access token is
// replaced, so that a call never starts with a token about to lapse. A
// token shorter-lived than twice the margin is replaced at half its life.
const tokenMargin = 5 * time.Minute

// accessToken is the account's OAuth 2.0 access token (client credentials
// grant, POST /v1/oauth2/token, the tokenUrl of every spec's Oauth2
// security scheme), fetched when there is none, when it is about to expire,
// or when it is stale: the token a call was refused with (HTTP 401).
func (a *api) accessToken(ctx context.Context, stale string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if a.token != "" && a.token != stale && now.Before(a.expires) {
		return a.token, nil
	}
	a.token = ""
	tok, ttl, err := a.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	margin := min(tokenMargin, ttl/2)
	a.token, a.expires = tok, now.Add(ttl-margin)
	return tok, nil
}

// fetchToken asks for a token with the account's client ID and secret
// (HTTP Basic) and grant_type=client_credentials.
func (a *api) fetchToken(ctx context.Context) (string, time.Duration, error) {
	const op = "oauth2.token"
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/v1/oauth2/token", strings.NewReader(form))
	if err != nil {
		return "", 0, permanent(fmt.Errorf("%s: %w", op, err))
	}
	req.SetBasicAuth(a.creds.clientID, a.creds.clientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	status, body, err := a.roundTrip(req)
	if err != nil {
		return "", 0, transient(fmt.Errorf("%s: %w", op, err))
	}
	if status != http.StatusOK {
		se := &statusError{op: op, status: status}
		_ = json.Unmarshal(body, &se.body)
		if retryable(status) {
			return "", 0, transient(se)
		}
		// 401 invalid_client: the client ID or secret is wrong.
		return "", 0, permanent(fmt.Errorf("PayPal refused the account's client credentials: %w", se))
	}
	var t tokenResponse
	if err := json.Unmarshal(body, &t); err != nil {
		return "", 0, transient(fmt.Errorf("%s: decode answer: %w", op, err))
	}
	if t.AccessToken == "" || !strings.EqualFold(t.TokenType, "Bearer") {
		return "", 0, transient(errors.New(op + ": the answer holds no bearer access token"))
	}
	return t.AccessToken, time.Duration(t.ExpiresIn) * time.Second, nil
}
