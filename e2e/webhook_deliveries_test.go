package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/billgate/billgate/internal/httpsigtest"
	"github.com/billgate/billgate/internal/testenv"
)

// hookReceiver is a business's webhook receiver: it answers each delivery
// with the next of its answers (204 once they run out) and keeps what it
// was sent.
type hookReceiver struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	got     []hookRequest
}

// hookRequest is one delivery as the receiver got it.
type hookRequest struct {
	path   string
	header http.Header
	body   []byte
	at     time.Time
}

func (h hookRequest) id() string { return h.header.Get("webhook-id") }

func newReceiver(t *testing.T, answers ...func(w http.ResponseWriter)) *hookReceiver {
	r := &hookReceiver{t: t, answers: answers}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, hookRequest{req.URL.Path, req.Header.Clone(), body, time.Now()})
		answer := func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }
		if len(r.answers) > 0 {
			answer, r.answers = r.answers[0], r.answers[1:]
		}
		r.mu.Unlock()
		answer(w)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// answer is a reply with a status code and headers (name, value, …).
func answer(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

func (r *hookReceiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookRequest(nil), r.got...)
}

// wait waits for n deliveries, and returns every one so far.
func (r *hookReceiver) wait(n int) []hookRequest {
	r.t.Helper()
	waitFor(r.t, fmt.Sprintf("%d deliveries at %s", n, r.srv.URL), func() bool { return len(r.requests()) >= n })
	return r.requests()
}

func (r *hookReceiver) url() string { return r.srv.URL + "/hooks/billgate" }

// endpoint adds a webhook endpoint of the shop's; it returns its path and
// signing secret.
func (s *shop) endpoint(t *testing.T, url, types, auth string) (path, secret string) {
	t.Helper()
	created := call(t, s.env, "POST", "/v1/webhook-endpoints", fmt.Sprintf(`{"url":%q,"eventTypes":%s,"auth":%s}`, url, types, auth), s.owner...)
	if created.Status != 201 {
		t.Fatalf("create endpoint = %d %+v", created.Status, created.Errors)
	}
	return "/v1/webhook-endpoints/" + created.Result["id"].(string), created.Result["secret"].(string)
}

// newCustomer creates a customer of the shop, which records a
// customer.created event; it returns the event's ID.
func (s *shop) newCustomer(t *testing.T, login string) string {
	t.Helper()
	c := call(t, s.env, "POST", "/v1/clients", newAccount(login, ""), s.owner...)
	if c.Status != 201 {
		t.Fatalf("create customer = %d %+v", c.Status, c.Errors)
	}
	events := call(t, s.env, "GET", "/v1/events?type=customer.created&objectId="+c.Result["id"].(string), "", s.owner...)
	if len(events.Results) != 1 {
		t.Fatalf("events of %s: %v", login, events.Results)
	}
	return events.Results[0]["id"].(string)
}

// deliveries is an endpoint's delivery log.
func (s *shop) deliveries(t *testing.T, endpoint string) []map[string]any {
	t.Helper()
	r := call(t, s.env, "GET", endpoint+"/deliveries", "", s.owner...)
	if r.Status != 200 {
		t.Fatalf("deliveries = %d %+v", r.Status, r.Errors)
	}
	return r.Results
}

// outcomes are a delivery's attempts, as "outcome status" each.
func outcomes(delivery map[string]any) []string {
	var out []string
	for _, a := range delivery["attempts"].([]any) {
		a := a.(map[string]any)
		out = append(out, fmt.Sprint(a["outcome"], " ", a["statusCode"]))
	}
	return out
}

// Every delivery carries a Standard Webhooks signature that the
// project's own library verifies, and the endpoint's ESPF scheme, which
// the scheme's reference verifier accepts: npm http-signature for
// Signature, golang-jwt for Bearer. The body is the event as
// GET /v1/events/{id} shows it, under the event's ID.
func TestWebhookDeliveriesAuthenticateEveryScheme(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{WebhookAllow: testenv.Loopback})
	verifySignature := httpsigtest.Verifier(t)
	schemes := []struct {
		name, auth string
		check      func(t *testing.T, req hookRequest)
	}{
		{"none", `{"scheme":"none"}`, func(t *testing.T, req hookRequest) {
			if got := req.header.Get("Authorization"); got != "" {
				t.Errorf("Authorization %q, want none", got)
			}
		}},
		{"basic", `{"scheme":"basic","user":"billgate","secret":"basic-s3cret"}`, func(t *testing.T, req hookRequest) {
			r := &http.Request{Header: req.header}
			if user, pass, ok := r.BasicAuth(); !ok || user != "billgate" || pass != "basic-s3cret" {
				t.Errorf("Basic %q %q %v", user, pass, ok)
			}
		}},
		{"custom", `{"scheme":"custom","name":"Plain","secret":"passexample"}`, func(t *testing.T, req hookRequest) {
			if got := req.header.Get("Authorization"); got != "Plain passexample" {
				t.Errorf("Authorization %q", got)
			}
		}},
		{"signature", `{"scheme":"signature","keyId":"porta-1","algorithm":"hmac-sha256","secret":"espf-signature-secret"}`, func(t *testing.T, req hookRequest) {
			if got := verifySignature(t, "POST", req.path, req.header, "espf-signature-secret"); got != "ok" {
				t.Errorf("http-signature says %q of %q", got, req.header.Get("Authorization"))
			}
		}},
		{"bearer", `{"scheme":"bearer","claims":{"i_env":3},"expiryClaim":"Exp","ttlSeconds":60,"secret":"superkey"}`, func(t *testing.T, req hookRequest) {
			claims := jwt.MapClaims{}
			_, err := jwt.ParseWithClaims(strings.TrimPrefix(req.header.Get("Authorization"), "Bearer "), claims,
				func(*jwt.Token) (any, error) { return []byte("superkey"), nil }, jwt.WithValidMethods([]string{"HS256"}))
			exp, _ := claims["Exp"].(float64)
			if err != nil || claims["i_env"] != float64(3) || time.Unix(int64(exp), 0).Before(req.at) {
				t.Errorf("bearer token: %v, claims %v", err, claims)
			}
		}},
	}
	receivers := make([]*hookReceiver, len(schemes))
	endpoints, secrets := make([]string, len(schemes)), make([]string, len(schemes))
	for i, sc := range schemes {
		receivers[i] = newReceiver(t)
		endpoints[i], secrets[i] = s.endpoint(t, receivers[i].url(), `["customer.*"]`, sc.auth)
	}
	event := s.newCustomer(t, "carol")
	shown := call(t, s.env, "GET", "/v1/events/"+event, "", s.owner...)
	for i, sc := range schemes {
		t.Run(sc.name, func(t *testing.T) {
			req := receivers[i].wait(1)[0]
			wh, err := standardwebhooks.NewWebhook(secrets[i])
			if err != nil {
				t.Fatal(err)
			}
			if err := wh.Verify(req.body, req.header); err != nil {
				t.Errorf("Standard Webhooks: %v", err)
			}
			var sent map[string]any
			if err := json.Unmarshal(req.body, &sent); err != nil || req.id() != event || !reflect.DeepEqual(sent, shown.Result) {
				t.Errorf("sent %s (id %s), want event %s as the API shows it: %v", req.body, req.id(), event, shown.Result)
			}
			sc.check(t, req)
			waitFor(t, "the delivery to be logged", func() bool {
				log := s.deliveries(t, endpoints[i])
				return len(log) == 1 && log[0]["status"] == "delivered"
			})
			if got := outcomes(s.deliveries(t, endpoints[i])[0]); !reflect.DeepEqual(got, []string{"delivered 204"}) {
				t.Errorf("attempts %v", got)
			}
		})
	}
}

// A receiver that is down, then asks to wait (Retry-After), then is up
// gets each event once delivered and in the order they happened: the
// first after the schedule's 5 s, then after the second it asked for,
// and the others behind it.
func TestWebhookDeliveriesRetryInOrder(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{WebhookAllow: testenv.Loopback})
	r := newReceiver(t, answer(500), answer(503, "Retry-After", "1"))
	endpoint, _ := s.endpoint(t, r.url(), `["customer.created"]`, `{"scheme":"none"}`)
	events := []string{s.newCustomer(t, "carol"), s.newCustomer(t, "dave"), s.newCustomer(t, "erin")}
	got := r.wait(5)
	var ids []string
	for _, req := range got {
		ids = append(ids, req.id())
	}
	if want := []string{events[0], events[0], events[0], events[1], events[2]}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("delivered %v, want %v", ids, want)
	}
	if gap := got[1].at.Sub(got[0].at); gap < 5*time.Second || gap > time.Minute {
		t.Errorf("the retry after a 500 came %v later, want the schedule's 5 s (and some jitter)", gap)
	}
	if gap := got[2].at.Sub(got[1].at); gap < time.Second || gap > time.Minute {
		t.Errorf("the retry after Retry-After: 1 came %v later", gap)
	}
	waitFor(t, "every delivery to be logged delivered", func() bool {
		log := s.deliveries(t, endpoint)
		return len(log) == 3 && log[2]["status"] == "delivered"
	})
	log := s.deliveries(t, endpoint)
	if got := outcomes(log[0]); !reflect.DeepEqual(got, []string{"retry 500", "retry 503", "delivered 204"}) {
		t.Errorf("first delivery's attempts %v", got)
	}
	if r := call(t, s.env, "GET", endpoint, "", s.owner...); r.Result["failingSince"] != nil || r.Result["enabled"] != true {
		t.Errorf("after the receiver recovered: %v", r.Result)
	}
}

// A receiver answering 410 has its endpoint disabled, and the business is
// told by an event, delivered to its other endpoint. Enabled again, the
// endpoint gets what it kept. A test send and a retry go at once.
func TestWebhookEndpointGoneIsDisabled(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{WebhookAllow: testenv.Loopback})
	gone, watcher := newReceiver(t, answer(http.StatusGone)), newReceiver(t)
	endpoint, _ := s.endpoint(t, gone.url(), `["customer.*"]`, `{"scheme":"none"}`)
	s.endpoint(t, watcher.url(), `["webhook_endpoint.*"]`, `{"scheme":"none"}`)
	event := s.newCustomer(t, "carol")

	var told map[string]any
	if err := json.Unmarshal(watcher.wait(1)[0].body, &told); err != nil {
		t.Fatal(err)
	}
	object, _ := told["data"].(map[string]any)["object"].(map[string]any)
	if told["type"] != "webhook_endpoint.disabled" || "/v1/webhook-endpoints/"+object["id"].(string) != endpoint ||
		object["disabledReason"] != "the endpoint answered 410 Gone" || object["secret"] != nil {
		t.Errorf("the business was told %v", told)
	}
	read := call(t, s.env, "GET", endpoint, "", s.owner...)
	if read.Result["enabled"] != false || read.Result["disabledReason"] != "the endpoint answered 410 Gone" {
		t.Errorf("after a 410: %v", read.Result)
	}
	if listed := call(t, s.env, "GET", "/v1/events?type=webhook_endpoint.disabled", "", s.owner...); len(listed.Results) != 1 {
		t.Errorf("disabled events %v", listed.Results)
	}
	call(t, s.env, "POST", endpoint+"/test", "", s.owner...).
		is(t, "a test of a disabled endpoint", 409, "ILLEGAL_STATE_CHANGE", "the endpoint is disabled: enable it to send it a test")

	if r := call(t, s.env, "PATCH", endpoint, `{"enabled":true}`, s.owner...); r.Status != 200 || r.Result["disabledReason"] != nil {
		t.Fatalf("enable = %d %v", r.Status, r.Result)
	}
	if again := gone.wait(2)[1]; again.id() != event {
		t.Errorf("enabled again, it was sent %s, want the event it kept, %s", again.id(), event)
	}
	waitFor(t, "the kept delivery to be delivered", func() bool { return s.deliveries(t, endpoint)[0]["status"] == "delivered" })
	delivery := s.deliveries(t, endpoint)[0]
	if got := outcomes(delivery); !reflect.DeepEqual(got, []string{"gone 410", "delivered 204"}) {
		t.Errorf("attempts %v", got)
	}

	test := call(t, s.env, "POST", endpoint+"/test", "", s.owner...)
	if test.Status != 202 || test.Result["eventType"] != "webhook_endpoint.test" || test.Result["status"] != "pending" {
		t.Fatalf("test = %d %+v %v", test.Status, test.Errors, test.Result)
	}
	if sent := gone.wait(3)[2]; sent.id() != test.Result["eventId"] || !strings.Contains(string(sent.body), `"type":"webhook_endpoint.test"`) {
		t.Errorf("test send: %s %s", sent.id(), sent.body)
	}
	retry := call(t, s.env, "POST", fmt.Sprintf("%s/deliveries/%s/retry", endpoint, delivery["id"]), "", s.owner...)
	if retry.Status != 202 || retry.Result["status"] != "pending" {
		t.Fatalf("retry = %d %+v %v", retry.Status, retry.Errors, retry.Result)
	}
	if sent := gone.wait(4)[3]; sent.id() != event {
		t.Errorf("the retry sent %s, want %s again", sent.id(), event)
	}
	if r := call(t, s.env, "GET", endpoint+"/deliveries", "", s.other...); r.Status != 404 {
		t.Errorf("another business reads the log: %d", r.Status)
	}
}

// Deliveries never reach billgate's own network: an endpoint on loopback
// or at the cloud metadata address is refused before anything is sent,
// disabled, and its log says why.
func TestWebhookDeliveriesRefuseInternalAddresses(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	r := newReceiver(t)
	local, _ := s.endpoint(t, r.url(), `["customer.*"]`, `{"scheme":"none"}`)
	metadata, _ := s.endpoint(t, "http://169.254.169.254/latest/meta-data/", `["customer.*"]`, `{"scheme":"none"}`)
	s.newCustomer(t, "carol")
	for _, tc := range []struct{ endpoint, address string }{{local, "127.0.0.1"}, {metadata, "169.254.169.254"}} {
		waitFor(t, tc.address+" to be disabled", func() bool {
			return call(t, s.env, "GET", tc.endpoint, "", s.owner...).Result["enabled"] == false
		})
		reason := call(t, s.env, "GET", tc.endpoint, "", s.owner...).Result["disabledReason"].(string)
		if !strings.HasPrefix(reason, "billgate refused to send: ") || !strings.Contains(reason, tc.address) || !strings.Contains(reason, "internal") {
			t.Errorf("%s: disabled because %q", tc.address, reason)
		}
		attempt := s.deliveries(t, tc.endpoint)[0]["attempts"].([]any)[0].(map[string]any)
		if attempt["outcome"] != "refused" || attempt["statusCode"] != nil || !strings.Contains(attempt["error"].(string), tc.address) {
			t.Errorf("%s: attempt %v", tc.address, attempt)
		}
	}
	if got := r.requests(); len(got) != 0 {
		t.Errorf("the loopback receiver got %d requests", len(got))
	}
}

// A worker process killed while a receiver holds its delivery loses
// nothing: once a worker is back the delivery is sent again, under the
// same webhook-id, and logged delivered once.
func TestWebhookWorkerKilledMidDelivery(t *testing.T) {
	t.Parallel()
	k := newCluster(t)
	k.env = append(k.env, "BILLGATE_WEBHOOK_ALLOW=127.0.0.0/8")
	k.api()
	first := k.worker("subscriptions,payments,events")
	waitStatus(t, k.http, k.base+"/readyz", http.StatusOK)
	arrived, release := make(chan struct{}), make(chan struct{})
	r := newReceiver(t, func(w http.ResponseWriter) {
		close(arrived)
		<-release
		w.WriteHeader(http.StatusNoContent)
	})
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	t.Cleanup(let)

	auth := k.login("shop")
	endpoint := "/v1/webhook-endpoints/" + k.do("POST", "/v1/webhook-endpoints", fmt.Sprintf(`{"url":%q,"eventTypes":["customer.*"]}`, r.url()), auth...)["id"].(string)
	k.do("POST", "/v1/clients", newAccount("buyer", ""), auth...)
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery reached the receiver")
	}
	first.kill(t)
	let()
	k.worker("subscriptions,payments,events")
	got := r.wait(2)
	if got[0].id() != got[1].id() {
		t.Errorf("the delivery after the crash is %s, want %s again", got[1].id(), got[0].id())
	}
	var log reply
	waitFor(t, "the delivery to be logged delivered", func() bool {
		log = callAt(t, k.http, k.base, "GET", endpoint+"/deliveries", "", auth...)
		return len(log.Results) == 1 && log.Results[0]["status"] == "delivered"
	})
	if got := outcomes(log.Results[0]); !reflect.DeepEqual(got, []string{"delivered 204"}) {
		t.Errorf("attempts %v: the killed try left no record, the next one delivered", got)
	}
	if n := len(r.requests()); n != 2 {
		t.Errorf("the receiver got %d requests, want 2", n)
	}
}
