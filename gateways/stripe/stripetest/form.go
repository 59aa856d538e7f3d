package stripetest

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// form is a request's parameters, form-encoded as Stripe takes them
// (docs.stripe.com/api: "The Stripe API ... accepts form-encoded request
// bodies"): nested keys in brackets, metadata[key]=value, lists as
// name[0]=a&name[1]=b. Each read marks a parameter known; the first error
// sticks.
type form struct {
	values url.Values
	known  map[string]bool
	err    *response
}

func newForm(v url.Values) *form { return &form{values: v, known: map[string]bool{}} }

func (f *form) fail(r response) {
	if f.err == nil {
		f.err = &r
	}
}

// str is a parameter's value and whether it was given.
func (f *form) str(name string) (string, bool) {
	f.known[name] = true
	v, ok := f.values[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

func (f *form) required(name string) string {
	v, ok := f.str(name)
	if !ok || v == "" {
		f.fail(paramError(name, "Missing required param: %s.", name))
	}
	return v
}

func (f *form) int(name string) (int64, bool) {
	s, ok := f.str(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.fail(paramError(name, "Invalid integer: %s", s))
		return 0, false
	}
	return n, true
}

// limit is a list's limit parameter: 10 unless given, from 1 to 100
// (docs.stripe.com/api/pagination).
func (f *form) limit() int64 {
	n, ok := f.int("limit")
	if !ok {
		return 10
	}
	if n < 1 || n > 100 {
		f.fail(paramError("limit", "This value must be between 1 and 100."))
	}
	return n
}

// bool is a boolean parameter and whether it was given.
func (f *form) bool(name string) (value, given bool) {
	s, ok := f.str(name)
	if !ok {
		return false, false
	}
	if s != "true" && s != "false" {
		f.fail(paramError(name, "Invalid boolean: %s", s))
	}
	return s == "true", true
}

// oneOf is a parameter that must be one of values, if given.
func (f *form) oneOf(name string, values ...string) (string, bool) {
	s, ok := f.str(name)
	if ok && !slices.Contains(values, s) {
		f.fail(paramError(name, "Invalid %s: must be one of %s", name, strings.Join(values, ", ")))
	}
	return s, ok
}

// mapOf is the parameters name[key]=value, e.g. metadata.
func (f *form) mapOf(name string) map[string]string {
	m := map[string]string{}
	for k, v := range f.values {
		key, ok := strings.CutPrefix(k, name+"[")
		if !ok || !strings.HasSuffix(key, "]") || len(v) == 0 {
			continue
		}
		f.known[k] = true
		m[strings.TrimSuffix(key, "]")] = v[len(v)-1]
	}
	return m
}

// list is the parameters name[0], name[1]…, in order.
func (f *form) list(name string) []string {
	var out []string
	for i := 0; ; i++ {
		v, ok := f.str(fmt.Sprintf("%s[%d]", name, i))
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// check is the first error: a bad value, or a parameter nobody read
// (Stripe refuses unknown parameters; stripetest knows fewer than Stripe,
// and says so).
func (f *form) check() *response {
	if f.err != nil {
		return f.err
	}
	var unknown []string
	for k := range f.values {
		if !f.known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	r := paramError(unknown[0], "Received unknown parameter: %s (stripetest serves a subset of Stripe's parameters)", unknown[0])
	return &r
}
