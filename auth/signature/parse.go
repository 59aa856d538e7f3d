// Package signature checks HTTP Signatures made with a shared HMAC secret
// (draft-cavage-http-signatures-12, as PortaBilling signs its requests):
// it reads the Authorization header, rebuilds the signing string, verifies
// the MAC, and checks the Digest and Date headers a signature covers. It
// knows nothing of keys, storage or HTTP servers.
package signature

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// Limits that keep a hostile header cheap to refuse; real ones are a few
// hundred bytes.
const (
	maxHeader        = 4096 // the whole Authorization (or Digest) header
	maxParam         = 1024 // one parameter's value
	maxSignedHeaders = 32   // names in the headers parameter
	maxTimeDigits    = 12   // created and expires: Unix seconds
)

// Params are the parameters of an `Authorization: Signature` header.
type Params struct {
	KeyID string
	// Algorithm is lower-cased, and empty when absent: the verifier should
	// take the algorithm from its key, and refuse a header naming another.
	Algorithm string
	// Headers are the signed header names, lower-cased, in signing order:
	// ["date"] when the parameter is absent.
	Headers   []string
	Signature []byte
	// Created and Expires are Unix seconds, 0 when absent.
	Created, Expires int64
}

// param is one name=value pair, as written.
type param struct {
	name, value string
	quoted      bool
}

// ParseAuthorization reads an `Authorization: Signature` header: the scheme
// (case-insensitive), then comma-separated name="value" parameters
// (draft-cavage-http-signatures-12 §2.1), where created and expires are
// integers and may go unquoted. keyId and signature are required, the
// signature in padded base64. Parameter names are case-insensitive, may
// appear once, and unknown ones are ignored (§2.1). Every refusal is an
// *Error: among others, non-printable ASCII, oversized input, unquoted
// strings, backslash escapes, an empty headers list.
func ParseAuthorization(header string) (Params, error) {
	if len(header) > maxHeader {
		return Params{}, invalid("header has %d bytes, at most %d", len(header), maxHeader)
	}
	if !isPrintable(header) {
		return Params{}, invalid("header holds a control or non-ASCII byte")
	}
	scheme, rest, _ := strings.Cut(header, " ")
	// EqualFold alone would take Unicode look-alikes; the scheme is an
	// ASCII token, so its length must match too.
	if len(scheme) != len("Signature") || !strings.EqualFold(scheme, "Signature") {
		return Params{}, invalid("scheme is not Signature")
	}
	params, err := splitParams(strings.TrimLeft(rest, " "))
	if err != nil {
		return Params{}, err
	}
	p := Params{Headers: []string{"date"}}
	for i, pr := range params {
		for _, earlier := range params[:i] {
			if strings.EqualFold(earlier.name, pr.name) {
				return Params{}, invalid("parameter %s is repeated", strings.ToLower(pr.name))
			}
		}
		if err := p.set(pr); err != nil {
			return Params{}, err
		}
	}
	switch {
	case p.KeyID == "":
		return Params{}, invalid("keyId is missing or empty")
	case p.Signature == nil:
		return Params{}, invalid("signature is missing")
	}
	return p, nil
}

// knownParams are the parameters set stores; others are ignored (§2.1).
var knownParams = []string{"keyid", "algorithm", "headers", "signature", "created", "expires"}

// set stores one parameter into p, its name compared without regard to
// case.
func (p *Params) set(pr param) error {
	i := slices.IndexFunc(knownParams, func(k string) bool { return strings.EqualFold(k, pr.name) })
	if i < 0 {
		return nil
	}
	name := knownParams[i]
	switch name {
	case "keyid", "algorithm", "headers", "signature":
		if !pr.quoted {
			return invalid("%s is not quoted", name)
		}
	}
	var err error
	switch name {
	case "keyid":
		p.KeyID = pr.value
	case "algorithm":
		p.Algorithm = strings.ToLower(pr.value)
	case "headers":
		p.Headers, err = parseHeaderList(pr.value)
	case "signature":
		p.Signature, err = parseSignature(pr.value)
	case "created":
		p.Created, err = parseTime(name, pr.value)
	case "expires":
		p.Expires, err = parseTime(name, pr.value)
	}
	return err
}

// splitParams reads `name="value", name=token` pairs, with optional spaces
// around the commas only.
func splitParams(s string) ([]param, error) {
	if s == "" {
		return nil, invalid("no parameters")
	}
	params := make([]param, 0, len(knownParams))
	for {
		var pr param
		n := 0
		for n < len(s) && isTchar(s[n]) {
			n++
		}
		if n == 0 || n >= len(s) || s[n] != '=' {
			return nil, invalid("parameter %d is not name=value", len(params)+1)
		}
		pr.name, s = s[:n], s[n+1:]
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, invalid("%s has no closing quote", pr.name)
			}
			pr.value, pr.quoted, s = s[1:end+1], true, s[end+2:]
			if strings.ContainsRune(pr.value, '\\') {
				return nil, invalid("%s holds a backslash escape", pr.name)
			}
		} else {
			n = 0
			for n < len(s) && isTchar(s[n]) {
				n++
			}
			if n == 0 {
				return nil, invalid("%s has no value", pr.name)
			}
			pr.value, s = s[:n], s[n:]
		}
		if len(pr.value) > maxParam {
			return nil, invalid("%s has %d bytes, at most %d", pr.name, len(pr.value), maxParam)
		}
		params = append(params, pr)
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return params, nil
		}
		rest, ok := strings.CutPrefix(s, ",")
		if !ok {
			return nil, invalid("%s is not followed by a comma", pr.name)
		}
		s = strings.TrimLeft(rest, " ")
	}
}

// parseHeaderList reads the headers parameter: names separated by single
// spaces, each a header name or a (pseudo-header).
func parseHeaderList(v string) ([]string, error) {
	if v == "" {
		return nil, invalid("headers is empty")
	}
	names := strings.Split(strings.ToLower(v), " ")
	if len(names) > maxSignedHeaders {
		return nil, invalid("headers lists %d names, at most %d", len(names), maxSignedHeaders)
	}
	for i, name := range names {
		if !isHeaderName(name) {
			return nil, invalid("headers name %d is not a header name", i+1)
		}
	}
	return names, nil
}

// isHeaderName reports whether name is a header name or a (pseudo-header).
func isHeaderName(name string) bool {
	if inner, ok := strings.CutPrefix(name, "("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		return ok && isToken(inner)
	}
	return isToken(name)
}

func parseSignature(v string) ([]byte, error) {
	if v == "" {
		return nil, invalid("signature is empty")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil {
		return nil, invalid("signature is not base64")
	}
	return sig, nil
}

// parseTime reads created or expires: positive Unix seconds, in canonical
// decimal so that the signing string rebuilds byte for byte.
func parseTime(name, v string) (int64, error) {
	t, err := strconv.ParseInt(v, 10, 64)
	if err != nil || len(v) > maxTimeDigits || v[0] < '1' || v[0] > '9' {
		return 0, invalid("%s is not Unix seconds", name)
	}
	return t, nil
}
