package password

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// testParams are cheap, so that tests and fuzzing run fast. The cheap vectors
// in vectors_test.go use them.
var testParams = Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

func TestDefaultParams(t *testing.T) {
	want := Params{Memory: 19456, Time: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	if got := DefaultParams(); got != want {
		t.Fatalf("DefaultParams() = %+v, want %+v", got, want)
	}

	h := New(DefaultParams())
	stored, err := h.Hash(pwHorse)
	if err != nil {
		t.Fatalf("Hash(%q) error = %v, want nil", pwHorse, err)
	}
	if prefix := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(stored, prefix) {
		t.Errorf("Hash(%q) = %q, want prefix %q", pwHorse, stored, prefix)
	}
	for _, tc := range []struct{ name, password, stored string }{
		{"own", pwHorse, stored},
		{"reference-cli", "password", argonDefaultCLI},
		{"libsodium", pwHorse, argonDefaultSodium},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(tc.password, tc.stored)
			if !ok || rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want true, false, nil", tc.password, tc.stored, ok, rehash, err)
			}
		})
	}
}

// With the salt fixed, Hash must write byte for byte what the reference CLI
// writes for the same salt and parameters.
func TestHashMatchesReference(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		salt   string
		want   string
	}{
		{"test-params", testParams, "billgate-salt-01", argonHorse},
		{"four-lanes", Params{Memory: 256, Time: 3, Parallelism: 4, SaltLen: 16, KeyLen: 32}, "billgate-salt-04", argonFourLane},
		{"short-salt-key", Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 8, KeyLen: 16}, "saltsalt", argonShort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := New(tc.params)
			h.rand = strings.NewReader(tc.salt)
			got, err := h.Hash(pwHorse)
			if got != tc.want || err != nil {
				t.Errorf("Hash(%q) = %q, %v, want %q, nil", pwHorse, got, err, tc.want)
			}
		})
	}
}

func TestHashSaltIsRandom(t *testing.T) {
	h := New(testParams)
	a, errA := h.Hash(pwHorse)
	b, errB := h.Hash(pwHorse)
	if errA != nil || errB != nil {
		t.Fatalf("Hash(%q) errors = %v, %v, want nil", pwHorse, errA, errB)
	}
	if a == b {
		t.Errorf("Hash(%q) twice = %q both times, want different salts", pwHorse, a)
	}
}

func TestHashRandFailure(t *testing.T) {
	h := New(testParams)
	boom := errors.New("entropy exhausted")
	h.rand = iotest.ErrReader(boom)
	got, err := h.Hash(pwHorse)
	if got != "" || !errors.Is(err, boom) {
		t.Errorf("Hash(%q) = %q, %v, want \"\", %v", pwHorse, got, err, boom)
	}
}

func TestHashVerifyRoundTrip(t *testing.T) {
	h := New(testParams)
	passwords := map[string]string{
		"empty":        "",
		"space":        " ",
		"ascii":        pwHorse,
		"nfc":          pwNFC,
		"nfd":          pwNFD,
		"128-chars":    pw128,
		"10000-chars":  strings.Repeat("x", 10000),
		"emoji":        "vault \U0001F510 key",
		"nul-byte":     "before\x00after",
		"invalid-utf8": "\xff\xfe\xfd",
	}
	for name, pw := range passwords {
		t.Run(name, func(t *testing.T) {
			stored, err := h.Hash(pw)
			if err != nil {
				t.Fatalf("Hash(%q) error = %v, want nil", pw, err)
			}
			if ok, rehash, err := h.Verify(pw, stored); !ok || rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want true, false, nil", pw, stored, ok, rehash, err)
			}
			wrong := []string{pw + "x", "x" + pw}
			if pw != "" {
				wrong = append(wrong, pw[:len(pw)-1])
			}
			for _, w := range wrong {
				if ok, rehash, err := h.Verify(w, stored); ok || rehash || err != nil {
					t.Errorf("Verify(%q, %q) = %v, %v, %v, want false, false, nil", w, stored, ok, rehash, err)
				}
			}
		})
	}
}

func TestVerifyVectors(t *testing.T) {
	h := New(testParams)
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			if ok, rehash, err := h.Verify(v.password, v.stored); !ok || rehash != v.rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want true, %v, nil", v.password, v.stored, ok, rehash, err, v.rehash)
			}
			wrong := v.password + "!"
			if ok, rehash, err := h.Verify(wrong, v.stored); ok || rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want false, false, nil", wrong, v.stored, ok, rehash, err)
			}
		})
	}
}

// Passwords are compared as typed: no normalisation, trimming, case folding
// or truncation, in every format.
func TestPasswordsUsedAsTyped(t *testing.T) {
	if pwNFC == pwNFD {
		t.Fatalf("pwNFC == pwNFD, want two encodings of \"pässword\"")
	}
	h := New(testParams)
	fresh := func(pw string) string {
		s, err := h.Hash(pw)
		if err != nil {
			t.Fatalf("Hash(%q) error = %v, want nil", pw, err)
		}
		return s
	}
	tests := []struct {
		name, stored, typed string
		others              []string
	}{
		{"nfc/argon2id", argonNFC, pwNFC, []string{pwNFD}},
		{"nfc/argon2id-fresh", fresh(pwNFC), pwNFC, []string{pwNFD}},
		{"nfd/argon2id-fresh", fresh(pwNFD), pwNFD, []string{pwNFC}},
		{"nfc/sha256", shaNFC, pwNFC, []string{pwNFD}},
		{"nfc/pbkdf2-sha256", phcNFC, pwNFC, []string{pwNFD}},
		{"nfc/django", djangoNFC, pwNFC, []string{pwNFD}},
		{"128/argon2id", argon128, pw128, []string{pw128Last, pw128[:127], pw128 + "0"}},
		{"128/sha256", sha128, pw128, []string{pw128Last, pw128[:127], pw128 + "0"}},
		{"128/pbkdf2-sha256", phc128, pw128, []string{pw128Last, pw128[:127], pw128 + "0"}},
		{"128/django", django128, pw128, []string{pw128Last, pw128[:127], pw128 + "0"}},
		{"spaces-case/argon2id", argonHorse, pwHorse, []string{" " + pwHorse, pwHorse + " ", pwHorse + "\n", strings.ToUpper(pwHorse)}},
		{"spaces-case/sha256", shaHorse, pwHorse, []string{" " + pwHorse, pwHorse + " ", strings.ToUpper(pwHorse)}},
		{"spaces-case/pbkdf2-sha256", phcHorse, pwHorse, []string{" " + pwHorse, pwHorse + " ", strings.ToUpper(pwHorse)}},
		{"spaces-case/django", djangoHorse, pwHorse, []string{" " + pwHorse, pwHorse + " ", strings.ToUpper(pwHorse)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ok, _, err := h.Verify(tc.typed, tc.stored); !ok || err != nil {
				t.Errorf("Verify(%q, %q) = %v, _, %v, want true, _, nil", tc.typed, tc.stored, ok, err)
			}
			for _, o := range tc.others {
				if ok, _, err := h.Verify(o, tc.stored); ok || err != nil {
					t.Errorf("Verify(%q, %q) = %v, _, %v, want false, _, nil", o, tc.stored, ok, err)
				}
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	h := New(testParams)
	tests := []struct {
		name string
		made Params // the parameters the stored hash was made with
		want bool
	}{
		{"same", testParams, false},
		{"less-memory", Params{Memory: 32, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more-memory", Params{Memory: 128, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more-time", Params{Memory: 64, Time: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more-lanes", Params{Memory: 64, Time: 1, Parallelism: 2, SaltLen: 16, KeyLen: 32}, true},
		{"shorter-salt", Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 8, KeyLen: 32}, true},
		{"longer-key", Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 64}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stored, err := New(tc.made).Hash(pwHorse)
			if err != nil {
				t.Fatalf("Hash(%q) error = %v, want nil", pwHorse, err)
			}
			if ok, rehash, err := h.Verify(pwHorse, stored); !ok || rehash != tc.want || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want true, %v, nil", pwHorse, stored, ok, rehash, err, tc.want)
			}
			if ok, rehash, err := h.Verify("wrong", stored); ok || rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want false, false, nil", "wrong", stored, ok, rehash, err)
			}
		})
	}
}

// The login flow: a legacy hash verifies once with needsRehash, the caller
// stores Hash(password), and from then on the new hash verifies without.
func TestRehashOnLogin(t *testing.T) {
	h := New(testParams)
	for name, stored := range map[string]string{
		"sha256": shaHorse, "pbkdf2-sha256": phcHorse, "django": djangoHorse, "argon2id-other-params": argonFourLane,
	} {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := h.Verify(pwHorse, stored)
			if !ok || !rehash || err != nil {
				t.Fatalf("Verify(%q, %q) = %v, %v, %v, want true, true, nil", pwHorse, stored, ok, rehash, err)
			}
			next, err := h.Hash(pwHorse)
			if err != nil {
				t.Fatalf("Hash(%q) error = %v, want nil", pwHorse, err)
			}
			if ok, rehash, err := h.Verify(pwHorse, next); !ok || rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want true, false, nil", pwHorse, next, ok, rehash, err)
			}
		})
	}
}

func argon(params, salt, key string) string {
	return "$argon2id$v=19$" + params + "$" + salt + "$" + key
}

var (
	salt16  = "YmlsbGdhdGUtc2FsdC0wMQ"
	key32   = "sKa3bx/YPEPYzfTgcdEcMBCjxBzX5qzi+Ck8bHMRZ6k"
	shaSalt = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	shaSum  = "737ee7522df51526d0ac487d93cbe29d4efbf207ce9c16f08633f6f3c0dce3b2"
	b64Len  = func(n int) string { return base64.RawStdEncoding.EncodeToString(make([]byte, n)) }
	hexLen  = func(n int) string { return hex.EncodeToString(make([]byte, n)) }
	django  = func(i, salt, key string) string { return "pbkdf2_sha256$" + i + "$" + salt + "$" + key }
	djKey32 = "6RcKSnu+14ek22CqNP63TUBpU95hg3edF6VNgmGI26k="
)

// malformed are stored values that must be refused with ErrMalformedHash.
var malformedCases = []struct{ name, stored string }{
	{"empty", ""},
	{"too-long", "$sha256$" + strings.Repeat("a", 1100) + "$" + shaSum},
	{"trailing-newline", argonHorse + "\n"},
	{"inner-space", argon("m=64,t=1,p=1", salt16, "sKa3bx/YPEPYzfTgcdEcMBCjxBz X5qzi+Ck8bHMRZ6k")},
	{"non-ascii", argon("m=64,t=1,p=1", salt16, key32) + "ä"},
	{"plaintext", "hunter2hunter2"},
	{"unknown-id", "$md5$c2FsdA$abcdef"},
	{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt16 + "$" + key32},
	{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt16 + "$" + key32},
	{"bcrypt", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
	{"pbkdf2-sha512", "$pbkdf2-sha512$i=1000$" + salt16 + "$" + key32},
	{"django-sha1", "pbkdf2_sha1$10000$wz5B6WkasRoF$atJmJ1o+XfJxKq1+Nu1f1i57Z5I="},
	{"dollar-only", "$"},

	{"argon2id/bare-id", "$argon2id$"},
	{"argon2id/no-version", "$argon2id$m=64,t=1,p=1$" + salt16 + "$" + key32},
	{"argon2id/version-16", "$argon2id$v=16$m=64,t=1,p=1$" + salt16 + "$" + key32},
	{"argon2id/extra-field", argonHorse + "$extra"},
	{"argon2id/no-hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt16},
	{"argon2id/param-order", argon("t=1,m=64,p=1", salt16, key32)},
	{"argon2id/missing-param", argon("m=64,t=1", salt16, key32)},
	{"argon2id/extra-param", argon("m=64,t=1,p=1,keyid=abc", salt16, key32)},
	{"argon2id/empty-param", argon("m=,t=1,p=1", salt16, key32)},
	{"argon2id/m-zero", argon("m=0,t=1,p=1", salt16, key32)},
	{"argon2id/m-below-8p", argon("m=31,t=1,p=4", salt16, key32)},
	{"argon2id/m-above-1GiB", argon("m=1048577,t=1,p=1", salt16, key32)},
	{"argon2id/m-above-uint32", argon("m=4294967296,t=1,p=1", salt16, key32)},
	{"argon2id/m-above-uint64", argon("m=99999999999999999999,t=1,p=1", salt16, key32)},
	{"argon2id/m-negative", argon("m=-64,t=1,p=1", salt16, key32)},
	{"argon2id/m-plus", argon("m=+64,t=1,p=1", salt16, key32)},
	{"argon2id/m-leading-zero", argon("m=064,t=1,p=1", salt16, key32)},
	{"argon2id/t-zero", argon("m=64,t=0,p=1", salt16, key32)},
	{"argon2id/t-11", argon("m=64,t=11,p=1", salt16, key32)},
	{"argon2id/work-above-1GiB-pass", argon("m=1048576,t=2,p=1", salt16, key32)},
	{"argon2id/work-above-1GiB-pass-t10", argon("m=104858,t=10,p=1", salt16, key32)},
	{"argon2id/p-zero", argon("m=64,t=1,p=0", salt16, key32)},
	{"argon2id/p-17", argon("m=1024,t=1,p=17", salt16, key32)},
	{"argon2id/p-256", argon("m=4096,t=1,p=256", salt16, key32)},
	{"argon2id/salt-not-base64", argon("m=64,t=1,p=1", "!!!!!!!!!!!!", key32)},
	{"argon2id/salt-padded", argon("m=64,t=1,p=1", salt16+"==", key32)},
	{"argon2id/salt-noncanonical", argon("m=64,t=1,p=1", "YmlsbGdhdGUtc2FsdC0wMR", key32)},
	{"argon2id/salt-urlsafe", argon("m=64,t=1,p=1", "YmlsbGdhdGUtc2FsdC0w_Q", key32)},
	{"argon2id/salt-empty", argon("m=64,t=1,p=1", "", key32)},
	{"argon2id/salt-7", argon("m=64,t=1,p=1", b64Len(7), key32)},
	{"argon2id/salt-65", argon("m=64,t=1,p=1", b64Len(65), key32)},
	{"argon2id/hash-empty", argon("m=64,t=1,p=1", salt16, "")},
	{"argon2id/hash-15", argon("m=64,t=1,p=1", salt16, b64Len(15))},
	{"argon2id/hash-65", argon("m=64,t=1,p=1", salt16, b64Len(65))},
	{"argon2id/hash-not-base64", argon("m=64,t=1,p=1", salt16, "sKa3bx/YPEPYzfTgcdEcMBCjxBzX5qzi+Ck8bHMRZ6k*")},

	{"sha256/three-fields", "$sha256$" + shaSum},
	{"sha256/five-fields", "$sha256$" + shaSalt + "$" + shaSum + "$"},
	{"sha256/salt-empty", "$sha256$$" + shaSum},
	{"sha256/salt-odd", "$sha256$abc$" + shaSum},
	{"sha256/salt-not-hex", "$sha256$zz$" + shaSum},
	{"sha256/salt-257", "$sha256$" + hexLen(257) + "$" + shaSum},
	{"sha256/sum-31", "$sha256$" + shaSalt + "$" + hexLen(31)},
	{"sha256/sum-33", "$sha256$" + shaSalt + "$" + hexLen(33)},
	{"sha256/sum-not-hex", "$sha256$" + shaSalt + "$" + strings.Repeat("g", 64)},
	{"sha256/sum-empty", "$sha256$" + shaSalt + "$"},

	{"pbkdf2-sha256/passlib-rounds", "$pbkdf2-sha256$1000$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/i-zero", "$pbkdf2-sha256$i=0$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/i-above-10M", "$pbkdf2-sha256$i=10000001$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/work-above-10M", "$pbkdf2-sha256$i=5000001$juqZQ6J7EyzDl9diMpJiPg$" + b64Len(33)},
	{"pbkdf2-sha256/i-leading-zero", "$pbkdf2-sha256$i=01000$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/i-not-number", "$pbkdf2-sha256$i=lots$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/extra-param", "$pbkdf2-sha256$i=1000,l=32$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/salt-empty", "$pbkdf2-sha256$i=1000$$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/salt-257", "$pbkdf2-sha256$i=1000$" + b64Len(257) + "$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},
	{"pbkdf2-sha256/hash-padded", "$pbkdf2-sha256$i=1000$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY="},
	{"pbkdf2-sha256/hash-15", "$pbkdf2-sha256$i=1000$juqZQ6J7EyzDl9diMpJiPg$" + b64Len(15)},
	{"pbkdf2-sha256/hash-65", "$pbkdf2-sha256$i=1000$juqZQ6J7EyzDl9diMpJiPg$" + b64Len(65)},
	{"pbkdf2-sha256/four-fields", "$pbkdf2-sha256$i=1000$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"},

	{"django/three-fields", "pbkdf2_sha256$1000$" + djKey32},
	{"django/five-fields", djangoHorse + "$x"},
	{"django/i-zero", django("0", "Xk3NpQ8vR2mLwZ7tYc4aHe", djKey32)},
	{"django/i-above-10M", django("10000001", "Xk3NpQ8vR2mLwZ7tYc4aHe", djKey32)},
	{"django/work-above-10M", django("5000001", "Xk3NpQ8vR2mLwZ7tYc4aHe", base64.StdEncoding.EncodeToString(make([]byte, 64)))},
	{"django/i-empty", django("", "Xk3NpQ8vR2mLwZ7tYc4aHe", djKey32)},
	{"django/i-phc-style", django("i=1000", "Xk3NpQ8vR2mLwZ7tYc4aHe", djKey32)},
	{"django/salt-empty", django("1000", "", djKey32)},
	{"django/salt-257", django("1000", strings.Repeat("s", 257), djKey32)},
	{"django/hash-unpadded", django("1000", "Xk3NpQ8vR2mLwZ7tYc4aHe", strings.TrimRight(djKey32, "="))},
	{"django/hash-not-base64", django("1000", "Xk3NpQ8vR2mLwZ7tYc4aHe", "%%%%")},
	{"django/hash-15", django("1000", "Xk3NpQ8vR2mLwZ7tYc4aHe", base64.StdEncoding.EncodeToString(make([]byte, 15)))},
	{"django/hash-empty", django("1000", "Xk3NpQ8vR2mLwZ7tYc4aHe", "")},
}

func TestVerifyMalformed(t *testing.T) {
	h := New(testParams)
	for _, tc := range malformedCases {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(pwHorse, tc.stored)
			if ok || rehash || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("Verify(%q, %q) = %v, %v, %v, want false, false, %v", pwHorse, tc.stored, ok, rehash, err, ErrMalformedHash)
			}
		})
	}
}

// A corrupt row may hold a plaintext password or a real hash: errors, which
// end up in logs, must not quote it.
func TestMalformedErrorsDoNotQuote(t *testing.T) {
	h := New(testParams)
	for _, stored := range []string{
		"SECRETSECRET",
		"$argon2id$v=19$m=64,t=1,p=1$SECRETSECRET!$" + key32,
		"$argon2id$v=19$m=SECRET,t=1,p=1$" + salt16 + "$" + key32,
		"$sha256$SECRETSECRET$" + shaSum,
		"$pbkdf2-sha256$i=SECRET$juqZQ6J7EyzDl9diMpJiPg$" + key32,
		"pbkdf2_sha256$1000$SECRETSECRET$SECRET",
		"SECRET SECRET",
	} {
		_, _, err := h.Verify(pwHorse, stored)
		if err == nil || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Verify(%q, %q) error = %v, want an error not quoting the stored value", pwHorse, stored, err)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	valid := []Params{
		DefaultParams(),
		testParams,
		{Memory: 1 << 20, Time: 1, Parallelism: 16, SaltLen: 64, KeyLen: 64},
		{Memory: 104857, Time: 10, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 8, Time: 1, Parallelism: 1, SaltLen: 8, KeyLen: 16},
	}
	for _, p := range valid {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v, want nil", p, err)
		}
	}
	invalid := []Params{
		{},
		{Memory: 7, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 31, Time: 1, Parallelism: 4, SaltLen: 16, KeyLen: 32},
		{Memory: 1<<20 + 1, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 0, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 11, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 1 << 20, Time: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 104858, Time: 10, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 1024, Time: 1, Parallelism: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 1024, Time: 1, Parallelism: 17, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 7, KeyLen: 32},
		{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 65, KeyLen: 32},
		{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 15},
		{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 65},
	}
	for _, p := range invalid {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v.Validate() = nil, want an error", p)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic, want a panic", p)
				}
			}()
			New(p)
		}()
	}
}

func TestVerifyDummy(t *testing.T) {
	h := New(testParams)
	// Same cost as a real Verify: the dummy is a well-formed hash at h's
	// parameters, so Verify takes the full argon2id path.
	d, err := parseArgon2id(h.dummy)
	if err != nil {
		t.Fatalf("parseArgon2id(%q) error = %v, want nil", h.dummy, err)
	}
	if d.needsRehash(testParams) {
		t.Errorf("parseArgon2id(%q).needsRehash(%+v) = true, want false", h.dummy, testParams)
	}
	for _, pw := range []string{"", pwHorse, pw128, "\x00"} {
		h.VerifyDummy(pw)
		if ok, _, err := h.Verify(pw, h.dummy); ok || err != nil {
			t.Errorf("Verify(%q, dummy) = %v, _, %v, want false, _, nil", pw, ok, err)
		}
	}
}
