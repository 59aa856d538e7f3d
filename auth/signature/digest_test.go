package signature

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestCheckDigest(t *testing.T) {
	body := []byte(`{"account":"acc-42","amount":"19.90"}`)
	sum := sha256.Sum256(body)
	good := base64.StdEncoding.EncodeToString(sum[:])
	empty := sha256.Sum256(nil)
	sha1Sum := sha1.Sum(body)
	tests := []struct {
		name   string
		value  string
		body   []byte
		reason string // "" accepts
	}{
		{"SHA-256", "SHA-256=" + good, body, ""},
		{"lower-case name", "sha-256=" + good, body, ""},
		{"mixed-case name", "Sha-256=" + good, body, ""},
		{"among other algorithms", "MD5=HUXZLQLMuI/KZ5KDcJPcOA==, SHA-256=" + good + ",UNIXsum=30637", body, ""},
		{"spaces around entries", "  SHA-256=" + good + "  ", body, ""},
		{"empty body", "SHA-256=" + base64.StdEncoding.EncodeToString(empty[:]), nil, ""},

		{"empty value", "", body, "entry 1 is not algorithm=value"},
		{"another body", "SHA-256=" + good, []byte("{}"), "does not match the body"},
		{"a body with a byte more", "SHA-256=" + good, append([]byte(nil), append(body, ' ')...), "does not match"},
		{"no SHA-256", "MD5=HUXZLQLMuI/KZ5KDcJPcOA==", body, "no SHA-256"},
		{"SHA256 without the dash", "SHA256=" + good, body, "no SHA-256"},
		{"SHA-512 only", "SHA-512=" + good, body, "no SHA-256"},
		{"SHA-256 twice, both right", "SHA-256=" + good + ",SHA-256=" + good, body, "SHA-256 twice"},
		{"SHA-256 twice, one wrong", "SHA-256=" + good + ",sha-256=" + base64.StdEncoding.EncodeToString(empty[:]), body, "SHA-256 twice"},
		{"SHA-256 empty", "SHA-256=", body, "not algorithm=value"},
		{"no equals sign", "SHA-256", body, "not algorithm=value"},
		{"no algorithm", "=" + good, body, "not algorithm=value"},
		{"trailing comma", "SHA-256=" + good + ",", body, "entry 2 is not algorithm=value"},
		{"empty entry", "MD5=x,,SHA-256=" + good, body, "entry 2 is not algorithm=value"},
		{"not base64", "SHA-256=!!!!", body, "not 32 bytes of base64"},
		{"hex instead of base64", "SHA-256=" + strings.Repeat("ab", 32), body, "not 32 bytes of base64"},
		{"base64 without padding", "SHA-256=" + strings.TrimRight(good, "="), body, "not 32 bytes of base64"},
		{"URL-safe alphabet", "SHA-256=" + base64.URLEncoding.EncodeToString(sum[:]), body, "not 32 bytes of base64"},
		{"SHA-1 length under SHA-256", "SHA-256=" + base64.StdEncoding.EncodeToString(sha1Sum[:]), body, "not 32 bytes of base64"},
		{"RFC 9530 form", "sha-256=:" + good + ":", body, "not 32 bytes of base64"},
		{"long s look-alike", "\u017fHA-256=" + good, body, "control or non-ASCII"},
		{"tab", "SHA-256=\t" + good, body, "control or non-ASCII"},
		{"newline", "SHA-256=" + good + "\n", body, "control or non-ASCII"},
		{"oversized", "MD5=" + strings.Repeat("A", maxHeader) + ",SHA-256=" + good, body, "at most 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDigest(tt.value, tt.body)
			if tt.reason == "" {
				if err != nil {
					t.Errorf("CheckDigest(%q) = %v, want nil", tt.value, err)
				}
				return
			}
			checkInvalid(t, "CheckDigest("+tt.value+")", err, tt.reason)
		})
	}
}
