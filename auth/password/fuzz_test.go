package password

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// cheap reports whether verifying d is fast enough to do on every fuzz input.
// The limits themselves are tested by parsing, which is always done.
func cheap(d decoded) bool {
	switch d := d.(type) {
	case argon2Hash:
		return uint64(d.memory)*uint64(d.time) <= 4096
	case pbkdf2Hash:
		return d.iterations*len(d.key) <= 100_000*32
	}
	return true
}

// reference recomputes d's digest with the primitives directly, outside the
// package's derive methods.
func reference(t *testing.T, d decoded, password string) []byte {
	switch d := d.(type) {
	case argon2Hash:
		return argon2.IDKey([]byte(password), d.salt, d.time, d.memory, d.parallelism, uint32(len(d.key)))
	case sha256Hash:
		sum := sha256.Sum256(append(bytes.Clone(d.salt), password...))
		return sum[:]
	case pbkdf2Hash:
		k, err := pbkdf2.Key(sha256.New, password, d.salt, d.iterations, len(d.key))
		if err != nil {
			t.Fatalf("pbkdf2.Key error = %v", err)
		}
		return k
	}
	t.Fatalf("reference(%T): unknown type", d)
	return nil
}

func FuzzVerify(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.stored, v.password)
		f.Add(v.stored, v.password+"x")
	}
	for _, m := range malformedCases {
		f.Add(m.stored, pwHorse)
	}
	h := New(testParams)
	f.Fuzz(func(t *testing.T, stored, password string) {
		d, perr := parse(stored)
		if perr == nil && !cheap(d) {
			t.Skip("too costly to verify on every input")
		}
		ok, rehash, err := h.Verify(password, stored)
		if (err == nil) != (perr == nil) {
			t.Fatalf("Verify(%q, %q) error = %v, but parse error = %v", password, stored, err, perr)
		}
		if err != nil {
			if ok || rehash || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify(%q, %q) = %v, %v, %v, want false, false, %v", password, stored, ok, rehash, err, ErrMalformedHash)
			}
			return
		}
		if !ok {
			if rehash {
				t.Fatalf("Verify(%q, %q) = false, true, nil, want needsRehash only with ok", password, stored)
			}
			return
		}
		// ok: stored must really be a hash of password.
		want := d.digest()
		if len(want) < minKeyLen {
			t.Fatalf("Verify(%q, %q) = true with a %d-byte digest, want at least %d", password, stored, len(want), minKeyLen)
		}
		if got := reference(t, d, password); !bytes.Equal(got, want) {
			t.Fatalf("Verify(%q, %q) = true, but the primitive gives %x, want %x", password, stored, got, want)
		}
		// Not password+"\x00": HMAC zero-pads keys, so PBKDF2-HMAC matches
		// a password with trailing NULs (under 64 bytes) in every
		// implementation. docs/password-hashes.md says so.
		for _, other := range []string{password + "x", "x" + password} {
			if ok, _, _ := h.Verify(other, stored); ok {
				t.Fatalf("Verify(%q, %q) = true after Verify(%q) = true, want one password per hash", other, stored, password)
			}
		}
	})
}

// fuzzParse checks a format's parser: it never panics, refuses with
// ErrMalformedHash, keeps every limit, and what it accepts is canonical:
// String gives the input back (hex case aside) and parses to the same value.
func fuzzParse[T decoded](f *testing.F, parseFn func(string) (T, error), seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	for _, v := range vectors {
		f.Add(v.stored)
	}
	for _, m := range malformedCases {
		f.Add(m.stored)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseFn(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("parse(%q) error = %v, want %v", s, err, ErrMalformedHash)
			}
			return
		}
		if n := len(d.digest()); n < minKeyLen || n > maxKeyLen {
			t.Fatalf("parse(%q) digest is %d bytes, want %d..%d", s, n, minKeyLen, maxKeyLen)
		}
		switch d := any(d).(type) {
		case argon2Hash:
			if err := checkArgon2Params(d.params()); err != nil {
				t.Fatalf("parse(%q) params %+v: %v", s, d.params(), err)
			}
		case pbkdf2Hash:
			blocks := (len(d.key) + 31) / 32
			if d.iterations < 1 || d.iterations*blocks > maxPBKDF2Iterations || len(d.salt) < 1 || len(d.salt) > maxLegacySaltLen {
				t.Fatalf("parse(%q) = %d iterations, %d-byte salt, outside the limits", s, d.iterations, len(d.salt))
			}
		case sha256Hash:
			if len(d.salt) < 1 || len(d.salt) > maxLegacySaltLen {
				t.Fatalf("parse(%q) = %d-byte salt, outside the limits", s, len(d.salt))
			}
		}
		enc := d.String()
		if !strings.EqualFold(enc, s) || (!strings.HasPrefix(s, prefixSHA256) && enc != s) {
			t.Fatalf("parse(%q).String() = %q, want the input", s, enc)
		}
		d2, err := parseFn(enc)
		if err != nil || !reflect.DeepEqual(d2, d) {
			t.Fatalf("parse(%q) = %+v, %v, want %+v, nil", enc, d2, err, d)
		}
		if dd, err := parse(s); err != nil || !reflect.DeepEqual(dd, decoded(d)) {
			t.Fatalf("parse(%q) via dispatch = %+v, %v, want %+v, nil", s, dd, err, d)
		}
	})
}

func FuzzParseArgon2id(f *testing.F) {
	fuzzParse(f, parseArgon2id, []string{argonHorse, argonFourLane, argonShort, argonDefaultCLI, argonDefaultSodium})
}

func FuzzParseSHA256(f *testing.F) {
	fuzzParse(f, parseSHA256, []string{shaHorse, shaHorseUpper, shaNFC, sha128})
}

func FuzzParsePBKDF2(f *testing.F) {
	fuzzParse(f, parsePBKDF2, []string{phcHorse, phcHorse600k, phcRFC7914a, phcRFC7914b})
}

func FuzzParseDjango(f *testing.F) {
	fuzzParse(f, parseDjango, []string{djangoHorse, djangoHorse600k, djangoSuite})
}
