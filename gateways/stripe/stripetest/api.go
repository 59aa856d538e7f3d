package stripetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// request is an API request as handlers see it.
type request struct {
	method, path   string
	form           *form
	idempotencyKey string
	id             string // the Request-Id of the answer
	now            time.Time
	pathID         string // {id} of the path
}

type handler func(s *Server, r *request) response

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	api := map[string]handler{
		"POST /v1/customers":                   (*Server).createCustomer,
		"GET /v1/customers/{id}":               (*Server).getCustomer,
		"GET /v1/payment_methods/{id}":         (*Server).getPaymentMethod,
		"POST /v1/payment_methods/{id}/attach": (*Server).attachPaymentMethod,
		"POST /v1/payment_intents":             (*Server).createPaymentIntent,
		"GET /v1/payment_intents/search":       (*Server).searchPaymentIntents,
		"GET /v1/payment_intents/{id}":         (*Server).getPaymentIntent,
		"POST /v1/payment_intents/{id}/cancel": (*Server).cancelPaymentIntent,
		"POST /v1/refunds":                     (*Server).createRefund,
		"GET /v1/refunds":                      (*Server).listRefunds,
		"GET /v1/refunds/{id}":                 (*Server).getRefund,
		"GET /v1/charges/{id}":                 (*Server).getCharge,
		"GET /v1/disputes/{id}":                (*Server).getDispute,
		"GET /v1/events/{id}":                  (*Server).getEvent,
	}
	for pattern, h := range api {
		m.Handle(pattern, s.api(h))
	}
	m.HandleFunc("GET "+authenticatePath+"{id}", s.authenticationPage)
	m.HandleFunc("POST "+authenticatePath+"{id}", s.authenticate)
	m.Handle("/", s.api(func(_ *Server, r *request) response {
		return response{status: http.StatusNotFound, body: errorBody{&Error{Type: typeInvalidRequest,
			Message: fmt.Sprintf("Unrecognized request URL (%s: %s).", r.method, r.path)}}}
	}))
	return m
}

// api serves one API request: authentication, stripe-mock's validation,
// the idempotency layer, then the handler under the server's lock.
func (s *Server) api(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		body, err := io.ReadAll(hr.Body)
		if err != nil {
			write(w, "", response{status: http.StatusBadRequest, body: errorBody{&Error{Type: typeInvalidRequest, Message: "unreadable body: " + err.Error()}}})
			return
		}
		r := &request{method: hr.Method, path: hr.URL.Path, id: newID("req"), pathID: hr.PathValue("id"),
			idempotencyKey: hr.Header.Get("Idempotency-Key")}
		if resp := s.authorize(hr.Header.Get("Authorization")); resp != nil {
			write(w, r.id, *resp)
			return
		}
		if s.opts.StripeMock != "" {
			if resp := s.validate(hr, body); resp != nil {
				write(w, r.id, *resp)
				return
			}
		}
		raw := hr.URL.RawQuery
		if hr.Method == http.MethodPost {
			if ct := hr.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") && len(body) > 0 {
				write(w, r.id, paramError("", "Invalid request: the body must be application/x-www-form-urlencoded, not %q", ct))
				return
			}
			raw = string(body)
		}
		values, err := url.ParseQuery(raw)
		if err != nil {
			write(w, r.id, paramError("", "Invalid request: %v", err))
			return
		}
		r.form = newForm(values)

		s.mu.Lock()
		defer s.mu.Unlock()
		r.now = s.now()
		resp, replayed := s.idempotent(r, values, h)
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		if r.idempotencyKey != "" && hr.Method == http.MethodPost {
			w.Header().Set("Idempotency-Key", r.idempotencyKey)
		}
		write(w, r.id, resp)
	})
}

// authorize checks the API key, sent as Bearer (stripe-go) or as Basic's
// user name (curl -u sk_test_…:) (docs.stripe.com/api/authentication).
func (s *Server) authorize(header string) *response {
	key, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		if b, isBasic := strings.CutPrefix(header, "Basic "); isBasic {
			dec, _ := base64.StdEncoding.DecodeString(b)
			key, _, _ = strings.Cut(string(dec), ":")
		}
	}
	var r response
	switch {
	case key == "":
		r = unauthorized("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
	case s.opts.SecretKey != "" && key != s.opts.SecretKey,
		s.opts.SecretKey == "" && !strings.HasPrefix(key, "sk_test_") && !strings.HasPrefix(key, "rk_test_"):
		r = unauthorized("Invalid API Key provided: %s", redact(key))
	default:
		return nil
	}
	return &r
}

// redact shows a key as Stripe's error does: its prefix and last four.
func redact(key string) string {
	if len(key) <= 12 {
		return strings.Repeat("*", len(key))
	}
	return key[:8] + strings.Repeat("*", len(key)-12) + key[len(key)-4:]
}

func write(w http.ResponseWriter, requestID string, r response) {
	b, err := json.MarshalIndent(r.body, "", "  ")
	if err != nil {
		r.status, b = http.StatusInternalServerError, []byte(`{"error":{"type":"api_error","message":"stripetest: `+err.Error()+`"}}`)
	}
	writeRaw(w, requestID, r.status, b)
}

func writeRaw(w http.ResponseWriter, requestID string, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Stripe-Version", APIVersion)
	if requestID != "" {
		w.Header().Set("Request-Id", requestID)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
