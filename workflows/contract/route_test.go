package contract

import (
	"testing"

	"github.com/google/uuid"
)

func TestGatewayRoutes(t *testing.T) {
	id := uuid.MustParse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
	route := GatewayRoute("stripe", id)
	if route != "stripe/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" {
		t.Errorf("GatewayRoute = %q", route)
	}
	for _, tt := range []struct {
		route   string
		gateway string
		account uuid.UUID
		ok      bool
	}{
		{route, "stripe", id, true},
		{"sandbox", "sandbox", uuid.Nil, true},
		{"stripe/", "", uuid.Nil, false},
		{"stripe/not-a-uuid", "", uuid.Nil, false},
		{"/" + id.String(), "", uuid.Nil, false},
	} {
		gateway, account, err := ParseGatewayRoute(tt.route)
		if (err == nil) != tt.ok || gateway != tt.gateway || account != tt.account {
			t.Errorf("ParseGatewayRoute(%q) = %q, %v, %v", tt.route, gateway, account, err)
		}
	}
}
