package paypaltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The server's JSON, written from the specs' schemas independently of the
// adapter's. Request types hold only what the server models, and are
// decoded strictly (see decodeStrict).

// moneyJSON is the money schema (both specs).
type moneyJSON struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// linkJSON is link_description.
type linkJSON struct {
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Method string `json:"method,omitempty"`
}

// orderRequestJSON is checkout_orders_v2 order_request.
type orderRequestJSON struct {
	Intent        *string               `json:"intent"`
	PurchaseUnits []purchaseUnitReqJSON `json:"purchase_units"`
	PaymentSource *paymentSourceJSON    `json:"payment_source"`
}

// purchaseUnitReqJSON is purchase_unit_request.
type purchaseUnitReqJSON struct {
	ReferenceID *string    `json:"reference_id"`
	Amount      *moneyJSON `json:"amount"`
	Description *string    `json:"description"`
	CustomID    *string    `json:"custom_id"`
	InvoiceID   *string    `json:"invoice_id"`
	// soft_descriptor, items, payee, shipping, ... are not modelled.
}

// paymentSourceJSON is payment_source; of its sources only paypal is
// modelled.
type paymentSourceJSON struct {
	PayPal *paypalWalletJSON `json:"paypal"`
}

// paypalWalletJSON is paypal_wallet.
type paypalWalletJSON struct {
	VaultID           *string                `json:"vault_id"`
	EmailAddress      *string                `json:"email_address"`
	Attributes        *walletAttributesJSON  `json:"attributes"`
	ExperienceContext *experienceContextJSON `json:"experience_context"`
}

// walletAttributesJSON is paypal_wallet_attributes.
type walletAttributesJSON struct {
	Vault *vaultInstructionJSON `json:"vault"`
}

// vaultInstructionJSON is vault_paypal_wallet_base.
type vaultInstructionJSON struct {
	StoreInVault *string `json:"store_in_vault"`
	Description  *string `json:"description"`
	UsagePattern *string `json:"usage_pattern"`
	UsageType    *string `json:"usage_type"`
	CustomerType *string `json:"customer_type"`
	// permit_multiple_payment_tokens, owner_id, shipping are not modelled.
}

// experienceContextJSON is paypal_wallet_experience_context.
type experienceContextJSON struct {
	BrandName               *string `json:"brand_name"`
	Locale                  *string `json:"locale"`
	ShippingPreference      *string `json:"shipping_preference"`
	ReturnURL               *string `json:"return_url"`
	CancelURL               *string `json:"cancel_url"`
	LandingPage             *string `json:"landing_page"`
	UserAction              *string `json:"user_action"`
	PaymentMethodPreference *string `json:"payment_method_preference"`
}

// orderJSON is the order schema.
type orderJSON struct {
	ID            string                 `json:"id"`
	Intent        string                 `json:"intent,omitempty"`
	Status        string                 `json:"status"`
	PaymentSource *paymentSourceRespJSON `json:"payment_source,omitempty"`
	PurchaseUnits []purchaseUnitJSON     `json:"purchase_units,omitempty"`
	CreateTime    string                 `json:"create_time,omitempty"`
	UpdateTime    string                 `json:"update_time,omitempty"`
	Links         []linkJSON             `json:"links"`
}

// purchaseUnitJSON is purchase_unit.
type purchaseUnitJSON struct {
	ReferenceID string                 `json:"reference_id"`
	Amount      moneyJSON              `json:"amount"`
	Payee       *payeeJSON             `json:"payee,omitempty"`
	Description string                 `json:"description,omitempty"`
	CustomID    string                 `json:"custom_id,omitempty"`
	InvoiceID   string                 `json:"invoice_id,omitempty"`
	Payments    *paymentCollectionJSON `json:"payments,omitempty"`
}

// payeeJSON is payee.
type payeeJSON struct {
	EmailAddress string `json:"email_address"`
	MerchantID   string `json:"merchant_id"`
}

// paymentCollectionJSON is payment_collection.
type paymentCollectionJSON struct {
	Captures []captureJSON `json:"captures,omitempty"`
	Refunds  []refundJSON  `json:"refunds,omitempty"`
}

// paymentSourceRespJSON is payment_source_response.
type paymentSourceRespJSON struct {
	PayPal *paypalWalletRespJSON `json:"paypal,omitempty"`
}

// paypalWalletRespJSON is paypal_wallet_response.
type paypalWalletRespJSON struct {
	EmailAddress  string              `json:"email_address,omitempty"`
	AccountID     string              `json:"account_id,omitempty"`
	AccountStatus string              `json:"account_status,omitempty"`
	Name          *nameJSON           `json:"name,omitempty"`
	Attributes    *walletAttrRespJSON `json:"attributes,omitempty"`
}

// nameJSON is name-2 (given_name and surname only).
type nameJSON struct {
	GivenName string `json:"given_name"`
	Surname   string `json:"surname"`
}

// walletAttrRespJSON is paypal_wallet_attributes_response.
type walletAttrRespJSON struct {
	Vault *vaultRespJSON `json:"vault,omitempty"`
}

// vaultRespJSON is paypal_wallet_vault_response.
type vaultRespJSON struct {
	ID       string        `json:"id"`
	Status   string        `json:"status"`
	Customer *customerJSON `json:"customer,omitempty"`
	Links    []linkJSON    `json:"links,omitempty"`
}

// customerJSON is customer.
type customerJSON struct {
	ID string `json:"id"`
}

// captureJSON is capture (orders) and capture-2 (payments, which adds
// supplementary_data).
type captureJSON struct {
	ID                string                 `json:"id"`
	Status            string                 `json:"status"`
	StatusDetails     *statusDetailsJSON     `json:"status_details,omitempty"`
	Amount            moneyJSON              `json:"amount"`
	InvoiceID         string                 `json:"invoice_id,omitempty"`
	CustomID          string                 `json:"custom_id,omitempty"`
	FinalCapture      bool                   `json:"final_capture"`
	SellerProtection  *sellerProtectionJSON  `json:"seller_protection,omitempty"`
	SupplementaryData *supplementaryDataJSON `json:"supplementary_data,omitempty"`
	Links             []linkJSON             `json:"links"`
	CreateTime        string                 `json:"create_time"`
	UpdateTime        string                 `json:"update_time"`
}

// statusDetailsJSON is capture_status_details and refund_status_details.
type statusDetailsJSON struct {
	Reason string `json:"reason"`
}

// sellerProtectionJSON is seller_protection.
type sellerProtectionJSON struct {
	Status string `json:"status"`
}

// supplementaryDataJSON is payments_payment_v2 supplementary_data.
type supplementaryDataJSON struct {
	RelatedIDs relatedIDsJSON `json:"related_ids"`
}

// relatedIDsJSON is related_ids.
type relatedIDsJSON struct {
	OrderID string `json:"order_id"`
}

// refundRequestJSON is refund_request.
type refundRequestJSON struct {
	Amount      *moneyJSON `json:"amount"`
	CustomID    *string    `json:"custom_id"`
	InvoiceID   *string    `json:"invoice_id"`
	NoteToPayer *string    `json:"note_to_payer"`
}

// refundJSON is refund.
type refundJSON struct {
	ID                     string                      `json:"id"`
	Status                 string                      `json:"status"`
	StatusDetails          *statusDetailsJSON          `json:"status_details,omitempty"`
	Amount                 moneyJSON                   `json:"amount"`
	InvoiceID              string                      `json:"invoice_id,omitempty"`
	CustomID               string                      `json:"custom_id,omitempty"`
	NoteToPayer            string                      `json:"note_to_payer,omitempty"`
	SellerPayableBreakdown *sellerPayableBreakdownJSON `json:"seller_payable_breakdown,omitempty"`
	Links                  []linkJSON                  `json:"links"`
	CreateTime             string                      `json:"create_time"`
	UpdateTime             string                      `json:"update_time"`
}

// sellerPayableBreakdownJSON is the refund's seller_payable_breakdown.
type sellerPayableBreakdownJSON struct {
	GrossAmount         moneyJSON `json:"gross_amount"`
	TotalRefundedAmount moneyJSON `json:"total_refunded_amount"`
}

// patchJSON is patch (a JSON Patch operation).
type patchJSON struct {
	Op    *string          `json:"op"`
	Path  *string          `json:"path"`
	Value *json.RawMessage `json:"value"`
	From  *string          `json:"from"`
}

// paymentTokenJSON is vault_payment_tokens_v3 payment_token_response.
type paymentTokenJSON struct {
	ID            string                 `json:"id"`
	Customer      customerJSON           `json:"customer"`
	PaymentSource paymentTokenSourceJSON `json:"payment_source"`
	Links         []linkJSON             `json:"links"`
}

// paymentTokenSourceJSON is payment_token_response.payment_source.
type paymentTokenSourceJSON struct {
	PayPal *vaultedWalletJSON `json:"paypal,omitempty"`
}

// vaultedWalletJSON is vault's paypal_wallet_response.
type vaultedWalletJSON struct {
	Description  string   `json:"description,omitempty"`
	UsageType    string   `json:"usage_type"`
	CustomerType string   `json:"customer_type"`
	EmailAddress string   `json:"email_address"`
	PayerID      string   `json:"payer_id"`
	Name         nameJSON `json:"name"`
	AccountID    string   `json:"account_id"`
}

// timestamp is the specs' date_time: RFC 3339, in UTC, to the second.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

const maxRequestBody = 1 << 20

// jsonBody checks the request's media type and reads its body; empty is
// allowed when optional. A wrong media type answers 415.
func (s *Server) jsonBody(w http.ResponseWriter, r *http.Request, optional bool) ([]byte, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil || len(b) > maxRequestBody {
		s.writeError(w, http.StatusBadRequest, issue("MALFORMED_REQUEST_JSON", "", "body"))
		return nil, false
	}
	if len(bytes.TrimSpace(b)) == 0 && optional {
		return nil, true
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.writeError(w, http.StatusUnsupportedMediaType)
		return nil, false
	}
	return b, true
}

// decodeStrict decodes a request body into v, refusing malformed JSON
// (400 MALFORMED_REQUEST_JSON) and fields the server does not model (400
// NOT_SUPPORTED, "This field is not currently supported."). It reports
// whether it answered.
func (s *Server) decodeStrict(w http.ResponseWriter, b []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return false
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		s.writeError(w, http.StatusBadRequest, issue("NOT_SUPPORTED", "/"+strings.Trim(field, `"`), "body"))
		return true
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		s.writeError(w, http.StatusBadRequest, issue("INVALID_PARAMETER_SYNTAX", "/"+strings.ReplaceAll(typeErr.Field, ".", "/"), "body"))
		return true
	}
	s.writeError(w, http.StatusBadRequest, issue("MALFORMED_REQUEST_JSON", "", "body"))
	return true
}

// prefersRepresentation reads the Prefer header (default return=minimal).
func prefersRepresentation(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("Prefer")), "return=representation")
}

// requestID reads PayPal-Request-Id, which takes 1 to 108 characters
// (checkout_orders_v2 paypal_request_id). It reports whether it answered.
func (s *Server) requestID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.Header.Get("PayPal-Request-Id")
	if len(id) > 108 {
		s.writeError(w, http.StatusBadRequest, errorDetail{
			Issue: "INVALID_STRING_LENGTH", Description: issueDescriptions["INVALID_STRING_LENGTH"],
			Field: "PayPal-Request-Id", Value: id[:20] + "…", Location: "header",
		})
		return "", true
	}
	return id, false
}

// units formats n smallest units of a currency with decimals places.
func units(n int64, decimals int) string {
	s := strconv.FormatInt(n, 10)
	if decimals == 0 {
		return s
	}
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	return s[:len(s)-decimals] + "." + s[len(s)-decimals:]
}
