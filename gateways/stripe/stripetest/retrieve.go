package stripetest

import "net/http"

// get answers GET /v1/<objects>/{id} from one of the state's maps.
func get[T any](r *request, objects map[string]*T, name string) response {
	if err := r.form.check(); err != nil {
		return *err
	}
	obj, ok := objects[r.pathID]
	if !ok {
		return missing(http.StatusNotFound, "id", name, r.pathID)
	}
	return ok200(obj)
}

func (s *Server) getCharge(r *request) response   { return get(r, s.state.charges, "charge") }
func (s *Server) getRefund(r *request) response   { return get(r, s.state.refunds, "refund") }
func (s *Server) getDispute(r *request) response  { return get(r, s.state.disputes, "dispute") }
func (s *Server) getCustomer(r *request) response { return get(r, s.state.customers, "customer") }

func (s *Server) getPaymentIntent(r *request) response {
	return get(r, s.state.intents, "payment_intent")
}
