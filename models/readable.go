package models

import (
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// findReadable runs a list query and reads its rows one at a time. A row
// the driver cannot give back as a T (SQLite keeps a time past year 9999
// as text that no longer parses, say) is logged with its ID and left out,
// so one bad row never breaks a whole list.
func findReadable[T any](s *conn, q *gorm.DB) ([]T, error) {
	rows, err := q.Model(new(T)).Rows()
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var row T
		if err := q.ScanRows(rows, &row); err != nil {
			s.log.ErrorContext(q.Statement.Context, "a row cannot be read and is left out of a list",
				slog.String("table", q.Statement.Table), slog.String("id", rowID(rows)), slog.Any("error", err))
			continue
		}
		out = append(out, row)
	}
	return out, translate(rows.Err())
}

// rowID is the id column of the row rows is on, read as it is stored, for
// the log: a row may be scanned again in any form.
func rowID(rows *sql.Rows) string {
	columns, err := rows.Columns()
	if err != nil {
		return "unknown"
	}
	values := make([]any, len(columns))
	for i := range values {
		values[i] = new(any)
	}
	if rows.Scan(values...) != nil {
		return "unknown"
	}
	for i, name := range columns {
		if name != "id" {
			continue
		}
		switch v := (*values[i].(*any)).(type) {
		case []byte:
			if id, err := uuid.FromBytes(v); err == nil {
				return id.String()
			}
			return string(v)
		case [16]byte:
			return uuid.UUID(v).String()
		default:
			return fmt.Sprint(v)
		}
	}
	return "unknown"
}
