package tenancy

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

var (
	tenantID   = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	otherID    = uuid.MustParse("00000000-0000-0000-0000-00000000000c")
	customerID = uuid.MustParse("00000000-0000-0000-0000-0000000000c1")

	admin    = Caller{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000a"), Level: models.LevelAdmin}
	business = Caller{ID: tenantID, Level: models.LevelBusiness}
	customer = Caller{ID: customerID, TenantID: &tenantID, Level: models.LevelCustomer}
)

func TestScopeAllows(t *testing.T) {
	for _, tc := range []struct {
		name             string
		caller           Caller
		tenant, customer uuid.UUID
		want             bool
	}{
		{"an admin sees any tenant", admin, otherID, uuid.New(), true},
		{"a business sees its tenant's", business, tenantID, uuid.New(), true},
		{"a business does not see another tenant's", business, otherID, customerID, false},
		{"a customer sees its own", customer, tenantID, customerID, true},
		{"a customer does not see another customer's", customer, tenantID, uuid.New(), false},
	} {
		if got := tc.caller.Scope().Allows(tc.tenant, tc.customer); got != tc.want {
			t.Errorf("%s: Allows = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !admin.Scope().Everything() || business.Scope().Everything() || customer.Scope().Everything() {
		t.Error("only an admin's scope is everything")
	}
}

func TestTenantFor(t *testing.T) {
	var invalid *fault.InvalidError
	var denied *fault.DeniedError
	for _, tc := range []struct {
		name   string
		caller Caller
		named  *uuid.UUID
		want   uuid.UUID
		err    any
	}{
		{"a business creates in its own tenant", business, nil, tenantID, nil},
		{"a customer's is its tenant", customer, nil, tenantID, nil},
		{"an admin names the tenant", admin, &otherID, otherID, nil},
		{"an admin must name one", admin, nil, uuid.Nil, &invalid},
		{"a business may not name one", business, &otherID, uuid.Nil, &denied},
		{"a customer may not name one", customer, &tenantID, uuid.Nil, &denied},
	} {
		got, err := tc.caller.TenantFor(tc.named)
		switch {
		case tc.err == nil && (err != nil || got != tc.want):
			t.Errorf("%s: TenantFor = %v, %v; want %v", tc.name, got, err, tc.want)
		case tc.err != nil && !errors.As(err, tc.err):
			t.Errorf("%s: TenantFor error = %v, want a %T", tc.name, err, tc.err)
		}
	}
	if _, err := business.TenantFor(&otherID); err.(*fault.DeniedError).Field != "tenantId" {
		t.Errorf("the refusal names %q, want tenantId", err.(*fault.DeniedError).Field)
	}
}
