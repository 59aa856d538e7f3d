package e2e

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/internal/app"
	"github.com/billgate/billgate/internal/config"
	"github.com/billgate/billgate/internal/testenv"
)

// The attack suite (issue 15): billgate attacked over HTTP the way a
// rival tenant, a customer, a forger and a hostile web page would. Each
// attack is a row naming the OWASP ASVS 5.0 requirement it checks (the
// numbers of the v5.0.0_release tag of github.com/OWASP/ASVS), the
// request, and the refusal it must get. Every answer must be billgate's
// error envelope, never a 5xx, and an attack that would change something
// must change nothing: its watches, read by the accounts that own what it
// aims at, answer the same before and after.
//
// The rows on routes are generated from routeCases, which
// TestAttackSuiteCoversTheSpec holds to api/openapi.yaml: a route added to
// the API and not to routeCases fails it. docs/security.md maps the suite
// to ASVS.

// TestAttackSuite runs every attack and fails listing those that got
// through, after the summary line.
func TestAttackSuite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	control := attack{name: "control", send: sent("shop", "PATCH", "/v1/products/{keyedProduct}", `{"description":"changed by the control"}`),
		want: outcome{"any answer", func(*world, reply) bool { return true }}, watch: []read{{"root", "/v1/products/{keyedProduct}"}}}
	if how := w.run(control); !strings.Contains(how, "changed /v1/products/") {
		t.Fatalf("the control's change went unseen (%q): every attack would pass", how)
	}
	suite := attacks()
	var through []string
	for _, a := range suite {
		if how := w.run(a); how != "" {
			through = append(through, fmt.Sprintf("%s %s: %s", a.asvs, a.name, how))
		}
	}
	t.Logf("%d attacks, %d refused", len(suite), len(suite)-len(through))
	fmt.Printf("%d attacks, %d refused\n", len(suite), len(suite)-len(through))
	if len(through) > 0 {
		t.Errorf("%d attacks were not refused:\n%s", len(through), strings.Join(through, "\n"))
	}
}

// TestAttackSuiteCoversTheSpec holds routeCases to api/openapi.yaml: every
// operation is a route case or a public one, said why; a case's body is
// there exactly when the operation takes one; and every operation on a
// path with a parameter is attacked by some row.
func TestAttackSuiteCoversTheSpec(t *testing.T) {
	t.Parallel()
	spec := map[string]bool{} // operation → whether it takes a JSON body
	for path, item := range apitest.Spec(t).Paths.Map() {
		for method, op := range item.Operations() {
			takesJSON := op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil
			spec[method+" "+path] = takesJSON
		}
	}
	cased := map[string]bool{}
	for _, rc := range routeCases {
		takesJSON, ok := spec[rc.route]
		switch {
		case !ok:
			t.Errorf("route case %s: no such operation in api/openapi.yaml", rc.route)
		case cased[rc.route]:
			t.Errorf("route case %s: twice", rc.route)
		case takesJSON != (rc.body != ""):
			t.Errorf("route case %s: body %q, but the operation takes a JSON body: %v", rc.route, rc.body, takesJSON)
		case !samePathShape(rc.route, rc.target()):
			t.Errorf("route case %s: path %s is not of its shape", rc.route, rc.target())
		}
		cased[rc.route] = true
	}
	attacked := map[string]bool{}
	for _, a := range attacks() {
		attacked[a.route] = true
	}
	for op := range spec {
		why, public := publicOperations[op]
		switch {
		case cased[op] == public:
			t.Errorf("%s: want it either a route case or a public operation", op)
		case strings.Contains(op, "{") && !attacked[op] && why == "":
			t.Errorf("%s: no attack reaches it", op)
		}
	}
	for op := range publicOperations {
		if _, ok := spec[op]; !ok {
			t.Errorf("public operation %s: no such operation in api/openapi.yaml", op)
		}
	}
}

// samePathShape reports whether path (with the world's placeholders, and
// perhaps a query) has route's segments, route's parameters standing for
// any one segment.
func samePathShape(route, path string) bool {
	_, want, _ := strings.Cut(route, " ")
	path, _, _ = strings.Cut(path, "?")
	ws, ps := strings.Split(want, "/"), strings.Split(path, "/")
	if len(ws) != len(ps) {
		return false
	}
	for i := range ws {
		if !strings.HasPrefix(ws[i], "{") && ws[i] != ps[i] {
			return false
		}
	}
	return true
}

// publicOperations answer without credentials, so no tenant, role or
// session is theirs to cross. The value says why no row attacks the
// operation, when none does.
var publicOperations = map[string]string{
	"POST /auth/session":                         "",
	"GET /.well-known/jwks.json":                 "public keys, public by design",
	"GET /sandbox/approve/{ref}":                 "",
	"POST /sandbox/approve/{ref}":                "",
	"POST /webhooks/sandbox":                     "",
	"POST /webhooks/{gateway}/{accountId}":       "",
	"GET /gateways/{gateway}/{accountId}/return": "",
	"OPTIONS /temporal-codec/encode":             "a CORS preflight carries no credentials",
	"OPTIONS /temporal-codec/decode":             "a CORS preflight carries no credentials",
	"GET /healthz":                               "no data",
	"GET /readyz":                                "no tenant's data",
	"GET /metrics":                               "off the API port in production (finding 11)",
	"GET /openapi.yaml":                          "public by design",
	"GET /console":                               "a redirect",
	"GET /console/{file}":                        "the console's files, embedded in the binary: no data",
	"GET /docs":                                  "a redirect",
	"GET /docs/{file}":                           "Swagger UI's files, embedded in the binary: no data",
}

// The principals of the world are "root", the admin; "shop" and "rival",
// two businesses; "bob" and "carol", the shop's customers; "eve", the
// rival's customer. Each has a session, "token:<principal>" in the
// world's ids.

// actors are who changes what a route case changes, by its level.
var actors = map[string]string{"customer": "bob", "business": "shop", "admin": "root"}

// below are the shop's own principals under each level, which must be
// refused whatever object they name.
var below = map[string][]string{"business": {"bob"}, "admin": {"bob", "shop"}}

// routeCase is an operation of api/openapi.yaml as the suite attacks it.
type routeCase struct {
	route string // "METHOD /path" as api/openapi.yaml spells it
	path  string // route's path with the world's placeholders; "" when it has none
	// level is the lowest role the default policies let call it:
	// customer, business or admin.
	level string
	// ownedByBob is set when the object is bob's own, which another customer
	// of the shop must not reach either.
	ownedByBob bool
	body       string // a body the level's actor could send; "" when it takes none
	// watch is what an accepted attack would change.
	watch []read
}

func (rc routeCase) method() string { m, _, _ := strings.Cut(rc.route, " "); return m }

func (rc routeCase) target() string {
	if rc.path != "" {
		return rc.path
	}
	_, p, _ := strings.Cut(rc.route, " ")
	return p
}

// The watches of the route cases.
var (
	bobSessions   = []read{{"root", "/v1/clients/{bob}/sessions"}}
	bobAccount    = []read{{"root", "/v1/clients/{bob}"}}
	shopClients   = []read{{"root", "/v1/clients?tenantId={shop}"}}
	theRole       = []read{{"root", "/v1/roles/{role}"}}
	thePolicy     = []read{{"root", "/v1/policies/{policy}"}}
	shopAPIKeys   = []read{{"shop", "/v1/api-keys"}}
	shopSignKeys  = []read{{"shop", "/v1/signing-keys"}}
	shopProducts  = []read{{"root", "/v1/products?tenantId={shop}"}}
	theProduct    = []read{{"root", "/v1/products/{product}"}}
	bobMethods    = []read{{"root", "/v1/customers/{bob}/payment-methods"}}
	bobSub        = []read{{"root", "/v1/subscriptions/{subscription}"}}
	shopSubs      = []read{{"root", "/v1/subscriptions?tenantId={shop}"}}
	shopPayments  = []read{{"root", "/v1/payments?tenantId={shop}"}}
	thePayment    = []read{{"root", "/v1/payments/{payment}"}, {"root", "/v1/events?objectId={payment}"}}
	theEndpoint   = []read{{"root", "/v1/webhook-endpoints/{endpoint}"}, {"root", "/v1/webhook-endpoints/{endpoint}/deliveries"}}
	shopEndpoints = []read{{"root", "/v1/webhook-endpoints?tenantId={shop}"}}
	theAccount    = []read{{"root", "/v1/gateway-accounts/{account}"}}
	shopAccounts  = []read{{"root", "/v1/gateway-accounts?tenantId={shop}"}}
	theClock      = []read{{"root", "/v1/test-clocks/{clock}"}}
	shopClocks    = []read{{"root", "/v1/test-clocks?tenantId={shop}"}}
)

// routeCases are every authenticated operation of api/openapi.yaml.
var routeCases = []routeCase{
	{route: "GET /auth/session", level: "customer"},
	{route: "PATCH /auth/session", level: "customer", body: `{"expiresAt":"{later}"}`, watch: bobSessions},
	{route: "DELETE /auth/session", level: "customer", watch: bobSessions},
	{route: "PUT /auth/password", level: "customer", body: `{"currentPassword":"{password}","newPassword":"a password the attacker chose"}`, watch: bobSessions},
	{route: "POST /auth/token", level: "customer"},
	{route: "GET /auth/sessions", level: "customer"},
	{route: "DELETE /auth/sessions", level: "customer", watch: bobSessions},
	{route: "DELETE /auth/sessions/{id}", path: "/auth/sessions/{bobSession}", level: "customer", ownedByBob: true, watch: bobSessions},
	{route: "GET /v1/profile", level: "customer"},
	{route: "PATCH /v1/profile", level: "customer", body: `{"displayName":"Bob the attacker"}`, watch: bobAccount},

	{route: "POST /v1/clients", level: "business", body: `{"login":"mallory","password":"{password}"}`, watch: shopClients},
	{route: "GET /v1/clients", level: "business"},
	{route: "GET /v1/clients/{id}", path: "/v1/clients/{bob}", level: "business"},
	{route: "PATCH /v1/clients/{id}", path: "/v1/clients/{bob}", level: "business", body: `{"disabled":true}`, watch: bobAccount},
	{route: "DELETE /v1/clients/{id}", path: "/v1/clients/{bob}", level: "business", watch: bobAccount},
	{route: "PUT /v1/clients/{id}/roles", path: "/v1/clients/{bob}/roles", level: "admin", body: `{"roles":["admin"]}`, watch: bobAccount},
	{route: "PUT /v1/clients/{id}/password", path: "/v1/clients/{bob}/password", level: "admin", body: `{"password":"a password the attacker chose"}`, watch: bobSessions},
	{route: "GET /v1/clients/{id}/sessions", path: "/v1/clients/{bob}/sessions", level: "admin"},
	{route: "DELETE /v1/clients/{id}/sessions", path: "/v1/clients/{bob}/sessions", level: "admin", watch: bobSessions},
	{route: "DELETE /v1/clients/{id}/sessions/{sessionId}", path: "/v1/clients/{bob}/sessions/{bobSession}", level: "admin", watch: bobSessions},
	{route: "GET /v1/audit-events", level: "business"},

	{route: "POST /v1/roles", level: "admin", body: `{"name":"escalated","level":"admin","policies":["admin-default"]}`, watch: []read{{"root", "/v1/roles"}}},
	{route: "GET /v1/roles", level: "admin"},
	{route: "GET /v1/roles/{id}", path: "/v1/roles/{role}", level: "admin"},
	{route: "PATCH /v1/roles/{id}", path: "/v1/roles/{role}", level: "admin", body: `{"policies":["admin-default"]}`, watch: theRole},
	{route: "DELETE /v1/roles/{id}", path: "/v1/roles/{role}", level: "admin", watch: theRole},
	{route: "POST /v1/policies", level: "admin", body: `{"name":"escalate","statements":[{"effect":"allow","actions":["*"],"resources":["*"]}]}`, watch: []read{{"root", "/v1/policies"}}},
	{route: "GET /v1/policies", level: "admin"},
	{route: "GET /v1/policies/{id}", path: "/v1/policies/{policy}", level: "admin"},
	{route: "PATCH /v1/policies/{id}", path: "/v1/policies/{policy}", level: "admin", body: `{"statements":[{"effect":"allow","actions":["*"],"resources":["*"]}]}`, watch: thePolicy},
	{route: "DELETE /v1/policies/{id}", path: "/v1/policies/{policy}", level: "admin", watch: thePolicy},
	{route: "GET /v1/actions", level: "admin"},
	{route: "GET /v1/payload-templates/observed", path: "/v1/payload-templates/observed?role=customer", level: "admin"},
	{route: "POST /v1/payload-templates", level: "admin", body: `{"policyId":"{policy}","action":"products:create","template":{"name":["planted"]}}`, watch: thePolicy},

	{route: "POST /v1/api-keys", level: "business", body: `{"name":"planted"}`, watch: shopAPIKeys},
	{route: "GET /v1/api-keys", level: "business"},
	{route: "DELETE /v1/api-keys/{id}", path: "/v1/api-keys/{apiKey}", level: "business", watch: shopAPIKeys},
	{route: "POST /v1/signing-keys", level: "business", body: `{"algorithm":"hmac-sha256"}`, watch: shopSignKeys},
	{route: "GET /v1/signing-keys", level: "business"},
	{route: "DELETE /v1/signing-keys/{id}", path: "/v1/signing-keys/{signingKey}", level: "business", watch: shopSignKeys},

	{route: "POST /v1/products", level: "business", body: `{"name":"Planted"}`, watch: shopProducts},
	{route: "GET /v1/products", level: "customer"},
	{route: "GET /v1/products/{id}", path: "/v1/products/{product}", level: "customer"},
	{route: "PATCH /v1/products/{id}", path: "/v1/products/{product}", level: "business", body: `{"active":false}`, watch: theProduct},
	{route: "POST /v1/products/{id}/prices", path: "/v1/products/{product}/prices", level: "business", body: `{"amount":1,"currency":"USD","type":"recurring","interval":"month"}`, watch: theProduct},
	{route: "GET /v1/prices/{id}", path: "/v1/prices/{monthly}", level: "customer"},
	{route: "PATCH /v1/prices/{id}", path: "/v1/prices/{monthly}", level: "business", body: `{"active":false}`, watch: []read{{"root", "/v1/prices/{monthly}"}}},
	{route: "POST /v1/customers/{id}/payment-methods", path: "/v1/customers/{bob}/payment-methods", level: "customer", ownedByBob: true, body: `{"gateway":"sandbox","token":"sandbox_ok"}`, watch: bobMethods},
	{route: "GET /v1/customers/{id}/payment-methods", path: "/v1/customers/{bob}/payment-methods", level: "customer", ownedByBob: true},
	{route: "DELETE /v1/customers/{id}/payment-methods/{methodId}", path: "/v1/customers/{bob}/payment-methods/{method}", level: "customer", ownedByBob: true, watch: bobMethods},

	{route: "POST /v1/subscriptions", level: "customer", body: `{"priceId":"{yearly}","paymentMethodId":"{method}"}`, watch: shopSubs},
	{route: "GET /v1/subscriptions", level: "customer"},
	{route: "GET /v1/subscriptions/{id}", path: "/v1/subscriptions/{subscription}", level: "customer", ownedByBob: true},
	{route: "GET /v1/subscriptions/{id}/upcoming-invoice", path: "/v1/subscriptions/{subscription}/upcoming-invoice", level: "customer", ownedByBob: true},
	{route: "GET /v1/subscriptions/{id}/price-change-preview", path: "/v1/subscriptions/{subscription}/price-change-preview?priceId={yearly}", level: "customer", ownedByBob: true},
	{route: "GET /v1/subscriptions/{id}/workflow", path: "/v1/subscriptions/{subscription}/workflow", level: "business"},
	{route: "POST /v1/subscriptions/{id}/cancel", path: "/v1/subscriptions/{subscription}/cancel", level: "customer", ownedByBob: true, body: `{"atPeriodEnd":false}`, watch: bobSub},
	{route: "POST /v1/subscriptions/{id}/reactivate", path: "/v1/subscriptions/{subscription}/reactivate", level: "customer", ownedByBob: true, watch: bobSub},
	{route: "POST /v1/subscriptions/{id}/pause", path: "/v1/subscriptions/{subscription}/pause", level: "business", watch: bobSub},
	{route: "POST /v1/subscriptions/{id}/resume", path: "/v1/subscriptions/{subscription}/resume", level: "business", watch: bobSub},
	{route: "POST /v1/subscriptions/{id}/change-price", path: "/v1/subscriptions/{subscription}/change-price", level: "customer", ownedByBob: true, body: `{"priceId":"{yearly}","proration":"none"}`, watch: bobSub},
	{route: "POST /v1/subscriptions/{id}/payment-method", path: "/v1/subscriptions/{subscription}/payment-method", level: "customer", ownedByBob: true, body: `{"paymentMethod":{"gateway":"sandbox","token":"sandbox_decline"}}`, watch: bobSub},
	{route: "POST /v1/purchases", level: "customer", body: `{"priceId":"{pdf}","paymentMethodId":"{method}"}`, watch: shopPayments},
	{route: "GET /v1/invoices", level: "customer"},
	{route: "GET /v1/invoices/{id}", path: "/v1/invoices/{invoice}", level: "customer", ownedByBob: true},
	{route: "GET /v1/payments", level: "customer"},
	{route: "GET /v1/payments/{id}", path: "/v1/payments/{payment}", level: "customer", ownedByBob: true},
	{route: "POST /v1/refunds", level: "business", body: `{"paymentId":"{payment}"}`, watch: thePayment},
	{route: "GET /v1/refunds", level: "customer"},
	{route: "GET /v1/refunds/{id}", path: "/v1/refunds/{refund}", level: "customer", ownedByBob: true},
	{route: "GET /v1/entitlements", level: "customer"},
	{route: "GET /v1/events", level: "customer"},
	{route: "GET /v1/events/stream", level: "customer"},
	{route: "GET /v1/events/{id}", path: "/v1/events/{event}", level: "customer", ownedByBob: true},

	{route: "POST /v1/webhook-endpoints", level: "business", body: `{"url":"https://attacker.example/hook","eventTypes":["*"]}`, watch: shopEndpoints},
	{route: "GET /v1/webhook-endpoints", level: "business"},
	{route: "GET /v1/webhook-endpoints/{id}", path: "/v1/webhook-endpoints/{endpoint}", level: "business"},
	{route: "PATCH /v1/webhook-endpoints/{id}", path: "/v1/webhook-endpoints/{endpoint}", level: "business", body: `{"url":"https://attacker.example/hook"}`, watch: theEndpoint},
	{route: "DELETE /v1/webhook-endpoints/{id}", path: "/v1/webhook-endpoints/{endpoint}", level: "business", watch: theEndpoint},
	{route: "POST /v1/webhook-endpoints/{id}/rotate-secret", path: "/v1/webhook-endpoints/{endpoint}/rotate-secret", level: "business", watch: theEndpoint},
	{route: "POST /v1/webhook-endpoints/{id}/test", path: "/v1/webhook-endpoints/{endpoint}/test", level: "business", watch: theEndpoint},
	{route: "GET /v1/webhook-endpoints/{id}/deliveries", path: "/v1/webhook-endpoints/{endpoint}/deliveries", level: "business"},
	{route: "POST /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry", path: "/v1/webhook-endpoints/{endpoint}/deliveries/{delivery}/retry", level: "business", watch: theEndpoint},

	{route: "POST /v1/gateway-accounts", level: "business", body: `{"gateway":"stripe","mode":"test","credentials":{"secretKey":"sk_test_attacker","webhookSecret":"whsec_attacker"}}`, watch: shopAccounts},
	{route: "GET /v1/gateway-accounts", level: "business"},
	{route: "GET /v1/gateway-accounts/{id}", path: "/v1/gateway-accounts/{account}", level: "business"},
	{route: "PATCH /v1/gateway-accounts/{id}", path: "/v1/gateway-accounts/{account}", level: "business", body: `{"name":"Planted","currencies":["EUR"]}`, watch: theAccount},
	{route: "DELETE /v1/gateway-accounts/{id}", path: "/v1/gateway-accounts/{account}", level: "business", watch: theAccount},
	{route: "GET /v1/reports/mrr", level: "business"},
	{route: "GET /v1/reports/revenue", level: "business"},
	{route: "GET /v1/reports/payments", level: "business"},
	{route: "GET /v1/reports/churn", level: "business"},
	{route: "GET /v1/reconciliation", level: "business"},

	{route: "POST /v1/test-clocks", level: "business", body: `{"frozenTime":"2031-01-01T00:00:00Z"}`, watch: shopClocks},
	{route: "GET /v1/test-clocks", level: "business"},
	{route: "GET /v1/test-clocks/{id}", path: "/v1/test-clocks/{clock}", level: "business"},
	{route: "DELETE /v1/test-clocks/{id}", path: "/v1/test-clocks/{clock}", level: "business", watch: theClock},
	{route: "POST /v1/test-clocks/{id}/advance", path: "/v1/test-clocks/{clock}/advance", level: "business", body: `{"to":"2031-06-01T00:00:00Z"}`, watch: theClock},

	{route: "GET /v1/sandbox/ledger", level: "admin"},
	{route: "POST /temporal-codec/encode", level: "admin", body: `{"payloads":[]}`},
	{route: "POST /temporal-codec/decode", level: "admin", body: `{"payloads":[]}`},
}

// attack is one row of the suite.
type attack struct {
	asvs string // the OWASP ASVS 5.0 requirement it checks, e.g. V8.2.2
	name string
	// route is the operation of api/openapi.yaml it attacks, as the spec
	// spells it; "" when it aims at none in particular.
	route string
	send  func(w *world) (reply, error)
	want  outcome
	watch []read // what must answer the same before and after
}

// read is a GET of path, with the world's placeholders, by who.
type read struct{ who, path string }

// outcome is what a refused attack gets.
type outcome struct {
	want  string // for the report
	holds func(w *world, r reply) bool
}

// refused wants exactly this refusal.
func refused(status int, code string) outcome {
	return outcome{fmt.Sprintf("%d %s", status, code), func(_ *world, r reply) bool {
		return r.Status == status && len(r.Errors) == 1 && r.Errors[0].Code == code
	}}
}

// refusedOn wants the refusal to name field.
func refusedOn(status int, code, field string) outcome {
	o := refused(status, code)
	return outcome{fmt.Sprintf("%s on %s", o.want, field), func(w *world, r reply) bool {
		return o.holds(w, r) && r.Errors[0].Field == field
	}}
}

// invalidOn and deniedOn are 400 INVALID and 401 PERMISSION DENIED naming
// field.
func invalidOn(field string) outcome { return refusedOn(http.StatusBadRequest, "INVALID", field) }
func deniedOn(field string) outcome {
	return refusedOn(http.StatusUnauthorized, "PERMISSION_DENIED", field)
}

var (
	notFound = refused(http.StatusNotFound, "NOT_FOUND")
	denied   = refused(http.StatusUnauthorized, "PERMISSION_DENIED")
	invalid  = refused(http.StatusBadRequest, "INVALID")
	// authFailed is a credential that does not verify.
	authFailed = refused(http.StatusUnauthorized, "AUTH_FAILED")
	// sessionUnknown is a session secret, or a token of a session, that
	// names no live session.
	sessionUnknown = refused(http.StatusNotFound, "SESSION_UNKNOWN")
)

// protectedField wants a field the caller may not set refused, naming it:
// 400 INVALID (unknown to the route, or not the caller's to change; the
// Temporal codec's protobuf decoder names it in the message on body) or
// 401 PERMISSION DENIED (which may leave the field unnamed when the field
// is one the route knows, such as a role only an admin gives).
func protectedField(field string) outcome {
	return outcome{"400 INVALID or 401 PERMISSION_DENIED on " + field, func(_ *world, r reply) bool {
		if len(r.Errors) != 1 {
			return false
		}
		e := r.Errors[0]
		named := e.Field == field || strings.HasPrefix(e.Field, field+"[") || e.Field == "body" && strings.Contains(e.Message, strconv.Quote(field))
		return r.Status == http.StatusBadRequest && e.Code == "INVALID" && named ||
			r.Status == http.StatusUnauthorized && e.Code == "PERMISSION_DENIED" && (named || e.Field == "")
	}}
}

// received is a webhook taken and acknowledged: a repeat is answered as
// the first was, and the watches show that it changed nothing.
var received = outcome{`200 {"received":true}, changing nothing`, func(_ *world, r reply) bool {
	return r.Status == http.StatusOK && r.Result["received"] == true
}}

// withoutSession is a refusal that opens no session.
func withoutSession(o outcome) outcome {
	return outcome{o.want + " and no sid cookie", func(w *world, r reply) bool { return o.holds(w, r) && len(r.Cookies) == 0 }}
}

// notTheirs is a list that holds nothing of keys, the objects of the
// account under attack.
func notTheirs(keys ...string) outcome {
	return outcome{"200 without " + strings.Join(keys, ", "), func(w *world, r reply) bool {
		raw, _ := json.Marshal(r.Results)
		for _, k := range keys {
			if strings.Contains(string(raw), w.ids[k]) {
				return false
			}
		}
		return r.Status == http.StatusOK
	}}
}

// notReplayed is any answer but the replay of the answer that created
// keyed: another caller's Idempotency-Key is not the attacker's.
func notReplayed(keyed string) outcome {
	return outcome{"not the replay of " + keyed, func(w *world, r reply) bool {
		return r.Header.Get("Idempotent-Replayed") == "" && r.Result["id"] != w.ids[keyed]
	}}
}

// sent is a request by who (with its session as Bearer; "" sends no
// credentials), its path, body and header values filled from the world.
func sent(who, method, path, body string, header ...string) func(w *world) (reply, error) {
	return func(w *world) (reply, error) { return w.send(who, method, path, body, header...) }
}

// attacks are every row of the suite.
func attacks() []attack {
	var all []attack
	for _, rc := range routeCases {
		all = slices.Concat(all, rc.accessAttacks(), rc.forgedRequests(), rc.massAssignments())
	}
	return slices.Concat(all, escalations(), foreignReferences(), foreignFilters(), tokenAttacks(), webhookAttacks(),
		idempotencyAttacks(), bodyAttacks(), browserAttacks())
}

// accessAttacks are the route case called by each principal whose role is
// too low for it (V8.2.1), and on the shop's object by the rival, the
// rival's customer, and another customer of the shop (V8.4.1, V8.2.2):
// another tenant's object, or another customer's, does not exist for them.
func (rc routeCase) accessAttacks() []attack {
	var out []attack
	add := func(asvs, who, what string, want outcome) {
		out = append(out, attack{asvs: asvs, name: fmt.Sprintf("%s, %s: %s", what, who, rc.route), route: rc.route,
			send: sent(who, rc.method(), rc.target(), rc.body), want: want, watch: rc.watch})
	}
	for _, who := range below[rc.level] {
		add("V8.2.1", who, "above its role", denied)
	}
	if !strings.Contains(rc.route, "{") {
		return out
	}
	switch rc.level {
	case "customer":
		add("V8.4.1", "rival", "another tenant's object", notFound)
		add("V8.4.1", "eve", "another tenant's object", notFound)
	case "business":
		add("V8.4.1", "rival", "another tenant's object", notFound)
		add("V8.2.1", "eve", "another tenant's object above its role", denied)
	}
	if rc.ownedByBob {
		add("V8.2.2", "carol", "another customer's object", notFound)
	}
	return out
}

// forgedRequests are the route case's change sent by a page of another
// site with its actor's sid cookie (V3.5.2): billgate takes a cookie for
// a change only in a JSON request (which no cross-site form can send
// without a CORS preflight) from its own origin.
func (rc routeCase) forgedRequests() []attack {
	if rc.method() == "GET" {
		return nil
	}
	victim := actors[rc.level]
	var out []attack
	for _, forged := range []struct{ name, contentType, origin string }{
		{"a fetch from a foreign Origin", "application/json", "https://evil.example"},
		{"a cross-site text/plain form", "text/plain", ""},
	} {
		header := []string{"Cookie", "sid={token:" + victim + "}", "Content-Type", forged.contentType}
		if forged.origin != "" {
			header = append(header, "Origin", forged.origin)
		}
		out = append(out, attack{asvs: "V3.5.2", name: "CSRF, " + forged.name + ": " + rc.route, route: rc.route,
			send: sent("", rc.method(), rc.target(), rc.body, header...), want: denied, watch: rc.watch})
	}
	return out
}

// protectedFields are what no body may set: the object's identity,
// tenant and history, its state, and its owner's roles.
var protectedFields = []struct{ name, value string }{
	{"id", `"019a0000-0000-7000-8000-0000000000ff"`},
	{"tenantId", `"{rival}"`},
	{"role", `"admin"`},
	{"roles", `["admin"]`},
	{"status", `"paid"`},
	{"amountPaid", `0`},
	{"createdAt", `"2000-01-01T00:00:00Z"`},
}

// massAssignments are the route case's body, as its actor would send it,
// with each protected field added (V15.3.3, V8.2.3).
func (rc routeCase) massAssignments() []attack {
	if rc.body == "" {
		return nil
	}
	var out []attack
	for _, f := range protectedFields {
		body := strings.TrimSuffix(rc.body, "}") + `,"` + f.name + `":` + f.value + "}"
		out = append(out, attack{asvs: "V15.3.3", name: "mass assignment, " + f.name + ": " + rc.route, route: rc.route,
			send: sent(actors[rc.level], rc.method(), rc.target(), body), want: protectedField(f.name), watch: rc.watch})
	}
	return out
}

// escalations are principals raising themselves, or changing their tenant
// (V8.2.1, V8.2.3).
func escalations() []attack {
	row := func(who, method, path, body string, want outcome, watch ...read) attack {
		return attack{asvs: "V8.2.3", name: fmt.Sprintf("escalation, %s: %s %s %s", who, method, path, body), route: routeOf(method, path),
			send: sent(who, method, path, body), want: want, watch: watch}
	}
	return []attack{
		row("bob", "PATCH", "/v1/profile", `{"roles":["business"]}`, deniedOn("roles"), bobAccount...),
		row("bob", "PATCH", "/v1/profile", `{"tenantId":"{rival}"}`, deniedOn("tenantId"), bobAccount...),
		row("shop", "PATCH", "/v1/profile", `{"level":2}`, deniedOn("level"), read{"root", "/v1/clients/{shop}"}),
		row("shop", "PATCH", "/v1/profile", `{"login":"root"}`, deniedOn("login"), read{"root", "/v1/clients/{shop}"}),
		row("shop", "PATCH", "/v1/clients/{bob}", `{"tenantId":"{rival}"}`, deniedOn("tenantId"), bobAccount...),
		row("shop", "PATCH", "/v1/clients/{bob}", `{"roles":["business"]}`, deniedOn("roles"), bobAccount...),
		{asvs: "V8.2.1", name: "escalation, shop: PUT its own roles", route: "PUT /v1/clients/{id}/roles",
			send: sent("shop", "PUT", "/v1/clients/{shop}/roles", `{"roles":["admin"]}`), want: denied, watch: []read{{"root", "/v1/clients/{shop}"}}},
		row("shop", "POST", "/v1/clients", `{"login":"boss","password":"{password}","role":"admin"}`, denied, shopClients...),
		row("shop", "POST", "/v1/clients", `{"login":"boss","password":"{password}","role":"business"}`, denied, shopClients...),
		row("shop", "POST", "/v1/api-keys", `{"name":"root","policies":["admin-default"]}`, invalidOn("policies[0]"), shopAPIKeys...),
		row("bob", "POST", "/v1/subscriptions", `{"priceId":"{monthly}","testClockId":"{clock}","paymentMethodId":"{method}"}`,
			deniedOn("testClockId"), shopSubs...),
		row("bob", "POST", "/v1/purchases", `{"priceId":"{pdf}","customerId":"{carol}","paymentMethodId":"{method}"}`, invalidOn("customerId"), shopPayments...),
		{asvs: "V8.4.1", name: "escalation, bob: logs in to the rival's tenant", route: "POST /auth/session",
			send: sent("", "POST", "/auth/session", `{"login":"bob","password":"{password}","tenant":"rival"}`), want: withoutSession(authFailed)},
	}
}

// foreignReferences are the rival and its customer naming the shop's
// objects inside their own requests (V8.4.1): each is unknown to them.
func foreignReferences() []attack {
	row := func(who, method, path, body, field string, watch ...read) attack {
		return attack{asvs: "V8.4.1", name: fmt.Sprintf("cross-tenant reference, %s: %s %s %s", who, method, path, body), route: routeOf(method, path),
			send: sent(who, method, path, body), want: invalidOn(field), watch: watch}
	}
	ok := `"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}`
	return []attack{
		row("rival", "POST", "/v1/subscriptions", `{"priceId":"{rivalMonthly}","customerId":"{bob}",`+ok+`}`, "customerId", shopSubs...),
		row("rival", "POST", "/v1/purchases", `{"priceId":"{rivalMonthly}","customerId":"{bob}",`+ok+`}`, "customerId", shopPayments...),
		row("rival", "POST", "/v1/subscriptions", `{"priceId":"{rivalMonthly}","customerId":"{eve}","testClockId":"{clock}",`+ok+`}`, "testClockId", theClock...),
		row("eve", "POST", "/v1/subscriptions", `{"priceId":"{rivalMonthly}","paymentMethodId":"{method}"}`, "paymentMethodId", bobMethods...),
		row("eve", "POST", "/v1/purchases", `{"priceId":"{pdf}",`+ok+`}`, "priceId", shopPayments...),
		row("rival", "POST", "/v1/subscriptions/{rivalSubscription}/change-price", `{"priceId":"{yearly}"}`, "priceId"),
		row("eve", "POST", "/v1/subscriptions/{rivalSubscription}/payment-method", `{"paymentMethodId":"{method}"}`, "paymentMethodId", bobMethods...),
		row("rival", "POST", "/v1/refunds", `{"paymentId":"{payment}"}`, "paymentId", thePayment...),
		row("rival", "POST", "/v1/customers/{eve}/payment-methods", `{"gatewayAccountId":"{account}","token":"pm_card_visa"}`, "gatewayAccountId", theAccount...),
		row("rival", "GET", "/v1/entitlements?customerId={bob}", "", "customerId"),
		row("eve", "GET", "/v1/entitlements?customerId={bob}", "", "customerId"),
		{asvs: "V8.4.1", name: "cross-tenant reference, rival: a report of the shop's", route: "GET /v1/reports/mrr",
			send: sent("rival", "GET", "/v1/reports/mrr?tenantId={shop}", ""), want: deniedOn("tenantId")},
		{asvs: "V8.4.1", name: "cross-tenant reference, rival: a product in the shop's tenant", route: "POST /v1/products",
			send: sent("rival", "POST", "/v1/products", `{"name":"Planted","tenantId":"{shop}"}`), want: deniedOn("tenantId"), watch: shopProducts},
		{asvs: "V8.4.1", name: "cross-tenant reference, rival: a test clock in the shop's tenant", route: "POST /v1/test-clocks",
			send: sent("rival", "POST", "/v1/test-clocks", `{"frozenTime":"2031-01-01T00:00:00Z","tenantId":"{shop}"}`), want: deniedOn("tenantId"), watch: shopClocks},
		{asvs: "V8.4.1", name: "cross-tenant reference, rival: a webhook endpoint in the shop's tenant", route: "POST /v1/webhook-endpoints",
			send: sent("rival", "POST", "/v1/webhook-endpoints", `{"url":"https://attacker.example/hook","eventTypes":["*"],"tenantId":"{shop}"}`),
			want: deniedOn("tenantId"), watch: shopEndpoints},
		{asvs: "V8.4.1", name: "cross-tenant reference, rival: a customer in the shop's tenant", route: "POST /v1/clients",
			send: sent("rival", "POST", "/v1/clients", `{"login":"mole","password":"{password}","tenantId":"{shop}"}`), want: denied, watch: shopClients},
	}
}

// foreignFilters are lists asked for with filters that name the shop's
// tenant or customer (V8.4.1, V8.2.2): a filter narrows what the caller
// sees and never widens it.
func foreignFilters() []attack {
	shopIDs := []string{"shop", "bob", "carol", "product", "subscription", "payment", "invoice", "refund", "clock", "endpoint", "account"}
	bobIDs := []string{"bob", "subscription", "payment", "invoice", "refund", "method"}
	var out []attack
	for _, f := range []struct {
		who, path string
		keys      []string
	}{
		{"rival", "/v1/subscriptions?tenantId={shop}", shopIDs}, {"rival", "/v1/subscriptions?customerId={bob}", shopIDs},
		{"rival", "/v1/invoices?tenantId={shop}", shopIDs}, {"rival", "/v1/payments?customerId={bob}", shopIDs},
		{"rival", "/v1/refunds?paymentId={refunded}", shopIDs}, {"rival", "/v1/events?tenantId={shop}", shopIDs},
		{"rival", "/v1/events?objectId={subscription}", shopIDs}, {"rival", "/v1/clients?tenantId={shop}", shopIDs},
		{"rival", "/v1/audit-events?tenantId={shop}", shopIDs}, {"rival", "/v1/audit-events?subjectId={bob}", shopIDs},
		{"rival", "/v1/products?tenantId={shop}", shopIDs}, {"rival", "/v1/test-clocks?tenantId={shop}", shopIDs},
		{"rival", "/v1/webhook-endpoints?tenantId={shop}", shopIDs}, {"rival", "/v1/gateway-accounts?tenantId={shop}", shopIDs},
		{"rival", "/v1/reconciliation?tenantId={shop}", shopIDs},
		{"eve", "/v1/subscriptions?tenantId={shop}", shopIDs}, {"eve", "/v1/payments?customerId={bob}", shopIDs},
		{"eve", "/v1/products?tenantId={shop}", shopIDs}, {"eve", "/v1/events?customerId={bob}", shopIDs},
		{"carol", "/v1/subscriptions?customerId={bob}", bobIDs}, {"carol", "/v1/payments?customerId={bob}", bobIDs},
		{"carol", "/v1/invoices?customerId={bob}", bobIDs}, {"carol", "/v1/refunds?paymentId={refunded}", bobIDs},
		{"carol", "/v1/events?customerId={bob}", bobIDs}, {"carol", "/v1/events?objectId={subscription}", bobIDs},
	} {
		asvs := "V8.4.1"
		if f.who == "carol" {
			asvs = "V8.2.2"
		}
		path, _, _ := strings.Cut(f.path, "?")
		out = append(out, attack{asvs: asvs, name: "filter, " + f.who + ": GET " + f.path, route: "GET " + path,
			send: sent(f.who, "GET", f.path, ""), want: notTheirs(f.keys...)})
	}
	return out
}

// routeOf is the operation of api/openapi.yaml that a request to path
// (with the world's placeholders) reaches.
func routeOf(method, path string) string {
	for _, rc := range routeCases {
		if rc.method() == method && samePathShape(rc.route, path) {
			return rc.route
		}
	}
	path, _, _ = strings.Cut(path, "?")
	return method + " " + path
}

// The keys of the world's access tokens: the first signs, EdDSA; the
// second, HS256, only verifies, as after a rotation. Both algorithms are
// live, which is what algorithm confusion needs.
var (
	edSeed   = []byte("attack-suite-ed25519-seed-32-b!!")
	hsSecret = []byte("attack-suite-hs256-secret-32-by!")
)

// tokenAttacks are credentials forged, altered, mistyped or outlived (V9,
// V7.2.1, V7.4, V8.3.2), each presented for a change the shop could make.
func tokenAttacks() []attack {
	edKey := ed25519.NewKeyFromSeed(edSeed)
	_, attackerKey, _ := ed25519.GenerateKey(rand.Reader)
	publicKey := []byte(edKey.Public().(ed25519.PublicKey))
	kid := func(id string) map[string]any { return map[string]any{"kid": id} }
	claim := func(name string, value any) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c[name] = value } }
	hourAgo, hourAhead := time.Now().Add(-time.Hour).Unix(), time.Now().Add(time.Hour).Unix()
	forged := func(method jwt.SigningMethod, key any, header map[string]any, change func(jwt.MapClaims)) func(w *world) string {
		return func(w *world) string { return "Bearer " + w.jwt(method, key, header, change) }
	}
	issued := func(alter func(token string) string) func(w *world) string {
		return func(w *world) string { return "Bearer " + alter(w.ids["jwt:shop"]) }
	}
	withClaims := func(change func(jwt.MapClaims)) func(string) string {
		return func(token string) string {
			parts := strings.Split(token, ".")
			var c jwt.MapClaims
			raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
			_ = json.Unmarshal(raw, &c)
			change(c)
			raw, _ = json.Marshal(c)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
		}
	}
	secret := func(format, key string) func(w *world) string {
		return func(w *world) string { return fmt.Sprintf(format, w.ids[key]) }
	}
	rows := []struct {
		asvs, name    string
		authorization func(w *world) string
		want          outcome
	}{
		{"V9.1.1", "a JWT whose roles were changed after signing", issued(withClaims(claim("roles", []string{"admin"}))), authFailed},
		{"V9.1.1", "a JWT whose subject was changed after signing", issued(withClaims(func(c jwt.MapClaims) { c["sub"] = c["sid"] })), authFailed},
		{"V9.1.1", "a JWT with its signature stripped", issued(func(t string) string { return t[:strings.LastIndex(t, ".")+1] }), authFailed},
		{"V9.1.1", "a JWT with a byte of its signature changed", issued(func(t string) string { return altered(t, len(t)-20) }), authFailed},
		{"V9.1.2", "a JWT of alg none", forged(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid("ed-1"), nil), authFailed},
		{"V9.1.2", "a JWT signed HS256 with the published EdDSA public key", forged(jwt.SigningMethodHS256, publicKey, kid("ed-1"), nil), authFailed},
		{"V9.1.2", "a JWT signed HS384 with the HS256 key", forged(jwt.SigningMethodHS384, hsSecret, kid("hs-1"), nil), authFailed},
		{"V9.1.2", "a JWT signed RS256 by the attacker under the HS256 key's kid", func(w *world) string {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				w.t.Fatal(err)
			}
			return "Bearer " + w.jwt(jwt.SigningMethodRS256, key, kid("hs-1"), nil)
		}, authFailed},
		{"V9.1.3", "a JWT signed by the attacker's Ed25519 key under the real kid", forged(jwt.SigningMethodEdDSA, attackerKey, kid("ed-1"), nil), authFailed},
		{"V9.1.3", "a JWT carrying the attacker's key as a jwk header", forged(jwt.SigningMethodEdDSA, attackerKey, map[string]any{"kid": "ed-1",
			"jwk": map[string]string{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(attackerKey.Public().(ed25519.PublicKey))}}, nil), authFailed},
		{"V9.1.3", "a JWT naming the attacker's key set in jku", forged(jwt.SigningMethodEdDSA, attackerKey, map[string]any{"kid": "attacker",
			"jku": "https://attacker.example/jwks.json"}, nil), authFailed},
		{"V9.1.3", "a JWT of an unknown kid", forged(jwt.SigningMethodEdDSA, edKey, kid("ed-2"), nil), authFailed},
		{"V9.1.3", "a JWT of no kid", forged(jwt.SigningMethodEdDSA, edKey, nil, nil), authFailed},
		{"V9.2.1", "a JWT that expired an hour ago", forged(jwt.SigningMethodEdDSA, edKey, kid("ed-1"), claim("exp", hourAgo)), authFailed},
		{"V9.2.1", "a JWT without exp", forged(jwt.SigningMethodEdDSA, edKey, kid("ed-1"), func(c jwt.MapClaims) { delete(c, "exp") }), authFailed},
		{"V9.2.1", "a JWT not valid for another hour", forged(jwt.SigningMethodEdDSA, edKey, kid("ed-1"), claim("nbf", hourAhead)), authFailed},
		{"V9.2.3", "a JWT for another audience", forged(jwt.SigningMethodEdDSA, edKey, kid("ed-1"), claim("aud", "payments")), authFailed},
		// ASVS 5.0 has no requirement of the issuer's own; the audience's
		// V9.2.3 is the nearest.
		{"V9.2.3", "a JWT of another issuer", forged(jwt.SigningMethodEdDSA, edKey, kid("ed-1"), claim("iss", "https://evil.example")), authFailed},
		{"V9.2.2", "an access token presented as an API key", secret("Plain %s", "jwt:shop"), authFailed},
		{"V9.2.2", "a session secret presented as an API key", secret("Plain %s", "token:shop"), authFailed},
		{"V7.2.1", "a session secret with a character changed", func(w *world) string { return "Bearer " + altered(w.ids["token:shop"], 10) }, sessionUnknown},
		{"V7.2.1", "a session secret cut short", func(w *world) string { return "Bearer " + w.ids["token:shop"][:24] }, sessionUnknown},
		{"V7.4.1", "the JWT of a logged-out session", secret("Bearer %s", "jwt:loggedOut"), sessionUnknown},
		{"V7.4.1", "the secret of a logged-out session", secret("Bearer %s", "token:loggedOut"), sessionUnknown},
		{"V7.4.2", "the session of a disabled account", secret("Bearer %s", "token:leaver"), sessionUnknown},
		{"V7.4.2", "the API key of a disabled account", secret("Plain %s", "apiKey:leaver"), authFailed},
		// An API key is an authentication pathway of its own: V6.3.4 wants
		// it held to the same rules as the others (the nearest 5.0 number).
		{"V6.3.4", "an API key with a character changed", func(w *world) string { return "Plain " + altered(w.ids["apiKey:shop"], 10) }, authFailed},
		{"V6.3.4", "an API key with a character added", secret("Plain %sA", "apiKey:shop"), authFailed},
		{"V6.3.4", "a revoked API key", secret("Plain %s", "apiKey:revoked"), authFailed},
	}
	var out []attack
	for _, r := range rows {
		out = append(out, attack{asvs: r.asvs, name: "token, " + r.name, route: "POST /v1/products",
			send: func(w *world) (reply, error) {
				return w.send("", "POST", "/v1/products", `{"name":"Forged"}`, "Authorization", r.authorization(w))
			}, want: r.want, watch: shopProducts})
	}
	signed := func(name string, headers func(w *world) []string) attack {
		return attack{asvs: "V4.1.5", name: "HTTP signature, " + name, route: "POST /v1/products",
			send: func(w *world) (reply, error) {
				return w.send("", "POST", "/v1/products", `{"name":"Forged"}`, headers(w)...)
			}, want: authFailed, watch: shopProducts}
	}
	return append(out,
		signed("a signed change replayed", func(w *world) []string { return w.signedOnce }),
		signed("a signature over another body", func(w *world) []string {
			return w.signer.headers(w.t, "POST", "/v1/products", `{"name":"Innocent"}`)
		}),
		signed("a signature of a read, replayed as a change", func(w *world) []string { return w.signer.headers(w.t, "GET", "/v1/products", "") }),
		attack{asvs: "V8.3.2", name: "token, the JWT of an admin since demoted to business", route: "POST /v1/roles",
			send: sent("", "POST", "/v1/roles", `{"name":"kept","level":"admin","policies":["admin-default"]}`, "Authorization", "Bearer {jwt:demoted}"),
			want: denied, watch: []read{{"root", "/v1/roles"}}},
		attack{asvs: "V7.2.1", name: "token, a sid cookie with a character changed", route: "POST /v1/products",
			send: func(w *world) (reply, error) {
				return w.send("", "POST", "/v1/products", `{"name":"Forged"}`, "Cookie", "sid="+altered(w.ids["token:shop"], 10))
			}, want: sessionUnknown, watch: shopProducts},
	)
}

// altered is s with its i-th character changed.
func altered(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// webhookAttacks are inbound gateway events replayed, re-timestamped,
// altered or signed by another account (V4.1.5, V2.3.1): a verified
// repeat is acknowledged and changes nothing, anything else is 400
// INVALID_SIGNATURE. ASVS 5.0 has no requirement for webhook replays:
// V4.1.5 (per-message signatures) and V2.3.1 (each step of a flow once,
// in order) are the nearest.
func webhookAttacks() []attack {
	badSignature := refused(http.StatusBadRequest, "INVALID_SIGNATURE")
	tenMinutesAgo := func() time.Time { return time.Now().Add(-10 * time.Minute) }
	// retimestamped is a "t=<unix>,v1=<signature>" header, the sandbox's
	// and Stripe's, with its signature kept and its time made now.
	retimestamped := func(sign func(body []byte) string) func([]byte) string {
		return func(body []byte) string {
			_, v1, _ := strings.Cut(sign(body), ",")
			return "t=" + strconv.FormatInt(time.Now().Unix(), 10) + "," + v1
		}
	}
	// sandboxWebhook sends the approval's event, changed by tamper when
	// given, under a signature over the approval's own body.
	sandboxWebhook := func(name, asvs string, signature func(approval []byte) string, tamper func(approval []byte) []byte, want outcome) attack {
		return attack{asvs: asvs, name: "sandbox webhook, " + name, route: "POST /webhooks/sandbox",
			send: func(w *world) (reply, error) {
				approval := w.sandboxApproval()
				body := approval
				if tamper != nil {
					body = tamper(approval)
				}
				return w.send("", "POST", "/webhooks/sandbox", string(body), sandbox.SignatureHeader, signature(approval))
			}, want: want, watch: approvedPayment}
	}
	signedAt := func(at func() time.Time) func([]byte) string {
		return func(body []byte) string { return sandbox.Sign([]byte(testenv.SandboxSecret), at(), body) }
	}
	decided := func(name, decision string) attack {
		return attack{asvs: "V2.3.1", name: "sandbox approval page, " + name, route: "POST /sandbox/approve/{ref}",
			send: sent("", "POST", "/sandbox/approve/{asyncReference}", "decision="+decision, "Content-Type", "application/x-www-form-urlencoded"),
			want: refused(http.StatusConflict, "ALREADY_DECIDED"), watch: approvedPayment}
	}
	stripeWebhook := func(name, asvs, account string, signature func(body []byte) string, want outcome) attack {
		return attack{asvs: asvs, name: "Stripe webhook, " + name, route: "POST /webhooks/{gateway}/{accountId}",
			send: func(w *world) (reply, error) {
				body := w.stripeEvent()
				return w.send("", "POST", "/webhooks/stripe/{"+account+"}", string(body), stripetest.SignatureHeader, signature(body))
			}, want: want, watch: thePayment}
	}
	stripeSigned := func(secret string, at func() time.Time) func([]byte) string {
		return func(body []byte) string { return stripetest.Sign(at(), body, secret) }
	}
	skrillWebhook := func(name, account string, post func(w *world) string, want outcome) attack {
		return attack{asvs: "V4.1.5", name: "Skrill status post, " + name, route: "POST /webhooks/{gateway}/{accountId}",
			send: func(w *world) (reply, error) {
				return w.send("", "POST", "/webhooks/skrill/{"+account+"}", post(w), "Content-Type", "application/x-www-form-urlencoded")
			}, want: want, watch: thePayment}
	}
	paypalWebhook := func(name string, header map[string]string) attack {
		pairs := []string{}
		for _, k := range []string{paypal.HeaderTransmissionID, paypal.HeaderTransmissionTime, paypal.HeaderTransmissionSig, paypal.HeaderCertURL, paypal.HeaderAuthAlgo} {
			if v, ok := header[k]; ok {
				pairs = append(pairs, k, v)
			}
		}
		return attack{asvs: "V4.1.5", name: "PayPal webhook, " + name, route: "POST /webhooks/{gateway}/{accountId}",
			send: sent("", "POST", "/webhooks/paypal/{paypalAccount}", `{"id":"WH-ATTACK","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"CAPTURE-1"}}`, pairs...),
			want: badSignature, watch: thePayment}
	}
	paypalHeader := func(sent time.Time, certURL string) map[string]string {
		return map[string]string{paypal.HeaderTransmissionID: "b2384410-f8d2-11e8-a3a6-7f6f1c55b1c8", paypal.HeaderTransmissionTime: sent.UTC().Format(time.RFC3339),
			paypal.HeaderTransmissionSig: base64.StdEncoding.EncodeToString([]byte("captured")), paypal.HeaderCertURL: certURL, paypal.HeaderAuthAlgo: paypal.AuthAlgo}
	}
	payPalCert := "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"
	unsigned := paypalHeader(time.Now(), payPalCert)
	delete(unsigned, paypal.HeaderTransmissionSig)
	return []attack{
		sandboxWebhook("the approval's event replayed", "V2.3.1", signedAt(time.Now), nil, received),
		sandboxWebhook("the approval's event re-timestamped", "V4.1.5", retimestamped(signedAt(tenMinutesAgo)), nil, badSignature),
		sandboxWebhook("the approval's event captured ten minutes ago", "V4.1.5", signedAt(tenMinutesAgo), nil, badSignature),
		sandboxWebhook("the approval's event turned into a decline", "V4.1.5", signedAt(time.Now), func(approval []byte) []byte {
			return []byte(strings.Replace(string(approval), `"type":"charge.succeeded"`, `"type":"charge.declined","declineCode":"card_declined"`, 1))
		}, badSignature),
		sandboxWebhook("the approval's event unsigned", "V4.1.5", func([]byte) string { return "" }, nil, badSignature),
		// Approving again is no attack: the payer's own form sent twice
		// delivers the same webhook again (TestAsyncPaymentApproval).
		decided("the payer declining after approving", "decline"),
		{asvs: "V8.2.2", name: "sandbox approval page of a charge that does not exist", route: "GET /sandbox/approve/{ref}",
			send: sent("", "GET", "/sandbox/approve/sb_no_such_charge", ""), want: notFound},

		stripeWebhook("the shop's event replayed", "V2.3.1", "account", stripeSigned("whsec_shop", time.Now), received),
		stripeWebhook("the shop's event re-timestamped", "V4.1.5", "account", retimestamped(stripeSigned("whsec_shop", tenMinutesAgo)), badSignature),
		stripeWebhook("the shop's event captured ten minutes ago", "V4.1.5", "account", stripeSigned("whsec_shop", tenMinutesAgo), badSignature),
		stripeWebhook("signed with the rival's secret, to the shop's account", "V4.1.5", "account", stripeSigned("whsec_rival", time.Now), badSignature),
		stripeWebhook("the rival's account naming the shop's payment", "V8.4.1", "rivalAccount", stripeSigned("whsec_rival", time.Now), received),
		{asvs: "V4.1.5", name: "Stripe webhook to an account that does not exist", route: "POST /webhooks/{gateway}/{accountId}",
			send: func(w *world) (reply, error) {
				body := w.stripeEvent()
				return w.send("", "POST", "/webhooks/stripe/019a0000-0000-7000-8000-0000000000ff", string(body), stripetest.SignatureHeader, stripetest.Sign(time.Now(), body, "whsec_shop"))
			}, want: notFound},

		skrillWebhook("the shop's post replayed", "skrillAccount", func(w *world) string { return w.skrillPost(skrillMerchant, skrillWord, "15.00") }, received),
		skrillWebhook("the shop's post with its amount changed", "skrillAccount", func(w *world) string {
			return strings.Replace(w.skrillPost(skrillMerchant, skrillWord, "15.00"), "mb_amount=15.00", "mb_amount=0.01", 1)
		}, badSignature),
		skrillWebhook("signed with another secret word", "skrillAccount", func(w *world) string { return w.skrillPost(skrillMerchant, "guessed", "15.00") }, badSignature),
		skrillWebhook("another merchant's post to the shop's account", "skrillAccount", func(w *world) string { return w.skrillPost("999999", skrillWord, "15.00") }, badSignature),

		paypalWebhook("a delivery captured an hour ago", paypalHeader(time.Now().Add(-time.Hour), payPalCert)),
		paypalWebhook("a delivery whose certificate is on the attacker's host", paypalHeader(time.Now(), "https://attacker.example/certs/CERT-1")),
		paypalWebhook("a delivery without its signature", unsigned),

		{asvs: "V8.4.1", name: "payer's return to an account that does not exist", route: "GET /gateways/{gateway}/{accountId}/return",
			send: sent("", "GET", "/gateways/stripe/019a0000-0000-7000-8000-0000000000ff/return?payment_intent=pi_1", ""), want: notFound},
		{asvs: "V2.2.1", name: "payer's return naming no charge", route: "GET /gateways/{gateway}/{accountId}/return",
			send: sent("", "GET", "/gateways/skrill/{skrillAccount}/return", ""), want: invalid, watch: thePayment},
	}
}

// approvedPayment watches the payment the sandbox's payer approved.
var approvedPayment = []read{{"root", "/v1/payments/{asyncPayment}"}, {"root", "/v1/events?objectId={asyncPayment}"}, {"root", "/v1/sandbox/ledger"}}

// The shop's Skrill account's merchant and secret word.
const skrillMerchant, skrillWord = "5000001", "shopword1"

// idempotencyAttacks reuse another principal's Idempotency-Key with the
// very request it answered (V8.2.2): keys are each caller's own, so the
// attacker never gets that answer.
func idempotencyAttacks() []attack {
	row := func(who, keyed, method, path, body string, watch []read) attack {
		return attack{asvs: "V8.2.2", name: fmt.Sprintf("Idempotency-Key, %s reuses the key of %s: %s %s", who, keyed, method, path), route: method + " " + path,
			send: sent(who, method, path, body, "Idempotency-Key", "{key:"+keyed+"}"), want: notReplayed(keyed), watch: watch}
	}
	return []attack{
		row("rival", "keyedProduct", "POST", "/v1/products", keyedProductBody, []read{{"root", "/v1/products/{keyedProduct}"}}),
		row("bob", "keyedProduct", "POST", "/v1/products", keyedProductBody, []read{{"root", "/v1/products/{keyedProduct}"}}),
		row("eve", "keyedPayment", "POST", "/v1/purchases", keyedPurchaseBody, []read{{"root", "/v1/payments/{keyedPayment}"}}),
		row("carol", "keyedPayment", "POST", "/v1/purchases", keyedPurchaseBody, []read{{"root", "/v1/payments/{keyedPayment}"}}),
		row("shop", "keyedPayment", "POST", "/v1/purchases", keyedPurchaseBody, []read{{"root", "/v1/payments/{keyedPayment}"}}),
	}
}

// The requests the shop and bob made with an Idempotency-Key.
const (
	keyedProductBody  = `{"name":"Keyed"}`
	keyedPurchaseBody = `{"priceId":"{pdf}","paymentMethodId":"{method}"}`
)

// bodyAttacks are bodies no client should send (V15.2.2 resources, V2.2.1
// structure, V1.5.3 one reading of a body, V15.3.5 types) and values no
// business allows (V2.2.1, V2.3.2). A body over --body-limit is 400
// INVALID on body, as docs/decisions.md decides, rather than 413.
func bodyAttacks() []attack {
	product := func(asvs, name, body string, want outcome, header ...string) attack {
		return attack{asvs: asvs, name: "body, " + name, route: "POST /v1/products", send: sent("shop", "POST", "/v1/products", body, header...), want: want, watch: shopProducts}
	}
	price := func(amount string) string {
		return `{"name":"Planted","prices":[{"amount":` + amount + `,"currency":"USD","type":"one_time"}]}`
	}
	oversized := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	onBody := invalidOn("body")
	return []attack{
		product("V15.2.2", "2 MiB, past --body-limit", oversized, onBody),
		{asvs: "V15.2.2", name: "body, 2 MiB to the public login", route: "POST /auth/session",
			send: sent("", "POST", "/auth/session", oversized), want: withoutSession(onBody)},
		{asvs: "V15.2.2", name: "body, 2 MiB to the public sandbox webhook", route: "POST /webhooks/sandbox",
			send: sent("", "POST", "/webhooks/sandbox", oversized, sandbox.SignatureHeader, "t=1,v1="+strings.Repeat("0", 64)), want: onBody},
		product("V15.2.2", "JSON nested 10,000 deep", `{"name":`+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+`}`, onBody),
		product("V15.2.2", "JSON nested 100,000 deep", `{"name":`+strings.Repeat(`{"a":`, 100000)+"1"+strings.Repeat("}", 100000)+`}`, invalid),
		product("V2.2.1", "malformed JSON", `{"name":"Planted",}`, onBody),
		product("V2.2.1", "truncated JSON", `{"name":"Planted"`, onBody),
		product("V2.2.1", "data after the JSON value", `{"name":"Planted"} {"name":"Twice"}`, onBody),
		product("V2.2.1", "a JSON array", `[{"name":"Planted"}]`, onBody),
		product("V2.2.1", "text/plain", `{"name":"Planted"}`, invalidOn("Content-Type"), "Content-Type", "text/plain"),
		product("V2.2.1", "a form", `name=Planted`, invalidOn("Content-Type"), "Content-Type", "application/x-www-form-urlencoded"),
		product("V2.2.1", "multipart", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nPlanted\r\n--x--\r\n",
			invalidOn("Content-Type"), "Content-Type", "multipart/form-data; boundary=x"),
		product("V1.5.3", "invalid UTF-8 in a string", "{\"name\":\"Planted \xff\xfe\"}", onBody),
		product("V1.5.3", "an unpaired surrogate escaped in a string", `{"name":"Planted \ud800"}`, onBody),
		product("V1.5.3", "invalid UTF-8 in a key", "{\"name\xff\":\"Planted\"}", invalid),
		product("V1.5.3", "a key twice", `{"name":"Planted","name":"Twice"}`, invalidOn("name")),
		product("V1.5.3", "a key twice by Unicode case folding", `{"name":"Planted","description":"a","deſcription":"b"}`, invalid),
		product("V1.5.3", "a NUL in a string", `{"name":"Plan\u0000ted"}`, onBody),
		product("V15.3.5", "an amount as a string", price(`"100"`), invalid),
		product("V15.3.5", "an amount past int64", price("9223372036854775808"), invalid),
		product("V15.3.5", "a fraction of a cent", price("1.5"), invalid),
		product("V2.2.1", "a negative price", price("-100"), invalidOn("prices[0].amount")),
		{asvs: "V2.3.2", name: "business logic, a refund of more than was paid", route: "POST /v1/refunds",
			send: sent("shop", "POST", "/v1/refunds", `{"paymentId":"{payment}","amount":1000000}`), want: invalidOn("amount"), watch: thePayment},
		{asvs: "V2.2.1", name: "business logic, a purchase of 0", route: "POST /v1/purchases",
			send: sent("bob", "POST", "/v1/purchases", `{"priceId":"{pdf}","quantity":0,"paymentMethodId":"{method}"}`), want: invalidOn("quantity"), watch: shopPayments},
		{asvs: "V2.3.1", name: "business logic, a test clock moved back", route: "POST /v1/test-clocks/{id}/advance",
			send: sent("shop", "POST", "/v1/test-clocks/{clock}/advance", `{"to":"2000-01-01T00:00:00Z"}`), want: invalidOn("to"), watch: theClock},
	}
}

// browserAttacks are what a page of another site can make a browser send
// with its cookies (V3.5.2, V4.4.2), beyond each change's own rows.
func browserAttacks() []attack {
	logout := func(name string, header ...string) attack {
		return attack{asvs: "V3.5.2", name: "CSRF, " + name + ": DELETE /auth/session", route: "DELETE /auth/session",
			send: sent("", "DELETE", "/auth/session", "", append([]string{"Cookie", "sid={token:bob}"}, header...)...), want: denied, watch: bobSessions}
	}
	login := func(name, contentType, body string) attack {
		return attack{asvs: "V3.5.2", name: "login CSRF, " + name, route: "POST /auth/session",
			send: sent("", "POST", "/auth/session", body, "Content-Type", contentType), want: withoutSession(invalidOn("Content-Type"))}
	}
	upgrade := []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	return []attack{
		logout("Sec-Fetch-Site cross-site", "Content-Type", "application/json", "Sec-Fetch-Site", "cross-site"),
		logout("Origin null", "Content-Type", "application/json", "Origin", "null"),
		logout("an Origin that only starts like billgate's", "Content-Type", "application/json", "Origin", "{url}.evil.example"),
		logout("no Content-Type"),
		login("a text/plain form", "text/plain", `{"login":"mallory","password":"{password}"}`),
		login("a urlencoded form", "application/x-www-form-urlencoded", "login=mallory&password=x"),
		{asvs: "V4.4.2", name: "cross-site WebSocket, another origin opens the event stream with bob's cookie", route: "GET /v1/events/stream",
			send: sent("", "GET", "/v1/events/stream", "", append([]string{"Cookie", "sid={token:bob}", "Origin", "https://evil.example"}, upgrade...)...),
			want: refused(http.StatusForbidden, "CROSS_ORIGIN")},
	}
}

// world is billgate with two tenants and everything the suite attacks.
type world struct {
	t   *testing.T
	env *testenv.Env
	// ids are the placeholders of paths, bodies and headers: objects'
	// IDs, and secrets as "token:<principal>", "jwt:<principal>",
	// "apiKey:<principal>", "key:<keyed object>".
	ids    map[string]string
	claims jwt.MapClaims // of the shop's access token
	signer signer        // the shop's signing key
	// signedOnce is a change the shop signed and billgate took.
	signedOnce []string
	// approval is the sandbox's charge the payer approved, as its
	// ledger shows it.
	approval sandbox.Event
}

var placeholder = regexp.MustCompile(`\{([a-z][A-Za-z:]*)\}`)

// fill replaces the placeholders in s.
func (w *world) fill(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(p string) string {
		v, ok := w.ids[p[1:len(p)-1]]
		if !ok {
			w.t.Fatalf("the world has no %s", p)
		}
		return v
	})
}

// send is a request by who (with its session as Bearer; "" sends no
// credentials of its own), filled.
func (w *world) send(who, method, path, body string, header ...string) (reply, error) {
	var h []string
	if who != "" {
		h = append(h, "Authorization", w.fill("Bearer {token:"+who+"}"))
	}
	for _, v := range header {
		h = append(h, w.fill(v))
	}
	return exchange(w.env.HTTP, w.env.URL, method, w.fill(path), w.fill(body), h...)
}

// must is send that fails the test unless the answer has status.
func (w *world) must(status int, who, method, path, body string, header ...string) reply {
	w.t.Helper()
	r, err := w.send(who, method, path, body, header...)
	if err != nil || r.Status != status {
		w.t.Fatalf("%s %s as %s = %d %+v %v, want %d", method, path, who, r.Status, r.Errors, err, status)
	}
	return r
}

// run attacks, and says how the attack got through; "" when refused.
func (w *world) run(a attack) string {
	before := w.look(a.watch)
	r, err := a.send(w)
	switch {
	case err != nil:
		return "answered out of the envelope: " + err.Error()
	case r.Status >= 500:
		return "answered " + describe(r)
	case r.Status >= 400 && (len(r.Errors) != 1 || r.Errors[0].Code == "" || r.Errors[0].Message == ""):
		return fmt.Sprintf("answered %d without one error in the envelope: %+v", r.Status, r.Errors)
	case !a.want.holds(w, r):
		return fmt.Sprintf("answered %s, want %s", describe(r), a.want.want)
	}
	after := w.look(a.watch)
	for i := range before {
		if before[i] != after[i] {
			return fmt.Sprintf("answered %s but changed %s:\nbefore %s\nafter  %s", describe(r), a.watch[i].path, before[i], after[i])
		}
	}
	return ""
}

func describe(r reply) string {
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		return fmt.Sprintf("%d %s %q on %q", r.Status, e.Code, e.Message, e.Field)
	}
	raw, _ := json.Marshal(r.Result)
	return fmt.Sprintf("%d %.300s", r.Status, raw)
}

// volatile are the fields that move with every use of a session, which
// reading a watch is.
var volatile = []string{"lastSeenAt", "lastUsedAt", "expiresAt", "current"}

// look reads the watches, each as its reader sees it.
func (w *world) look(watch []read) []string {
	seen := make([]string, len(watch))
	for i, rd := range watch {
		r, err := w.send(rd.who, "GET", rd.path, "")
		if err != nil {
			seen[i] = err.Error()
			continue
		}
		raw, _ := json.Marshal(map[string]any{"status": r.Status, "result": stable(r.Result), "results": stable(r.Results), "errors": r.Errors})
		seen[i] = string(raw)
	}
	return seen
}

// stable is v without its volatile fields.
func stable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if !slices.Contains(volatile, k) {
				out[k] = stable(x)
			}
		}
		return out
	case []map[string]any:
		return stableAll(v)
	case []any:
		return stableAll(v)
	}
	return v
}

func stableAll[T any](v []T) []any {
	out := make([]any, len(v))
	for i := range v {
		out[i] = stable(v[i])
	}
	return out
}

// jwt signs the shop's access token's claims, changed by change, with
// method and key, under header's fields.
func (w *world) jwt(method jwt.SigningMethod, key any, header map[string]any, change func(jwt.MapClaims)) string {
	c := jwt.MapClaims{}
	for k, v := range w.claims {
		c[k] = v
	}
	if change != nil {
		change(c)
	}
	tok := jwt.NewWithClaims(method, c)
	delete(tok.Header, "kid")
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// sandboxApproval is the body of the webhook the sandbox sent when the
// payer approved the charge, byte for byte.
func (w *world) sandboxApproval() []byte {
	body, err := json.Marshal(w.approval)
	if err != nil {
		w.t.Fatal(err)
	}
	return body
}

// stripeEvent is a Stripe event telling that the shop's paid payment
// succeeded, under one event ID.
func (w *world) stripeEvent() []byte {
	return []byte(w.fill(`{"id":"evt_attack","object":"event","api_version":"2025-03-31.basil","created":1767225600,"type":"payment_intent.succeeded",` +
		`"data":{"object":{"id":"pi_attack","object":"payment_intent","status":"succeeded","metadata":{"` + stripe.MetadataIdempotencyKey + `":"{payment}/1"}}}}`))
}

// skrillPost is a Skrill status post telling that the shop's paid
// payment was processed, as merchant, signed with word.
func (w *world) skrillPost(merchant, word, amount string) string {
	// billgate's transaction ID of the payment's first charge: its key,
	// "/" spelled "_2F".
	transaction := strings.ReplaceAll(w.ids["payment"]+"/1", "/", "_2F")
	upperMD5 := func(s string) string { sum := md5.Sum([]byte(s)); return strings.ToUpper(hex.EncodeToString(sum[:])) }
	return url.Values{
		"merchant_id": {merchant}, "transaction_id": {transaction}, "mb_transaction_id": {"9000001"}, "mb_amount": {amount},
		"mb_currency": {"USD"}, "status": {"2"}, "md5sig": {upperMD5(merchant + transaction + upperMD5(word) + amount + "USD" + "2")},
	}.Encode()
}

// newWorld starts billgate and makes the world: the shop (a business)
// with its catalog, its customers bob and carol, bob's subscription,
// payments, refund and a payment approved at the sandbox, the shop's test
// clock, webhook endpoint, gateway accounts and keys; the rival business
// with its customer eve and eve's subscription; an admin's custom role and
// policy; and the credentials the token attacks alter.
func newWorld(t *testing.T) *world {
	identity := testenv.DefaultIdentity()
	identity.JWTKeys = "ed-1=ed25519:" + base64.StdEncoding.EncodeToString(edSeed) + ",hs-1=" + base64.StdEncoding.EncodeToString(hsSecret)
	opts := testenv.Options{Identity: identity, WebhookAllow: testenv.Loopback}
	if !testenv.OnTopology() {
		// The connectors production has, at the gateways' own addresses,
		// as the topology's processes have them. The suite never makes
		// billgate call a gateway: connecting checks the credentials'
		// shape only, and each webhook verifies with the account's own
		// secret, or is refused before a certificate is fetched.
		opts.Connectors = app.Connectors(config.GatewayURLs{})
	}
	s := newShopWith(t, opts)
	w := &world{t: t, env: s.env, ids: map[string]string{
		"url": s.env.URL, "password": goodPassword, "later": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"monthly": s.monthly, "yearly": s.yearly, "pdf": s.pdf, "bob": s.bobID,
	}}
	token := func(header []string) string { return strings.TrimPrefix(header[1], "Bearer ") }
	w.ids["token:root"], w.ids["token:shop"], w.ids["token:rival"], w.ids["token:bob"] = token(s.admin), token(s.owner), token(s.other), token(s.bob)
	w.ids["shop"] = w.must(200, "shop", "GET", "/v1/profile", "").Result["id"].(string)
	w.ids["rival"] = w.must(200, "rival", "GET", "/v1/profile", "").Result["id"].(string)
	w.ids["carol"] = w.must(201, "shop", "POST", "/v1/clients", newAccount("carol", "")).Result["id"].(string)
	w.ids["eve"] = w.must(201, "rival", "POST", "/v1/clients", newAccount("eve", "")).Result["id"].(string)
	w.ids["token:carol"], _ = login(t, s.env, creds("carol", "shop"))
	w.ids["token:eve"], _ = login(t, s.env, creds("eve", "rival"))
	_, second := login(t, s.env, creds("bob", "shop"))
	w.ids["bobSession"] = second.Result["id"].(string)
	w.ids["product"] = w.must(200, "root", "GET", "/v1/prices/{monthly}", "").Result["productId"].(string)

	w.ids["method"] = w.must(201, "shop", "POST", "/v1/customers/{bob}/payment-methods", `{"gateway":"sandbox","token":"sandbox_ok"}`).Result["id"].(string)
	w.ids["subscription"] = w.must(201, "bob", "POST", "/v1/subscriptions", `{"priceId":"{monthly}","paymentMethodId":"{method}"}`).Result["id"].(string)
	paid := func(who, body string, header ...string) string {
		id := w.must(201, who, "POST", "/v1/purchases", body, header...).Result["id"].(string)
		s.waitStatus(t, "/v1/payments/"+id, "paid")
		return id
	}
	w.ids["payment"] = paid("bob", `{"priceId":"{pdf}","paymentMethodId":"{method}"}`)
	w.ids["invoice"] = w.must(200, "root", "GET", "/v1/payments/{payment}", "").Result["invoiceId"].(string)
	w.ids["refunded"] = paid("bob", `{"priceId":"{pdf}","paymentMethodId":"{method}"}`)
	w.ids["refund"] = w.must(201, "shop", "POST", "/v1/refunds", `{"paymentId":"{refunded}"}`).Result["id"].(string)
	w.ids["key:keyedPayment"] = "bobs-purchase"
	w.ids["keyedPayment"] = paid("bob", keyedPurchaseBody, "Idempotency-Key", "{key:keyedPayment}")
	w.ids["key:keyedProduct"] = "shops-product"
	w.ids["keyedProduct"] = w.must(201, "shop", "POST", "/v1/products", keyedProductBody, "Idempotency-Key", "{key:keyedProduct}").Result["id"].(string)
	w.approveAtTheSandbox(s)
	s.waitStatus(t, "/v1/subscriptions/"+w.ids["subscription"], "active")
	w.ids["event"] = w.must(200, "root", "GET", "/v1/events?type=subscription.created&objectId={subscription}", "").Results[0]["id"].(string)

	rivalProduct := w.must(201, "rival", "POST", "/v1/products", `{"name":"Rival","prices":[{"amount":900,"currency":"USD","type":"recurring","interval":"month"}]}`)
	w.ids["rivalMonthly"] = rivalProduct.Result["prices"].([]any)[0].(map[string]any)["id"].(string)
	w.ids["rivalSubscription"] = w.must(201, "rival", "POST", "/v1/subscriptions",
		`{"priceId":"{rivalMonthly}","customerId":"{eve}","paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`).Result["id"].(string)
	s.waitStatus(t, "/v1/subscriptions/"+w.ids["rivalSubscription"], "active")

	w.ids["clock"] = s.newClock(t)
	receiver := newReceiver(t)
	w.ids["endpoint"] = w.must(201, "shop", "POST", "/v1/webhook-endpoints", `{"url":"`+receiver.url()+`","eventTypes":["customer.disabled"]}`).Result["id"].(string)
	w.ids["delivery"] = w.must(202, "shop", "POST", "/v1/webhook-endpoints/{endpoint}/test", "").Result["id"].(string)
	waitFor(t, "the test delivery", func() bool {
		d := w.must(200, "root", "GET", "/v1/webhook-endpoints/{endpoint}/deliveries", "").Results
		return len(d) == 1 && d[0]["status"] == "delivered"
	})
	connect := func(who, gateway, credentials string) string {
		return w.must(201, who, "POST", "/v1/gateway-accounts", `{"gateway":"`+gateway+`","mode":"test","credentials":`+credentials+`}`).Result["id"].(string)
	}
	w.ids["account"] = connect("shop", "stripe", `{"secretKey":"sk_test_shop","webhookSecret":"whsec_shop"}`)
	w.ids["rivalAccount"] = connect("rival", "stripe", `{"secretKey":"sk_test_rival","webhookSecret":"whsec_rival"}`)
	w.ids["skrillAccount"] = connect("shop", "skrill", `{"merchantId":"`+skrillMerchant+`","email":"pay@shop.example","secretWord":"`+skrillWord+`","apiPassword":"api-password-1"}`)
	w.ids["paypalAccount"] = connect("shop", "paypal", `{"clientId":"shop-client","clientSecret":"shop-secret","webhookId":"WH1"}`)
	// Delivered once, as the gateways would, so that the rows' are replays.
	w.must(200, "", "POST", "/webhooks/stripe/{account}", string(w.stripeEvent()), stripetest.SignatureHeader, stripetest.Sign(time.Now(), w.stripeEvent(), "whsec_shop"))
	w.must(200, "", "POST", "/webhooks/skrill/{skrillAccount}", w.skrillPost(skrillMerchant, skrillWord, "15.00"), "Content-Type", "application/x-www-form-urlencoded")

	w.ids["role"] = w.must(201, "root", "POST", "/v1/roles", `{"name":"auditor","level":"business","policies":["business-default"]}`).Result["id"].(string)
	w.ids["policy"] = w.must(201, "root", "POST", "/v1/policies", `{"name":"auditing","statements":[{"effect":"allow","actions":["audit-events:read"],"resources":["*"]}]}`).Result["id"].(string)
	w.makeCredentials(s)
	return w
}

// approveAtTheSandbox has bob buy with the sandbox's approval, and the
// payer approve it.
func (w *world) approveAtTheSandbox(s *shop) {
	t := w.t
	w.ids["asyncPayment"] = w.must(201, "bob", "POST", "/v1/purchases", `{"priceId":"{pdf}","paymentMethod":{"gateway":"sandbox","token":"sandbox_async"}}`).Result["id"].(string)
	var approval string
	waitFor(t, "the approval URL", func() bool {
		approval, _ = w.must(200, "bob", "GET", "/v1/payments/{asyncPayment}", "").Result["approvalUrl"].(string)
		return approval != ""
	})
	resp, err := w.env.HTTP.PostForm(approval, url.Values{"decision": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve = %d", resp.StatusCode)
	}
	s.waitStatus(t, "/v1/payments/"+w.ids["asyncPayment"], "paid")
	w.ids["asyncReference"] = approval[strings.LastIndex(approval, "/")+1:]
	for _, c := range w.must(200, "root", "GET", "/v1/sandbox/ledger", "").Results {
		if c["reference"] == w.ids["asyncReference"] {
			resolved, err := time.Parse(time.RFC3339Nano, c["resolvedAt"].(string))
			if err != nil {
				t.Fatal(err)
			}
			w.approval = sandbox.Event{ID: "evt_" + w.ids["asyncReference"], Type: sandbox.EventChargeSucceeded, Reference: w.ids["asyncReference"],
				IdempotencyKey: c["idempotencyKey"].(string), Created: resolved.UTC()}
		}
	}
	if w.approval.ID == "" {
		t.Fatalf("no charge %s in the sandbox's ledger", w.ids["asyncReference"])
	}
}

// makeCredentials makes what the token attacks alter or outlive: the
// shop's access token, API keys and signing key; a session logged out, an
// account disabled, an admin demoted. Well-signed tokens of both keys
// must pass, or their refusals would prove nothing.
func (w *world) makeCredentials(s *shop) {
	t := w.t
	w.ids["jwt:shop"] = w.must(200, "shop", "POST", "/auth/token", "").Result["token"].(string)
	if _, _, err := jwt.NewParser().ParseUnverified(w.ids["jwt:shop"], &w.claims); err != nil {
		t.Fatal(err)
	}
	for _, good := range []string{
		w.jwt(jwt.SigningMethodEdDSA, ed25519.NewKeyFromSeed(edSeed), map[string]any{"kid": "ed-1"}, nil),
		w.jwt(jwt.SigningMethodHS256, hsSecret, map[string]any{"kid": "hs-1"}, nil),
	} {
		w.must(200, "", "GET", "/v1/profile", "", "Authorization", "Bearer "+good)
	}
	key := w.must(201, "shop", "POST", "/v1/api-keys", `{"name":"ci"}`).Result
	w.ids["apiKey"], w.ids["apiKey:shop"] = key["id"].(string), key["secret"].(string)
	revoked := w.must(201, "shop", "POST", "/v1/api-keys", `{"name":"revoked"}`).Result
	w.ids["apiKey:revoked"] = revoked["secret"].(string)
	w.must(204, "shop", "DELETE", "/v1/api-keys/"+revoked["id"].(string), "")
	w.signer = newSigner(t, w.env, []string{"Authorization", "Bearer " + w.ids["token:shop"]}, `{"algorithm":"hmac-sha256"}`, "(request-target)", "host", "date", "digest")
	w.ids["signingKey"] = w.signer.keyID
	w.signedOnce = w.signer.headers(t, "POST", "/v1/products", `{"name":"Forged"}`)
	w.must(201, "", "POST", "/v1/products", `{"name":"Forged"}`, w.signedOnce...)

	w.ids["token:loggedOut"], _ = login(t, w.env, creds("shop", ""))
	w.ids["jwt:loggedOut"] = w.must(200, "loggedOut", "POST", "/auth/token", "").Result["token"].(string)
	w.must(204, "loggedOut", "DELETE", "/auth/session", "")

	leaver := w.env.CreateClient(nil, "leaver", goodPassword, "business")
	w.ids["token:leaver"], _ = login(t, w.env, creds("leaver", ""))
	w.ids["apiKey:leaver"] = w.must(201, "leaver", "POST", "/v1/api-keys", `{"name":"left behind"}`).Result["secret"].(string)
	w.must(200, "root", "PATCH", "/v1/clients/"+leaver.ID.String(), `{"disabled":true}`)

	demoted := w.env.CreateClient(nil, "demoted", goodPassword, "admin")
	w.ids["token:demoted"], _ = login(t, w.env, creds("demoted", ""))
	w.ids["jwt:demoted"] = w.must(200, "demoted", "POST", "/auth/token", "").Result["token"].(string)
	w.must(200, "root", "PUT", "/v1/clients/"+demoted.ID.String()+"/roles", `{"roles":["business"]}`)
}
