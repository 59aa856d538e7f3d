package paypal

import (
	"encoding/json"
	"testing"
)

// completed reads a saved token from a paid order only, and only from a
// vault that holds the wallet: vault_response.status (deprecated) VAULTED,
// or no status at all, but not CREATED or APPROVED (checkout_orders_v2.json,
// paypal_wallet_vault_response). The orders are checkout_orders_v2 order
// documents; paypaltest only ever answers VAULTED, so the other statuses
// are read here from the JSON alone.
func TestCompletedSavedToken(t *testing.T) {
	tests := []struct {
		name, vault, referenceID, capture, want string
	}{
		{"VAULTED", `{"id":"nkq2y9g3","status":"VAULTED"}`, "default", "COMPLETED", "vault:nkq2y9g3"},
		{"no status", `{"id":"nkq2y9g3"}`, "default", "COMPLETED", "vault:nkq2y9g3"},
		{"refunded since", `{"id":"nkq2y9g3","status":"VAULTED"}`, "default", "REFUNDED", "vault:nkq2y9g3"},
		{"CREATED", `{"id":"nkq2y9g3","status":"CREATED"}`, "default", "COMPLETED", ""},
		{"APPROVED", `{"id":"nkq2y9g3","status":"APPROVED"}`, "default", "COMPLETED", ""},
		{"capture PENDING", `{"id":"nkq2y9g3","status":"VAULTED"}`, "default", "PENDING", ""},
		{"capture DECLINED", `{"id":"nkq2y9g3","status":"VAULTED"}`, "default", "DECLINED", ""},
		// vault_response.id is up to 255 characters with no pattern; one
		// payment-tokens.get could not take is not a token billgate can charge.
		{"vault ID too short", `{"id":"nkq2","status":"VAULTED"}`, "default", "COMPLETED", ""},
		{"vault ID with a slash", `{"id":"nkq2/y9g3","status":"VAULTED"}`, "default", "COMPLETED", ""},
		{"a charge of a saved wallet", `{"id":"nkq2y9g3","status":"VAULTED"}`, savedWalletMarker, "COMPLETED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"id":"5O190127TN364715T","status":"COMPLETED","intent":"CAPTURE",` +
				`"payment_source":{"paypal":{"email_address":"payer@example.com","attributes":{"vault":` + tt.vault + `}}},` +
				`"purchase_units":[{"reference_id":"` + tt.referenceID + `","payments":{"captures":[{"id":"3C679366HH908993F","status":"` + tt.capture + `"}]}}]}`
			var o order
			if err := json.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatal(err)
			}
			r, err := completed(o)
			if err != nil || r.SavedToken != tt.want {
				t.Errorf("completed = %+v, %v, want saved token %q", r, err, tt.want)
			}
		})
	}
}
