package paypaltest

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// Buyer is a test payer: how the buyer's wallet answers a capture.
type Buyer string

// The test buyers.
const (
	// BuyerPays: the capture completes.
	BuyerPays Buyer = "pays"
	// BuyerDeclines: the capture is refused with 422 INSTRUMENT_DECLINED.
	BuyerDeclines Buyer = "declines"
	// BuyerPending: the capture stays PENDING (PENDING_REVIEW) until
	// SettleCapture.
	BuyerPending Buyer = "pending"
)

// Buyers are every test buyer.
var Buyers = []Buyer{BuyerPays, BuyerDeclines, BuyerPending}

func (b Buyer) valid() bool { return b == BuyerPays || b == BuyerDeclines || b == BuyerPending }

// Email is the buyer's PayPal login.
func (b Buyer) Email() string { return string(b) + "@buyer.example" }

// PayerID is the buyer's PayPal account ID (13 upper-case characters).
func (b Buyer) PayerID() string {
	id := strings.ToUpper("BUYER" + string(b) + "XXXXXXXXXXXXX")
	return id[:13]
}

// CheckoutPath is the server's approval page, PayPal's checkout: GET shows
// it for ?token=<order ID>; POST with token, buyer and action
// (approve|cancel) decides and redirects to the order's return or cancel
// URL.
const CheckoutPath = "/checkoutnow"

func (s *Server) checkoutURL(orderID string) string {
	return s.ts.URL + CheckoutPath + "?token=" + url.QueryEscape(orderID)
}

// ErrNotAwaitingPayer is returned by Approve for an order that is not
// waiting for its payer.
var ErrNotAwaitingPayer = errors.New("the order is not waiting for its payer")

// Approve is buyer approving the order at PayPal: the order becomes
// APPROVED, CHECKOUT.ORDER.APPROVED is reported, and the payer is sent to
// the order's return_url with token (the order ID) and PayerID, which
// Approve returns ("" for an order without one).
func (s *Server) Approve(orderID string, buyer Buyer) (string, error) {
	if !buyer.valid() {
		return "", fmt.Errorf("paypaltest: unknown buyer %q", buyer)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return "", fmt.Errorf("paypaltest: no order %s", orderID)
	}
	if o.status != statusCreated && o.status != statusPayerActionRequired {
		return "", fmt.Errorf("paypaltest: order %s is %s: %w", orderID, o.status, ErrNotAwaitingPayer)
	}
	o.status, o.buyer, o.updated = statusApproved, buyer, s.now()
	s.emit("CHECKOUT.ORDER.APPROVED", "checkout-order", "An order has been approved by buyer", s.orderJSON(o, true))
	return redirect(o.returnURL, url.Values{"token": {o.id}, "PayerID": {buyer.PayerID()}}), nil
}

// Cancel is the payer leaving PayPal without approving: the order is
// unchanged, and the payer is sent to its cancel_url with token, which
// Cancel returns.
func (s *Server) Cancel(orderID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return "", fmt.Errorf("paypaltest: no order %s", orderID)
	}
	return redirect(o.cancelURL, url.Values{"token": {o.id}}), nil
}

func redirect(base string, q url.Values) string {
	if base == "" {
		return ""
	}
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	v := u.Query()
	for k, vs := range q {
		v[k] = vs
	}
	u.RawQuery = v.Encode()
	return u.String()
}

var checkoutTemplate = template.Must(template.New("checkout").Parse(`<!doctype html>
<title>PayPal test checkout</title>
<h1>Pay {{.Amount}} {{.Currency}}</h1>
<p>Order {{.ID}}: {{.Status}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="token" value="{{.ID}}">
{{range .Buyers}}<button name="buyer" value="{{.}}">Approve as the buyer who {{.}}</button>
{{end}}<button name="action" value="cancel">Cancel and return</button>
</form>
`))

// checkoutPage shows the approval page of ?token=<order ID>.
func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("token")
	s.mu.Lock()
	o, ok := s.orders[id]
	var data map[string]any
	if ok {
		data = map[string]any{"ID": o.id, "Status": o.status, "Amount": units(o.amount.n, o.amount.decimals), "Currency": o.amount.currency, "Buyers": Buyers, "Action": CheckoutPath}
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = checkoutTemplate.Execute(w, data)
}

// checkoutDecision takes the page's form: action=cancel cancels, a buyer
// approves; either redirects (303) to where PayPal would send the payer.
func (s *Server) checkoutDecision(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("token")
	var to string
	var err error
	if r.PostFormValue("action") == "cancel" {
		to, err = s.Cancel(id)
	} else {
		to, err = s.Approve(id, Buyer(r.PostFormValue("buyer")))
	}
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
	case to == "":
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}
