package paypaltest

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"
)

// tokenJSON is the token endpoint's answer.
type tokenJSON struct {
	Scope       string `json:"scope"`
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	AppID       string `json:"app_id"`
	ExpiresIn   int64  `json:"expires_in"`
	Nonce       string `json:"nonce"`
}

// scopes are the Oauth2 scopes the specs' operations ask for.
var scopes = strings.Join([]string{
	"https://uri.paypal.com/services/payments/payment",
	"https://uri.paypal.com/services/payments/refund",
	"https://uri.paypal.com/services/payments/orders/client-side-integration",
	"https://uri.paypal.com/services/vault/payment-tokens/readwrite",
}, " ")

// token is POST /v1/oauth2/token, the tokenUrl of the specs' Oauth2
// clientCredentials flow: HTTP Basic client ID and secret, a form with
// grant_type=client_credentials. Wrong credentials get 401 invalid_client.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		s.writeJSON(w, http.StatusUnauthorized, oauthError{Error: "invalid_client", ErrorDescription: "Client Authentication failed"})
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_request", ErrorDescription: "Content-Type must be application/x-www-form-urlencoded"})
		return
	}
	if gt := r.PostFormValue("grant_type"); gt != "client_credentials" {
		s.writeJSON(w, http.StatusBadRequest, oauthError{Error: "unsupported_grant_type", ErrorDescription: "Grant Type is not client_credentials"})
		return
	}
	s.mu.Lock()
	tok := "A21AA" + randomHex(32)
	s.tokens[tok] = s.now().Add(s.opts.TokenTTL)
	s.mu.Unlock()
	s.writeJSON(w, http.StatusOK, tokenJSON{
		Scope: scopes, AccessToken: tok, TokenType: "Bearer", AppID: "APP-80W284485P519543T",
		ExpiresIn: int64(s.opts.TokenTTL.Seconds()), Nonce: timestamp(s.now()) + randomHex(8),
	})
}
