package payloadcheck

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is what a template value does to the payload value under it.
type kind uint8

const (
	kindFixed    kind = iota // equal in type and value to one scalar
	kindList                 // one of the allowed scalars or sub-templates, or a list of them
	kindAny                  // the wildcard: anything
	kindObject               // an object whose fields match the template's
	kindVariable             // "<%= name %>", before Compile resolves it
)

// node is a parsed template value. After Compile no kindVariable is left, and
// a node is never changed again, so compiled nodes are safe to share.
type node struct {
	kind kind

	value scalar // kindFixed

	values  map[scalar]struct{} // kindList: allowed scalars
	objects []*node             // kindList: allowed objects, each a sub-template

	fields map[string]*node // kindObject, by key as written
	// folded indexes fields by FoldKey, since encoding/json gives a struct
	// field the value of any key equal to its name without regard to case.
	// It is nil in the query template: query names are exact.
	folded map[string]*node
	query  *node // the top-level "$query" template, or nil

	variable variableRef // kindVariable
}

// variableRef is a variable as written and where, for Compile to resolve.
type variableRef struct {
	name    string
	field   string // JSON path in the template
	depth   int
	inQuery bool
}

var (
	wildcardNode = &node{kind: kindAny}
	// nothingNode allows no value: an empty list. Compile puts it where it
	// fails closed.
	nothingNode = &node{kind: kindList}
	// noQueryNode is the query template of a template without "$query" when
	// another template of the action has one: no parameter is allowed.
	noQueryNode = &node{kind: kindObject, fields: map[string]*node{}}
)

// field returns the template for a payload key, or nil if there is none.
func (n *node) field(key string) *node {
	if f, ok := n.fields[key]; ok {
		return f
	}
	if n.folded == nil {
		return nil
	}
	var buf [64]byte // most keys fold here, and the lookup does not allocate
	return n.folded[string(appendFolded(buf[:0], key))]
}

// scalarType orders the types in lists as written: null, booleans, numbers,
// strings.
type scalarType uint8

const (
	typeNull scalarType = iota
	typeBool
	typeNumber
	typeString
)

// scalar is a JSON scalar, comparable with ==: two scalars are equal exactly
// when the JSON values are equal in type and value. A number is its
// canonicalNumber spelling, a bool "true" or "false".
type scalar struct {
	typ  scalarType
	text string
}

// scalarOf returns v, as decoded with UseNumber, as a scalar. ok is false for
// objects, arrays and numbers out of range.
func scalarOf(v any) (s scalar, ok bool) {
	switch t := v.(type) {
	case nil:
		return scalar{typ: typeNull}, true
	case bool:
		return scalar{typ: typeBool, text: strconv.FormatBool(t)}, true
	case string:
		return scalar{typ: typeString, text: t}, true
	case json.Number:
		c, ok := canonicalNumber(string(t))
		return scalar{typ: typeNumber, text: c}, ok
	}
	return scalar{}, false
}

func compareScalars(a, b scalar) int {
	if a.typ != b.typ {
		return int(a.typ) - int(b.typ)
	}
	if a.typ == typeNumber {
		return compareNumbers(a.text, b.text)
	}
	return strings.Compare(a.text, b.text)
}

func (s scalar) appendJSON(b []byte) []byte {
	switch s.typ {
	case typeNull:
		return append(b, "null"...)
	case typeNumber:
		return append(b, formatNumber(s.text)...)
	case typeString:
		return appendString(b, s.text)
	}
	return append(b, s.text...)
}

// appendJSON appends n in template syntax, without spaces, keys and allowed
// values sorted, so that equal templates have equal spellings.
func (n *node) appendJSON(b []byte) []byte {
	switch n.kind {
	case kindFixed:
		return n.value.appendJSON(b)
	case kindAny:
		return append(b, `"<%= * %>"`...)
	case kindVariable:
		return append(b, `"<%= `+n.variable.name+` %>"`...)
	case kindList:
		b = append(b, '[')
		for i, v := range n.sortedValues() {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.appendJSON(b)
		}
		for i, o := range n.objects {
			if i > 0 || len(n.values) > 0 {
				b = append(b, ',')
			}
			b = o.appendJSON(b)
		}
		return append(b, ']')
	}
	keys := make([]string, 0, len(n.fields)+1)
	for k := range n.fields {
		keys = append(keys, k)
	}
	if n.query != nil {
		keys = append(keys, queryKey)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		if k == queryKey && n.query != nil {
			b = n.query.appendJSON(b)
		} else {
			b = n.fields[k].appendJSON(b)
		}
	}
	return append(b, '}')
}

func (n *node) sortedValues() []scalar {
	vs := make([]scalar, 0, len(n.values))
	for v := range n.values {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, compareScalars)
	return vs
}

// count is the number of JSON values n spells, itself included, as
// Validate counts them against MaxNodes.
func (n *node) count() int {
	c := 1
	switch n.kind {
	case kindList:
		c += len(n.values)
		for _, o := range n.objects {
			c += o.count()
		}
	case kindObject:
		for _, f := range n.fields {
			c += f.count()
		}
		if n.query != nil {
			c += n.query.count()
		}
	}
	return c
}

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// "<", ">" and "&" alone, so templates read as written. s is valid UTF-8:
// every string here came through encoding/json's decoder.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// FoldKey returns the key under which encoding/json matches s to a struct
// field: equal for two keys exactly when bytes.EqualFold says they are
// (ſ, s and S; K, k and the Kelvin sign). The API's decoder refuses keys
// that fold alike as repeats.
func FoldKey(s string) string { return string(appendFolded(nil, s)) }

// appendFolded appends s folded. It is encoding/json's own folding
// (fold.go, appendFoldedName).
func appendFolded(b []byte, s string) []byte {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		b = utf8.AppendRune(b, foldRune(r))
	}
	return b
}

// foldRune returns the smallest rune of r's case-folding orbit.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
