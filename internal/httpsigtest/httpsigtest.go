// Package httpsigtest checks requests billgate signed with the ESPF
// Signature scheme as a receiver would: with npm http-signature, Joyent's
// reference implementation of draft-cavage-http-signatures, run by
// outbound/testdata/httpsig/verify.js (`make deps` installs it).
package httpsigtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Verify is what the reference implementation says of one request: "ok",
// or "fail: <why>".
type Verify func(t testing.TB, method, path string, h http.Header, secret string) string

// Verifier is a Verify. Without node or the installed module the test
// fails: the reference implementation's verdict is the point.
func Verifier(t testing.TB) Verify {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "..", "outbound", "testdata", "httpsig")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed (%v): run make deps", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "http-signature", "package.json")); err != nil {
		t.Fatalf("npm http-signature is not installed in %s (%v): run make deps", dir, err)
	}
	return func(t testing.TB, method, path string, h http.Header, secret string) string {
		t.Helper()
		input, err := json.Marshal(map[string]any{"method": method, "path": path, "headers": h, "secret": secret})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(node, "verify.js")
		cmd.Dir = dir
		cmd.Stdin = bytes.NewReader(input)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node verify.js: %v\n%s", err, stderr.Bytes())
		}
		return strings.TrimSpace(string(out))
	}
}
