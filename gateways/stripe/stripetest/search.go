package stripetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// searchPaymentIntents is GET /v1/payment_intents/search
// (docs.stripe.com/api/payment_intents/search). It understands the part of
// Stripe's search query language (docs.stripe.com/search) that names a
// PaymentIntent by equality: clauses field:'value' on metadata['key'],
// status, customer and currency, joined by AND or by OR. It answers one
// page, newest first, and leaves out PaymentIntents younger than
// Options.SearchLag.
func (s *Server) searchPaymentIntents(r *request) response {
	query := r.form.required("query")
	limit := r.form.limit()
	if err := r.form.check(); err != nil {
		return *err
	}
	q, err := parseQuery(query)
	if err != nil {
		return paramError("query", "%v", err)
	}
	var found []*PaymentIntent
	for _, pi := range s.state.intents {
		if time.Unix(pi.Created, 0).Add(s.opts.SearchLag).After(r.now) {
			continue
		}
		if q.matches(pi) {
			found = append(found, pi)
		}
	}
	slices.SortFunc(found, func(a, b *PaymentIntent) int {
		return cmp.Or(cmp.Compare(b.Created, a.Created), cmp.Compare(a.ID, b.ID))
	})
	res := searchResult{Object: "search_result", URL: "/v1/payment_intents/search", Data: found}
	if int64(len(found)) > limit {
		res.Data, res.HasMore = found[:limit], true
	}
	if res.Data == nil {
		res.Data = []*PaymentIntent{}
	}
	return ok200(res)
}

// query is a parsed search query.
type query struct {
	clauses []clause
	or      bool
}

type clause struct {
	field string // "metadata", "status", "customer" or "currency"
	key   string // the metadata key
	value string
}

func (q query) matches(pi *PaymentIntent) bool {
	for _, c := range q.clauses {
		if c.matches(pi) == q.or {
			return q.or
		}
	}
	return !q.or
}

func (c clause) matches(pi *PaymentIntent) bool {
	switch c.field {
	case "metadata":
		v, ok := pi.Metadata[c.key]
		return ok && v == c.value
	case "status":
		return pi.Status == c.value
	case "customer":
		return pi.Customer != nil && *pi.Customer == c.value
	}
	return pi.Currency == strings.ToLower(c.value)
}

// parseQuery reads clause (("AND"|"OR") clause)*.
func parseQuery(s string) (query, error) {
	var q query
	p := &parser{s: s}
	joiner := ""
	for {
		c, err := p.clause()
		if err != nil {
			return query{}, err
		}
		q.clauses = append(q.clauses, c)
		p.spaces()
		if p.done() {
			break
		}
		word := p.word()
		if word != "AND" && word != "OR" {
			return query{}, fmt.Errorf("expected AND or OR at %q", p.rest())
		}
		if joiner != "" && word != joiner {
			return query{}, errors.New("a query cannot mix AND and OR")
		}
		joiner = word
		p.spaces()
	}
	q.or = joiner == "OR"
	return q, nil
}

type parser struct {
	s   string
	pos int
}

func (p *parser) done() bool   { return p.pos >= len(p.s) }
func (p *parser) rest() string { return p.s[p.pos:] }

func (p *parser) spaces() {
	for !p.done() && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *parser) word() string {
	start := p.pos
	for !p.done() && (p.s[p.pos] == '_' || 'a' <= p.s[p.pos] && p.s[p.pos] <= 'z' || 'A' <= p.s[p.pos] && p.s[p.pos] <= 'Z') {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *parser) expect(lit string) error {
	if !strings.HasPrefix(p.rest(), lit) {
		return fmt.Errorf("expected %q at %q", lit, p.rest())
	}
	p.pos += len(lit)
	return nil
}

func (p *parser) clause() (clause, error) {
	var c clause
	p.spaces()
	c.field = p.word()
	switch c.field {
	case "metadata":
		if err := p.expect("["); err != nil {
			return c, err
		}
		key, err := p.quoted()
		if err != nil {
			return c, err
		}
		if err := p.expect("]"); err != nil {
			return c, err
		}
		c.key = key
	case "status", "customer", "currency":
	default:
		return c, fmt.Errorf("stripetest searches PaymentIntents by metadata['key'], status, customer or currency, not %q", c.field)
	}
	if err := p.expect(":"); err != nil {
		return c, fmt.Errorf("%w (stripetest takes exact matches only)", err)
	}
	v, err := p.quoted()
	c.value = v
	return c, err
}

// quoted reads a string in single or double quotes; a backslash escapes the
// next character (docs.stripe.com/search, "Quotes").
func (p *parser) quoted() (string, error) {
	if p.done() || (p.s[p.pos] != '\'' && p.s[p.pos] != '"') {
		return "", fmt.Errorf("expected a quoted value at %q", p.rest())
	}
	quote := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for !p.done() {
		ch := p.s[p.pos]
		p.pos++
		switch {
		case ch == '\\' && !p.done():
			b.WriteByte(p.s[p.pos])
			p.pos++
		case ch == quote:
			return b.String(), nil
		default:
			b.WriteByte(ch)
		}
	}
	return "", errors.New("unterminated quoted value")
}
