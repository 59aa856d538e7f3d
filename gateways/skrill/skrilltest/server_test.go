package skrilltest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver records the status posts it gets, answering 500 to the first
// refuse of them.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	posts  []url.Values
	refuse int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.posts = append(rc.posts, r.PostForm)
		if rc.refuse > 0 {
			rc.refuse--
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) last(t *testing.T) url.Values {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.posts) == 0 {
		t.Fatal("nothing was posted")
	}
	return rc.posts[len(rc.posts)-1]
}

func newServer(t *testing.T, opts Options) *Server {
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

func post(t *testing.T, s *Server, path string, form url.Values) (int, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(s.URL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(b)
}

func checkoutForm(statusURL string) url.Values {
	return url.Values{
		"pay_to_email":   {"merchant@example.com"},
		"prepare_only":   {"1"},
		"transaction_id": {"A205220"},
		"amount":         {"25.46"},
		"currency":       {"GBP"},
		"status_url":     {statusURL},
		"return_url":     {"https://shop.example/back"},
		"cancel_url":     {"https://shop.example/cancel"},
	}
}

func prepare(t *testing.T, s *Server, f url.Values) string {
	t.Helper()
	code, body := post(t, s, CheckoutPath, f)
	if code != http.StatusOK || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(body) {
		t.Fatalf("prepare = %d %q, want a 32-hex SID", code, body)
	}
	return body
}

func with(f url.Values, edit func(url.Values)) url.Values {
	c := cloneValues(f)
	edit(c)
	return c
}

// Quick Checkout, "Parameters to be posted to Quick Checkout": a prepare
// with a field Skrill refuses is a JSON error.
func TestCheckoutPrepareValidation(t *testing.T) {
	s := newServer(t, Options{})
	base := checkoutForm("https://shop.example/status")
	tests := map[string]func(url.Values){
		"another merchant":        func(f url.Values) { f.Set("pay_to_email", "x@example.com") },
		"no amount":               func(f url.Values) { f.Del("amount") },
		"amount too precise":      func(f url.Values) { f.Set("amount", "25.461") },
		"amount negative":         func(f url.Values) { f.Set("amount", "-1") },
		"currency lower case":     func(f url.Values) { f.Set("currency", "gbp") },
		"transaction_id too long": func(f url.Values) { f.Set("transaction_id", strings.Repeat("t", 101)) },
		"status_url relative":     func(f url.Values) { f.Set("status_url", "/status") },
		"return_url too long":     func(f url.Values) { f.Set("return_url", "https://shop.example/"+strings.Repeat("r", 230)) },
		"1-Tap without currency":  func(f url.Values) { f.Set("ondemand_max_amount", "30"); f.Set("ondemand_note", "n") },
		"1-Tap without note":      func(f url.Values) { f.Set("ondemand_max_amount", "30"); f.Set("ondemand_max_currency", "GBP") },
	}
	for name, edit := range tests {
		code, body := post(t, s, CheckoutPath, with(base, edit))
		var e struct{ Code, Message string }
		if code != http.StatusBadRequest || json.Unmarshal([]byte(body), &e) != nil || e.Code != "BAD_REQUEST" || e.Message == "" {
			t.Errorf("prepare(%s) = %d %s, want 400 with a JSON error", name, code, body)
		}
	}
	if code, loc := post(t, s, CheckoutPath, with(base, func(f url.Values) { f.Del("prepare_only") })); code != http.StatusFound || !strings.HasPrefix(loc, "/?sid=") {
		t.Errorf("post without prepare_only = %d %q, want a redirect to the page", code, loc)
	}
}

// The status post carries the guide's fields, signed: the md5sig and
// sha2sig below were computed with Python's hashlib for secret word
// "secret" (see the adapter's signature tests).
func TestPayPostsASignedStatus(t *testing.T) {
	rc := newReceiver(t)
	s := newServer(t, Options{SecretWord: "secret", SHA2: true})
	sid := prepare(t, s, with(checkoutForm(rc.srv.URL), func(f url.Values) {
		f.Set("merchant_fields", "order,empty")
		f.Set("order", "42")
	}))
	tr, err := s.Pay(sid)
	if err != nil || tr.Status != StatusProcessed || tr.TransactionID != "A205220" {
		t.Fatalf("Pay = %+v, %v", tr, err)
	}
	got := rc.last(t)
	want := map[string]string{
		"pay_to_email": "merchant@example.com", "merchant_id": "100005", "transaction_id": "A205220",
		"mb_transaction_id": tr.MBTransactionID, "mb_amount": "25.46", "mb_currency": "GBP", "status": "2",
		"amount": "25.46", "currency": "GBP", "order": "42",
		"md5sig":  "1C75B4AF2CC00735EE217F14B69F195C",
		"sha2sig": "65F092EBDF46BFCCAF62B27BE2FE84784B018F6633C700C6382CB9268FF84EF9",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("posted %s = %q, want %q", k, got.Get(k), v)
		}
	}
	if got.Has("empty") || got.Has("rec_payment_id") || got.Has("failed_reason_code") {
		t.Errorf("post %v has fields it should not", got)
	}
	if _, err := s.Pay(sid); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Pay again = %v, want ErrSessionClosed", err)
	}
	if _, err := s.Pay("nope"); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("Pay(unknown) = %v", err)
	}
	sid2 := prepare(t, s, checkoutForm(rc.srv.URL))
	if _, err := s.Pay(sid2); !errors.Is(err, ErrDuplicateTransactionID) {
		t.Errorf("second payment of A205220 = %v, want ErrDuplicateTransactionID", err)
	}
}

// Skrill posts until it gets 200, at most MaxDeliveries times.
func TestDeliveriesRetry(t *testing.T) {
	rc := newReceiver(t)
	rc.refuse = 2
	s := newServer(t, Options{MaxDeliveries: 4})
	if _, err := s.Pay(prepare(t, s, checkoutForm(rc.srv.URL))); err != nil {
		t.Fatal(err)
	}
	if d := s.Deliveries()[0]; !d.Delivered() || d.Attempts != 3 {
		t.Errorf("delivery = %+v, want delivered at the third attempt", d)
	}
	rc.refuse = 10
	if _, err := s.Fail(prepare(t, s, with(checkoutForm(rc.srv.URL), func(f url.Values) { f.Set("transaction_id", "B1") })), "05"); err != nil {
		t.Fatal(err)
	}
	if d := s.Deliveries()[1]; d.Delivered() || d.Attempts != 4 || d.Form.Get("failed_reason_code") != "05" || d.Form.Get("status") != "-2" {
		t.Errorf("delivery = %+v, want 4 refused attempts of a failed payment", d)
	}
}

func TestPayerAndBackOffice(t *testing.T) {
	rc := newReceiver(t)
	s := newServer(t, Options{})
	form := func(id string) url.Values {
		return with(checkoutForm(rc.srv.URL), func(f url.Values) { f.Set("transaction_id", id) })
	}
	if err := s.Cancel(prepare(t, s, form("abandoned"))); err != nil {
		t.Errorf("Cancel(unpaid) = %v", err)
	}
	if len(s.Deliveries()) != 0 {
		t.Error("canceling an unpaid session posted a status")
	}
	sid := prepare(t, s, form("pending"))
	if _, err := s.PayPending(sid); err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(sid); err != nil || rc.last(t).Get("status") != "-1" {
		t.Errorf("Cancel(pending) = %v, posted %v; want status -1", err, rc.last(t))
	}
	if err := s.Cancel(sid); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Cancel again = %v", err)
	}
	if _, err := s.Settle("pending"); !errors.Is(err, ErrWrongStatus) {
		t.Errorf("Settle(cancelled) = %v, want ErrWrongStatus", err)
	}
	if _, err := s.Chargeback("nope"); !errors.Is(err, ErrUnknownTransaction) {
		t.Errorf("Chargeback(unknown) = %v", err)
	}
	sid = prepare(t, s, form("paid"))
	s.Pay(sid)
	if tr, err := s.Chargeback("paid"); err != nil || tr.Status != StatusChargeback || rc.last(t).Get("status") != "-3" {
		t.Errorf("Chargeback = %+v, %v", tr, err)
	}
}

// The page lets a person (or a browser test) decide, then goes back to the
// merchant.
func TestCheckoutPage(t *testing.T) {
	s := newServer(t, Options{})
	sid := prepare(t, s, with(checkoutForm(""), func(f url.Values) { f.Del("status_url"); f.Set("detail1_text", "Pro plan") }))
	resp, err := http.Get(s.URL() + "/?sid=" + sid)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "25.46 GBP") || !strings.Contains(string(b), "Pro plan") || !strings.Contains(string(b), `value="pay"`) {
		t.Errorf("page = %s", b)
	}
	if code, loc := post(t, s, "/?sid="+sid, url.Values{"decision": {"pay"}}); code != http.StatusSeeOther || loc != "https://shop.example/back" {
		t.Errorf("pay on the page = %d %q", code, loc)
	}
	if code, _ := post(t, s, "/?sid="+sid, url.Values{"decision": {"pay"}}); code != http.StatusConflict {
		t.Errorf("paying a closed session = %d, want 409", code)
	}
	sid = prepare(t, s, with(checkoutForm(""), func(f url.Values) { f.Set("transaction_id", "C1") }))
	if code, loc := post(t, s, "/?sid="+sid, url.Values{"decision": {"cancel"}}); code != http.StatusSeeOther || loc != "https://shop.example/cancel" {
		t.Errorf("cancel on the page = %d %q", code, loc)
	}
	if code, _ := post(t, s, "/?sid="+sid, url.Values{"decision": {"maybe"}}); code != http.StatusBadRequest {
		t.Errorf("unknown decision = %d", code)
	}
	if resp, _ := http.Get(s.URL() + "/?sid=nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("page of an unknown session = %d", resp.StatusCode)
	}
}

func mqi(action string, extra url.Values) url.Values {
	f := url.Values{"email": {"merchant@example.com"}, "password": {lowerMD5("mqi-pass1")}, "action": {action}}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// Merchant Query Interface: text answers, "<code>\t\t<message>".
func TestMQI(t *testing.T) {
	rc := newReceiver(t)
	s := newServer(t, Options{})
	tr, _ := s.Pay(prepare(t, s, checkoutForm(rc.srv.URL)))
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"wrong password", with(mqi("status_trn", url.Values{"trn_id": {"A205220"}}), func(f url.Values) { f.Set("password", lowerMD5("other")) }), "401\t\t"},
		{"upper-case password hash", with(mqi("status_trn", url.Values{"trn_id": {"A205220"}}), func(f url.Values) { f.Set("password", strings.ToUpper(lowerMD5("mqi-pass1"))) }), "401\t\t"},
		{"unknown action", mqi("status_od", url.Values{"trn_id": {"A205220"}}), "400\t\t"},
		{"no ID", mqi("status_trn", nil), "400\t\t"},
		{"unknown transaction", mqi("status_trn", url.Values{"trn_id": {"Z9"}}), "403\t\tTransaction not found: Z9"},
		{"by trn_id", mqi("status_trn", url.Values{"trn_id": {"A205220"}}), "200\t\tOK\n"},
		{"by mb_trn_id", mqi("status_trn", url.Values{"mb_trn_id": {tr.MBTransactionID}}), "200\t\tOK\n"},
	}
	for _, tt := range tests {
		code, body := post(t, s, QueryPath, tt.form)
		if code != http.StatusOK || !strings.HasPrefix(body, tt.want) {
			t.Errorf("MQI(%s) = %d %q, want %q…", tt.name, code, body, tt.want)
		}
	}
	_, body := post(t, s, QueryPath, mqi("status_trn", url.Values{"trn_id": {"A205220"}}))
	report, err := url.ParseQuery(strings.SplitN(body, "\n", 2)[1])
	if err != nil || report.Get("status") != "2" || report.Get("md5sig") != rc.last(t).Get("md5sig") {
		t.Errorf("status_trn report = %v, %v; want the posted status", report, err)
	}
	if _, body := post(t, s, QueryPath, mqi("repost", url.Values{"trn_id": {"A205220"}})); body != "200\t\tOK" || len(s.Deliveries()) != 2 {
		t.Errorf("repost = %q with %d deliveries, want the status posted again", body, len(s.Deliveries()))
	}
}

func api(action string, extra url.Values) url.Values { return mqi(action, extra) }

func apiError(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<error_msg>([A-Z_]+)</error_msg>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func sidIn(body string) string {
	m := regexp.MustCompile(`<sid>([0-9a-f]{32})</sid>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// "Refunds": prepare, then refund, each answering XML.
func TestRefunds(t *testing.T) {
	rc := newReceiver(t)
	s := newServer(t, Options{})
	s.Pay(prepare(t, s, checkoutForm(rc.srv.URL)))
	pending := prepare(t, s, with(checkoutForm(rc.srv.URL), func(f url.Values) { f.Set("transaction_id", "P1") }))
	s.PayPending(pending)
	refusals := []struct {
		name string
		form url.Values
		want string
	}{
		{"no login", url.Values{"action": {"prepare"}, "transaction_id": {"A205220"}}, ErrCodeLoginInvalid},
		{"wrong password", with(api("prepare", url.Values{"transaction_id": {"A205220"}}), func(f url.Values) { f.Set("password", "x") }), ErrCodeCannotLogin},
		{"no action", with(api("", nil), func(f url.Values) { f.Del("action") }), ErrCodeInvalidAction},
		{"unknown transaction", api("prepare", url.Values{"transaction_id": {"Z9"}}), ErrCodeTransactionNotFound},
		{"pending payment", api("prepare", url.Values{"transaction_id": {"P1"}}), ErrCodeNotRefundable},
		{"above the payment", api("prepare", url.Values{"transaction_id": {"A205220"}, "amount": {"25.47"}}), ErrCodeAmountAboveRemaining},
		{"bad amount", api("prepare", url.Values{"transaction_id": {"A205220"}, "amount": {"1.001"}}), ErrCodeMissingAmount},
		{"unknown session", url.Values{"action": {"refund"}, "sid": {"0123"}}, ErrCodeSessionExpired},
	}
	for _, tt := range refusals {
		if _, body := post(t, s, RefundPath, tt.form); apiError(t, body) != tt.want {
			t.Errorf("refund.pl(%s) = %s, want %s", tt.name, body, tt.want)
		}
	}
	_, body := post(t, s, RefundPath, api("prepare", url.Values{
		"transaction_id": {"A205220"}, "amount": {"5.46"}, "refund_status_url": {rc.srv.URL},
		"merchant_fields": {"ref"}, "ref": {"r1"},
	}))
	sid := sidIn(body)
	_, body = post(t, s, RefundPath, url.Values{"action": {"refund"}, "sid": {sid}})
	for _, want := range []string{"<mb_amount>5.460000</mb_amount>", "<mb_currency>GBP</mb_currency>", "<status>2</status>", "<transaction_id>A205220</transaction_id>", "<merchant_id>100005</merchant_id>"} {
		if !strings.Contains(body, want) {
			t.Errorf("refund answer %s lacks %s", body, want)
		}
	}
	if p := rc.last(t); p.Get("ref") != "r1" || p.Get("mb_amount") != "5.46" || p.Get("transaction_id") != "A205220" {
		t.Errorf("refund status post = %v", p)
	}
	if _, body := post(t, s, RefundPath, url.Values{"action": {"refund"}, "sid": {sid}}); apiError(t, body) != ErrCodeSessionExpired {
		t.Errorf("a session used twice = %s", body)
	}
	_, body = post(t, s, RefundPath, api("prepare", url.Values{"transaction_id": {"A205220"}}))
	post(t, s, RefundPath, url.Values{"action": {"refund"}, "sid": {sidIn(body)}})
	if _, body := post(t, s, RefundPath, api("prepare", url.Values{"transaction_id": {"A205220"}})); apiError(t, body) != ErrCodeAlreadyRefunded {
		t.Errorf("refunding a refunded payment = %s, want ALREADY_REFUNDED", body)
	}
	if rs := s.Refunds("A205220"); len(rs) != 2 || rs[1].Amount.Amount != 2000 {
		t.Errorf("refunds = %+v, want 5.46 then the remaining 20.00", rs)
	}
}

// "Skrill 1-Tap": prepare checks the payment, request takes it.
func TestOneTap(t *testing.T) {
	rc := newReceiver(t)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newServer(t, Options{Clock: func() time.Time { return clock }})
	s.Pay(prepare(t, s, with(checkoutForm(rc.srv.URL), func(f url.Values) {
		f.Set("ondemand_max_amount", "30")
		f.Set("ondemand_max_currency", "GBP")
		f.Set("ondemand_note", "Renewals")
		f.Set("ondemand_status_url", rc.srv.URL)
	})))
	rec := rc.last(t).Get("rec_payment_id")
	if rec == "" {
		t.Fatal("the first payment set no 1-Tap up")
	}
	pay := func(extra url.Values) url.Values {
		f := api("prepare", url.Values{"amount": {"10"}, "currency": {"GBP"}, "rec_payment_id": {rec}, "frn_trn_id": {"R1"}, "ondemand_status_url": {rc.srv.URL}})
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	refusals := []struct {
		name string
		form url.Values
		want string
	}{
		{"no login", with(pay(nil), func(f url.Values) { f.Del("email") }), ErrCodeLoginInvalid},
		{"no currency", with(pay(nil), func(f url.Values) { f.Del("currency") }), ErrCodeMissingCurrency},
		{"no amount", with(pay(nil), func(f url.Values) { f.Del("amount") }), ErrCodeMissingAmount},
		{"malformed rec_payment_id", pay(url.Values{"rec_payment_id": {"x1"}}), ErrCodeInvalidRecPaymnt},
		{"unknown rec_payment_id", pay(url.Values{"rec_payment_id": {"1"}}), ErrCodeOneTapInvalid},
		{"above the maximum", pay(url.Values{"amount": {"30.01"}}), ErrCodeMaxAmount},
		{"unknown session", url.Values{"action": {"request"}, "sid": {"0"}}, ErrCodeSessionExpired},
		{"no action", pay(url.Values{"action": {"pay"}}), ErrCodeInvalidAction},
	}
	for _, tt := range refusals {
		if _, body := post(t, s, OneTapPath, tt.form); apiError(t, body) != tt.want {
			t.Errorf("ondemand_request.pl(%s) = %s, want %s", tt.name, body, tt.want)
		}
	}
	_, body := post(t, s, OneTapPath, pay(nil))
	_, body = post(t, s, OneTapPath, url.Values{"action": {"request"}, "sid": {sidIn(body)}})
	if !strings.Contains(body, "<status>2</status>") || !strings.Contains(body, "<amount>10</amount>") || rc.last(t).Get("transaction_id") != "R1" {
		t.Errorf("request = %s, post %v", body, rc.last(t))
	}
	_, body = post(t, s, OneTapPath, pay(nil))
	if _, body = post(t, s, OneTapPath, url.Values{"action": {"request"}, "sid": {sidIn(body)}}); apiError(t, body) != ErrCodeRequestFailed {
		t.Errorf("a second payment of frn_trn_id R1 = %s", body)
	}
	_, body = post(t, s, OneTapPath, pay(url.Values{"frn_trn_id": {"R2"}}))
	clock = clock.Add(sessionLifetime + time.Second)
	if _, body = post(t, s, OneTapPath, url.Values{"action": {"request"}, "sid": {sidIn(body)}}); apiError(t, body) != ErrCodeSessionExpired {
		t.Errorf("request after 15 minutes = %s", body)
	}
	if err := s.DeclineNextOneTap(rec, "SESSION_EXPIRED"); err == nil {
		t.Error("DeclineNextOneTap took an error that refuses no payment")
	}
	if err := s.CancelOneTap(rec); err != nil || rc.last(t).Get("rec_payment_id") != rec || rc.last(t).Get("md5sig") == "" {
		t.Errorf("CancelOneTap = %v, posted %v", err, rc.last(t))
	}
	if _, body := post(t, s, OneTapPath, pay(url.Values{"frn_trn_id": {"R3"}})); apiError(t, body) != ErrCodeOneTapCancelled {
		t.Errorf("prepare after the payer canceled = %s", body)
	}
}

func TestFaults(t *testing.T) {
	s := newServer(t, Options{})
	s.FailNext(QueryPath, http.StatusServiceUnavailable)
	if code, _ := post(t, s, QueryPath, mqi("status_trn", url.Values{"trn_id": {"x"}})); code != http.StatusServiceUnavailable {
		t.Errorf("injected failure = %d", code)
	}
	if code, _ := post(t, s, QueryPath, mqi("status_trn", url.Values{"trn_id": {"x"}})); code != http.StatusOK {
		t.Errorf("after the failure = %d", code)
	}
	s.LoseNextAnswer(CheckoutPath)
	if _, err := http.PostForm(s.URL()+CheckoutPath, checkoutForm("")); err == nil {
		t.Error("a lost answer arrived")
	}
}

// "Secure return_url parameter": Skrill adds transaction_id and msid (MD5
// of merchant_id, transaction_id and the upper-case MD5 of the secret
// word; this vector computed apart with Python's hashlib) to return_url,
// after the merchant's own parameters; cancel_url gets nothing.
func TestSecureReturnURL(t *testing.T) {
	s := newServer(t, Options{SecureReturnURL: true})
	form := with(checkoutForm(""), func(f url.Values) {
		f.Del("status_url")
		f.Set("return_url", "https://shop.example/back?order=7")
	})
	back, err := s.Decide(prepare(t, s, form), DecisionPay)
	if want := "https://shop.example/back?order=7&msid=6e64fdacfd9dd1eeaccecaa9beeb4550&transaction_id=A205220"; err != nil || back != want {
		t.Errorf("Decide(pay) = %q, %v; want %q", back, err, want)
	}
	form.Set("transaction_id", "A205221")
	if back, err := s.Decide(prepare(t, s, form), DecisionFail); err != nil || back != "https://shop.example/cancel" {
		t.Errorf("Decide(fail) = %q, %v; want cancel_url as posted", back, err)
	}
	if _, err := s.Decide("nope", DecisionPay); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("Decide(unknown session) = %v", err)
	}
	if _, err := s.Decide(prepare(t, s, form), "maybe"); !errors.Is(err, ErrUnknownDecision) {
		t.Errorf("Decide(maybe) = %v", err)
	}
}

// A pending refund ends processed or failed, each posted to its
// refund_status_url; a failed one gives its amount back to the payment.
func TestPendingRefundsEnd(t *testing.T) {
	rc := newReceiver(t)
	s := newServer(t, Options{})
	s.Pay(prepare(t, s, checkoutForm(rc.srv.URL)))
	refund := func() string {
		s.NextRefundStatus(StatusPending)
		_, body := post(t, s, RefundPath, api("prepare", url.Values{"transaction_id": {"A205220"}, "amount": {"10.00"}, "refund_status_url": {rc.srv.URL}}))
		_, body = post(t, s, RefundPath, url.Values{"action": {"refund"}, "sid": {sidIn(body)}})
		m := regexp.MustCompile(`<mb_transaction_id>(\d+)</mb_transaction_id>`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "<status>0</status>") {
			t.Fatalf("pending refund answered %s", body)
		}
		return m[1]
	}
	first, second := refund(), refund()
	if tr, err := s.SettleRefund(first); err != nil || tr.Status != StatusProcessed || rc.last(t).Get("status") != "2" || rc.last(t).Get("mb_transaction_id") != first {
		t.Errorf("SettleRefund = %+v, %v; posted %v", tr, err, rc.last(t))
	}
	if tr, err := s.FailRefund(second); err != nil || tr.Status != StatusFailed || rc.last(t).Get("status") != "-2" {
		t.Errorf("FailRefund = %+v, %v; posted %v", tr, err, rc.last(t))
	}
	if p, _ := s.Transaction("A205220"); p.Refunded.Amount != 1000 {
		t.Errorf("refunded = %v, want the settled 10.00 only", p.Refunded)
	}
	_, body := post(t, s, QueryPath, mqi("status_trn", url.Values{"mb_trn_id": {second}}))
	if !strings.HasPrefix(body, "200\t\tOK\n") || !strings.Contains(body, "status=-2") {
		t.Errorf("status_trn of the failed refund = %q", body)
	}
	if _, err := s.SettleRefund(first); !errors.Is(err, ErrWrongStatus) {
		t.Errorf("SettleRefund(processed) = %v, want ErrWrongStatus", err)
	}
	payment, _ := s.Transaction("A205220")
	if _, err := s.FailRefund(payment.MBTransactionID); !errors.Is(err, ErrUnknownTransaction) {
		t.Errorf("FailRefund(a payment) = %v, want ErrUnknownTransaction", err)
	}
}
