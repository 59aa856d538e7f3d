package outbound

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestNewSecret(t *testing.T) {
	first, second := NewSecret(), NewSecret()
	if first == second {
		t.Fatalf("NewSecret() returned %q twice", first)
	}
	key, err := ParseSecret(first)
	if err != nil {
		t.Fatalf("ParseSecret(NewSecret()) = %v", err)
	}
	if len(key) != 32 {
		t.Errorf("NewSecret() has %d bytes, want 32", len(key))
	}
	if _, err := standardwebhooks.NewWebhook(first); err != nil {
		t.Errorf("the reference library refuses NewSecret(): %v", err)
	}
}

func TestParseSecret(t *testing.T) {
	encode := func(n int) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, n)) }
	tests := []struct {
		name    string
		secret  string
		want    int    // key length when accepted
		problem string // "" accepts
	}{
		{"reference library's test secret, 24 bytes", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 24, ""},
		{"32 bytes, padded", SecretPrefix + encode(32), 32, ""},
		{"64 bytes", SecretPrefix + encode(64), 64, ""},
		{"25 bytes, two pad characters", SecretPrefix + encode(25), 25, ""},

		{"empty", "", 0, `does not start with "whsec_"`},
		{"no prefix", encode(32), 0, `does not start with "whsec_"`},
		{"upper-case prefix", "WHSEC_" + encode(32), 0, `does not start with "whsec_"`},
		{"asymmetric secret key prefix", "whsk_" + encode(32), 0, `does not start with "whsec_"`},
		{"prefix only", SecretPrefix, 0, "has 0 bytes, want 24 to 64"},
		{"23 bytes", SecretPrefix + encode(23), 0, "has 23 bytes, want 24 to 64"},
		{"65 bytes", SecretPrefix + encode(65), 0, "has 65 bytes, want 24 to 64"},
		{"padding dropped", SecretPrefix + strings.TrimRight(encode(32), "="), 0, "not padded standard base64"},
		{"URL-safe alphabet", SecretPrefix + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), 0, "not padded standard base64"},
		{"line break inside", SecretPrefix + encode(24)[:16] + "\n" + encode(24)[16:], 0, "not padded standard base64"},
		{"trailing line break", SecretPrefix + encode(24) + "\n", 0, "not padded standard base64"},
		{"unused bits set", SecretPrefix + encode(32)[:42] + "B=", 0, "not padded standard base64"},
		{"space after prefix", SecretPrefix + " " + encode(24), 0, "not padded standard base64"},
		{"punctuation", SecretPrefix + strings.Repeat("pass-word!", 4), 0, "not padded standard base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParseSecret(tt.secret)
			if tt.problem == "" {
				if err != nil || len(key) != tt.want {
					t.Fatalf("ParseSecret() = %d bytes, %v; want %d bytes", len(key), err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSecret) || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("ParseSecret() = %v, want ErrInvalidSecret saying %q", err, tt.problem)
			}
			if encoded := strings.TrimPrefix(tt.secret, SecretPrefix); len(encoded) > 8 && strings.Contains(err.Error(), encoded) {
				t.Errorf("the error %q quotes the secret", err)
			}
		})
	}
}

// FuzzParseSecret checks that whatever ParseSecret accepts is a key of 24
// to 64 bytes written in its one canonical form, and that the Standard
// Webhooks reference library reads the same key from it: its signatures
// and billgate's agree.
func FuzzParseSecret(f *testing.F) {
	for _, seed := range []string{
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 64)),
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)),
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS=",
		"whsec_MfKQ9r8GKYqr\r\nTwjUPD8ILPZIo2LaLaSw",
		"whsec_",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseSecret(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidSecret) {
				t.Fatalf("ParseSecret(%q) = %v, which does not wrap ErrInvalidSecret", s, err)
			}
			return
		}
		if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
			t.Fatalf("ParseSecret(%q) accepted %d bytes", s, len(key))
		}
		if canonical := SecretPrefix + base64.StdEncoding.EncodeToString(key); canonical != s {
			t.Fatalf("ParseSecret(%q) accepted a non-canonical form of %q", s, canonical)
		}
		reference, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatalf("the reference library refuses %q: %v", s, err)
		}
		at := time.Unix(1614265330, 0)
		want, _ := reference.Sign("msg_1", at, []byte("{}"))
		h := make(map[string][]string)
		if err := SignHeaders(h, [][]byte{key}, "msg_1", at, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		if got := h["Webhook-Signature"][0]; got != want {
			t.Fatalf("signature %q, the reference library's %q", got, want)
		}
	})
}
