package paypaltest

import (
	"net/http"
	"regexp"
	"strings"
)

// vaultToken is a saved PayPal wallet.
type vaultToken struct {
	id, customerID string
	buyer          Buyer
	usageType      string
}

// tokenIDPattern is payment-tokens.get's id: ^[0-9a-zA-Z_-]+$, 7 to 36
// characters.
var tokenIDPattern = regexp.MustCompile(`^[0-9a-zA-Z_-]{7,36}$`)

// SaveWallet saves buyer's PayPal wallet in the vault, as a first payment
// with store_in_vault does, and returns its vault ID: orders charging it
// (payment_source.paypal.vault_id) behave as buyer does at a capture.
func (s *Server) SaveWallet(buyer Buyer) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveWallet(buyer, "MERCHANT").id
}

func (s *Server) saveWallet(buyer Buyer, usageType string) *vaultToken {
	v := &vaultToken{id: strings.ToLower(newID(8)), customerID: "customer_" + strings.ToLower(newID(10)), buyer: buyer, usageType: usageType}
	s.vault[v.id] = v
	return v
}

// getPaymentToken is payment-tokens.get (GET /v3/vault/payment-tokens/{id}).
// Its errors have vault's error schema; an unknown token is 404
// RESOURCE_NOT_FOUND with INVALID_RESOURCE_ID.
func (s *Server) getPaymentToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !tokenIDPattern.MatchString(id) {
		s.writeError(w, http.StatusBadRequest, issue("INVALID_PARAMETER_SYNTAX", "id", "path"))
		return
	}
	v, ok := s.vault[id]
	if !ok {
		s.writeError(w, http.StatusNotFound, issue("INVALID_RESOURCE_ID", "id", "path"))
		return
	}
	s.writeJSON(w, http.StatusOK, s.paymentTokenJSON(v))
}

// paymentTokenJSON renders payment_token_response.
func (s *Server) paymentTokenJSON(v *vaultToken) paymentTokenJSON {
	self := s.ts.URL + "/v3/vault/payment-tokens/" + v.id
	return paymentTokenJSON{
		ID:       v.id,
		Customer: customerJSON{ID: v.customerID},
		PaymentSource: paymentTokenSourceJSON{PayPal: &vaultedWalletJSON{
			UsageType: v.usageType, CustomerType: "CONSUMER",
			EmailAddress: v.buyer.Email(), PayerID: v.buyer.PayerID(), AccountID: v.buyer.PayerID(),
			Name: nameJSON{GivenName: "Test", Surname: string(v.buyer)},
		}},
		Links: []linkJSON{{Href: self, Rel: "self", Method: "GET"}, {Href: self, Rel: "delete", Method: "DELETE"}},
	}
}
