package auth

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// ParseBasic reads an `Authorization: Basic` header value (RFC 7617). The
// scheme name is case-insensitive; the password is everything after the
// first colon, so it may contain colons. ok is false for anything
// malformed: another scheme, bad base64, no colon, invalid UTF-8 or control
// characters in the login.
func ParseBasic(header string) (login, password string, ok bool) {
	scheme, encoded, found := strings.Cut(header, " ")
	// EqualFold alone would take Unicode look-alikes ("Baſic"); the scheme
	// is an ASCII token, so its length must match too.
	if !found || len(scheme) != len("Basic") || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", "", false
	}
	login, password, found = strings.Cut(string(decoded), ":")
	if !found || login == "" || !utf8.ValidString(login) || !utf8.ValidString(password) || hasControl(login) {
		return "", "", false
	}
	return login, password, true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
