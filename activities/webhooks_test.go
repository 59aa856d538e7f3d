package activities

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/delivery"
	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/safehttp"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/webhookendpoints"
)

// receiver answers each request with the next of its answers (204 once
// they run out) and keeps what it was sent.
type receiver struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	got     []*http.Request
	bodies  []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got, r.bodies = append(r.got, req), append(r.bodies, string(body))
	if len(r.answers) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	answer := r.answers[0]
	r.answers = r.answers[1:]
	answer(w)
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

// webhookFixture is a shop with one endpoint at url, and a delivery to it
// of the event of its customer bob's creation.
type webhookFixture struct {
	acts     *Activities
	endpoint *models.WebhookEndpoint
	delivery *models.WebhookDelivery
}

func newWebhookFixture(t *testing.T, s *models.Store, url string, allowLoopback bool) webhookFixture {
	t.Helper()
	ctx := context.Background()
	box, err := sealed.New([]sealed.Key{sealed.RandomKey("k1")})
	if err != nil {
		t.Fatal(err)
	}
	endpoints := &webhookendpoints.Service{Store: s.WebhookEndpoints, Secrets: box, Now: time.Now}
	shop := &models.Client{Login: "shop", PasswordHash: "x"}
	if err := s.CreateClient(ctx, shop, "business"); err != nil {
		t.Fatal(err)
	}
	made, err := endpoints.Create(ctx, tenancy.Caller{ID: shop.ID, Level: models.LevelBusiness},
		webhookendpoints.New{URL: url, EventTypes: []string{"customer.*"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, &models.Client{TenantID: &shop.ID, Login: "bob", PasswordHash: "x"}, "customer"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RelayEvents(ctx, 10, func(e *models.Event) []byte { return []byte(`{"id":"` + e.ID.String() + `"}`) }, time.Now()); err != nil {
		t.Fatal(err)
	}
	d, err := s.NextWebhookDelivery(ctx, made.Endpoint.ID)
	if err != nil || d == nil {
		t.Fatalf("no delivery: %v", err)
	}
	var allow []netip.Prefix
	if allowLoopback {
		allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	acts := &Activities{Store: s, Endpoints: endpoints, Now: time.Now,
		Sender: delivery.Sender{Client: safehttp.NewClient(safehttp.Options{Allow: allow}), Now: time.Now}}
	return webhookFixture{acts: acts, endpoint: made.Endpoint, delivery: d}
}

func (f webhookFixture) attempt(t *testing.T, in AttemptInput) AttemptResult {
	t.Helper()
	in.DeliveryID = f.delivery.ID
	res, err := f.acts.AttemptWebhookDelivery(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f webhookFixture) stored(t *testing.T) (*models.WebhookDelivery, []models.WebhookAttempt) {
	t.Helper()
	ctx := context.Background()
	d, err := f.acts.Store.WebhookDeliveryByID(ctx, f.delivery.ID)
	if err != nil {
		t.Fatal(err)
	}
	attempts, err := f.acts.Store.WebhookAttemptsOf(ctx, []uuid.UUID{d.ID})
	if err != nil {
		t.Fatal(err)
	}
	return d, attempts[d.ID]
}

// A try that fails is logged and planned again; one answered with a 2xx
// settles the delivery, which is never sent again. The message is the
// stored payload, under the event's ID.
func TestAttemptWebhookDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		r := &receiver{answers: []func(http.ResponseWriter){status(500)}}
		srv := httptest.NewServer(r)
		defer srv.Close()
		f := newWebhookFixture(t, s, srv.URL, true)

		res := f.attempt(t, AttemptInput{RetryIn: 5 * time.Second})
		if res.Outcome != delivery.Retry || res.Wait != 5*time.Second || res.FailingSince == nil || res.Skipped {
			t.Fatalf("a 500: %+v", res)
		}
		d, attempts := f.stored(t)
		if d.Status != models.DeliveryPending || d.NextAttemptAt == nil || len(attempts) != 1 || attempts[0].StatusCode != 500 || attempts[0].ResponseBody != "Internal Server Error" {
			t.Fatalf("after a 500: %+v, %+v", d, attempts)
		}

		if res = f.attempt(t, AttemptInput{RetryIn: 5 * time.Minute}); res.Outcome != delivery.Delivered || res.FailingSince != nil {
			t.Fatalf("a 204: %+v", res)
		}
		if res = f.attempt(t, AttemptInput{RetryIn: 5 * time.Minute}); !res.Skipped {
			t.Fatalf("a delivered delivery tried again: %+v", res)
		}
		if len(r.got) != 2 {
			t.Fatalf("the receiver got %d requests, want 2", len(r.got))
		}
		for i, req := range r.got {
			if req.Header.Get("webhook-id") != f.delivery.EventID.String() || r.bodies[i] != f.delivery.Payload {
				t.Errorf("request %d: id %q, body %s", i, req.Header.Get("webhook-id"), r.bodies[i])
			}
		}
		d, attempts = f.stored(t)
		if d.Status != models.DeliveryDelivered || d.Attempts != 2 || len(attempts) != 2 || attempts[1].Outcome != string(delivery.Delivered) {
			t.Errorf("delivered: %+v, %+v", d, attempts)
		}
	})
}

// The last try's failure fails the delivery; a 503's Retry-After sets the
// wait.
func TestAttemptWebhookDeliveryFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		r := &receiver{answers: []func(http.ResponseWriter){status(503, "Retry-After", "7"), status(502)}}
		srv := httptest.NewServer(r)
		defer srv.Close()
		f := newWebhookFixture(t, s, srv.URL, true)
		if res := f.attempt(t, AttemptInput{RetryIn: 5 * time.Hour}); res.Wait != 7*time.Second {
			t.Errorf("a 503 asking for 7 s: wait %v", res.Wait)
		}
		if res := f.attempt(t, AttemptInput{Last: true}); res.Outcome != delivery.Retry {
			t.Errorf("the last try: %+v", res)
		}
		if d, _ := f.stored(t); d.Status != models.DeliveryFailed || d.NextAttemptAt != nil {
			t.Errorf("after the last try: %+v", d)
		}
	})
}

// An endpoint whose address is internal is refused before anything is
// sent, and the reason is logged; the delivery waits for the endpoint to
// be fixed.
func TestAttemptWebhookDeliveryRefusesInternalAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		f := newWebhookFixture(t, s, "http://169.254.169.254/latest/meta-data/", false)
		res := f.attempt(t, AttemptInput{RetryIn: time.Minute})
		if res.Outcome != delivery.Refused || !strings.Contains(res.Error, "169.254.169.254") || !strings.Contains(res.Error, "internal") {
			t.Fatalf("metadata address: %+v", res)
		}
		d, attempts := f.stored(t)
		if d.Status != models.DeliveryPending || len(attempts) != 1 || attempts[0].Outcome != string(delivery.Refused) {
			t.Errorf("after the refusal: %+v, %+v", d, attempts)
		}
	})
}

// An endpoint disabled or deleted stops its workflow and sends nothing.
func TestNextWebhookDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newWebhookFixture(t, s, "https://hooks.example/billgate", false)
		next, err := f.acts.NextWebhookDelivery(ctx, f.endpoint.ID)
		if err != nil || next.DeliveryID != f.delivery.ID || next.Stop {
			t.Fatalf("next: %+v, %v", next, err)
		}
		if err := f.acts.DisableWebhookEndpoint(ctx, DisableEndpointInput{EndpointID: f.endpoint.ID, Reason: "the endpoint answered 410 Gone"}); err != nil {
			t.Fatal(err)
		}
		if next, err := f.acts.NextWebhookDelivery(ctx, f.endpoint.ID); err != nil || !next.Stop {
			t.Errorf("disabled: %+v, %v", next, err)
		}
		if res := f.attempt(t, AttemptInput{}); !res.Skipped {
			t.Errorf("a try at a disabled endpoint: %+v", res)
		}
		if err := s.DeleteWebhookEndpoint(ctx, f.endpoint.ID); err != nil {
			t.Fatal(err)
		}
		if next, err := f.acts.NextWebhookDelivery(ctx, f.endpoint.ID); err != nil || !next.Stop {
			t.Errorf("deleted: %+v, %v", next, err)
		}
		if res := f.attempt(t, AttemptInput{}); !res.Skipped {
			t.Errorf("a try of a deleted delivery: %+v", res)
		}
	})
}
