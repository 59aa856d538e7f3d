package skrill

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

func TestConnectorDescribesItself(t *testing.T) {
	var c Connector
	if c.Kind() != "skrill" {
		t.Errorf("Kind() = %q", c.Kind())
	}
	want := []gateways.Credential{
		{Name: "merchantId"}, {Name: "email"}, {Name: "secretWord", Secret: true},
		{Name: "apiPassword", Secret: true}, {Name: "signature", Optional: true},
		{Name: "oneTapMaxAmount", Optional: true},
	}
	got := c.Credentials()
	if len(got) != len(want) {
		t.Fatalf("Credentials() = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Credentials()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestConnectChecksCredentials(t *testing.T) {
	valid := func() map[string]string {
		return map[string]string{
			CredMerchantID: "100005", CredEmail: "merchant@example.com",
			CredSecretWord: "secret1", CredAPIPassword: "mqi-pass1",
		}
	}
	tests := []struct {
		name  string
		edit  func(map[string]string)
		field string // "" when valid
	}{
		{"valid", func(map[string]string) {}, ""},
		{"sha2", func(m map[string]string) { m[CredSignature] = "sha2" }, ""},
		{"md5", func(m map[string]string) { m[CredSignature] = "md5" }, ""},
		{"ten-character secret word", func(m map[string]string) { m[CredSecretWord] = "abcdefghi0" }, ""},
		{"no merchant ID", func(m map[string]string) { delete(m, CredMerchantID) }, CredMerchantID},
		{"merchant ID not a number", func(m map[string]string) { m[CredMerchantID] = "M100005" }, CredMerchantID},
		{"no email", func(m map[string]string) { m[CredEmail] = "" }, CredEmail},
		{"email with a name", func(m map[string]string) { m[CredEmail] = "Shop <merchant@example.com>" }, CredEmail},
		{"email too long", func(m map[string]string) { m[CredEmail] = strings.Repeat("m", 40) + "@example.com" }, CredEmail},
		{"no secret word", func(m map[string]string) { m[CredSecretWord] = "" }, CredSecretWord},
		{"secret word upper case", func(m map[string]string) { m[CredSecretWord] = "Secret" }, CredSecretWord},
		{"secret word special character", func(m map[string]string) { m[CredSecretWord] = "secret$" }, CredSecretWord},
		{"secret word too long", func(m map[string]string) { m[CredSecretWord] = "abcdefghijk" }, CredSecretWord},
		{"API password too short", func(m map[string]string) { m[CredAPIPassword] = "pass1" }, CredAPIPassword},
		{"API password all letters", func(m map[string]string) { m[CredAPIPassword] = "abcdefgh" }, CredAPIPassword},
		{"API password all digits", func(m map[string]string) { m[CredAPIPassword] = "12345678" }, CredAPIPassword},
		{"unknown signature", func(m map[string]string) { m[CredSignature] = "sha1" }, CredSignature},
		{"a 1-Tap ceiling", func(m map[string]string) { m[CredOneTapMaxAmount] = "100.00" }, ""},
		{"a 1-Tap ceiling of whole units", func(m map[string]string) { m[CredOneTapMaxAmount] = "5000" }, ""},
		{"a 1-Tap ceiling of nothing", func(m map[string]string) { m[CredOneTapMaxAmount] = "0.00" }, CredOneTapMaxAmount},
		{"a 1-Tap ceiling not a number", func(m map[string]string) { m[CredOneTapMaxAmount] = "100 EUR" }, CredOneTapMaxAmount},
		{"a 1-Tap ceiling negative", func(m map[string]string) { m[CredOneTapMaxAmount] = "-5" }, CredOneTapMaxAmount},
		{"a 1-Tap ceiling of four decimals", func(m map[string]string) { m[CredOneTapMaxAmount] = "1.0001" }, CredOneTapMaxAmount},
	}
	for _, tt := range tests {
		creds := valid()
		tt.edit(creds)
		g, err := Connector{}.Connect(gateways.Account{Credentials: creds})
		if tt.field == "" {
			if err != nil || g.Name() != Kind {
				t.Errorf("Connect(%s) = %v, %v; want a gateway", tt.name, g, err)
			}
			continue
		}
		fe, ok := errors.AsType[*billing.FieldError](err)
		if !ok || fe.Field != "credentials."+tt.field {
			t.Errorf("Connect(%s) = %v, want a FieldError on credentials.%s", tt.name, err, tt.field)
		}
		if err != nil && strings.Contains(err.Error(), creds[CredAPIPassword]) && tt.field == CredAPIPassword {
			t.Errorf("Connect(%s) error %q shows the password", tt.name, err)
		}
	}
}

// A connected gateway talks to Skrill's own addresses unless told
// otherwise, and calls nothing until asked.
func TestConnectDefaults(t *testing.T) {
	cg, err := Connector{}.Connect(gateways.Account{Credentials: map[string]string{
		CredMerchantID: "1", CredEmail: "m@example.com", CredSecretWord: "s", CredAPIPassword: "mqi-pass1",
	}})
	if err != nil {
		t.Fatal(err)
	}
	g := cg.(*Gateway)
	if g.checkoutURL != DefaultCheckoutURL || g.apiURL != DefaultAPIURL || g.http == nil || g.refunds == nil {
		t.Errorf("defaults: checkout %q, API %q, client %v, refunds %v", g.checkoutURL, g.apiURL, g.http, g.refunds)
	}
	cg, _ = Connector{CheckoutURL: "http://127.0.0.1:1/", APIURL: "http://127.0.0.1:1/app/"}.Connect(g.acct)
	if g := cg.(*Gateway); g.checkoutURL != "http://127.0.0.1:1" || g.apiURL != "http://127.0.0.1:1/app" {
		t.Errorf("configured addresses = %q, %q; want them without the trailing slash", g.checkoutURL, g.apiURL)
	}
}

func TestCheckMethod(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if got, err := f.g.CheckMethod(ctx, "1tap:500000001"); err != nil || got != "1tap:500000001" {
		t.Errorf("CheckMethod(1-Tap token) = %q, %v", got, err)
	}
	for _, tok := range []string{TokenCheckout, EmailToken("payer@example.org"), "1tap:", "1tap:5/1", "pm_123", ""} {
		_, err := f.g.CheckMethod(ctx, tok)
		wantErr(t, "CheckMethod("+tok+")", err, gateways.KindPermanent, ErrUnknownToken)
	}
	if n := f.requests.Load(); n != 0 {
		t.Errorf("CheckMethod made %d requests, want none", n)
	}
}
