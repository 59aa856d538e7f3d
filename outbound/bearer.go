package outbound

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// Bearer's defaults, and the longest TTLSeconds: a token is made for one
// delivery, and lives no longer than a day.
const (
	DefaultExpiryClaim = "exp"
	DefaultTokenTTL    = 300 * time.Second
	MaxTokenTTL        = 24 * time.Hour
)

// joseHeader is every bearer token's JOSE header, byte for byte: the ESPF
// brief's tokens carry no "typ", which golang-jwt's NewWithClaims adds.
const joseHeader = `{"alg":"HS256"}`

// validateBearer checks bearer's claims (a JSON object of distinct names,
// the expiry claim not among them), expiry claim name, TTL and key. The
// key may be short: RFC 7518 §3.2 asks for 32 bytes, but the ESPF brief's
// own example signs with "superkey".
func (a Auth) validateBearer() []error {
	var errs []error
	names, err := claimNames(a.Claims)
	if err != nil {
		errs = append(errs, fieldError("claims", "%s", err))
	}
	expiry := a.expiryClaim()
	if !utf8.ValidString(expiry) {
		errs = append(errs, fieldError("expiry_claim", "is not valid UTF-8"))
	} else if slices.Contains(names, expiry) {
		errs = append(errs, fieldError("claims", "has %q, the expiry claim, which each token sets", expiry))
	}
	if a.TTLSeconds < 0 || a.TTLSeconds > int64(MaxTokenTTL/time.Second) {
		errs = append(errs, fieldError("ttl_seconds", "is %d; want 1 to %d, or 0 for %d",
			a.TTLSeconds, int64(MaxTokenTTL/time.Second), int64(DefaultTokenTTL/time.Second)))
	}
	if err := required("secret", string(a.Secret)); err != nil {
		errs = append(errs, err)
	}
	return errs
}

func (a Auth) expiryClaim() string {
	if a.ExpiryClaim == "" {
		return DefaultExpiryClaim
	}
	return a.ExpiryClaim
}

func (a Auth) ttlSeconds() int64 {
	if a.TTLSeconds == 0 {
		return int64(DefaultTokenTTL / time.Second)
	}
	return a.TTLSeconds
}

// bearerToken is a JWS compact serialisation (RFC 7515 §7.1) of the JOSE
// header and bearerPayload, MACed with HS256 (RFC 7518 §3.2) by golang-jwt.
// The segments are built here, not by jwt.Token, which would add "typ" and
// marshal map claims in sorted order: the bytes must be the ESPF brief's.
func (a Auth) bearerToken(now time.Time) (string, error) {
	payload, err := a.bearerPayload(now)
	if err != nil {
		return "", err
	}
	unsigned := segment([]byte(joseHeader)) + "." + segment(payload)
	mac, err := jwt.SigningMethodHS256.Sign(unsigned, []byte(a.Secret))
	if err != nil {
		return "", err
	}
	return unsigned + "." + segment(mac), nil
}

// segment is base64url without padding (RFC 7515 §2).
func segment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// bearerPayload is the configured claims, compacted, in their order, with
// the expiry claim last: now plus the TTL, in Unix seconds.
func (a Auth) bearerPayload(now time.Time) ([]byte, error) {
	var claims bytes.Buffer
	if isJSONNull(a.Claims) {
		claims.WriteString("{}")
	} else if err := json.Compact(&claims, a.Claims); err != nil {
		return nil, err
	}
	name, err := json.Marshal(a.expiryClaim())
	if err != nil {
		return nil, err
	}
	payload := bytes.TrimSuffix(claims.Bytes(), []byte("}"))
	if len(payload) > len("{") {
		payload = append(payload, ',')
	}
	payload = append(payload, name...)
	payload = append(payload, ':')
	payload = strconv.AppendInt(payload, now.Unix()+a.ttlSeconds(), 10)
	return append(payload, '}'), nil
}

// claimNames are the member names of a JSON object, in order; empty or
// null claims have none. Anything but an object of distinct names is an
// error.
func claimNames(claims json.RawMessage) ([]string, error) {
	if isJSONNull(claims) {
		return nil, nil
	}
	if !json.Valid(claims) {
		return nil, errors.New("is not valid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(claims))
	if open, _ := dec.Token(); open != json.Delim('{') {
		return nil, errors.New("is not a JSON object")
	}
	var names []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := key.(string) // valid JSON: a member name
		if slices.Contains(names, name) {
			return nil, fmt.Errorf("has %q twice", name)
		}
		names = append(names, name)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// isJSONNull reports whether raw holds no value: empty, or null.
func isJSONNull(raw json.RawMessage) bool {
	trimmed := bytes.TrimSpace(raw)
	return len(trimmed) == 0 || string(trimmed) == "null"
}
