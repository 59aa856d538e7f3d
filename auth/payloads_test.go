package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/models"
)

// Payload templates are compiled at login into the session and at token
// time into the JWT; variables resolve from the code's functions, then the
// client's context, its roles', and the policies' substitutions; one that
// resolves nowhere allows nothing.
func testPayloadTemplates(t *testing.T, f *fixture) {
	cfg := f.tokenConfig()
	cfg.Variables = map[string]Variable{"own_client_id": func(_ context.Context, p *Principal) (payloadcheck.Value, error) {
		b, _ := json.Marshal(p.Account.ID)
		return payloadcheck.Value{JSON: b}, nil
	}}
	f.use(cfg)
	pol := &models.Policy{Name: "limited", Statements: `[{"effect":"allow","actions":["*"],"resources":["*"]}]`,
		Payloads:      `{"profile:update":[{"displayName":"<%= names %>","email":"<%= emails %>","nick":"<%= nicks %>","birthdate":"<%= nowhere %>","own":"<%= own_client_id %>"}]}`,
		Substitutions: `{"names":["policy"],"own_client_id":"shadowed"}`}
	if err := f.store.CreatePolicy(f.ctx, pol); err != nil {
		t.Fatal(err)
	}
	role := &models.Role{Name: "limited", Level: models.LevelBusiness, PayloadContext: `{"names":["role"],"emails":["role@example.com"]}`}
	if err := f.store.CreateRole(f.ctx, role, []string{"limited"}); err != nil {
		t.Fatal(err)
	}
	shop := f.client(nil, "shop", "pw", "limited")
	if _, err := f.store.UpdateClient(f.ctx, shop.ID, models.ClientChanges{PayloadContext: new(`{"emails":["client@example.com"],"nicks":["client"]}`)}, f.clock); err != nil {
		t.Fatal(err)
	}

	check := func(what string, p *Principal, body, wantField string) {
		t.Helper()
		err := p.Payloads.Check("profile:update", []byte(body), nil)
		var fe *payloadcheck.FieldError
		switch {
		case wantField == "" && err != nil:
			t.Errorf("%s: %s refused: %v", what, body, err)
		case wantField != "" && (!errors.As(err, &fe) || fe.Field != wantField):
			t.Errorf("%s: %s = %v, want refused at %q", what, body, err, wantField)
		}
	}
	login := f.mustLogin("shop", "pw", "")
	if login.Session.PayloadTemplates == nil || !strings.Contains(*login.Session.PayloadTemplates, "role@example.com") {
		t.Fatalf("the session's templates = %v, want them compiled at login", login.Session.PayloadTemplates)
	}
	bySession := f.mustAuthenticate(login.Token)
	jwt, _, err := f.svc.AccessTokens.Issue(f.ctx, bySession, Origin{IP: homeIP})
	if err != nil {
		t.Fatal(err)
	}
	byToken := f.mustAuthenticate(jwt)
	byBasic, err := f.basic("shop", "pw", "")
	if err != nil {
		t.Fatal(err)
	}
	for what, p := range map[string]*Principal{"session": bySession, "jwt": byToken, "basic": byBasic} {
		check(what, p, `{"displayName":"policy","email":"role@example.com","nick":"client","own":"`+shop.ID.String()+`"}`, "")
		check(what, p, `{"displayName":"role"}`, "displayName")
		check(what, p, `{"email":"client@example.com"}`, "email")
		check(what, p, `{"own":"shadowed"}`, "own")
		check(what, p, `{"birthdate":"2000-01-01"}`, "birthdate")
	}

	// A policy change reaches a session at its next login, a token when it
	// is made.
	pol.Payloads, pol.UpdatedAt = `{}`, f.clock
	if err := f.store.UpdatePolicy(f.ctx, pol); err != nil {
		t.Fatal(err)
	}
	check("the old session", f.mustAuthenticate(login.Token), `{"displayName":"x"}`, "displayName")
	check("a new login", f.mustAuthenticate(f.mustLogin("shop", "pw", "").Token), `{"displayName":"x"}`, "")
}
