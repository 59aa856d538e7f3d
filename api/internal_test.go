package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/converter"

	"github.com/billgate/billgate/models"
)

// testEngine is the production middleware stack with extra test routes.
func testEngine(t testing.TB, limit int64, add func(r *gin.Engine)) http.Handler {
	t.Helper()
	d := Deps{BodyLimit: limit}.withDefaults()
	r := newEngine(d)
	add(r)
	return r
}

func do(h http.Handler, method, path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func errorsOf(t *testing.T, w *httptest.ResponseRecorder) []Error {
	t.Helper()
	var e struct{ Errors []Error }
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("body %q is not the envelope: %v", w.Body.String(), err)
	}
	return e.Errors
}

func TestPanicBecomesEnvelopeWithoutStack(t *testing.T) {
	h := testEngine(t, 0, func(r *gin.Engine) {
		r.GET("/boom", func(*gin.Context) { panic("secret internal detail") })
	})
	w := do(h, http.MethodGet, "/boom", "", "")
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", w.Code)
	}
	errs := errorsOf(t, w)
	if len(errs) != 1 || errs[0].Code != "INTERNAL" {
		t.Errorf("errors = %+v, want one INTERNAL", errs)
	}
	if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "goroutine") {
		t.Errorf("body leaks the panic: %s", w.Body.String())
	}
}

func TestDecodeJSON(t *testing.T) {
	type payload struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	h := testEngine(t, 64, func(r *gin.Engine) {
		r.POST("/things", func(c *gin.Context) {
			var p payload
			if err := decodeJSON(c, &p); err != nil {
				fail(c, err)
				return
			}
			respond(c, http.StatusCreated, p)
		})
	})
	tests := []struct {
		name, contentType, body string
		wantStatus              int
		wantField               string
		wantMessage             string
	}{
		{"ok", "application/json", `{"name":"a","count":2}`, 201, "", ""},
		{"ok with charset", "application/json; charset=utf-8", `{"name":"a"}`, 201, "", ""},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", 100) + `"}`, 400, "body", "larger than 64 bytes"},
		{"not json", "application/json", `{name:`, 400, "body", "not valid JSON"},
		{"truncated", "application/json", `{"name":"a"`, 400, "body", "truncated"},
		{"unknown field", "application/json", `{"nmae":"a"}`, 400, "nmae", "unknown field"},
		{"wrong type", "application/json", `{"count":"two"}`, 400, "count", "must be a number"},
		{"trailing data", "application/json", `{"name":"a"} {}`, 400, "body", "after the JSON value"},
		{"empty", "application/json", ``, 400, "body", "empty"},
		{"form post", "application/x-www-form-urlencoded", `name=a`, 400, "Content-Type", "application/json"},
		{"array", "application/json", `[1]`, 400, "body", "must be an object"},
		{"NUL in a string", "application/json", `{"name":"a\u0000b"}`, 400, "body", "NUL"},
		{"escaped backslash is not NUL", "application/json", `{"name":"\\u0000"}`, 201, "", ""},
		{"invalid UTF-8", "application/json", "{\"name\":\"a\xffb\"}", 400, "body", "text must be UTF-8"},
		{"unpaired high surrogate", "application/json", `{"name":"\ud800x"}`, 400, "body", "unpaired surrogate (\\ud800)"},
		{"unpaired low surrogate", "application/json", `{"name":"\udc00"}`, 400, "body", "unpaired surrogate (\\udc00)"},
		{"surrogate pair", "application/json", `{"name":"\ud83d\ude00"}`, 201, "", ""},
		{"escaped backslash is not a surrogate", "application/json", `{"name":"\\ud800"}`, 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, http.MethodPost, "/things", tt.contentType, tt.body)
			if w.Code != tt.wantStatus {
				t.Fatalf("POST %s = %d %s, want %d", tt.body, w.Code, w.Body.String(), tt.wantStatus)
			}
			if tt.wantStatus < 400 {
				return
			}
			errs := errorsOf(t, w)
			if len(errs) != 1 || errs[0].Code != "INVALID" || errs[0].Field != tt.wantField || !strings.Contains(errs[0].Message, tt.wantMessage) {
				t.Errorf("errors = %+v, want INVALID on %q containing %q", errs, tt.wantField, tt.wantMessage)
			}
		})
	}
}

func TestBodyLimitWithoutContentLength(t *testing.T) {
	h := testEngine(t, 16, func(r *gin.Engine) {
		r.POST("/things", func(c *gin.Context) {
			var v map[string]any
			if err := decodeJSON(c, &v); err != nil {
				fail(c, err)
				return
			}
			respond(c, http.StatusOK, v)
		})
	})
	req := httptest.NewRequest(http.MethodPost, "/things", strings.NewReader(`{"a":"`+strings.Repeat("x", 64)+`"}`))
	req.ContentLength = -1 // chunked: the limit must bite while reading
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if errs := errorsOf(t, w); w.Code != 400 || len(errs) != 1 || !strings.Contains(errs[0].Message, "larger than 16 bytes") {
		t.Errorf("chunked oversized body = %d %s, want 400 naming the limit", w.Code, w.Body.String())
	}
}

func TestErrorsMapToTheirAnswer(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
	}{
		{"problem", Invalid("amount", "must be positive", -1), 400, "INVALID"},
		{"wrapped problem", fmt.Errorf("create: %w", errNotFound), 404, "NOT_FOUND"},
		{"database down", fmt.Errorf("list: %w", models.ErrUnavailable), 503, "UNAVAILABLE"},
		{"duplicate", fmt.Errorf("create: %w", models.ErrConflict), 409, "CONFLICT"},
		{"no such row", fmt.Errorf("get: %w", models.ErrNotFound), 404, "NOT_FOUND"},
		{"deadline", context.DeadlineExceeded, 503, "UNAVAILABLE"},
		{"anything else", errors.New("pq: secret detail"), 500, "INTERNAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testEngine(t, 0, func(r *gin.Engine) {
				r.GET("/fail", func(c *gin.Context) { fail(c, tt.err) })
			})
			w := do(h, http.MethodGet, "/fail", "", "")
			errs := errorsOf(t, w)
			if w.Code != tt.wantStatus || len(errs) != 1 || errs[0].Code != tt.wantCode {
				t.Errorf("fail(%v) = %d %+v, want %d %s", tt.err, w.Code, errs, tt.wantStatus, tt.wantCode)
			}
			if strings.Contains(w.Body.String(), "secret") {
				t.Errorf("fail(%v) leaks the error: %s", tt.err, w.Body.String())
			}
		})
	}
}

// TestEveryRouteDeclaresAnAction: a route outside the public list must pass
// through authorize with an action, or anyone logged in could call it.
func TestEveryRouteDeclaresAnAction(t *testing.T) {
	d := Deps{Authn: struct{ RequestAuthenticator }{}, PayloadCodec: struct{ converter.PayloadCodec }{}}.withDefaults()
	r := newEngine(d)
	h := &handlers{Deps: d, actions: map[string]string{}}
	registerRoutes(r, d, h)
	for _, route := range r.Routes() {
		key := route.Method + " " + route.Path
		action, declared := h.actions[key]
		switch {
		case publicRoutes[key] && declared:
			t.Errorf("%s is public but also declares action %q", key, action)
		case !publicRoutes[key] && !declared:
			t.Errorf("%s declares no action and is not in publicRoutes", key)
		case declared && !strings.Contains(action, ":"):
			t.Errorf("%s declares action %q, want resource:verb", key, action)
		}
	}
}

// FuzzLoginBody: whatever the body, decoding the login request answers
// 400 or passes it on; it never panics or answers 500.
func FuzzLoginBody(f *testing.F) {
	f.Add(`{"login":"alice","password":"correct horse battery","tenant":"shop"}`)
	f.Add(`{"login":"a\u0000","password":{"$ne":null}}`)
	f.Add(`{"login":"a","login":"b"}`)
	f.Add(`[]`)
	h := testEngine(f, 1<<10, func(r *gin.Engine) {
		r.POST("/auth/session", func(c *gin.Context) {
			var req loginRequest
			if err := decodeJSON(c, &req); err != nil {
				fail(c, err)
				return
			}
			respond(c, http.StatusOK, req)
		})
	})
	f.Fuzz(func(t *testing.T, body string) {
		w := do(h, http.MethodPost, "/auth/session", "application/json", body)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("POST %q = %d %s", body, w.Code, w.Body.String())
		}
	})
}

// Repeated keys are refused, by Unicode case folding since encoding/json
// matches fields that way, naming the repeated key's path; the same key in two
// objects is fine.
func TestDecodeRefusesRepeatedKeys(t *testing.T) {
	h := testEngine(t, 1<<10, func(r *gin.Engine) {
		r.POST("/echo", func(c *gin.Context) {
			var v map[string]any
			if err := decodeJSON(c, &v); err != nil {
				fail(c, err)
				return
			}
			respond(c, http.StatusOK, v)
		})
	})
	tests := []struct {
		body, field string // field "" means accepted
	}{
		{`{"a":1,"b":2}`, ""},
		{`{"a":[{"b":1},{"b":2}],"c":{"b":3}}`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"priceId":"x","PRICEID":"y"}`, "PRICEID"},
		{`{"displayName":"first","diſplayName":"second"}`, "diſplayName"}, // U+017F folds to s
		{`{"Key":1,"key":2}`, "key"},                                      // the Kelvin sign folds to k
		{`{"ıd":1,"id":2}`, ""},                                           // dotless ı folds to nothing else, for encoding/json too
		{`{"p":{"gateway":"s","token":"a","token":"b"}}`, "p.token"},
		{`{"list":[{"x":1,"x":2}]}`, "list.x"},
		{`{"a":"\u0000"}`, "body"},
	}
	for _, tt := range tests {
		w := do(h, http.MethodPost, "/echo", "application/json", tt.body)
		switch {
		case tt.field == "" && w.Code != http.StatusOK:
			t.Errorf("POST %s = %d %s, want 200", tt.body, w.Code, w.Body.String())
		case tt.field != "" && (w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"field":"`+tt.field+`"`)):
			t.Errorf("POST %s = %d %s, want 400 on %s", tt.body, w.Code, w.Body.String(), tt.field)
		}
	}
}

// An object that cannot be written as JSON (a time past year 9999) is left
// out of a list, counted in meta.omitted, and is a 500 on its own, never
// an empty answer (issue 9, finding 2).
func TestUnwritableObjects(t *testing.T) {
	fine, unwritable := time.Date(2031, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	h := testEngine(t, 1<<10, func(r *gin.Engine) {
		r.GET("/list", func(c *gin.Context) { respondList(c, []time.Time{fine, unwritable, fine}, "") })
		r.GET("/one", func(c *gin.Context) { respond(c, http.StatusOK, unwritable) })
	})
	w := do(h, "GET", "/list", "", "")
	var list struct {
		Results []time.Time
		Meta    struct{ Omitted int }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || w.Code != 200 || len(list.Results) != 2 || list.Meta.Omitted != 1 {
		t.Errorf("GET /list = %d %s (%v), want the two writable items and omitted 1", w.Code, w.Body, err)
	}
	w = do(h, "GET", "/one", "", "")
	if errs := errorsOf(t, w); w.Code != 500 || len(errs) != 1 || errs[0].Code != "INTERNAL" {
		t.Errorf("GET /one = %d %s, want 500 INTERNAL", w.Code, w.Body)
	}
}
