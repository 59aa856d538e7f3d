package payloadcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// subscribe is the example template.
const subscribe = `{"priceId": "<%= tenant_price_ids %>", "quantity": [1, 2, 3],
	"paymentMethod": {"gateway": "sandbox", "token": "<%= * %>"}}`

// nested returns a template whose innermost value, "x", is at level depth.
func nested(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + `"x"` + strings.Repeat("}", depth-1)
}

// fields returns a template of n fields named k000, k001, ...
func fields(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"k%03d":1`, i)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestValidate(t *testing.T) {
	const (
		formMsg   = `must be "<%= * %>" or "<%= name %>" and nothing else`
		nameMsg   = "must name a variable of a-z, 0-9 and _, starting with a letter, at most 64 characters"
		inListMsg = "must not be markup: markup is a field's whole value, never a list element"
		dupMsg    = "the key appears twice in its object"
		stringMsg = "must be a string: query parameters are strings"
		objectMsg = "must be a JSON object"
	)
	long := strings.Repeat("x", MaxStringLen)
	tests := []struct {
		name      string
		template  string
		wantField string // "" and wantMsg "" mean valid
		wantMsg   string
	}{
		{"issue example", subscribe, "", ""},
		{"empty object", `{}`, "", ""},
		{"every scalar", `{"s": "x", "n": -1.5e3, "t": true, "f": false, "z": null}`, "", ""},
		{"list of scalars and objects", `{"a": ["x", 1, null, {"b": "<%= * %>", "c": "<%= v %>"}]}`, "", ""},
		{"markup without spaces", `{"a": "<%=*%>", "b": "<%=name%>"}`, "", ""},
		{"markup with more spaces", `{"a": "<%=   *  %>", "b": "<%=  name   %>"}`, "", ""},
		{"name of 64", `{"a": "<%= a` + strings.Repeat("_", 63) + ` %>"}`, "", ""},
		{"name of every kind", `{"a": "<%= a_z09 %>"}`, "", ""},
		{"percent signs are text", `{"a": "100% <% or %>"}`, "", ""},
		{"query", `{"$query": {"status": ["active", "paused"], "limit": "<%= * %>", "customerId": "<%= own_customer_ids %>", "q": "x"}}`, "", ""},
		{"query names are exact", `{"$query": {"a": "x", "A": "y"}}`, "", ""},
		{"$query below the top is a field", `{"a": {"$query": 1}}`, "", ""},
		{"8 levels", nested(8), "", ""},
		{"200 values", fields(199), "", ""},
		{"string of 1024", `{"a": "` + long + `"}`, "", ""},
		{"key of 1024", `{"` + long + `": 1}`, "", ""},

		{"not JSON", `{"a": }`, "a", "must be valid JSON"},
		{"empty input", ``, "", "must be valid JSON"},
		{"unclosed object", `{"a": 1`, "", "must be valid JSON"},
		{"array", `[]`, "", objectMsg},
		{"string", `"x"`, "", objectMsg},
		{"number", `1`, "", objectMsg},
		{"null", `null`, "", objectMsg},
		{"two objects", `{} {}`, "", "must be a single JSON value"},

		{"capital in a name", `{"a": "<%= Tenant %>"}`, "a", nameMsg},
		{"name starting with a digit", `{"a": "<%= 1abc %>"}`, "a", nameMsg},
		{"name starting with _", `{"a": "<%= _a %>"}`, "a", nameMsg},
		{"name of 65", `{"a": "<%= a` + strings.Repeat("b", 64) + ` %>"}`, "a", nameMsg},
		{"name with a dash", `{"a": "<%= a-b %>"}`, "a", formMsg},
		{"two names", `{"a": "<%= a b %>"}`, "a", formMsg},
		{"empty markup", `{"a": "<%= %>"}`, "a", formMsg},
		{"unclosed markup", `{"a": "<%= a"}`, "a", formMsg},
		{"text before markup", `{"a": "x<%= a %>"}`, "a", formMsg},
		{"text after markup", `{"a": "<%= a %>x"}`, "a", formMsg},
		{"two markups", `{"a": "<%= a %><%= b %>"}`, "a", formMsg},
		{"other markup", `{"a": "<%= a.b %>"}`, "a", formMsg},
		{"double star", `{"a": "<%= ** %>"}`, "a", formMsg},
		{"markup in a nested field", `{"a": {"b": "<%= ? %>"}}`, "a.b", formMsg},
		{"variable in a list", `{"a": ["x", "<%= v %>"]}`, "a[1]", inListMsg},
		{"wildcard in a list", `{"a": ["<%= * %>"]}`, "a[0]", inListMsg},
		{"bad markup in a list", `{"a": ["<%= ! %>"]}`, "a[0]", formMsg},
		{"markup in a key", `{"<%= k %>": 1}`, "<%= k %>", "the key must not contain <%="},

		{"empty list", `{"a": []}`, "a", "must not be an empty list"},
		{"empty list in a list's object", `{"a": [{"b": []}]}`, "a[0].b", "must not be an empty list"},
		{"list in a list", `{"a": [1, [2]]}`, "a[1]", "must not be a list: lists do not nest"},
		{"9 levels", nested(9), strings.Repeat("a.", 7) + "a", "must not be nested more than 8 levels deep"},
		{"9 levels through lists", `{"a":[{"a":[{"a":[{"a":[1]}]}]}]}`, "a[0].a[0].a[0].a[0]", "must not be nested more than 8 levels deep"},
		{"201 values", fields(200), "k199", "the template must have at most 200 values"},
		{"201 values in lists", `{"a": [` + strings.Repeat("1,", 198) + `1]}`, "a[198]", "the template must have at most 200 values"},
		{"string of 1025", `{"a": "` + long + `x"}`, "a", "must be at most 1024 bytes"},
		{"key of 1025", `{"` + long + `x": 1}`, long + "x", "the key must be at most 1024 bytes"},
		{"number of 1025", `{"a": 1` + strings.Repeat("0", 1024) + `}`, "a", "must be at most 1024 bytes"},
		{"number out of range", `{"a": 1e1000000000000000}`, "a", "is out of range"},

		{"duplicate key", `{"a": 1, "b": 2, "a": 3}`, "a", dupMsg},
		{"duplicate key in another case", `{"priceId": 1, "PRICEID": 2}`, "PRICEID", dupMsg},
		{"duplicate key by Unicode folding", `{"k": 1, "\u212a": 2}`, "\u212a", dupMsg},
		{"duplicate nested key", `{"a": [{"b": 1, "B": 1}]}`, "a[0].B", dupMsg},
		{"duplicate $query", `{"$query": {}, "$query": {}}`, "$query", dupMsg},
		{"duplicate query name", `{"$query": {"a": "x", "a": "y"}}`, "$query.a", dupMsg},

		{"$query not an object", `{"$query": "x"}`, "$query", "must be an object of query parameters"},
		{"$query a list", `{"$query": ["x"]}`, "$query", "must be an object of query parameters"},
		{"number in the query", `{"$query": {"limit": 10}}`, "$query.limit", stringMsg},
		{"boolean in the query", `{"$query": {"active": true}}`, "$query.active", stringMsg},
		{"null in the query", `{"$query": {"active": null}}`, "$query.active", stringMsg},
		{"object in the query", `{"$query": {"a": {"b": "c"}}}`, "$query.a", stringMsg},
		{"number in a query list", `{"$query": {"a": ["x", 1]}}`, "$query.a[1]", stringMsg},
		{"object in a query list", `{"$query": {"a": [{}]}}`, "$query.a[0]", stringMsg},

		{"first error wins", `{"a": [], "b": "<%= B %>"}`, "a", "must not be an empty list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(json.RawMessage(tt.template))
			checkFieldError(t, "Validate()", err, tt.wantField, tt.wantMsg)
		})
	}
}

// checkFieldError checks that err is nil when wantMsg is "", and otherwise a
// *FieldError of wantField and wantMsg.
func checkFieldError(t *testing.T, call string, err error, wantField, wantMsg string) {
	t.Helper()
	if wantMsg == "" {
		if err != nil {
			t.Fatalf("%s = %v, want nil", call, err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("%s = %v (%T), want a *FieldError", call, err, err)
	}
	if fe.Field != wantField || fe.Message != wantMsg {
		t.Errorf("%s = %+v, want {Field:%s Message:%s}", call, *fe, wantField, wantMsg)
	}
}

func TestFieldErrorString(t *testing.T) {
	tests := []struct {
		err  FieldError
		want string
	}{
		{FieldError{"paymentMethod.gateway", "does not match"}, "paymentMethod.gateway: does not match"},
		{FieldError{"", "must be a JSON object"}, "must be a JSON object"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestStaticValidate(t *testing.T) {
	tests := []struct {
		name      string
		static    Static
		wantField string
		wantMsg   string
	}{
		{"none", nil, "", ""},
		{"every kind", Static{
			"a": json.RawMessage(`"x"`), "b": json.RawMessage(`[1, "x", null, {"c": [true]}]`),
			"c": json.RawMessage(`"<%= * %>"`), "d": json.RawMessage(`12345678901234567890`),
		}, "", ""},
		{"bad name", Static{"Price": json.RawMessage(`1`)}, "Price",
			"must be a variable name: a-z, 0-9 and _, starting with a letter, at most 64 characters"},
		{"object", Static{"a": json.RawMessage(`{"b": 1}`)}, "a", "must be a value, a list or the wildcard, not an object"},
		{"empty list", Static{"a": json.RawMessage(`[]`)}, "a", "must not be an empty list"},
		{"list in a list", Static{"a": json.RawMessage(`[[1]]`)}, "a[0]", "must not be a list: lists do not nest"},
		{"variable", Static{"a": json.RawMessage(`"<%= b %>"`)}, "a", "must not contain <%=: a variable's value is data"},
		{"wildcard in a list", Static{"a": json.RawMessage(`["<%= * %>"]`)}, "a[0]", "must not contain <%=: a variable's value is data"},
		{"not JSON", Static{"a": json.RawMessage(`[1,`)}, "a[1]", "must be valid JSON"},
		{"empty", Static{"a": nil}, "a", "has no value"},
		{"first name in order", Static{"b": json.RawMessage(`[]`), "a": json.RawMessage(`{}`)}, "a",
			"must be a value, a list or the wildcard, not an object"},
		{"too many values", Static{"a": json.RawMessage(`[` + strings.Repeat("1,", MaxResolvedValues) + `1]`)},
			fmt.Sprintf("a[%d]", MaxResolvedValues-1), "the value must have at most 1000 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFieldError(t, "Static.Validate()", tt.static.Validate(), tt.wantField, tt.wantMsg)
		})
	}
}
