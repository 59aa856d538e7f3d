package e2e

import (
	"strings"
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

// Finding 9: keys that encoding/json would take for the same field, by
// case or by Unicode folding (ſ is s, K is k), are refused as repeats.
func TestFinding9FoldedDuplicateKeysAreRefused(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))
	if r := call(t, env, "PATCH", "/v1/profile", `{"displayName":"first"}`, owner...); r.Status != 200 {
		t.Fatalf("PATCH /v1/profile = %d %+v", r.Status, r.Errors)
	}
	for _, body := range []string{
		`{"displayName":"first","diſplayName":"second"}`,
		`{"diſplayName":"second","displayName":"first"}`,
		`{"displayName":"first","DISPLAYNAME":"second"}`,
	} {
		r := call(t, env, "PATCH", "/v1/profile", body, owner...)
		r.is(t, body, 400, "INVALID", "the key appears twice in its object")
		if len(r.Errors) == 1 && !strings.EqualFold(r.Errors[0].Field, "displayName") {
			t.Errorf("%s: field = %q, want the repeated key", body, r.Errors[0].Field)
		}
	}
	if got := call(t, env, "GET", "/v1/profile", "", owner...).Result["displayName"]; got != "first" {
		t.Errorf("displayName = %v, want first", got)
	}
}
