// Package chaos runs billgate's money flows on the production topology
// (internal/topology) while it kills, at random moments and in random
// order, each of its processes with SIGKILL: an API replica, each worker,
// the Temporal server and Postgres. Afterwards it proves, from the sandbox
// gateway's ledger, billgate's own records and the workflows themselves,
// that no invoice was charged twice, no payment was lost, no workflow is
// stuck, and no client request was lost (docs/operations.md).
package chaos

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/billgate/billgate/internal/config"
	"github.com/billgate/billgate/internal/topology"
)

// Options shape a run.
type Options struct {
	// Subscriptions and Purchases are how many of each the clients create,
	// spread evenly over the five kinds of payer.
	Subscriptions, Purchases int
	// Clients is how many API clients work at once.
	Clients int
	// Rounds is how many times each process is killed.
	Rounds int
	// Down is the longest a killed process stays down; Between, the
	// longest pause between two kills. Each is drawn from [Down/4, Down].
	Down, Between time.Duration
	// Seed makes the order of the kills and their moments repeatable.
	Seed uint64
	// Log receives the run's progress.
	Log io.Writer
}

// payer is how the payer of a subscription or purchase behaves, and so
// what its payment must end as.
type payer struct {
	name, token string
	// approves is whether the payer approves an async charge.
	approves bool
	// paid is whether the payment must end paid; else declined or expired.
	paid bool
}

var payers = []payer{
	{name: "ok", token: "sandbox_ok", paid: true},
	{name: "flaky", token: "sandbox_flaky", paid: true},
	{name: "decline", token: "sandbox_decline"},
	{name: "async-approved", token: "sandbox_async", approves: true, paid: true},
	{name: "async-abandoned", token: "sandbox_async"},
}

// order is one subscription or purchase a client makes.
type order struct {
	purchase bool
	payer    payer
	customer string
	clock    string
	key      string // its Idempotency-Key
	body     string
	first    answer // billgate's first answer to it
}

func (o *order) path() string {
	if o.purchase {
		return "/v1/purchases"
	}
	return "/v1/subscriptions"
}

// Run runs the chaos on stack, whose backends are b, and returns its
// report. An error means the run could not be made; a failed check is in
// the report.
func Run(ctx context.Context, b *topology.Backends, stack *topology.Stack, o Options) (*Report, error) {
	r := &Report{Seed: o.Seed, started: time.Now()}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))
	c := &client{base: stack.URL, http: newHTTPClient(), retries: &r.retries}
	shop, err := setUp(ctx, stack, c, o)
	if err != nil {
		return nil, fmt.Errorf("set up: %w", err)
	}
	orders := shop.orders(o, rng)

	killCtx, stopKilling := context.WithCancel(ctx)
	killed := make(chan error, 1)
	go func() { killed <- kill(killCtx, b, stack, o, rng, r) }()

	// The orders are spread over the time the kills take, so that every
	// kill lands among orders in flight.
	pause := o.killTime() * time.Duration(o.Clients) / time.Duration(max(1, len(orders)))
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	work := make(chan *order)
	for range o.Clients {
		wg.Go(func() {
			for ord := range work {
				if err := shop.place(ctx, ord); err != nil {
					failed.CompareAndSwap(nil, &err)
				}
				time.Sleep(pause)
			}
		})
	}
	for _, ord := range orders {
		work <- ord
	}
	close(work)
	wg.Wait()
	fmt.Fprintf(o.Log, "chaos: %d orders placed; waiting for the kills to end\n", len(orders))
	// Every process is killed its rounds, however fast the orders went.
	if err := <-killed; err != nil {
		stopKilling()
		return nil, err
	}
	stopKilling()
	if errp := failed.Load(); errp != nil {
		return nil, *errp
	}
	r.Orders = len(orders)
	fmt.Fprintln(o.Log, "chaos: checking")
	check(ctx, shop, orders, r)
	r.Took = time.Since(r.started)
	return r, nil
}

// killTime is about how long the kills take, restarts aside: each process
// Rounds times, an average pause and time down each.
func (o Options) killTime() time.Duration {
	processes := len(config.Queues) + 3 // the workers, an API replica, Temporal, Postgres
	return time.Duration(o.Rounds*processes) * (o.Between + o.Down) * 5 / 8
}

// kill kills every process of the topology Rounds times, in a random order
// each round, each down for a random while, with random pauses.
func kill(ctx context.Context, b *topology.Backends, stack *topology.Stack, o Options, rng *rand.Rand, r *Report) error {
	type target struct {
		name  string
		kill  func()
		start func(context.Context) error
	}
	process := func(p *topology.Process) target {
		return target{p.Name, p.Kill, func(ctx context.Context) error {
			if err := p.Start(); err != nil {
				return err
			}
			return stack.WaitReady(ctx, p)
		}}
	}
	between := func() time.Duration { return o.Between/4 + time.Duration(rng.Int64N(int64(o.Between*3/4)+1)) }
	for range o.Rounds {
		targets := []target{
			{"postgres", b.Postgres.Kill, b.Postgres.Start},
			{"temporal", b.Temporal.Kill, b.Temporal.Start},
			// One API replica at a time: the other serves, as in production.
			process(stack.APIs[rng.IntN(len(stack.APIs))]),
		}
		for _, queue := range config.Queues {
			targets = append(targets, process(stack.Workers[queue]))
		}
		rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
		for _, t := range targets {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(between()):
			}
			down := o.Down/4 + time.Duration(rng.Int64N(int64(o.Down*3/4)+1))
			at := time.Now()
			t.kill()
			fmt.Fprintf(o.Log, "chaos: killed %s (-9), down %v\n", t.name, down.Round(time.Millisecond))
			time.Sleep(down)
			if err := t.start(context.WithoutCancel(ctx)); err != nil {
				return fmt.Errorf("restart %s: %w", t.name, err)
			}
			r.addKill(Kill{Process: t.name, At: at.Sub(r.started), Down: time.Since(at)})
		}
	}
	return nil
}
