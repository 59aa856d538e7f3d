package sandbox

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// The worked example of docs/gateways.md; the signature was also checked with
//
//	printf '%s' "1767225600.$body" | openssl dgst -sha256 -hmac whsec_test
const (
	exampleBody = `{"id":"evt_sbx_4b8e1d2c-5f3a-4c1e-9a7b-2d6f8e0c1a3b","type":"charge.succeeded",` +
		`"reference":"sbx_4b8e1d2c-5f3a-4c1e-9a7b-2d6f8e0c1a3b","idempotencyKey":"0190a5b2-7c1e-7d3a-9f00-1234567890ab/1",` +
		`"created":"2026-01-01T00:00:00Z"}`
	exampleHeader = "t=1767225600,v1=053caaa921f9901ad44d18bc930d18756a8894e9b76116c1f484d03c5317e3d6"
)

func TestSignExample(t *testing.T) {
	if got := Sign(secret, t0, []byte(exampleBody)); got != exampleHeader {
		t.Errorf("Sign(%q, %v, example) = %q, want %q", secret, t0, got, exampleHeader)
	}
	e, err := ParseWebhook(secret, exampleHeader, []byte(exampleBody), t0)
	want := Event{
		ID: "evt_sbx_4b8e1d2c-5f3a-4c1e-9a7b-2d6f8e0c1a3b", Type: EventChargeSucceeded,
		Reference: "sbx_4b8e1d2c-5f3a-4c1e-9a7b-2d6f8e0c1a3b", IdempotencyKey: "0190a5b2-7c1e-7d3a-9f00-1234567890ab/1", Created: t0,
	}
	if err != nil || e != want {
		t.Errorf("ParseWebhook(example) = %+v, %v, want %+v, nil", e, err, want)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	good := Sign(secret, t0, body)
	goodV1 := strings.TrimPrefix(good, "t=1767225600,")
	otherV1 := strings.TrimPrefix(Sign([]byte("old secret"), t0, body), "t=1767225600,")
	tests := []struct {
		name   string
		secret []byte
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"round trip", secret, good, string(body), t0, nil},
		{"empty body", secret, Sign(secret, t0, nil), "", t0, nil},
		{"299 s old", secret, good, string(body), t0.Add(299 * time.Second), nil},
		{"300 s old", secret, good, string(body), t0.Add(300 * time.Second), nil},
		{"300 s ahead", secret, good, string(body), t0.Add(-300 * time.Second), nil},
		{"301 s old", secret, good, string(body), t0.Add(301 * time.Second), ErrTimestampTolerance},
		{"301 s ahead", secret, good, string(body), t0.Add(-301 * time.Second), ErrTimestampTolerance},
		{"a day old", secret, good, string(body), t0.Add(24 * time.Hour), ErrTimestampTolerance},
		{"tampered body", secret, good, `{"id":"evt_2"}`, t0, ErrSignatureMismatch},
		{"body with a trailing newline", secret, good, string(body) + "\n", t0, ErrSignatureMismatch},
		{"wrong secret", []byte("whsec_other"), good, string(body), t0, ErrSignatureMismatch},
		{"tampered timestamp", secret, "t=1767225601," + goodV1, string(body), t0, ErrSignatureMismatch},
		{"timestamp with a leading zero", secret, "t=01767225600," + goodV1, string(body), t0, ErrSignatureMismatch},
		{"rotation: old then new", secret, "t=1767225600," + otherV1 + "," + goodV1, string(body), t0, nil},
		{"rotation: new then old", secret, "t=1767225600," + goodV1 + "," + otherV1, string(body), t0, nil},
		{"rotation: old secret only", secret, "t=1767225600," + otherV1, string(body), t0, ErrSignatureMismatch},
		{"upper-case hex", secret, "t=1767225600," + strings.Replace(strings.ToUpper(goodV1), "V1=", "v1=", 1), string(body), t0, nil},
		{"V1 is not v1", secret, "t=1767225600," + strings.ToUpper(goodV1), string(body), t0, ErrMalformedSignature},
		{"v1 before t", secret, goodV1 + ",t=1767225600", string(body), t0, nil},
		{"spaces and other schemes", secret, " t=1767225600 , v0=abc, " + goodV1, string(body), t0, nil},
		{"empty", secret, "", string(body), t0, ErrMalformedSignature},
		{"no t", secret, goodV1, string(body), t0, ErrMalformedSignature},
		{"no v1", secret, "t=1767225600", string(body), t0, ErrMalformedSignature},
		{"two t", secret, "t=1767225600,t=1767225600," + goodV1, string(body), t0, ErrMalformedSignature},
		{"empty t", secret, "t=," + goodV1, string(body), t0, ErrMalformedSignature},
		{"negative t", secret, "t=-1," + goodV1, string(body), t0, ErrMalformedSignature},
		{"t with +", secret, "t=+1767225600," + goodV1, string(body), t0, ErrMalformedSignature},
		{"t in milliseconds", secret, "t=1767225600000," + goodV1, string(body), t0, ErrSignatureMismatch},
		{"t of 19 digits", secret, "t=1234567890123456789," + goodV1, string(body), t0, ErrMalformedSignature},
		{"t as a date", secret, "t=2026-01-01," + goodV1, string(body), t0, ErrMalformedSignature},
		{"v1 not hex", secret, "t=1767225600,v1=" + strings.Repeat("zz", 32), string(body), t0, ErrMalformedSignature},
		{"v1 too short", secret, "t=1767225600,v1=abcd", string(body), t0, ErrMalformedSignature},
		{"v1 empty", secret, "t=1767225600,v1=", string(body), t0, ErrMalformedSignature},
		{"element without =", secret, good + ",junk", string(body), t0, ErrMalformedSignature},
		{"semicolons", secret, strings.ReplaceAll(good, ",", ";"), string(body), t0, ErrMalformedSignature},
		{"trailing comma", secret, good + ",", string(body), t0, ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, []byte(tt.body), tt.now, 300*time.Second)
			if (tt.want == nil) != (err == nil) || !errors.Is(err, tt.want) {
				t.Errorf("Verify(%q, %q, %q, %v) = %v, want %v", tt.secret, tt.header, tt.body, tt.now, err, tt.want)
			}
		})
	}
}

func TestVerifyTolerance(t *testing.T) {
	body := []byte("x")
	header := Sign(secret, t0, body)
	tests := []struct {
		age       time.Duration
		tolerance time.Duration
		want      error
	}{
		{10 * time.Minute, 0, ErrTimestampTolerance}, // 0 means the default, 300 s
		{5 * time.Minute, -1, nil},
		{10 * time.Minute, time.Hour, nil},
		{2 * time.Second, time.Second, ErrTimestampTolerance},
	}
	for _, tt := range tests {
		if err := Verify(secret, header, body, t0.Add(tt.age), tt.tolerance); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("Verify(%v old, tolerance %v) = %v, want %v", tt.age, tt.tolerance, err, tt.want)
		}
	}
	// A signature from the far future or past reports, and does not overflow.
	far := "t=999999999999999999," + strings.SplitN(Sign(secret, time.Unix(999999999999999999, 0), body), ",", 2)[1]
	if err := Verify(secret, far, body, t0, 0); !errors.Is(err, ErrTimestampTolerance) || !strings.Contains(err.Error(), "centuries") {
		t.Errorf("Verify(t=999999999999999999) = %v, want ErrTimestampTolerance, centuries", err)
	}
}

func TestParseWebhook(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string // empty means success
	}{
		{"succeeded", `{"id":"e","type":"charge.succeeded","reference":"r","idempotencyKey":"k","created":"2026-01-01T00:00:00Z"}`, ""},
		{"declined", `{"id":"e","type":"charge.declined","reference":"r","idempotencyKey":"k","declineCode":"approval_declined"}`, ""},
		{"unknown fields", `{"id":"e","type":"charge.succeeded","reference":"r","idempotencyKey":"k","livemode":false}`, ""},
		{"declined without a code", `{"id":"e","type":"charge.declined","reference":"r","idempotencyKey":"k"}`, "declineCode"},
		{"no id", `{"type":"charge.succeeded","reference":"r","idempotencyKey":"k"}`, "no id"},
		{"unknown type", `{"id":"e","type":"charge.refunded","reference":"r","idempotencyKey":"k"}`, "unknown type"},
		{"no reference", `{"id":"e","type":"charge.succeeded","idempotencyKey":"k"}`, "no reference"},
		{"no key", `{"id":"e","type":"charge.succeeded","reference":"r"}`, "no idempotencyKey"},
		{"not JSON", `id=e`, "invalid character"},
		{"two objects", `{"id":"e"} {}`, "invalid character"},
		{"bad created", `{"id":"e","type":"charge.succeeded","reference":"r","idempotencyKey":"k","created":"yesterday"}`, "cannot parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			e, err := ParseWebhook(secret, Sign(secret, t0, body), body, t0)
			if tt.wantErr == "" {
				if err != nil || e.ID != "e" {
					t.Errorf("ParseWebhook(%s) = %+v, %v, want the event", tt.body, e, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || e != (Event{}) {
				t.Errorf("ParseWebhook(%s) = %+v, %v, want an error containing %q", tt.body, e, err, tt.wantErr)
			}
		})
	}
	body := []byte(exampleBody)
	if _, err := ParseWebhook([]byte("other"), exampleHeader, body, t0); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("ParseWebhook(wrong secret) = %v, want ErrSignatureMismatch", err)
	}
	if _, err := ParseWebhook(secret, exampleHeader, body, t0.Add(time.Hour)); !errors.Is(err, ErrTimestampTolerance) {
		t.Errorf("ParseWebhook(an hour late) = %v, want ErrTimestampTolerance", err)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(exampleHeader, []byte(exampleBody), int64(0))
	f.Add("t=1767225600,v1=00,v1="+strings.Repeat("a", 64), []byte("{}"), int64(-400))
	f.Add(strings.ToUpper(exampleHeader), []byte(exampleBody), int64(0))
	f.Add("t=1767225600,v1=053CAAA921f9901Ad44d18BC930d18756A8894e9B76116C1f484d03C5317e3d6", []byte(exampleBody), int64(0))
	f.Add("t=,v1=", []byte(nil), int64(0))
	f.Add(",,,=,t==", []byte("x"), int64(1<<40))
	f.Add("t=999999999999999999,v1="+strings.Repeat("f", 64), []byte("x"), int64(0))
	f.Fuzz(func(t *testing.T, header string, body []byte, skew int64) {
		now := t0.Add(time.Duration(skew) * time.Second)
		if Verify(secret, header, body, now, DefaultTolerance) == nil {
			ts, _, err := parseSignature(header)
			if err != nil || !strings.Contains(strings.ToLower(header), "v1="+hex.EncodeToString(mac(secret, ts, body))) {
				t.Errorf("Verify(%q, %q) = nil, but the header holds no valid signature", header, body)
			}
		}
		// Whatever the body, what Sign makes, Verify accepts (from 1970 on).
		if now.Unix() >= 0 {
			if err := Verify(secret, Sign(secret, now, body), body, now, DefaultTolerance); err != nil {
				t.Errorf("Verify(Sign(%q)) = %v, want nil", body, err)
			}
		}
	})
}
