// Package catalog is what a tenant sells: products and their prices. A
// business keeps its own catalog, an admin any; a customer sees its
// business's active products and prices only. A price never changes once
// made, since subscriptions were sold at it: it is only retired (active
// false), and so is a product (archived).
package catalog

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// Store keeps the catalog.
type Store interface {
	CreateProduct(ctx context.Context, p *models.Product) error
	Products(ctx context.Context, f models.ProductFilter) ([]models.Product, error)
	ProductByID(ctx context.Context, id uuid.UUID) (*models.Product, error)
	UpdateProduct(ctx context.Context, id uuid.UUID, ch models.ProductChanges, now time.Time) error
	AddPrice(ctx context.Context, p *models.Price) error
	PriceByID(ctx context.Context, id uuid.UUID) (*models.Price, error)
	SetPriceActive(ctx context.Context, id uuid.UUID, active bool, now time.Time) error
}

// Service is the catalog's operations.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Create adds a product, with its prices, to the caller's catalog (for an
// admin, the tenant named).
func (s *Service) Create(ctx context.Context, caller tenancy.Caller, tenantID *uuid.UUID, p *models.Product) (*models.Product, error) {
	tenant, err := caller.TenantFor(tenantID)
	if err != nil {
		return nil, err
	}
	p.TenantID, p.Active = tenant, true
	if err := s.Store.CreateProduct(ctx, p); err != nil {
		if errors.Is(err, models.ErrInUse) { // the named tenant does not exist
			return nil, fault.Invalid("tenantId", "no such tenant", tenant.String())
		}
		return nil, err
	}
	return s.Store.ProductByID(ctx, p.ID)
}

// Product is a product the caller sees: a business its own, a customer its
// business's active ones with their active prices, an admin any.
func (s *Service) Product(ctx context.Context, caller tenancy.Caller, id uuid.UUID) (*models.Product, error) {
	p, err := s.Store.ProductByID(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case caller.IsAdmin():
		return p, nil
	case caller.IsCustomer() && *caller.TenantID == p.TenantID && p.Active:
		p.Prices = activePrices(p.Prices)
		return p, nil
	case !caller.IsCustomer() && caller.ID == p.TenantID:
		return p, nil
	}
	return nil, models.ErrNotFound
}

func activePrices(prices []models.Price) []models.Price {
	var out []models.Price
	for _, p := range prices {
		if p.Active {
			out = append(out, p)
		}
	}
	return out
}

// Products is a page of the catalog the caller sees: a business its own, a
// customer its business's active products, an admin every catalog or the
// tenant's it names. activeOnly leaves archived products out.
func (s *Service) Products(ctx context.Context, caller tenancy.Caller, tenant *uuid.UUID, activeOnly bool, after uuid.UUID, limit int) ([]models.Product, error) {
	f := models.ProductFilter{TenantID: tenant, ActiveOnly: activeOnly, After: after, Limit: limit}
	switch {
	case caller.IsAdmin():
	case caller.IsCustomer():
		f.TenantID, f.ActiveOnly = caller.TenantID, true
	default:
		f.TenantID = &caller.ID
	}
	return s.Store.Products(ctx, f)
}

// owned is a product the caller may change: its own catalog's, or any for
// an admin.
func (s *Service) owned(ctx context.Context, caller tenancy.Caller, id uuid.UUID) (*models.Product, error) {
	p, err := s.Product(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if !caller.IsAdmin() && caller.ID != p.TenantID {
		return nil, models.ErrNotFound
	}
	return p, nil
}

// Update changes a product's name, description or active (false archives
// it: no new sales; existing subscriptions go on).
func (s *Service) Update(ctx context.Context, caller tenancy.Caller, id uuid.UUID, ch models.ProductChanges) (*models.Product, error) {
	p, err := s.owned(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if err := s.Store.UpdateProduct(ctx, p.ID, ch, s.Now().UTC()); err != nil {
		return nil, err
	}
	return s.Store.ProductByID(ctx, p.ID)
}

// AddPrice adds a price to a product of the caller's.
func (s *Service) AddPrice(ctx context.Context, caller tenancy.Caller, productID uuid.UUID, price *models.Price) error {
	p, err := s.owned(ctx, caller, productID)
	if err != nil {
		return err
	}
	price.ProductID, price.TenantID = p.ID, p.TenantID
	return s.Store.AddPrice(ctx, price)
}

// Price is a price whose product the caller sees; a customer sees active
// prices only.
func (s *Service) Price(ctx context.Context, caller tenancy.Caller, id uuid.UUID) (*models.Price, error) {
	return s.price(ctx, caller, id, s.Product)
}

// SetPriceActive sells a price of the caller's again, or retires it.
func (s *Service) SetPriceActive(ctx context.Context, caller tenancy.Caller, id uuid.UUID, active bool) (*models.Price, error) {
	price, err := s.price(ctx, caller, id, s.owned)
	if err != nil {
		return nil, err
	}
	if err := s.Store.SetPriceActive(ctx, price.ID, active, s.Now().UTC()); err != nil {
		return nil, err
	}
	price.Active = active
	return price, nil
}

// price loads a price through its product, loaded as product may.
func (s *Service) price(ctx context.Context, caller tenancy.Caller, id uuid.UUID, product func(context.Context, tenancy.Caller, uuid.UUID) (*models.Product, error)) (*models.Price, error) {
	price, err := s.Store.PriceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := product(ctx, caller, price.ProductID); err != nil {
		return nil, err
	}
	if !price.Active && caller.IsCustomer() {
		return nil, models.ErrNotFound
	}
	return price, nil
}
