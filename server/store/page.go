package store

import (
	"strconv"
	"strings"
	"time"
)

// page builds a list query: conditions with numbered parameters ($1, $2, … on both databases)
// and keyset paging, newest first on (col, id), so a page costs the same however deep it is.
type page struct {
	col   string // the time column pages are ordered by
	limit int
	conds []string
	args  []any
}

// newPage starts a list query ordered by col; limit defaults to 50 and is at most 200.
func newPage(col string, limit int) *page {
	if limit <= 0 {
		limit = 50
	}
	return &page{col: col, limit: min(limit, 200)}
}

// arg adds a parameter and returns its placeholder.
func (p *page) arg(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// where adds a condition.
func (p *page) where(cond string) { p.conds = append(p.conds, cond) }

// after continues from a cursor returned with an earlier page ("" for the first page).
func (p *page) after(cursor string) error {
	if cursor == "" {
		return nil
	}
	at, id, err := decodeCursor(cursor)
	if err != nil {
		return err
	}
	a, b := p.arg(at), p.arg(id)
	p.where("(" + p.col + " < " + a + " OR (" + p.col + " = " + a + " AND id < " + b + "))")
	return nil
}

// sql is the query: one row more than the limit, which tells whether a next page exists.
func (p *page) sql(columns, table string) string {
	return `SELECT ` + columns + ` FROM ` + table + ` WHERE ` + strings.Join(p.conds, " AND ") +
		` ORDER BY ` + p.col + ` DESC, id DESC LIMIT ` + strconv.Itoa(p.limit+1)
}

// cut trims the extra row and returns the cursor of the next page ("" when this is the last).
func cut[T any](p *page, list []T, key func(T) (time.Time, string)) ([]T, string) {
	if len(list) <= p.limit {
		return list, ""
	}
	list = list[:p.limit]
	at, id := key(list[p.limit-1])
	return list, encodeCursor(ms(at), id)
}
