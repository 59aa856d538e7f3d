package listenmode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
)

func proposals(t *testing.T, o *Observations, role string) map[string]payloadcheck.Template {
	t.Helper()
	got, err := o.Proposals(context.Background(), role)
	if err != nil {
		t.Fatalf("Proposals(%s) = %v", role, err)
	}
	return got
}

// Listen mode never keeps a secret: its field is proposed as the wildcard,
// and what was sent is not stored.
func TestRedactsSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, store *models.Store) {
		o := New(store.Observations, 10, nil)
		for _, body := range []string{
			`{"login":"bob","password":"hunter2 hunter2","paymentMethod":{"gateway":"sandbox","Token":"tok_live_1"}}`,
			`{"login":"ann","password":"correct horse","paymentMethod":{"gateway":"sandbox","Token":"tok_live_2"}}`,
		} {
			o.Observe(context.Background(), []string{"business"}, "clients:create", []byte(body))
		}
		got := string(proposals(t, o, "business")["clients:create"])
		rows, err := store.Observed(context.Background(), "business")
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"hunter2", "horse", "tok_live"} {
			if strings.Contains(got, secret) {
				t.Errorf("proposal %s keeps %q", got, secret)
			}
			for _, r := range rows {
				if strings.Contains(r.Payload, secret) {
					t.Errorf("stored %s keeps %q", r.Payload, secret)
				}
			}
		}
		if !strings.Contains(got, `"password":"<%= * %>"`) || !strings.Contains(got, `"login":["ann","bob"]`) {
			t.Errorf("proposal = %s, want the logins listed and the password a wildcard", got)
		}
	})
	if string(redacted([]byte("not json"))) != "not json" {
		t.Error("a body that is not JSON was changed")
	}
}

// A busy listening role keeps at most Kept payloads per action, and
// proposes what it would had it kept them all.
func TestKeptBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		o := New(store.Observations, 10, nil)
		all := payloadcheck.NewObserver(10)
		for i := range 3 * Kept {
			body := fmt.Appendf(nil, `{"name":"product %d","currency":%q,"prices":[{"amount":%d},%d]}`, i, []string{"EUR", "USD"}[i%2], i%4, i%3)
			o.Observe(ctx, []string{"business"}, "products:create", body)
			o.Observe(ctx, []string{"business"}, "products:create", body) // once is enough
			all.Observe("products:create", body)
			if rows, err := store.Observed(ctx, "business"); err != nil || len(rows) > Kept {
				t.Fatalf("after %d payloads, %d held (%v), want at most %d", i+1, len(rows), err, Kept)
			}
		}
		if got, want := proposals(t, o, "business"), all.Proposals(); !maps.EqualFunc(got, want, slices.Equal) {
			t.Errorf("Proposals() = %s, want %s", got, want)
		}
		const want = `{"currency":["EUR","USD"],"name":"<%= * %>","prices":[0,1,2,{"amount":[0,1,2,3]}]}`
		if got := string(proposals(t, o, "business")["products:create"]); got != want {
			t.Errorf("proposal = %s, want %s", got, want)
		}
	})
}

// Replicas observe the requests of many roles at once, summing them up
// concurrently: every value is kept up to the bound, then the wildcard.
func TestObserveConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		const goroutines, each = 8, 40 // each role's clients:create holds more than Kept
		var logs bytes.Buffer
		counted := &counting{Store: store.Observations}
		replicas := []*Observations{
			New(counted, goroutines, slog.New(slog.NewTextHandler(&logs, nil))),
			New(counted, goroutines, slog.New(slog.NewTextHandler(&logs, nil))),
		}
		shared := []string{"business", "customer", "admin"}
		own := func(g int) string { return fmt.Sprintf("role%d", g) }
		for g := range goroutines {
			if err := store.CreateRole(ctx, &models.Role{Name: own(g), Level: models.LevelCustomer, Listen: true}, nil); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := range goroutines {
			wg.Go(func() {
				<-start
				for i := range each {
					o := replicas[(g+i)%len(replicas)]
					o.Observe(ctx, shared, "clients:create", fmt.Appendf(nil, `{"g":"%d","seq":"%d/%d"}`, g, g, i))
					o.Observe(ctx, []string{own(g)}, "clients:update", fmt.Appendf(nil, `{"n":%d}`, i%3))
					if _, err := o.Proposals(ctx, shared[i%len(shared)]); err != nil {
						t.Error(err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		var gs []string
		for g := range goroutines {
			gs = append(gs, fmt.Sprintf(`"%d"`, g))
		}
		want := `{"g":[` + strings.Join(gs, ",") + `],"seq":"<%= * %>"}`
		for _, role := range shared {
			for _, o := range replicas {
				if got := proposals(t, o, role); len(got) != 1 || string(got["clients:create"]) != want {
					t.Errorf("Proposals(%s) = %s, want clients:create %s", role, got, want)
				}
			}
			if rows, _ := store.Observed(ctx, role); len(rows) > Kept+goroutines {
				t.Errorf("%s holds %d payloads, want at most about %d", role, len(rows), Kept)
			}
		}
		for g := range goroutines {
			if got := proposals(t, replicas[0], own(g)); len(got) != 1 || string(got["clients:update"]) != `{"n":[0,1,2]}` {
				t.Errorf("Proposals(%s) = %s, want clients:update {\"n\":[0,1,2]}", own(g), got)
			}
		}
		if counted.summed.Load() == 0 {
			t.Error("nothing was summed up")
		}
		if logs.Len() > 0 {
			t.Errorf("logged:\n%s", logs.String())
		}
	})
}

// counting counts the times a store sums up.
type counting struct {
	Store
	summed atomic.Int64
}

func (c *counting) SumUpObserved(ctx context.Context, role, action string, over int, sum func([]models.ObservedPayload) [][]byte) error {
	return c.Store.SumUpObserved(ctx, role, action, over, func(rows []models.ObservedPayload) [][]byte {
		c.summed.Add(1)
		return sum(rows)
	})
}

// A client that hangs up once its request succeeded is still observed.
func TestObserveOutlivesTheRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, store *models.Store) {
		o := New(store.Observations, 10, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		o.Observe(ctx, []string{"business"}, "products:create", []byte(`{"name":"Alpha"}`))
		if got := string(proposals(t, o, "business")["products:create"]); got != `{"name":["Alpha"]}` {
			t.Errorf("proposal = %s, want Alpha observed", got)
		}
	})
}

// failing is a store that is down.
type failing struct{ Store }

var errDown = errors.New("database down")

func (failing) RecordObserved(context.Context, string, string, [][]byte) (int, error) {
	return 0, errDown
}
func (failing) Observed(context.Context, string) ([]models.ObservedPayload, error) {
	return nil, errDown
}

// A failure to record is logged; the caller, whose request succeeded,
// never sees it. Proposals cannot be made without the store.
func TestObserveFailureLogged(t *testing.T) {
	var logs bytes.Buffer
	o := New(failing{}, 10, slog.New(slog.NewTextHandler(&logs, nil)))
	o.Observe(context.Background(), []string{"business", "seller"}, "products:create", []byte(`{"name":"Alpha"}`))
	for _, want := range []string{"level=WARN", "not recorded", "role=business", "role=seller", "action=products:create", "database down"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logged %q, want %q in it", logs.String(), want)
		}
	}
	if _, err := o.Proposals(context.Background(), "business"); !errors.Is(err, errDown) {
		t.Errorf("Proposals() = %v, want the store's error", err)
	}
	logs.Reset()
	o.Observe(context.Background(), []string{"business"}, "products:create", []byte(`[1]`))
	if logs.Len() > 0 {
		t.Errorf("a body that is not an object reached the store: logged %s", logs.String())
	}

	o = New(full{}, 10, slog.New(slog.NewTextHandler(&logs, nil)))
	o.Observe(context.Background(), []string{"business"}, "products:create", []byte(`{"name":"Alpha"}`))
	for _, want := range []string{"level=WARN", "not summed up", "role=business", "database down"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logged %q, want %q in it", logs.String(), want)
		}
	}
}

// full is a store that records, holds one payload past the bound, and
// fails to sum up.
type full struct{ Store }

func (full) RecordObserved(context.Context, string, string, [][]byte) (int, error) {
	return Kept + 1, nil
}
func (full) SumUpObserved(context.Context, string, string, int, func([]models.ObservedPayload) [][]byte) error {
	return errDown
}
