package sales

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// A billing object is found by whoever's scope holds its owner, and by no
// one else: to them it does not exist.
func TestReadsAreScoped(t *testing.T) {
	tenant, customer, other := uuid.New(), uuid.New(), uuid.New()
	inv := &models.Invoice{ID: uuid.New(), TenantID: tenant, CustomerID: customer}
	pay := &models.Payment{ID: uuid.New(), TenantID: tenant, CustomerID: customer}
	sub := &models.Subscription{ID: uuid.New(), TenantID: tenant, CustomerID: customer}
	w := &world{invoices: map[uuid.UUID]*models.Invoice{inv.ID: inv}, payments: map[uuid.UUID]*models.Payment{pay.ID: pay},
		subs: map[uuid.UUID]*models.Subscription{sub.ID: sub}}
	s := &Service{Billing: w}
	ctx := context.Background()
	reads := map[string]func(tenancy.Scope, uuid.UUID) (any, error){
		"invoice": func(sc tenancy.Scope, id uuid.UUID) (any, error) { return s.Invoice(ctx, sc, id) },
		"payment": func(sc tenancy.Scope, id uuid.UUID) (any, error) { return s.Payment(ctx, sc, id) },
		"subscription": func(sc tenancy.Scope, id uuid.UUID) (any, error) {
			sub, _, err := s.Subscription(ctx, sc, id, false)
			return sub, err
		},
	}
	ids := map[string]uuid.UUID{"invoice": inv.ID, "payment": pay.ID, "subscription": sub.ID}
	for _, tc := range []struct {
		who   string
		scope tenancy.Scope
		sees  bool
	}{
		{"an admin", tenancy.Scope{}, true},
		{"its business", tenancy.Scope{Tenant: &tenant}, true},
		{"its customer", tenancy.Scope{Customer: &customer}, true},
		{"another business", tenancy.Scope{Tenant: &other}, false},
		{"another customer", tenancy.Scope{Customer: &other}, false},
	} {
		for kind, read := range reads {
			_, err := read(tc.scope, ids[kind])
			if tc.sees && err != nil {
				t.Errorf("%s reads its %s: %v", tc.who, kind, err)
			}
			if !tc.sees && !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s reads another's %s: %v, want not found", tc.who, kind, err)
			}
		}
		if _, err := s.Invoice(ctx, tc.scope, uuid.New()); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s reads a missing invoice: %v, want not found", tc.who, err)
		}
	}
}
