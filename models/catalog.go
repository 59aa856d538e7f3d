package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Catalog keeps the products and their prices.
type Catalog struct{ *conn }

// Product is something a tenant sells, at one or more prices.
type Product struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	TenantID    uuid.UUID
	Name        string
	Description string
	Active      bool
	ArchivedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Prices      []Price `gorm:"foreignKey:ProductID"`
}

// Price is what a product costs, once or per period. Only Active changes
// after creation.
type Price struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	ProductID     uuid.UUID
	TenantID      uuid.UUID
	Amount        int64
	Currency      string
	Type          string
	Interval      *string
	IntervalCount *int
	TrialDays     int
	Dunning       *string // JSON list of durations; nil is the default schedule
	Active        bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CreateProduct stores a product with its prices.
func (s *Catalog) CreateProduct(ctx context.Context, p *Product) error {
	p.ID = uuid.Must(uuid.NewV7())
	for i := range p.Prices {
		p.Prices[i].ID = uuid.Must(uuid.NewV7())
		p.Prices[i].TenantID = p.TenantID
	}
	if err := translate(s.db.WithContext(ctx).Create(p).Error); err != nil {
		return fmt.Errorf("create product: %w", err)
	}
	return nil
}

// ProductFilter narrows Products.
type ProductFilter struct {
	TenantID   *uuid.UUID
	ActiveOnly bool
	After      uuid.UUID
	Limit      int
}

// Products pages through products with their prices (active ones only
// with ActiveOnly).
func (s *Catalog) Products(ctx context.Context, f ProductFilter) ([]Product, error) {
	q := s.db.WithContext(ctx).Order("id").Limit(f.Limit)
	if f.TenantID != nil {
		q = q.Where("tenant_id = ?", *f.TenantID)
	}
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if f.After != uuid.Nil {
		q = q.Where("id > ?", f.After)
	}
	var out []Product
	err := q.Preload("Prices", func(db gormDB) gormDB {
		if f.ActiveOnly {
			db = db.Where("active = ?", true)
		}
		return db.Order("id")
	}).Find(&out).Error
	return out, translate(err)
}

// ProductByID finds a product with all its prices.
func (s *Catalog) ProductByID(ctx context.Context, id uuid.UUID) (*Product, error) {
	var p Product
	err := s.db.WithContext(ctx).Preload("Prices", func(db gormDB) gormDB { return db.Order("id") }).Take(&p, "id = ?", id).Error
	if err := translate(err); err != nil {
		return nil, fmt.Errorf("product %s: %w", id, err)
	}
	return &p, nil
}

// ProductChanges are what a product update may set; nil leaves a field.
type ProductChanges struct {
	Name        *string
	Description *string
	Active      *bool
}

// UpdateProduct applies changes; deactivating stamps ArchivedAt.
func (s *Catalog) UpdateProduct(ctx context.Context, id uuid.UUID, ch ProductChanges, now time.Time) error {
	updates := map[string]any{"updated_at": now}
	if ch.Name != nil {
		updates["name"] = *ch.Name
	}
	if ch.Description != nil {
		updates["description"] = *ch.Description
	}
	if ch.Active != nil {
		updates["active"] = *ch.Active
		if *ch.Active {
			updates["archived_at"] = nil
		} else {
			updates["archived_at"] = now
		}
	}
	res := s.db.WithContext(ctx).Model(&Product{}).Where("id = ?", id).Updates(updates)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("product %s: %w", id, ErrNotFound)
	}
	return nil
}

// AddPrice stores a new price of a product.
func (s *Catalog) AddPrice(ctx context.Context, p *Price) error {
	p.ID = uuid.Must(uuid.NewV7())
	if err := translate(s.db.WithContext(ctx).Create(p).Error); err != nil {
		return fmt.Errorf("create price: %w", err)
	}
	return nil
}

// PriceByID finds a price.
func (s *Catalog) PriceByID(ctx context.Context, id uuid.UUID) (*Price, error) {
	var p Price
	if err := translate(s.db.WithContext(ctx).Take(&p, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("price %s: %w", id, err)
	}
	return &p, nil
}

// SetPriceActive turns a price on or off for new sales.
func (s *Catalog) SetPriceActive(ctx context.Context, id uuid.UUID, active bool, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&Price{}).Where("id = ?", id).Updates(map[string]any{"active": active, "updated_at": now})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("price %s: %w", id, ErrNotFound)
	}
	return nil
}

// ActivePriceIDs lists up to limit IDs of a tenant's active prices of
// active products, oldest first.
func (s *Catalog) ActivePriceIDs(ctx context.Context, tenantID uuid.UUID, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Model(&Price{}).
		Where("tenant_id = ? AND active AND product_id IN (SELECT id FROM products WHERE active)", tenantID).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, translate(err)
}
