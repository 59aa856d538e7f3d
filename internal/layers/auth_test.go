package layers

import (
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// authPersister is the one file of auth (and its packages) that may import
// models: it maps the store's rows to auth's own types.
const authPersister = "persister.go"

// TestAuthReadsRowsOnlyInItsPersister parses the imports of every non-test
// file of auth and the packages below it: a file that imports models,
// other than the persister, fails naming the file.
func TestAuthReadsRowsOnlyInItsPersister(t *testing.T) {
	pkg, err := build.Import(module+"auth", ".", build.FindOnly)
	if err != nil {
		t.Fatal(err)
	}
	persisterImports := false
	fset := token.NewFileSet()
	err = filepath.WalkDir(pkg.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && d.Name() == "testdata" {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(pkg.Dir), path)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != module+"models" && !strings.HasPrefix(p, module+"models/") {
				continue
			}
			if path == filepath.Join(pkg.Dir, authPersister) {
				persisterImports = true
				continue
			}
			t.Errorf("%s imports %s: auth works with its own types, and only auth/%s maps the store's rows to them",
				filepath.ToSlash(rel), p, authPersister)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !persisterImports {
		t.Errorf("auth/%s does not import models: the rule above walks the wrong files", authPersister)
	}
}
