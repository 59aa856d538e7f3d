package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/accounts"
	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/listenmode"
	"github.com/billgate/billgate/models"
)

const goodPassword = "correct horse battery staple"

// accountsAPI serves the whole API over an in-memory store, with the
// identity core and accounts service the processes use, and logs in root
// (admin), shop and other (businesses) and shop's customer bob.
type accountsAPI struct {
	t      *testing.T
	store  *models.Store
	hasher *password.Hasher
	url    string
	client *http.Client
	tokens map[string]string
	ids    map[string]uuid.UUID
}

func newAccountsAPI(t *testing.T) *accountsAPI {
	ctx := context.Background()
	store, hasher := identityStore(t)
	a := &accountsAPI{t: t, store: store, hasher: hasher, tokens: map[string]string{}, ids: map[string]uuid.UUID{}}
	a.url, a.client = a.serve()
	create := func(tenant *uuid.UUID, login, role string) {
		hash, err := hasher.Hash(goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		cl := &models.Client{TenantID: tenant, Login: login, PasswordHash: hash}
		if err := store.CreateClient(ctx, cl, role); err != nil {
			t.Fatal(err)
		}
		a.ids[login] = cl.ID
		tenantName := ""
		if tenant != nil {
			tenantName = tenant.String()
		}
		r := a.call("", "POST", "/auth/session", fmt.Sprintf(`{"login":%q,"password":%q,"tenant":%q}`, login, goodPassword, tenantName))
		if r.status != 200 {
			t.Fatalf("login %s = %d %s", login, r.status, r.body)
		}
		a.tokens[login] = decode(t, []byte(r.body)).Result["token"].(string)
	}
	create(nil, "root", "admin")
	create(nil, "shop", "business")
	create(nil, "other", "business")
	shop := a.ids["shop"]
	create(&shop, "bob", "customer")
	return a
}

// serve starts an API process over a's store, as the processes build it.
func (a *accountsAPI) serve() (url string, client *http.Client) {
	now := func() time.Time { return time.Now().UTC() }
	log := slog.New(slog.DiscardHandler)
	id := auth.NewIdentity(auth.NewPersister(a.store), a.hasher, auth.DefaultConfig(), now, log)
	srv, c := serve(a.t, api.Deps{
		Authn: id.Requests, Logins: id.Logins, Sessions: id.Sessions,
		Accounts:        &accounts.Service{Store: a.store.Accounts, Sessions: a.store.Sessions, Hasher: a.hasher, Trail: a.store.Audit, Now: now, Log: log},
		Roles:           a.store.Roles,
		GatewayAccounts: &gatewayaccounts.Service{Store: a.store.GatewayAccounts, Gateways: testGateways{}, Secrets: testSecrets(a.t), Now: now},
		PublicURL:       "https://billgate.test",
		Findings:        a.store.Reconciliation,
		Observed:        listenmode.New(a.store.Observations, 10, log),
	})
	return srv.URL, c
}

// replica is a second API process over the same store, with the same
// accounts logged in: another replica behind the load balancer.
func (a *accountsAPI) replica() *accountsAPI {
	r := *a
	r.url, r.client = a.serve()
	return &r
}

type listReply struct {
	Results []map[string]any `json:"results"`
	Meta    map[string]any   `json:"meta"`
}

func (r reply) list(t *testing.T) listReply {
	t.Helper()
	var l listReply
	if err := json.Unmarshal([]byte(r.body), &l); err != nil {
		t.Fatalf("body %q is not a list: %v", r.body, err)
	}
	return l
}

type reply struct {
	status int
	body   string
}

// call makes a request as the named account ("" for none); {name} in the
// path or body is that account's ID.
func (a *accountsAPI) call(as, method, path, body string) reply {
	a.t.Helper()
	r, err := a.send(as, method, path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

// send is call for any goroutine: it returns what would stop the test.
func (a *accountsAPI) send(as, method, path, body string) (reply, error) {
	for name, id := range a.ids {
		path = strings.ReplaceAll(path, "{"+name+"}", id.String())
		body = strings.ReplaceAll(body, "{"+name+"}", id.String())
	}
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[as])
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}, err
}

// Every refusal of the account routes, to the byte, in the order the
// rules are checked: who may create which account in which tenant, who
// sees which, and which fields nobody sets through an update.
func TestAccountRefusals(t *testing.T) {
	a := newAccountsAPI(t)
	notFound := `{"errors":[{"code":"NOT_FOUND","message":"not found"}]}`
	denied := `{"errors":[{"code":"PERMISSION_DENIED","message":"PERMISSION DENIED"}]}`
	deniedOn := func(field string) string {
		return `{"errors":[{"code":"PERMISSION_DENIED","message":"PERMISSION DENIED","field":"` + field + `"}]}`
	}
	invalid := func(field, message, value string) string {
		if value != "" {
			value = `,"value":` + value
		}
		return `{"errors":[{"code":"INVALID","message":"` + message + `","field":"` + field + `"` + value + `}]}`
	}
	account := func(login, extra string) string {
		return fmt.Sprintf(`{"login":%q,"password":%q%s}`, login, goodPassword, extra)
	}
	const loginRule = "login must be 1-128 of letters, digits and . _ @ + - (starting with a letter or digit)"
	tests := []struct {
		as, method, path, body string
		status                 int
		want                   string
	}{
		{"shop", "POST", "/v1/clients", account("-x", ""), 400, invalid("login", loginRule, `"-x"`)},
		{"shop", "POST", "/v1/clients", `{"login":"x","password":"short"}`, 400, invalid("password", "password must be at least 12 characters", "")},
		{"shop", "POST", "/v1/clients", account("x", `,"email":"nope"`), 400, invalid("email", "email must be an address such as name@example.com", `"nope"`)},
		{"shop", "POST", "/v1/clients", account("x", `,"displayName":"a\u0001"`), 400, invalid("displayName", "displayName must be at most 128 printable characters", "")},
		{"shop", "POST", "/v1/clients", account("x", `,"role":"boss"`), 400, invalid("role", "role must be customer, business or admin", `"boss"`)},
		{"shop", "POST", "/v1/clients", account("x", `,"role":"admin"`), 401, denied},
		{"shop", "POST", "/v1/clients", account("x", `,"role":"business"`), 401, denied},
		{"shop", "POST", "/v1/clients", account("x", `,"tenantId":"{other}"`), 401, denied},
		{"shop", "POST", "/v1/clients", account("x", `,"birthdate":"2999-01-01"`), 400, invalid("birthdate", "birthdate must be a past date such as 1990-04-01", `"2999-01-01"`)},
		{"shop", "POST", "/v1/clients", account("x", `,"birthdate":12`), 400, invalid("birthdate", "birthdate must be a date such as 1990-04-01, or null", "")},
		{"shop", "POST", "/v1/clients", `{"login":"-","password":"short","birthdate":12}`, 400, invalid("login", loginRule, `"-"`)},
		{"root", "POST", "/v1/clients", account("c1", ""), 400, invalid("tenantId", "a customer belongs to a business: give tenantId", "")},
		{"root", "POST", "/v1/clients", account("b1", `,"role":"business","tenantId":"{shop}"`), 400, invalid("tenantId", "only customers belong to a tenant", `"{shop}"`)},
		{"root", "POST", "/v1/clients", account("bob", `,"tenantId":"{shop}"`), 409, `{"errors":[{"code":"CONFLICT","message":"already exists"}]}`},

		{"root", "GET", "/v1/clients?tenantId=bad", "", 400, invalid("tenantId", "tenantId must be a UUID or none", `"bad"`)},
		{"root", "GET", "/v1/clients?role=boss", "", 400, invalid("role", "role must be customer, business or admin", `"boss"`)},
		{"root", "GET", "/v1/clients?disabled=maybe", "", 400, invalid("disabled", "disabled must be true or false", `"maybe"`)},
		{"root", "GET", "/v1/clients?login=%01", "", 400, invalid("login", "login must be printable text", "")},
		{"root", "GET", "/v1/clients?limit=201", "", 400, invalid("limit", "limit must be 1-200", `"201"`)},
		{"root", "GET", "/v1/clients?cursor=garbage", "", 400, invalid("cursor", "cursor is not one billgate gave", `"garbage"`)},

		{"other", "GET", "/v1/clients/{bob}", "", 404, notFound},
		{"shop", "GET", "/v1/clients/{shop}", "", 404, notFound},
		{"shop", "GET", "/v1/clients/{other}", "", 404, notFound},
		{"shop", "GET", "/v1/clients/bad", "", 404, notFound},
		{"other", "PATCH", "/v1/clients/{bob}", `{"disabled":true}`, 404, notFound},
		{"other", "PATCH", "/v1/clients/{bob}", `{"roles":["admin"],"birthdate":12}`, 404, notFound},
		{"shop", "PATCH", "/v1/clients/{bob}", `{"level":2,"email":"bad"}`, 401, deniedOn("level")},
		{"shop", "PATCH", "/v1/clients/{bob}", `{"tenantId":null}`, 401, deniedOn("tenantId")},
		{"shop", "PATCH", "/v1/clients/{bob}", `{"email":"bad","birthdate":12}`, 400, invalid("email", "email must be an address such as name@example.com", `"bad"`)},
		{"shop", "PATCH", "/v1/clients/{bob}", `{"birthdate":true}`, 400, invalid("birthdate", "birthdate must be a date such as 1990-04-01, or null", "")},
		{"shop", "PATCH", "/v1/clients/{bob}", `{"payloadContext":{"bad key!":1}}`, 400,
			invalid("payloadContext.bad key!", "must be a variable name: a-z, 0-9 and _, starting with a letter, at most 64 characters", "")},
		{"other", "DELETE", "/v1/clients/{bob}", "", 404, notFound},
		{"root", "DELETE", "/v1/clients/{root}", "", 409, `{"errors":[{"code":"CONFLICT","message":"you cannot delete your own account here"}]}`},
		{"root", "DELETE", "/v1/clients/{shop}", "", 409, `{"errors":[{"code":"IN_USE","message":"still in use: delete what refers to it first"}]}`},

		{"shop", "PUT", "/v1/clients/{bob}/roles", `{"roles":["admin"]}`, 401, denied},
		{"root", "PUT", "/v1/clients/{bob}/roles", `{"roles":[]}`, 400, invalid("roles", "give at least one role", "")},
		{"root", "PUT", "/v1/clients/{bob}/roles", `{"roles":["nope","customer"]}`, 400, invalid("roles", "unknown role", `["nope","customer"]`)},
		{"root", "PUT", "/v1/clients/bad/roles", `{"roles":[]}`, 404, notFound},
		{"shop", "PUT", "/v1/clients/{bob}/password", `{"password":"a fresh passphrase"}`, 401, denied},
		{"root", "PUT", "/v1/clients/{bob}/password", `{"password":"short"}`, 400, invalid("password", "password must be at least 12 characters", "")},
		{"shop", "GET", "/v1/clients/{bob}/sessions", "", 401, denied},
		{"root", "DELETE", "/v1/clients/{bob}/sessions/bad", "", 404, notFound},

		{"shop", "PATCH", "/v1/profile", `{"displayName":"x","role":"admin"}`, 401, deniedOn("role")},
		{"shop", "PATCH", "/v1/profile", `{"payloadContext":{"a":"b"}}`, 401, deniedOn("payloadContext")},
		{"shop", "PATCH", "/v1/profile", `{"disabled":true}`, 400, invalid("disabled", "unknown field", "")},
		{"shop", "PATCH", "/v1/profile", `{"birthdate":"2999-01-01"}`, 400, invalid("birthdate", "birthdate must be a past date such as 1990-04-01", `"2999-01-01"`)},

		{"root", "GET", "/v1/audit-events?subjectId=bad", "", 400, invalid("subjectId", "subjectId must be a UUID", `"bad"`)},
		{"bob", "GET", "/v1/audit-events", "", 401, denied},
		{"shop", "GET", "/v1/roles", "", 401, denied},
		{"root", "POST", "/v1/roles", `{"name":"viewer","level":"god"}`, 400, invalid("level", "level must be customer, business or admin", `"god"`)},
		{"root", "GET", "/v1/payload-templates/observed", "", 400, invalid("role", "role is required", "")},
	}
	for _, tt := range tests {
		for name, id := range a.ids {
			tt.want = strings.ReplaceAll(tt.want, "{"+name+"}", id.String())
		}
		got := a.call(tt.as, tt.method, tt.path, tt.body)
		if got.status != tt.status || got.body != tt.want {
			t.Errorf("%s %s %s %s\n got %d %s\nwant %d %s", tt.as, tt.method, tt.path, tt.body, got.status, got.body, tt.status, tt.want)
		}
	}
}

// A business's customer, created, listed, changed, disabled and deleted,
// leaves its trail in the business's audit events.
func TestAccountLifecycle(t *testing.T) {
	a := newAccountsAPI(t)
	created := a.call("shop", "POST", "/v1/clients", `{"login":"ann","password":"`+goodPassword+`","birthdate":"1990-04-01"}`)
	ann := decode(t, []byte(created.body)).Result
	if created.status != 201 || ann["tenantId"] != a.ids["shop"].String() || ann["birthdate"] != "1990-04-01" || fmt.Sprint(ann["roles"]) != "[customer]" {
		t.Fatalf("shop creates ann = %d %s", created.status, created.body)
	}
	a.ids["ann"] = uuid.MustParse(ann["id"].(string))

	first := a.call("shop", "GET", "/v1/clients?limit=1", "").list(t)
	if len(first.Results) != 1 || first.Meta["nextCursor"] == nil {
		t.Fatalf("shop's first page of one = %v %v, want bob and a cursor", first.Results, first.Meta)
	}
	next := a.call("shop", "GET", "/v1/clients?limit=1&cursor="+first.Meta["nextCursor"].(string), "")
	if page := next.list(t); len(page.Results) != 1 || page.Results[0]["login"] != "ann" || page.Meta["nextCursor"] != nil {
		t.Errorf("shop's second page = %s, want ann and no cursor", next.body)
	}

	for _, body := range []string{`{"displayName":"Ann","birthdate":null}`, `{"disabled":true}`, `{"disabled":false}`} {
		if r := a.call("shop", "PATCH", "/v1/clients/{ann}", body); r.status != 200 {
			t.Fatalf("PATCH ann %s = %d %s", body, r.status, r.body)
		}
	}
	if r := a.call("shop", "DELETE", "/v1/clients/{ann}", ""); r.status != 204 {
		t.Fatalf("DELETE ann = %d %s", r.status, r.body)
	}

	var actions []string
	for _, e := range a.call("shop", "GET", "/v1/audit-events?subjectId={ann}", "").list(t).Results {
		actions = append(actions, e["action"].(string))
	}
	if got := strings.Join(actions, " "); got != "client.create client.update client.disable client.enable client.delete" {
		t.Errorf("ann's trail = %s", got)
	}
}
