package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the HTTP header that carries a webhook's signature.
const SignatureHeader = "Billgate-Signature"

// DefaultTolerance is how far a webhook's timestamp may be from the
// receiver's clock, either way.
const DefaultTolerance = 300 * time.Second

// Errors Verify returns (wrapped); test for them with errors.Is.
var (
	ErrMalformedSignature = errors.New("malformed signature header")
	ErrSignatureMismatch  = errors.New("no signature matches the body")
	ErrTimestampTolerance = errors.New("signature timestamp outside the tolerance")
)

// Sign returns the signature header value for body sent at t (after 1970):
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<unix seconds>." + body)>".
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a signature header made by Sign against body at time now. The
// header holds one t and one or more v1 signatures, so that a secret can be
// rotated: the sender signs with the old and the new secret while receivers
// move over, and any v1 matching secret is enough. Elements other than t and
// v1 are ignored. The timestamp may be at most tolerance away from now in
// either direction; tolerance ≤ 0 means DefaultTolerance.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, sigs, err := parseSignature(header)
	if err != nil {
		return err
	}
	want := mac(secret, ts, body)
	ok := false
	for _, sig := range sigs {
		ok = hmac.Equal(sig, want) || ok
	}
	if !ok {
		return ErrSignatureMismatch
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	sec, _ := strconv.ParseInt(ts, 10, 64) // parseSignature checked it
	// Compare in seconds: a time.Duration overflows for timestamps far away.
	if d := now.Unix() - sec; d > int64(tolerance/time.Second) || -d > int64(tolerance/time.Second) {
		return fmt.Errorf("%w: t=%s is %s from now, more than %s", ErrTimestampTolerance, ts, durationOrFar(d), tolerance)
	}
	return nil
}

func durationOrFar(sec int64) string {
	const maxSec = int64(1<<63-1) / int64(time.Second)
	if sec > maxSec || sec < -maxSec {
		return "centuries"
	}
	return (time.Duration(sec) * time.Second).String()
}

// parseSignature splits "t=<digits>,v1=<64 hex>[,v1=...]" into the timestamp
// as written and the decoded signatures.
func parseSignature(header string) (ts string, sigs [][]byte, err error) {
	malformed := func(why string) (string, [][]byte, error) {
		return "", nil, fmt.Errorf("%w: %s", ErrMalformedSignature, why)
	}
	if header == "" {
		return malformed("empty")
	}
	seenT := false
	for item := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return malformed(fmt.Sprintf("element %q is not key=value", item))
		}
		switch k {
		case "t":
			if seenT {
				return malformed("more than one t")
			}
			seenT = true
			if v == "" || len(v) > 18 || strings.Trim(v, "0123456789") != "" {
				return malformed(fmt.Sprintf("t=%q is not a Unix time in seconds", v))
			}
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return malformed(fmt.Sprintf("v1=%q is not %d hex digits", v, 2*sha256.Size))
			}
			sigs = append(sigs, sig)
		}
	}
	if !seenT {
		return malformed("no t")
	}
	if len(sigs) == 0 {
		return malformed("no v1")
	}
	return ts, sigs, nil
}

// The types of Event.
const (
	EventChargeSucceeded = "charge.succeeded"
	EventChargeDeclined  = "charge.declined"
)

// Event is the body of a sandbox webhook: the decision on a pending charge.
type Event struct {
	// ID is unique per event; receivers deduplicate by it. The sandbox sends
	// one event per charge, so a resent event keeps its ID.
	ID string `json:"id"`
	// Type is EventChargeSucceeded or EventChargeDeclined.
	Type string `json:"type"`
	// Reference is the charge's ChargeResult.Reference.
	Reference string `json:"reference"`
	// IdempotencyKey is the key of the charge's request.
	IdempotencyKey string `json:"idempotencyKey"`
	// DeclineCode says why, for EventChargeDeclined.
	DeclineCode string `json:"declineCode,omitempty"`
	// Created is when the decision was made.
	Created time.Time `json:"created"`
}

// Validate reports an event missing what a receiver needs.
func (e Event) Validate() error {
	switch {
	case e.ID == "":
		return errors.New("sandbox event: no id")
	case e.Type != EventChargeSucceeded && e.Type != EventChargeDeclined:
		return fmt.Errorf("sandbox event %s: unknown type %q", e.ID, e.Type)
	case e.Reference == "":
		return fmt.Errorf("sandbox event %s: no reference", e.ID)
	case e.IdempotencyKey == "":
		return fmt.Errorf("sandbox event %s: no idempotencyKey", e.ID)
	case e.Type == EventChargeDeclined && e.DeclineCode == "":
		return fmt.Errorf("sandbox event %s: declined without a declineCode", e.ID)
	}
	return nil
}

// ParseWebhook verifies a webhook's signature header (with DefaultTolerance)
// and decodes and validates its body, as POST /webhooks/sandbox needs.
func ParseWebhook(secret []byte, header string, body []byte, now time.Time) (Event, error) {
	if err := Verify(secret, header, body, now, DefaultTolerance); err != nil {
		return Event{}, err
	}
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return Event{}, fmt.Errorf("sandbox event: %w", err)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// ReadWebhook is ParseWebhook with the sandbox's own secret at its clock:
// how billgate reads a webhook that this sandbox sent it.
func (s *Sandbox) ReadWebhook(header string, body []byte) (Event, error) {
	return ParseWebhook(s.secret, header, body, s.clock())
}
