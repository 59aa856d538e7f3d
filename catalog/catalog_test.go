package catalog

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// store is a catalog in memory; a product of an unknown tenant is refused
// as the database's foreign key refuses it.
type store struct {
	tenants  map[uuid.UUID]bool
	products map[uuid.UUID]*models.Product
	prices   map[uuid.UUID]*models.Price
}

func (s *store) CreateProduct(_ context.Context, p *models.Product) error {
	if !s.tenants[p.TenantID] {
		return models.ErrInUse
	}
	p.ID = uuid.New()
	s.products[p.ID] = p
	return nil
}

func (s *store) Products(_ context.Context, f models.ProductFilter) ([]models.Product, error) {
	var out []models.Product
	for _, p := range s.products {
		if (f.TenantID == nil || *f.TenantID == p.TenantID) && (!f.ActiveOnly || p.Active) {
			out = append(out, *p)
		}
	}
	return out, nil
}

func (s *store) ProductByID(_ context.Context, id uuid.UUID) (*models.Product, error) {
	p, ok := s.products[id]
	if !ok {
		return nil, models.ErrNotFound
	}
	cp := *p
	cp.Prices = nil
	for _, price := range s.prices {
		if price.ProductID == id {
			cp.Prices = append(cp.Prices, *price)
		}
	}
	return &cp, nil
}

func (s *store) UpdateProduct(_ context.Context, id uuid.UUID, ch models.ProductChanges, _ time.Time) error {
	if ch.Active != nil {
		s.products[id].Active = *ch.Active
	}
	return nil
}

func (s *store) AddPrice(_ context.Context, p *models.Price) error {
	p.ID = uuid.New()
	s.prices[p.ID] = p
	return nil
}

func (s *store) PriceByID(_ context.Context, id uuid.UUID) (*models.Price, error) {
	p, ok := s.prices[id]
	if !ok {
		return nil, models.ErrNotFound
	}
	cp := *p
	return &cp, nil
}

func (s *store) SetPriceActive(_ context.Context, id uuid.UUID, active bool, _ time.Time) error {
	s.prices[id].Active = active
	return nil
}

func TestCatalogTenancy(t *testing.T) {
	ctx := context.Background()
	shopID, otherID := uuid.New(), uuid.New()
	st := &store{tenants: map[uuid.UUID]bool{shopID: true, otherID: true}, products: map[uuid.UUID]*models.Product{}, prices: map[uuid.UUID]*models.Price{}}
	s := &Service{Store: st, Now: time.Now}
	admin := tenancy.Caller{ID: uuid.New(), Level: models.LevelAdmin}
	shop := tenancy.Caller{ID: shopID, Level: models.LevelBusiness}
	other := tenancy.Caller{ID: otherID, Level: models.LevelBusiness}
	bob := tenancy.Caller{ID: uuid.New(), TenantID: &shopID, Level: models.LevelCustomer}

	if _, err := s.Create(ctx, shop, &otherID, &models.Product{Name: "x"}); !errors.As(err, new(*fault.DeniedError)) {
		t.Errorf("a business naming a tenant = %v, want denied", err)
	}
	nowhere := uuid.New()
	if _, err := s.Create(ctx, admin, &nowhere, &models.Product{Name: "x"}); !errors.As(err, new(*fault.InvalidError)) {
		t.Errorf("an admin naming no such tenant = %v, want invalid", err)
	}
	pro, err := s.Create(ctx, shop, nil, &models.Product{Name: "Pro"})
	if err != nil || pro.TenantID != shopID || !pro.Active {
		t.Fatalf("Create = %+v, %v; want the shop's, active", pro, err)
	}
	live, retired := &models.Price{Active: true}, &models.Price{Active: true}
	for _, p := range []*models.Price{live, retired} {
		if err := s.AddPrice(ctx, shop, pro.ID, p); err != nil || p.TenantID != shopID {
			t.Fatalf("AddPrice = %v, tenant %v", err, p.TenantID)
		}
	}
	if err := s.AddPrice(ctx, other, pro.ID, &models.Price{}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another business adding a price = %v, want not found", err)
	}
	if err := s.AddPrice(ctx, bob, pro.ID, &models.Price{}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a customer adding a price = %v, want not found", err)
	}
	if _, err := s.SetPriceActive(ctx, shop, retired.ID, false); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		caller tenancy.Caller
		prices int // -1: not found
	}{
		{"the shop sees all its prices", shop, 2},
		{"an admin sees all", admin, 2},
		{"a customer sees the active prices", bob, 1},
		{"another business sees nothing", other, -1},
	} {
		p, err := s.Product(ctx, tc.caller, pro.ID)
		switch {
		case tc.prices < 0 && !errors.Is(err, models.ErrNotFound):
			t.Errorf("%s: Product = %v, want not found", tc.name, err)
		case tc.prices >= 0 && (err != nil || len(p.Prices) != tc.prices):
			t.Errorf("%s: Product = %v, %v; want %d prices", tc.name, p, err, tc.prices)
		}
	}
	if _, err := s.Price(ctx, bob, retired.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a customer reading a retired price = %v, want not found", err)
	}
	if _, err := s.Price(ctx, shop, retired.ID); err != nil {
		t.Errorf("the shop reading its retired price = %v", err)
	}

	archived := false
	if _, err := s.Update(ctx, shop, pro.ID, models.ProductChanges{Active: &archived}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Product(ctx, bob, pro.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a customer reading an archived product = %v, want not found", err)
	}
	for _, tc := range []struct {
		name   string
		caller tenancy.Caller
		tenant *uuid.UUID
		want   int
	}{
		{"a customer lists its business's active products", bob, &otherID, 0},
		{"the shop lists its own, whatever it names", shop, &otherID, 1},
		{"another business lists its own", other, nil, 0},
		{"an admin lists the tenant it names", admin, &shopID, 1},
	} {
		if list, err := s.Products(ctx, tc.caller, tc.tenant, false, uuid.Nil, 10); err != nil || len(list) != tc.want {
			t.Errorf("%s: Products = %d, %v; want %d", tc.name, len(list), err, tc.want)
		}
	}
}
