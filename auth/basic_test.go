package auth

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func basicHeader(login, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(login+":"+password))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseBasic(t *testing.T) {
	tests := []struct {
		name         string
		header       string
		wantLogin    string
		wantPassword string
		wantOK       bool
	}{
		{"valid", basicHeader("alice", "s3cret"), "alice", "s3cret", true},
		{"RFC 7617 example", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame", true},
		{"lower-case scheme", "basic " + b64("alice:s3cret"), "alice", "s3cret", true},
		{"upper-case scheme", "BASIC " + b64("alice:s3cret"), "alice", "s3cret", true},
		{"mixed-case scheme", "bAsIc " + b64("alice:s3cret"), "alice", "s3cret", true},
		{"password with colons", basicHeader("alice", "a:b::c:"), "alice", "a:b::c:", true},
		{"password only colons", basicHeader("alice", ":::"), "alice", ":::", true},
		{"empty password", basicHeader("alice", ""), "alice", "", true},
		{"password with spaces kept", basicHeader("alice", "  pw  "), "alice", "  pw  ", true},
		{"password with control characters", basicHeader("alice", "p\tw\x00\x7f"), "alice", "p\tw\x00\x7f", true},
		{"unicode login and password", basicHeader("zoë", "pässwörd ✓"), "zoë", "pässwörd ✓", true},
		{"spaces around the token", "Basic   " + b64("alice:pw") + "  ", "alice", "pw", true},
		{"tab after the token", "Basic " + b64("alice:pw") + "\t", "alice", "pw", true},

		{"empty login", basicHeader("", "pw"), "", "", false},
		{"empty login and password", basicHeader("", ""), "", "", false},
		{"no colon", "Basic " + b64("alicepw"), "", "", false},
		{"empty token", "Basic ", "", "", false},
		{"only spaces after scheme", "Basic    ", "", "", false},
		{"bad base64", "Basic !!!not-base64!!!", "", "", false},
		{"truncated base64", "Basic " + b64("alice:pw")[:5], "", "", false},
		{"URL-safe base64 alphabet", "Basic " + base64.URLEncoding.EncodeToString([]byte("a?>:~~~")), "", "", false},
		{"base64 without padding", "Basic " + base64.RawStdEncoding.EncodeToString([]byte("alice:p")), "", "", false},
		{"space inside the token", "Basic " + b64("alice:pw")[:4] + " " + b64("alice:pw")[4:], "", "", false},
		{"other scheme", "Bearer " + b64("alice:pw"), "", "", false},
		{"scheme prefix only", "Basi " + b64("alice:pw"), "", "", false},
		{"scheme with suffix", "Basicx " + b64("alice:pw"), "", "", false},
		{"missing space", "Basic" + b64("alice:pw"), "", "", false},
		{"tab instead of space", "Basic\t" + b64("alice:pw"), "", "", false},
		{"leading space before scheme", " Basic " + b64("alice:pw"), "", "", false},
		{"scheme only", "Basic", "", "", false},
		{"empty header", "", "", "", false},
		{"invalid UTF-8 in login", "Basic " + b64("al\xffice:pw"), "", "", false},
		{"invalid UTF-8 in password", "Basic " + b64("alice:p\xc3w"), "", "", false},
		{"overlong encoding in login", "Basic " + b64("\xc0\xafx:pw"), "", "", false},
		{"NUL in login", basicHeader("al\x00ice", "pw"), "", "", false},
		{"newline in login", basicHeader("alice\n", "pw"), "", "", false},
		{"tab in login", basicHeader("al\tice", "pw"), "", "", false},
		{"DEL in login", basicHeader("alice\x7f", "pw"), "", "", false},
		{"escape in login", basicHeader("\x1b[31malice", "pw"), "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			login, password, ok := ParseBasic(tt.header)
			if login != tt.wantLogin || password != tt.wantPassword || ok != tt.wantOK {
				t.Errorf("ParseBasic(%q) = %q, %q, %v, want %q, %q, %v",
					tt.header, login, password, ok, tt.wantLogin, tt.wantPassword, tt.wantOK)
			}
		})
	}
}

// A megabyte of header is refused or parsed without panicking, quickly.
func TestParseBasicHugeHeader(t *testing.T) {
	const size = 1 << 20
	valid := basicHeader("alice", strings.Repeat("p", size))
	tests := []struct {
		name   string
		header string
		wantOK bool
	}{
		{"1 MB of garbage", "Basic " + strings.Repeat("!", size), false},
		{"1 MB of base64 without colon", "Basic " + b64(strings.Repeat("a", size)), false},
		{"1 MB of spaces", "Basic" + strings.Repeat(" ", size), false},
		{"1 MB scheme", strings.Repeat("B", size) + " " + b64("alice:pw"), false},
		{"1 MB password", valid, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, _, ok := ParseBasic(tt.header)
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("ParseBasic(%d bytes) took %v, want well under a second", len(tt.header), elapsed)
			}
			if ok != tt.wantOK {
				t.Errorf("ParseBasic(%d bytes) ok = %v, want %v", len(tt.header), ok, tt.wantOK)
			}
		})
	}
}

// randomRune draws from ASCII, Latin-1, the BMP and the astral planes, so
// that one-, two-, three- and four-byte encodings all occur.
func randomRune(r *rand.Rand) rune {
	for {
		var c rune
		switch r.IntN(4) {
		case 0:
			c = rune(r.IntN(0x80))
		case 1:
			c = rune(0x80 + r.IntN(0x780))
		case 2:
			c = rune(0x800 + r.IntN(0x10000-0x800))
		default:
			c = rune(0x10000 + r.IntN(0x110000-0x10000))
		}
		if utf8.ValidRune(c) {
			return c
		}
	}
}

// For every login without ':' or control characters and every valid UTF-8
// password, encoding as a Basic header and parsing round-trips.
func TestParseBasicRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var login, pw strings.Builder
		for n := 1 + r.IntN(20); login.Len() == 0 || n > 0; n-- {
			c := randomRune(r)
			if c == ':' || c < 0x20 || c == 0x7f {
				continue
			}
			login.WriteRune(c)
		}
		for n := r.IntN(30); n > 0; n-- {
			if r.IntN(5) == 0 {
				pw.WriteByte(':')
				continue
			}
			pw.WriteRune(randomRune(r))
		}
		header := basicHeader(login.String(), pw.String())
		if r.IntN(2) == 0 {
			header = "bAsIc " + header[len("Basic "):]
		}
		gotLogin, gotPassword, ok := ParseBasic(header)
		if !ok || gotLogin != login.String() || gotPassword != pw.String() {
			t.Fatalf("ParseBasic(%q) = %q, %q, %v, want %q, %q, true",
				header, gotLogin, gotPassword, ok, login.String(), pw.String())
		}
	}
}

func FuzzParseBasic(f *testing.F) {
	for _, seed := range []string{
		basicHeader("alice", "s3cret"),
		basicHeader("alice", "a:b:c"),
		basicHeader("alice", ""),
		basicHeader("", "pw"),
		basicHeader("al\x00ice", "pw"),
		"basic " + b64("x:y"),
		"Basic   " + b64("alice:pw") + "  ",
		"Basic " + b64("al\xffice:pw"),
		"Basic !!!",
		"Bearer abc",
		"Basic",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		login, password, ok := ParseBasic(header)
		if !ok {
			if login != "" || password != "" {
				t.Fatalf("ParseBasic(%q) = %q, %q, false, want empty strings when not ok", header, login, password)
			}
			return
		}
		if login == "" {
			t.Fatalf("ParseBasic(%q) login = %q, want non-empty", header, login)
		}
		if strings.Contains(login, ":") {
			t.Fatalf("ParseBasic(%q) login = %q, want no ':' (the split is at the first colon)", header, login)
		}
		if !utf8.ValidString(login) || !utf8.ValidString(password) {
			t.Fatalf("ParseBasic(%q) = %q, %q, want valid UTF-8", header, login, password)
		}
		if hasControl(login) {
			t.Fatalf("ParseBasic(%q) login = %q, want no control characters", header, login)
		}
		again := basicHeader(login, password)
		l2, p2, ok2 := ParseBasic(again)
		if !ok2 || l2 != login || p2 != password {
			t.Fatalf("ParseBasic(%q) = %q, %q, %v, want %q, %q, true (re-encoding of %q)",
				again, l2, p2, ok2, login, password, header)
		}
	})
}

// The scheme is an ASCII token (RFC 7235); strings.EqualFold also folds
// U+017F LATIN SMALL LETTER LONG S to 's', so "Baſic" passes as "Basic".
func TestParseBasicSchemeIsASCII(t *testing.T) {
	for _, scheme := range []string{"BASİC", "Bａsic", "Baſic"} {
		if login, pw, ok := ParseBasic(scheme + " " + b64("alice:pw")); ok {
			t.Errorf("ParseBasic(%q) = %q, %q, true, want false", scheme+" …", login, pw)
		}
	}
}
