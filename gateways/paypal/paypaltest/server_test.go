package paypaltest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// The server's answers on the wire, against the specs
// (github.com/paypal/paypal-rest-api-specifications, openapi/).

type client struct {
	t   *testing.T
	srv *paypaltest.Server
	tok string
}

func newClient(t *testing.T) *client {
	t.Helper()
	return newClientOf(t, paypaltest.Options{})
}

// newClientOf is newClient of a server configured by opts.
func newClientOf(t *testing.T, opts paypaltest.Options) *client {
	t.Helper()
	srv := paypaltest.New(opts)
	t.Cleanup(srv.Close)
	c := &client{t: t, srv: srv}
	status, body := c.token(paypaltest.DefaultClientID, paypaltest.DefaultClientSecret, "grant_type=client_credentials")
	if status != http.StatusOK || body["token_type"] != "Bearer" || body["expires_in"] != float64(32400) {
		t.Fatalf("token endpoint = %d %v", status, body)
	}
	c.tok = body["access_token"].(string)
	return c
}

func (c *client) token(id, secret, form string) (int, map[string]any) {
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL()+"/v1/oauth2/token", strings.NewReader(form))
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

// call sends an API request; headers are name, value pairs.
func (c *client) call(method, path, body string, headers ...string) (int, map[string]any) {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.srv.URL()+path, r)
	req.Header.Set("Authorization", "Bearer "+c.tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.send(req)
}

func (c *client) send(req *http.Request) (int, map[string]any) {
	c.t.Helper()
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(b) > 0 && json.Unmarshal(b, &out) != nil {
		out = map[string]any{"raw": string(b)}
	}
	return resp.StatusCode, out
}

// issueOf is an error body's name and first details[].issue.
func issueOf(body map[string]any) string {
	name, _ := body["name"].(string)
	if d, ok := body["details"].([]any); ok && len(d) > 0 {
		return name + " " + d[0].(map[string]any)["issue"].(string)
	}
	if e, ok := body["error"].(string); ok {
		return e
	}
	return name
}

const order = `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"10.00"},"invoice_id":"inv-1"}]}`

func TestTokenEndpoint(t *testing.T) {
	c := newClient(t)
	if status, body := c.token("nobody", "wrong", "grant_type=client_credentials"); status != http.StatusUnauthorized || issueOf(body) != "invalid_client" {
		t.Errorf("wrong credentials = %d %v, want 401 invalid_client", status, body)
	}
	if status, body := c.token(paypaltest.DefaultClientID, paypaltest.DefaultClientSecret, "grant_type=password"); status != http.StatusBadRequest || issueOf(body) != "unsupported_grant_type" {
		t.Errorf("other grant = %d %v, want 400 unsupported_grant_type", status, body)
	}
	if status, body := c.call(http.MethodGet, "/v2/checkout/orders/ABC", "", "Authorization", ""); status != http.StatusUnauthorized || issueOf(body) != "AUTHENTICATION_FAILURE" {
		t.Errorf("no bearer = %d %v, want 401 AUTHENTICATION_FAILURE (error_401)", status, body)
	}
	c.srv.ExpireTokens()
	if status, body := c.call(http.MethodGet, "/v2/checkout/orders/ABC", ""); status != http.StatusUnauthorized || issueOf(body) != "invalid_token" {
		t.Errorf("expired bearer = %d %v, want 401 invalid_token", status, body)
	}
}

// orders.create: order_request validation and its documented errors.
func TestCreateOrderValidation(t *testing.T) {
	c := newClient(t)
	vaultOrder := func(ec string) string {
		return `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1.00"}}],` +
			`"payment_source":{"paypal":{"attributes":{"vault":{"store_in_vault":"ON_SUCCESS","usage_type":"MERCHANT"}}` + ec + `}}}`
	}
	tests := []struct {
		name, body string
		headers    []string
		status     int
		issue      string
	}{
		{"malformed JSON", `{"intent":`, nil, 400, "INVALID_REQUEST MALFORMED_REQUEST_JSON"},
		{"unmodelled field", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1.00"},"soft_descriptor":"X"}]}`, nil, 400, "INVALID_REQUEST NOT_SUPPORTED"},
		{"misspelt field", `{"intent":"CAPTURE","purchase_unit":[]}`, nil, 400, "INVALID_REQUEST NOT_SUPPORTED"},
		{"no intent", `{"purchase_units":[{"amount":{"currency_code":"USD","value":"1.00"}}]}`, nil, 400, "INVALID_REQUEST MISSING_REQUIRED_PARAMETER"},
		{"no purchase units", `{"intent":"CAPTURE","purchase_units":[]}`, nil, 400, "INVALID_REQUEST MISSING_REQUIRED_PARAMETER"},
		{"value pattern", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1,00"}}]}`, nil, 400, "INVALID_REQUEST INVALID_PARAMETER_SYNTAX"},
		{"yen with decimals", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"JPY","value":"100.5"}}]}`, nil, 422, "UNPROCESSABLE_ENTITY DECIMAL_PRECISION"},
		{"three decimals", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1.001"}}]}`, nil, 422, "UNPROCESSABLE_ENTITY DECIMAL_PRECISION"},
		{"zero", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"0.00"}}]}`, nil, 422, "UNPROCESSABLE_ENTITY CANNOT_BE_ZERO_OR_NEGATIVE"},
		{"currency PayPal does not take", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"NGN","value":"1.00"}}]}`, nil, 422, "UNPROCESSABLE_ENTITY INVALID_CURRENCY_CODE"},
		{"invoice_id too long", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1.00"},"invoice_id":"` + strings.Repeat("i", 128) + `"}]}`, nil, 400, "INVALID_REQUEST INVALID_STRING_LENGTH"},
		{"vault without return URL", vaultOrder(""), nil, 422, "UNPROCESSABLE_ENTITY RETURN_URL_REQUIRED"},
		{"vault without usage type", strings.Replace(vaultOrder(""), `,"usage_type":"MERCHANT"`, "", 1), nil, 400, "INVALID_REQUEST MISSING_REQUIRED_PARAMETER"},
		{"vault_id without PayPal-Request-Id", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1.00"}}],"payment_source":{"paypal":{"vault_id":"abcdefgh"}}}`, nil, 400, "INVALID_REQUEST PAYPAL_REQUEST_ID_REQUIRED"},
		{"unknown vault_id", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1.00"}}],"payment_source":{"paypal":{"vault_id":"abcdefgh"}}}`, []string{"PayPal-Request-Id", "r1"}, 422, "UNPROCESSABLE_ENTITY TOKEN_ID_NOT_FOUND"},
		{"PayPal-Request-Id too long", order, []string{"PayPal-Request-Id", strings.Repeat("r", 109)}, 400, "INVALID_REQUEST INVALID_STRING_LENGTH"},
		{"vault order", vaultOrder(`,"experience_context":{"return_url":"https://b.example/r","cancel_url":"https://b.example/c"}`), nil, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := c.call(http.MethodPost, "/v2/checkout/orders", tt.body, tt.headers...)
			if status != tt.status || (tt.issue != "" && issueOf(body) != tt.issue) {
				t.Errorf("create = %d %v, want %d %s", status, body, tt.status, tt.issue)
			}
			if status >= 400 && (body["debug_id"] == "" || body["message"] == "") {
				t.Errorf("error body %v lacks debug_id or message", body)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL()+"/v2/checkout/orders", strings.NewReader(order))
	req.Header.Set("Authorization", "Bearer "+c.tok)
	req.Header.Set("Content-Type", "text/plain")
	if status, body := c.send(req); status != http.StatusUnsupportedMediaType || issueOf(body) != "UNSUPPORTED_MEDIA_TYPE" {
		t.Errorf("create as text/plain = %d %v, want 415", status, body)
	}
}

// Prefer: return=minimal (the default) answers id, status and links;
// return=representation the whole order. A repeated PayPal-Request-Id
// answers 200 with the same order.
func TestCreateOrderAnswers(t *testing.T) {
	c := newClient(t)
	status, minimal := c.call(http.MethodPost, "/v2/checkout/orders", order, "PayPal-Request-Id", "req-1")
	if status != http.StatusCreated || minimal["status"] != "CREATED" || minimal["purchase_units"] != nil || len(minimal["links"].([]any)) != 4 {
		t.Errorf("create (minimal) = %d %v", status, minimal)
	}
	status, again := c.call(http.MethodPost, "/v2/checkout/orders", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"EUR","value":"99.00"}}]}`,
		"PayPal-Request-Id", "req-1", "Prefer", "return=representation")
	if status != http.StatusOK || again["id"] != minimal["id"] {
		t.Errorf("create with the same PayPal-Request-Id = %d %v, want 200 with order %v", status, again, minimal["id"])
	}
	pu := again["purchase_units"].([]any)[0].(map[string]any)
	if pu["invoice_id"] != "inv-1" || pu["reference_id"] != "default" || pu["amount"].(map[string]any)["value"] != "10.00" {
		t.Errorf("the order's purchase unit = %v, want the first request's", pu)
	}
	id := minimal["id"].(string)
	if status, body := c.call(http.MethodGet, "/v2/checkout/orders/"+id, ""); status != http.StatusOK || body["intent"] != "CAPTURE" {
		t.Errorf("get = %d %v", status, body)
	}
	if status, body := c.call(http.MethodGet, "/v2/checkout/orders/NOSUCHORDER", ""); status != http.StatusNotFound || issueOf(body) != "RESOURCE_NOT_FOUND INVALID_RESOURCE_ID" {
		t.Errorf("get unknown = %d %v, want 404 (error_404)", status, body)
	}
	if status, body := c.call(http.MethodPost, "/v2/checkout/orders/"+id+"/capture", "{}"); status != http.StatusUnprocessableEntity || issueOf(body) != "UNPROCESSABLE_ENTITY ORDER_NOT_APPROVED" {
		t.Errorf("capture before approval = %d %v, want 422 ORDER_NOT_APPROVED", status, body)
	}
}

// orders.patch: PayPal's JSON Patch, all or nothing, on CREATED and
// APPROVED orders; COMPLETED ones are 422 ORDER_ALREADY_COMPLETED.
func TestPatchOrder(t *testing.T) {
	c := newClient(t)
	_, o := c.call(http.MethodPost, "/v2/checkout/orders", order)
	id := o["id"].(string)
	path := func(field string) string { return `"/purchase_units/@reference_id=='default'/` + field + `"` }
	tests := []struct {
		name, body string
		status     int
		issue      string
	}{
		{"add over a value", `[{"op":"add","path":` + path("invoice_id") + `,"value":"x"}]`, 400, "INVALID_REQUEST INVALID_PATCH_OPERATION"},
		{"replace a missing value", `[{"op":"replace","path":` + path("custom_id") + `,"value":"x"}]`, 400, "INVALID_REQUEST INVALID_PATCH_OPERATION"},
		{"unpatchable path", `[{"op":"replace","path":"/purchase_units/@reference_id=='default'/amount","value":{}}]`, 422, "UNPROCESSABLE_ENTITY NOT_PATCHABLE"},
		{"unknown reference", `[{"op":"add","path":"/purchase_units/@reference_id=='other'/custom_id","value":"x"}]`, 422, "UNPROCESSABLE_ENTITY REFERENCE_ID_NOT_FOUND"},
		{"no value", `[{"op":"add","path":` + path("custom_id") + `}]`, 422, "UNPROCESSABLE_ENTITY PATCH_VALUE_REQUIRED"},
		{"second op fails, first not applied", `[{"op":"add","path":` + path("custom_id") + `,"value":"x"},{"op":"add","path":` + path("invoice_id") + `,"value":"y"}]`, 400, "INVALID_REQUEST INVALID_PATCH_OPERATION"},
		{"ok", `[{"op":"add","path":` + path("custom_id") + `,"value":"x"},{"op":"replace","path":` + path("invoice_id") + `,"value":"y"}]`, 204, ""},
	}
	for _, tt := range tests {
		status, body := c.call(http.MethodPatch, "/v2/checkout/orders/"+id, tt.body)
		if status != tt.status || (tt.issue != "" && issueOf(body) != tt.issue) {
			t.Errorf("%s: patch = %d %v, want %d %s", tt.name, status, body, tt.status, tt.issue)
		}
	}
	_, got := c.call(http.MethodGet, "/v2/checkout/orders/"+id, "")
	if pu := got["purchase_units"].([]any)[0].(map[string]any); pu["custom_id"] != "x" || pu["invoice_id"] != "y" {
		t.Errorf("patched purchase unit = %v", pu)
	}
	if _, err := c.srv.Approve(id, paypaltest.BuyerPays); err != nil {
		t.Fatal(err)
	}
	if status, _ := c.call(http.MethodPost, "/v2/checkout/orders/"+id+"/capture", ""); status != http.StatusCreated {
		t.Fatalf("capture = %d", status)
	}
	if status, body := c.call(http.MethodPatch, "/v2/checkout/orders/"+id, `[{"op":"remove","path":`+path("custom_id")+`}]`); status != 422 || issueOf(body) != "UNPROCESSABLE_ENTITY ORDER_ALREADY_COMPLETED" {
		t.Errorf("patch of a completed order = %d %v", status, body)
	}
	if status, body := c.call(http.MethodPost, "/v2/checkout/orders/"+id+"/capture", "{}", "PayPal-Request-Id", "another"); status != 422 || issueOf(body) != "UNPROCESSABLE_ENTITY ORDER_ALREADY_CAPTURED" {
		t.Errorf("second capture = %d %v, want 422 ORDER_ALREADY_CAPTURED", status, body)
	}
}

// The checkout page: GET shows the order, POST decides and redirects the
// payer as PayPal does (return_url?token=...&PayerID=..., or cancel_url).
func TestCheckoutPage(t *testing.T) {
	c := newClient(t)
	body := `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"1.00"}}],` +
		`"payment_source":{"paypal":{"experience_context":{"return_url":"https://b.example/r?x=1","cancel_url":"https://b.example/c"}}}}`
	_, o := c.call(http.MethodPost, "/v2/checkout/orders", body, "Prefer", "return=representation")
	id := o["id"].(string)
	if o["status"] != "PAYER_ACTION_REQUIRED" {
		t.Fatalf("order = %v, want PAYER_ACTION_REQUIRED", o)
	}
	link := o["links"].([]any)[1].(map[string]any)
	if link["rel"] != "payer-action" {
		t.Fatalf("links = %v, want a payer-action link", o["links"])
	}
	noRedirect := *c.srv.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Get(link["href"].(string))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), id) {
		t.Errorf("checkout page = %d %s", resp.StatusCode, page)
	}
	post := func(form url.Values) *http.Response {
		resp, err := noRedirect.PostForm(c.srv.URL()+paypaltest.CheckoutPath, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(url.Values{"token": {id}, "action": {"cancel"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://b.example/c?token="+id {
		t.Errorf("cancel = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = post(url.Values{"token": {id}, "buyer": {"pays"}})
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Host != "b.example" || loc.Query().Get("token") != id || loc.Query().Get("PayerID") == "" || loc.Query().Get("x") != "1" {
		t.Errorf("approve = %d to %q", resp.StatusCode, loc)
	}
	if resp := post(url.Values{"token": {id}, "buyer": {"pays"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("approve again = %d, want 409", resp.StatusCode)
	}
}

// Deliveries: each POST carries the five PAYPAL-* headers, signed afresh;
// a delivery the listener refuses is retried with the same event ID.
func TestDeliver(t *testing.T) {
	c := newClient(t)
	type delivery struct {
		header http.Header
		body   string
	}
	var mu sync.Mutex
	var got []delivery
	refuse := true
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, delivery{r.Header.Clone(), string(b)})
		if refuse {
			refuse = false
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer ts.Close()
	if err := c.srv.Deliver(context.Background()); err != nil {
		t.Errorf("Deliver() with nothing to deliver = %v", err)
	}
	c.srv.RegisterWebhook(ts.URL)
	_, o := c.call(http.MethodPost, "/v2/checkout/orders", order)
	if _, err := c.srv.Approve(o["id"].(string), paypaltest.BuyerPays); err != nil {
		t.Fatal(err)
	}
	if err := c.srv.Deliver(context.Background()); err == nil {
		t.Fatal("Deliver() to a listener answering 503 = nil")
	}
	if err := c.srv.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].body != got[1].body {
		t.Fatalf("deliveries = %d, want the one event twice", len(got))
	}
	for _, name := range []string{"PAYPAL-TRANSMISSION-ID", "PAYPAL-TRANSMISSION-TIME", "PAYPAL-TRANSMISSION-SIG", "PAYPAL-CERT-URL", "PAYPAL-AUTH-ALGO"} {
		if got[1].header.Get(name) == "" {
			t.Errorf("delivery lacks %s", name)
		}
	}
	if got[0].header.Get("PAYPAL-TRANSMISSION-ID") == got[1].header.Get("PAYPAL-TRANSMISSION-ID") {
		t.Error("a redelivery kept the transmission ID")
	}
	var event struct {
		ID        string         `json:"id"`
		EventType string         `json:"event_type"`
		Resource  map[string]any `json:"resource"`
	}
	if err := json.Unmarshal([]byte(got[1].body), &event); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(event.ID, "WH-") || event.EventType != "CHECKOUT.ORDER.APPROVED" || event.Resource["id"] != o["id"] {
		t.Errorf("event = %+v", event)
	}
	if evs := c.srv.Events(); len(evs) != 1 || !evs[0].Delivered || evs[0].ID != event.ID {
		t.Errorf("Events() = %+v", evs)
	}
}
