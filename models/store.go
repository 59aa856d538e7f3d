// Package models holds billgate's persisted state: GORM models, the
// feature stores that query them, the Store that opens the database and
// embeds them, and the versioned migrations for Postgres and SQLite.
package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	moderncsqlite "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL database behind a Store.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrUnavailable wraps failures to reach the database, so callers can answer
// 503 and let the client retry.
var ErrUnavailable = errors.New("database unavailable")

// Options tunes Open. The zero value is fit for production.
type Options struct {
	Logger *slog.Logger
	// Now is the clock GORM stamps CreatedAt and UpdatedAt with.
	Now func() time.Time
}

// Store is the database: opening, migrating and transactions. Each
// feature's persistence is a store of its own, embedded here so that a
// caller holding the Store reaches every feature's methods; a service is
// handed only its feature's store. Methods take ctx first so cancellation
// reaches SQL.
type Store struct {
	*conn
	dsn string

	*Accounts
	*Roles
	*Audit
	*Sessions
	*Keys
	*Catalog
	*Billing
	*Clocks
	*IdempotencyKeys
	*WebhookEvents
	*GatewayAccounts
	*Reconciliation
	*RefundLogs
	*EventLog
	*WebhookEndpoints
	*WebhookDeliveries
	*Reports
	*Observations
}

// conn is what the feature stores run on: the database handle, which is
// the transaction's in a store WithTx made, and the identity change feed
// that writes to identity publish to.
type conn struct {
	db      *gorm.DB
	dialect Dialect
	log     *slog.Logger
	feed    *changeFeed
}

func newStore(c *conn, dsn string) *Store {
	return &Store{conn: c, dsn: dsn,
		Accounts: &Accounts{c}, Roles: &Roles{c}, Audit: &Audit{c}, Sessions: &Sessions{c}, Keys: &Keys{c},
		Catalog: &Catalog{c}, Billing: &Billing{c}, Clocks: &Clocks{c},
		IdempotencyKeys: &IdempotencyKeys{c}, WebhookEvents: &WebhookEvents{c}, GatewayAccounts: &GatewayAccounts{c},
		Reconciliation: &Reconciliation{c}, RefundLogs: &RefundLogs{c}, EventLog: &EventLog{c},
		WebhookEndpoints: &WebhookEndpoints{c}, WebhookDeliveries: &WebhookDeliveries{c}, Reports: &Reports{c},
		Observations: &Observations{c}}
}

// quietOnCancel leaves out of the log the queries whose caller went away,
// such as a client that closed its request: no fault of the database's.
type quietOnCancel struct{ logger.Interface }

func (q quietOnCancel) LogMode(level logger.LogLevel) logger.Interface {
	return quietOnCancel{q.Interface.LogMode(level)}
}

func (q quietOnCancel) Trace(ctx context.Context, begin time.Time, query func() (string, int64), err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	q.Interface.Trace(ctx, begin, query, err)
}

// Open connects to the database a DSN names: postgres://… or
// postgresql://…, sqlite:PATH for a file, sqlite::memory: for a private
// in-memory database. It does not migrate.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	dialector, dialect, err := dialectorFor(dsn)
	if err != nil {
		return nil, err
	}
	// Open reports its own failure, so GORM's logger stays quiet until then.
	db, err := gorm.Open(dialector, &gorm.Config{
		TranslateError: true,
		NowFunc:        opts.Now,
		Logger:         logger.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: open %s database: %w", ErrUnavailable, dialect, err)
	}
	db.Logger = quietOnCancel{logger.New(slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn), logger.Config{
		SlowThreshold:             200 * time.Millisecond,
		IgnoreRecordNotFoundError: true,
		LogLevel:                  logger.Warn,
	})}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	configurePool(sqlDB, dialect)
	s := newStore(&conn{db: db, dialect: dialect, log: opts.Logger, feed: &changeFeed{}}, dsn)
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

func dialectorFor(dsn string) (gorm.Dialector, Dialect, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(dsn), Postgres, nil
	case dsn == "sqlite::memory:":
		// A named shared-cache database lives as long as one connection
		// does; the pool below keeps one open.
		name := "file:billgate-" + uuid.NewString() + "?mode=memory&cache=shared"
		return sqliteDialector{sqlite.Dialector{DriverName: "sqlite", DSN: name + sqlitePragmas}}, SQLite, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqliteDialector{sqlite.Dialector{DriverName: "sqlite", DSN: "file:" + strings.TrimPrefix(dsn, "sqlite:") + "?" + sqliteFilePragmas + sqlitePragmas}}, SQLite, nil
	default:
		return nil, "", errors.New("database URL: want postgres://… or sqlite:PATH")
	}
}

// sqliteDialector runs GORM's SQLite dialect over the pure-Go modernc driver.
// GORM's own error translation only knows the cgo driver's error type.
type sqliteDialector struct{ sqlite.Dialector }

// Translate maps modernc's constraint errors to GORM's sentinel errors.
func (d sqliteDialector) Translate(err error) error {
	var e *moderncsqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return gorm.ErrDuplicatedKey
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return gorm.ErrForeignKeyViolated
	case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		// ON DELETE RESTRICT is enforced as a trigger and reports this code.
		if strings.Contains(e.Error(), "FOREIGN KEY constraint failed") {
			return gorm.ErrForeignKeyViolated
		}
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return gorm.ErrCheckConstraintViolated
	}
	return err
}

const (
	sqlitePragmas     = "&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_time_format=sqlite"
	sqliteFilePragmas = "_pragma=journal_mode(wal)&_pragma=synchronous(normal)"
)

// maxPostgresConns bounds each process's connections to Postgres.
const maxPostgresConns = 20

// configurePool sizes the pool. SQLite takes one writer at a time, and a
// shared-cache memory database reports lock conflicts instead of waiting, so
// it gets a single connection that never expires.
func configurePool(db *sql.DB, dialect Dialect) {
	if dialect == SQLite {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		return
	}
	// As many idle as open: with fewer, every burst past the idle count
	// closes connections that the next burst opens again, each a new
	// session with its SCRAM handshake. Idle ones go after five minutes.
	db.SetMaxOpenConns(maxPostgresConns)
	db.SetMaxIdleConns(maxPostgresConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
}

// DB is the GORM handle, for a store that keeps its own tables in this
// database outside this package (the sandbox gateway's ledger). Its
// queries' errors go through Translate, as the Store's own do.
func (s *Store) DB() *gorm.DB { return s.db }

// Translate maps a GORM error to this package's: ErrNotFound, ErrConflict,
// ErrInUse, or ErrUnavailable wrapping a failure to reach the database.
func Translate(err error) error { return translate(err) }

// Dialect tells which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// WithTx runs fn with a Store, every feature store of it included, bound
// to one transaction. The transaction commits when fn returns nil and rolls
// back otherwise.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Store) error) error {
	return s.withTx(ctx, func(tx *conn) error { return fn(newStore(tx, s.dsn)) })
}

// withTx runs fn on a conn bound to one transaction, sharing the feed.
func (c *conn) withTx(ctx context.Context, fn func(tx *conn) error) error {
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(&conn{db: tx, dialect: c.dialect, log: c.log, feed: c.feed})
	})
}

// inTx runs fn with a feature store of type S bound to one transaction.
func inTx[S ~struct{ *conn }](ctx context.Context, c *conn, fn func(tx *S) error) error {
	return c.withTx(ctx, func(tx *conn) error {
		s := S{tx}
		return fn(&s)
	})
}

// isConnectionError tells failures to reach the database from errors in a
// query: they become ErrUnavailable, so the client may retry.
func isConnectionError(err error) bool {
	var netErr *net.OpError
	var connectErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.As(err, &netErr), errors.As(err, &connectErr):
		return true
	case errors.As(err, &pgErr):
		// Class 08 is connection exceptions; 57P0x is a server shutting
		// down or refusing connections.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	return false
}

// gormDB names GORM's handle for Preload conditions.
type gormDB = *gorm.DB
