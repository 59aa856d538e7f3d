package e2e

import (
	"strings"
	"testing"
)

// Webhook endpoints over HTTP: the signing secret is shown when it is
// made and never again, the scheme's secret never; another business and
// customers are kept out; bad input is 400 on its field.
func TestWebhookEndpointsOverHTTP(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	body := `{"url":"https://hooks.example/billgate","eventTypes":["invoice.*","payment.failed"],"description":"CRM",
		"auth":{"scheme":"bearer","claims":{"i_env":3},"expiryClaim":"Exp","ttlSeconds":60,"secret":"superkey"}}`
	created := call(t, s.env, "POST", "/v1/webhook-endpoints", body, s.owner...)
	if created.Status != 201 || !strings.HasPrefix(created.Result["secret"].(string), "whsec_") {
		t.Fatalf("create = %d %+v %v", created.Status, created.Errors, created.Result)
	}
	auth := created.Result["auth"].(map[string]any)
	if auth["scheme"] != "bearer" || auth["expiryClaim"] != "Exp" || auth["secret"] != nil {
		t.Errorf("created auth = %v; want the bearer settings without the secret", auth)
	}
	path := "/v1/webhook-endpoints/" + created.Result["id"].(string)
	read := call(t, s.env, "GET", path, "", s.owner...)
	if read.Status != 200 || read.Result["secret"] != nil || read.Result["auth"].(map[string]any)["secret"] != nil {
		t.Errorf("read = %d %v; want no secret", read.Status, read.Result)
	}
	if r := call(t, s.env, "PATCH", path, `{"enabled":false,"eventTypes":["*"]}`, s.owner...); r.Status != 200 || r.Result["enabled"] != false {
		t.Errorf("disable = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	rotated := call(t, s.env, "POST", path+"/rotate-secret", "", s.owner...)
	if rotated.Status != 200 || rotated.Result["secret"] == created.Result["secret"] {
		t.Errorf("rotate = %d %v", rotated.Status, rotated.Result)
	}

	if r := call(t, s.env, "GET", path, "", s.other...); r.Status != 404 {
		t.Errorf("another business reads the endpoint: %d", r.Status)
	}
	if r := call(t, s.env, "GET", "/v1/webhook-endpoints", "", s.bob...); r.Status < 400 {
		t.Errorf("a customer lists endpoints: %d", r.Status)
	}
	call(t, s.env, "POST", "/v1/webhook-endpoints", `{"url":"https://user:pw@hooks.example/","eventTypes":["*"]}`, s.owner...).
		is(t, "a URL with credentials", 400, "INVALID", "url must not carry credentials: use auth")
	call(t, s.env, "POST", "/v1/webhook-endpoints", `{"url":"https://hooks.example/","eventTypes":["invoice.eaten"]}`, s.owner...).
		is(t, "an unknown event type", 400, "INVALID", `eventTypes must be event types (see docs/events.md), "<object>.*" or "*"`)
	if r := call(t, s.env, "DELETE", path, "", s.owner...); r.Status != 204 {
		t.Errorf("delete = %d", r.Status)
	}
}
