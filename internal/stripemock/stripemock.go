// Package stripemock runs stripe-mock (github.com/stripe/stripe-mock), Stripe's
// API emulator, for tests that check the wire format of Stripe requests:
// paths, form parameters and their types, the API key's shape. It is
// stateless: it answers every valid request with a fixture.
package stripemock

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// EnvBinary names the environment variable that may point at the binary.
const EnvBinary = "STRIPE_MOCK"

// startTimeout bounds how long stripe-mock may take to say where it listens.
const startTimeout = 30 * time.Second

// listening is the line stripe-mock prints once its HTTP server is up, e.g.
// "Listening for HTTP at address: [::]:41235".
var listening = regexp.MustCompile(`Listening for HTTP at address: .*:(\d+)\s*$`)

// Start runs stripe-mock on a free port for the rest of the test and returns
// its base URL, e.g. "http://127.0.0.1:41235". A missing binary fails the
// test: wire tests are never skipped. See Launch for where the binary is.
func Start(t testing.TB) string {
	t.Helper()
	p, err := Launch()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p.URL
}

// Process is a running stripe-mock.
type Process struct {
	// URL is its base URL.
	URL string
	cmd *exec.Cmd
}

// Launch runs stripe-mock on a free port, for a TestMain that shares one
// among a package's tests; Stop ends it. The binary is $STRIPE_MOCK, else
// bin/tools/stripe-mock under the module root (which make test installs),
// else stripe-mock on the PATH.
func Launch() (*Process, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-http-port", "0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("stripe-mock: %w", err)
	}
	cmd.Stderr = cmd.Stdout // it logs its address on one or the other
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &Process{cmd: cmd}
	port := make(chan string, 1)
	go scan(out, port)
	select {
	case n, ok := <-port:
		if ok {
			p.URL = "http://127.0.0.1:" + n
			return p, nil
		}
		err = fmt.Errorf("%s exited before it listened", bin)
	case <-time.After(startTimeout):
		err = fmt.Errorf("%s did not say where it listens within %s", bin, startTimeout)
	}
	p.Stop()
	return nil, err
}

// Stop ends the process.
func (p *Process) Stop() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// scan reports the port stripe-mock listens on, then keeps reading its log
// (one line a request) so that it never blocks on a full pipe. It closes port
// if the output ends before the port is known.
func scan(out io.Reader, port chan<- string) {
	s := bufio.NewScanner(out)
	found := false
	for s.Scan() {
		if m := listening.FindStringSubmatch(s.Text()); m != nil && !found {
			found = true
			port <- m[1]
		}
	}
	if !found {
		close(port)
	}
}

func binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s=%s: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	root, rootErr := moduleRoot()
	if rootErr == nil {
		p := filepath.Join(root, "bin", "tools", "stripe-mock")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	install := "make $(pwd)/bin/tools/stripe-mock"
	if rootErr == nil {
		install = "make -C " + root + " " + filepath.Join(root, "bin", "tools", "stripe-mock")
	}
	return "", errors.New("stripe-mock not found ($" + EnvBinary + ", bin/tools/stripe-mock, PATH); install it with: " + install)
}

// moduleRoot is the nearest directory above the working directory (a test's
// package directory) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Main runs a package's tests with one stripe-mock for them all, whose base
// URL it stores in *url first; use it as the package's TestMain.
func Main(m *testing.M, url *string) {
	p, err := Launch()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*url = p.URL
	code := m.Run()
	p.Stop()
	os.Exit(code)
}
