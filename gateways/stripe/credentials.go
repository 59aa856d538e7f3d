package stripe

import (
	"fmt"
	"strings"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// credentials are an account's credentials, their shape checked.
type credentials struct {
	secretKey     string
	webhookSecret string
}

// Key prefixes by mode (docs.stripe.com/keys): secret keys sk_, restricted
// keys rk_, publishable keys pk_, then test_ or live_.
var keyModes = map[string]gateways.Mode{
	"sk_test_": gateways.ModeTest, "rk_test_": gateways.ModeTest,
	"sk_live_": gateways.ModeLive, "rk_live_": gateways.ModeLive,
}

func parseCredentials(acct gateways.Account) (credentials, error) {
	if acct.Mode != gateways.ModeTest && acct.Mode != gateways.ModeLive {
		return credentials{}, &billing.FieldError{Field: "mode", Message: fmt.Sprintf("must be test or live, not %q", acct.Mode)}
	}
	c := credentials{
		secretKey:     acct.Credentials[CredentialSecretKey],
		webhookSecret: acct.Credentials[CredentialWebhookSecret],
	}
	if err := checkSecretKey(c.secretKey, acct.Mode); err != nil {
		return credentials{}, err
	}
	if rest, ok := strings.CutPrefix(c.webhookSecret, "whsec_"); !ok || rest == "" {
		return credentials{}, &billing.FieldError{Field: CredentialWebhookSecret, Message: "must be the endpoint's signing secret, whsec_…"}
	}
	if pk := acct.Credentials[CredentialPublishableKey]; pk != "" {
		want := "pk_" + string(acct.Mode) + "_"
		if rest, ok := strings.CutPrefix(pk, want); !ok || rest == "" {
			return credentials{}, &billing.FieldError{Field: CredentialPublishableKey, Message: "must be a publishable key of the account's mode, " + want + "…"}
		}
	}
	return c, nil
}

func checkSecretKey(key string, mode gateways.Mode) error {
	field := func(msg string) error { return &billing.FieldError{Field: CredentialSecretKey, Message: msg} }
	if strings.HasPrefix(key, "pk_") {
		return field("is a publishable key (pk_…); the API takes a secret (sk_…) or restricted (rk_…) key")
	}
	for prefix, m := range keyModes {
		rest, ok := strings.CutPrefix(key, prefix)
		switch {
		case !ok:
			continue
		case rest == "":
			return field("is only the prefix " + prefix)
		case m != mode:
			return field("is a " + string(m) + "-mode key (" + prefix + "…) but the account is in " + string(mode) + " mode")
		}
		return nil
	}
	return field("must be a Stripe secret key, sk_" + string(mode) + "_… (or a restricted key, rk_" + string(mode) + "_…)")
}
