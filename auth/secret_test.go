package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestNewSessionToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		token, hash := NewSessionToken()
		if !strings.HasPrefix(token, SessionTokenPrefix) || SessionTokenPrefix != "bgs_" {
			t.Fatalf("NewSessionToken() = %q, want the prefix bgs_", token)
		}
		body := strings.TrimPrefix(token, SessionTokenPrefix)
		if len(body) != 43 {
			t.Fatalf("NewSessionToken() = %q, want 43 characters after the prefix, got %d", token, len(body))
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
		if err != nil || len(raw) != 32 {
			t.Fatalf("NewSessionToken() body %q decodes to %d bytes, %v, want 32 bytes of unpadded base64url", body, len(raw), err)
		}
		if got := HashToken(token); got != hash {
			t.Fatalf("HashToken(%q) = %q, want the hash NewSessionToken returned, %q", token, got, hash)
		}
		if len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
			t.Fatalf("NewSessionToken() hash = %q, want 64 lower-case hex digits", hash)
		}
		if !LooksLikeSessionToken(token) {
			t.Fatalf("LooksLikeSessionToken(%q) = false, want true", token)
		}
		if seen[token] {
			t.Fatalf("NewSessionToken() = %q twice", token)
		}
		seen[token] = true
	}
}

func TestHashToken(t *testing.T) {
	sum := sha256.Sum256([]byte("bgs_abc"))
	tests := []struct {
		token string
		want  string
	}{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"bgs_abc", hex.EncodeToString(sum[:])},
	}
	for _, tt := range tests {
		if got := HashToken(tt.token); got != tt.want {
			t.Errorf("HashToken(%q) = %q, want %q", tt.token, got, tt.want)
		}
	}
	if HashToken("bgs_a") == HashToken("bgs_b") {
		t.Errorf("HashToken(bgs_a) == HashToken(bgs_b), want different hashes")
	}
}

func TestLooksLikeSessionToken(t *testing.T) {
	valid, _ := NewSessionToken()
	body := strings.TrimPrefix(valid, SessionTokenPrefix)
	tests := []struct {
		name  string
		token string
		want  bool
	}{
		{"fresh token", valid, true},
		{"43 arbitrary characters", "bgs_" + strings.Repeat("A", 43), true},
		{"empty", "", false},
		{"prefix only", "bgs_", false},
		{"one short", valid[:len(valid)-1], false},
		{"one long", valid + "A", false},
		{"wrong prefix", "bgx_" + body, false},
		{"upper-case prefix", "BGS_" + body, false},
		{"no prefix", body, false},
		{"prefix without underscore", "bgsA" + body, false},
		{"leading space", " " + valid[:len(valid)-1], false},
		{"JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", false},
		{"JWT cut to length", ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0")[:47], false},
		{"Bearer header value", "Bearer " + valid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LooksLikeSessionToken(tt.token); got != tt.want {
				t.Errorf("LooksLikeSessionToken(%q) = %v, want %v", tt.token, got, tt.want)
			}
		})
	}
}

// ParseAPIKeySecret reads only what newAPIKeySecret writes: any other input
// is refused without panicking, and an accepted one names the ID inside it.
func FuzzParseAPIKeySecret(f *testing.F) {
	id := uuid.Must(uuid.NewV7())
	for _, seed := range []string{newAPIKeySecret(id), "bgk_", "bgk_" + strings.Repeat("A", 64), "Plain bgk_x", "", "bgs_" + strings.Repeat("A", 43)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseAPIKeySecret(s)
		if !ok {
			return
		}
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, APIKeyPrefix))
		if err != nil || len(s) != apiKeySecretLen || !strings.HasPrefix(s, APIKeyPrefix) || !bytes.Equal(got[:], b[:16]) {
			t.Errorf("ParseAPIKeySecret(%q) = %s, true: not a secret holding that ID", s, got)
		}
	})
}

func TestAPIKeySecretsCarryTheirID(t *testing.T) {
	for range 100 {
		id := uuid.Must(uuid.NewV7())
		s := newAPIKeySecret(id)
		if got, ok := ParseAPIKeySecret(s); !ok || got != id || len(s) != apiKeySecretLen {
			t.Fatalf("ParseAPIKeySecret(newAPIKeySecret(%s)) = %s, %v", id, got, ok)
		}
		if _, ok := ParseAPIKeySecret(s[:len(s)-1]); ok {
			t.Fatalf("a truncated secret %q parsed", s[:len(s)-1])
		}
	}
}
