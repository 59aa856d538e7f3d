package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestGatewayAccounts(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		acct := &GatewayAccount{ID: uuid.Must(uuid.NewV7()), TenantID: f.shop.ID, Gateway: "stripe", Mode: "test", Name: "main",
			Currencies: "EUR,USD", Settings: `{"publishableKey":"pk_test_1"}`, SealedSecrets: "v1.k.sealed", CreatedAt: at(1), UpdatedAt: at(1)}
		if err := s.CreateGatewayAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		got, err := s.GatewayAccountByID(ctx, acct.ID)
		if err != nil || got.Gateway != "stripe" || got.Settings != acct.Settings || got.SealedSecrets != "v1.k.sealed" || got.LastAnsweredAt != nil {
			t.Fatalf("GatewayAccountByID = %+v, %v", got, err)
		}
		if list, err := s.GatewayAccountList(ctx, &f.shop.ID, uuid.Nil, 10); err != nil || len(list) != 1 {
			t.Errorf("GatewayAccountList(shop) = %d, %v; want the one", len(list), err)
		}
		if list, _ := s.GatewayAccountList(ctx, &f.bob.ID, uuid.Nil, 10); len(list) != 0 {
			t.Errorf("another tenant's GatewayAccountList = %d, want none", len(list))
		}
		if at, _ := s.GatewayAccountsAt(ctx, f.shop.ID, "stripe", 10); len(at) != 1 || at[0].ID != acct.ID {
			t.Errorf("GatewayAccountsAt(shop, stripe) = %v, want the one", at)
		}
		if at, _ := s.GatewayAccountsAt(ctx, f.shop.ID, "paypal", 10); len(at) != 0 {
			t.Errorf("GatewayAccountsAt(shop, paypal) = %v, want none", at)
		}
		if list, _ := s.GatewayAccountList(ctx, nil, acct.ID, 10); len(list) != 0 {
			t.Errorf("GatewayAccountList after the last = %d, want none", len(list))
		}

		sealed, name := "v1.k.resealed", "renamed"
		if err := s.UpdateGatewayAccount(ctx, acct.ID, GatewayAccountChanges{SealedSecrets: &sealed, Name: &name}, got.UpdatedAt, at(2)); err != nil {
			t.Fatal(err)
		}
		stale := "v1.k.stale"
		if err := s.UpdateGatewayAccount(ctx, acct.ID, GatewayAccountChanges{SealedSecrets: &stale}, got.UpdatedAt, at(3)); !errors.Is(err, ErrConflict) {
			t.Errorf("an update from a read before the last update = %v, want ErrConflict", err)
		}
		got, _ = s.GatewayAccountByID(ctx, acct.ID)
		if got.SealedSecrets != sealed || got.Name != name || got.Currencies != "EUR,USD" || !got.UpdatedAt.Equal(at(2)) {
			t.Errorf("after the update = %+v; want the secrets and name replaced, the rest kept", got)
		}
		if err := s.UpdateGatewayAccount(ctx, uuid.Must(uuid.NewV7()), GatewayAccountChanges{Name: &name}, at(1), at(2)); !errors.Is(err, ErrNotFound) {
			t.Errorf("UpdateGatewayAccount(unknown) = %v, want ErrNotFound", err)
		}

		// Whether the gateway answered: the newest report of each kind wins.
		if err := s.RecordGatewayAnswer(ctx, acct.ID, at(3), "timeout"); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordGatewayAnswer(ctx, acct.ID, at(2), "older failure"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GatewayAccountByID(ctx, acct.ID)
		if !got.UpdatedAt.Equal(at(2)) {
			t.Errorf("after a health note UpdatedAt = %v, want %v: a note is no change of the account (connections are kept by it)", got.UpdatedAt, at(2))
		}
		if got.LastFailedAt == nil || !got.LastFailedAt.Equal(at(3)) || got.LastError != "timeout" {
			t.Errorf("after two failures = %v %q; want the newer, at 3", got.LastFailedAt, got.LastError)
		}
		if err := s.RecordGatewayAnswer(ctx, acct.ID, at(4), ""); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GatewayAccountByID(ctx, acct.ID)
		if got.LastAnsweredAt == nil || !got.LastAnsweredAt.Equal(at(4)) || got.LastError != "" || !got.LastFailedAt.Equal(at(3)) {
			t.Errorf("after an answer = %+v; want it answered at 4, the error cleared, the failure time kept", got)
		}

		// A saved payment method keeps its account.
		pm := &PaymentMethod{TenantID: f.shop.ID, CustomerID: f.bob.ID, Gateway: "stripe", GatewayAccountID: &acct.ID, Token: "cus_1/pm_1"}
		if err := s.AddPaymentMethod(ctx, pm); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteGatewayAccount(ctx, acct.ID); !errors.Is(err, ErrInUse) {
			t.Errorf("DeleteGatewayAccount(in use) = %v, want ErrInUse", err)
		}
		if err := s.DeletePaymentMethod(ctx, f.bob.ID, pm.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteGatewayAccount(ctx, acct.ID); err != nil {
			t.Errorf("DeleteGatewayAccount = %v", err)
		}
		if err := s.DeleteGatewayAccount(ctx, acct.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeleteGatewayAccount(deleted) = %v, want ErrNotFound", err)
		}
	})
}

// Migration 00020: the built-in policies grant issue 12's actions, once.
func TestBuiltinPoliciesGrantGatewayActions(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		for id, want := range map[string][]string{
			"00000000-0000-4000-8000-000000000102": {`"test-clocks:*","gateway-accounts:*","refunds:*","reconciliation:read",`},
			"00000000-0000-4000-8000-000000000103": {`"invoices:read","refunds:read",`},
		} {
			p, err := s.PolicyByID(context.Background(), uuid.MustParse(id))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				if n := strings.Count(string(p.Statements), w); n != 1 {
					t.Errorf("policy %s holds %q %d times, want once: %s", p.Name, w, n, p.Statements)
				}
			}
			if !json.Valid([]byte(p.Statements)) {
				t.Errorf("policy %s is no longer JSON: %s", p.Name, p.Statements)
			}
		}
	})
}

// GatewayHealth counts what Health says of each account, on each dialect.
func TestGatewayHealthCountsAsHealthSays(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		reports := map[string][]struct {
			at      int
			failure string
		}{
			"fresh":     nil,
			"answering": {{1, ""}},
			"failing":   {{1, "timeout"}},
			"recovered": {{1, "timeout"}, {2, ""}},
			"relapsed":  {{1, ""}, {2, "timeout"}},
		}
		want := map[string]map[string]int{}
		for name, rs := range reports {
			gateway := "stripe"
			if name == "fresh" {
				gateway = "paypal"
			}
			a := &GatewayAccount{ID: uuid.Must(uuid.NewV7()), TenantID: f.shop.ID, Gateway: gateway, Mode: "test", Name: name, SealedSecrets: "x", CreatedAt: at(1), UpdatedAt: at(1)}
			if err := s.CreateGatewayAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if err := s.RecordGatewayAnswer(ctx, a.ID, at(r.at), r.failure); err != nil {
					t.Fatal(err)
				}
			}
			a, _ = s.GatewayAccountByID(ctx, a.ID)
			if want[gateway] == nil {
				want[gateway] = map[string]int{}
			}
			want[gateway][a.Health()]++
		}
		if want["stripe"][HealthAnswering] != 2 || want["stripe"][HealthFailing] != 2 || want["paypal"][HealthUnknown] != 1 {
			t.Fatalf("Health said %v, want stripe 2 answering and 2 failing, paypal 1 unknown", want)
		}
		got, err := s.GatewayHealth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("GatewayHealth = %v, want %v", got, want)
		}
	})
}
