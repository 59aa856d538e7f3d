package payloadcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDocsPayloadTemplates keeps docs/payload-templates.md true. Its fenced
// blocks are read by their info string: "json template <action>" is a
// template, "json substitutions" the variables' values, "json compiled" the
// compiled form of the actions it names, "text compile-errors" what Compile
// reports, "json observed max-values=<n>" bodies one per line and
// "json proposed" the proposal for them. A table row "| `body` | `query` |
// accepted… / refused: `field`… / refused: the body |" is an example for the
// action of the template block before it; "(empty)" is an empty body.
func TestDocsPayloadTemplates(t *testing.T) {
	md, err := os.ReadFile("../../docs/payload-templates.md")
	if err != nil {
		t.Fatalf("ReadFile = %v", err)
	}
	block := regexp.MustCompile("(?s)```(json|text) ?([^\n]*)\n(.*?)```")
	row := regexp.MustCompile("(?m)^\\| (`(.*)`|\\(empty\\)) \\| (`(.*)`)? ?\\| (accepted|refused: (`([^`]*)`|the body))[^|]*\\|$")

	templates := map[string][]Template{}
	static := Static{}
	var compiledBlock, errorsBlock, observed, proposed string
	maxValues := -1
	type example struct{ action, body, query, verdict, field string }
	var examples []example
	last := 0
	var action string
	takeRows := func(upTo int) {
		for _, m := range row.FindAllStringSubmatch(string(md[last:upTo]), -1) {
			if action == "" {
				t.Fatalf("docs: example %q comes before any template", m[0])
			}
			examples = append(examples, example{action, m[2], m[4], m[5], m[7]})
		}
		last = upTo
	}
	for _, loc := range block.FindAllSubmatchIndex(md, -1) {
		takeRows(loc[0])
		last = loc[1]
		info, body := string(md[loc[4]:loc[5]]), md[loc[6]:loc[7]]
		switch kind, arg, _ := strings.Cut(info, " "); kind {
		case "template":
			if err := Validate(body); err != nil {
				t.Errorf("docs: Validate(%s) = %v", body, err)
			}
			action = arg
			templates[action] = append(templates[action], Template(body))
		case "substitutions":
			if err := json.Unmarshal(body, &static); err != nil {
				t.Fatalf("docs: substitutions: %v", err)
			}
			if err := static.Validate(); err != nil {
				t.Errorf("docs: substitutions: Validate() = %v", err)
			}
		case "compiled":
			compiledBlock = string(body)
		case "compile-errors":
			errorsBlock = strings.TrimSpace(string(body))
		case "observed":
			observed = string(body)
			if maxValues, err = strconv.Atoi(strings.TrimPrefix(arg, "max-values=")); err != nil {
				t.Fatalf("docs: observed %q: %v", arg, err)
			}
		case "proposed":
			proposed = string(body)
		}
	}
	takeRows(len(md))

	s, err := Compile(context.Background(), templates, static)
	if got := errString(err); got != errorsBlock {
		t.Errorf("docs: Compile error = %q, want %q as written", got, errorsBlock)
	}
	if len(examples) < 30 {
		t.Fatalf("docs: %d examples found, want them all (is the table format intact?)", len(examples))
	}
	for _, ex := range examples {
		q, err := url.ParseQuery(ex.query)
		if err != nil {
			t.Fatalf("docs: ParseQuery(%q) = %v", ex.query, err)
		}
		got := s.Check(ex.action, []byte(ex.body), q)
		switch fe, _ := got.(*FieldError); {
		case ex.verdict == "accepted" && got != nil:
			t.Errorf("docs: %s Check(%s, %q) = %v, want accepted", ex.action, ex.body, ex.query, got)
		case ex.verdict != "accepted" && (fe == nil || fe.Field != ex.field):
			t.Errorf("docs: %s Check(%s, %q) = %v, want refused at %q", ex.action, ex.body, ex.query, got, ex.field)
		}
	}

	var want map[string]json.RawMessage
	if err := json.Unmarshal([]byte(compiledBlock), &want); err != nil {
		t.Fatalf("docs: compiled: %v", err)
	}
	part := &Set{actions: map[string]*rules{}}
	for a := range want {
		part.actions[a] = s.actions[a]
	}
	if got := compiled(t, part); got != compact(t, compiledBlock) {
		t.Errorf("docs: compiled form = %s, want %s as written", got, compact(t, compiledBlock))
	}

	o := NewObserver(maxValues)
	for line := range strings.Lines(observed) {
		o.Observe("x", []byte(line))
	}
	if got := string(o.Proposals()["x"]); got != compact(t, proposed) {
		t.Errorf("docs: proposal = %s, want %s as written", got, compact(t, proposed))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("json.Compact(%s) = %v", s, err)
	}
	return b.String()
}
