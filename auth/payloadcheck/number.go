package payloadcheck

import (
	"cmp"
	"strconv"
	"strings"
)

// maxExponentDigits bounds the exponent a number may be written with, zeros
// in front not counted; beyond it a number is out of range (Validate refuses
// it, a payload's matches only the wildcard). It keeps the exponent
// arithmetic far from overflow.
const maxExponentDigits = 15

// canonicalNumber spells the JSON number text so that two numbers are equal
// exactly when their spellings are: an optional "-", the significant digits
// without leading or trailing zeros, then "e" and the exponent unless it is
// 0. Zero is "0". So 1, 1.0, 10e-1 and 1E0 are all "1", 100 is "1e2" and
// 0.25 is "25e-2". The digits are kept exactly: a big integer is never
// rounded through float64. ok is false if text is not a JSON number or its
// exponent has more than maxExponentDigits digits.
//
// A number already in canonical form, such as most integers, is returned
// as is, without allocating.
func canonicalNumber(text string) (c string, ok bool) {
	s := text
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, s := leadingDigits(s)
	if intPart == "" {
		return "", false
	}
	var frac string
	if rest, ok := strings.CutPrefix(s, "."); ok {
		if frac, s = leadingDigits(rest); frac == "" {
			return "", false
		}
	}
	exp := 0
	hasExp := s != "" && (s[0] == 'e' || s[0] == 'E')
	if hasExp {
		s = s[1:]
		expNeg := strings.HasPrefix(s, "-")
		if expNeg || strings.HasPrefix(s, "+") {
			s = s[1:]
		}
		var digits string
		if digits, s = leadingDigits(s); digits == "" {
			return "", false
		}
		digits = strings.TrimLeft(digits, "0")
		if len(digits) > maxExponentDigits {
			return "", false
		}
		n, _ := strconv.Atoi("0" + digits)
		if expNeg {
			n = -n
		}
		exp = n
	}
	if s != "" {
		return "", false
	}

	if intPart == "0" && frac == "" {
		return "0", true
	}
	if !hasExp && frac == "" && intPart[0] != '0' && intPart[len(intPart)-1] != '0' {
		return text, true
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return "0", true
	}
	exp -= len(frac)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(trimmed)
	if exp != 0 {
		b.WriteByte('e')
		b.WriteString(strconv.Itoa(exp))
	}
	return b.String(), true
}

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// splitCanonical returns the sign, significant digits and exponent of a
// canonicalNumber spelling.
func splitCanonical(c string) (neg bool, digits string, exp int) {
	neg = strings.HasPrefix(c, "-")
	if neg {
		c = c[1:]
	}
	digits, e, _ := strings.Cut(c, "e")
	exp, _ = strconv.Atoi(e)
	return neg, digits, exp
}

// formatNumber spells a canonical number as briefly as JSON allows, in plain
// decimal when that is no longer: "3e1" is written 30, "15e-1" 1.5, but 1e20
// stays 1e20.
func formatNumber(c string) string {
	neg, digits, exp := splitCanonical(c)
	if exp == 0 {
		return c
	}
	sign := ""
	if neg {
		sign = "-"
	}
	var plainLen int
	switch {
	case exp > 0:
		plainLen = len(sign) + len(digits) + exp
	case -exp < len(digits):
		plainLen = len(sign) + len(digits) + 1
	default:
		plainLen = len(sign) + 2 - exp
	}
	if plainLen > len(c) {
		return c
	}
	switch {
	case exp > 0:
		return sign + digits + strings.Repeat("0", exp)
	case -exp < len(digits):
		point := len(digits) + exp
		return sign + digits[:point] + "." + digits[point:]
	default:
		return sign + "0." + strings.Repeat("0", -exp-len(digits)) + digits
	}
}

// compareNumbers orders two canonical numbers by value.
func compareNumbers(a, b string) int {
	aNeg, aDigits, aExp := splitCanonical(a)
	bNeg, bDigits, bExp := splitCanonical(b)
	aZero, bZero := aDigits == "0", bDigits == "0"
	switch {
	case aZero || bZero:
		return cmp.Compare(signum(aNeg, aZero), signum(bNeg, bZero))
	case aNeg != bNeg:
		return cmp.Compare(signum(aNeg, false), signum(bNeg, false))
	}
	c := compareMagnitudes(aDigits, aExp, bDigits, bExp)
	if aNeg {
		return -c
	}
	return c
}

func signum(neg, zero bool) int {
	switch {
	case zero:
		return 0
	case neg:
		return -1
	}
	return 1
}

// compareMagnitudes compares digits×10^exp of two non-zero numbers whose
// digits have no leading or trailing zeros.
func compareMagnitudes(aDigits string, aExp int, bDigits string, bExp int) int {
	// The leading digit's power of ten decides, then the digits from there.
	if c := cmp.Compare(len(aDigits)+aExp, len(bDigits)+bExp); c != 0 {
		return c
	}
	return strings.Compare(aDigits, bDigits)
}
