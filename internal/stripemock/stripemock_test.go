package stripemock

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// stripe-mock answers a valid request with its fixture, checks the key's
// shape, and the fixture is a payment_intent by Stripe's specification.
func TestStart(t *testing.T) {
	base := Start(t)
	get := func(key string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/payment_intents/pi_123", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	status, body := get("sk_test_123")
	var pi struct{ ID, Object string }
	if err := json.Unmarshal(body, &pi); status != http.StatusOK || err != nil || pi.ID != "pi_123" || pi.Object != "payment_intent" {
		t.Fatalf("GET /v1/payment_intents/pi_123 = %d %s, want 200 and the PaymentIntent pi_123", status, body)
	}
	if err := LoadSpec(t).Validate("payment_intent", body); err != nil {
		t.Errorf("stripe-mock's fixture does not validate: %v", err)
	}
	if status, body := get("sk_live_123"); status != http.StatusUnauthorized {
		t.Errorf("with a live key: %d %s, want 401", status, body)
	}
}

func TestSpecIsStrict(t *testing.T) {
	spec := LoadSpec(t)
	tests := []struct {
		name, schema, body, wantErr string
	}{
		{"valid", "refund", `{"id":"re_1","object":"refund","amount":100,"created":1,"currency":"usd","status":"succeeded"}`, ""},
		{"unknown field", "refund", `{"id":"re_1","object":"refund","amount":100,"created":1,"currency":"usd","colour":"red"}`, `"colour" is unsupported`},
		{"wrong type", "refund", `{"id":"re_1","object":"refund","amount":"100","created":1,"currency":"usd"}`, "amount"},
		{"missing required", "refund", `{"id":"re_1","object":"refund","created":1,"currency":"usd"}`, "amount"},
		{"unknown schema", "refnd", `{}`, "no schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := spec.Validate(tt.schema, []byte(tt.body))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate(%s) = %v, want %q", tt.body, err, tt.wantErr)
			}
		})
	}
}

func TestBinaryFromEnvironment(t *testing.T) {
	t.Setenv(EnvBinary, "/nonexistent/stripe-mock")
	if _, err := binary(); err == nil || !strings.Contains(err.Error(), EnvBinary) {
		t.Errorf("binary() with $%s missing = %v, want an error naming it", EnvBinary, err)
	}
}
