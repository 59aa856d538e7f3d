package api

import (
	"encoding/base64"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Lists answer in pages of ?limit= items (defaultPageSize when not given),
// from after the ?cursor= of the previous page.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// page fetches one item more than limit, to tell whether a next page
// exists, and returns the page with the cursor of the next one ("" at the end).
func page[T any](limit int, fetch func(limit int) ([]T, error), id func(T) uuid.UUID) ([]T, string, error) {
	items, err := fetch(limit + 1)
	if err != nil || len(items) <= limit {
		return items, "", err
	}
	items = items[:limit]
	return items, encodeCursor(id(items[limit-1])), nil
}

// pageParams reads ?limit= and ?cursor=.
func pageParams(c *gin.Context, limit *int, after *uuid.UUID) error {
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return Invalid("limit", "limit must be 1-"+strconv.Itoa(maxPageSize), s)
		}
		*limit = n
	}
	if s := c.Query("cursor"); s != "" {
		id, err := decodeCursor(s)
		if err != nil {
			return Invalid("cursor", "cursor is not one billgate gave", s)
		}
		*after = id
	}
	return nil
}

// Cursors are opaque to clients: the last ID of the page, base64url.
func encodeCursor(id uuid.UUID) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

func decodeCursor(s string) (uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return uuid.Nil, err
	}
	return uuid.FromBytes(b)
}

// respondPage answers with a page of billing objects: fetch reads up to
// limit rows, id gives a row's cursor, view its JSON.
func respondPage[T, V any](c *gin.Context, limit int, fetch func(limit int) ([]T, error), id func(T) uuid.UUID, view func(*T) V) error {
	rows, next, err := page(limit, fetch, id)
	if err != nil {
		return err
	}
	out := make([]V, len(rows))
	for i := range rows {
		out[i] = view(&rows[i])
	}
	respondList(c, out, next)
	return nil
}
