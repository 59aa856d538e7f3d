// Package dbtest hands tests a fresh, empty database on every dialect
// billgate supports: SQLite always, and Postgres when TEST_DATABASE_URL
// names a server the tests may create databases on.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvURL names the Postgres server tests use.
const EnvURL = "TEST_DATABASE_URL"

// Target is one database a test runs against.
type Target struct {
	Name string // "sqlite" or "postgres", for t.Run
	DSN  string // what models.Open takes
}

// Targets returns SQLite in memory and, when TEST_DATABASE_URL is set, a new
// Postgres database that is dropped when the test ends. In CI (CI=true) a
// missing TEST_DATABASE_URL fails the test, so Postgres coverage cannot
// silently disappear.
func Targets(t testing.TB) []Target {
	t.Helper()
	targets := []Target{{Name: "sqlite", DSN: "sqlite::memory:"}}
	if dsn := Postgres(t); dsn != "" {
		targets = append(targets, Target{Name: "postgres", DSN: dsn})
	}
	return targets
}

// Default is the database end-to-end tests use: Postgres when configured,
// SQLite in memory otherwise.
func Default(t testing.TB) Target {
	t.Helper()
	targets := Targets(t)
	return targets[len(targets)-1]
}

// Postgres creates a fresh database on the TEST_DATABASE_URL server and
// returns its URL, or "" when no server is configured outside CI.
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run the store tests on Postgres", EnvURL)
		}
		return ""
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvURL, err)
	}
	t.Cleanup(func() { _ = admin.Close() })

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "billgate_test_" + hex.EncodeToString(suffix)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() { drop(t, admin, name) })
	u.Path = "/" + name
	return u.String()
}

// drop removes a test database. A plain DROP stops autovacuum workers itself
// and waits for the test's own connections to close; FORCE is only the
// fallback, because terminating a backend of another role (autovacuum runs as
// the bootstrap superuser) needs pg_signal_backend.
func drop(t testing.TB, admin *sql.DB, name string) {
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err == nil {
		return
	}
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("drop database %s: %v", name, err)
	}
}
