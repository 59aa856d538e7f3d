package stripemock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// EnvSpec names the environment variable that may point at stripe-mock's
// OpenAPI specification (spec3.json).
const EnvSpec = "STRIPE_MOCK_SPEC"

// Spec is the OpenAPI specification stripe-mock serves, Stripe's own, made
// strict: an object with declared properties accepts no others, so that a
// misspelled or invented field fails validation too.
type Spec struct {
	doc *openapi3.T
}

var (
	specOnce sync.Once
	spec     *Spec
	specErr  error
)

// LoadSpec loads the specification once per test binary: $STRIPE_MOCK_SPEC,
// else the spec3.json of the stripe-mock version the Makefile installs, from
// the Go module cache, where installing it put it.
func LoadSpec(t testing.TB) *Spec {
	t.Helper()
	specOnce.Do(func() { spec, specErr = loadSpec() })
	if specErr != nil {
		t.Fatal(specErr)
	}
	return spec
}

func loadSpec() (*Spec, error) {
	path, err := specPath()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("stripe-mock's OpenAPI specification: %w", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	strict := false
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			s.AdditionalProperties.Has = &strict
		}
		for _, p := range s.Properties {
			walk(p.Value)
		}
		for _, refs := range [][]*openapi3.SchemaRef{s.AnyOf, s.OneOf, s.AllOf} {
			for _, r := range refs {
				walk(r.Value)
			}
		}
		if s.Items != nil {
			walk(s.Items.Value)
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s.Value)
	}
	return &Spec{doc: doc}, nil
}

// Validate checks a JSON document against a schema of the specification's
// components, e.g. "payment_intent".
func (s *Spec) Validate(schema string, body []byte) error {
	ref, ok := s.doc.Components.Schemas[schema]
	if !ok {
		return fmt.Errorf("the specification has no schema %q", schema)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := ref.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("%s: %s", schema, summarize(err))
	}
	return nil
}

// summarize is a validation error without the schemas and values
// kin-openapi prints after each reason.
func summarize(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		reasons := make([]string, 0, len(me))
		for _, e := range me {
			reasons = append(reasons, summarize(e))
		}
		return strings.Join(reasons, "; ")
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return strings.Join(se.JSONPointer(), ".") + ": " + se.Reason
	}
	return err.Error()
}

var makefileVersion = regexp.MustCompile(`github\.com/stripe/stripe-mock@(v[0-9][0-9A-Za-z.+-]*)`)

func specPath() (string, error) {
	if p := os.Getenv(EnvSpec); p != "" {
		return p, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		return "", fmt.Errorf("read the Makefile for stripe-mock's version: %w", err)
	}
	m := makefileVersion.FindSubmatch(mk)
	if m == nil {
		return "", errors.New("the Makefile names no github.com/stripe/stripe-mock@version")
	}
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %w", err)
	}
	p := filepath.Join(strings.TrimSpace(string(cache)), "github.com", "stripe", "stripe-mock@"+string(m[1]), "embedded", "openapi", "spec3.json")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("stripe-mock %s's specification is not in the module cache (%w); fetch it with: go mod download github.com/stripe/stripe-mock@%s, or set $%s",
			m[1], err, m[1], EnvSpec)
	}
	return p, nil
}
