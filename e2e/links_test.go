package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The Temporal server is the costliest code to build, and a test binary
// that links it costs a link of its own, and a build of it all again under
// the race detector. So e2e is the one test binary that links it, and the
// Makefile's SERVER_PKGS, which make test runs without the race detector,
// names exactly the packages that link it (docs/testing.md).
func TestServerLinks(t *testing.T) {
	t.Parallel()
	list := exec.Command("go", "list", "-test", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	list.Dir = ".."
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/billgate/billgate/"
	var testBinaries, linking []string
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if !slices.ContainsFunc(fields[1:], func(dep string) bool { return strings.HasPrefix(dep, "go.temporal.io/server/") }) {
			continue
		}
		pkg, isTestBinary := strings.CutSuffix(strings.TrimPrefix(fields[0], module), ".test")
		if isTestBinary {
			testBinaries = append(testBinaries, pkg)
		}
		if !slices.Contains(linking, pkg) {
			linking = append(linking, pkg)
		}
	}
	if !slices.Equal(testBinaries, []string{"e2e"}) {
		t.Errorf("the test binaries that link the Temporal server are %v, want e2e alone: tests of code that links it belong in e2e", testBinaries)
	}
	slices.Sort(linking)
	listed := serverPackages(t)
	slices.Sort(listed)
	if !slices.Equal(linking, listed) {
		t.Errorf("the packages that link the Temporal server are %v, the Makefile's SERVER_PKGS %v: make them agree, or make test builds the server under the race detector too (or leaves a package without it)", linking, listed)
	}
}

// serverPackages reads SERVER_PKGS from the Makefile.
func serverPackages(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "SERVER_PKGS"); ok {
			if pkgs, ok := strings.CutPrefix(strings.TrimSpace(rest), ":="); ok {
				return strings.Fields(pkgs)
			}
		}
	}
	t.Fatal("the Makefile sets no SERVER_PKGS")
	return nil
}
