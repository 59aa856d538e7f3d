package app

import (
	"slices"
	"testing"

	"github.com/billgate/billgate/internal/config"
)

// The gateways a business may connect are the three the API documents,
// each under its own name.
func TestConnectorsAreTheDocumentedGateways(t *testing.T) {
	c := Connectors(config.GatewayURLs{})
	if names := c.Names(); !slices.Equal(names, []string{"paypal", "skrill", "stripe"}) {
		t.Errorf("Connectors = %v, want paypal, skrill and stripe", names)
	}
	for name, conn := range c {
		if conn.Kind() != name {
			t.Errorf("the connector under %q is %q", name, conn.Kind())
		}
		if fields, ok := c.Fields(name); !ok || len(fields) == 0 {
			t.Errorf("%s lists no credentials", name)
		}
	}
}
