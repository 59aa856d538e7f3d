package api

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// The API reaches the workflows through their contract only: it compiles
// neither workflow code nor the activities behind it, so a change to them
// never needs an API build, and the API cannot call a gateway to move money.
func TestTheAPICompilesOnlyTheWorkflowContract(t *testing.T) {
	const module = "github.com/billgate/billgate/"
	forbidden := []string{module + "workflows", module + "activities", module + "worker"}
	seen := map[string]bool{}
	var walk func(path, from string)
	walk = func(path, from string) {
		if seen[path] || !strings.HasPrefix(path, module) {
			return
		}
		seen[path] = true
		if slices.Contains(forbidden, path) {
			t.Errorf("the API compiles %s (imported by %s)", path, from)
			return
		}
		pkg, err := build.Import(path, ".", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			walk(imp, path)
		}
	}
	walk(module+"api", "")
	if !seen[module+"workflows/contract"] {
		t.Error("the API does not import the workflow contract; this test walks the wrong package")
	}
}
