package payloadcheck

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// compiled returns the compiled form of s. It calls MarshalJSON itself:
// json.Marshal would also escape "<" and ">" (equivalent JSON, harder to
// read).
func compiled(t *testing.T, s *Set) string {
	t.Helper()
	b, err := s.MarshalJSON()
	if err != nil {
		t.Fatalf("Set.MarshalJSON() = %v", err)
	}
	return string(b)
}

func TestCompile(t *testing.T) {
	errDB := errors.New("database unavailable")
	resolver := Chain(
		ResolverFunc(func(_ context.Context, name string) (Value, error) {
			switch name {
			case "own_client_id":
				return Value{JSON: json.RawMessage(`"cli_7"`)}, nil
			case "tenant_price_ids":
				return Value{JSON: json.RawMessage(`["price_b", "price_a", "price_b"]`)}, nil
			case "all_prices":
				return Value{Any: true}, nil
			case "failing":
				return Value{}, errDB
			case "markup_data":
				return Value{JSON: json.RawMessage(`"<%= * %>"`)}, nil
			case "markup_in_list":
				return Value{JSON: json.RawMessage(`["a", "<%= * %>"]`)}, nil
			case "object":
				return Value{JSON: json.RawMessage(`{"a": 1}`)}, nil
			case "nested_list":
				return Value{JSON: json.RawMessage(`[[1]]`)}, nil
			case "no_value":
				return Value{}, nil
			case "not_json":
				return Value{JSON: json.RawMessage(`[1,`)}, nil
			case "number":
				return Value{JSON: json.RawMessage(`1.50`)}, nil
			case "objects":
				return Value{JSON: json.RawMessage(`[{"gateway": "sandbox"}, "x"]`)}, nil
			case "too_many":
				return Value{JSON: json.RawMessage(`[` + strings.Repeat(`1,`, MaxResolvedValues) + `1]`)}, nil
			case "many":
				return Value{JSON: json.RawMessage(`[` + strings.Repeat(`1,`, MaxResolvedValues-2) + `1]`)}, nil
			}
			return Value{}, ErrUnknownVariable
		}),
		substitutions,
	)
	tests := []struct {
		name      string
		template  string
		want      string // the compiled template
		wantField string // of the CompileError; wantErr "" means none
		wantErr   string
	}{
		{"no variables", `{"a": "x", "b": [2, 1, 1.0], "c": {"d": null}}`, `{"a":"x","b":[1,2],"c":{"d":null}}`, "", ""},
		{"scalar", `{"a": "<%= own_client_id %>"}`, `{"a":"cli_7"}`, "", ""},
		{"list", `{"a": "<%= tenant_price_ids %>"}`, `{"a":["price_a","price_b"]}`, "", ""},
		{"number", `{"a": "<%= number %>"}`, `{"a":1.5}`, "", ""},
		{"list of objects", `{"a": "<%= objects %>"}`, `{"a":["x",{"gateway":"sandbox"}]}`, "", ""},
		{"wildcard", `{"a": "<%= all_prices %>"}`, `{"a":"<%= * %>"}`, "", ""},
		{"static wildcard", `{"a": "<%= anything %>"}`, `{"a":"<%= * %>"}`, "", ""},
		{"static empty list", `{"a": "<%= no_prices %>"}`, `{"a":[]}`, "", ""},
		{"second resolver", `{"a": "<%= own_customer_ids %>"}`, `{"a":["cus_1","cus_2"]}`, "", ""},
		{"in a list's object", `{"a": [{"b": "<%= own_client_id %>"}]}`, `{"a":[{"b":"cli_7"}]}`, "", ""},
		{"in the query", `{"$query": {"c": "<%= own_client_id %>"}, "b": 1}`, `{"$query":{"c":"cli_7"},"b":1}`, "", ""},
		{"at the most values", `{"a": "<%= many %>"}`, `{"a":[1]}`, "", ""},

		{"unknown", `{"a": "<%= nope %>", "b": 1}`, `{"a":[],"b":1}`, "a", "variable nope: unknown variable"},
		{"failing", `{"a": {"b": "<%= failing %>"}}`, `{"a":{"b":[]}}`, "a.b", "variable failing: database unavailable"},
		{"markup in data is not the wildcard", `{"a": "<%= markup_data %>"}`, `{"a":[]}`, "a",
			"markup_data: must not contain <%=: a variable's value is data"},
		{"markup in a list", `{"a": "<%= markup_in_list %>"}`, `{"a":[]}`, "a",
			"markup_in_list[1]: must not contain <%=: a variable's value is data"},
		{"object", `{"a": "<%= object %>"}`, `{"a":[]}`, "a", "object: must be a value, a list or the wildcard, not an object"},
		{"list in a list", `{"a": "<%= nested_list %>"}`, `{"a":[]}`, "a", "nested_list[0]: must not be a list: lists do not nest"},
		{"no value", `{"a": "<%= no_value %>"}`, `{"a":[]}`, "a", "no_value: has no value"},
		{"not JSON", `{"a": "<%= not_json %>"}`, `{"a":[]}`, "a", "not_json[1]: must be valid JSON"},
		{"too many values", `{"a": "<%= too_many %>"}`, `{"a":[]}`, "a", "too_many[999]: the value must have at most 1000 values"},
		{"number in the query", `{"$query": {"a": "<%= number %>"}}`, `{"$query":{"a":[]}}`, "$query.a",
			"number: must be a string: query parameters are strings"},
		{"too deep", strings.Repeat(`{"a":`, 7) + `"<%= tenant_price_ids %>"` + strings.Repeat("}", 7),
			strings.Repeat(`{"a":`, 7) + `[]` + strings.Repeat("}", 7), strings.Repeat("a.", 6) + "a",
			"tenant_price_ids[0]: must not be nested more than 8 levels deep"},
		{"invalid template", `{"a": []}`, `[]`, "", "a: must not be an empty list"},
		{"not an object", `["x"]`, `[]`, "", "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile(context.Background(), map[string][]Template{action: {Template(tt.template)}}, resolver)
			if got, want := compiled(t, s), `{"`+action+`":[`+tt.want+`]}`; got != want {
				t.Errorf("Compile(%s) = %s, want %s", tt.template, got, want)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Compile(%s) error = %v, want nil", tt.template, err)
				}
				return
			}
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%s) error = %v, want a *CompileError", tt.template, err)
			}
			if ce.Action != action || ce.Template != 0 || ce.Field != tt.wantField || ce.Err.Error() != tt.wantErr {
				t.Errorf("Compile(%s) error = %+v, want {%s 0 %s %s}", tt.template, *ce, action, tt.wantField, tt.wantErr)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	errDB := errors.New("database unavailable")
	calls := map[string]int{}
	resolver := ResolverFunc(func(_ context.Context, name string) (Value, error) {
		calls[name]++
		if name == "failing" {
			return Value{}, errDB
		}
		return Value{}, ErrUnknownVariable
	})
	templates := map[string][]Template{
		"b:create": {Template(`{"x": "<%= failing %>", "y": "<%= failing %>"}`), Template(`{}`), Template(`{"z": []}`)},
		"a:create": {Template(`{"q": "<%= nope %>"}`)},
		"c:create": nil,
	}
	s, err := Compile(context.Background(), templates, resolver)
	const want = "a:create template 0 field q: variable nope: unknown variable\n" +
		"b:create template 0 field x: variable failing: database unavailable\n" +
		"b:create template 0 field y: variable failing: database unavailable\n" +
		"b:create template 2: z: must not be an empty list"
	if err == nil || err.Error() != want {
		t.Errorf("Compile error = %v, want\n%s", err, want)
	}
	if !errors.Is(err, errDB) || !errors.Is(err, ErrUnknownVariable) {
		t.Errorf("Compile error = %v, want it to wrap the resolver's errors", err)
	}
	if calls["failing"] != 1 || calls["nope"] != 1 {
		t.Errorf("resolver calls = %v, want one per variable", calls)
	}
	if got, want := compiled(t, s), `{"a:create":[{"q":[]}],"b:create":[{"x":[],"y":[]},{},[]]}`; got != want {
		t.Errorf("Compile = %s, want %s", got, want)
	}
	if s.Restricts("c:create") {
		t.Errorf("Restricts(c:create) = true, want false: it has no templates")
	}
	// What failed allows nothing, but the rest of the template still works.
	tests := []struct {
		action, body string
		want         bool
	}{
		{"a:create", `{}`, true},
		{"a:create", `{"q": "x"}`, false},
		{"a:create", `{"q": []}`, false},
		{"b:create", `{}`, true},
		{"b:create", `{"x": null}`, false},
	}
	for _, tt := range tests {
		if got := s.Check(tt.action, []byte(tt.body), nil) == nil; got != tt.want {
			t.Errorf("Check(%s, %s) allowed = %v, want %v", tt.action, tt.body, got, tt.want)
		}
	}
	invalid, _ := Compile(context.Background(), map[string][]Template{"a:create": {Template(`{"a": []}`)}}, nil)
	if err := invalid.Check("a:create", nil, nil); err == nil || err.Error() != "allows no value" {
		t.Errorf("Check against an invalid template = %v, want allows no value", err)
	}
}

func TestCompileWithoutResolver(t *testing.T) {
	s, err := Compile(context.Background(), map[string][]Template{action: {Template(subscribe)}}, nil)
	if !errors.Is(err, ErrUnknownVariable) {
		t.Errorf("Compile with no resolver = %v, want ErrUnknownVariable", err)
	}
	if err := s.Check(action, []byte(`{"priceId": "price_1"}`), nil); err == nil {
		t.Errorf("Check = nil, want priceId refused: its variable is unknown")
	}
}

func TestChain(t *testing.T) {
	errDB := errors.New("database unavailable")
	first := Static{"a": json.RawMessage(`1`)}
	failing := ResolverFunc(func(_ context.Context, name string) (Value, error) {
		if name == "b" {
			return Value{}, errDB
		}
		return Value{}, ErrUnknownVariable
	})
	second := Static{"a": json.RawMessage(`2`), "b": json.RawMessage(`3`), "c": json.RawMessage(`4`)}
	r := Chain(first, failing, second)
	tests := []struct {
		name    string
		want    string
		wantErr error
	}{
		{"a", `1`, nil},
		{"b", ``, errDB},
		{"c", `4`, nil},
		{"d", ``, ErrUnknownVariable},
	}
	for _, tt := range tests {
		v, err := r.Resolve(context.Background(), tt.name)
		if string(v.JSON) != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("Resolve(%q) = %s, %v, want %s, %v", tt.name, v.JSON, err, tt.want, tt.wantErr)
		}
	}
	if _, err := Chain().Resolve(context.Background(), "a"); !errors.Is(err, ErrUnknownVariable) {
		t.Errorf("Chain().Resolve = %v, want ErrUnknownVariable", err)
	}
}

func TestStaticResolve(t *testing.T) {
	tests := []struct {
		raw     string
		wantAny bool
	}{
		{`"<%= * %>"`, true},
		{`"<%=*%>"`, true},
		{` "<%= * %>" `, true},
		{`"<%= x %>"`, false},
		{`["<%= * %>"]`, false},
		{`"*"`, false},
	}
	for _, tt := range tests {
		v, err := Static{"v": json.RawMessage(tt.raw)}.Resolve(context.Background(), "v")
		if err != nil || v.Any != tt.wantAny || !v.Any && string(v.JSON) != tt.raw {
			t.Errorf("Static{v: %s}.Resolve = %+v, %v, want Any %v", tt.raw, v, err, tt.wantAny)
		}
	}
}

func TestSetJSON(t *testing.T) {
	s := mustCompile(t, subscribe, `{"$query": {"status": ["paused", "active"]}, "trial": true}`)
	const want = `{"subscriptions:create":[` +
		`{"paymentMethod":{"gateway":"sandbox","token":"<%= * %>"},"priceId":["price_1","price_2"],"quantity":[1,2,3]},` +
		`{"$query":{"status":["active","paused"]},"trial":true}]}`
	got := compiled(t, s)
	if got != want {
		t.Fatalf("Set.MarshalJSON() = %s, want %s", got, want)
	}
	var back Set
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatalf("json.Unmarshal(%s) = %v", got, err)
	}
	if again := compiled(t, &back); again != got {
		t.Errorf("json.Marshal(json.Unmarshal(%s)) = %s, want it unchanged", got, again)
	}
	if err := back.Check(action, []byte(`{"priceId": "price_9"}`), nil); err == nil || err.Error() != "priceId: is not one of the allowed values" {
		t.Errorf("Check after a round trip = %v, want priceId refused", err)
	}
	if err := back.Check(action, []byte(`{"trial": true}`), map[string][]string{"status": {"active"}}); err != nil {
		t.Errorf("Check after a round trip = %v, want nil", err)
	}

	type session struct {
		Payloads *Set `json:"payloads"`
	}
	var none session
	if err := json.Unmarshal([]byte(`{"payloads": null}`), &none); err != nil || none.Payloads != nil {
		t.Errorf("json.Unmarshal(null) = %+v, %v, want a nil Set", none, err)
	}
	if b, err := json.Marshal(s); err != nil || !json.Valid(b) || strings.Contains(string(b), "<") {
		t.Errorf("json.Marshal(Set) = %s, %v, want valid JSON with < escaped", b, err)
	}
	if b, _ := json.Marshal(&Set{}); string(b) != `{}` {
		t.Errorf("json.Marshal(&Set{}) = %s, want {}", b)
	}
	var nilSet *Set
	if b, _ := nilSet.MarshalJSON(); string(b) != `{}` {
		t.Errorf("(*Set)(nil).MarshalJSON() = %s, want {}", b)
	}
	var zero Set
	if err := zero.UnmarshalJSON([]byte(`null`)); err != nil || zero.Restricts(action) {
		t.Errorf("UnmarshalJSON(null) = %v, want an empty Set", err)
	}
}

func TestSetUnmarshalRefuses(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not JSON", `{`, "payloadcheck: compiled templates: unexpected end of JSON input"},
		{"escaped markup is markup", `{"a:b": [{"x": "\u003c%= v %\u003e"}]}`, "payloadcheck: compiled templates: a:b template 0: x: must not be a variable: compiled templates have none"},
		{"not an object", `[]`, "payloadcheck: compiled templates: json: cannot unmarshal array into Go value of type map[string][]json.RawMessage"},
		{"no templates", `{"a:b": []}`, "payloadcheck: compiled templates: a:b has an empty list of templates"},
		{"null templates", `{"a:b": null}`, "payloadcheck: compiled templates: a:b has an empty list of templates"},
		{"variable", `{"a:b": [{"x": "<%= v %>"}]}`, "payloadcheck: compiled templates: a:b template 0: x: must not be a variable: compiled templates have none"},
		{"scalar template", `{"a:b": [1]}`, "payloadcheck: compiled templates: a:b template 0: must be a JSON object"},
		{"list template", `{"a:b": [[1]]}`, "payloadcheck: compiled templates: a:b template 0: must be a JSON object"},
		{"too deep", `{"a:b": [` + nested(9) + `]}`, "payloadcheck: compiled templates: a:b template 0: a.a.a.a.a.a.a.a: must not be nested more than 8 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Set
			err := s.UnmarshalJSON([]byte(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Errorf("UnmarshalJSON(%s) = %v, want %s", tt.in, err, tt.want)
			}
		})
	}
}
