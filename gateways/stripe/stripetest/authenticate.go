package stripetest

import (
	"html/template"
	"net/http"
	"net/url"
)

// authenticatePath, followed by a PaymentIntent's ID, is the page a
// requires_action PaymentIntent sends the payer to: stripetest's stand-in
// for the issuer's 3-D Secure challenge. GET shows it; POST with
// decision=authenticate or decision=fail answers it (CompleteAction), then
// sends the payer to the return_url with the query parameters Stripe adds
// (docs.stripe.com/payments/3d-secure/authentication-flow, "Handle the
// redirect"): payment_intent, payment_intent_client_secret and
// redirect_status.
const authenticatePath = "/stripetest/authenticate/"

var authPage = template.Must(template.New("auth").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure test page</title></head>
<body><h1>3-D Secure test page</h1>
<p>PaymentIntent {{.ID}}: {{.Amount}} {{.Currency}}, {{.Status}}.</p>
{{if eq .Status "requires_action"}}<form method="post">
<button name="decision" value="authenticate">Complete authentication</button>
<button name="decision" value="fail">Fail authentication</button>
</form>{{end}}
</body></html>
`))

func (s *Server) authenticationPage(w http.ResponseWriter, r *http.Request) {
	pi, ok := s.PaymentIntent(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = authPage.Execute(w, pi)
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) {
	decision := r.PostFormValue("decision")
	if decision != "authenticate" && decision != "fail" {
		http.Error(w, "decision must be authenticate or fail", http.StatusBadRequest)
		return
	}
	before, ok := s.PaymentIntent(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	pi, err := s.CompleteAction(before.ID, decision == "authenticate")
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if before.NextAction == nil || before.NextAction.RedirectToURL == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = authPage.Execute(w, pi)
		return
	}
	u, err := url.Parse(*before.NextAction.RedirectToURL.ReturnURL)
	if err != nil {
		http.Error(w, "return_url: "+err.Error(), http.StatusInternalServerError)
		return
	}
	q := u.Query()
	q.Set("payment_intent", pi.ID)
	q.Set("payment_intent_client_secret", pi.ClientSecret)
	q.Set("redirect_status", redirectStatus(pi.Status))
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// redirectStatus is the redirect_status Stripe reports for a PaymentIntent's
// status after the payer's action.
func redirectStatus(status string) string {
	switch status {
	case statusSucceeded, statusProcessing:
		return status
	}
	return "failed"
}
