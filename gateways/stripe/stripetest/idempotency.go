package stripetest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// Stripe's idempotency layer (docs.stripe.com/api/idempotent_requests):
// a POST with an Idempotency-Key saves its result, status and body; a
// repeat with the same key and the same parameters gets the saved result,
// whatever it was, and one with other parameters, or to another endpoint,
// an idempotency_error. Keys are at most 255 characters and may be pruned
// after 24 hours; stripetest prunes them at 24 hours. GET requests are
// idempotent by nature and ignore the key. Results of requests refused by
// validation are not saved, so that a corrected retry may reuse the key.

// MaxIdempotencyKeyLen is Stripe's limit on an idempotency key.
const MaxIdempotencyKeyLen = 255

// IdempotencyKeyTTL is how long a key's result is kept.
const IdempotencyKeyTTL = 24 * time.Hour

// idempotent is the saved result of a key.
type idempotent struct {
	endpoint string // "POST /v1/payment_intents"
	params   string // the parameters, encoded in key order
	resp     response
	at       time.Time
}

// idempotent runs h for r through the idempotency layer; replayed reports a
// saved answer.
func (s *Server) idempotent(r *request, params url.Values, h handler) (resp response, replayed bool) {
	if r.idempotencyKey == "" || r.method != http.MethodPost {
		return h(s, r), false
	}
	if len(r.idempotencyKey) > MaxIdempotencyKeyLen {
		return paramError("", "Idempotency-Key is %d characters; keys are at most %d.", len(r.idempotencyKey), MaxIdempotencyKeyLen), false
	}
	endpoint, encoded := r.method+" "+r.path, params.Encode()
	if saved, ok := s.idempotency[r.idempotencyKey]; ok && r.now.Sub(saved.at) < IdempotencyKeyTTL {
		switch {
		case saved.endpoint != endpoint:
			return idempotencyError("Keys for idempotent requests can only be used for the same endpoint they were first used for ('" +
				saved.endpoint + "' vs '" + endpoint + "'). Try using a key other than '" + r.idempotencyKey + "' if you meant to execute a different request."), false
		case saved.params != encoded:
			return idempotencyError("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '" +
				r.idempotencyKey + "' if you meant to execute a different request."), false
		}
		return saved.resp, true
	}
	resp = h(s, r)
	if resp.saved {
		// The body as it is now: a replay answers what the first request
		// answered, not the object as it has become since.
		if b, err := json.Marshal(resp.body); err == nil {
			resp.body = json.RawMessage(b)
			s.idempotency[r.idempotencyKey] = &idempotent{endpoint: endpoint, params: encoded, resp: resp, at: r.now}
		}
	}
	return resp, false
}

func idempotencyError(msg string) response {
	return response{status: http.StatusBadRequest, body: errorBody{&Error{Type: typeIdempotency, Message: msg}}}
}
