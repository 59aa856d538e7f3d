package stripe_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe"
)

func TestConnectorDescribesItself(t *testing.T) {
	c := stripe.Connector{}
	if c.Kind() != "stripe" {
		t.Errorf("Kind() = %q, want stripe", c.Kind())
	}
	want := []gateways.Credential{
		{Name: "secretKey", Secret: true},
		{Name: "webhookSecret", Secret: true},
		{Name: "publishableKey", Optional: true},
	}
	if got := c.Credentials(); !reflect.DeepEqual(got, want) {
		t.Errorf("Credentials() = %+v, want %+v", got, want)
	}
}

// docs.stripe.com/keys: sk_ and rk_ keys make API calls, pk_ keys are for
// Stripe.js; test_ and live_ say the mode.
func TestConnectChecksCredentials(t *testing.T) {
	tests := []struct {
		name      string
		mode      gateways.Mode
		creds     map[string]string
		wantField string // empty: connects
		wantMsg   string
	}{
		{"test secret key", gateways.ModeTest, map[string]string{"secretKey": "sk_test_1", "webhookSecret": "whsec_1"}, "", ""},
		{"live secret key", gateways.ModeLive, map[string]string{"secretKey": "sk_live_1", "webhookSecret": "whsec_1"}, "", ""},
		{"restricted test key", gateways.ModeTest, map[string]string{"secretKey": "rk_test_1", "webhookSecret": "whsec_1"}, "", ""},
		{"with a publishable key", gateways.ModeLive, map[string]string{"secretKey": "rk_live_1", "webhookSecret": "whsec_1", "publishableKey": "pk_live_1"}, "", ""},
		{"live key, test account", gateways.ModeTest, map[string]string{"secretKey": "sk_live_1", "webhookSecret": "whsec_1"}, "secretKey", "live-mode key"},
		{"test key, live account", gateways.ModeLive, map[string]string{"secretKey": "sk_test_1", "webhookSecret": "whsec_1"}, "secretKey", "test-mode key"},
		{"restricted live key, test account", gateways.ModeTest, map[string]string{"secretKey": "rk_live_1", "webhookSecret": "whsec_1"}, "secretKey", "live-mode key"},
		{"publishable key as the secret", gateways.ModeTest, map[string]string{"secretKey": "pk_test_1", "webhookSecret": "whsec_1"}, "secretKey", "publishable"},
		{"no secret key", gateways.ModeTest, map[string]string{"webhookSecret": "whsec_1"}, "secretKey", "sk_test_"},
		{"prefix only", gateways.ModeTest, map[string]string{"secretKey": "sk_test_", "webhookSecret": "whsec_1"}, "secretKey", "only the prefix"},
		{"no webhook secret", gateways.ModeTest, map[string]string{"secretKey": "sk_test_1"}, "webhookSecret", "whsec_"},
		{"webhook secret without prefix", gateways.ModeTest, map[string]string{"secretKey": "sk_test_1", "webhookSecret": "secret"}, "webhookSecret", "whsec_"},
		{"publishable key of the other mode", gateways.ModeTest, map[string]string{"secretKey": "sk_test_1", "webhookSecret": "whsec_1", "publishableKey": "pk_live_1"}, "publishableKey", "pk_test_"},
		{"unknown mode", "sandbox", map[string]string{"secretKey": "sk_test_1", "webhookSecret": "whsec_1"}, "mode", "test or live"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw, err := stripe.Connector{}.Connect(gateways.Account{Mode: tt.mode, Credentials: tt.creds})
			if tt.wantField == "" {
				if err != nil || gw == nil || gw.Name() != "stripe" {
					t.Fatalf("Connect() = %v, %v; want a stripe gateway", gw, err)
				}
				return
			}
			fe, ok := errors.AsType[*billing.FieldError](err)
			if !ok || fe.Field != tt.wantField || !strings.Contains(fe.Message, tt.wantMsg) {
				t.Errorf("Connect() = %v, want a field error on %s saying %q", err, tt.wantField, tt.wantMsg)
			}
		})
	}
}

// The account's return URL is billgate's; one that does not parse is
// refused when the account connects, not at its first charge.
func TestConnectChecksTheReturnURL(t *testing.T) {
	acct := testAccount()
	acct.ReturnURL = "https://billgate.example/gateways/stripe/%zz/return"
	if gw, err := (stripe.Connector{}).Connect(acct); err == nil || !strings.Contains(err.Error(), "return URL") {
		t.Errorf("Connect() = %v, %v; want an error about the return URL", gw, err)
	}
}
