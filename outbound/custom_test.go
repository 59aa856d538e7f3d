package outbound

import (
	"net/http"
	"testing"
	"time"
)

func TestAuthorizeCustom(t *testing.T) {
	tests := []struct {
		name, scheme, secret, want string
	}{
		{"ESPF brief's example", "Plain", "passexample", "Plain passexample"},
		{"auth-params", "Token", `realm="acme", key=abc123`, `Token realm="acme", key=abc123`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			a := Auth{Scheme: SchemeCustom, Name: tt.scheme, Secret: Secret(tt.secret)}
			if err := a.Authorize(h, time.Now()); err != nil {
				t.Fatal(err)
			}
			checkHeaders(t, h, http.Header{"Authorization": {tt.want}})
		})
	}
}
