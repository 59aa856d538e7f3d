// Package storetest opens migrated stores for the tests of the packages
// built on models, on every dialect internal/dbtest names.
package storetest

import (
	"context"
	"testing"

	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/models"
)

// Open opens dsn and migrates it to the latest schema; the store is closed
// when t ends.
func Open(t testing.TB, dsn string) *models.Store {
	t.Helper()
	ctx := context.Background()
	s, err := models.Open(ctx, dsn, models.Options{})
	if err != nil {
		t.Fatalf("models.Open() = %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	return s
}

// Each runs fn on a fresh, migrated store of every dialect, each in a
// subtest named after it.
func Each(t *testing.T, fn func(t *testing.T, s *models.Store)) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) { fn(t, Open(t, target.DSN)) })
	}
}
