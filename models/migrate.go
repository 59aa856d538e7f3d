package models

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// ErrSchemaMismatch means the database is not at the version this binary
// was built for.
var ErrSchemaMismatch = errors.New("database schema version mismatch")

// SchemaVersion is the database's schema version next to the one this
// binary expects.
type SchemaVersion struct {
	Current, Want int64
}

// Migrate applies every pending migration and returns the resulting
// version. On Postgres an advisory lock keeps concurrent migrators apart.
func (s *Store) Migrate(ctx context.Context) (SchemaVersion, error) {
	p, err := s.migrator()
	if err != nil {
		return SchemaVersion{}, err
	}
	if _, err := p.Up(ctx); err != nil {
		return SchemaVersion{}, fmt.Errorf("migrate: %w", err)
	}
	return s.SchemaVersion(ctx)
}

// SchemaVersion reads the applied and the expected version.
func (s *Store) SchemaVersion(ctx context.Context) (SchemaVersion, error) {
	p, err := s.migrator()
	if err != nil {
		return SchemaVersion{}, err
	}
	current, want, err := p.GetVersions(ctx)
	if err != nil {
		return SchemaVersion{}, fmt.Errorf("%w: read schema version: %w", ErrUnavailable, err)
	}
	return SchemaVersion{Current: current, Want: want}, nil
}

// CheckSchema fails with ErrSchemaMismatch unless the database is exactly at
// the expected version: the API and workers refuse to run on an old schema,
// and on a newer one that an older binary does not understand.
func (s *Store) CheckSchema(ctx context.Context) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case v.Current < v.Want:
		return fmt.Errorf("%w: database is at version %d, this billgate needs %d: run 'billgate migrate'", ErrSchemaMismatch, v.Current, v.Want)
	case v.Current > v.Want:
		return fmt.Errorf("%w: database is at version %d, newer than this billgate's %d: upgrade billgate", ErrSchemaMismatch, v.Current, v.Want)
	}
	return nil
}

func (s *Store) migrator() (*goose.Provider, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	dir, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, sqlDB, dir, opts...)
}
