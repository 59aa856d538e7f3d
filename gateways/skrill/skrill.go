// Package skrill is the gateway of a business's Skrill (formerly
// Moneybookers) merchant account, a thin client of Skrill's published
// guides:
//
//   - a first payment is a Quick Checkout session (prepare_only=1 at
//     pay.skrill.com), to which the payer is redirected; it also sets up
//     Skrill 1-Tap, so that renewals need no payer;
//   - a renewal is a 1-Tap payment (ondemand_request.pl, prepare then
//     request) against the rec_payment_id of the first payment;
//   - charges are looked up through the Merchant Query Interface (query.pl,
//     status_trn) and refunded through the Automated Payment Interface
//     (refund.pl, prepare then refund);
//   - Skrill reports each payment to the account's webhook (status_url),
//     signed with md5sig (and sha2sig when enabled).
//
// Skrill takes no idempotency key: the adapter's own transaction_id, one
// per billgate key, is how a repeated charge finds the first (see Charge),
// and a RefundLog keeps refunds from being made twice. README.md lists the
// decisions taken where the guides or the contract were silent.
package skrill

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// Kind is the gateway's name and the {gateway} of its webhook route.
const Kind = "skrill"

// Skrill's addresses. Test accounts use the same ones: Skrill has no
// separate sandbox host, so the account's Mode changes nothing here.
const (
	DefaultCheckoutURL = "https://pay.skrill.com"
	DefaultAPIURL      = "https://www.skrill.com/app"
)

// Connector makes the gateways of Skrill accounts. The zero value talks to
// Skrill itself.
type Connector struct {
	// CheckoutURL is Quick Checkout's address; empty means
	// DefaultCheckoutURL.
	CheckoutURL string
	// APIURL is where query.pl, refund.pl and ondemand_request.pl are;
	// empty means DefaultAPIURL.
	APIURL string
	// HTTPClient makes the requests; nil means a client with a 30-second
	// timeout.
	HTTPClient *http.Client
	// Now is the time refunds are recorded at; nil means time.Now.
	Now func() time.Time
	// Refunds records the refunds of the accounts connected, by key (see
	// RefundLog). nil gives each connected account its own memory log,
	// which lasts as long as the gateway Connect returns.
	Refunds RefundLog
	// OneTapMaxAmount is the most a 1-Tap renewal may take, given the first
	// payment that sets 1-Tap up (ondemand_max_amount); nil means the
	// account's CredOneTapMaxAmount, else the first payment's amount.
	OneTapMaxAmount func(first billing.Money) billing.Money
}

var _ gateways.Connector = Connector{}

// Kind implements gateways.Connector.
func (Connector) Kind() string { return Kind }

// Credentials implements gateways.Connector: merchantId, email, secretWord
// (secret), apiPassword (secret) and the optional signature.
func (Connector) Credentials() []gateways.Credential { return credentialList() }

// Connect implements gateways.Connector. It checks the credentials' shape
// and calls nothing.
func (c Connector) Connect(acct gateways.Account) (gateways.ConnectedGateway, error) {
	creds, err := parseCredentials(acct.Credentials)
	if err != nil {
		return nil, err
	}
	g := &Gateway{
		acct:        acct,
		creds:       creds,
		checkoutURL: orDefault(c.CheckoutURL, DefaultCheckoutURL),
		apiURL:      orDefault(c.APIURL, DefaultAPIURL),
		http:        c.HTTPClient,
		now:         c.Now,
		refunds:     c.Refunds,
		oneTapMax:   c.OneTapMaxAmount,
	}
	if g.http == nil {
		g.http = &http.Client{Timeout: 30 * time.Second}
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.refunds == nil {
		g.refunds = NewMemoryRefundLog()
	}
	if g.oneTapMax == nil {
		g.oneTapMax = creds.oneTapCeiling
	}
	return g, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return strings.TrimRight(s, "/")
}

// Gateway is the gateway of one Skrill account. It is safe for concurrent
// use.
type Gateway struct {
	acct        gateways.Account
	creds       credentials
	checkoutURL string
	apiURL      string
	http        *http.Client
	now         func() time.Time
	refunds     RefundLog
	oneTapMax   func(billing.Money) billing.Money
}

var (
	_ gateways.ConnectedGateway = (*Gateway)(nil)
	_ gateways.RefundLooker     = (*Gateway)(nil)
	_ gateways.ReturnReader     = (*Gateway)(nil)
)

// Name implements gateways.Gateway.
func (g *Gateway) Name() string { return Kind }

// accepts reports whether the account charges in cur.
func (g *Gateway) accepts(cur billing.Currency) bool {
	return len(g.acct.Currencies) == 0 || slices.Contains(g.acct.Currencies, cur)
}
