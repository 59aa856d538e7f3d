package signature

import (
	"net/http"
	"strconv"
	"strings"
)

// SigningString is the text a signature covers
// (draft-cavage-http-signatures-12 §2.3): one "name: value" line per name
// in headers, in that order, joined by "\n". Names match header keys
// case-insensitively; several values of one header are each trimmed of
// spaces and tabs and joined by ", ". (request-target) is the lower-cased
// method, a space and requestTarget: the path and query as sent
// (r.URL.RequestURI()). A listed header that is absent is an error, and so
// are (created) and (expires): Params.SigningString has their values.
//
// header is as net/http builds it, with canonical keys; net/http moves
// Host to Request.Host, so a caller that verifies "host" sets it back.
func SigningString(method, requestTarget string, header http.Header, headers []string) (string, error) {
	return signingString(method, requestTarget, header, headers, 0, 0)
}

// SigningString is the signing string of p's headers, with p's created
// and expires as the values of (created) and (expires).
func (p Params) SigningString(method, requestTarget string, header http.Header) (string, error) {
	return signingString(method, requestTarget, header, p.Headers, p.Created, p.Expires)
}

func signingString(method, requestTarget string, header http.Header, names []string, created, expires int64) (string, error) {
	if len(names) == 0 {
		return "", invalid("no headers to sign")
	}
	var b strings.Builder
	b.Grow(64 * len(names))
	for i, name := range names {
		name = strings.ToLower(name)
		value, err := headerValue(name, method, requestTarget, header, created, expires)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
	}
	return b.String(), nil
}

// headerValue is the value of one signing-string line; name is lower-cased.
func headerValue(name, method, requestTarget string, header http.Header, created, expires int64) (string, error) {
	switch name {
	case "(request-target)":
		if !isToken(method) || requestTarget == "" || !isPrintable(requestTarget) || strings.Contains(requestTarget, " ") {
			return "", invalid("request method or target is malformed")
		}
		return strings.ToLower(method) + " " + requestTarget, nil
	case "(created)":
		return pseudoTime(name, created)
	case "(expires)":
		return pseudoTime(name, expires)
	}
	if !isToken(name) {
		return "", invalid("cannot sign %q", name)
	}
	values := header.Values(name)
	if len(values) == 0 {
		return "", invalid("signed header %s is absent", name)
	}
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = strings.Trim(v, " \t")
		// A line break would let a value forge the lines after it.
		if hasControl(trimmed[i]) {
			return "", invalid("signed header %s holds a control character", name)
		}
	}
	return strings.Join(trimmed, ", "), nil
}

func pseudoTime(name string, t int64) (string, error) {
	if t <= 0 {
		return "", invalid("%s is signed but its parameter is absent", name)
	}
	return strconv.FormatInt(t, 10), nil
}

// IsHeaderName reports whether a signature can cover name: a header field
// name, or one of the pseudo-headers (request-target), (created) and
// (expires). Names are compared lower-cased.
func IsHeaderName(name string) bool {
	switch name {
	case "(request-target)", "(created)", "(expires)":
		return true
	}
	return isToken(name)
}
