package outbound

import (
	"strings"
	"unicode/utf8"
)

// hasControl reports whether s holds an ASCII control character (RFC 5234
// CTL, tab included): a line break in a header value would end it.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// isPrintableASCII reports whether s is ASCII from space to tilde.
func isPrintableASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e })
}

// textProblem is what makes s unfit for a header value that carries UTF-8
// text, or "".
func textProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case hasControl(s):
		return "holds a control character"
	}
	return ""
}
