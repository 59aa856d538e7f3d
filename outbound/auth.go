package outbound

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Scheme names an ESPF authentication scheme, as stored.
type Scheme string

// The ESPF schemes (PortaBilling's external system provisioning
// framework). SchemeNone, the zero value, sends no Authorization header.
const (
	SchemeNone      Scheme = ""
	SchemeBasic     Scheme = "basic"
	SchemeCustom    Scheme = "custom"
	SchemeSignature Scheme = "signature"
	SchemeBearer    Scheme = "bearer"
)

// Secret is a credential: the caller seals it at rest. It prints as
// "[redacted]" with fmt's verbs, and marshals to JSON as the plain string,
// for the storage that seals it.
type Secret string

// String hides the secret from fmt's %v and %s.
func (Secret) String() string { return "[redacted]" }

// GoString hides the secret from fmt's %#v.
func (Secret) GoString() string { return `"[redacted]"` }

// Auth is how an endpoint asks billgate's deliveries to authenticate: one
// ESPF scheme, the fields it uses, and nothing else. Secret is its only
// secret field; Redacted clears it for display.
type Auth struct {
	Scheme Scheme `json:"scheme,omitempty"`

	// User is basic's user-id.
	User string `json:"user,omitempty"`
	// Name is custom's scheme name, as in "Plain passexample".
	Name string `json:"name,omitempty"`
	// KeyID and Algorithm (hmac-sha1 or hmac-sha256) are signature's.
	KeyID     string `json:"key_id,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
	// Claims, ExpiryClaim and TTLSeconds are bearer's: Claims is a JSON
	// object whose members every token carries, in their order; the token
	// adds ExpiryClaim ("exp" when empty) set to TTLSeconds (300 when 0)
	// after the time of signing.
	Claims      json.RawMessage `json:"claims,omitempty"`
	ExpiryClaim string          `json:"expiry_claim,omitempty"`
	TTLSeconds  int64           `json:"ttl_seconds,omitempty"`

	// Secret is basic's password, custom's credentials, and signature's and
	// bearer's HMAC key.
	Secret Secret `json:"secret,omitempty"`
}

// FieldError is what is wrong with one field of an Auth, the field named
// as in JSON. Problem never quotes the secret.
type FieldError struct {
	Field   string
	Problem string
}

// Error is "auth: <field> <problem>".
func (e *FieldError) Error() string { return "auth: " + e.Field + " " + e.Problem }

func fieldError(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// schemeFields are the fields each scheme uses; a scheme that is not here
// is unknown.
var schemeFields = map[Scheme][]string{
	SchemeNone:      nil,
	SchemeBasic:     {"user", "secret"},
	SchemeCustom:    {"name", "secret"},
	SchemeSignature: {"key_id", "algorithm", "secret"},
	SchemeBearer:    {"claims", "expiry_claim", "ttl_seconds", "secret"},
}

// Validate reports every problem of a, each a *FieldError (joined by
// errors.Join): an unknown scheme, a field the scheme needs and lacks or
// that is malformed, and a field set that the scheme does not use.
func (a Auth) Validate() error {
	used, known := schemeFields[a.Scheme]
	if !known {
		return fieldError("scheme", "is %q; want basic, custom, signature, bearer, or empty for none", a.Scheme)
	}
	var errs []error
	for _, field := range a.setFields() {
		if !slices.Contains(used, field) {
			errs = append(errs, fieldError(field, "is not used by scheme %s", a.schemeName()))
		}
	}
	switch a.Scheme {
	case SchemeBasic:
		errs = append(errs, a.validateBasic()...)
	case SchemeCustom:
		errs = append(errs, a.validateCustom()...)
	case SchemeSignature:
		errs = append(errs, a.validateSignature()...)
	case SchemeBearer:
		errs = append(errs, a.validateBearer()...)
	}
	return errors.Join(errs...)
}

// setFields names a's non-zero fields, Scheme aside.
func (a Auth) setFields() []string {
	fields := []struct {
		name string
		set  bool
	}{
		{"user", a.User != ""},
		{"name", a.Name != ""},
		{"key_id", a.KeyID != ""},
		{"algorithm", a.Algorithm != ""},
		{"claims", !isJSONNull(a.Claims)},
		{"expiry_claim", a.ExpiryClaim != ""},
		{"ttl_seconds", a.TTLSeconds != 0},
		{"secret", a.Secret != ""},
	}
	var names []string
	for _, f := range fields {
		if f.set {
			names = append(names, f.name)
		}
	}
	return names
}

func (a Auth) schemeName() string {
	if a.Scheme == SchemeNone {
		return "none"
	}
	return string(a.Scheme)
}

// Redacted is a without its secret, for display.
func (a Auth) Redacted() Auth {
	a.Claims = slices.Clone(a.Claims)
	a.Secret = ""
	return a
}

// Authorize sets the Authorization header of a delivery made at now (and,
// for signature, its Date header), after validating a; SchemeNone sets
// nothing. On error h is unchanged.
func (a Auth) Authorize(h http.Header, now time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	switch a.Scheme {
	case SchemeBasic:
		h.Set("Authorization", a.basicAuthorization())
	case SchemeCustom:
		h.Set("Authorization", a.customAuthorization())
	case SchemeSignature:
		date, authorization, err := a.signatureHeaders(now)
		if err != nil {
			return err
		}
		h.Set("Date", date)
		h.Set("Authorization", authorization)
	case SchemeBearer:
		token, err := a.bearerToken(now)
		if err != nil {
			return err
		}
		h.Set("Authorization", "Bearer "+token)
	}
	return nil
}

// required is the error of a required field left empty, or nil.
func required(field, value string) error {
	if value == "" {
		return fieldError(field, "is required")
	}
	return nil
}
