package policy

import "strings"

// Match reports whether s matches the glob pattern. A "*" in pattern matches
// any run of bytes, the empty one included, and crosses ":" and "/" alike, so
// "*" matches every action and "*:read" matches "products:read". Every other
// byte matches only itself, case-sensitively. There is no "?", no character
// class and no escape; a "*" in s is an ordinary byte, matched by a "*" in
// pattern like any other. Consecutive stars act as one. The empty pattern
// matches only the empty string.
//
// Match compares bytes; for valid UTF-8 that is the same as comparing
// characters. It runs in time linear in len(pattern)+len(s), never
// backtracks, and does not allocate.
func Match(pattern, s string) bool {
	g := compileGlob(pattern)
	return g.match(s)
}

// glob is a pattern split at its first and last star, once, so that the hot
// path does not scan for stars on every request.
type glob struct {
	prefix string // before the first star; the whole pattern if it has none
	suffix string // after the last star
	middle string // between the first and last star, inner stars included
	star   bool
}

func compileGlob(pattern string) glob {
	first := strings.IndexByte(pattern, '*')
	if first < 0 {
		return glob{prefix: pattern}
	}
	last := strings.LastIndexByte(pattern, '*')
	g := glob{prefix: pattern[:first], suffix: pattern[last+1:], star: true}
	if last > first {
		g.middle = pattern[first+1 : last]
	}
	return g
}

func (g *glob) match(s string) bool {
	if !g.star {
		return s == g.prefix
	}
	if len(s) < len(g.prefix)+len(g.suffix) || !strings.HasPrefix(s, g.prefix) || !strings.HasSuffix(s, g.suffix) {
		return false
	}
	return matchMiddle(g.middle, s[len(g.prefix):len(s)-len(g.suffix)])
}

// matchMiddle reports whether the star-separated literals of middle occur in
// s in order, without overlapping. Stars surround middle, so taking each
// literal's leftmost occurrence is never wrong: it leaves the most of s for
// the rest. This is the classic greedy wildcard match with the scan after a
// star done by strings.Index. Each search starts where the previous match
// ended, so s is scanned once and nothing is retried.
func matchMiddle(middle, s string) bool {
	for middle != "" {
		var lit string
		if i := strings.IndexByte(middle, '*'); i >= 0 {
			lit, middle = middle[:i], middle[i+1:]
		} else {
			lit, middle = middle, ""
		}
		if lit == "" {
			continue
		}
		at := strings.Index(s, lit)
		if at < 0 {
			return false
		}
		s = s[at+len(lit):]
	}
	return true
}
