package api_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/models"
)

// testGateways connects "stripe": a secret key of the account's mode and
// a webhook secret, both secret, and an optional publishable key.
type testGateways struct{}

func (testGateways) Names() []string { return []string{"stripe"} }

func (testGateways) Fields(gateway string) ([]gatewayaccounts.Field, bool) {
	if gateway != "stripe" {
		return nil, false
	}
	return []gatewayaccounts.Field{{Name: "secretKey", Secret: true}, {Name: "webhookSecret", Secret: true}, {Name: "publishableKey", Optional: true}}, true
}

func (testGateways) Check(_, mode string, creds map[string]string) error {
	if !strings.HasPrefix(creds["secretKey"], "sk_"+mode+"_") {
		return errors.New("secretKey: a " + mode + " account takes an sk_" + mode + "_ key")
	}
	return nil
}

func testSecrets(t *testing.T) *sealed.Box {
	box, err := sealed.New([]sealed.Key{sealed.RandomKey("test")})
	if err != nil {
		t.Fatal(err)
	}
	return box
}

const stripeAccount = `{"gateway":"stripe","mode":"test","name":"main","currencies":["USD"],
	"credentials":{"secretKey":"sk_test_secret_value","webhookSecret":"whsec_secret_value","publishableKey":"pk_test_1"}}`

// Over HTTP: a business connects, sees, rotates and disconnects its own
// accounts; its secrets never come back in any answer; nobody else sees
// them; bad input writes nothing.
func TestGatewayAccountRoutes(t *testing.T) {
	a := newAccountsAPI(t)
	created := a.call("shop", "POST", "/v1/gateway-accounts", stripeAccount)
	if created.status != 201 {
		t.Fatalf("connect = %d %s", created.status, created.body)
	}
	acct := decode(t, []byte(created.body)).Result
	id := acct["id"].(string)
	for _, want := range []string{`"secrets":["secretKey","webhookSecret"]`, `"settings":{"publishableKey":"pk_test_1"}`,
		`"webhookUrl":"https://billgate.test/webhooks/stripe/` + id + `"`, `"health":{"status":"unknown","lastAnsweredAt":null,"lastFailedAt":null}`,
		`"currencies":["USD"]`, `"tenantId":"` + a.ids["shop"].String() + `"`} {
		if !strings.Contains(created.body, want) {
			t.Errorf("connect answered %s\nwant it to hold %s", created.body, want)
		}
	}

	rotated := a.call("shop", "PATCH", "/v1/gateway-accounts/"+id, `{"credentials":{"webhookSecret":"whsec_rotated_value"}}`)
	if rotated.status != 200 {
		t.Errorf("rotate = %d %s", rotated.status, rotated.body)
	}
	reads := []reply{created, rotated, a.call("shop", "GET", "/v1/gateway-accounts/"+id, ""), a.call("shop", "GET", "/v1/gateway-accounts", ""),
		a.call("root", "GET", "/v1/gateway-accounts?tenantId={shop}", "")}
	for _, r := range reads {
		if r.status != 200 && r.status != 201 {
			t.Errorf("read = %d %s", r.status, r.body)
		}
		if strings.Contains(r.body, "secret_value") || strings.Contains(r.body, "rotated_value") {
			t.Errorf("an answer shows a secret: %s", r.body)
		}
	}
	if l := reads[3].list(t); len(l.Results) != 1 {
		t.Errorf("shop's list = %d accounts, want 1", len(l.Results))
	}
	if l := a.call("other", "GET", "/v1/gateway-accounts", "").list(t); len(l.Results) != 0 {
		t.Errorf("another business lists %d of shop's accounts", len(l.Results))
	}

	notFound := `{"errors":[{"code":"NOT_FOUND","message":"not found"}]}`
	denied := `{"errors":[{"code":"PERMISSION_DENIED","message":"PERMISSION DENIED"}]}`
	refusals := []struct {
		name, as, method, path, body string
		status                       int
		want                         string
	}{
		{"another business reads", "other", "GET", "/v1/gateway-accounts/" + id, "", 404, notFound},
		{"another business rotates", "other", "PATCH", "/v1/gateway-accounts/" + id, `{"credentials":{"webhookSecret":"whsec_x"}}`, 404, notFound},
		{"another business disconnects", "other", "DELETE", "/v1/gateway-accounts/" + id, "", 404, notFound},
		{"a customer lists", "bob", "GET", "/v1/gateway-accounts", "", 401, denied},
		{"a customer connects", "bob", "POST", "/v1/gateway-accounts", stripeAccount, 401, denied},
		{"a business names a tenant", "shop", "POST", "/v1/gateway-accounts", strings.Replace(stripeAccount, `"mode"`, `"tenantId":"{other}","mode"`, 1), 401,
			`{"errors":[{"code":"PERMISSION_DENIED","message":"PERMISSION DENIED","field":"tenantId"}]}`},
		{"an unknown gateway", "shop", "POST", "/v1/gateway-accounts", strings.Replace(stripeAccount, `"stripe"`, `"bitpay"`, 1), 400,
			`{"errors":[{"code":"INVALID","message":"gateway must be one billgate connects: stripe","field":"gateway","value":"bitpay"}]}`},
		{"a test key in live mode", "shop", "POST", "/v1/gateway-accounts", strings.Replace(stripeAccount, `"test"`, `"live"`, 1), 400,
			`{"errors":[{"code":"INVALID","message":"secretKey: a live account takes an sk_live_ key","field":"credentials"}]}`},
		{"a missing secret", "shop", "POST", "/v1/gateway-accounts", `{"gateway":"stripe","mode":"test","credentials":{"secretKey":"sk_test_1"}}`, 400,
			`{"errors":[{"code":"INVALID","message":"is required","field":"credentials.webhookSecret"}]}`},
		{"a bad currency", "shop", "POST", "/v1/gateway-accounts", strings.Replace(stripeAccount, `"USD"`, `"XYZ"`, 1), 400, ""},
		{"moving an account to another mode", "shop", "PATCH", "/v1/gateway-accounts/" + id, `{"mode":"live"}`, 400,
			`{"errors":[{"code":"INVALID","message":"an account keeps its mode: connect another","field":"mode","value":"live"}]}`},
		{"an unknown field", "shop", "POST", "/v1/gateway-accounts", strings.Replace(stripeAccount, `"mode"`, `"baseUrl":"http://10.0.0.1","mode"`, 1), 400, ""},
	}
	for _, tt := range refusals {
		r := a.call(tt.as, tt.method, tt.path, tt.body)
		if r.status != tt.status || tt.want != "" && r.body != tt.want {
			t.Errorf("%s: %d %s\nwant %d %s", tt.name, r.status, r.body, tt.status, tt.want)
		}
	}
	if l := a.call("root", "GET", "/v1/gateway-accounts", "").list(t); len(l.Results) != 1 {
		t.Errorf("after the refusals there are %d accounts, want the one", len(l.Results))
	}

	if r := a.call("shop", "DELETE", "/v1/gateway-accounts/"+id, ""); r.status != 204 {
		t.Errorf("disconnect = %d %s", r.status, r.body)
	}
	if r := a.call("shop", "GET", "/v1/gateway-accounts/"+id, ""); r.status != 404 {
		t.Errorf("read after disconnect = %d, want 404", r.status)
	}
}

// Over HTTP: the reconciliation's findings, newest first, a business its
// own tenant's, an admin any; customers never.
func TestReconciliationFindings(t *testing.T) {
	a := newAccountsAPI(t)
	shop, other := a.ids["shop"], a.ids["other"]
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var findings []models.Finding
	for i, tenant := range []uuid.UUID{shop, other, shop} {
		findings = append(findings, models.Finding{ID: uuid.Must(uuid.NewV7()), RunID: "run-1", TenantID: &tenant, Kind: "late_success",
			EventID: "stripe/evt_" + strconv.Itoa(i), Action: "refunded", Detail: "charge pi_1 succeeded after its payment was expired", CreatedAt: at})
	}
	if err := a.store.RecordFindings(context.Background(), findings); err != nil {
		t.Fatal(err)
	}
	mine := a.call("shop", "GET", "/v1/reconciliation", "")
	if l := mine.list(t); mine.status != 200 || len(l.Results) != 2 || l.Results[0]["id"] != findings[2].ID.String() || l.Results[1]["id"] != findings[0].ID.String() {
		t.Errorf("shop's findings = %d %s, want its two, newest first", mine.status, mine.body)
	}
	if l := a.call("root", "GET", "/v1/reconciliation?tenantId={other}", "").list(t); len(l.Results) != 1 || l.Results[0]["eventId"] != "stripe/evt_1" {
		t.Errorf("an admin's findings of other = %v", l.Results)
	}
	page := a.call("root", "GET", "/v1/reconciliation?limit=2", "").list(t)
	cursor, _ := page.Meta["nextCursor"].(string)
	if len(page.Results) != 2 || cursor == "" {
		t.Fatalf("a page of two = %v %v, want two and a cursor", page.Results, page.Meta)
	}
	if rest := a.call("root", "GET", "/v1/reconciliation?limit=2&cursor="+cursor, "").list(t); len(rest.Results) != 1 || rest.Results[0]["id"] != findings[0].ID.String() {
		t.Errorf("the next page = %v, want the oldest finding", rest.Results)
	}
	if r := a.call("bob", "GET", "/v1/reconciliation", ""); r.status != 401 || r.body != `{"errors":[{"code":"PERMISSION_DENIED","message":"PERMISSION DENIED"}]}` {
		t.Errorf("a customer's findings = %d %s, want 401 PERMISSION DENIED", r.status, r.body)
	}
}
