package paypal

import "strings"

// The JSON of PayPal's REST APIs, only the fields billgate reads or writes.
// Schema names are those of the published OpenAPI documents
// (github.com/paypal/paypal-rest-api-specifications, openapi/*.json).

// money is the money schema: a currency and a decimal string.
type money struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// link is link_description, a HATEOAS link.
type link struct {
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Method string `json:"method,omitempty"`
}

// linkHref is the href of the first link with rel, or "".
func linkHref(links []link, rel string) string {
	for _, l := range links {
		if strings.EqualFold(l.Rel, rel) {
			return l.Href
		}
	}
	return ""
}

// orderRequest is checkout_orders_v2 order_request.
type orderRequest struct {
	Intent        string                `json:"intent"`
	PurchaseUnits []purchaseUnitRequest `json:"purchase_units"`
	PaymentSource *paymentSource        `json:"payment_source,omitempty"`
}

// purchaseUnitRequest is purchase_unit_request.
type purchaseUnitRequest struct {
	ReferenceID string `json:"reference_id,omitempty"`
	Amount      money  `json:"amount"`
	Description string `json:"description,omitempty"`
	CustomID    string `json:"custom_id,omitempty"`
	InvoiceID   string `json:"invoice_id,omitempty"`
}

// paymentSource is payment_source; billgate pays with PayPal wallets only.
type paymentSource struct {
	PayPal *paypalWallet `json:"paypal,omitempty"`
}

// paypalWallet is paypal_wallet.
type paypalWallet struct {
	VaultID           string             `json:"vault_id,omitempty"`
	Attributes        *walletAttributes  `json:"attributes,omitempty"`
	ExperienceContext *experienceContext `json:"experience_context,omitempty"`
}

// walletAttributes is paypal_wallet_attributes.
type walletAttributes struct {
	Vault *vaultInstruction `json:"vault,omitempty"`
}

// vaultInstruction is vault_paypal_wallet_base.
type vaultInstruction struct {
	StoreInVault string `json:"store_in_vault"`
	UsageType    string `json:"usage_type"`
}

// experienceContext is paypal_wallet_experience_context.
type experienceContext struct {
	ReturnURL          string `json:"return_url,omitempty"`
	CancelURL          string `json:"cancel_url,omitempty"`
	UserAction         string `json:"user_action,omitempty"`
	ShippingPreference string `json:"shipping_preference,omitempty"`
}

// order is the order schema.
type order struct {
	ID            string                 `json:"id"`
	Status        string                 `json:"status"`
	Intent        string                 `json:"intent"`
	PaymentSource *paymentSourceResponse `json:"payment_source"`
	PurchaseUnits []purchaseUnit         `json:"purchase_units"`
	Links         []link                 `json:"links"`
}

// The values of order_status.
const (
	orderCreated             = "CREATED"
	orderSaved               = "SAVED"
	orderApproved            = "APPROVED"
	orderVoided              = "VOIDED"
	orderCompleted           = "COMPLETED"
	orderPayerActionRequired = "PAYER_ACTION_REQUIRED"
)

// unit is the order's purchase unit; billgate's orders have one.
func (o order) unit() purchaseUnit {
	if len(o.PurchaseUnits) == 0 {
		return purchaseUnit{}
	}
	return o.PurchaseUnits[0]
}

// refunds are the refunds of the order's purchase unit, as PayPal lists
// them.
func (o order) refunds() []refund {
	if u := o.unit(); u.Payments != nil {
		return u.Payments.Refunds
	}
	return nil
}

// capture is the order's capture, or nil before one is made.
func (o order) capture() *capture {
	u := o.unit()
	if u.Payments == nil || len(u.Payments.Captures) == 0 {
		return nil
	}
	return &u.Payments.Captures[len(u.Payments.Captures)-1]
}

// vaultID is the ID of the wallet in the order's vault attributes
// (payment_source.paypal.attributes.vault.id, paypal_wallet_vault_response),
// or "". The spec's vault_response.status ("The vault status", deprecated)
// is VAULTED, CREATED or APPROVED, with no more said: a VAULTED wallet, or
// one whose status PayPal no longer sends, is taken as saved; CREATED and
// APPROVED, by their names, are not saved yet.
func (o order) vaultID() string {
	ps := o.PaymentSource
	if ps == nil || ps.PayPal == nil || ps.PayPal.Attributes == nil || ps.PayPal.Attributes.Vault == nil {
		return ""
	}
	if v := ps.PayPal.Attributes.Vault; v.Status == "" || v.Status == "VAULTED" {
		return v.ID
	}
	return ""
}

// purchaseUnit is purchase_unit.
type purchaseUnit struct {
	ReferenceID string             `json:"reference_id"`
	Amount      *money             `json:"amount"`
	CustomID    string             `json:"custom_id"`
	InvoiceID   string             `json:"invoice_id"`
	Payments    *paymentCollection `json:"payments"`
}

// paymentCollection is payment_collection.
type paymentCollection struct {
	Captures []capture `json:"captures"`
	Refunds  []refund  `json:"refunds"`
}

// paymentSourceResponse is payment_source_response.
type paymentSourceResponse struct {
	PayPal *paypalWalletResponse `json:"paypal"`
}

// paypalWalletResponse is paypal_wallet_response.
type paypalWalletResponse struct {
	EmailAddress string                      `json:"email_address"`
	AccountID    string                      `json:"account_id"`
	Attributes   *paypalWalletAttributesResp `json:"attributes"`
}

// paypalWalletAttributesResp is paypal_wallet_attributes_response.
type paypalWalletAttributesResp struct {
	Vault *vaultResponse `json:"vault"`
}

// vaultResponse is paypal_wallet_vault_response.
type vaultResponse struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// capture is the capture schema (capture-2 in payments_payment_v2, which
// adds supplementary_data).
type capture struct {
	ID                string             `json:"id"`
	Status            string             `json:"status"`
	StatusDetails     *statusDetails     `json:"status_details"`
	Amount            *money             `json:"amount"`
	InvoiceID         string             `json:"invoice_id"`
	CustomID          string             `json:"custom_id"`
	Links             []link             `json:"links"`
	SupplementaryData *supplementaryData `json:"supplementary_data"`
}

// The values of capture_status.status.
const (
	captureCompleted         = "COMPLETED"
	captureDeclined          = "DECLINED"
	capturePartiallyRefunded = "PARTIALLY_REFUNDED"
	capturePending           = "PENDING"
	captureRefunded          = "REFUNDED"
	captureFailed            = "FAILED"
)

// statusDetails is capture_status_details and refund_status_details.
type statusDetails struct {
	Reason string `json:"reason"`
}

// supplementaryData is payments_payment_v2 supplementary_data.
type supplementaryData struct {
	RelatedIDs *relatedIDs `json:"related_ids"`
}

// relatedIDs is related_ids.
type relatedIDs struct {
	OrderID string `json:"order_id"`
}

// orderID is the ID of the order the capture belongs to, from
// supplementary_data or the "up" link, or "".
func (c capture) orderID() string {
	if c.SupplementaryData != nil && c.SupplementaryData.RelatedIDs != nil && c.SupplementaryData.RelatedIDs.OrderID != "" {
		return c.SupplementaryData.RelatedIDs.OrderID
	}
	return lastPathSegment(linkHref(c.Links, "up"), "/v2/checkout/orders/")
}

// lastPathSegment is the segment after prefix in href's path, or "".
func lastPathSegment(href, prefix string) string {
	i := strings.Index(href, prefix)
	if i < 0 {
		return ""
	}
	rest := href[i+len(prefix):]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// refundRequest is payments_payment_v2 refund_request.
type refundRequest struct {
	Amount   *money `json:"amount,omitempty"`
	CustomID string `json:"custom_id,omitempty"`
}

// refund is the refund schema (of both specs).
type refund struct {
	ID            string         `json:"id"`
	Status        string         `json:"status"`
	StatusDetails *statusDetails `json:"status_details"`
	Amount        *money         `json:"amount"`
	CustomID      string         `json:"custom_id"`
	CreateTime    string         `json:"create_time"`
	Links         []link         `json:"links"`
}

// The values of refund_status.status.
const (
	refundCancelled = "CANCELLED"
	refundFailed    = "FAILED"
	refundPending   = "PENDING"
	refundCompleted = "COMPLETED"
)

// captureID is the ID of the capture the refund returns money of, from its
// "up" link, or "".
func (r refund) captureID() string {
	return lastPathSegment(linkHref(r.Links, "up"), "/v2/payments/captures/")
}

// patchOp is checkout_orders_v2 patch, a JSON Patch operation.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// paymentToken is vault_payment_tokens_v3 payment_token_response.
type paymentToken struct {
	ID            string `json:"id"`
	PaymentSource struct {
		PayPal *struct {
			EmailAddress string `json:"email_address"`
		} `json:"paypal"`
		Card  *struct{} `json:"card"`
		Venmo *struct{} `json:"venmo"`
	} `json:"payment_source"`
}

// apiError is the error body of the REST APIs (error_400, error_422, ...,
// and vault's error): name, message, debug_id and details[].issue. The
// OAuth endpoint and an expired access token answer with error and
// error_description instead.
type apiError struct {
	Name             string        `json:"name"`
	Message          string        `json:"message"`
	DebugID          string        `json:"debug_id"`
	Details          []errorDetail `json:"details"`
	OAuthError       string        `json:"error"`
	ErrorDescription string        `json:"error_description"`
}

// errorDetail is error_details.
type errorDetail struct {
	Field       string `json:"field"`
	Issue       string `json:"issue"`
	Description string `json:"description"`
}

// tokenResponse is the answer of POST /v1/oauth2/token.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}
