package stripe

import (
	"net/url"
	"slices"
	"time"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// account is the Gateway of one connected Stripe account.
type account struct {
	api           *stripeapi.Client
	webhookSecret string
	currencies    []billing.Currency
	returnURL     *url.URL // nil: the account takes no redirects
	now           func() time.Time
}

var (
	_ gateways.ConnectedGateway = (*account)(nil)
	_ gateways.RefundLooker     = (*account)(nil)
	_ gateways.RefundLister     = (*account)(nil)
	_ gateways.ReturnReader     = (*account)(nil)
)

// Name implements gateways.Gateway.
func (a *account) Name() string { return Kind }

// accepts reports whether the account charges in c.
func (a *account) accepts(c billing.Currency) bool {
	return len(a.currencies) == 0 || slices.Contains(a.currencies, c)
}
