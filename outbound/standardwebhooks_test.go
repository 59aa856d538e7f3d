package outbound

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The reference library's own signing vector (libraries/go/webhook_test.go,
// TestWebhookSign).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignHeadersKnownVector(t *testing.T) {
	h := http.Header{}
	if err := SignHeaders(h, [][]byte{mustParseSecret(t, vectorSecret)}, vectorMsgID, time.Unix(vectorTimestamp, 0), []byte(vectorBody)); err != nil {
		t.Fatal(err)
	}
	want := http.Header{
		"Webhook-Id":        {vectorMsgID},
		"Webhook-Timestamp": {"1614265330"},
		"Webhook-Signature": {vectorSignature},
	}
	checkHeaders(t, h, want)
}

// TestSignHeadersReferenceVerifier has each delivery checked by the
// Standard Webhooks reference library, as a receiver would: Verify
// enforces its five-minute tolerance against the real clock.
func TestSignHeadersReferenceVerifier(t *testing.T) {
	oldSecret, newSecret, otherSecret := NewSecret(), NewSecret(), NewSecret()
	body := []byte(`{"type":"invoice.paid","timestamp":"2026-03-01T10:00:00Z","data":{"id":"inv_42"}}`)
	now := time.Now()
	tests := []struct {
		name     string
		signWith []string // secrets, newest first
		at       time.Time
		receiver string
		tamper   func(h http.Header, body []byte) []byte
		want     error // nil accepts
	}{
		{"one secret", []string{newSecret}, now, newSecret, nil, nil},
		{"rotation, receiver knows only the old secret", []string{newSecret, oldSecret}, now, oldSecret, nil, nil},
		{"rotation, receiver knows the new secret", []string{newSecret, oldSecret}, now, newSecret, nil, nil},
		{"a minute old", []string{newSecret}, now.Add(-time.Minute), newSecret, nil, nil},

		{"rotation, receiver knows neither", []string{newSecret, oldSecret}, now, otherSecret, nil, standardwebhooks.ErrNoMatchingSignature},
		{"tampered body", []string{newSecret}, now, newSecret,
			func(_ http.Header, body []byte) []byte {
				return bytes.Replace(body, []byte("inv_42"), []byte("inv_43"), 1)
			},
			standardwebhooks.ErrNoMatchingSignature},
		{"body with a trailing newline", []string{newSecret}, now, newSecret,
			func(_ http.Header, body []byte) []byte { return append(bytes.Clone(body), '\n') },
			standardwebhooks.ErrNoMatchingSignature},
		{"another message id", []string{newSecret}, now, newSecret,
			func(h http.Header, body []byte) []byte { h.Set(HeaderWebhookID, "msg_other"); return body },
			standardwebhooks.ErrNoMatchingSignature},
		{"a timestamp moved by a second", []string{newSecret}, now, newSecret,
			func(h http.Header, body []byte) []byte {
				h.Set(HeaderWebhookTimestamp, timestampOf(now.Add(time.Second)))
				return body
			},
			standardwebhooks.ErrNoMatchingSignature},
		{"ten minutes old", []string{newSecret}, now.Add(-10 * time.Minute), newSecret, nil, standardwebhooks.ErrMessageTooOld},
		{"ten minutes ahead", []string{newSecret}, now.Add(10 * time.Minute), newSecret, nil, standardwebhooks.ErrMessageTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := make([][]byte, len(tt.signWith))
			for i, s := range tt.signWith {
				keys[i] = mustParseSecret(t, s)
			}
			h := http.Header{}
			if err := SignHeaders(h, keys, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", tt.at, body); err != nil {
				t.Fatal(err)
			}
			if n := len(strings.Fields(h.Get(HeaderWebhookSignature))); n != len(keys) {
				t.Fatalf("%d signatures for %d secrets", n, len(keys))
			}
			received := body
			if tt.tamper != nil {
				received = tt.tamper(h, body)
			}
			receiver, err := standardwebhooks.NewWebhook(tt.receiver)
			if err != nil {
				t.Fatal(err)
			}
			if err := receiver.Verify(received, h); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Errorf("Verify() = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignHeadersNewestFirst(t *testing.T) {
	newest, older := mustParseSecret(t, NewSecret()), mustParseSecret(t, NewSecret())
	at := time.Unix(vectorTimestamp, 0)
	h := http.Header{}
	if err := SignHeaders(h, [][]byte{newest, older}, vectorMsgID, at, nil); err != nil {
		t.Fatal(err)
	}
	signatures := strings.Split(h.Get(HeaderWebhookSignature), " ")
	for i, key := range [][]byte{newest, older} {
		reference, _ := standardwebhooks.NewWebhookRaw(key)
		if want, _ := reference.Sign(vectorMsgID, at, nil); signatures[i] != want {
			t.Errorf("signature %d = %q, want %q", i+1, signatures[i], want)
		}
	}
}

func TestSignHeadersRefuses(t *testing.T) {
	key := mustParseSecret(t, vectorSecret)
	tests := []struct {
		name    string
		secrets [][]byte
		msgID   string
		problem string
	}{
		{"no secret", nil, vectorMsgID, "no secret to sign with"},
		{"an empty key", [][]byte{key, {}}, vectorMsgID, "secret 2 of 2: invalid Standard Webhooks secret: it has 0 bytes"},
		{"a 23-byte key", [][]byte{key[:23]}, vectorMsgID, "secret 1 of 1: invalid Standard Webhooks secret: it has 23 bytes"},
		{"a 65-byte key", [][]byte{bytes.Repeat([]byte{1}, 65)}, vectorMsgID, "it has 65 bytes, want 24 to 64"},
		{"empty message id", [][]byte{key}, "", "message id is empty"},
		{"message id with a full stop", [][]byte{key}, "msg.1", `holds '.'`},
		{"message id with a space", [][]byte{key}, "msg 1", `holds ' '`},
		{"message id with a line break", [][]byte{key}, "msg_1\r\nX-Evil: 1", `holds '\r'`},
		{"message id with non-ASCII", [][]byte{key}, "msg_é", "want printable ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}}
			err := SignHeaders(h, tt.secrets, tt.msgID, time.Unix(vectorTimestamp, 0), []byte("{}"))
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("SignHeaders() = %v, want an error saying %q", err, tt.problem)
			}
			checkHeaders(t, h, http.Header{"Content-Type": {"application/json"}})
		})
	}
}

func mustParseSecret(t *testing.T, s string) []byte {
	t.Helper()
	key, err := ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
