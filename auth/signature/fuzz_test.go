package signature

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseAuthorization: never a panic; every refusal wraps ErrInvalid;
// what is accepted is well-formed, and parses back the same once written.
func FuzzParseAuthorization(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Authorization)
	}
	f.Add(`Signature keyId="k",created="1",headers="(created) host",` + sigParam)
	f.Add(`signature keyId="k" , opaque=x,` + sigParam)
	f.Add(`Signature keyId="a\"b",signature="AB=="`)
	f.Fuzz(func(t *testing.T, header string) {
		p, err := ParseAuthorization(header)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseAuthorization(%q) error = %v, want ErrInvalid", header, err)
			}
			return
		}
		if p.KeyID == "" || len(p.Signature) == 0 || len(p.Headers) == 0 || p.Created < 0 || p.Expires < 0 {
			t.Fatalf("ParseAuthorization(%q) = %+v, want a keyId, a signature and headers", header, p)
		}
		for _, name := range p.Headers {
			if name != strings.ToLower(name) || !isHeaderName(name) {
				t.Fatalf("ParseAuthorization(%q) header name %q, want a lower-case name", header, name)
			}
		}
		written := authorization(p)
		if len(written) > maxHeader {
			return // the default headers="date" made it longer
		}
		again, err := ParseAuthorization(written)
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("ParseAuthorization(%q) = %+v, %v, want %+v", written, again, err, p)
		}
	})
}

// FuzzSigningString: never a panic; every refusal wraps ErrInvalid; an
// accepted signing string has exactly one "name: " line per listed name,
// so no header value or target can forge a line, and it signs and
// verifies.
func FuzzSigningString(f *testing.F) {
	f.Add("GET", "/v1/accounts?limit=10", "Host: billgate.test\nDate: "+testDate, "(request-target) host date")
	f.Add("post", "/", "Digest: SHA-256=x\nX-Multi: a\nX-Multi:  b ", "digest X-MULTI")
	f.Add("GET", "/", "Date: a\rb", "date (created)")
	f.Fuzz(func(t *testing.T, method, target, rawHeader, list string) {
		header := http.Header{}
		for line := range strings.SplitSeq(rawHeader, "\n") {
			name, value, _ := strings.Cut(line, ":")
			header.Add(name, value)
		}
		names := strings.Split(list, " ")
		s, err := SigningString(method, target, header, names)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("SigningString error = %v, want ErrInvalid", err)
			}
			return
		}
		lines := strings.Split(s, "\n")
		if len(lines) != len(names) {
			t.Fatalf("SigningString(%q, %q, %q) = %q: %d lines, want %d", method, target, names, s, len(lines), len(names))
		}
		for i, line := range lines {
			if !strings.HasPrefix(line, strings.ToLower(names[i])+": ") {
				t.Fatalf("SigningString line %d = %q, want it to start with %q", i, line, strings.ToLower(names[i])+": ")
			}
		}
		sig, err := Sign(HMACSHA256, []byte("k"), s)
		if err != nil || !Verify(HMACSHA256, []byte("k"), s, sig) {
			t.Fatalf("Sign then Verify(%q) failed: %v", s, err)
		}
	})
}
