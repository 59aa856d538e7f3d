package payloadcheck

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// MaxObservedFields bounds the fields an Observer keeps per action, nested
// ones included. With each field costing at most two values once its lists
// are wildcards, a proposal then always fits in MaxNodes.
const MaxObservedFields = (MaxNodes - 1) / 2

// Observer is listen mode: it records the payloads of accepted requests and
// generalises them into proposed templates, one per action. It only records;
// it never decides. It is safe for concurrent use, and its memory is bounded:
// at most MaxObservedFields fields per action, and per field at most
// maxValues distinct values of at most MaxStringLen bytes.
type Observer struct {
	maxValues int

	mu      sync.Mutex
	actions map[string]*observedAction
}

// NewObserver returns an Observer that turns a field into a wildcard once it
// has seen more than maxValues distinct values. maxValues is held to
// [0, MaxNodes]: a longer list could not be in a template.
func NewObserver(maxValues int) *Observer {
	return &Observer{maxValues: min(max(maxValues, 0), MaxNodes), actions: map[string]*observedAction{}}
}

type observedAction struct {
	maxValues int
	root      observedObject
	fields    int // in root and below
}

// observedObject is the fields seen in an object, by FoldKey.
type observedObject map[string]*observedField

type observedField struct {
	key    string // as first seen
	any    bool   // becomes the wildcard
	values map[scalar]struct{}
	object observedObject // the fields of every object seen here; nil if none
	inList bool           // was a list
}

// Observe records a payload accepted for action. A payload that is not a
// JSON object is ignored, as is a top-level key that a template cannot have
// ("$query", or one with markup or too long). Below the top level such a
// key, a list in a list, a value nested past MaxDepth, a string a template
// cannot list and a new key past MaxObservedFields make their field a
// wildcard. A new top-level key past MaxObservedFields makes room by making
// the top-level field with the most fields under it a wildcard; only if the
// top level alone has MaxObservedFields keys is it not recorded.
func (o *Observer) Observe(action string, payload []byte) {
	v, m := decodePayload(payload)
	obj, ok := v.(map[string]any)
	if m != nil || !ok {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	a := o.actions[action]
	if a == nil {
		a = &observedAction{maxValues: o.maxValues, root: observedObject{}}
		o.actions[action] = a
	}
	a.recordFields(a.root, obj, 1, true)
}

// recordFields records the fields of obj, an object at depth, into into. It
// reports false if a field could not be kept, so that the caller widens the
// object's field; at the top the field is skipped instead.
func (a *observedAction) recordFields(into observedObject, obj map[string]any, depth int, top bool) bool {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if keyProblem(k) != "" || top && k == queryKey {
			if top {
				continue
			}
			return false
		}
		fk := FoldKey(k)
		f := into[fk]
		if f == nil {
			if a.fields >= MaxObservedFields && !(top && a.makeRoom()) {
				if top {
					continue
				}
				return false
			}
			f = &observedField{key: k}
			into[fk] = f
			a.fields++
		}
		a.record(f, obj[k], depth+1)
	}
	return true
}

// record records v, a value at depth, into f.
func (a *observedAction) record(f *observedField, v any, depth int) {
	if f.any {
		return
	}
	if depth > MaxDepth {
		a.widen(f)
		return
	}
	switch t := v.(type) {
	case map[string]any:
		a.recordObject(f, t, depth)
	case []any:
		f.inList = true
		for _, el := range t {
			switch e := el.(type) {
			case []any:
				a.widen(f)
			case map[string]any:
				a.recordObject(f, e, depth+1)
			default:
				a.recordScalar(f, e)
			}
			if f.any {
				return
			}
		}
	default:
		a.recordScalar(f, t)
	}
}

func (a *observedAction) recordObject(f *observedField, obj map[string]any, depth int) {
	if f.object == nil {
		f.object = observedObject{}
	}
	if !a.recordFields(f.object, obj, depth, false) {
		a.widen(f)
	}
}

func (a *observedAction) recordScalar(f *observedField, v any) {
	s, ok := scalarOf(v)
	if !ok || len(s.text) > MaxStringLen || s.typ == typeString && strings.Contains(s.text, markupOpen) {
		a.widen(f)
		return
	}
	if _, seen := f.values[s]; seen {
		return
	}
	if len(f.values) >= a.maxValues {
		a.widen(f)
		return
	}
	if f.values == nil {
		f.values = map[scalar]struct{}{}
	}
	f.values[s] = struct{}{}
}

// makeRoom frees fields for a new top-level one by widening the top-level
// field with the most fields under it, the first in key order on a tie. It
// reports false if no top-level field has any.
func (a *observedAction) makeRoom() bool {
	var widest *observedField
	most := 0
	for _, fk := range slices.Sorted(maps.Keys(a.root)) {
		if n := a.root[fk].object.countFields(); n > most {
			widest, most = a.root[fk], n
		}
	}
	if widest == nil {
		return false
	}
	a.widen(widest)
	return true
}

// widen makes f a wildcard and forgets what was under it.
func (a *observedAction) widen(f *observedField) {
	a.fields -= f.object.countFields()
	*f = observedField{key: f.key, any: true}
}

func (obj observedObject) countFields() int {
	n := len(obj)
	for _, f := range obj {
		n += f.object.countFields()
	}
	return n
}

// Summary returns what o recorded for action as payloads that, observed
// by a new Observer with the same maxValues, record exactly what o did:
// the proposal is the same, and stays the same after more payloads. It is
// nil if o recorded nothing for action. A summary keeps nothing the
// Observer dropped (a widened field is "<%= * %>", which widens it again),
// is as bounded as the Observer's memory, and is mostly one payload; the
// summary of summaries loses nothing. Listen mode stores summaries.
func (o *Observer) Summary(action string) [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	a := o.actions[action]
	if a == nil {
		return nil
	}
	objects := summarizeObject(a.root)
	out := make([][]byte, len(objects))
	for i, n := range objects {
		out[i] = n.appendJSON(nil)
	}
	return out
}

// summarizeObject returns objects that record as obj: at least one, and as
// many as the field with the most values to summarize needs.
func summarizeObject(obj observedObject) []*node {
	out := []*node{{kind: kindObject, fields: map[string]*node{}}}
	for _, f := range obj {
		for i, v := range summarizeField(f) {
			if i == len(out) {
				out = append(out, &node{kind: kindObject, fields: map[string]*node{}})
			}
			out[i].fields[f.key] = v
		}
	}
	return out
}

// summarizeField returns values that record as f: the wildcard if it was
// widened; else its one value, or the list of its values (once a field has
// a value, whether it was in a list no longer matters), or [] if it was an
// empty list or held objects only in lists; then its objects, each on its
// own so that their fields record as deep as they were seen, or shallower.
func summarizeField(f *observedField) []*node {
	if f.any {
		return []*node{wildcardNode}
	}
	var out []*node
	switch {
	case len(f.values) == 1 && !f.inList:
		for v := range f.values {
			out = append(out, &node{kind: kindFixed, value: v})
		}
	case len(f.values) > 0 || f.inList:
		out = append(out, &node{kind: kindList, values: f.values})
	}
	if f.object != nil {
		out = append(out, summarizeObject(f.object)...)
	}
	return out
}

// Proposals returns a template per action that allows every payload
// recorded for it. Values seen become allowed lists, sorted; objects
// recurse; a field seen only as [] is a wildcard, as no value is known.
// Where a proposal would pass MaxNodes, fields are made wildcards, those
// with the most values first, until it fits. Every proposal passes
// Validate, and the output is the same for the same recordings.
func (o *Observer) Proposals() map[string]Template {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string]Template, len(o.actions))
	for action, a := range o.actions {
		out[action] = a.proposal()
	}
	return out
}

func (a *observedAction) proposal() Template {
	for limit := a.maxValues; ; limit-- {
		n := proposeObject(a.root, 1, limit)
		// At limit 0 each field is at most a list and one object: it fits.
		if limit <= 0 || n.count() <= MaxNodes {
			return n.appendJSON(nil)
		}
	}
}

// proposeObject proposes a template for the object at depth whose fields
// are obj. A field with more than limit values is a wildcard.
func proposeObject(obj observedObject, depth, limit int) *node {
	n := &node{kind: kindObject, fields: make(map[string]*node, len(obj))}
	for _, f := range obj {
		n.fields[f.key] = proposeField(f, depth+1, limit)
	}
	return n
}

// proposeField proposes a template for f's value, at depth. What would nest
// past MaxDepth is a wildcard.
func proposeField(f *observedField, depth, limit int) *node {
	switch {
	case f.any, len(f.values) > limit, len(f.values) == 0 && f.object == nil:
		return wildcardNode
	case len(f.values) == 0 && !f.inList:
		if len(f.object) > 0 && depth+1 > MaxDepth {
			return wildcardNode
		}
		return proposeObject(f.object, depth, limit)
	}
	// A list at depth, its values at depth+1, an object's fields at depth+2.
	if depth+1 > MaxDepth || len(f.object) > 0 && depth+2 > MaxDepth {
		return wildcardNode
	}
	n := &node{kind: kindList, values: maps.Clone(f.values)}
	if f.object != nil {
		n.objects = []*node{proposeObject(f.object, depth+1, limit)}
	}
	return n
}
