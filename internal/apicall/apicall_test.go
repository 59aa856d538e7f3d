package apicall

import (
	"context"
	"io"
	"testing"
)

func TestRequest(t *testing.T) {
	req, err := Request(context.Background(), "POST", "http://billgate.test/v1/subscriptions", JSON(map[string]string{"priceId": "p"}), "key-1", "tok")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if string(body) != `{"priceId":"p"}` || req.Header.Get("Content-Type") != "application/json" ||
		req.Header.Get("Idempotency-Key") != "key-1" || req.Header.Get("Authorization") != "Bearer tok" {
		t.Errorf("request = %s %v", body, req.Header)
	}
	bare, err := Request(context.Background(), "GET", "http://billgate.test/healthz", "", "", "")
	if err != nil || len(bare.Header) != 0 {
		t.Errorf("a bare GET = %v %v, want no headers", bare.Header, err)
	}
}
