package skrilltest

import (
	"crypto/md5"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/billgate/billgate/billing"
)

// Errors of the payer's and back office's methods.
var (
	ErrUnknownSession         = errors.New("skrilltest: no Quick Checkout session with this ID")
	ErrSessionClosed          = errors.New("skrilltest: the session was already paid, failed or canceled")
	ErrDuplicateTransactionID = errors.New("skrilltest: a payment with this transaction_id was already made")
	ErrUnknownTransaction     = errors.New("skrilltest: no payment with this transaction_id")
	ErrWrongStatus            = errors.New("skrilltest: the payment's status does not allow this")
	ErrUnknownDecision        = errors.New("skrilltest: the decision is none of pay, fail or cancel")
)

// checkout is a Quick Checkout session prepared with prepare_only=1.
type checkout struct {
	sid   string
	form  url.Values
	money billing.Money
	open  bool
	// payment is the payment made in the session, once the payer paid.
	payment *transaction
}

// wantsOneTap reports whether the session sets Skrill 1-Tap up.
func (c *checkout) wantsOneTap() bool { return c.form.Get("ondemand_max_amount") != "" }

// Limits of the fields posted to Quick Checkout (Quick Checkout
// Integration Guide, "Parameters to be posted to Quick Checkout", and
// "Skrill 1-Tap Payment").
var fieldLimits = map[string]int{
	"pay_to_email":          50,
	"transaction_id":        100,
	"return_url":            240,
	"cancel_url":            240,
	"status_url":            400,
	"ondemand_status_url":   400,
	"pay_from_email":        100,
	"merchant_fields":       240,
	"detail1_description":   240,
	"detail1_text":          240,
	"ondemand_note":         1000,
	"ondemand_max_currency": 3,
	"currency":              3,
	"language":              2,
}

// serveCheckout is Quick Checkout: POST with prepare_only=1 answers a
// session ID (Quick Checkout Integration Guide, "Secure redirection
// method"); GET ?sid= shows the session's page, whose form POSTs the
// payer's decision back to ?sid=.
func (s *Server) serveCheckout(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != CheckoutPath {
		http.NotFound(w, r)
		return
	}
	if sid := r.URL.Query().Get("sid"); sid != "" {
		s.servePage(w, r, sid)
		return
	}
	if r.Method != http.MethodPost {
		checkoutError(w, http.StatusMethodNotAllowed, "post the payment's parameters")
		return
	}
	if err := r.ParseForm(); err != nil {
		checkoutError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, problem := s.prepareCheckout(r.PostForm)
	if problem != "" {
		checkoutError(w, http.StatusBadRequest, problem)
		return
	}
	if r.PostForm.Get("prepare_only") != "1" {
		http.Redirect(w, r, CheckoutPath+"?sid="+c.sid, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	fmt.Fprint(w, c.sid)
}

// checkoutError answers Quick Checkout's JSON error. The guide shows no
// error body; {"code","message"} is what Skrill's gateway answers and what
// this server answers for every refused field.
func checkoutError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": "BAD_REQUEST", "message": message})
}

// prepareCheckout checks a payment's parameters and opens its session; a
// problem is said in words.
func (s *Server) prepareCheckout(f url.Values) (*checkout, string) {
	for name, limit := range fieldLimits {
		if len(f.Get(name)) > limit {
			return nil, fmt.Sprintf("%s is longer than %d characters", name, limit)
		}
	}
	if f.Get("pay_to_email") != s.opts.Email {
		return nil, fmt.Sprintf("pay_to_email %q is not a merchant account", f.Get("pay_to_email"))
	}
	cur, err := billing.ParseCurrency(f.Get("currency"))
	if err != nil || string(cur) != f.Get("currency") {
		return nil, fmt.Sprintf("currency %q is not an ISO 4217 code", f.Get("currency"))
	}
	money, ok := parseMoney(f.Get("amount"), cur)
	if !ok || !money.IsPositive() {
		return nil, fmt.Sprintf("amount %q is not a positive amount of %s", f.Get("amount"), cur)
	}
	for _, name := range []string{"return_url", "cancel_url", "status_url", "ondemand_status_url"} {
		if v := f.Get(name); v != "" && !absoluteURL(v) {
			return nil, fmt.Sprintf("%s %q is not an absolute http(s) URL", name, v)
		}
	}
	if f.Get("ondemand_max_amount") != "" {
		maxCur, err := billing.ParseCurrency(f.Get("ondemand_max_currency"))
		if err != nil || string(maxCur) != f.Get("ondemand_max_currency") {
			return nil, "ondemand_max_currency must be given with ondemand_max_amount"
		}
		if ceiling, ok := parseMoney(f.Get("ondemand_max_amount"), maxCur); !ok || !ceiling.IsPositive() {
			return nil, fmt.Sprintf("ondemand_max_amount %q is not a positive amount", f.Get("ondemand_max_amount"))
		}
		if f.Get("ondemand_note") == "" {
			return nil, "ondemand_note must be given with ondemand_max_amount"
		}
	}
	c := &checkout{sid: newSID(), form: cloneValues(f), money: money, open: true}
	s.mu.Lock()
	s.checkouts[c.sid] = c
	s.mu.Unlock()
	return c, ""
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Session is a Quick Checkout session as the server holds it.
type Session struct {
	SID string
	// Form is what the merchant posted.
	Form url.Values
	Open bool
}

// Session returns the session sid.
func (s *Server) Session(sid string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkouts[sid]
	if !ok {
		return Session{}, false
	}
	return Session{SID: sid, Form: cloneValues(c.form), Open: c.open}, true
}

// Pay is the payer paying session sid: the payment is processed (2), sets
// 1-Tap up if the session asked for it, and is posted to status_url.
func (s *Server) Pay(sid string) (Transaction, error) { return s.complete(sid, StatusProcessed, "") }

// PayPending is the payer paying session sid by a method that settles
// later (a bank transfer): the payment is pending (0) until Settle or
// Cancel.
func (s *Server) PayPending(sid string) (Transaction, error) {
	return s.complete(sid, StatusPending, "")
}

// Fail is the payer's payment in session sid failing (-2) with Skrill's
// failed_reason_code (Appendix "Failed reason codes"), e.g. "05".
func (s *Server) Fail(sid, reasonCode string) (Transaction, error) {
	return s.complete(sid, StatusFailed, reasonCode)
}

func (s *Server) complete(sid string, status int, reason string) (Transaction, error) {
	s.mu.Lock()
	c, ok := s.checkouts[sid]
	switch {
	case !ok:
		s.mu.Unlock()
		return Transaction{}, ErrUnknownSession
	case !c.open:
		s.mu.Unlock()
		return Transaction{}, ErrSessionClosed
	}
	trnID := c.form.Get("transaction_id")
	if p, ok := s.payments[trnID]; ok && trnID != "" && p.status != StatusFailed && p.status != StatusCancelled {
		s.mu.Unlock()
		return Transaction{}, fmt.Errorf("%w: %s", ErrDuplicateTransactionID, trnID)
	}
	payFrom := c.form.Get("pay_from_email")
	if payFrom == "" {
		payFrom = "payer@example.com"
	}
	t := &transaction{
		mbID:          s.newID(),
		transactionID: trnID,
		money:         c.money,
		amount:        c.form.Get("amount"),
		status:        status,
		failedReason:  reason,
		payFrom:       payFrom,
		customerID:    s.newID(),
		statusURL:     c.form.Get("status_url"),
		fields:        merchantFields(c.form),
	}
	c.open, c.payment = false, t
	s.record(t)
	if status == StatusProcessed {
		s.setUpOneTap(t, c)
	}
	target, form := s.statusPost(t)
	view := t.view()
	s.mu.Unlock()
	s.deliver(target, form)
	return view, nil
}

// record keeps a new transaction. Callers hold s.mu.
func (s *Server) record(t *transaction) {
	s.byMBID[t.mbID] = t
	if t.refundOf == nil && t.transactionID != "" {
		s.payments[t.transactionID] = t
	}
}

// merchantFields are the fields merchant_fields names, with their values.
func merchantFields(f url.Values) url.Values {
	out := url.Values{}
	for name := range strings.SplitSeq(f.Get("merchant_fields"), ",") {
		if name = strings.TrimSpace(name); name != "" && f.Has(name) {
			out[name] = append([]string(nil), f[name]...)
		}
	}
	return out
}

// Cancel is the payer canceling in session sid. A pending payment of the
// session becomes cancelled (-1) and is posted; a session not paid yet
// closes with no payment, and nothing is posted: Skrill only sends the
// payer to cancel_url.
func (s *Server) Cancel(sid string) error {
	s.mu.Lock()
	c, ok := s.checkouts[sid]
	switch {
	case !ok:
		s.mu.Unlock()
		return ErrUnknownSession
	case c.open:
		c.open = false
		s.mu.Unlock()
		return nil
	case c.payment == nil || c.payment.status != StatusPending:
		s.mu.Unlock()
		return ErrSessionClosed
	}
	c.payment.status = StatusCancelled
	target, form := s.statusPost(c.payment)
	s.mu.Unlock()
	s.deliver(target, form)
	return nil
}

// Settle is a pending payment being paid: it becomes processed (2), sets
// 1-Tap up if its session asked for it, and is posted.
func (s *Server) Settle(transactionID string) (Transaction, error) {
	return s.change(transactionID, StatusPending, StatusProcessed)
}

// Chargeback is the payer's bank taking a processed payment back: it
// becomes a chargeback (-3) and is posted.
func (s *Server) Chargeback(transactionID string) (Transaction, error) {
	return s.change(transactionID, StatusProcessed, StatusChargeback)
}

func (s *Server) change(transactionID string, from, to int) (Transaction, error) {
	s.mu.Lock()
	t, ok := s.payments[transactionID]
	switch {
	case !ok:
		s.mu.Unlock()
		return Transaction{}, fmt.Errorf("%w: %s", ErrUnknownTransaction, transactionID)
	case t.status != from:
		s.mu.Unlock()
		return Transaction{}, fmt.Errorf("%w: %s is %d, not %d", ErrWrongStatus, transactionID, t.status, from)
	}
	t.status = to
	if to == StatusProcessed {
		for _, c := range s.checkouts {
			if c.payment == t {
				s.setUpOneTap(t, c)
			}
		}
	}
	target, form := s.statusPost(t)
	view := t.view()
	s.mu.Unlock()
	s.deliver(target, form)
	return view, nil
}

// Transaction returns the latest payment under the merchant's
// transaction_id.
func (s *Server) Transaction(transactionID string) (Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.payments[transactionID]
	if !ok {
		return Transaction{}, false
	}
	return t.view(), true
}

// Refunds lists the refunds of the payment under transactionID, oldest
// first.
func (s *Server) Refunds(transactionID string) []Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Transaction
	for _, t := range s.byMBID {
		if t.refundOf != nil && t.refundOf.transactionID == transactionID {
			out = append(out, t.view())
		}
	}
	sortByMBID(out)
	return out
}

var page = template.Must(template.New("checkout").Parse(`<!doctype html>
<html><head><title>Skrill Quick Checkout (test)</title></head><body>
<h1>Pay {{.Amount}} {{.Currency}} to {{.Merchant}}</h1>
{{with .Detail}}<p>{{.}}</p>{{end}}
{{if .Open}}<form method="post">
<button name="decision" value="pay">Pay</button>
<button name="decision" value="fail">Fail</button>
<button name="decision" value="cancel">Cancel</button>
</form>{{else}}<p>This session is closed.</p>{{end}}
</body></html>`))

// The payer's decisions on a session's page.
const (
	DecisionPay    = "pay"
	DecisionFail   = "fail"
	DecisionCancel = "cancel"
)

// Decide is the payer deciding on session sid's page (DecisionPay,
// DecisionFail with reason 04, or DecisionCancel), and returns where Skrill
// then sends the payer ("Parameters to be posted to Quick Checkout"):
// return_url once the payment is made, cancel_url when it is canceled or
// fails; empty when the merchant gave none.
func (s *Server) Decide(sid, decision string) (string, error) {
	sess, ok := s.Session(sid)
	if !ok {
		return "", ErrUnknownSession
	}
	var err error
	switch decision {
	case DecisionPay:
		if _, err = s.Pay(sid); err == nil {
			return s.returnURL(sess.Form), nil
		}
	case DecisionFail:
		_, err = s.Fail(sid, "04")
	case DecisionCancel:
		err = s.Cancel(sid)
	default:
		return "", fmt.Errorf("%w: %q", ErrUnknownDecision, decision)
	}
	if err != nil {
		return "", err
	}
	return sess.Form.Get("cancel_url"), nil
}

// returnURL is the session's return_url, with transaction_id and msid
// added when the secure return URL is on: msid is the MD5 of merchant_id,
// transaction_id and the upper-case MD5 of the secret word, in lower-case
// hex as the guide's example shows it. The merchant's own parameters stay.
func (s *Server) returnURL(form url.Values) string {
	back := form.Get("return_url")
	if back == "" || !s.opts.SecureReturnURL {
		return back
	}
	trn := form.Get("transaction_id")
	msid := strings.ToLower(digest(md5.New, s.opts.MerchantID+trn+digest(md5.New, s.opts.SecretWord)))
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	return back + sep + url.Values{"transaction_id": {trn}, "msid": {msid}}.Encode()
}

// servePage shows session sid (GET) or takes the payer's decision (POST
// decision=pay|fail|cancel, see Decide), then sends the payer back to the
// merchant.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, sid string) {
	sess, ok := s.Session(sid)
	if !ok {
		http.Error(w, ErrUnknownSession.Error(), http.StatusNotFound)
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		page.Execute(w, map[string]any{
			"Amount": sess.Form.Get("amount"), "Currency": sess.Form.Get("currency"),
			"Merchant": s.opts.Email, "Detail": sess.Form.Get("detail1_text"), "Open": sess.Open,
		})
		return
	}
	back, err := s.Decide(sid, r.PostFormValue("decision"))
	switch {
	case errors.Is(err, ErrUnknownDecision):
		http.Error(w, "decision must be pay, fail or cancel", http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case back == "":
		fmt.Fprint(w, "Done.")
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
