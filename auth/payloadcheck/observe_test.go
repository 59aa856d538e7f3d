package payloadcheck

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// proposalsMatch checks that each proposal of o validates and allows every
// payload in observed, by action.
func proposalsMatch(t *testing.T, o *Observer, observed map[string][]string) {
	t.Helper()
	proposals := o.Proposals()
	templates := map[string][]Template{}
	for a, p := range proposals {
		if err := Validate(p); err != nil {
			t.Fatalf("Validate(proposal for %s %s) = %v", a, p, err)
		}
		templates[a] = []Template{p}
	}
	s, err := Compile(context.Background(), templates, nil)
	if err != nil {
		t.Fatalf("Compile(proposals) = %v", err)
	}
	for a, payloads := range observed {
		for _, p := range payloads {
			if err := s.Check(a, []byte(p), nil); err != nil {
				t.Fatalf("Check(%s, %s) against the proposal %s = %v, want nil", a, p, proposals[a], err)
			}
		}
	}
}

// recordedWhole reports whether Observe records all of payload, so that the
// proposal must allow it: an object whose top-level keys a template can have
// and which has room for all of them.
func recordedWhole(payload string) bool {
	v, m := decodePayload([]byte(payload))
	obj, ok := v.(map[string]any)
	if m != nil || !ok || len(obj) > MaxObservedFields {
		return false
	}
	for k := range obj {
		if keyProblem(k) != "" || k == queryKey {
			return false
		}
	}
	return true
}

func TestObserver(t *testing.T) {
	tests := []struct {
		name      string
		maxValues int
		payloads  []string
		want      string
	}{
		{"nothing seen", 3, nil, ""},
		{"empty object", 3, []string{`{}`}, `{}`},
		{"values become sorted lists", 3, []string{`{"q": 3, "s": "b"}`, `{"q": 1, "s": "a"}`, `{"q": 2.0}`, `{"q": 3}`},
			`{"q":[1,2,3],"s":["a","b"]}`},
		{"past the threshold a wildcard", 3, []string{`{"q": 1}`, `{"q": 2}`, `{"q": 3}`, `{"q": 4}`, `{"q": 5}`},
			`{"q":"<%= * %>"}`},
		{"threshold 0", 0, []string{`{"q": 1, "o": {"a": 1}}`}, `{"o":{"a":"<%= * %>"},"q":"<%= * %>"}`},
		{"types kept apart and ordered", 10, []string{`{"v": "1"}`, `{"v": 1}`, `{"v": true}`, `{"v": null}`, `{"v": false}`, `{"v": -1.5}`},
			`{"v":[null,false,true,-1.5,1,"1"]}`},
		{"objects recurse", 3, []string{
			`{"priceId": "price_1", "paymentMethod": {"gateway": "sandbox", "token": "tok_1"}}`,
			`{"priceId": "price_2", "paymentMethod": {"gateway": "sandbox", "token": "tok_2"}}`,
		}, `{"paymentMethod":{"gateway":["sandbox"],"token":["tok_1","tok_2"]},"priceId":["price_1","price_2"]}`},
		{"lists contribute their elements", 3, []string{`{"ids": ["a", "b"]}`, `{"ids": "c"}`, `{"ids": []}`},
			`{"ids":["a","b","c"]}`},
		{"lists of objects", 3, []string{`{"items": [{"priceId": "p1"}, {"priceId": "p2", "quantity": 2}]}`},
			`{"items":[{"priceId":["p1","p2"],"quantity":[2]}]}`},
		{"object and scalar", 3, []string{`{"d": "none"}`, `{"d": {"code": "X"}}`}, `{"d":["none",{"code":["X"]}]}`},
		{"only empty lists", 3, []string{`{"ids": []}`}, `{"ids":"<%= * %>"}`},
		{"list in a list", 3, []string{`{"m": [[1]], "n": 1}`}, `{"m":"<%= * %>","n":[1]}`},
		{"markup in a value", 3, []string{`{"a": "<%= x %>", "b": "ok"}`}, `{"a":"<%= * %>","b":["ok"]}`},
		{"long string", 3, []string{`{"a": "` + strings.Repeat("x", MaxStringLen+1) + `"}`}, `{"a":"<%= * %>"}`},
		{"number out of range", 3, []string{`{"a": 1e1000000000000000}`}, `{"a":"<%= * %>"}`},
		{"key with markup below the top", 3, []string{`{"a": {"<%= k %>": 1}}`}, `{"a":"<%= * %>"}`},
		{"key with markup at the top", 3, []string{`{"<%= k %>": 1, "b": 2}`}, `{"b":[2]}`},
		{"$query at the top", 3, []string{`{"$query": 1, "b": 2}`}, `{"b":[2]}`},
		{"keys in another case are one field", 3, []string{`{"priceId": "a"}`, `{"PRICEID": "b"}`}, `{"priceId":["a","b"]}`},
		{"not objects are ignored", 3, []string{`[1]`, `"x"`, `null`, `{`, `{"a": 1} {}`, `{"b": 1}`}, `{"b":[1]}`},
		{"empty body is the empty object", 3, []string{``}, `{}`},
		{"nested past 8 levels", 3, []string{nested(10)},
			strings.Repeat(`{"a":`, 7) + `"<%= * %>"` + strings.Repeat("}", 7)},
		{"list at level 8", 3, []string{strings.Repeat(`{"a":`, 7) + `[1]` + strings.Repeat("}", 7)},
			strings.Repeat(`{"a":`, 7) + `"<%= * %>"` + strings.Repeat("}", 7)},
		{"list of objects at level 7", 3, []string{strings.Repeat(`{"a":`, 6) + `[{"b": 1}]` + strings.Repeat("}", 6)},
			strings.Repeat(`{"a":`, 6) + `"<%= * %>"` + strings.Repeat("}", 6)},
		{"list of empty objects at level 7", 3, []string{strings.Repeat(`{"a":`, 6) + `[{}]` + strings.Repeat("}", 6)},
			strings.Repeat(`{"a":`, 6) + `[{}]` + strings.Repeat("}", 6)},
		{"widened stays wide", 1, []string{`{"a": {"b": 1}}`, `{"a": 1}`, `{"a": 2}`, `{"a": {"c": 1}}`}, `{"a":"<%= * %>"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewObserver(tt.maxValues)
			for _, p := range tt.payloads {
				o.Observe(action, []byte(p))
			}
			got := string(o.Proposals()[action])
			if got != tt.want {
				t.Errorf("Proposals()[%s] = %s, want %s", action, got, tt.want)
			}
			if tt.want == "" {
				return
			}
			var covered []string
			for _, p := range tt.payloads {
				if recordedWhole(p) {
					covered = append(covered, p)
				}
			}
			proposalsMatch(t, o, map[string][]string{action: covered})
		})
	}
}

func TestObserverActionsApart(t *testing.T) {
	o := NewObserver(3)
	o.Observe("a:create", []byte(`{"x": 1}`))
	o.Observe("b:create", []byte(`{"y": 2}`))
	got := o.Proposals()
	if len(got) != 2 || string(got["a:create"]) != `{"x":[1]}` || string(got["b:create"]) != `{"y":[2]}` {
		t.Errorf("Proposals() = %s, want a:create {x:[1]} and b:create {y:[2]}", got)
	}
}

func TestObserverFieldCap(t *testing.T) {
	leaves := func(n int) string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf(`"k%03d": 1`, i))
		}
		return strings.Join(kv, ",")
	}
	tests := []struct {
		name     string
		payloads []string
		want     []string // in the proposal
		wantNot  []string
	}{
		{"a new key below widens its field",
			[]string{"{" + leaves(MaxObservedFields) + "}", `{"k000": {"new": 1}}`},
			[]string{`"k000":"<%= * %>"`, `"k001":[1]`}, []string{"new"}},
		{"a new top-level key widens the field with the most under it",
			[]string{"{" + leaves(MaxObservedFields-5) + `, "big": {"a": {"b": 1}}, "small": {"c": 1}}`, `{"zzz": 1}`},
			[]string{`"big":"<%= * %>"`, `"small":{"c":[1]}`, `"zzz":[1]`}, nil},
		{"a full top level takes no new key",
			[]string{"{" + leaves(MaxObservedFields) + "}", `{"zzz": 1}`},
			[]string{`"k098":[1]`}, []string{"zzz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewObserver(3)
			for _, p := range tt.payloads {
				o.Observe(action, []byte(p))
			}
			got := string(o.Proposals()[action])
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Proposals() = %s, want it to contain %s", got, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("Proposals() = %s, want no %s", got, w)
				}
			}
		})
	}
}

func TestObserverWideningFreesFields(t *testing.T) {
	o := NewObserver(0)
	o.Observe(action, []byte(`{"a": {"b": {"c": 1}}}`))
	o.Observe(action, []byte(`{"a": 1}`))
	if a := o.actions[action]; a.fields != 1 {
		t.Errorf("fields after widening = %d, want 1", a.fields)
	}
}

// TestObserverFitsMaxNodes fills every field with as many values as allowed:
// the proposal must still validate, its fields with the most values made
// wildcards first.
func TestObserverFitsMaxNodes(t *testing.T) {
	o := NewObserver(MaxNodes)
	var payloads []string
	for v := range 20 {
		var kv []string
		for k := range MaxObservedFields {
			if k%2 == 0 || v < 5 {
				kv = append(kv, fmt.Sprintf(`"k%03d": %d`, k, v))
			}
		}
		payloads = append(payloads, "{"+strings.Join(kv, ",")+"}")
	}
	for _, p := range payloads {
		o.Observe(action, []byte(p))
	}
	proposal := o.Proposals()[action]
	if !strings.Contains(string(proposal), `"k000":"<%= * %>"`) {
		t.Errorf("Proposals() = %s, want k000, of 20 values, a wildcard", proposal)
	}
	proposalsMatch(t, o, map[string][]string{action: payloads})

	// The worst case: as many fields as kept, each a list of objects, two
	// values apiece (199 in all); a scalar in some lists makes 232.
	for _, el := range []string{`[{"a": [{"b": [{}]}]}]`, `[{"a": [{"b": [{}, 1]}]}, 2]`} {
		o = NewObserver(MaxNodes)
		var kv []string
		for k := range MaxObservedFields / 3 {
			kv = append(kv, fmt.Sprintf(`"k%03d": %s`, k, el))
		}
		worst := "{" + strings.Join(kv, ",") + "}"
		o.Observe(action, []byte(worst))
		proposalsMatch(t, o, map[string][]string{action: {worst}})
	}
}

func TestObserverConcurrent(t *testing.T) {
	o := NewObserver(5)
	var wg sync.WaitGroup
	var observed []string
	for g := range 8 {
		for i := range 50 {
			observed = append(observed, fmt.Sprintf(`{"g": %d, "i": %d, "o": {"k": "%d"}}`, g, i%7, i%3))
		}
	}
	for g := range 8 {
		wg.Go(func() {
			for _, p := range observed[g*50 : (g+1)*50] {
				o.Observe(action, []byte(p))
				o.Proposals()
			}
		})
	}
	wg.Wait()
	const want = `{"g":"<%= * %>","i":"<%= * %>","o":{"k":["0","1","2"]}}`
	if got := string(o.Proposals()[action]); got != want {
		t.Errorf("Proposals() = %s, want %s", got, want)
	}
	proposalsMatch(t, o, map[string][]string{action: observed})
}

func TestObserverSummary(t *testing.T) {
	leaves := func(n int) string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf(`"k%03d": 1`, i))
		}
		return strings.Join(kv, ",")
	}
	tests := []struct {
		name     string
		payloads []string
		want     []string
	}{
		{"nothing seen", nil, nil},
		{"empty object", []string{`{}`}, []string{`{}`}},
		{"values", []string{`{"q": 3, "s": "b"}`, `{"q": 1}`, `{"q": 2.0}`}, []string{`{"q":[1,2,3],"s":"b"}`}},
		{"a list of one value", []string{`{"ids": ["a"]}`}, []string{`{"ids":["a"]}`}},
		{"a field only seen as []", []string{`{"ids": []}`}, []string{`{"ids":[]}`}},
		{"scalar and object", []string{`{"d": "none"}`, `{"d": {"code": "X"}}`}, []string{`{"d":"none"}`, `{"d":{"code":"X"}}`}},
		{"objects in lists", []string{`{"items": [{"priceId": "p1"}, {"priceId": "p2", "quantity": 2}]}`},
			[]string{`{"items":[]}`, `{"items":{"priceId":["p1","p2"],"quantity":2}}`}},
		{"objects in objects", []string{`{"a": [1, {"b": [2, {"c": 3}]}], "z": 0}`},
			[]string{`{"a":[1],"z":0}`, `{"a":{"b":[2]}}`, `{"a":{"b":{"c":3}}}`}},
		{"widened", []string{`{"a": "<%= x %>", "b": [[1]], "c": 1}`, `{"c": 2}`, `{"c": 3}`, `{"c": 4}`},
			[]string{`{"a":"<%= * %>","b":"<%= * %>","c":"<%= * %>"}`}},
		{"ignored", []string{`[1]`, `{"$query": 1, "<%= k %>": 2}`}, []string{`{}`}},
		{"a list of objects at level 7", []string{strings.Repeat(`{"a":`, 6) + `[{"b": 1}]` + strings.Repeat("}", 6)},
			[]string{strings.Repeat(`{"a":`, 6) + `[]` + strings.Repeat("}", 6), strings.Repeat(`{"a":`, 6) + `{"b":"<%= * %>"}` + strings.Repeat("}", 6)}},
		{"an object at level 7 also seen in a list", []string{
			strings.Repeat(`{"a":`, 6) + `{"b": 1}` + strings.Repeat("}", 6),
			strings.Repeat(`{"a":`, 6) + `[2]` + strings.Repeat("}", 6),
		}, []string{
			strings.Repeat(`{"a":`, 6) + `[2]` + strings.Repeat("}", 6),
			strings.Repeat(`{"a":`, 6) + `{"b":1}` + strings.Repeat("}", 6),
		}},
		{"the field cap reached", []string{"{" + leaves(MaxObservedFields-5) + `, "big": {"a": {"b": 1}}, "small": {"c": 1}}`, `{"zzz": 1}`},
			[]string{`{"big":"<%= * %>",` + strings.ReplaceAll(leaves(MaxObservedFields-5), " ", "") + `,"small":{"c":1},"zzz":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			whole, summed := NewObserver(3), NewObserver(3)
			for _, p := range tt.payloads {
				whole.Observe(action, []byte(p))
			}
			var got []string
			for _, p := range whole.Summary(action) {
				got = append(got, string(p))
				summed.Observe(action, p)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Summary(%s) = %s, want %s", action, got, tt.want)
			}
			// More payloads, new keys past the cap among them, record
			// the same after the summary as after the payloads.
			for _, p := range []string{`{"c": 5}`, `{"small": {"d": [1, {"e": 2}]}}`, `{"yyy": 1, "d": {"code": "Y"}}`} {
				whole.Observe(action, []byte(p))
				summed.Observe(action, []byte(p))
			}
			if got, want := summed.Proposals(), whole.Proposals(); !maps.EqualFunc(got, want, slices.Equal) {
				t.Errorf("after more payloads, Proposals() = %s, from the payloads themselves %s", got, want)
			}
		})
	}
}

func TestNewObserverClamps(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{-1, 0}, {0, 0}, {7, 7}, {MaxNodes + 1, MaxNodes}} {
		if got := NewObserver(tt.in).maxValues; got != tt.want {
			t.Errorf("NewObserver(%d).maxValues = %d, want %d", tt.in, got, tt.want)
		}
	}
}
