package paypaltest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// The order statuses (order_status).
const (
	statusCreated             = "CREATED"
	statusApproved            = "APPROVED"
	statusVoided              = "VOIDED"
	statusCompleted           = "COMPLETED"
	statusPayerActionRequired = "PAYER_ACTION_REQUIRED"
)

// orderState is an order as the server keeps it.
type orderState struct {
	id, status       string
	created, updated time.Time
	referenceID      string
	amount           amount
	description      string
	customID         string
	invoiceID        string
	// wallet: the order names payment_source.paypal.
	wallet bool
	// vaultID: the order charges this saved wallet (paypal.vault_id).
	vaultID      string
	storeInVault bool
	usageType    string
	returnURL    string
	cancelURL    string
	// experience: the order was made with paypal.experience_context, so
	// it waits in PAYER_ACTION_REQUIRED with a payer-action link.
	experience bool
	buyer      Buyer // who approved, or whose saved wallet pays
	savedVault string
	captureID  string
}

// idPattern is the orders API's id parameter: ^[A-Z0-9]+$, 1 to 36.
var idPattern = regexp.MustCompile(`^[A-Z0-9]{1,36}$`)

// vaultIDPattern is vault_id's pattern (checkout_orders_v2 vault_id).
var vaultIDPattern = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,255}$`)

// createOrder is orders.create (POST /v2/checkout/orders).
func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	const op = "orders.create"
	requestID, answered := s.requestID(w, r)
	if answered {
		return
	}
	if id, ok := s.recalled(op, requestID); ok {
		// A PayPal-Request-Id the server holds: the first request's order
		// as it is now, whatever this request says ("A successful response
		// to an idempotent request returns the HTTP 200 OK").
		s.writeOrder(w, r, http.StatusOK, s.orders[id])
		return
	}
	b, ok := s.jsonBody(w, r, false)
	if !ok {
		return
	}
	var req orderRequestJSON
	if s.decodeStrict(w, b, &req) {
		return
	}
	o, answered := s.newOrder(w, &req)
	if answered {
		return
	}
	if o.vaultID != "" && requestID == "" {
		s.writeError(w, http.StatusBadRequest, issue("PAYPAL_REQUEST_ID_REQUIRED", "PayPal-Request-Id", "header"))
		return
	}
	if o.vaultID != "" {
		// A saved wallet pays at once: a single-step order, created and
		// captured in one call.
		v, known := s.vault[o.vaultID]
		if !known {
			s.writeError(w, http.StatusUnprocessableEntity, issue("TOKEN_ID_NOT_FOUND", "/payment_source/paypal/vault_id", "body"))
			return
		}
		if s.refusesInvoice(w, o) {
			return
		}
		if v.buyer == BuyerDeclines {
			s.writeError(w, http.StatusUnprocessableEntity, issue("INSTRUMENT_DECLINED", "", ""))
			return
		}
		o.buyer, o.status = v.buyer, statusApproved
		s.orders[o.id] = o
		s.capture(o)
	} else {
		s.orders[o.id] = o
	}
	s.remember(op, requestID, o.id)
	s.writeOrder(w, r, http.StatusCreated, o)
}

// newOrder validates an order_request and makes its order. It reports
// whether it answered.
func (s *Server) newOrder(w http.ResponseWriter, req *orderRequestJSON) (*orderState, bool) {
	bad := func(status int, name, field string) (*orderState, bool) {
		s.writeError(w, status, issue(name, field, "body"))
		return nil, true
	}
	switch {
	case req.Intent == nil:
		return bad(http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER", "/intent")
	case *req.Intent == "AUTHORIZE":
		return bad(http.StatusBadRequest, "NOT_SUPPORTED", "/intent") // the server models intent CAPTURE only
	case *req.Intent != "CAPTURE":
		return bad(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "/intent")
	case len(req.PurchaseUnits) == 0:
		return bad(http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER", "/purchase_units")
	case len(req.PurchaseUnits) > 10:
		return bad(http.StatusBadRequest, "INVALID_ARRAY_MAX_ITEMS", "/purchase_units")
	case len(req.PurchaseUnits) > 1:
		return bad(http.StatusBadRequest, "NOT_SUPPORTED", "/purchase_units/1") // the server models one purchase unit
	}
	pu := req.PurchaseUnits[0]
	now := s.now()
	o := &orderState{id: newID(17), status: statusCreated, created: now, updated: now, referenceID: "default"}
	if refused := readStrings(
		stringField{pu.ReferenceID, 256, &o.referenceID, "/purchase_units/0/reference_id"},
		stringField{pu.Description, 127, &o.description, "/purchase_units/0/description"},
		stringField{pu.CustomID, 127, &o.customID, "/purchase_units/0/custom_id"},
		stringField{pu.InvoiceID, 127, &o.invoiceID, "/purchase_units/0/invoice_id"},
	); refused != nil {
		s.writeRefusal(w, refused)
		return nil, true
	}
	a, answered := s.parseAmount(w, pu.Amount, "/purchase_units/0/amount", false)
	if answered {
		return nil, true
	}
	o.amount = a
	if req.PaymentSource == nil {
		return o, false
	}
	if req.PaymentSource.PayPal == nil {
		return bad(http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER", "/payment_source/paypal")
	}
	if s.readWallet(w, o, req.PaymentSource.PayPal) {
		return nil, true
	}
	if o.vaultID == "" {
		// The payer is to approve with the wallet: the order waits at the
		// payer-action link.
		o.status = statusPayerActionRequired
	}
	return o, false
}

// readWallet validates payment_source.paypal into o. It reports whether it
// answered.
func (s *Server) readWallet(w http.ResponseWriter, o *orderState, p *paypalWalletJSON) bool {
	bad := func(status int, name, field string) bool {
		s.writeError(w, status, issue(name, "/payment_source/paypal"+field, "body"))
		return true
	}
	o.wallet = true
	if p.VaultID != nil {
		if !vaultIDPattern.MatchString(*p.VaultID) {
			return bad(http.StatusBadRequest, "INVALID_PARAMETER_SYNTAX", "/vault_id")
		}
		if p.Attributes != nil && p.Attributes.Vault != nil {
			return bad(http.StatusUnprocessableEntity, "INCOMPATIBLE_PARAMETER_VALUE", "/attributes/vault")
		}
		o.vaultID = *p.VaultID
	}
	if ec := p.ExperienceContext; ec != nil {
		o.experience = true
		for _, u := range []struct {
			v    *string
			into *string
			name string
		}{{ec.ReturnURL, &o.returnURL, "return_url"}, {ec.CancelURL, &o.cancelURL, "cancel_url"}} {
			if u.v == nil {
				continue
			}
			if parsed, err := url.Parse(*u.v); err != nil || !parsed.IsAbs() {
				return bad(http.StatusBadRequest, "INVALID_PARAMETER_SYNTAX", "/experience_context/"+u.name)
			}
			*u.into = *u.v
		}
		for _, e := range []struct {
			v       *string
			allowed []string
			name    string
		}{
			{ec.UserAction, []string{"CONTINUE", "PAY_NOW"}, "user_action"},
			{ec.ShippingPreference, []string{"GET_FROM_FILE", "NO_SHIPPING", "SET_PROVIDED_ADDRESS"}, "shipping_preference"},
			{ec.LandingPage, []string{"LOGIN", "GUEST_CHECKOUT", "NO_PREFERENCE"}, "landing_page"},
			{ec.PaymentMethodPreference, []string{"UNRESTRICTED", "IMMEDIATE_PAYMENT_REQUIRED"}, "payment_method_preference"},
		} {
			if e.v != nil && !oneOf(*e.v, e.allowed...) {
				return bad(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "/experience_context/"+e.name)
			}
		}
	}
	if p.Attributes == nil || p.Attributes.Vault == nil {
		return false
	}
	v := p.Attributes.Vault
	switch {
	case v.StoreInVault == nil:
		return bad(http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER", "/attributes/vault/store_in_vault")
	case *v.StoreInVault != "ON_SUCCESS":
		return bad(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "/attributes/vault/store_in_vault")
	case v.UsageType == nil:
		return bad(http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER", "/attributes/vault/usage_type")
	case !oneOf(*v.UsageType, "MERCHANT", "PLATFORM"):
		return bad(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "/attributes/vault/usage_type")
	case v.CustomerType != nil && !oneOf(*v.CustomerType, "CONSUMER", "BUSINESS"):
		return bad(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "/attributes/vault/customer_type")
	case o.returnURL == "":
		return bad(http.StatusUnprocessableEntity, "RETURN_URL_REQUIRED", "/experience_context/return_url")
	case o.cancelURL == "":
		return bad(http.StatusUnprocessableEntity, "CANCEL_URL_REQUIRED", "/experience_context/cancel_url")
	}
	o.storeInVault, o.usageType = true, *v.UsageType
	return false
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// getOrder is orders.get (GET /v2/checkout/orders/{id}).
func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orderFor(w, r)
	if !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, s.orderJSON(o, true))
}

// orderFor is the order of the request's {id}; an unknown one answers 404
// with INVALID_RESOURCE_ID.
func (s *Server) orderFor(w http.ResponseWriter, r *http.Request) (*orderState, bool) {
	id := r.PathValue("id")
	o, ok := s.orders[id]
	if !ok || !idPattern.MatchString(id) {
		s.writeError(w, http.StatusNotFound, issue("INVALID_RESOURCE_ID", "", "path"))
		return nil, false
	}
	return o, true
}

// patchOrder is orders.patch (PATCH /v2/checkout/orders/{id}): "Updates an
// order with a CREATED or APPROVED status. You cannot update an order with
// the COMPLETED status." The server patches purchase_units[].custom_id,
// invoice_id and description, by the path
// /purchase_units/@reference_id=='<reference_id>'/<field>. It also takes
// orders in PAYER_ACTION_REQUIRED, the state an order made with an
// experience context waits for its payer in, as it does CREATED ones.
func (s *Server) patchOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orderFor(w, r)
	if !ok {
		return
	}
	b, ok := s.jsonBody(w, r, false)
	if !ok {
		return
	}
	var ops []patchJSON
	if s.decodeStrict(w, b, &ops) {
		return
	}
	switch o.status {
	case statusCompleted:
		s.writeError(w, http.StatusUnprocessableEntity, issue("ORDER_ALREADY_COMPLETED", "", ""))
		return
	case statusCreated, statusApproved, statusPayerActionRequired:
	default:
		s.writeError(w, http.StatusUnprocessableEntity, issue("NOT_PATCHABLE", "", ""))
		return
	}
	// All operations or none.
	patched := *o
	for i, p := range ops {
		if s.applyPatch(w, &patched, p, i) {
			return
		}
	}
	patched.updated = s.now()
	*o = patched
	w.WriteHeader(http.StatusNoContent)
}

// patchPath is the patchable path of a purchase unit's field.
var patchPath = regexp.MustCompile(`^/purchase_units/@reference_id=='([^']*)'/(custom_id|invoice_id|description)$`)

// applyPatch applies one operation to o. It reports whether it answered.
func (s *Server) applyPatch(w http.ResponseWriter, o *orderState, p patchJSON, i int) bool {
	at := "/" + strconv.Itoa(i)
	bad := func(status int, name, field string) bool {
		s.writeError(w, status, issue(name, at+field, "body"))
		return true
	}
	if p.Op == nil || !oneOf(*p.Op, "add", "remove", "replace", "move", "copy", "test") {
		return bad(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "/op")
	}
	if p.Path == nil || *p.Path == "" {
		return bad(http.StatusUnprocessableEntity, "PATCH_PATH_REQUIRED", "/path")
	}
	m := patchPath.FindStringSubmatch(*p.Path)
	if m == nil || !oneOf(*p.Op, "add", "remove", "replace") {
		return bad(http.StatusUnprocessableEntity, "NOT_PATCHABLE", "/path")
	}
	if m[1] != o.referenceID {
		return bad(http.StatusUnprocessableEntity, "REFERENCE_ID_NOT_FOUND", "/path")
	}
	field := map[string]*string{"custom_id": &o.customID, "invoice_id": &o.invoiceID, "description": &o.description}[m[2]]
	present := *field != ""
	switch {
	case *p.Op == "add" && present, *p.Op != "add" && !present:
		return bad(http.StatusBadRequest, "INVALID_PATCH_OPERATION", "/op")
	case *p.Op == "remove":
		*field = ""
		return false
	case p.Value == nil:
		return bad(http.StatusUnprocessableEntity, "PATCH_VALUE_REQUIRED", "/value")
	}
	var v string
	if err := json.Unmarshal(*p.Value, &v); err != nil {
		return bad(http.StatusBadRequest, "INVALID_PARAMETER_SYNTAX", "/value")
	}
	if len(v) < 1 || len(v) > 127 {
		return bad(http.StatusBadRequest, "INVALID_STRING_LENGTH", "/value")
	}
	*field = v
	return false
}

// captureOrder is orders.capture (POST /v2/checkout/orders/{id}/capture).
// An order takes one capture ("If 'intent=CAPTURE' only one capture per
// order is allowed"): a PayPal-Request-Id the server holds gets the order
// it captured, and any other capture of a completed order 422
// ORDER_ALREADY_CAPTURED. The approving buyer decides: BuyerPays completes
// the capture, BuyerPending leaves it PENDING, BuyerDeclines is refused
// with 422 INSTRUMENT_DECLINED and the order stays APPROVED.
func (s *Server) captureOrder(w http.ResponseWriter, r *http.Request) {
	const op = "orders.capture"
	requestID, answered := s.requestID(w, r)
	if answered {
		return
	}
	o, ok := s.orderFor(w, r)
	if !ok {
		return
	}
	if id, ok := s.recalled(op, requestID); ok {
		s.writeOrder(w, r, http.StatusOK, s.orders[id])
		return
	}
	b, ok := s.jsonBody(w, r, true)
	if !ok {
		return
	}
	if b != nil {
		var req struct{} // order_capture_request: payment_source is not modelled
		if s.decodeStrict(w, b, &req) {
			return
		}
	}
	switch o.status {
	case statusCompleted:
		s.writeError(w, http.StatusUnprocessableEntity, issue("ORDER_ALREADY_CAPTURED", "", ""))
		return
	case statusApproved:
	default:
		s.writeError(w, http.StatusUnprocessableEntity, issue("ORDER_NOT_APPROVED", "", ""))
		return
	}
	if s.refusesInvoice(w, o) {
		return
	}
	if o.buyer == BuyerDeclines {
		s.writeError(w, http.StatusUnprocessableEntity, issue("INSTRUMENT_DECLINED", "", ""))
		return
	}
	s.capture(o)
	s.remember(op, requestID, o.id)
	s.writeOrder(w, r, http.StatusCreated, o)
}

// capture captures an approved order whose buyer pays or leaves the
// payment pending, saves the wallet when the order asked, and reports the
// events.
func (s *Server) capture(o *orderState) {
	now := s.now()
	c := &captureState{
		id: newID(17), orderID: o.id, status: captureCompleted, amount: o.amount,
		invoiceID: o.invoiceID, customID: o.customID, created: now, updated: now,
	}
	if o.buyer == BuyerPending {
		c.status, c.reason = capturePending, "PENDING_REVIEW"
	}
	s.captures[c.id] = c
	o.captureID, o.status, o.updated = c.id, statusCompleted, now
	if o.storeInVault {
		v := s.saveWallet(o.buyer, o.usageType)
		o.savedVault = v.id
		s.emit("VAULT.PAYMENT-TOKEN.CREATED", "payment_token", "A payment token was created", s.paymentTokenJSON(v))
	}
	s.emitCapture(c)
}

// writeOrder answers with the order, whole or minimal as Prefer asks:
// "A minimal response includes the id, status and HATEOAS links."
func (s *Server) writeOrder(w http.ResponseWriter, r *http.Request, status int, o *orderState) {
	s.writeJSON(w, status, s.orderJSON(o, prefersRepresentation(r)))
}

// orderJSON renders an order.
func (s *Server) orderJSON(o *orderState, full bool) orderJSON {
	self := s.ts.URL + "/v2/checkout/orders/" + o.id
	out := orderJSON{ID: o.id, Status: o.status, Links: []linkJSON{{Href: self, Rel: "self", Method: "GET"}}}
	switch o.status {
	case statusPayerActionRequired:
		out.Links = append(out.Links, linkJSON{Href: s.checkoutURL(o.id), Rel: "payer-action", Method: "GET"})
	case statusCreated:
		out.Links = append(out.Links, linkJSON{Href: s.checkoutURL(o.id), Rel: "approve", Method: "GET"})
		fallthrough
	case statusApproved:
		out.Links = append(out.Links,
			linkJSON{Href: self, Rel: "update", Method: "PATCH"},
			linkJSON{Href: self + "/capture", Rel: "capture", Method: "POST"})
	}
	if !full {
		return out
	}
	out.Intent, out.CreateTime, out.UpdateTime = "CAPTURE", timestamp(o.created), timestamp(o.updated)
	if o.wallet {
		out.PaymentSource = &paymentSourceRespJSON{PayPal: s.walletJSON(o)}
	}
	pu := purchaseUnitJSON{
		ReferenceID: o.referenceID, Amount: o.amount.json(),
		Payee:       &payeeJSON{EmailAddress: MerchantEmail, MerchantID: MerchantID},
		Description: o.description, CustomID: o.customID, InvoiceID: o.invoiceID,
	}
	if c, ok := s.captures[o.captureID]; ok {
		pu.Payments = &paymentCollectionJSON{Captures: []captureJSON{s.captureJSON(c, false)}}
		for _, rf := range s.refundsOf(c.id) {
			pu.Payments.Refunds = append(pu.Payments.Refunds, s.refundJSON(rf))
		}
	}
	out.PurchaseUnits = []purchaseUnitJSON{pu}
	return out
}

// walletJSON is the order's payment_source.paypal: the payer, once known,
// and the vaulted wallet.
func (s *Server) walletJSON(o *orderState) *paypalWalletRespJSON {
	p := &paypalWalletRespJSON{}
	if o.buyer != "" {
		p.EmailAddress, p.AccountID, p.AccountStatus = o.buyer.Email(), o.buyer.PayerID(), "VERIFIED"
		p.Name = &nameJSON{GivenName: "Test", Surname: string(o.buyer)}
	}
	vaultID := o.savedVault
	if vaultID == "" {
		vaultID = o.vaultID
	}
	if v, ok := s.vault[vaultID]; ok {
		p.Attributes = &walletAttrRespJSON{Vault: &vaultRespJSON{
			ID: v.id, Status: "VAULTED", Customer: &customerJSON{ID: v.customerID},
			Links: []linkJSON{{Href: s.ts.URL + "/v3/vault/payment-tokens/" + v.id, Rel: "self", Method: "GET"}},
		}}
	}
	return p
}

// The merchant the server's orders pay.
const (
	MerchantEmail = "merchant@billgate.example"
	MerchantID    = "BGMERCHANT0001"
)
