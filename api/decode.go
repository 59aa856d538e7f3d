package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/billgate/billgate/auth/payloadcheck"
)

// decodeJSON reads the request body into v. Every way a body can be wrong
// (not JSON, too large, unknown or mistyped fields, trailing data) becomes a
// 400 INVALID naming what is wrong.
func decodeJSON(c *gin.Context, v any) error { return decode(c, v, true) }

// decodeOptionalJSON is decodeJSON for a body that may be absent.
func decodeOptionalJSON(c *gin.Context, v any) error { return decode(c, v, false) }

func decode(c *gin.Context, v any, required bool) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return Invalid("Content-Type", "request body must be application/json", ct)
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if tooLarge := asMaxBytes(err); tooLarge != nil {
			return bodyTooLarge(tooLarge.Limit)
		}
		return Invalid("body", "could not read the request body", nil)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if !required {
			return nil
		}
		return Invalid("body", "request body is empty; send a JSON object", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeProblem(err)
	}
	if dec.More() {
		return Invalid("body", "request body has data after the JSON value", nil)
	}
	if p := textProblem(body); p != nil {
		return p
	}
	return checkTokens(body)
}

// checkTokens refuses what decoding lets through silently: a NUL in any key
// or string (no field accepts one, Postgres cannot store it), and a key
// repeated in an object. encoding/json keeps the last of repeated keys and
// matches field names with Unicode case folding, so {"priceId":…,"PRICEID":…}
// or {"displayName":…,"diſplayName":…} would mean one thing here and maybe
// another to a proxy or a policy check that read the first: keys are
// compared by payloadcheck.FoldKey, as encoding/json compares them.
func checkTokens(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type object struct {
		keys   map[string]bool
		path   string
		expect bool // the next string token is a key
	}
	var stack []*object
	var field string // the path of the value being read
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the body decoded already; nothing else to find
		}
		top := (*object)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &object{keys: map[string]bool{}, path: field, expect: true})
				continue
			case '}', ']':
				stack = stack[:len(stack)-1]
			case '[':
				stack = append(stack, &object{path: field})
				continue
			}
		case string:
			if strings.IndexByte(t, 0) >= 0 {
				return Invalid("body", "text must not contain NUL characters", nil)
			}
			if top != nil && top.keys != nil && top.expect {
				field = joinField(top.path, t)
				folded := payloadcheck.FoldKey(t)
				if top.keys[folded] {
					return Invalid(field, "the key appears twice in its object", nil)
				}
				top.keys[folded] = true
				top.expect = false
				continue
			}
		}
		// A value ended: in an object, a key comes next.
		if len(stack) > 0 && stack[len(stack)-1].keys != nil {
			stack[len(stack)-1].expect = true
			field = stack[len(stack)-1].path
		}
	}
}

// textProblem refuses a body whose text is not Unicode: bytes that are
// not UTF-8, or an escaped surrogate that is not half of a pair.
// encoding/json would read either as U+FFFD, and keep it, where a proxy,
// a policy check or a client reading the same body sees other characters.
// body has decoded, and outside strings a backslash is not JSON, so every
// backslash here begins an escape.
func textProblem(body []byte) *Problem {
	if !utf8.Valid(body) {
		return Invalid("body", "text must be UTF-8", nil)
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		i++
		if i >= len(body) || body[i] != 'u' {
			continue
		}
		r := escapedRune(body[i+1:])
		i += 4
		switch {
		case r < 0xD800 || r > 0xDFFF:
		case r < 0xDC00 && bytes.HasPrefix(body[i+1:], []byte(`\u`)) && isLowSurrogate(escapedRune(body[i+3:])):
			i += 6
		default:
			return Invalid("body", "text must not hold an unpaired surrogate (\\u"+string(body[i-3:i+1])+")", nil)
		}
	}
	return nil
}

// escapedRune is the code unit of the four hex digits b begins with; -1
// when it does not.
func escapedRune(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return rune(n)
}

func isLowSurrogate(r rune) bool { return r >= 0xDC00 && r <= 0xDFFF }

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func decodeProblem(err error) *Problem {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return Invalid("body", fmt.Sprintf("request body is not valid JSON (at byte %d)", syntax.Offset), nil)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return Invalid(field, fmt.Sprintf("must be %s, not JSON %s", jsonKind(typ.Type.Kind().String()), typ.Value), nil)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("body", "request body is truncated JSON", nil)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Invalid(field, "unknown field", nil)
	default:
		return Invalid("body", "request body could not be decoded", nil)
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	default:
		return "a number"
	}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
