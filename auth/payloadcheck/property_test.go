package payloadcheck

import (
	"context"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// gen makes random templates, substitutions and payloads. Keys come from a
// small pool with no two equal without regard to case, so that templates
// are valid and the Observer's caps are never reached at the top level.
type gen struct {
	rng       *rand.Rand
	variables Static
}

var (
	keyPool     = []string{"a", "b", "priceId", "quantity", "é", "Ω", "x_y"}
	stringPool  = []string{"", "a", "A", "1", "1.0", "true", "null", "price_1", "é", "<", "a b", "\u2028", "\x01"}
	numberPool  = []string{"0", "-0", "1", "1.0", "10e-1", "2", "-1.5", "100", "1e2", "0.25", "12345678901234567890", "12345678901234567891", "1e400"}
	variableSet = []string{"v0", "v1", "v2", "v3"}
)

func newGen(seed uint64) *gen {
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed+1)), variables: Static{}}
	for _, name := range variableSet {
		g.variables[name] = g.variableValue()
	}
	return g
}

func (g *gen) pick(n int) int { return g.rng.IntN(n) }

func (g *gen) scalar() any {
	switch g.pick(5) {
	case 0:
		return nil
	case 1:
		return g.pick(2) == 0
	case 2:
		return json.Number(numberPool[g.pick(len(numberPool))])
	}
	return stringPool[g.pick(len(stringPool))]
}

func (g *gen) variableValue() json.RawMessage {
	var v any
	switch g.pick(4) {
	case 0:
		v = g.scalar()
	case 1:
		v = "<%= * %>"
	default:
		list := make([]any, g.pick(4)) // sometimes empty: allows nothing
		for i := range list {
			list[i] = g.scalar()
		}
		v = list
	}
	b, _ := json.Marshal(v)
	return b
}

// keys returns a random subset of the key pool, in random order.
func (g *gen) keys(most int) []string {
	ks := slices.Clone(keyPool)
	g.rng.Shuffle(len(ks), func(i, j int) { ks[i], ks[j] = ks[j], ks[i] })
	return ks[:g.pick(min(most, len(ks))+1)]
}

// template returns a random valid template, as a Go value for json.Marshal.
func (g *gen) template() map[string]any {
	t := g.object(2)
	if g.pick(3) == 0 {
		q := map[string]any{}
		for _, k := range g.keys(3) {
			switch g.pick(3) {
			case 0:
				q[k] = stringPool[g.pick(len(stringPool))]
			case 1:
				q[k] = []any{stringPool[g.pick(len(stringPool))], stringPool[g.pick(len(stringPool))]}
			default:
				q[k] = "<%= * %>"
			}
		}
		t[queryKey] = q
	}
	return t
}

// object returns a random template object whose fields are at depth.
func (g *gen) object(depth int) map[string]any {
	obj := map[string]any{}
	for _, k := range g.keys(4) {
		obj[k] = g.value(depth)
	}
	return obj
}

func (g *gen) value(depth int) any {
	choice := g.pick(6)
	if depth >= MaxDepth-1 {
		choice = g.pick(3) // no containers
	}
	switch choice {
	case 0:
		return g.scalar()
	case 1:
		return "<%= * %>"
	case 2:
		return "<%= " + variableSet[g.pick(len(variableSet))] + " %>"
	case 3, 4:
		list := make([]any, 1+g.pick(3))
		for i := range list {
			if g.pick(4) == 0 {
				list[i] = g.object(depth + 2)
			} else {
				list[i] = g.scalar()
			}
		}
		return list
	}
	return g.object(depth + 1)
}

// any returns a random JSON value.
func (g *gen) any(depth int) any {
	if depth > 4 {
		return g.scalar()
	}
	switch g.pick(4) {
	case 0:
		obj := map[string]any{}
		for _, k := range g.keys(3) {
			obj[k] = g.any(depth + 1)
		}
		return obj
	case 1:
		list := make([]any, g.pick(3))
		for i := range list {
			list[i] = g.any(depth + 1)
		}
		return list
	}
	return g.scalar()
}

// compile compiles templates for action with g's variables. Variables may
// fail closed (an empty list, a number in the query): that is fine here.
func (g *gen) compile(t testing.TB, templates ...map[string]any) *Set {
	t.Helper()
	ts := make([]Template, len(templates))
	for i, tmpl := range templates {
		b, err := json.Marshal(tmpl)
		if err != nil {
			t.Fatalf("json.Marshal(%v) = %v", tmpl, err)
		}
		if err := Validate(b); err != nil {
			t.Fatalf("Validate(%s) = %v, want a valid generated template", b, err)
		}
		ts[i] = b
	}
	s, _ := Compile(context.Background(), map[string][]Template{action: ts}, g.variables)
	return s
}

// spell returns a random spelling of the canonical number c.
func (g *gen) spell(c string) json.Number {
	s := []string{c, formatNumber(c)}[g.pick(2)]
	switch {
	case g.pick(3) > 0:
	case !strings.ContainsAny(s, ".e"):
		s += ".000"
	case !strings.Contains(s, "e"):
		s += "0e0"
	}
	return json.Number(s)
}

func (g *gen) scalarValue(s scalar) any {
	switch s.typ {
	case typeNull:
		return nil
	case typeBool:
		return s.text == "true"
	case typeNumber:
		return g.spell(s.text)
	}
	return s.text
}

// payload returns a random payload n allows; ok is false if n allows none.
func (g *gen) payload(n *node) (v any, ok bool) {
	switch n.kind {
	case kindAny:
		return g.any(0), true
	case kindFixed:
		return g.scalarValue(n.value), true
	case kindObject:
		obj := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(n.fields)) {
			if g.pick(4) == 0 {
				continue
			}
			if v, ok := g.payload(n.fields[k]); ok {
				if up := strings.ToUpper(k); g.pick(4) == 0 && FoldKey(up) == FoldKey(k) {
					k = up // the same field to encoding/json
				}
				obj[k] = v
			}
		}
		return obj, true
	}
	values := n.sortedValues()
	element := func() (any, bool) {
		if len(n.objects) > 0 && (len(values) == 0 || g.pick(2) == 0) {
			return g.payload(n.objects[g.pick(len(n.objects))])
		}
		if len(values) == 0 {
			return nil, false
		}
		return g.scalarValue(values[g.pick(len(values))]), true
	}
	if g.pick(2) == 0 {
		return element()
	}
	list := []any{}
	for range g.pick(4) {
		if el, ok := element(); ok {
			list = append(list, el)
		}
	}
	return list, len(values)+len(n.objects) > 0
}

// query returns a random query the query template q allows.
func (g *gen) query(q *node) url.Values {
	params := url.Values{}
	if q == nil {
		return params
	}
	for _, k := range slices.Sorted(maps.Keys(q.fields)) {
		f := q.fields[k]
		v, ok := g.payload(f)
		if !ok || g.pick(3) == 0 {
			continue
		}
		switch t := v.(type) {
		case string:
			params[k] = []string{t}
		case []any:
			for _, el := range t {
				if s, ok := el.(string); ok {
					params[k] = append(params[k], s)
				}
			}
			if len(params[k]) == 1 && f.kind != kindList {
				delete(params, k) // one string would not be the list the fixed value refused
			}
		}
	}
	return params
}

// mutate changes one random place of v.
func (g *gen) mutate(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 || g.pick(4) == 0 {
			t[keyPool[g.pick(len(keyPool))]] = g.any(1)
			return t
		}
		ks := slices.Sorted(maps.Keys(t))
		k := ks[g.pick(len(ks))]
		t[k] = g.mutate(t[k])
		return t
	case []any:
		if len(t) > 0 && g.pick(2) == 0 {
			i := g.pick(len(t))
			t[i] = g.mutate(t[i])
			return t
		}
	}
	return g.any(1)
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%v) = %v", v, err)
	}
	return b
}

// TestPropertyGeneratedPayloadsMatch: a payload made from a template always
// matches it, whatever the other templates of the action.
func TestPropertyGeneratedPayloadsMatch(t *testing.T) {
	for seed := range uint64(2000) {
		g := newGen(seed)
		templates := []map[string]any{g.template(), g.template()}[:1+g.pick(2)]
		s := g.compile(t, templates...)
		for i, n := range s.actions[action].templates {
			for range 5 {
				body, _ := g.payload(n)
				b, q := marshal(t, body), g.query(n.query)
				if err := s.Check(action, b, q); err != nil {
					t.Fatalf("seed %d: Check(%s, %v) against template %d %s = %v, want nil", seed, b, q, i, n.appendJSON(nil), err)
				}
			}
		}
	}
}

// TestPropertyTypeChangeNeverMatches: a fixed value, alone or in a list,
// never matches a value of another type, however alike their spellings.
func TestPropertyTypeChangeNeverMatches(t *testing.T) {
	others := func(v any) []any {
		switch t := v.(type) {
		case nil:
			return []any{"null", "", json.Number("0"), false, map[string]any{}}
		case bool:
			s := map[bool]string{true: "true", false: "false"}[t]
			return []any{s, json.Number(map[bool]string{true: "1", false: "0"}[t]), nil, []any{s}}
		case json.Number:
			return []any{string(t), formatNumber(string(t)), t == "1", nil, map[string]any{"n": t}}
		}
		s := v.(string)
		out := []any{json.Number("1"), true, false, nil}
		if _, ok := canonicalNumber(s); ok {
			out = append(out, json.Number(s))
		}
		return out
	}
	g := newGen(99)
	for range 500 {
		v := g.scalar()
		s := g.compile(t, map[string]any{"v": v, "o": map[string]any{"v": v}, "l": []any{v}})
		sv, _ := scalarOf(v)
		same := g.scalarValue(sv)
		for _, body := range []any{
			map[string]any{"v": same}, map[string]any{"o": map[string]any{"v": same}}, map[string]any{"l": same}, map[string]any{"l": []any{same}},
		} {
			if err := s.Check(action, marshal(t, body), nil); err != nil {
				t.Fatalf("Check(%s) against %v = %v, want nil", marshal(t, body), v, err)
			}
		}
		for _, other := range others(v) {
			for _, body := range []any{
				map[string]any{"v": other}, map[string]any{"o": map[string]any{"v": other}}, map[string]any{"l": other}, map[string]any{"l": []any{other}},
			} {
				if err := s.Check(action, marshal(t, body), nil); err == nil {
					t.Fatalf("Check(%s) against %#v = nil, want refused", marshal(t, body), v)
				}
			}
		}
	}
}

// TestPropertyRoundTripKeepsVerdict: a Set read back from its JSON decides
// every payload as the original does, down to the field named.
func TestPropertyRoundTripKeepsVerdict(t *testing.T) {
	for seed := range uint64(1000) {
		g := newGen(seed)
		templates := []map[string]any{g.template(), g.template(), g.template()}[:1+g.pick(3)]
		s := g.compile(t, templates...)
		b := marshal(t, s)
		var back Set
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("seed %d: json.Unmarshal(%s) = %v", seed, b, err)
		}
		if again := marshal(t, &back); string(again) != string(b) {
			t.Fatalf("seed %d: json.Marshal(json.Unmarshal(%s)) = %s", seed, b, again)
		}
		for range 20 {
			n := s.actions[action].templates[g.pick(len(templates))]
			body, _ := g.payload(n)
			if g.pick(2) == 0 {
				body = g.mutate(body)
			}
			q := g.query(n.query)
			if g.pick(4) == 0 {
				q.Add(keyPool[g.pick(len(keyPool))], stringPool[g.pick(len(stringPool))])
			}
			raw := marshal(t, body)
			want, got := s.Check(action, raw, q), back.Check(action, raw, q)
			if (want == nil) != (got == nil) || want != nil && want.Error() != got.Error() {
				t.Fatalf("seed %d: Check(%s, %v) = %v, after a round trip through %s = %v", seed, raw, q, want, b, got)
			}
		}
	}
}

// TestPropertyProposalsMatchObserved: what the Observer proposes allows
// every payload it observed.
func TestPropertyProposalsMatchObserved(t *testing.T) {
	for seed := range uint64(1000) {
		g := newGen(seed)
		o := NewObserver(g.pick(6))
		s := g.compile(t, g.template())
		n := s.actions[action].templates[0]
		var observed []string
		for range 1 + g.pick(30) {
			var body any
			switch g.pick(4) {
			case 0:
				body = g.any(0)
			case 1:
				body, _ = g.payload(n)
				body = g.mutate(body)
			default:
				body, _ = g.payload(n)
			}
			raw := marshal(t, body)
			o.Observe(action, raw)
			if recordedWhole(string(raw)) {
				observed = append(observed, string(raw))
			}
		}
		proposalsMatch(t, o, map[string][]string{action: observed})
	}
}

// observed returns a random body for listen mode to observe: any JSON, or
// a payload for n, mutated or not, sometimes nested deep.
func (g *gen) observed(t testing.TB, n *node) []byte {
	var body any
	switch g.pick(4) {
	case 0:
		body = g.any(0)
	case 1:
		body, _ = g.payload(n)
		body = g.mutate(body)
	default:
		body, _ = g.payload(n)
	}
	if g.pick(4) == 0 {
		for range 1 + g.pick(MaxDepth) {
			body = map[string]any{keyPool[g.pick(len(keyPool))]: body}
		}
	}
	return marshal(t, body)
}

// TestPropertySummaryRecordsTheSame: an Observer that observed only the
// summary of another's payloads records the same: it proposes the same,
// then and after more payloads to both, and sums up the same.
func TestPropertySummaryRecordsTheSame(t *testing.T) {
	for seed := range uint64(1000) {
		g := newGen(seed)
		maxValues := g.pick(6)
		whole, summed := NewObserver(maxValues), NewObserver(maxValues)
		n := g.compile(t, g.template()).actions[action].templates[0]
		var bodies []string
		for range 1 + g.pick(20) {
			raw := g.observed(t, n)
			bodies = append(bodies, string(raw))
			whole.Observe(action, raw)
		}
		summary := whole.Summary(action)
		for _, p := range summary {
			summed.Observe(action, p)
		}
		if got, want := summed.Proposals(), whole.Proposals(); !maps.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("seed %d: after %q summed up as %q, Proposals() = %s, want %s", seed, bodies, summary, got, want)
		}
		if again := summed.Summary(action); !slices.EqualFunc(again, summary, slices.Equal) {
			t.Fatalf("seed %d: the summary of %q is %q", seed, summary, again)
		}
		for range g.pick(10) {
			raw := g.observed(t, n)
			bodies = append(bodies, string(raw))
			whole.Observe(action, raw)
			summed.Observe(action, raw)
		}
		if got, want := summed.Proposals(), whole.Proposals(); !maps.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("seed %d: after %q (the first summed up as %q), Proposals() = %s, want %s", seed, bodies, summary, got, want)
		}
	}
}
