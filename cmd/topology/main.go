// Command topology runs billgate's production topology on this machine,
// each part its own process (internal/topology): make topology.
//
//	topology [-dir DIR] [-http ADDR]
//	topology chaos [-subscriptions N] [-purchases N] [-clients N] [-rounds N] [-down D] [-between D] [-seed N]
//	topology load [-on both|dev|topology] [-subscriptions N] [-clients N] [-flood N]
//
// It builds the programs, starts Postgres, Temporal on it, billgate's
// migrations, two API replicas behind a round-robin proxy on -http and a
// worker per task queue. Alone, it creates an admin, prints where
// everything is, and runs until Ctrl-C. chaos runs orders through it while
// killing its processes, checks that nothing was lost, prints the report
// and exits 1 when a check failed (internal/chaos). load measures billgate
// under load on the topology and on `billgate dev`, the embedded default
// (internal/load). docs/operations.md has both.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/billgate/billgate/internal/chaos"
	"github.com/billgate/billgate/internal/load"
	"github.com/billgate/billgate/internal/topology"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "topology:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	command := "serve"
	if len(args) > 0 && (args[0] == "chaos" || args[0] == "load") {
		command, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("topology "+command, flag.ContinueOnError)
	dir := fs.String("dir", filepath.Join(os.TempDir(), "billgate-topology"), "data and logs (emptied first)")
	listen := fs.String("http", "127.0.0.1:8080", "the proxy's address: billgate's")
	var co chaos.Options
	var lo load.Options
	on := "both"
	switch command {
	case "chaos":
		*listen = "127.0.0.1:0"
		fs.IntVar(&co.Subscriptions, "subscriptions", 200, "subscriptions to create")
		fs.IntVar(&co.Purchases, "purchases", 100, "purchases to create")
		fs.IntVar(&co.Clients, "clients", 16, "API clients at work at once")
		fs.IntVar(&co.Rounds, "rounds", 2, "times each process is killed")
		fs.DurationVar(&co.Down, "down", 6*time.Second, "longest a killed process stays down")
		fs.DurationVar(&co.Between, "between", 8*time.Second, "longest pause between two kills")
		fs.Uint64Var(&co.Seed, "seed", uint64(time.Now().UnixNano()), "seed of the kills' order and moments, to repeat a run")
	case "load":
		*listen = "127.0.0.1:0"
		fs.StringVar(&on, "on", on, "what to load: dev (the embedded default), topology, or both")
		fs.IntVar(&lo.Subscriptions, "subscriptions", 1000, "subscriptions to create")
		fs.IntVar(&lo.Clients, "clients", 64, "clients creating at once")
		fs.IntVar(&lo.RetryEvery, "retry-every", 10, "send every n-th create again with its key")
		fs.IntVar(&lo.Readers, "readers", 4, "readers measuring latency")
		fs.IntVar(&lo.Flood, "flood", 16, "clients logging in at once in the flood (under the per-IP burst of 20, each login is checked)")
		fs.DurationVar(&lo.Settle, "settle", 10*time.Second, "length of the calm and of the flood")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(*dir); err != nil {
		return err
	}
	opts := topology.Options{Root: root, Bin: filepath.Join(root, "bin", "topology"), Dir: *dir}
	fmt.Fprintln(stdout, "building billgate, temporal-server and temporal-sql-tool…")
	if err := topology.Build(ctx, opts.Root, opts.Bin); err != nil {
		return err
	}
	lo.Log, co.Log = stdout, stdout
	var reports []*load.Report
	if command == "load" && on != "topology" {
		admin := randomPassword()
		dev, url, err := topology.StartDev(ctx, opts, admin)
		if err != nil {
			return err
		}
		lo.URL, lo.AdminLogin, lo.AdminPassword = url, "admin", admin
		report, err := load.Run(ctx, lo)
		dev.Stop(10 * time.Second)
		if err != nil {
			return err
		}
		report.Target = "billgate dev (embedded Temporal, SQLite)"
		reports = append(reports, report)
		if on == "dev" {
			return verdict(stdout, reports)
		}
	}
	backends, err := topology.StartBackends(ctx, opts)
	if err != nil {
		return err
	}
	defer backends.Stop()
	stack, err := backends.StartStack(ctx, topology.StackOptions{Name: "billgate", Listen: *listen})
	if err != nil {
		return err
	}
	defer stack.Stop()
	admin := randomPassword()
	if err := stack.ImportClients(ctx, fmt.Sprintf(`{"login":"admin","role":"admin","password":%q}`, admin)); err != nil {
		return err
	}
	switch command {
	case "chaos":
		fmt.Fprintf(stdout, "chaos: seed %d; logs in %s\n", co.Seed, *dir)
		report, err := chaos.Run(ctx, backends, stack, co)
		if err != nil {
			return err
		}
		report.Print(stdout)
		if report.Failed() {
			return fmt.Errorf("chaos found what it must not (logs in %s)", *dir)
		}
		return nil
	case "load":
		lo.URL, lo.AdminLogin, lo.AdminPassword = stack.URL, "admin", admin
		report, err := load.Run(ctx, lo)
		if err != nil {
			return err
		}
		report.Target = "the topology (2 API replicas, a worker per queue, Temporal and Postgres)"
		return verdict(stdout, append(reports, report))
	}
	fmt.Fprintf(stdout, "billgate's production topology is running\n  API (proxy)  %s  (admin / %s)\n  replicas     %s\n  workers      %s\n  Temporal     %s (namespace %s)\n  Postgres     %s\n  logs         %s\nPress Ctrl-C to stop.\n",
		stack.URL, admin, names(stack.APIs), names(stack.Processes()[len(stack.APIs):]), backends.Temporal.Addr, stack.Namespace, stack.DB, *dir)
	<-ctx.Done()
	return nil
}

// readTarget is the p99 authenticated reads must keep under load.
const readTarget = 50 * time.Millisecond

// verdict prints the load reports and fails on an error, a duplicate or a
// subscription never active.
func verdict(w io.Writer, reports []*load.Report) error {
	failed := false
	for _, r := range reports {
		r.Print(w)
		p99 := r.DuringCreates.ReadP99()
		fmt.Fprintf(w, "  read p99 during the creates %v: %s the %v target\n", p99.Round(10*time.Microsecond), map[bool]string{true: "within", false: "OVER"}[p99 < readTarget], readTarget)
		calm, flood := r.Calm.ReadP99(), r.DuringFlood.ReadP99()
		fmt.Fprintf(w, "  read p99 calm %v, during the login flood %v (%.1fx)\n", calm.Round(10*time.Microsecond), flood.Round(10*time.Microsecond), float64(flood)/float64(max(calm, 1)))
		failed = failed || r.Errors > 0 || r.Duplicates > 0 || r.Unsettled > 0
	}
	if failed {
		return fmt.Errorf("load: errors or duplicates")
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func names(ps []*topology.Process) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.Name
	}
	return s
}
