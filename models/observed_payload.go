package models

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"
)

// Observations keeps what listen mode observed, for every API process:
// per role and action, summaries of the payloads the role's members'
// accepted requests carried, each kept once. What a summary is, and how
// many are worth keeping, is the caller's business.
type Observations struct{ *conn }

// ObservedPayload is one payload observed for a role in listen mode.
type ObservedPayload struct {
	ID      int64 `gorm:"primaryKey"` // in the order they were recorded
	RoleID  uuid.UUID
	Action  string
	Hash    string // of Payload: a role keeps a payload once per action
	Payload string
}

// RecordObserved stores payloads observed for action under the role named
// role, all or none, those it holds already once. held counts the role's
// payloads for action once a new one is stored; it is 0 when none was new,
// and when no role has that name (it was deleted meanwhile).
func (s *Observations) RecordObserved(ctx context.Context, role, action string, payloads [][]byte) (held int, err error) {
	if len(payloads) == 0 {
		return 0, nil
	}
	rows := strings.Repeat("(?, ?), ", len(payloads)-1) + "(?, ?)"
	args := make([]any, 0, 2*len(payloads)+2)
	for _, p := range payloads {
		args = append(args, hashOf(string(p)), string(p))
	}
	res := s.db.WithContext(ctx).Exec(`INSERT INTO observed_payloads (role_id, action, hash, payload)
		SELECT roles.id, ?, v.column1, v.column2 FROM roles, (VALUES `+rows+`) AS v WHERE roles.name = ?
		ON CONFLICT (role_id, action, hash) DO NOTHING`, append(append([]any{action}, args...), role)...)
	if err := translate(res.Error); err != nil {
		return 0, fmt.Errorf("record payloads observed for %s %s: %w", role, action, err)
	}
	if res.RowsAffected == 0 {
		return 0, nil
	}
	var n int64
	err = s.db.WithContext(ctx).Model(&ObservedPayload{}).
		Where("role_id = (SELECT id FROM roles WHERE name = ?) AND action = ?", role, action).Count(&n).Error
	if err := translate(err); err != nil {
		return 0, fmt.Errorf("count the payloads observed for %s %s: %w", role, action, err)
	}
	return int(n), nil
}

// Observed lists the payloads observed for the role named role, for every
// action, in the order they were recorded.
func (s *Observations) Observed(ctx context.Context, role string) ([]ObservedPayload, error) {
	var out []ObservedPayload
	err := s.db.WithContext(ctx).Where("role_id = (SELECT id FROM roles WHERE name = ?)", role).Order("id").Find(&out).Error
	if err := translate(err); err != nil {
		return nil, fmt.Errorf("payloads observed for %s: %w", role, err)
	}
	return out, nil
}

// SumUpObserved replaces the payloads observed for action under the role
// named role, if it holds more than over, by sum of them: payloads that
// take the oldest of their IDs, so that they keep their place in the order.
// It holds the role's row meanwhile, so that processes sum up one at a
// time (SQLite's transactions are one at a time already) and one that
// comes second finds the summary; payloads recorded meanwhile wait for the
// next time.
func (s *Observations) SumUpObserved(ctx context.Context, role, action string, over int, sum func([]ObservedPayload) [][]byte) error {
	return inTx(ctx, s.conn, func(tx *Observations) error {
		q := tx.db.WithContext(ctx)
		if tx.dialect == Postgres {
			// Not FOR UPDATE: that would hold up the foreign key checks of
			// the payloads recorded meanwhile.
			q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
		}
		var r Role
		err := translate(q.Select("id").Take(&r, "name = ?", role).Error)
		if errors.Is(err, ErrNotFound) {
			return nil // deleted meanwhile, and its payloads with it
		}
		if err != nil {
			return fmt.Errorf("role %s: %w", role, err)
		}
		var rows []ObservedPayload
		if err := translate(tx.db.WithContext(ctx).Where("role_id = ? AND action = ?", r.ID, action).Order("id").Find(&rows).Error); err != nil {
			return fmt.Errorf("payloads observed for %s %s: %w", role, action, err)
		}
		if len(rows) <= over {
			return nil
		}
		payloads := sum(rows)
		ids := make([]int64, len(rows))
		for i, row := range rows {
			ids[i] = row.ID
		}
		if err := translate(tx.db.WithContext(ctx).Where("id IN ?", ids).Delete(&ObservedPayload{}).Error); err != nil {
			return fmt.Errorf("delete the payloads observed for %s %s: %w", role, action, err)
		}
		for i, p := range payloads {
			row := ObservedPayload{RoleID: r.ID, Action: action, Hash: hashOf(string(p)), Payload: string(p)}
			if i < len(ids) {
				row.ID = ids[i]
			}
			err := tx.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "role_id"}, {Name: "action"}, {Name: "hash"}}, DoNothing: true}).
				Create(&row).Error
			if err := translate(err); err != nil {
				return fmt.Errorf("store the summary of the payloads observed for %s %s: %w", role, action, err)
			}
		}
		return nil
	})
}
