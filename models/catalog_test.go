package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCatalog(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		shop := newClient(t, s, nil, "shop", "business")
		other := newClient(t, s, nil, "other", "business")
		month, one := "month", 1
		p := &Product{TenantID: shop.ID, Name: "Pro", Active: true, Prices: []Price{
			{Amount: 1000, Currency: "USD", Type: "recurring", Interval: &month, IntervalCount: &one, Active: true},
			{Amount: 9900, Currency: "USD", Type: "one_time", Active: false},
		}}
		if err := s.CreateProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateProduct(ctx, &Product{TenantID: other.ID, Name: "Other", Active: true}); err != nil {
			t.Fatal(err)
		}
		got, err := s.ProductByID(ctx, p.ID)
		if err != nil || len(got.Prices) != 2 || got.Prices[0].TenantID != shop.ID || *got.Prices[0].Interval != "month" {
			t.Fatalf("ProductByID = %+v, %v", got, err)
		}
		list, err := s.Products(ctx, ProductFilter{TenantID: &shop.ID, ActiveOnly: true, Limit: 10})
		if err != nil || len(list) != 1 || len(list[0].Prices) != 1 || list[0].Prices[0].Amount != 1000 {
			t.Fatalf("Products(shop, active) = %+v, %v, want Pro with its active price", list, err)
		}
		now := time.Now().UTC()
		off := false
		if err := s.UpdateProduct(ctx, p.ID, ProductChanges{Active: &off}, now); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.Products(ctx, ProductFilter{TenantID: &shop.ID, ActiveOnly: true, Limit: 10}); len(list) != 0 {
			t.Errorf("an archived product is listed as active: %+v", list)
		}
		if got, _ := s.ProductByID(ctx, p.ID); got.ArchivedAt == nil {
			t.Errorf("archiving did not stamp ArchivedAt")
		}
		if err := s.SetPriceActive(ctx, p.Prices[1].ID, true, now); err != nil {
			t.Fatal(err)
		}
		if price, _ := s.PriceByID(ctx, p.Prices[1].ID); !price.Active {
			t.Errorf("SetPriceActive(true) left the price inactive")
		}
		if err := s.DeleteClient(ctx, shop.ID); !errors.Is(err, ErrInUse) {
			t.Errorf("DeleteClient(business with products) = %v, want ErrInUse", err)
		}
	})
}

func TestPaymentMethods(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		shop := newClient(t, s, nil, "shop", "business")
		bob := newClient(t, s, &shop.ID, "bob", "customer")
		eve := newClient(t, s, &shop.ID, "eve", "customer")
		pm := &PaymentMethod{TenantID: shop.ID, CustomerID: bob.ID, Gateway: "sandbox", Token: "sandbox_ok"}
		if err := s.AddPaymentMethod(ctx, pm); err != nil {
			t.Fatal(err)
		}
		if list, err := s.PaymentMethods(ctx, bob.ID); err != nil || len(list) != 1 || list[0].Token != "sandbox_ok" {
			t.Errorf("PaymentMethods(bob) = %v, %v", list, err)
		}
		if err := s.DeletePaymentMethod(ctx, eve.ID, pm.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeletePaymentMethod(eve's view of bob's) = %v, want ErrNotFound", err)
		}
		if err := s.DeleteClient(ctx, bob.ID); err != nil {
			t.Fatalf("deleting a customer with payment methods = %v", err)
		}
		if _, err := s.PaymentMethodByID(ctx, pm.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("a deleted customer's payment method remains: %v", err)
		}
	})
}
