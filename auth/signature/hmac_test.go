package signature

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"
)

func TestSign(t *testing.T) {
	// RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2
	// (HMAC-SHA256): key "Jefe".
	tests := []struct {
		alg  string
		want string
	}{
		{HMACSHA1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
		{HMACSHA256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			want, _ := hex.DecodeString(tt.want)
			got, err := Sign(tt.alg, []byte("Jefe"), "what do ya want for nothing?")
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Sign(%s) = %x, %v, want %s", tt.alg, got, err, tt.want)
			}
			if !Verify(tt.alg, []byte("Jefe"), "what do ya want for nothing?", want) {
				t.Errorf("Verify(%s, RFC vector) = false, want true", tt.alg)
			}
		})
	}
}

func TestSignRefusals(t *testing.T) {
	tests := []struct {
		name   string
		alg    string
		secret []byte
		reason string
	}{
		{"no algorithm", "", []byte("k"), `algorithm "" is not supported`},
		{"upper-case name", "HMAC-SHA256", []byte("k"), "not supported"},
		{"hmac-sha512", "hmac-sha512", []byte("k"), "not supported"},
		{"rsa-sha256", "rsa-sha256", []byte("k"), "not supported"},
		{"hs2019", "hs2019", []byte("k"), "not supported"},
		{"empty secret", HMACSHA256, nil, "secret is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sign(tt.alg, tt.secret, "date: x")
			if got != nil {
				t.Errorf("Sign(%q) = %x, want nil", tt.alg, got)
			}
			checkInvalid(t, "Sign("+tt.alg+")", err, tt.reason)
		})
	}
}

func TestVerifyRefusals(t *testing.T) {
	secret := []byte("portabilling-shared-secret-0001")
	sig256, _ := Sign(HMACSHA256, secret, "date: x")
	sig1, _ := Sign(HMACSHA1, secret, "date: x")
	tests := []struct {
		name   string
		alg    string
		secret []byte
		sig    []byte
	}{
		{"unknown algorithm", "hmac-sha512", secret, sig256},
		{"empty algorithm", "", secret, sig256},
		{"empty secret", HMACSHA256, nil, sig256},
		{"another secret", HMACSHA256, []byte("portabilling-shared-secret-0002"), sig256},
		{"SHA-1 MAC checked as SHA-256", HMACSHA256, secret, sig1},
		{"SHA-256 MAC checked as SHA-1", HMACSHA1, secret, sig256},
		{"truncated MAC", HMACSHA256, secret, sig256[:16]},
		{"MAC with a byte more", HMACSHA256, secret, append(bytes.Clone(sig256), 0)},
		{"no MAC", HMACSHA256, secret, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if Verify(tt.alg, tt.secret, "date: x", tt.sig) {
				t.Errorf("Verify(%q, %x) = true, want false", tt.alg, tt.sig)
			}
		})
	}
}

// A Verifier agrees with Verify, call after call, for both algorithms.
func TestVerifierAgreesWithVerify(t *testing.T) {
	for _, alg := range []string{HMACSHA1, HMACSHA256} {
		v, err := NewVerifier(alg, []byte("secret"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			str := fmt.Sprintf("date: %d", i)
			sig, _ := Sign(alg, []byte("secret"), str)
			if !v.Verify(str, sig) || v.Verify(str+"x", sig) || v.Verify(str, sig[:len(sig)-1]) {
				t.Errorf("%s: Verifier disagrees with Sign on %q", alg, str)
			}
		}
	}
	if _, err := NewVerifier("hmac-md5", []byte("secret")); err == nil {
		t.Error("NewVerifier(hmac-md5) = nil error")
	}
	if _, err := NewVerifier(HMACSHA256, nil); err == nil {
		t.Error("NewVerifier(no secret) = nil error")
	}
}
