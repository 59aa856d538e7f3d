package policy

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		// Empty strings.
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"*", "", true},
		{"**", "", true},
		{"a*", "", false},
		{"*a", "", false},

		// * alone and runs of stars.
		{"*", "products:create", true},
		{"*", "tenant/1/products/2", true},
		{"*", "*", true},
		{"**", "products:create", true},
		{"***", "x", true},
		{"a**b", "ab", true},
		{"a**b", "axxb", true},
		{"a**b", "axxc", false},

		// Literals.
		{"products:create", "products:create", true},
		{"products:create", "products:creat", false},
		{"products:create", "products:createx", false},
		{"products:create", "xproducts:create", false},

		// Case sensitivity.
		{"products:create", "Products:create", false},
		{"Products:*", "products:create", false},
		{"products:*", "products:CREATE", true},
		{"*:Read", "products:read", false},

		// Trailing star.
		{"products:*", "products:create", true},
		{"products:*", "products:", true},
		{"products:*", "products", false},
		{"products:*", "product:create", false},
		{"prod*", "products:create", true},

		// Leading star.
		{"*:read", "products:read", true},
		{"*:read", ":read", true},
		{"*:read", "products:reads", false},
		{"*:read", "products:unread", false},
		{"*read", "products:unread", true},

		// Stars at both ends and in the middle.
		{"*:*", "products:create", true},
		{"*:*", "products", false},
		{"*ducts:cre*", "products:create", true},
		{"*ducts:cre*", "products:delete", false},
		{"p*s:c*e", "products:create", true},
		{"p*s:c*e", "products:created", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbXc", true},
		{"a*b*c", "acb", false},
		{"a*b*c", "abcbc", true},
		{"a*a", "a", false}, // prefix and suffix must not overlap
		{"a*a", "aa", true},
		{"ab*ba", "aba", false},
		{"*aab*", "aaab", true}, // the literal is found past a false start
		{"*ab*ab*", "abab", true},
		{"*ab*ab*", "aab", false},

		// Crossing ":" and "/".
		{"*", "a:b/c:d", true},
		{"prod*create", "products:create", true},
		{"tenant/*", "tenant/42/products/7", true},
		{"tenant/*/products/*", "tenant/42/products/7", true},
		{"tenant/*/products/*", "tenant/42/customers/7", false},
		{"tenant/*/products/*", "tenant/42/x/products/7", true},
		{"*/7", "tenant/42/products/7", true},
		{"tenant/*", "tenant/0b7e4a1c", true},
		{"tenant/*", "tenant", false},
		{"tenant/*", "platform", false},
		{"prod*:c*e", "prod:cube", true},
		{"prod*:c*e", "products:created", false},
		{"tenant/42/*", "tenant/43/products/7", false},

		// A star in s is an ordinary byte.
		{"a*", "a*", true},
		{"a", "*", false},
		{"*:*", "*:*", true},

		// Bytes, not characters.
		{"é*", "été", true},
		{"*é", "été", true},
		{"\xff*", "\xff\xfe", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"~"+tt.s, func(t *testing.T) {
			if got := Match(tt.pattern, tt.s); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}

// TestMatchNoBlowup feeds Match the inputs that make backtracking matchers
// exponential or quadratic. Each must finish at once.
func TestMatchNoBlowup(t *testing.T) {
	long := strings.Repeat("a", 1<<16)
	tests := []struct {
		name, pattern, s string
		want             bool
	}{
		{"many stars", strings.Repeat("a*", 64) + "b", long, false},
		{"many stars match", strings.Repeat("a*", 64) + "a", long, true},
		{"long literal after star", "*" + strings.Repeat("a", 1000) + "b", long, false},
		{"long literals between stars", strings.Repeat("*"+strings.Repeat("a", 100)+"b", 8) + "*", long, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			if got := Match(tt.pattern, tt.s); got != tt.want {
				t.Errorf("Match(%q..., %d bytes) = %v, want %v", tt.pattern[:min(len(tt.pattern), 20)], len(tt.s), got, tt.want)
			}
			// Generous for a loaded machine; a backtracking matcher takes years here.
			if d := time.Since(start); d > time.Second {
				t.Errorf("Match took %v", d)
			}
		})
	}
}

// refRegexp is the reference matcher: the pattern's literals quoted, joined
// by ".*", anchored, with "." matching newlines too. RE2 works on
// characters, so it agrees with Match only on valid UTF-8.
func refRegexp(pattern string) *regexp.Regexp {
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^(?s:` + strings.Join(parts, ".*") + `)$`)
}

// refDP is a second reference, the textbook dynamic programme over bytes:
// after i pattern bytes, row[j] says whether they match s[:j].
func refDP(pattern, s string) bool {
	row := make([]bool, len(s)+1)
	row[0] = true
	next := make([]bool, len(s)+1)
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '*' {
			next[0] = row[0]
			for j := 1; j <= len(s); j++ {
				next[j] = row[j] || next[j-1]
			}
		} else {
			next[0] = false
			for j := 1; j <= len(s); j++ {
				next[j] = row[j-1] && s[j-1] == pattern[i]
			}
		}
		row, next = next, row
	}
	return row[len(s)]
}

// TestMatchAgreesWithReference checks Match against the regexp reference on
// every pattern up to 4 bytes and string up to 5 bytes over a, b, ":" and
// "*", then on random longer ones.
func TestMatchAgreesWithReference(t *testing.T) {
	const alphabet = "ab:*"
	all := func(maxLen int) []string {
		out := []string{""}
		for prev := []string{""}; maxLen > 0; maxLen-- {
			var cur []string
			for _, p := range prev {
				for _, c := range alphabet {
					cur = append(cur, p+string(c))
				}
			}
			out = append(out, cur...)
			prev = cur
		}
		return out
	}
	subjects := all(5)
	for _, p := range all(4) {
		re := refRegexp(p)
		for _, s := range subjects {
			if got, want := Match(p, s), re.MatchString(s); got != want {
				t.Fatalf("Match(%q, %q) = %v, want %v", p, s, got, want)
			}
		}
	}

	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) string {
		b := make([]byte, rng.IntN(n+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 20000 {
		p, s := random(10), random(16)
		if got, want := Match(p, s), refRegexp(p).MatchString(s); got != want {
			t.Fatalf("Match(%q, %q) = %v, want %v", p, s, got, want)
		}
	}
}

func TestRefDP(t *testing.T) {
	// The fuzz target trusts refDP on bytes regexp cannot handle; check it
	// against regexp where both apply.
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "ab:*/"
	random := func(n int) string {
		b := make([]byte, rng.IntN(n+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 5000 {
		p, s := random(8), random(12)
		if got, want := refDP(p, s), refRegexp(p).MatchString(s); got != want {
			t.Fatalf("refDP(%q, %q) = %v, want %v", p, s, got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""}, {"*", ""}, {"*", "products:create"}, {"products:*", "products:create"},
		{"*:read", "customers:read"}, {"a*b*c", "aXbXc"}, {"tenant/*/products/*", "tenant/1/products/2"},
		{"*aab*", "aaab"}, {"a*a", "a"}, {"é*\xff", "é\xff"}, {"*\n*", "a\nb"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := Match(pattern, s)
		// The references take time len(pattern)·len(s); past these sizes they
		// would slow the fuzzer to a crawl, and Match is then checked only
		// against itself below.
		work := len(pattern) * len(s)
		if work <= 1<<18 {
			if want := refDP(pattern, s); got != want {
				t.Fatalf("Match(%q, %q) = %v, want %v (DP)", pattern, s, got, want)
			}
		}
		if work <= 1<<14 && utf8.ValidString(pattern) && utf8.ValidString(s) {
			if want := refRegexp(pattern).MatchString(s); got != want {
				t.Fatalf("Match(%q, %q) = %v, want %v (regexp)", pattern, s, got, want)
			}
		}
		if !Match(pattern, pattern) {
			t.Fatalf("Match(%q, %q) = false, want true: a pattern matches itself", pattern, pattern)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	benches := []struct{ name, pattern, s string }{
		{"literal", "subscriptions:cancel", "subscriptions:cancel"},
		{"literal-miss", "subscriptions:cancel", "subscriptions:create"},
		{"any", "*", "subscriptions:cancel"},
		{"prefix", "subscriptions:*", "subscriptions:cancel"},
		{"suffix", "*:read", "subscriptions:read"},
		{"middle", "tenant/*/products/*", "tenant/0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55/products/42"},
		{"stars", "tenant/*/*ducts/*/v*", "tenant/0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55/products/42/v2"},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Match(bb.pattern, bb.s)
			}
		})
	}
}
