package payloadcheck

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
)

// Check reports whether a request for action may go ahead with its JSON body
// and query: nil if action has no templates or one of them matches, else a
// *FieldError naming the offending field, for a 401 PERMISSION DENIED.
//
// An empty body is the empty object. When no template matches, the failure
// reported is the deepest one (the template the payload went furthest into,
// the first template on a tie); within a template it is the first offending
// key in byte order, or element in list order. See
// docs/payload-templates.md for the rules.
func (s *Set) Check(action string, body []byte, query url.Values) error {
	if s == nil {
		return nil
	}
	rs := s.actions[action]
	if rs == nil {
		return nil
	}
	payload, m := decodePayload(body)
	if m != nil {
		return m.fieldError()
	}
	var params map[string]any
	if rs.query {
		params = queryPayload(query)
	}
	for _, t := range rs.templates {
		if quick.template(t, payload, params, rs.query) == nil {
			return nil
		}
	}
	// Refused: match again, this time saying where, to name the deepest.
	var best *mismatch
	for _, t := range rs.templates {
		m := detailed.template(t, payload, params, rs.query)
		if m == nil {
			return nil // unreachable: both matchers agree
		}
		if best == nil || m.depth > best.depth {
			best = m
		}
	}
	return best.fieldError()
}

// mismatch is why a payload value does not match. field is the path from
// the value to the offending one, each step starting with "." or "[", and
// depth its number of steps.
type mismatch struct {
	field   string
	depth   int
	message string
}

// matcher matches payloads against templates. A quick one only answers
// whether they match, and allocates nothing; a detailed one also says where
// they do not.
type matcher struct{ detailed bool }

var (
	quick    = matcher{}
	detailed = matcher{detailed: true}
	// failed is every mismatch of the quick matcher.
	failed = &mismatch{}
)

func (mt matcher) fail(message string) *mismatch {
	if !mt.detailed {
		return failed
	}
	return &mismatch{message: message}
}

// under returns m as seen from the value one step up.
func (mt matcher) under(m *mismatch, step string) *mismatch {
	if !mt.detailed {
		return failed
	}
	return &mismatch{field: step + m.field, depth: m.depth + 1, message: m.message}
}

func (m *mismatch) fieldError() *FieldError {
	f := m.field
	if len(f) > 0 && f[0] == '.' {
		f = f[1:]
	}
	return &FieldError{Field: f, Message: m.message}
}

var emptyPayload = map[string]any{}

// decodePayload decodes a body as encoding/json would for a handler, numbers
// kept exact.
func decodePayload(body []byte) (any, *mismatch) {
	if len(bytes.TrimSpace(body)) == 0 {
		return emptyPayload, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &mismatch{message: "the body must be valid JSON"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &mismatch{message: "the body must be a single JSON value"}
	}
	return v, nil
}

// queryPayload is the query as a template sees it: each parameter a string,
// or the list of its strings when repeated.
func queryPayload(query url.Values) map[string]any {
	params := make(map[string]any, len(query))
	for name, vs := range query {
		switch len(vs) {
		case 0:
		case 1:
			params[name] = vs[0]
		default:
			list := make([]any, len(vs))
			for i, v := range vs {
				list[i] = v
			}
			params[name] = list
		}
	}
	return params
}

func (mt matcher) template(t *node, payload any, params map[string]any, restrictQuery bool) *mismatch {
	if m := mt.match(t, payload); m != nil {
		return m
	}
	if !restrictQuery {
		return nil
	}
	q := t.query
	if q == nil {
		q = noQueryNode
	}
	if m := mt.match(q, params); m != nil {
		return mt.under(m, "."+queryKey)
	}
	return nil
}

// What Check says of an offending field.
const (
	msgNotInTemplate = "is not in the template"
	msgNotFixed      = "does not match the template's value"
	msgNotAllowed    = "is not one of the allowed values"
	msgNothing       = "allows no value"
	msgNotObject     = "must be an object"
)

func (mt matcher) match(n *node, v any) *mismatch {
	switch n.kind {
	case kindAny:
		return nil
	case kindFixed:
		if s, ok := scalarOf(v); ok && s == n.value {
			return nil
		}
		return mt.fail(msgNotFixed)
	case kindObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return mt.fail(msgNotObject)
		}
		return mt.fields(n, obj)
	case kindList:
		return mt.list(n, v)
	}
	return mt.fail(msgNothing) // unreachable: Compile resolves every variable
}

// fields matches the fields of obj. The detailed matcher reports the
// offending key first in byte order.
func (mt matcher) fields(n *node, obj map[string]any) *mismatch {
	var worst *mismatch
	var worstKey string
	for k, v := range obj {
		var m *mismatch
		if f := n.field(k); f == nil {
			m = mt.fail(msgNotInTemplate)
		} else {
			m = mt.match(f, v)
		}
		if m == nil {
			continue
		}
		if !mt.detailed {
			return failed
		}
		if worst == nil || k < worstKey {
			worst, worstKey = m, k
		}
	}
	if worst == nil {
		return nil
	}
	return mt.under(worst, "."+worstKey)
}

// list matches v against allowed values: v must be one, or a list of them.
// An empty list allows nothing, not even [].
func (mt matcher) list(n *node, v any) *mismatch {
	if len(n.values) == 0 && len(n.objects) == 0 {
		return mt.fail(msgNothing)
	}
	list, ok := v.([]any)
	if !ok {
		return mt.element(n, v)
	}
	for i, el := range list {
		if m := mt.element(n, el); m != nil {
			return mt.under(m, "["+strconv.Itoa(i)+"]")
		}
	}
	return nil
}

// element matches one value against allowed values. An object must match
// one of the allowed objects; if none does, the deepest failure is
// reported, the first allowed object's on a tie.
func (mt matcher) element(n *node, v any) *mismatch {
	obj, ok := v.(map[string]any)
	if !ok {
		if s, ok := scalarOf(v); ok {
			if _, in := n.values[s]; in {
				return nil
			}
		}
		return mt.fail(msgNotAllowed)
	}
	var best *mismatch
	for _, o := range n.objects {
		m := mt.fields(o, obj)
		if m == nil {
			return nil
		}
		if best == nil || m.depth > best.depth {
			best = m
		}
	}
	if best == nil {
		return mt.fail(msgNotAllowed)
	}
	return best
}
