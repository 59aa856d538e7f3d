// Package stripe is billgate's gateway for a business's own Stripe account.
//
// It charges a saved PaymentMethod of a Stripe Customer off-session, with a
// PaymentIntent confirmed at creation, through stripe-go (the official
// client). The README beside this file maps every method to Stripe's API
// and lists the decisions taken where Stripe or the contract was silent.
package stripe

import (
	"net/http"
	"time"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// Kind is the gateway's name, and the {gateway} of its webhook route.
const Kind = "stripe"

// DefaultBaseURL is Stripe's API, for test and live keys alike: the key
// alone says which mode a request runs in.
const DefaultBaseURL = stripeapi.APIURL

// MetadataIdempotencyKey is the PaymentIntent metadata key that carries the
// charge's idempotency key, so that Find and webhooks can name it.
const MetadataIdempotencyKey = "billgate_idempotency_key"

// The credentials an account is connected with.
const (
	CredentialSecretKey      = "secretKey"
	CredentialWebhookSecret  = "webhookSecret"
	CredentialPublishableKey = "publishableKey"
)

// Connector makes the Gateway of a business's Stripe account. Its fields are
// the process's configuration, never an account's.
type Connector struct {
	// BaseURL is where Stripe's API is; empty means DefaultBaseURL. Tests
	// point it at stripe-mock or a stripetest server.
	BaseURL string
	// HTTPClient sends the requests; nil means stripe-go's default client.
	HTTPClient *http.Client
	// Now is the clock webhook timestamps are checked against; nil means
	// time.Now.
	Now func() time.Time
}

var _ gateways.Connector = Connector{}

// Kind implements gateways.Connector.
func (Connector) Kind() string { return Kind }

// Credentials implements gateways.Connector: the secret API key the
// account's requests are made with, the signing secret of its webhook
// endpoint, and optionally the publishable key of the same mode, which
// billgate's pages give Stripe.js to collect a card.
func (Connector) Credentials() []gateways.Credential {
	return []gateways.Credential{
		{Name: CredentialSecretKey, Secret: true},
		{Name: CredentialWebhookSecret, Secret: true},
		{Name: CredentialPublishableKey, Optional: true},
	}
}

// Connect implements gateways.Connector. It checks the credentials' shape
// against the account's mode and calls nothing.
func (c Connector) Connect(acct gateways.Account) (gateways.ConnectedGateway, error) {
	creds, err := parseCredentials(acct)
	if err != nil {
		return nil, err
	}
	baseURL := c.BaseURL
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	returnURL, err := parseReturnURL(acct.ReturnURL)
	if err != nil {
		return nil, err
	}
	return &account{
		api:           newClient(creds.secretKey, baseURL, c.HTTPClient),
		webhookSecret: creds.webhookSecret,
		currencies:    acct.Currencies,
		returnURL:     returnURL,
		now:           now,
	}, nil
}

// newClient is a stripe-go client of one account. It does not retry:
// billgate's activities retry with their own policy, and a Charge retried
// with its key is safe there.
func newClient(key, baseURL string, hc *http.Client) *stripeapi.Client {
	cfg := &stripeapi.BackendConfig{
		HTTPClient:        hc,
		URL:               stripeapi.String(baseURL),
		MaxNetworkRetries: stripeapi.Int64(0),
		// Errors are returned to the caller, which logs them in context.
		LeveledLogger: &stripeapi.LeveledLogger{Level: stripeapi.LevelNull},
	}
	return stripeapi.NewClient(key, stripeapi.WithBackends(stripeapi.NewBackendsWithConfig(cfg)))
}
