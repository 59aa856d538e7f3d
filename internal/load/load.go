// Package load puts billgate under sustained load, as make load does
// (docs/operations.md): many clients creating subscriptions with
// Idempotency-Keys, some retried, while readers measure the latency of
// authenticated reads; then a flood of logins at the production argon2id
// cost while the readers measure again.
package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/billgate/billgate/internal/apicall"
)

// Options shape a run.
type Options struct {
	// URL is billgate's base URL; AdminLogin and AdminPassword an admin's.
	URL, AdminLogin, AdminPassword string
	// Subscriptions are created by Clients at once.
	Subscriptions, Clients int
	// RetryEvery sends every RetryEvery-th create a second time with its
	// key, as a client that lost the answer would.
	RetryEvery int
	// Readers measure reads throughout.
	Readers int
	// Flood is how many clients log in at once in the flood, for Settle
	// after a calm of Settle. Fewer than the per-IP burst (20), every
	// login is checked, which is the cost the flood is for; more, from the
	// one address, are mostly refused with 429 instead.
	Flood  int
	Settle time.Duration
	Log    io.Writer
}

// Report is what a run measured.
type Report struct {
	Target                   string
	Creates, Errors, Retried int
	// Accepted are the creates answered 202: started, their first write
	// not yet seen, as happens when the workers are behind.
	Accepted int
	// Settled is how long after the last create every subscription was
	// active; Unsettled, those that were not after settleWait.
	Settled               time.Duration
	Unsettled             int
	Duplicates            int
	CreatesPerSecond      float64
	DuringCreates         Latencies
	Calm, DuringFlood     Latencies
	Logins, LoginsRefused int
	LoginsPerSecond       float64
	ErrorSamples          []string
	creating              time.Duration
}

// Latencies are the reads measured in a phase, by route.
type Latencies map[string]*Latency

// Latency is a route's measured reads.
type Latency struct {
	samples []time.Duration
	errors  int
	failed  []string // the first few failures
}

// Percentile is the p-th percentile (0–100) of the samples.
func (l *Latency) Percentile(p float64) time.Duration {
	if len(l.samples) == 0 {
		return 0
	}
	s := slices.Clone(l.samples)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

// routes are the reads measured: a subscription, and the caller's session.
var routes = []string{"GET /v1/subscriptions/{id}", "GET /auth/session"}

const password = "load-run-password"

// Run runs the load against o.URL.
func Run(ctx context.Context, o Options) (*Report, error) {
	r := &Report{Target: o.URL}
	admin, err := login(ctx, o.URL, o.AdminLogin, o.AdminPassword)
	if err != nil {
		return nil, err
	}
	if _, err := admin.created(ctx, "/v1/clients", map[string]any{"login": "load-shop", "password": password, "role": "business"}, ""); err != nil {
		return nil, err
	}
	shop, err := login(ctx, o.URL, "load-shop", password)
	if err != nil {
		return nil, err
	}
	product, err := shop.created(ctx, "/v1/products", map[string]any{"name": "Load", "prices": []map[string]any{
		{"amount": 1000, "currency": "USD", "type": "recurring", "interval": "month"}}}, "")
	if err != nil {
		return nil, err
	}
	price := product["prices"].([]any)[0].(map[string]any)["id"].(string)
	var customers []string
	for i := range 16 {
		c, err := shop.created(ctx, "/v1/clients", map[string]any{"login": fmt.Sprintf("load-customer-%d", i), "password": password}, "")
		if err != nil {
			return nil, err
		}
		customers = append(customers, c["id"].(string))
	}
	first, err := shop.created(ctx, "/v1/subscriptions", subscription(price, customers[0]), "load-first")
	if err != nil {
		return nil, err
	}
	ids := &idSet{ids: []string{first["id"].(string)}}

	// Creates, with the readers measuring.
	r.DuringCreates = newLatencies()
	stopReading := r.DuringCreates.read(ctx, o.Readers, shop, ids)
	start := time.Now()
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range o.Clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > o.Subscriptions {
					return
				}
				key := fmt.Sprintf("load-%d", i)
				body := subscription(price, customers[i%len(customers)])
				a, err := shop.call(ctx, http.MethodPost, "/v1/subscriptions", apicall.JSON(body), key)
				mu.Lock()
				if err != nil || (a.status != http.StatusCreated && a.status != http.StatusAccepted) {
					r.Errors++
					r.ErrorSamples = appendSample(r.ErrorSamples, fmt.Sprintf("create %s: %v %v", key, a, err))
					mu.Unlock()
					continue
				}
				r.Creates++
				if a.status == http.StatusAccepted {
					r.Accepted++
				}
				mu.Unlock()
				ids.add(a.id())
				if o.RetryEvery > 0 && i%o.RetryEvery == 0 {
					again, err := shop.call(ctx, http.MethodPost, "/v1/subscriptions", apicall.JSON(body), key)
					mu.Lock()
					r.Retried++
					if err != nil || again.id() != a.id() {
						r.Duplicates++
						r.ErrorSamples = appendSample(r.ErrorSamples, fmt.Sprintf("retry %s: first %s, again %v %v", key, a.id(), again, err))
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	r.creating = time.Since(start)
	stopReading()
	r.CreatesPerSecond = float64(r.Creates) / r.creating.Seconds()
	listed, err := shop.ids(ctx, "/v1/subscriptions")
	if err != nil {
		return nil, err
	}
	// A duplicate is a subscription no answer named.
	created := ids.all()
	for _, id := range listed {
		if !created[id] {
			r.Duplicates++
			r.ErrorSamples = appendSample(r.ErrorSamples, "a subscription no answer named: "+id)
		}
	}
	fmt.Fprintf(o.Log, "load: %d subscriptions in %v\n", r.Creates, r.creating.Round(time.Millisecond))
	r.Settled, r.Unsettled = settle(ctx, shop, created)

	// Calm, then a flood of logins, with the readers measuring.
	r.Calm = newLatencies()
	stopReading = r.Calm.read(ctx, o.Readers, shop, ids)
	time.Sleep(o.Settle)
	stopReading()
	r.DuringFlood = newLatencies()
	stopReading = r.DuringFlood.read(ctx, o.Readers, shop, ids)
	floodCtx, stopFlood := context.WithTimeout(ctx, o.Settle)
	var logins, refused atomic.Int64
	start = time.Now()
	for range o.Flood {
		wg.Go(func() {
			for floodCtx.Err() == nil {
				_, err := login(floodCtx, o.URL, "load-shop", password)
				if floodCtx.Err() != nil {
					return
				}
				logins.Add(1)
				if err != nil {
					refused.Add(1)
				}
			}
		})
	}
	wg.Wait()
	stopFlood()
	stopReading()
	r.Logins, r.LoginsRefused = int(logins.Load()), int(refused.Load())
	r.LoginsPerSecond = float64(r.Logins) / time.Since(start).Seconds()
	return r, nil
}

// settleWait is how long a run waits for its subscriptions to be active.
const settleWait = 10 * time.Minute

// settle waits until every subscription is active: the workers have
// caught up with the creates.
func settle(ctx context.Context, c *client, ids map[string]bool) (took time.Duration, unsettled int) {
	start := time.Now()
	for id := range ids {
		for {
			a, err := c.call(ctx, http.MethodGet, "/v1/subscriptions/"+id, "", "")
			if err == nil && a.status == http.StatusOK && a.result["status"] == "active" {
				break
			}
			if time.Since(start) > settleWait {
				unsettled++
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return time.Since(start), unsettled
}

func subscription(price, customer string) map[string]any {
	return map[string]any{"priceId": price, "customerId": customer, "paymentMethod": map[string]string{"gateway": "sandbox", "token": "sandbox_ok"}}
}

func appendSample(s []string, line string) []string {
	if len(s) < 10 {
		return append(s, line)
	}
	return s
}

func newLatencies() Latencies {
	l := Latencies{}
	for _, route := range routes {
		l[route] = &Latency{}
	}
	return l
}

// read runs readers until the returned function is called.
func (l Latencies) read(ctx context.Context, readers int, c *client, ids *idSet) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for n := range readers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			for i := 0; ctx.Err() == nil; i++ {
				route := routes[i%len(routes)]
				path := "/auth/session"
				if i%len(routes) == 0 {
					path = "/v1/subscriptions/" + ids.pick(rng)
				}
				began := time.Now()
				a, err := c.call(ctx, http.MethodGet, path, "", "")
				took := time.Since(began)
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				if err != nil || a.status != http.StatusOK {
					l[route].errors++
					l[route].failed = appendSample(l[route].failed, fmt.Sprintf("GET %s: %v %v", path, a, err))
				} else {
					l[route].samples = append(l[route].samples, took)
				}
				mu.Unlock()
			}
		})
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

// idSet is the subscriptions created so far, for the readers to read.
type idSet struct {
	mu  sync.Mutex
	ids []string
}

func (s *idSet) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, id)
}

func (s *idSet) all() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := map[string]bool{}
	for _, id := range s.ids {
		all[id] = true
	}
	return all
}

func (s *idSet) pick(rng *rand.Rand) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[rng.IntN(len(s.ids))]
}

// Print writes the report.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "load on %s: %d subscriptions created (%d answered 202, %d retried with their key) in %v: %.1f a second; %d errors, %d duplicates; all active %v after the last create (%d not after %v)\n",
		r.Target, r.Creates, r.Accepted, r.Retried, r.creating.Round(time.Millisecond), r.CreatesPerSecond, r.Errors, r.Duplicates, r.Settled.Round(time.Second), r.Unsettled, settleWait)
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(w, "  %s\n", s)
	}
	for _, phase := range []struct {
		name string
		l    Latencies
	}{{"during the creates", r.DuringCreates}, {"calm", r.Calm}, {fmt.Sprintf("during a login flood (%d logins, %.1f a second, %d refused)", r.Logins, r.LoginsPerSecond, r.LoginsRefused), r.DuringFlood}} {
		fmt.Fprintf(w, "  reads %s:\n", phase.name)
		for _, route := range routes {
			l := phase.l[route]
			fmt.Fprintf(w, "    %-28s n=%-6d p50 %-8v p95 %-8v p99 %-8v errors %d\n", route, len(l.samples),
				l.Percentile(50).Round(10*time.Microsecond), l.Percentile(95).Round(10*time.Microsecond), l.Percentile(99).Round(10*time.Microsecond), l.errors)
			for _, f := range l.failed {
				fmt.Fprintf(w, "      %s\n", f)
			}
		}
	}
}

// ReadP99 is the worst p99 of the reads in l.
func (l Latencies) ReadP99() time.Duration {
	var worst time.Duration
	for _, route := range routes {
		worst = max(worst, l[route].Percentile(99))
	}
	return worst
}

// client is an authenticated API client; it does not retry.
type client struct {
	base, token string
	http        *http.Client
}

type answer struct {
	status int
	result map[string]any
	raw    string
}

func (a answer) id() string {
	id, _ := a.result["id"].(string)
	return id
}

func (a answer) String() string { return fmt.Sprintf("%d %.200s", a.status, a.raw) }

var transport = &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}

func login(ctx context.Context, base, login, pass string) (*client, error) {
	c := &client{base: base, http: &http.Client{Transport: transport, Timeout: time.Minute}}
	a, err := c.call(ctx, http.MethodPost, "/auth/session", apicall.JSON(map[string]string{"login": login, "password": pass}), "")
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK {
		return nil, fmt.Errorf("log in %s: %s", login, a)
	}
	c.token, _ = a.result["token"].(string)
	return c, nil
}

func (c *client) call(ctx context.Context, method, path, body, key string) (answer, error) {
	req, err := apicall.Request(ctx, method, c.base+path, body, key, c.token)
	if err != nil {
		return answer{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, raw: string(raw)}
	var envelope struct {
		Result map[string]any `json:"result"`
	}
	_ = json.Unmarshal(raw, &envelope)
	a.result = envelope.Result
	return a, nil
}

func (c *client) created(ctx context.Context, path string, body any, key string) (map[string]any, error) {
	a, err := c.call(ctx, http.MethodPost, path, apicall.JSON(body), key)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusCreated {
		return nil, fmt.Errorf("POST %s: %s", path, a)
	}
	return a.result, nil
}

// ids lists the IDs of a list's items across its pages.
func (c *client) ids(ctx context.Context, path string) ([]string, error) {
	return apicall.EveryPage(path, func(page string) ([]string, string, error) {
		a, err := c.call(ctx, http.MethodGet, page, "", "")
		if err != nil {
			return nil, "", err
		}
		var list struct {
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
			Meta struct {
				NextCursor string `json:"nextCursor"`
			} `json:"meta"`
		}
		if err := json.Unmarshal([]byte(a.raw), &list); err != nil || a.status != http.StatusOK {
			return nil, "", fmt.Errorf("GET %s: %s", page, a)
		}
		ids := make([]string, len(list.Results))
		for i, item := range list.Results {
			ids[i] = item.ID
		}
		return ids, list.Meta.NextCursor, nil
	})
}
