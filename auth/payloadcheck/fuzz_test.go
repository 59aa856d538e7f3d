package payloadcheck

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

var templateSeeds = []string{
	subscribe,
	`{}`, `[]`, `null`, `"x"`, `{"a": []}`, `{"a": [[1]]}`, `{"a": "<%= Bad %>"}`, `{"a": "<%= * %> "}`,
	`{"$query": {"s": ["a", "b"], "t": "<%= v %>"}, "p": {"q": [1, {"r": "<%= * %>"}]}}`,
	`{"k": 1, "K": 2}`, `{"a": 1e999999999999999, "b": -0.0, "c": 12345678901234567890}`,
	`{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}`,
}

func FuzzValidate(f *testing.F) {
	for _, s := range templateSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := Validate(raw)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Message == "" {
				t.Fatalf("Validate(%q) = %#v, want a *FieldError with a message", raw, err)
			}
			return
		}
		// A valid template compiles without problems once its variables
		// are known, and its compiled form reads back unchanged.
		wildcard := ResolverFunc(func(context.Context, string) (Value, error) { return Value{Any: true}, nil })
		s, err := Compile(context.Background(), map[string][]Template{action: {raw}}, wildcard)
		if err != nil {
			t.Fatalf("Compile(%q) = %v, want nil for a valid template", raw, err)
		}
		checkRoundTrip(t, s)
	})
}

func FuzzCompile(f *testing.F) {
	for i, s := range templateSeeds {
		f.Add([]byte(s), []byte([]string{`["a", 1]`, `"x"`, `[]`, `{"a": 1}`, `"<%= * %>"`, `[[1]]`, `1.5e3`}[i%7]), i%3 == 0)
	}
	f.Fuzz(func(t *testing.T, raw, value []byte, wildcard bool) {
		r := ResolverFunc(func(context.Context, string) (Value, error) {
			return Value{Any: wildcard, JSON: value}, nil
		})
		s, err := Compile(context.Background(), map[string][]Template{action: {raw}}, r)
		if s == nil || !s.Restricts(action) {
			t.Fatalf("Compile(%q) = %v, %v, want a Set restricting %s", raw, s, err, action)
		}
		checkRoundTrip(t, s)
		if Validate(raw) != nil {
			if err == nil {
				t.Fatalf("Compile(%q) error = nil, want the template's problem", raw)
			}
			if s.Check(action, []byte(`{}`), nil) == nil {
				t.Fatalf("Check({}) against the invalid template %q = nil, want refused", raw)
			}
		}
	})
}

func FuzzMatch(f *testing.F) {
	payloads := []string{`{}`, ``, `{"priceId": "price_1", "quantity": 2.0}`, `{"paymentMethod": {"gateway": "x"}}`,
		`[1]`, `{"a": [{"b": null}]}`, `{"PRICEID": "price_9"}`, `{`, `{"q": 1e400}`}
	queries := []string{"", "s=a", "s=a&s=b", "t=x&u=1", "%zz"}
	for i, s := range templateSeeds {
		f.Add([]byte(s), []byte(payloads[i%len(payloads)]), queries[i%len(queries)])
	}
	f.Fuzz(func(t *testing.T, raw, payload []byte, query string) {
		s, _ := Compile(context.Background(), map[string][]Template{action: {raw, Template(subscribe)}}, substitutions)
		q, _ := url.ParseQuery(query)
		want := s.Check(action, payload, q)
		var back Set
		if err := json.Unmarshal(marshal(t, s), &back); err != nil {
			t.Fatalf("json.Unmarshal(json.Marshal(Set)) = %v", err)
		}
		got := back.Check(action, payload, q)
		if (want == nil) != (got == nil) || want != nil && want.Error() != got.Error() {
			t.Fatalf("Check(%q) = %v, after a round trip %v", payload, want, got)
		}

		o := NewObserver(3)
		o.Observe(action, payload)
		observed := map[string][]string{}
		if recordedWhole(string(payload)) {
			observed[action] = []string{string(payload)}
		}
		proposalsMatch(t, o, observed)
	})
}

// checkRoundTrip checks that s reads back from its JSON and writes the same.
func checkRoundTrip(t *testing.T, s *Set) {
	t.Helper()
	b := marshal(t, s)
	var back Set
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("json.Unmarshal(%s) = %v", b, err)
	}
	if again := marshal(t, &back); string(again) != string(b) {
		t.Fatalf("json.Marshal(json.Unmarshal(%s)) = %s", b, again)
	}
}
