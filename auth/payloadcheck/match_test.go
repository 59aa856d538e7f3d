package payloadcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const action = "subscriptions:create"

// substitutions are the variables' values in the tests.
var substitutions = Static{
	"tenant_price_ids": json.RawMessage(`["price_1", "price_2"]`),
	"own_client_id":    json.RawMessage(`"cli_1"`),
	"own_customer_ids": json.RawMessage(`["cus_1", "cus_2"]`),
	"anything":         json.RawMessage(`"<%= * %>"`),
	"no_prices":        json.RawMessage(`[]`),
}

// mustCompile compiles templates for action with substitutions, and fails
// the test on any problem.
func mustCompile(t testing.TB, templates ...string) *Set {
	t.Helper()
	ts := make([]Template, len(templates))
	for i, s := range templates {
		ts[i] = Template(s)
	}
	s, err := Compile(context.Background(), map[string][]Template{action: ts}, substitutions)
	if err != nil {
		t.Fatalf("Compile(%s) = %v", templates, err)
	}
	return s
}

type checkCase struct {
	name      string
	body      string
	query     string
	wantField string // wantMsg "" means accepted
	wantMsg   string
}

func runChecks(t *testing.T, s *Set, tests []checkCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatalf("ParseQuery(%q) = %v", tt.query, err)
			}
			err = s.Check(action, []byte(tt.body), q)
			checkFieldError(t, fmt.Sprintf("Check(%s, %q)", tt.body, tt.query), err, tt.wantField, tt.wantMsg)
		})
	}
}

func TestCheck(t *testing.T) {
	const (
		notIn      = "is not in the template"
		notFixed   = "does not match the template's value"
		notAllowed = "is not one of the allowed values"
		notObject  = "must be an object"
	)
	s := mustCompile(t, subscribe)
	runChecks(t, s, []checkCase{
		{"everything allowed", `{"priceId": "price_1", "quantity": 2, "paymentMethod": {"gateway": "sandbox", "token": "tok"}}`, "", "", ""},
		{"absent fields are fine", `{"priceId": "price_2"}`, "", "", ""},
		{"empty object", `{}`, "", "", ""},
		{"empty body", ``, "", "", ""},
		{"blank body", " \n\t", "", "", ""},

		{"field not in the template", `{"priceId": "price_1", "customerId": "cus_9"}`, "", "customerId", notIn},
		{"nested field not in the template", `{"paymentMethod": {"gateway": "sandbox", "cvc": "123"}}`, "", "paymentMethod.cvc", notIn},

		{"variable's list refuses", `{"priceId": "price_9"}`, "", "priceId", notAllowed},
		{"fixed value refuses", `{"paymentMethod": {"gateway": "stripe"}}`, "", "paymentMethod.gateway", notFixed},
		{"fixed value's type: string for string", `{"paymentMethod": {"gateway": "sandbox"}}`, "", "", ""},
		{"fixed value's type: number for string", `{"paymentMethod": {"gateway": 1}}`, "", "paymentMethod.gateway", notFixed},
		{"fixed value's type: null for string", `{"paymentMethod": {"gateway": null}}`, "", "paymentMethod.gateway", notFixed},
		{"fixed value's type: list for string", `{"paymentMethod": {"gateway": ["sandbox"]}}`, "", "paymentMethod.gateway", notFixed},

		{"allowed number", `{"quantity": 3}`, "", "", ""},
		{"allowed number as 1.0", `{"quantity": 1.0}`, "", "", ""},
		{"allowed number as 10e-1", `{"quantity": 10e-1}`, "", "", ""},
		{"allowed number as 2E0", `{"quantity": 2E0}`, "", "", ""},
		{"number not allowed", `{"quantity": 4}`, "", "quantity", notAllowed},
		{"number close to an allowed one", `{"quantity": 1.0000000000000000001}`, "", "quantity", notAllowed},
		{"string for an allowed number", `{"quantity": "1"}`, "", "quantity", notAllowed},
		{"list of allowed values", `{"quantity": [1, 3, 1]}`, "", "", ""},
		{"empty list", `{"quantity": []}`, "", "", ""},
		{"list with a value not allowed", `{"quantity": [1, 4, 5]}`, "", "quantity[1]", notAllowed},
		{"list in a list", `{"quantity": [[1]]}`, "", "quantity[0]", notAllowed},
		{"object for allowed scalars", `{"quantity": {"n": 1}}`, "", "quantity", notAllowed},

		{"wildcard takes a string", `{"paymentMethod": {"token": "tok"}}`, "", "", ""},
		{"wildcard takes an object", `{"paymentMethod": {"token": {"a": [1, {"b": null}]}}}`, "", "", ""},
		{"wildcard takes null", `{"paymentMethod": {"token": null}}`, "", "", ""},

		{"object expected", `{"paymentMethod": "sandbox"}`, "", "paymentMethod", notObject},
		{"null for an object", `{"paymentMethod": null}`, "", "paymentMethod", notObject},

		{"first offending key in byte order", `{"quantity": 9, "priceId": "price_9", "zebra": 1}`, "", "priceId", notAllowed},
		{"first offending key, upper case first", `{"quantity": 9, "Zebra": 1}`, "", "Zebra", notIn},

		{"key in another case is that field", `{"PRICEID": "price_1", "PaymentMethod": {"GATEWAY": "sandbox"}}`, "", "", ""},
		{"key in another case is checked", `{"PriceId": "price_9"}`, "", "PriceId", notAllowed},
		{"repeated key: the last is the value", `{"priceId": "price_9", "priceId": "price_1"}`, "", "", ""},
		{"repeated key: the last is checked", `{"priceId": "price_1", "priceId": "price_9"}`, "", "priceId", notAllowed},
		{"query not restricted without $query", `{}`, "anything=1&b=2", "", ""},

		{"array body", `[{"priceId": "price_1"}]`, "", "", notObject},
		{"string body", `"price_1"`, "", "", notObject},
		{"number body", `1`, "", "", notObject},
		{"null body", `null`, "", "", notObject},
		{"invalid JSON", `{"priceId": }`, "", "", "the body must be valid JSON"},
		{"trailing data", `{} {}`, "", "", "the body must be a single JSON value"},
		{"trailing garbage", `{} x`, "", "", "the body must be a single JSON value"},
	})
}

func TestCheckScalars(t *testing.T) {
	s := mustCompile(t, `{"s": "1", "n": 1, "t": true, "f": false, "z": null, "big": 12345678901234567890,
		"list": [null, false, "true", 0, -2.5, "x"]}`)
	const notFixed, notAllowed = "does not match the template's value", "is not one of the allowed values"
	runChecks(t, s, []checkCase{
		{"same values", `{"s": "1", "n": 1, "t": true, "f": false, "z": null, "big": 12345678901234567890}`, "", "", ""},
		{"number for string", `{"s": 1}`, "", "s", notFixed},
		{"string for number", `{"n": "1"}`, "", "n", notFixed},
		{"number spelled differently", `{"n": 0.1e1}`, "", "", ""},
		{"string for true", `{"t": "true"}`, "", "t", notFixed},
		{"false for true", `{"t": false}`, "", "t", notFixed},
		{"1 for true", `{"t": 1}`, "", "t", notFixed},
		{"0 for false", `{"f": 0}`, "", "f", notFixed},
		{"empty string for null", `{"z": ""}`, "", "z", notFixed},
		{"string for null", `{"z": "null"}`, "", "z", notFixed},
		{"big integer exactly", `{"big": 1.2345678901234567890e19}`, "", "", ""},
		{"big integer plus one", `{"big": 12345678901234567891}`, "", "big", notFixed},
		{"big integer as float64 would round it", `{"big": 12345678901234567000}`, "", "big", notFixed},
		{"null in a list", `{"list": null}`, "", "", ""},
		{"false in a list", `{"list": false}`, "", "", ""},
		{"true not in a list", `{"list": true}`, "", "list", notAllowed},
		{"string true in a list", `{"list": "true"}`, "", "", ""},
		{"zero as -0.0", `{"list": -0.0}`, "", "", ""},
		{"-2.5 as -25e-1", `{"list": -25e-1}`, "", "", ""},
		{"2.5 not in a list", `{"list": 2.5}`, "", "list", notAllowed},
		{"all in a list", `{"list": [null, false, "x", 0, "true"]}`, "", "", ""},
		{"one not in a list", `{"list": [null, "y"]}`, "", "list[1]", notAllowed},
		{"number out of range", `{"n": 1e1000000000000000}`, "", "n", notFixed},
	})
}

func TestCheckListsOfObjects(t *testing.T) {
	s := mustCompile(t, `{"items": [{"priceId": "<%= tenant_price_ids %>", "quantity": [1, 2]}],
		"discount": ["none", {"code": "<%= * %>"}, {"percent": {"value": [10, 20]}, "once": true}]}`)
	const notIn, notAllowed = "is not in the template", "is not one of the allowed values"
	runChecks(t, s, []checkCase{
		{"list of objects", `{"items": [{"priceId": "price_1"}, {"priceId": "price_2", "quantity": 2}]}`, "", "", ""},
		{"one object for a list", `{"items": {"priceId": "price_1"}}`, "", "", ""},
		{"third item offends", `{"items": [{"priceId": "price_1"}, {}, {"priceId": "price_3"}]}`, "", "items[2].priceId", notAllowed},
		{"item with an unknown field", `{"items": [{"priceId": "price_1", "x": 1}]}`, "", "items[0].x", notIn},
		{"scalar for a list of objects", `{"items": ["price_1"]}`, "", "items[0]", notAllowed},
		{"scalar of a mixed list", `{"discount": "none"}`, "", "", ""},
		{"first object of a mixed list", `{"discount": {"code": "X"}}`, "", "", ""},
		{"second object of a mixed list", `{"discount": {"percent": {"value": 10}}}`, "", "", ""},
		{"mixed list's values in a list", `{"discount": ["none", {"code": 1}, {"once": true}]}`, "", "", ""},
		{"scalar not in a mixed list", `{"discount": "half"}`, "", "discount", notAllowed},
		{"no object matches: the deepest is named", `{"discount": {"percent": {"value": 15}}}`, "", "discount.percent.value", notAllowed},
		{"no object matches: the first on a tie", `{"discount": {"other": 1}}`, "", "discount.other", notIn},
	})
}

func TestCheckSeveralTemplates(t *testing.T) {
	s := mustCompile(t, subscribe, `{"priceId": "price_free", "trial": {"days": [7, 14]}}`)
	runChecks(t, s, []checkCase{
		{"first matches", `{"priceId": "price_1", "quantity": 1}`, "", "", ""},
		{"second matches", `{"priceId": "price_free", "trial": {"days": 7}}`, "", "", ""},
		{"neither: the first on a tie", `{"priceId": "price_9"}`, "", "priceId", "is not one of the allowed values"},
		{"neither: the first is deeper", `{"paymentMethod": {"gateway": "x"}}`, "", "paymentMethod.gateway", "does not match the template's value"},
		{"neither: the second is deeper", `{"trial": {"days": 30}}`, "", "trial.days", "is not one of the allowed values"},
		{"fields of both do not mix", `{"priceId": "price_free", "quantity": 1}`, "", "priceId", "is not one of the allowed values"},
	})
}

func TestCheckQuery(t *testing.T) {
	s := mustCompile(t,
		`{"$query": {"status": ["active", "paused"], "customerId": "<%= own_customer_ids %>", "cursor": "<%= * %>", "limit": "10"}}`,
		`{"priceId": "<%= tenant_price_ids %>"}`,
	)
	const notIn, notAllowed = "is not in the template", "is not one of the allowed values"
	runChecks(t, s, []checkCase{
		{"no query", `{}`, "", "", ""},
		{"allowed value", ``, "status=active", "", ""},
		{"repeated parameter: a list", ``, "status=active&status=paused", "", ""},
		{"repeated parameter with a value not allowed", ``, "status=active&status=canceled", "$query.status[1]", notAllowed},
		{"value not allowed", ``, "status=canceled", "$query.status", notAllowed},
		{"variable", ``, "customerId=cus_2", "", ""},
		{"variable refuses", ``, "customerId=cus_9", "$query.customerId", notAllowed},
		{"wildcard", ``, "cursor=abc&cursor=def", "", ""},
		{"fixed string", ``, "limit=10", "", ""},
		{"fixed string is not a number", ``, "limit=10.0", "$query.limit", "does not match the template's value"},
		{"repeated for a fixed string", ``, "limit=10&limit=10", "$query.limit", "does not match the template's value"},
		{"empty value", ``, "status=", "$query.status", notAllowed},
		{"parameter not in the template", ``, "status=active&expand=all", "$query.expand", notIn},
		{"parameter names are exact", ``, "Status=active", "$query.Status", notIn},
		{"a template without $query allows no parameter", `{"priceId": "price_1"}`, "status=active", "$query.status", notIn},
		{"body of one, query of the other", `{"priceId": "price_1"}`, "", "", ""},
		{"body refused by both: the first on a tie", `{"x": 1}`, "", "x", notIn},
		{"query refused, body refused: the deeper", `{"priceId": "price_1"}`, "status=canceled", "$query.status", notIn},
	})
}

func TestCheckWithoutTemplates(t *testing.T) {
	s := mustCompile(t, subscribe)
	var zero Set
	for _, tt := range []struct {
		name   string
		s      *Set
		action string
	}{
		{"nil Set", nil, action},
		{"zero Set", &zero, action},
		{"another action", s, "subscriptions:cancel"},
	} {
		if err := tt.s.Check(tt.action, []byte(`not JSON at all`), url.Values{"x": {"y"}}); err != nil {
			t.Errorf("%s: Check = %v, want nil: no templates restrict nothing", tt.name, err)
		}
		if tt.s.Restricts(tt.action) {
			t.Errorf("%s: Restricts(%q) = true, want false", tt.name, tt.action)
		}
	}
	if !s.Restricts(action) {
		t.Errorf("Restricts(%q) = false, want true", action)
	}
}

// TestCheckAllocatesOnlyToDecode: an accepted payload costs the decoding and
// nothing more, whichever template accepts it.
func TestCheckAllocatesOnlyToDecode(t *testing.T) {
	s := mustCompile(t, `{"trial": true}`, subscribe)
	body := []byte(`{"priceId": "price_1", "quantity": 2, "paymentMethod": {"gateway": "sandbox", "token": "tok"}}`)
	decode := testing.AllocsPerRun(100, func() { decodePayload(body) })
	check := testing.AllocsPerRun(100, func() {
		if err := s.Check(action, body, nil); err != nil {
			t.Fatalf("Check = %v", err)
		}
	})
	if check != decode {
		t.Errorf("Check allocates %v times, decoding alone %v: want no more", check, decode)
	}
}

// subscriptionBody is a typical POST /v1/subscriptions body.
const subscriptionBody = `{"priceId": "price_0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55",
	"customerId": "cus_5f2c9a7e-1b3d-4e6f-8a9b-0c1d2e3f4a5b", "quantity": 2,
	"paymentMethod": {"gateway": "sandbox", "token": "tok_visa_4242"}}`

func BenchmarkMatch(b *testing.B) {
	prices := make([]string, 50)
	for i := range prices {
		prices[i] = fmt.Sprintf(`"price_%08x-8f1d-4c7a-9a0e-3f6a2d9c1b55"`, i)
	}
	prices[17] = `"price_0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55"`
	static := Static{
		"tenant_price_ids": json.RawMessage("[" + strings.Join(prices, ",") + "]"),
		"own_customer_ids": json.RawMessage(`["cus_5f2c9a7e-1b3d-4e6f-8a9b-0c1d2e3f4a5b"]`),
	}
	templates := map[string][]Template{action: {
		Template(`{"priceId": "<%= tenant_price_ids %>", "customerId": "<%= own_customer_ids %>",
			"paymentMethodId": "<%= * %>", "quantity": [1, 2, 3], "testClockId": "<%= * %>"}`),
		Template(`{"priceId": "<%= tenant_price_ids %>", "customerId": "<%= own_customer_ids %>",
			"quantity": [1, 2, 3], "paymentMethod": {"gateway": "sandbox", "token": "<%= * %>"}}`),
	}}
	s, err := Compile(context.Background(), templates, static)
	if err != nil {
		b.Fatalf("Compile = %v", err)
	}
	bodies := []struct{ name, body string }{
		{"second-template", subscriptionBody},
		{"first-template", `{"priceId": "price_0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55",
			"customerId": "cus_5f2c9a7e-1b3d-4e6f-8a9b-0c1d2e3f4a5b", "quantity": 2, "paymentMethodId": "pm_1"}`},
		{"refused", strings.Replace(subscriptionBody, `"sandbox"`, `"stripe"`, 1)},
	}
	for _, bb := range bodies {
		body := []byte(bb.body)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				s.Check(action, body, nil)
			}
		})
	}
	b.Run("decode-only", func(b *testing.B) {
		body := []byte(subscriptionBody)
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			decodePayload(body)
		}
	})
}
