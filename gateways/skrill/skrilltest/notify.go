package skrilltest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Delivery is one status post and how it went.
type Delivery struct {
	URL  string
	Form url.Values
	// Attempts is how many times it was posted.
	Attempts int
	// Status is the receiver's last HTTP status; 0 when it never answered.
	Status int
}

// Delivered reports whether the receiver took the post (answered 200).
func (d Delivery) Delivered() bool { return d.Status == http.StatusOK }

// Deliveries is every status post so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		d.Form = cloneValues(d.Form)
		out[i] = d
	}
	return out
}

// report is a transaction's status report, as posted to the status URL
// and answered by the MQI's status_trn (Quick Checkout Integration Guide,
// "Status URL parameters"), signed. Callers hold s.mu.
func (s *Server) report(t *transaction) url.Values {
	f := url.Values{
		"pay_to_email":      {s.opts.Email},
		"pay_from_email":    {t.payFrom},
		"merchant_id":       {s.opts.MerchantID},
		"customer_id":       {t.customerID},
		"transaction_id":    {t.transactionID},
		"mb_transaction_id": {t.mbID},
		"mb_amount":         {mbAmount(t.money)},
		"mb_currency":       {string(t.money.Currency)},
		"status":            {strconv.Itoa(t.status)},
		"amount":            {t.amount},
		"currency":          {string(t.money.Currency)},
		"payment_type":      {"WLT"},
	}
	if t.refundOf != nil {
		f.Set("transaction_id", t.refundOf.transactionID)
	}
	if t.status == StatusFailed && t.failedReason != "" {
		f.Set("failed_reason_code", t.failedReason)
	}
	if t.recPaymentID != "" {
		f.Set("rec_payment_id", t.recPaymentID)
	}
	s.sign(f)
	return f
}

// sign sets md5sig, and sha2sig when enabled (Appendix "MD5 signature"):
// the digest, in upper-case hex, of merchant_id, transaction_id, the
// upper-case MD5 of the secret word, mb_amount, mb_currency and status as
// posted. This is written apart from the adapter's on purpose: the server
// is the peer the adapter is checked against.
func (s *Server) sign(f url.Values) {
	signed := f.Get("merchant_id") + f.Get("transaction_id") + digest(md5.New, s.opts.SecretWord) +
		f.Get("mb_amount") + f.Get("mb_currency") + f.Get("status")
	f.Set("md5sig", digest(md5.New, signed))
	if s.opts.SHA2 {
		f.Set("sha2sig", digest(sha256.New, signed))
	}
}

func digest(h func() hash.Hash, s string) string {
	d := h()
	d.Write([]byte(s))
	return strings.ToUpper(hex.EncodeToString(d.Sum(nil)))
}

// statusPost is a transaction's report with its merchant fields, for its
// status URL; empty when it has none. Callers hold s.mu.
func (s *Server) statusPost(t *transaction) (string, url.Values) {
	if t.statusURL == "" {
		return "", nil
	}
	return t.statusURL, s.withFields(t)
}

// withFields is t's report with its merchant fields. Callers hold s.mu.
func (s *Server) withFields(t *transaction) url.Values {
	f := s.report(t)
	for name, vs := range t.fields {
		f[name] = vs
	}
	return f
}

// deliver posts form to target until the receiver answers 200, at most
// MaxDeliveries times, and records the delivery. It must be called without
// s.mu held: the receiver may call the server back.
func (s *Server) deliver(target string, form url.Values) {
	if target == "" {
		return
	}
	d := Delivery{URL: target, Form: form}
	for d.Attempts < s.opts.MaxDeliveries && !d.Delivered() {
		d.Attempts++
		d.Status = 0
		resp, err := s.opts.HTTPClient.PostForm(target, form)
		if err == nil {
			d.Status = resp.StatusCode
			resp.Body.Close()
		}
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.mu.Unlock()
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
