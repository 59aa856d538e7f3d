package sealed

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

var (
	keyOne = Key{ID: "one", Secret: []byte(strings.Repeat("1", KeySize))}
	keyTwo = Key{ID: "two", Secret: []byte(strings.Repeat("2", KeySize))}
)

// stored are v1 values sealed under keyOne, which must open forever. Each
// was also opened by node's crypto (aes-256-gcm, nonce the first 12 bytes,
// tag the last 16, additional data "v1.one." + owner), outside this package.
var stored = []struct {
	sealed, owner, plaintext string
}{
	{"v1.one.mqtq_DMG0rRFmNPRGI7O538Hcc9t6Las2Hjt6L_VUhZG-v5LYVSO1xYlMASZSN0_-hI", "signing-key/019a0000-0000-7000-8000-000000000001", "hmac secret of porta-1"},
	{"v1.one.amNF2DcWlYYujOJt9rVxLIToRg2jRl6NHQnd4w", "", ""},
	{"v1.one.T-JilYaKD8RbYxIZwfKowrw8oott_BlLcJ3W5lc", "owner", "x"},
}

func newBox(t testing.TB, keys ...Key) *Box {
	t.Helper()
	b, err := New(keys)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenStored(t *testing.T) {
	box := newBox(t, keyTwo, keyOne)
	for _, s := range stored {
		got, err := box.Open(s.sealed, []byte(s.owner))
		if err != nil || string(got) != s.plaintext {
			t.Errorf("Open(%q, %q) = %q, %v, want %q", s.sealed, s.owner, got, err, s.plaintext)
		}
	}
}

func TestSealOpen(t *testing.T) {
	box := newBox(t, keyOne)
	tests := []struct {
		name      string
		plaintext []byte
		owner     []byte
	}{
		{"secret", []byte("hmac secret of porta-1"), []byte("signing-key/42")},
		{"empty plaintext", nil, []byte("signing-key/42")},
		{"no owner", []byte("s"), nil},
		{"binary", []byte{0, 0xff, '.', '\n', 0x80}, []byte{0, '.', 0xff}},
		{"largest plaintext", bytes.Repeat([]byte("p"), maxPlaintext), []byte("o")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := box.Seal(tt.plaintext, tt.owner)
			if err != nil {
				t.Fatalf("Seal error = %v", err)
			}
			prefix, encoded, _ := strings.Cut(sealed, "v1.one.")
			if prefix != "" || base64.RawURLEncoding.EncodedLen(12+len(tt.plaintext)+16) != len(encoded) ||
				strings.Trim(encoded, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Errorf("Seal = %.80q, want v1.one.<base64url of nonce, ciphertext and tag>", sealed)
			}
			if again, _ := box.Seal(tt.plaintext, tt.owner); again == sealed {
				t.Errorf("Seal twice = %.80q both times, want a fresh nonce each time", sealed)
			}
			got, err := box.Open(sealed, tt.owner)
			if err != nil || !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open(Seal(%.20q)) = %.20q, %v, want the plaintext", tt.plaintext, got, err)
			}
		})
	}
}

func TestSealTooLarge(t *testing.T) {
	box := newBox(t, keyOne)
	if sealed, err := box.Seal(make([]byte, maxPlaintext+1), nil); err == nil {
		t.Errorf("Seal(%d bytes) = %.20q, nil, want an error", maxPlaintext+1, sealed)
	}
}

// Rotation: the new key goes first and seals; the old one still opens
// until it is dropped.
func TestRotation(t *testing.T) {
	old := newBox(t, keyOne)
	sealedOld, _ := old.Seal([]byte("s"), []byte("row-1"))

	rotated := newBox(t, keyTwo, keyOne)
	if got, err := rotated.Open(sealedOld, []byte("row-1")); err != nil || string(got) != "s" {
		t.Errorf("rotated Open(old value) = %q, %v, want \"s\"", got, err)
	}
	sealedNew, _ := rotated.Seal([]byte("s"), []byte("row-1"))
	if !strings.HasPrefix(sealedNew, "v1.two.") {
		t.Errorf("rotated Seal = %q, want it sealed by two", sealedNew)
	}
	if _, err := old.Open(sealedNew, []byte("row-1")); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `unknown key "two"`) {
		t.Errorf("old Open(new value) error = %v, want unknown key", err)
	}

	dropped := newBox(t, keyTwo)
	if _, err := dropped.Open(sealedOld, []byte("row-1")); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `unknown key "one"`) {
		t.Errorf("Open(value of a dropped key) error = %v, want unknown key", err)
	}
	if got, err := dropped.Open(sealedNew, []byte("row-1")); err != nil || string(got) != "s" {
		t.Errorf("Open(new value) after the drop = %q, %v, want \"s\"", got, err)
	}
}

// SealBytes and OpenBytes are Seal and Open with the key ID kept apart:
// the same bytes under the same associated data, and no size limit.
func TestSealBytes(t *testing.T) {
	box := newBox(t, keyTwo, keyOne)
	for _, s := range stored {
		encoded := strings.TrimPrefix(s.sealed, "v1.one.")
		raw, _ := base64.RawURLEncoding.DecodeString(encoded)
		if got, err := box.OpenBytes("one", raw, []byte(s.owner)); err != nil || string(got) != s.plaintext {
			t.Errorf("OpenBytes(one, stored %.20q…) = %q, %v, want %q", encoded, got, err, s.plaintext)
		}
	}
	large := bytes.Repeat([]byte("p"), 4*maxPlaintext)
	kid, sealed := box.SealBytes(large, []byte("payload"))
	if kid != "two" || len(sealed) != len(large)+overhead {
		t.Errorf("SealBytes(%d bytes) = %q, %d bytes, want two, %d bytes", len(large), kid, len(sealed), len(large)+overhead)
	}
	if got, err := box.OpenBytes(kid, sealed, []byte("payload")); err != nil || !bytes.Equal(got, large) {
		t.Errorf("OpenBytes(SealBytes(%d bytes)) = %d bytes, %v, want the plaintext", len(large), len(got), err)
	}
	for _, tt := range []struct {
		name, kid, owner, reason string
	}{
		{"another key's name", "one", "payload", "tampered"},
		{"an unknown key", "three", "payload", `unknown key "three"`},
		{"another owner", "two", "secret", "another owner"},
	} {
		if got, err := box.OpenBytes(tt.kid, sealed, []byte(tt.owner)); got != nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("OpenBytes with %s = %d bytes, %v, want ErrInvalid mentioning %q", tt.name, len(got), err, tt.reason)
		}
	}
}

func TestOpenRefusals(t *testing.T) {
	box := newBox(t, keyOne, keyTwo)
	const owner = "row-1"
	sealed, err := box.Seal([]byte("hmac secret!"), []byte(owner))
	if err != nil {
		t.Fatal(err)
	}
	payload := strings.TrimPrefix(sealed, "v1.one.")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	// reencode writes raw with byte i flipped.
	reencode := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return "v1.one." + base64.RawURLEncoding.EncodeToString(b)
	}
	// The same bytes, sealed under the same key by the other key's name.
	asTwo := "v1.two." + payload
	last := payload[len(payload)-1]
	// A last character that differs only in bits base64url drops.
	loose := payload[:len(payload)-1] + string(rune(last+1))
	if len(raw)%3 == 0 {
		t.Fatalf("payload of %d bytes has no spare bits; change the plaintext length", len(raw))
	}
	tests := []struct {
		name   string
		sealed string
		owner  string
		reason string
	}{
		{"another owner", sealed, "row-2", "another owner"},
		{"owner with a byte more", sealed, owner + "x", "another owner"},
		{"no owner", sealed, "", "another owner"},
		{"empty value", "", owner, "not a v1 value"},
		{"version 2", "v2" + strings.TrimPrefix(sealed, "v1"), owner, "not a v1 value"},
		{"upper-case version", "V1" + strings.TrimPrefix(sealed, "v1"), owner, "not a v1 value"},
		{"no version", strings.TrimPrefix(sealed, "v1."), owner, "not a v1 value"},
		{"unknown key", "v1.three." + payload, owner, `unknown key "three"`},
		{"key ID in another case", "v1.ONE." + payload, owner, `unknown key "ONE"`},
		{"another known key", asTwo, owner, "another owner"},
		{"empty key ID", "v1.." + payload, owner, "malformed key ID"},
		{"key ID with a space", "v1.o ne." + payload, owner, "malformed key ID"},
		{"key ID too long", "v1." + strings.Repeat("k", 33) + "." + payload, owner, "malformed key ID"},
		{"no payload separator", "v1.one", owner, "malformed key ID"},
		{"empty payload", "v1.one.", owner, "too short"},
		{"payload shorter than nonce and tag", "v1.one." + payload[:36], owner, "too short"},
		{"extra dot", "v1.one.x." + payload, owner, "not base64url"},
		{"nonce bit flipped", reencode(0), owner, "tampered"},
		{"ciphertext bit flipped", reencode(12), owner, "tampered"},
		{"tag bit flipped", reencode(len(raw) - 1), owner, "tampered"},
		{"last byte dropped", "v1.one." + base64.RawURLEncoding.EncodeToString(raw[:len(raw)-1]), owner, "tampered"},
		{"byte appended", "v1.one." + base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw), 0)), owner, "tampered"},
		{"padding added", sealed + "=", owner, "not base64url"},
		{"spare bits set", "v1.one." + loose, owner, "not base64url"},
		{"standard alphabet", "v1.one." + strings.NewReplacer("-", "+", "_", "/").Replace(payload) + "+/", owner, "not base64url"},
		{"space inside", "v1.one. " + payload, owner, "not base64url"},
		{"newline at the end", sealed + "\n", owner, "not base64url"},
		{"carriage return inside", sealed[:20] + "\r" + sealed[20:], owner, "not base64url"},
		{"too long", "v1.one." + strings.Repeat("A", base64.RawURLEncoding.EncodedLen(maxPlaintext+28)+1), owner, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := box.Open(tt.sealed, []byte(tt.owner))
			if got != nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("Open(%.60q, %q) = %q, %v, want nil and ErrInvalid mentioning %q", tt.sealed, tt.owner, got, err, tt.reason)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	one := base64.StdEncoding.EncodeToString(keyOne.Secret)
	two := base64.StdEncoding.EncodeToString(keyTwo.Secret)
	keys, err := ParseKeys(" one=" + one + " , Key_2-b=" + two)
	if err != nil || len(keys) != 2 || keys[0].ID != "one" || !bytes.Equal(keys[0].Secret, keyOne.Secret) ||
		keys[1].ID != "Key_2-b" || !bytes.Equal(keys[1].Secret, keyTwo.Secret) {
		t.Errorf("ParseKeys(two keys) = %+v, %v, want one then Key_2-b", keys, err)
	}
	if keys, err := ParseKeys(strings.Repeat("k", 32) + "=" + one); err != nil || len(keys) != 1 {
		t.Errorf("ParseKeys(32-character ID) = %+v, %v, want one key", keys, err)
	}

	tests := []struct {
		name   string
		s      string
		reason string
	}{
		{"empty", "", "no key"},
		{"spaces", "   ", "no key"},
		{"no ID", one, "key 1: ID is not"},
		{"no equals sign", "one:" + strings.TrimRight(one, "="), "key 1: want kid=base64key"},
		{"empty ID", "=" + one, "key 1: ID is not"},
		{"ID too long", strings.Repeat("k", 33) + "=" + one, "key 1: ID is not"},
		{"ID with a dot", "v1.one=" + one, "key 1: ID is not"},
		{"ID with a space", "my key=" + one, "key 1: ID is not"},
		{"non-ASCII ID", "kéy=" + one, "key 1: ID is not"},
		{"repeated ID", "one=" + one + ",one=" + two, `key ID "one" is repeated`},
		{"not base64", "one=not base64!", "key 1: not base64"},
		{"URL-safe base64", "one=" + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, KeySize)), "key 1: not base64"},
		{"base64 without padding", "one=" + strings.TrimRight(one, "="), "key 1: not base64"},
		{"31 bytes", "one=" + base64.StdEncoding.EncodeToString(make([]byte, 31)), `key "one" has 31 bytes, want 32`},
		{"33 bytes", "one=" + base64.StdEncoding.EncodeToString(make([]byte, 33)), `key "one" has 33 bytes, want 32`},
		{"16 bytes (AES-128)", "one=" + base64.StdEncoding.EncodeToString(make([]byte, 16)), "has 16 bytes"},
		{"empty key", "one=", "has 0 bytes"},
		{"trailing comma", "one=" + one + ",", "key 2: want kid=base64key"},
		{"second key bad", "one=" + one + ",two=!", "key 2: not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseKeys(tt.s)
			if keys != nil || err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("ParseKeys(%q) = %+v, %v, want an error mentioning %q", tt.s, keys, err, tt.reason)
			}
			// A secret written without its "kid=" must not end up in logs.
			if err != nil && strings.Contains(err.Error(), strings.TrimRight(one, "=")) {
				t.Errorf("ParseKeys(%q) error = %v, quotes the secret", tt.s, err)
			}
		})
	}
}

func TestNewRefusals(t *testing.T) {
	tests := []struct {
		name   string
		keys   []Key
		reason string
	}{
		{"no keys", nil, "no key"},
		{"bad ID", []Key{{ID: "a.b", Secret: keyOne.Secret}}, "key 1: ID is not"},
		{"repeated ID", []Key{keyOne, {ID: "one", Secret: keyTwo.Secret}}, `key ID "one" is repeated`},
		{"short key", []Key{keyOne, {ID: "short", Secret: make([]byte, 16)}}, `key "short" has 16 bytes`},
		{"nil key", []Key{{ID: "nil"}}, `key "nil" has 0 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box, err := New(tt.keys)
			if box != nil || err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("New(%s) = %v, %v, want an error mentioning %q", tt.name, box, err, tt.reason)
			}
		})
	}
}

func TestRandomKey(t *testing.T) {
	a, b := RandomKey("dev"), RandomKey("dev")
	if a.ID != "dev" || len(a.Secret) != KeySize || bytes.Equal(a.Secret, b.Secret) {
		t.Fatalf("RandomKey = %q with %d bytes (same as the next: %v), want dev, %d fresh bytes", a.ID, len(a.Secret), bytes.Equal(a.Secret, b.Secret), KeySize)
	}
	sealed, err := newBox(t, a).Seal([]byte("s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newBox(t, b).Open(sealed, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open under another random key error = %v, want ErrInvalid", err)
	}
}
