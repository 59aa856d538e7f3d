package app

import (
	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/skrill"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/internal/config"
)

// Connectors are the gateways businesses connect their accounts at, at
// their own addresses unless urls names others.
func Connectors(urls config.GatewayURLs) connected.Connectors {
	return connected.Connectors{
		stripe.Kind: stripe.Connector{BaseURL: urls.Stripe},
		paypal.Kind: paypal.Connector{BaseURL: urls.PayPal},
		// Start gives it the store's refund log (WithRefundLog).
		skrill.Kind: skrill.Connector{CheckoutURL: urls.SkrillCheckout, APIURL: urls.SkrillAPI},
	}
}
