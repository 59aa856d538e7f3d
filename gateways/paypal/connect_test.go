package paypal_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
)

func TestConnectorDescribes(t *testing.T) {
	var c paypal.Connector
	if c.Kind() != "paypal" {
		t.Errorf("Kind() = %q", c.Kind())
	}
	want := []gateways.Credential{{Name: "clientId"}, {Name: "clientSecret", Secret: true}, {Name: "webhookId"}}
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

// Connect checks the credentials' shape and calls nothing.
func TestConnectValidates(t *testing.T) {
	good := map[string]string{"clientId": "AbC-123_x", "clientSecret": "EFg-456", "webhookId": "9XL90610J3647323C"}
	with := func(k, v string) map[string]string {
		m := maps.Clone(good)
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		acct  gateways.Account
		field string // named in the error; "" means valid
	}{
		{"valid", gateways.Account{Mode: gateways.ModeLive, Credentials: good}, ""},
		{"valid with return URL", gateways.Account{Mode: gateways.ModeTest, Credentials: good, ReturnURL: "https://b.example/r"}, ""},
		{"no client ID", gateways.Account{Mode: gateways.ModeTest, Credentials: with("clientId", "")}, "clientId"},
		{"client ID with a colon", gateways.Account{Mode: gateways.ModeTest, Credentials: with("clientId", "a:b")}, "clientId"},
		{"no secret", gateways.Account{Mode: gateways.ModeTest, Credentials: with("clientSecret", "")}, "clientSecret"},
		{"no webhook ID", gateways.Account{Mode: gateways.ModeTest, Credentials: with("webhookId", "")}, "webhookId"},
		{"webhook ID with a dash", gateways.Account{Mode: gateways.ModeTest, Credentials: with("webhookId", "WH-123")}, "webhookId"},
		{"webhook ID too long", gateways.Account{Mode: gateways.ModeTest, Credentials: with("webhookId", strings.Repeat("A", 51))}, "webhookId"},
		{"no mode", gateways.Account{Credentials: good}, "mode"},
		{"relative return URL", gateways.Account{Mode: gateways.ModeTest, Credentials: good, ReturnURL: "/return"}, "return URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := paypal.Connector{}.Connect(tt.acct)
			if tt.field == "" {
				if err != nil || g.Name() != "paypal" {
					t.Errorf("Connect() = %v, %v, want a gateway", g, err)
				}
				return
			}
			if g != nil || err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Connect() = %v, %v, want no gateway and an error naming %s", g, err, tt.field)
			}
		})
	}
}

// An empty BaseURL is PayPal's own, by mode (the specs' servers).
func TestConnectDefaultBaseURL(t *testing.T) {
	for mode, host := range map[gateways.Mode]string{gateways.ModeTest: "api-m.sandbox.paypal.com", gateways.ModeLive: "api-m.paypal.com"} {
		var asked string
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			asked = r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
			return nil, errors.New("offline")
		})}
		g, err := paypal.Connector{HTTPClient: client}.Connect(gateways.Account{
			Mode: mode, Credentials: map[string]string{"clientId": "a", "clientSecret": "b", "webhookId": "C1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = g.Lookup(context.Background(), "5O190127TN364715T")
		if !gateways.IsTransient(err) || asked != "https://"+host+"/v1/oauth2/token" {
			t.Errorf("%s account: Lookup asked %q (%v), want https://%s/v1/oauth2/token and a transient error", mode, asked, err, host)
		}
	}
}
