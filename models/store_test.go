package models

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/dbtest"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// openEach runs fn against a fresh database on every dialect.
func openEach(t *testing.T, fn func(t *testing.T, s *Store)) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			s, err := Open(context.Background(), target.DSN, Options{})
			if err != nil {
				t.Fatalf("Open(%s) = %v", target.Name, err)
			}
			t.Cleanup(func() { _ = s.Close() })
			fn(t, s)
		})
	}
}

func migrated(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
}

func TestMigrateBringsSchemaToLatest(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		err := s.CheckSchema(ctx)
		if !errors.Is(err, ErrSchemaMismatch) || !strings.Contains(err.Error(), "run 'billgate migrate'") {
			t.Fatalf("CheckSchema() before Migrate = %v, want ErrSchemaMismatch naming 'billgate migrate'", err)
		}
		for range 2 { // the second run must be a no-op
			v, err := s.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate() = %v", err)
			}
			if v.Current != v.Want || v.Want < 1 {
				t.Fatalf("Migrate() = %+v, want current == want >= 1", v)
			}
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema() after Migrate = %v, want nil", err)
		}
	})
}

func TestCheckSchemaRefusesNewerDatabase(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.db.WithContext(ctx).Exec(
			"INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", v.Want+1, true).Error; err != nil {
			t.Fatal(err)
		}
		err = s.CheckSchema(ctx)
		if !errors.Is(err, ErrSchemaMismatch) || !strings.Contains(err.Error(), "upgrade billgate") {
			t.Fatalf("CheckSchema() = %v, want ErrSchemaMismatch asking for an upgrade", err)
		}
	})
}

func insertClient(tx *gorm.DB, tenant *string, login string) error {
	now := time.Now().UTC()
	return tx.Exec("INSERT INTO clients (id, tenant_id, login, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		uuid.NewString(), tenant, login, now, now).Error
}

func countClients(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	if err := s.db.Table("clients").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWithTxRollsBackOnError(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		boom := errors.New("boom")
		err := s.WithTx(context.Background(), func(tx *Store) error {
			if err := insertClient(tx.db, nil, "alice"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithTx() = %v, want %v", err, boom)
		}
		if n := countClients(t, s); n != 0 {
			t.Fatalf("clients after rollback = %d, want 0", n)
		}
		if err := s.WithTx(context.Background(), func(tx *Store) error { return insertClient(tx.db, nil, "alice") }); err != nil {
			t.Fatalf("WithTx() = %v", err)
		}
		if n := countClients(t, s); n != 1 {
			t.Fatalf("clients after commit = %d, want 1", n)
		}
	})
}

// A feature store of a WithTx store left on the outer connection would
// write outside the transaction.
func TestWithTxBindsEveryFeatureStore(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		boom := errors.New("boom")
		err := s.WithTx(context.Background(), func(tx *Store) error {
			v := reflect.ValueOf(tx).Elem()
			for i := range v.NumField() {
				if f := v.Type().Field(i); f.Anonymous && f.IsExported() {
					if got := v.Field(i).Elem().FieldByName("conn").Pointer(); got != reflect.ValueOf(tx.conn).Pointer() {
						t.Errorf("tx.%s is not on the transaction", f.Name)
					}
				}
			}
			if err := tx.Accounts.CreateClient(context.Background(), &Client{Login: "alice"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithTx() = %v, want %v", err, boom)
		}
		if n := countClients(t, s); n != 0 {
			t.Fatalf("clients after rollback = %d, want 0", n)
		}
	})
}

func TestClientLoginsAreUniquePerTenant(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		db := s.db.WithContext(context.Background())
		business := uuid.NewString()
		now := time.Now().UTC()
		if err := db.Exec("INSERT INTO clients (id, login, created_at, updated_at) VALUES (?, ?, ?, ?)", business, "shop", now, now).Error; err != nil {
			t.Fatal(err)
		}
		other := uuid.NewString()
		if err := db.Exec("INSERT INTO clients (id, login, created_at, updated_at) VALUES (?, ?, ?, ?)", other, "other", now, now).Error; err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			tenant  *string
			login   string
			wantDup bool
		}{
			{"customer of shop", &business, "bob", false},
			{"same login, other tenant", &other, "bob", false},
			{"same login, same tenant", &business, "bob", true},
			{"platform login clash", nil, "shop", true},
		}
		for _, tt := range tests {
			err := insertClient(db, tt.tenant, tt.login)
			if got := errors.Is(err, gorm.ErrDuplicatedKey); got != tt.wantDup {
				t.Errorf("%s: insert = %v, want duplicate %v", tt.name, err, tt.wantDup)
			}
		}
	})
}

func TestOpenRejectsBadDSN(t *testing.T) {
	tests := []struct {
		dsn     string
		wantErr string
	}{
		{"mysql://localhost/x", "want postgres://"},
		{"", "want postgres://"},
	}
	for _, tt := range tests {
		_, err := Open(context.Background(), tt.dsn, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Open(%q) = %v, want error containing %q", tt.dsn, err, tt.wantErr)
		}
	}
}

func TestOpenUnreachablePostgresIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://billgate:x@127.0.0.1:1/billgate?connect_timeout=2", Options{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Open(unreachable) = %v, want ErrUnavailable", err)
	}
}

// A query whose caller went away (a client that closed its request) is
// not logged: it is no fault of the database's (issue 15). A query that
// fails of itself still is.
func TestQueriesCanceledByTheirCallerAreNotLogged(t *testing.T) {
	var log strings.Builder
	s, err := Open(context.Background(), "sqlite::memory:", Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var n int
	if err := s.db.WithContext(ctx).Raw("SELECT 1").Scan(&n).Error; !errors.Is(err, context.Canceled) {
		t.Fatalf("a canceled query = %v, want context.Canceled", err)
	}
	if log.Len() != 0 {
		t.Errorf("a canceled query was logged: %s", log.String())
	}
	_ = s.db.Raw("SELECT * FROM no_such_table").Scan(&n).Error
	if !strings.Contains(log.String(), "no_such_table") {
		t.Errorf("a failed query was not logged: %q", log.String())
	}
}

// Connections the pool opened under load stay open for the next burst: a
// pool that keeps fewer idle than it may open closes the rest as each
// burst ends and opens them again for the next, each a new Postgres
// session with its SCRAM handshake (a signed request cost 0.6 ms, most of
// it in PBKDF2 and MD5, before this test).
func TestPoolKeepsTheConnectionsItOpened(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		db, err := s.db.DB()
		if err != nil {
			t.Fatal(err)
		}
		n := db.Stats().MaxOpenConnections
		for burst := range 2 {
			held := make([]*sql.Conn, n)
			for i := range held {
				if held[i], err = db.Conn(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range held {
				_ = c.Close()
			}
			if st := db.Stats(); st.MaxIdleClosed != 0 || st.OpenConnections != n {
				t.Errorf("after burst %d of %d connections: %d closed as idle, %d open; want 0 closed, %d open", burst+1, n, st.MaxIdleClosed, st.OpenConnections, n)
			}
		}
	})
}
