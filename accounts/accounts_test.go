package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

const goodPassword = "correct horse battery staple"

// wantErr checks err against want: nil, a sentinel, or a fault naming the
// field (and, for an invalid one, the value).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	var gotInvalid, wantInvalid *fault.InvalidError
	var gotDenied, wantDenied *fault.DeniedError
	switch {
	case want == nil:
		if err != nil {
			t.Errorf("%s = %v, want success", what, err)
		}
	case errors.As(want, &wantInvalid):
		if !errors.As(err, &gotInvalid) || gotInvalid.Field != wantInvalid.Field || fmt.Sprint(gotInvalid.Value) != fmt.Sprint(wantInvalid.Value) {
			t.Errorf("%s = %v, want INVALID on %s (value %v)", what, err, wantInvalid.Field, wantInvalid.Value)
		}
	case errors.As(want, &wantDenied):
		if !errors.As(err, &gotDenied) || gotDenied.Field != wantDenied.Field {
			t.Errorf("%s = %v, want PERMISSION DENIED on %s", what, err, wantDenied.Field)
		}
	default:
		if !errors.Is(err, want) {
			t.Errorf("%s = %v, want %v", what, err, want)
		}
	}
}

func invalid(field string, value any) error { return fault.Invalid(field, "", value) }

// Who may create which account, in which tenant.
func TestCreateLevelsAndTenants(t *testing.T) {
	w := newWorld()
	shop := w.shop.ID
	tests := []struct {
		name       string
		actor      *models.Client
		role       string
		tenant     *uuid.UUID
		wantErr    error
		wantTenant *uuid.UUID // when created
		wantRole   string
	}{
		{"admin creates a shop's customer", w.admin, "customer", &shop, nil, &shop, "customer"},
		{"the role defaults to customer", w.admin, "", &shop, nil, &shop, "customer"},
		{"admin creates a business", w.admin, "business", nil, nil, nil, "business"},
		{"admin creates an admin", w.admin, "admin", nil, nil, nil, "admin"},
		{"admin's customer needs a tenant", w.admin, "customer", nil, invalid("tenantId", nil), nil, ""},
		{"admin's business has no tenant", w.admin, "business", &shop, invalid("tenantId", shop.String()), nil, ""},
		{"admin's admin has no tenant", w.admin, "admin", &shop, invalid("tenantId", shop.String()), nil, ""},
		{"business creates its own customer", w.shop, "", nil, nil, &shop, "customer"},
		{"business creates a business", w.shop, "business", nil, auth.ErrPermissionDenied, nil, ""},
		{"business creates an admin", w.shop, "admin", nil, auth.ErrPermissionDenied, nil, ""},
		{"business names a tenant, even its own", w.shop, "customer", &shop, auth.ErrPermissionDenied, nil, ""},
		{"business names another tenant", w.shop, "customer", &w.other.ID, auth.ErrPermissionDenied, nil, ""},
		{"a customer's customers are its own", w.bob, "customer", nil, nil, &w.bob.ID, "customer"},
		{"unknown role", w.admin, "boss", nil, invalid("role", "boss"), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.trail.events = nil
			got, err := w.svc.Create(context.Background(), w.as(tt.actor), NewAccount{Login: "new", Password: goodPassword, Role: tt.role, TenantID: tt.tenant})
			wantErr(t, "Create", err, tt.wantErr)
			if err != nil {
				if len(w.trail.events) != 0 {
					t.Errorf("a refused creation was audited: %v", w.trail.actions())
				}
				return
			}
			if fmt.Sprint(got.Client.TenantID) != fmt.Sprint(tt.wantTenant) || !slices.Equal(got.Roles, []string{tt.wantRole}) {
				t.Errorf("created tenant %v roles %v, want %v [%s]", got.Client.TenantID, got.Roles, tt.wantTenant, tt.wantRole)
			}
			if got.Client.PasswordHash != "hashed:"+goodPassword {
				t.Errorf("stored password hash = %q, want the hasher's", got.Client.PasswordHash)
			}
			e := w.trail.events
			if len(e) != 1 || e[0].Action != "client.create" || *e[0].ActorID != tt.actor.ID || *e[0].SubjectID != got.Client.ID || e[0].IP != "192.0.2.7" || e[0].Details != `{"role":"`+tt.wantRole+`"}` {
				t.Errorf("audit = %+v, want one client.create by the actor", e)
			}
		})
	}
}

func TestCreateValidatesFields(t *testing.T) {
	w := newWorld()
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name    string
		n       NewAccount
		wantErr error
	}{
		{"fine", NewAccount{Login: "a.b@c+d-e_f", Password: goodPassword, Email: "a@b.example", DisplayName: "A", Birthdate: raw(`"1990-04-01"`)}, nil},
		{"null birthdate", NewAccount{Login: "x", Password: goodPassword, Birthdate: raw(`null`)}, nil},
		{"empty login", NewAccount{Password: goodPassword}, invalid("login", "")},
		{"login starting with a dot", NewAccount{Login: ".x", Password: goodPassword}, invalid("login", ".x")},
		{"weak password", NewAccount{Login: "x", Password: "short"}, invalid("password", nil)},
		{"email", NewAccount{Login: "x", Password: goodPassword, Email: "nope"}, invalid("email", "nope")},
		{"display name with a control character", NewAccount{Login: "x", Password: goodPassword, DisplayName: "a\x01"}, invalid("displayName", nil)},
		{"future birthdate", NewAccount{Login: "x", Password: goodPassword, Birthdate: raw(`"2031-01-01"`)}, invalid("birthdate", "2031-01-01")},
		{"birthdate before 1900", NewAccount{Login: "x", Password: goodPassword, Birthdate: raw(`"1899-12-31"`)}, invalid("birthdate", "1899-12-31")},
		{"birthdate not a string", NewAccount{Login: "x", Password: goodPassword, Birthdate: raw(`12`)}, invalid("birthdate", nil)},
		{"the login is checked first", NewAccount{Login: "-", Password: "short", Birthdate: raw(`12`)}, invalid("login", "-")},
	}
	for _, tt := range tests {
		_, err := w.svc.Create(context.Background(), w.as(w.shop), tt.n)
		wantErr(t, tt.name, err, tt.wantErr)
	}
}

// The tenancy rule, for every operation on one account.
func TestOnlyVisibleAccountsAreReached(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	theirs := &models.Client{ID: uuid.New(), TenantID: &w.other.ID, Login: "eve"}
	w.store.clients[theirs.ID] = theirs
	tests := []struct {
		actor, target *models.Client
		sees          bool
	}{
		{w.admin, w.bob, true},
		{w.admin, w.shop, true},
		{w.admin, w.admin, true},
		{w.shop, w.bob, true},
		{w.shop, theirs, false},
		{w.shop, w.shop, false}, // its own account is its profile
		{w.shop, w.other, false},
		{w.shop, w.admin, false},
		{w.other, w.bob, false},
		{w.bob, w.bob, false},
		{w.bob, w.shop, false},
	}
	for _, tt := range tests {
		a := w.as(tt.actor)
		name := tt.actor.Login + " reaches " + tt.target.Login
		_, err := w.svc.Get(ctx, a, tt.target.ID)
		_, updateErr := w.svc.Update(ctx, a, tt.target.ID, Changes{})
		var want error
		if !tt.sees {
			want = models.ErrNotFound
			wantErr(t, name+": Delete", w.svc.Delete(ctx, a, tt.target.ID), want)
		}
		wantErr(t, name+": Get", err, want)
		wantErr(t, name+": Update", updateErr, want)
	}
	if len(w.store.deleted) != 0 {
		t.Errorf("deleted %v, want nothing", w.store.deleted)
	}
	_, err := w.svc.Get(ctx, w.as(w.admin), uuid.New())
	wantErr(t, "Get of an unknown account", err, models.ErrNotFound)
}

func TestListAndTrailAreNarrowedToTheActor(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	asked := models.ClientFilter{TenantID: &w.other.ID, Platform: true, Limit: 3}
	tests := []struct {
		actor      *models.Client
		wantTenant *uuid.UUID
		platform   bool
		// the trail
		trailTenant, trailSubject *uuid.UUID
	}{
		{w.admin, &w.other.ID, true, &w.other.ID, &w.bob.ID},
		{w.shop, &w.shop.ID, false, &w.shop.ID, &w.bob.ID},
		{w.bob, &w.bob.ID, false, &w.shop.ID, &w.bob.ID},
	}
	for _, tt := range tests {
		store := &recordingStore{fakeStore: w.store}
		svc := *w.svc
		svc.Store = store
		if _, err := svc.List(ctx, w.as(tt.actor), asked); err != nil {
			t.Fatal(err)
		}
		got := store.filters[0]
		if *got.TenantID != *tt.wantTenant || got.Platform != tt.platform || got.Limit != 3 {
			t.Errorf("%s lists with tenant %v platform %v, want %v %v", tt.actor.Login, *got.TenantID, got.Platform, *tt.wantTenant, tt.platform)
		}

		w.trail.asked = nil
		// The admin asks for the other tenant and bob; the rest are narrowed whatever they ask.
		if _, err := svc.AuditEvents(ctx, w.as(tt.actor), models.AuditFilter{TenantID: &w.other.ID, SubjectID: &w.bob.ID, Limit: 5}); err != nil {
			t.Fatal(err)
		}
		f := w.trail.asked[0]
		if *f.TenantID != *tt.trailTenant || *f.SubjectID != *tt.trailSubject || f.Limit != 5 {
			t.Errorf("%s reads the trail of tenant %v subject %v, want %v %v", tt.actor.Login, *f.TenantID, *f.SubjectID, *tt.trailTenant, *tt.trailSubject)
		}
	}
	// A business asking for no subject reads its whole tenant.
	w.trail.asked = nil
	if _, err := w.svc.AuditEvents(ctx, w.as(w.shop), models.AuditFilter{}); err != nil {
		t.Fatal(err)
	}
	if f := w.trail.asked[0]; *f.TenantID != w.shop.ID || f.SubjectID != nil {
		t.Errorf("shop reads tenant %v subject %v, want its own tenant, every subject", f.TenantID, f.SubjectID)
	}
}

type recordingStore struct {
	*fakeStore
	filters []models.ClientFilter
}

func (s *recordingStore) ListClients(ctx context.Context, f models.ClientFilter) ([]models.Client, error) {
	s.filters = append(s.filters, f)
	return s.fakeStore.ListClients(ctx, f)
}

// What an update sets, refuses and records.
func TestUpdate(t *testing.T) {
	yes, no := true, false
	email, bad := "bob@shop.example", "not an address"
	tests := []struct {
		name        string
		changes     Changes
		wasDisabled bool
		wantErr     error
		wantAudit   []string
	}{
		{"disabling", Changes{Disabled: &yes}, false, nil, []string{"client.disable"}},
		{"disabling a disabled account", Changes{Disabled: &yes}, true, nil, nil},
		{"enabling", Changes{Disabled: &no}, true, nil, []string{"client.enable"}},
		{"enabling an enabled account", Changes{Disabled: &no}, false, nil, nil},
		{"profile", Changes{Profile: Profile{Email: &email}}, false, nil, []string{"client.update"}},
		{"disabling and profile", Changes{Profile: Profile{Email: &email}, Disabled: &yes}, false, nil, []string{"client.disable", "client.update"}},
		{"payload context alone", Changes{PayloadContext: payloadcheck.Static{"plan": json.RawMessage(`"gold"`)}}, false, nil, nil},
		{"privileged field", Changes{Profile: Profile{Privileged: []string{"level", "roles"}}, Disabled: &yes}, false, fault.Denied("level"), nil},
		{"privileged before invalid", Changes{Profile: Profile{Email: &bad, Privileged: []string{"login"}}}, false, fault.Denied("login"), nil},
		{"invalid email", Changes{Profile: Profile{Email: &bad}}, false, invalid("email", bad), nil},
		{"invalid payload context", Changes{PayloadContext: payloadcheck.Static{"Bad Key": json.RawMessage(`1`)}}, false, invalid("payloadContext.Bad Key", nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			w.bob.Disabled = tt.wasDisabled
			got, err := w.svc.Update(context.Background(), w.as(w.shop), w.bob.ID, tt.changes)
			wantErr(t, "Update", err, tt.wantErr)
			if !slices.Equal(w.trail.actions(), tt.wantAudit) {
				t.Errorf("audited %v, want %v", w.trail.actions(), tt.wantAudit)
			}
			if err != nil {
				if len(w.store.updates) != 0 {
					t.Errorf("a refused update reached the store: %+v", w.store.updates)
				}
				return
			}
			// Revoking on disable is the store's, in the same transaction
			// (Store.UpdateClient; TestDisablingRevokesCredentials).
			if ch := w.store.updates[0]; fmt.Sprint(ch.Disabled) != fmt.Sprint(tt.changes.Disabled) {
				t.Errorf("store asked to set disabled %v, want %v", ch.Disabled, tt.changes.Disabled)
			}
			if tt.changes.Disabled != nil && got.Client.Disabled != *tt.changes.Disabled {
				t.Errorf("answer disabled = %v", got.Client.Disabled)
			}
		})
	}
}

func TestUpdateProfileChangesOnlyTheActor(t *testing.T) {
	w := newWorld()
	name := "Bob"
	got, err := w.svc.UpdateProfile(context.Background(), w.as(w.bob), Profile{DisplayName: &name, Birthdate: json.RawMessage(`"1990-04-01"`)})
	if err != nil || got.ID != w.bob.ID || got.DisplayName != "Bob" || got.Birthdate.Format(BirthdateLayout) != "1990-04-01" {
		t.Fatalf("UpdateProfile = %+v, %v", got, err)
	}
	if _, err := w.svc.UpdateProfile(context.Background(), w.as(w.bob), Profile{Birthdate: json.RawMessage(`null`)}); err != nil || w.store.clients[w.bob.ID].Birthdate != nil {
		t.Errorf("clearing the birthdate = %v, left %v", err, w.store.clients[w.bob.ID].Birthdate)
	}
	_, err = w.svc.UpdateProfile(context.Background(), w.as(w.bob), Profile{Privileged: []string{"payloadContext"}})
	wantErr(t, "UpdateProfile of its payload context", err, fault.Denied("payloadContext"))
	if len(w.trail.events) != 0 {
		t.Errorf("profile changes audited: %v", w.trail.actions())
	}
}

func TestDeleteRefusesOnesOwnAccount(t *testing.T) {
	w := newWorld()
	var conflict *fault.ConflictError
	if err := w.svc.Delete(context.Background(), w.as(w.admin), w.admin.ID); !errors.As(err, &conflict) || conflict.Code != "CONFLICT" {
		t.Errorf("admin deletes itself = %v, want CONFLICT", err)
	}
	if err := w.svc.Delete(context.Background(), w.as(w.shop), w.bob.ID); err != nil || !slices.Equal(w.store.deleted, []uuid.UUID{w.bob.ID}) {
		t.Errorf("shop deletes bob = %v, deleted %v", err, w.store.deleted)
	}
	if e := w.trail.events; len(e) != 1 || e[0].Action != "client.delete" || e[0].Details != `{"login":"bob"}` {
		t.Errorf("audit = %+v", e)
	}
}

// Roles, passwords and sessions of another account are admins' alone.
func TestAdminOnlyOperations(t *testing.T) {
	ctx := context.Background()
	ops := map[string]func(w *world, a Actor) error{
		"SetRoles": func(w *world, a Actor) error {
			_, err := w.svc.SetRoles(ctx, a, w.bob.ID, []string{"customer"})
			return err
		},
		"SetPassword": func(w *world, a Actor) error { return w.svc.SetPassword(ctx, a, w.bob.ID, goodPassword) },
		"SessionsOf": func(w *world, a Actor) error {
			_, err := w.svc.SessionsOf(ctx, a, w.bob.ID)
			return err
		},
		"RevokeSessions": func(w *world, a Actor) error {
			_, err := w.svc.RevokeSessions(ctx, a, w.bob.ID)
			return err
		},
		"RevokeSession": func(w *world, a Actor) error { return w.svc.RevokeSession(ctx, a, w.bob.ID, uuid.New()) },
	}
	for name, op := range ops {
		w := newWorld()
		for _, c := range []*models.Client{w.shop, w.bob} {
			wantErr(t, c.Login+" "+name, op(w, w.as(c)), auth.ErrPermissionDenied)
		}
		wantErr(t, "admin "+name, op(w, w.as(w.admin)), nil)
	}
}

func TestSetPasswordRevokesEverySession(t *testing.T) {
	w := newWorld()
	err := w.svc.SetPassword(context.Background(), w.as(w.admin), w.bob.ID, "short")
	wantErr(t, "a weak password", err, invalid("password", nil))
	if len(w.sessions.revokedAll) != 0 {
		t.Fatal("a refused password revoked sessions")
	}
	if err := w.svc.SetPassword(context.Background(), w.as(w.admin), w.bob.ID, "a fresh passphrase"); err != nil {
		t.Fatal(err)
	}
	if w.store.hashes[w.bob.ID] != "hashed:a fresh passphrase" || !slices.Equal(w.sessions.revokedAll, []uuid.UUID{w.bob.ID}) {
		t.Errorf("hash %q, sessions revoked of %v, want the hash stored and bob's sessions revoked", w.store.hashes[w.bob.ID], w.sessions.revokedAll)
	}
	if !slices.Equal(w.trail.actions(), []string{"client.password"}) {
		t.Errorf("audited %v", w.trail.actions())
	}
}

func TestSetRoles(t *testing.T) {
	tests := []struct {
		roles     []string
		wantErr   error
		wantRoles []string
	}{
		{nil, invalid("roles", nil), nil},
		{[]string{"nope", "customer"}, invalid("roles", []string{"nope", "customer"}), nil},
		{[]string{"customer", "business", "customer"}, nil, []string{"business", "customer"}},
	}
	for _, tt := range tests {
		w := newWorld()
		w.store.roles[w.bob.ID] = []string{"customer"}
		got, err := w.svc.SetRoles(context.Background(), w.as(w.admin), w.bob.ID, tt.roles)
		wantErr(t, fmt.Sprint("SetRoles ", tt.roles), err, tt.wantErr)
		if err != nil {
			continue
		}
		if !slices.Equal(got.Roles, tt.wantRoles) {
			t.Errorf("SetRoles %v = %v, want %v", tt.roles, got.Roles, tt.wantRoles)
		}
		if e := w.trail.events; len(e) != 1 || e[0].Details != `{"from":["customer"],"to":["business","customer"]}` {
			t.Errorf("audit = %+v", e)
		}
	}
}

func TestRevokeSessionsAreAudited(t *testing.T) {
	w := newWorld()
	ctx, admin := context.Background(), w.as(w.admin)
	n, err := w.svc.RevokeSessions(ctx, admin, w.bob.ID)
	sid := uuid.New()
	err2 := w.svc.RevokeSession(ctx, admin, w.bob.ID, sid)
	if err != nil || err2 != nil || n != 2 {
		t.Fatalf("RevokeSessions = %d, %v; RevokeSession = %v", n, err, err2)
	}
	e := w.trail.events
	if len(e) != 2 || e[0].Details != `{"count":2}` || e[1].Details != `{"sessionId":"`+sid.String()+`"}` {
		t.Errorf("audit = %+v", e)
	}
}

func TestLevelNames(t *testing.T) {
	for level, name := range []string{"customer", "business", "admin"} {
		if got, ok := LevelNamed(name); !ok || got != level || LevelName(level) != name {
			t.Errorf("level %d and %q do not name each other", level, name)
		}
	}
	if _, ok := LevelNamed("boss"); ok {
		t.Error(`"boss" names a level`)
	}
}
