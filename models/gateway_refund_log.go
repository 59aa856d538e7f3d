package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm/clause"
)

// RefundLogs keeps the refund log of the connected gateways that take no
// idempotency key of billgate's (Skrill): each refund made through one,
// by billgate's key, so that a repeated refund is answered rather than
// made again, by whichever process asks.
type RefundLogs struct{ *conn }

// RefundLogEntry is one refund in the log. Key, Charge and Reference are
// scoped to the gateway account by the gateway; Record is the gateway's
// own JSON.
type RefundLogEntry struct {
	Key    string `gorm:"primaryKey"`
	Charge string
	// Reference is the refund's at the gateway; empty until it answered.
	Reference string
	Record    string
	// InFlight marks a refund sent whose answer never came.
	InFlight bool
	At       time.Time
}

// TableName is the log's table.
func (RefundLogEntry) TableName() string { return "gateway_refund_log" }

// RefundLogByKey returns the refund under key, or ErrNotFound.
func (s *RefundLogs) RefundLogByKey(ctx context.Context, key string) (RefundLogEntry, error) {
	return s.takeRefundLog(ctx, clause.Eq{Column: clause.Column{Name: "key"}, Value: key}, "refund "+key)
}

// RefundLogByReference returns the refund the gateway knows as reference,
// or ErrNotFound.
func (s *RefundLogs) RefundLogByReference(ctx context.Context, reference string) (RefundLogEntry, error) {
	if reference == "" {
		return RefundLogEntry{}, fmt.Errorf("refund with an empty reference: %w", ErrNotFound)
	}
	return s.takeRefundLog(ctx, clause.Eq{Column: clause.Column{Name: "reference"}, Value: reference}, "refund reference "+reference)
}

func (s *RefundLogs) takeRefundLog(ctx context.Context, where clause.Eq, what string) (RefundLogEntry, error) {
	var e RefundLogEntry
	if err := translate(s.db.WithContext(ctx).Where(where).Take(&e).Error); err != nil {
		return RefundLogEntry{}, fmt.Errorf("%s: %w", what, err)
	}
	return e, nil
}

// RefundLogOfCharge lists the refunds of charge, oldest first.
func (s *RefundLogs) RefundLogOfCharge(ctx context.Context, charge string) ([]RefundLogEntry, error) {
	var es []RefundLogEntry
	err := s.db.WithContext(ctx).Where(clause.Eq{Column: clause.Column{Name: "charge"}, Value: charge}).
		Order(clause.OrderBy{Columns: []clause.OrderByColumn{{Column: clause.Column{Name: "at"}}, {Column: clause.Column{Name: "key"}}}}).
		Find(&es).Error
	if err := translate(err); err != nil {
		return nil, fmt.Errorf("refunds of %s: %w", charge, err)
	}
	return es, nil
}

// PutRefundLog records e under e.Key, replacing what was there.
func (s *RefundLogs) PutRefundLog(ctx context.Context, e RefundLogEntry) error {
	e.At = e.At.UTC()
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, UpdateAll: true}).Create(&e).Error
	if err := translate(err); err != nil {
		return fmt.Errorf("record refund %s: %w", e.Key, err)
	}
	return nil
}

// DeleteRefundLog forgets the refund under key; forgetting one not there
// is no error.
func (s *RefundLogs) DeleteRefundLog(ctx context.Context, key string) error {
	err := s.db.WithContext(ctx).Where(clause.Eq{Column: clause.Column{Name: "key"}, Value: key}).Delete(&RefundLogEntry{}).Error
	if err := translate(err); err != nil {
		return fmt.Errorf("forget refund %s: %w", key, err)
	}
	return nil
}

// LockRefundCharge holds the refunds of charge until unlock is called, so
// that two refunds of one charge never run at once, in any process. It
// gives up when ctx ends. Unlock may be called more than once.
//
// On Postgres the lock is a transaction-scoped advisory lock, taken in a
// transaction of its own that unlock commits. It lasts exactly as long as
// that transaction, and so ends however the transaction does (commit,
// rollback, lost connection, dead process): no connection ever goes back
// to the pool still holding it, which a session-level lock whose unlock
// failed would. The log's reads and writes do not go through that
// transaction: a refund recorded in flight must be durable before the
// gateway is called, whatever becomes of the lock.
//
// SQLite is one process's database, and its pool one connection: a lock
// per charge within the process is enough.
func (s *RefundLogs) LockRefundCharge(ctx context.Context, charge string) (unlock func(), err error) {
	if s.dialect == SQLite {
		return processChargeLocks.lock(ctx, charge)
	}
	return s.advisoryLock(ctx, charge)
}

// maxHeldRefundLocks bounds the advisory locks a process holds at once.
// Each holds a connection of the pool (20) while its holder's reads and
// writes need others: without a bound, 20 refunds of different charges
// would hold every connection and wait for one forever.
const maxHeldRefundLocks = 8

var heldRefundLocks = make(chan struct{}, maxHeldRefundLocks)

func (s *RefundLogs) advisoryLock(ctx context.Context, charge string) (func(), error) {
	select {
	case heldRefundLocks <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("lock the refunds of %s: %w", charge, ctx.Err())
	}
	tx, err := s.lockTx(ctx, charge)
	if err != nil {
		<-heldRefundLocks
		return nil, fmt.Errorf("lock the refunds of %s: %w", charge, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			// Whatever Commit answers, the transaction is over and the
			// lock with it: a connection that failed is closed.
			_ = tx.Commit()
			<-heldRefundLocks
		})
	}, nil
}

// lockTx begins a transaction holding the advisory lock of charge. The
// transaction outlives ctx, which only bounds the wait for the lock.
func (s *RefundLogs) lockTx(ctx context.Context, charge string) (*sql.Tx, error) {
	pool, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	tx, err := pool.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, translate(err)
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", charge); err != nil {
		_ = tx.Rollback()
		if ctx.Err() != nil {
			return nil, errors.Join(ctx.Err(), err)
		}
		return nil, translate(err)
	}
	return tx, nil
}

// chargeLocks are locks by charge within the process.
type chargeLocks struct {
	mu   sync.Mutex
	held map[string]*chargeLock
}

type chargeLock struct {
	token chan struct{}
	users int // holders and waiters
}

var processChargeLocks = &chargeLocks{held: map[string]*chargeLock{}}

func (l *chargeLocks) lock(ctx context.Context, charge string) (func(), error) {
	l.mu.Lock()
	c := l.held[charge]
	if c == nil {
		c = &chargeLock{token: make(chan struct{}, 1)}
		l.held[charge] = c
	}
	c.users++
	l.mu.Unlock()
	select {
	case c.token <- struct{}{}:
	case <-ctx.Done():
		l.leave(charge, c)
		return nil, fmt.Errorf("lock the refunds of %s: %w", charge, ctx.Err())
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-c.token
			l.leave(charge, c)
		})
	}, nil
}

// leave forgets a charge's lock once nobody holds or waits for it.
func (l *chargeLocks) leave(charge string, c *chargeLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.users--; c.users == 0 {
		delete(l.held, charge)
	}
}
