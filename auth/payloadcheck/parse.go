package payloadcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// grammar is what a parse accepts beyond what every template value may be.
type grammar struct {
	what       string // "template" or "value", for messages
	markup     bool   // the wildcard may be a field's value
	variables  bool   // "<%= name %>" may be a field's value
	emptyLists bool   // [] is allowed: it allows nothing
	maxNodes   int    // 0: no limit
}

var (
	// storedTemplate is what Validate accepts.
	storedTemplate = grammar{what: "template", markup: true, variables: true, maxNodes: MaxNodes}
	// compiledTemplate is what Compile produces: no variable is left, a
	// variable that failed is an empty list, and resolved lists may be long.
	compiledTemplate = grammar{what: "template", markup: true, emptyLists: true}
	// resolvedValue is what a variable may resolve to. Its strings are
	// data: markup in them is refused, never read as the wildcard.
	resolvedValue = grammar{what: "value", emptyLists: true, maxNodes: MaxResolvedValues}
	// staticValue is what Static.Validate accepts besides the wildcard.
	staticValue = grammar{what: "value", maxNodes: MaxResolvedValues}
)

// where is a value's place: its JSON path, its level (the template is level
// 1) and what it is inside of.
type where struct {
	field   string
	depth   int
	inQuery bool // under "$query": strings only
	inList  bool // a list element: no lists, no markup
}

type parser struct {
	dec   *json.Decoder
	g     grammar
	nodes int
}

func newParser(raw []byte, g grammar) *parser {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return &parser{dec: dec, g: g}
}

// parseTemplate parses a whole template. In the compiled grammar the
// template may be [] instead of an object: it allows nothing.
func parseTemplate(raw []byte, g grammar) (*node, *FieldError) {
	p := newParser(raw, g)
	tok, err := p.dec.Token()
	if err != nil {
		return nil, &FieldError{"", "must be valid JSON"}
	}
	var n *node
	switch {
	case tok == json.Delim('{'):
		p.nodes++
		var fe *FieldError
		if n, fe = p.object(where{depth: 1}, true); fe != nil {
			return nil, fe
		}
	case tok == json.Delim('[') && g.emptyLists && !p.dec.More():
		if _, err := p.dec.Token(); err != nil { // "]"
			return nil, &FieldError{"", "must be valid JSON"}
		}
		n = nothingNode
	default:
		return nil, &FieldError{"", "must be a JSON object"}
	}
	if fe := p.end(""); fe != nil {
		return nil, fe
	}
	return n, nil
}

// parseValue parses a value that stands at w, such as what a variable
// resolved to.
func parseValue(raw []byte, g grammar, w where) (*node, *FieldError) {
	p := newParser(raw, g)
	n, fe := p.value(w)
	if fe != nil {
		return nil, fe
	}
	if fe := p.end(w.field); fe != nil {
		return nil, fe
	}
	return n, nil
}

func (p *parser) end(field string) *FieldError {
	if _, err := p.dec.Token(); err != io.EOF {
		return &FieldError{field, "must be a single JSON value"}
	}
	return nil
}

// enter counts the value at w against the limits.
func (p *parser) enter(w where) *FieldError {
	p.nodes++
	if p.g.maxNodes > 0 && p.nodes > p.g.maxNodes {
		return &FieldError{w.field, fmt.Sprintf("the %s must have at most %d values", p.g.what, p.g.maxNodes)}
	}
	if w.depth > MaxDepth {
		return &FieldError{w.field, fmt.Sprintf("must not be nested more than %d levels deep", MaxDepth)}
	}
	return nil
}

func (p *parser) value(w where) (*node, *FieldError) {
	if fe := p.enter(w); fe != nil {
		return nil, fe
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, &FieldError{w.field, "must be valid JSON"}
	}
	switch t := tok.(type) {
	case json.Delim:
		switch {
		case t == '{' && w.inQuery:
			return nil, &FieldError{w.field, "must be a string: query parameters are strings"}
		case t == '{':
			return p.object(w, false)
		case t == '[' && w.inList:
			return nil, &FieldError{w.field, "must not be a list: lists do not nest"}
		case t == '[':
			return p.list(w)
		}
	case string:
		return p.str(t, w)
	case json.Number:
		if w.inQuery {
			return nil, &FieldError{w.field, "must be a string: query parameters are strings"}
		}
		if len(t) > MaxStringLen {
			return nil, &FieldError{w.field, fmt.Sprintf("must be at most %d bytes", MaxStringLen)}
		}
		c, ok := canonicalNumber(string(t))
		if !ok {
			return nil, &FieldError{w.field, "is out of range"}
		}
		return &node{kind: kindFixed, value: scalar{typ: typeNumber, text: c}}, nil
	case bool, nil:
		if w.inQuery {
			return nil, &FieldError{w.field, "must be a string: query parameters are strings"}
		}
		s, _ := scalarOf(t)
		return &node{kind: kindFixed, value: s}, nil
	}
	return nil, &FieldError{w.field, "must be valid JSON"} // unreachable: Token checks the syntax
}

// object parses the fields of an object whose "{" was read. Only the
// template itself (top) may have "$query".
func (p *parser) object(w where, top bool) (*node, *FieldError) {
	n := &node{kind: kindObject, fields: map[string]*node{}}
	if !w.inQuery {
		n.folded = map[string]*node{}
	}
	for p.dec.More() {
		tok, err := p.dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return nil, &FieldError{w.field, "must be valid JSON"}
		}
		field := joinKey(w.field, key)
		if msg := keyProblem(key); msg != "" {
			return nil, &FieldError{field, msg}
		}
		if top && key == queryKey {
			if n.query != nil {
				return nil, &FieldError{field, "the key appears twice in its object"}
			}
			q, fe := p.queryObject(where{field: field, depth: w.depth + 1, inQuery: true})
			if fe != nil {
				return nil, fe
			}
			n.query = q
			continue
		}
		if n.field(key) != nil {
			return nil, &FieldError{field, "the key appears twice in its object"}
		}
		v, fe := p.value(where{field: field, depth: w.depth + 1, inQuery: w.inQuery})
		if fe != nil {
			return nil, fe
		}
		n.fields[key] = v
		if n.folded != nil {
			n.folded[FoldKey(key)] = v
		}
	}
	if _, err := p.dec.Token(); err != nil { // "}"
		return nil, &FieldError{w.field, "must be valid JSON"}
	}
	return n, nil
}

func (p *parser) queryObject(w where) (*node, *FieldError) {
	if fe := p.enter(w); fe != nil {
		return nil, fe
	}
	if tok, err := p.dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, &FieldError{w.field, "must be an object of query parameters"}
	}
	return p.object(w, false)
}

// list parses the elements of a list whose "[" was read.
func (p *parser) list(w where) (*node, *FieldError) {
	n := &node{kind: kindList, values: map[scalar]struct{}{}}
	i := 0
	for ; p.dec.More(); i++ {
		el, fe := p.value(where{field: joinIndex(w.field, i), depth: w.depth + 1, inQuery: w.inQuery, inList: true})
		if fe != nil {
			return nil, fe
		}
		if el.kind == kindObject {
			n.objects = append(n.objects, el)
		} else {
			n.values[el.value] = struct{}{}
		}
	}
	if _, err := p.dec.Token(); err != nil { // "]"
		return nil, &FieldError{w.field, "must be valid JSON"}
	}
	if i == 0 && !p.g.emptyLists {
		return nil, &FieldError{w.field, "must not be an empty list"}
	}
	return n, nil
}

func (p *parser) str(s string, w where) (*node, *FieldError) {
	if len(s) > MaxStringLen {
		return nil, &FieldError{w.field, fmt.Sprintf("must be at most %d bytes", MaxStringLen)}
	}
	if !strings.Contains(s, markupOpen) {
		return &node{kind: kindFixed, value: scalar{typ: typeString, text: s}}, nil
	}
	if !p.g.markup {
		return nil, &FieldError{w.field, "must not contain " + markupOpen + ": a variable's value is data"}
	}
	wildcard, name, problem := parseMarkup(s)
	switch {
	case problem != "":
		return nil, &FieldError{w.field, problem}
	case w.inList:
		return nil, &FieldError{w.field, "must not be markup: markup is a field's whole value, never a list element"}
	case wildcard:
		return wildcardNode, nil
	case !p.g.variables:
		return nil, &FieldError{w.field, "must not be a variable: compiled templates have none"}
	}
	return &node{kind: kindVariable, variable: variableRef{name: name, field: w.field, depth: w.depth, inQuery: w.inQuery}}, nil
}

const markupOpen = "<%="

// parseMarkup reads s, which contains "<%=", as "<%= * %>" or "<%= name %>".
// Spaces inside the markup are optional. problem says why s is neither.
func parseMarkup(s string) (wildcard bool, name, problem string) {
	const form = `must be "<%= * %>" or "<%= name %>" and nothing else`
	inner, ok := strings.CutPrefix(s, markupOpen)
	if !ok {
		return false, "", form
	}
	if inner, ok = strings.CutSuffix(inner, "%>"); !ok {
		return false, "", form
	}
	inner = strings.Trim(inner, " ")
	switch {
	case inner == "*":
		return true, "", ""
	case validName(inner):
		return false, inner, ""
	case isWord(inner):
		return false, "", fmt.Sprintf("must name a variable of a-z, 0-9 and _, starting with a letter, at most %d characters", MaxNameLen)
	}
	return false, "", form
}

// validName reports whether name matches [a-z][a-z0-9_]{0,63}.
func validName(name string) bool {
	if name == "" || len(name) > MaxNameLen || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isWord reports whether s looks meant as a name: letters, digits and _.
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return s != ""
}

func keyProblem(key string) string {
	switch {
	case len(key) > MaxStringLen:
		return fmt.Sprintf("the key must be at most %d bytes", MaxStringLen)
	case strings.Contains(key, markupOpen):
		return "the key must not contain " + markupOpen
	}
	return ""
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func joinIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
