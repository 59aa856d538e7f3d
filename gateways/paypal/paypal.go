// Package paypal is billgate's gateway for a business's own PayPal account:
// a thin client of PayPal's published REST APIs (Orders v2, Payments v2,
// Payment Method Tokens v3 and the webhook signature scheme), with no SDK.
//
// A first payment is an order the payer approves at PayPal, which also saves
// the payer's PayPal wallet in PayPal's vault; later payments charge the
// saved wallet with no approval. billgate captures an approved order when it
// looks the order up, exactly once. README.md describes the mapping endpoint
// by endpoint and every decision taken where PayPal or the contract is
// silent.
package paypal

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// Kind is the gateway's name, and the {gateway} of its webhook route.
const Kind = "paypal"

// PayPal's API addresses, by mode.
const (
	SandboxBaseURL = "https://api-m.sandbox.paypal.com"
	LiveBaseURL    = "https://api-m.paypal.com"
)

// The names of an account's credentials.
const (
	CredClientID     = "clientId"
	CredClientSecret = "clientSecret"
	// CredWebhookID is the ID PayPal gave the account's webhook registration;
	// it is part of every delivery's signed string.
	CredWebhookID = "webhookId"
)

// defaultCertHosts are the hosts a webhook's PAYPAL-CERT-URL may name, by
// mode: PayPal's own API hosts (its examples serve certificates from
// api.paypal.com and api.sandbox.paypal.com). A live account never trusts a
// sandbox certificate, nor the reverse.
var defaultCertHosts = map[gateways.Mode][]string{
	gateways.ModeLive: {"api.paypal.com", "api-m.paypal.com"},
	gateways.ModeTest: {"api.sandbox.paypal.com", "api-m.sandbox.paypal.com"},
}

// DefaultWebhookTolerance is how far a webhook's transmission time may be
// from the receiver's clock, either way.
const DefaultWebhookTolerance = 5 * time.Minute

// defaultTimeout bounds a call when the Connector has no HTTP client.
const defaultTimeout = 30 * time.Second

// Connector connects businesses' PayPal accounts. The zero value talks to
// PayPal itself; the fields point it elsewhere for tests.
type Connector struct {
	// BaseURL is the API's address; empty means SandboxBaseURL for an
	// account in test mode and LiveBaseURL for a live one.
	BaseURL string
	// HTTPClient makes every call, the certificate downloads included; nil
	// means a client with a 30 s timeout.
	HTTPClient *http.Client
	// CertHosts are the hosts (optionally host:port) a webhook's
	// certificate may be downloaded from; empty means PayPal's own for the
	// account's mode.
	CertHosts []string
	// CertRoots verify a webhook certificate's chain; nil means the
	// system's roots.
	CertRoots *x509.CertPool
	// WebhookTolerance is how far a webhook's transmission time may be from
	// now; zero means DefaultWebhookTolerance.
	WebhookTolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var _ gateways.Connector = Connector{}

// Kind implements gateways.Connector.
func (Connector) Kind() string { return Kind }

// Credentials implements gateways.Connector.
func (Connector) Credentials() []gateways.Credential {
	return []gateways.Credential{
		{Name: CredClientID},
		{Name: CredClientSecret, Secret: true},
		{Name: CredWebhookID},
	}
}

// Connect implements gateways.Connector: it checks the credentials' shape
// and the account's return URL, and calls nothing. The gateway is a
// *Gateway.
func (c Connector) Connect(acct gateways.Account) (gateways.ConnectedGateway, error) {
	if acct.Mode != gateways.ModeTest && acct.Mode != gateways.ModeLive {
		return nil, fmt.Errorf("paypal: account mode %q is neither %q nor %q", acct.Mode, gateways.ModeTest, gateways.ModeLive)
	}
	creds, err := parseCredentials(acct.Credentials)
	if err != nil {
		return nil, err
	}
	if acct.ReturnURL != "" {
		if err := checkAbsoluteURL(acct.ReturnURL); err != nil {
			return nil, fmt.Errorf("paypal: return URL: %w", err)
		}
	}
	base := c.BaseURL
	if base == "" {
		base = LiveBaseURL
		if acct.Mode == gateways.ModeTest {
			base = SandboxBaseURL
		}
	}
	if err := checkAbsoluteURL(base); err != nil {
		return nil, fmt.Errorf("paypal: base URL: %w", err)
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	hosts := c.CertHosts
	if len(hosts) == 0 {
		hosts = defaultCertHosts[acct.Mode]
	}
	tolerance := c.WebhookTolerance
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	return &Gateway{
		api:        &api{base: strings.TrimSuffix(base, "/"), http: client, creds: creds, now: now},
		acct:       acct,
		webhookID:  creds.webhookID,
		certs:      &certCache{http: client, roots: c.CertRoots, byURL: map[string]*certChain{}},
		certHosts:  hosts,
		tolerance:  tolerance,
		now:        now,
		currencies: acct.Currencies,
	}, nil
}

// credentials are an account's credentials, checked.
type credentials struct {
	clientID, clientSecret, webhookID string
}

func parseCredentials(m map[string]string) (credentials, error) {
	c := credentials{clientID: m[CredClientID], clientSecret: m[CredClientSecret], webhookID: m[CredWebhookID]}
	switch {
	case c.clientID == "":
		return c, errors.New("paypal: credential clientId is missing")
	case strings.ContainsAny(c.clientID, ": \t\r\n"):
		// The client ID is the user of HTTP Basic authentication (RFC 7617),
		// which cannot hold a colon.
		return c, errors.New("paypal: credential clientId must not contain a colon or white space")
	case c.clientSecret == "":
		return c, errors.New("paypal: credential clientSecret is missing")
	case strings.ContainsAny(c.clientSecret, " \t\r\n"):
		return c, errors.New("paypal: credential clientSecret must not contain white space")
	case c.webhookID == "":
		return c, errors.New("paypal: credential webhookId is missing")
	case len(c.webhookID) > 50 || !alphanumeric(c.webhookID):
		// verify_webhook_signature.webhook_id: ^[a-zA-Z0-9]+$, at most 50.
		return c, errors.New("paypal: credential webhookId must be 1 to 50 letters and digits, as PayPal shows it for the webhook")
	}
	return c, nil
}

func alphanumeric(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return s != ""
}

func checkAbsoluteURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// Gateway is the gateway of one connected PayPal account. It keeps the
// account's OAuth access token and the webhook certificates it downloaded,
// so one Gateway per account should be kept, not one per call. It is safe
// for concurrent use.
type Gateway struct {
	api        *api
	acct       gateways.Account
	webhookID  string
	certs      *certCache
	certHosts  []string
	tolerance  time.Duration
	now        func() time.Time
	currencies []billing.Currency
}

var _ gateways.ConnectedGateway = (*Gateway)(nil)

// Name implements gateways.Gateway.
func (g *Gateway) Name() string { return Kind }

// permanent and transient wrap err as this gateway's errors.
func permanent(err error) error { return gateways.Permanent(Kind, err) }
func transient(err error) error { return gateways.Transient(Kind, err) }
