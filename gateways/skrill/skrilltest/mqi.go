package skrilltest

import (
	"fmt"
	"net/http"
	"net/url"
)

// serveQuery is the Merchant Query Interface, query.pl (Automated Payments
// and Merchant Query Interfaces Guide, "Merchant Query Interface"): every
// query carries email, password (the lower-case hex MD5 of the API/MQI
// password) and action, and the answer is text, "<code>\t\t<message>",
// followed for status_trn by the transaction's status report, URL-encoded.
// The actions served are status_trn and repost, by trn_id (which wins) or
// mb_trn_id.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	f := r.Form
	if s.login(f) != "" {
		// The code and wording of this answer are this server's.
		fmt.Fprint(w, "401\t\tCannot login")
		return
	}
	id, t := s.queried(f)
	switch {
	case f.Get("action") != "status_trn" && f.Get("action") != "repost":
		fmt.Fprintf(w, "400\t\tUnknown action: %s", f.Get("action")) // this server's wording
	case id == "":
		fmt.Fprint(w, "400\t\tMissing parameter: trn_id or mb_trn_id") // this server's wording
	case t == nil:
		fmt.Fprintf(w, "403\t\tTransaction not found: %s", id)
	case f.Get("action") == "status_trn":
		s.mu.Lock()
		report := s.report(t)
		s.mu.Unlock()
		fmt.Fprintf(w, "200\t\tOK\n%s", report.Encode())
	default:
		s.mu.Lock()
		target, form := t.statusURL, s.withFields(t)
		if u := f.Get("status_url"); u != "" {
			target = u
		}
		s.mu.Unlock()
		s.deliver(target, form)
		fmt.Fprint(w, "200\t\tOK")
	}
}

// queried is the ID a query names and the transaction it names, if any.
func (s *Server) queried(f url.Values) (string, *transaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := f.Get("trn_id"); id != "" {
		return id, s.payments[id]
	}
	id := f.Get("mb_trn_id")
	return id, s.byMBID[id]
}
