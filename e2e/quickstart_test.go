package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/internal/config"
)

// The README's quickstart, run as a reader runs it: `billgate dev` on its
// own, its admin's password and API address read from what it prints, the
// README's steps pasted into bash with -euo pipefail, and what they print
// compared with the README's comments. A change that breaks a step, or
// changes what it prints, fails here rather than in a newcomer's terminal.
func TestQuickstart(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (%v): run make deps", tool, err)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	setup, steps := quickstartBlocks(t, string(readme))
	checkQuickstartSetup(t, setup)

	// As make dev runs it, but on free ports; no master keys or admin
	// password from the environment, so dev makes its own and prints it.
	p := startWith(t, []string{"BILLGATE_MASTER_KEYS=", "BILLGATE_ADMIN_PASSWORD="}, "dev",
		"--http", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"--temporal-port", fmt.Sprint(freePort(t)), "--ui-port", fmt.Sprint(freePort(t)))
	printed := p.linesUntil(t, "Press Ctrl-C")
	password := submatch(t, printed, `^Created admin "admin" with password (\S+) `)
	base := submatch(t, printed, `^\s+API\s+(http://\S+)$`)

	stdout := runQuickstart(t, steps, "BILLGATE="+base, "ADMIN_PASSWORD="+password)
	if got, want := lines(stdout), expectedOutput(steps); !slices.Equal(got, want) {
		t.Errorf("the quickstart printed\n%s\nwant, as its comments say,\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	c := apitest.Client(t)
	admin := basic("admin", password)
	subs := callAt(t, c, base, "GET", "/v1/subscriptions", "", admin...).Results
	if len(subs) != 1 || subs[0]["status"] != "active" || subs[0]["currentPeriodStart"] != "2030-02-01T00:00:00Z" {
		t.Fatalf("subscriptions after the quickstart = %v, want one, active in its second period", subs)
	}
	sub := subs[0]["id"].(string)
	if paid := callAt(t, c, base, "GET", "/v1/invoices?status=paid&subscriptionId="+sub, "", admin...).Results; len(paid) != 2 {
		t.Errorf("%d paid invoices, want 2: %v", len(paid), paid)
	}
	if renewed := callAt(t, c, base, "GET", "/v1/events?type=subscription.renewed&objectId="+sub, "", admin...).Results; len(renewed) != 1 {
		t.Errorf("%d subscription.renewed events, want 1", len(renewed))
	}
	if charges := callAt(t, c, base, "GET", "/v1/sandbox/ledger", "", admin...).Results; len(charges) != 2 {
		t.Errorf("%d sandbox charges, want 2", len(charges))
	}
	p.stop(t, os.Interrupt)
}

// quickstartBlocks returns the two sh blocks of the README's Quickstart
// section: the variables the reader sets, then the steps.
func quickstartBlocks(t *testing.T, readme string) (setup, steps string) {
	t.Helper()
	_, section, found := strings.Cut(readme, "\n## Quickstart\n")
	if !found {
		t.Fatal("README.md has no ## Quickstart section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := regexp.MustCompile("(?ms)^```sh\n(.*?)^```$").FindAllStringSubmatch(section, -1)
	if len(blocks) != 2 {
		t.Fatalf("the Quickstart has %d sh blocks, want 2: the variables to set, then the steps", len(blocks))
	}
	return blocks[0][1], blocks[1][1]
}

// checkQuickstartSetup checks the variables the reader sets are the ones
// the test sets in their place, and that BILLGATE is where make dev listens.
func checkQuickstartSetup(t *testing.T, setup string) {
	t.Helper()
	cfg, err := config.Parse([]string{"dev"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range lines(setup) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, value, _ := strings.Cut(line, "=")
		names = append(names, name)
		if name == "BILLGATE" && value != "http://"+cfg.HTTP {
			t.Errorf("the Quickstart sets BILLGATE=%s, but make dev listens on %s", value, cfg.HTTP)
		}
	}
	if want := []string{"BILLGATE", "ADMIN_PASSWORD"}; !slices.Equal(names, want) {
		t.Errorf("the Quickstart has the reader set %v, want %v", names, want)
	}
}

// runQuickstart runs the steps in bash with only PATH and env in its
// environment (no proxy, no ~/.curlrc), and returns what they printed.
func runQuickstart(t *testing.T, steps string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-x", "-euo", "pipefail", "-c", steps)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Its own process group, so a timeout ends the curl or sleep it waits
	// on as well as bash.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		trace := lines(stderr.String())
		trace = trace[max(0, len(trace)-40):] // a wait that never ends repeats itself
		t.Fatalf("the quickstart failed after %v (%v; ctx %v); its trace ends with the failing command:\n%s\nstdout:\n%s",
			time.Since(start).Round(time.Millisecond), err, ctx.Err(), strings.Join(trace, "\n"), stdout.String())
	}
	t.Logf("the quickstart ran in %v", time.Since(start).Round(time.Millisecond))
	return stdout.String()
}

// expectedOutput is what the README says the steps print: every comment
// line but the steps' headings ("# 1. …").
func expectedOutput(steps string) []string {
	heading := regexp.MustCompile(`^# \d+\. `)
	var want []string
	for _, line := range lines(steps) {
		if out, ok := strings.CutPrefix(line, "# "); ok && !heading.MatchString(line) {
			want = append(want, out)
		}
	}
	return want
}

// lines are s's lines, without blank ones.
func lines(s string) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

// submatch is the first group of pattern in the first line it matches.
func submatch(t *testing.T, lines []string, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for _, line := range lines {
		if m := re.FindStringSubmatch(line); m != nil {
			return m[1]
		}
	}
	t.Fatalf("billgate dev printed no line matching %s:\n%s", pattern, strings.Join(lines, "\n"))
	return ""
}

// linesUntil reads stdout up to the first line that contains want, and
// returns the lines read; a billgate that has not printed it within two
// minutes is killed.
func (p *process) linesUntil(t *testing.T, want string) []string {
	t.Helper()
	hung := time.AfterFunc(2*time.Minute, func() { _ = p.cmd.Process.Kill() })
	defer hung.Stop()
	var read []string
	for p.stdout.Scan() {
		read = append(read, p.stdout.Text())
		if strings.Contains(p.stdout.Text(), want) {
			go func() { // keep draining so the process never blocks on a full pipe
				for p.stdout.Scan() {
				}
			}()
			return read
		}
	}
	err := <-p.done
	p.done <- err
	t.Fatalf("billgate exited before printing %q (%v); stdout:\n%s\nstderr:\n%s", want, err, strings.Join(read, "\n"), p.stderr.String())
	return nil
}
