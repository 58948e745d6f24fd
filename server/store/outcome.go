package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/chat"
)

const dayMS = int64(24 * time.Hour / time.Millisecond)

// OutcomeFacts counts a site's conversations started in the range (optionally with q.Tag),
// grouped by the day they started in (in loc) and by the facts that decide their outcome.
// One indexed pass over the range's conversations (conversations_site_created), with their
// handoff record and tags looked up by primary key; no message is read. At most a handful of
// rows per day come back, however many conversations there are.
func (db *DB) OutcomeFacts(ctx context.Context, q chat.StatsQuery, loc *time.Location, tags []string) ([]chat.OutcomeFacts, error) {
	args := []any{q.SiteID, ms(q.From), ms(q.To)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := `c.site_id = $1 AND c.created_at >= $2 AND c.created_at < $3`
	if q.Tag != "" {
		where += ` AND EXISTS (SELECT 1 FROM conversation_tags f WHERE f.conversation_id = c.id AND f.tag = ` + arg(q.Tag) + `)`
	}
	tagged := `0 = 1`
	if len(tags) > 0 {
		marks := make([]string, len(tags))
		for i, tag := range tags {
			marks[i] = arg(tag)
		}
		tagged = `EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag IN (` + strings.Join(marks, ", ") + `))`
	}
	// The local day of a start time is (time + offset) / one day, with the zone's offset at
	// that time: one CASE branch per span of the range with the same offset (one, or a few
	// around summer time changes).
	spans := offsetSpans(q.From, q.To, loc)
	local := func(s offsetSpan) string {
		return `(c.created_at + ` + strconv.FormatInt(s.offset, 10) + `) / ` + strconv.FormatInt(dayMS, 10)
	}
	day := local(spans[len(spans)-1])
	if len(spans) > 1 {
		var b strings.Builder
		b.WriteString("CASE")
		for _, s := range spans[:len(spans)-1] {
			b.WriteString(" WHEN c.created_at < " + arg(s.until) + " THEN " + local(s))
		}
		day = b.String() + " ELSE " + day + " END"
	}
	// The per-conversation facts are computed in the inner query and grouped outside it, as
	// PostgreSQL does not group by a correlated subquery.
	rows, err := db.read.QueryContext(ctx, `SELECT day, status, assigned, replied, state, outcome, tagged, COUNT(*) FROM (
		SELECT `+day+` AS day, c.status AS status,
			CASE WHEN c.assignee_id IS NULL THEN 0 ELSE 1 END AS assigned,
			CASE WHEN COALESCE(h.first_reply_at, 0) > 0 THEN 1 ELSE 0 END AS replied,
			COALESCE(h.state, '') AS state, COALESCE(h.outcome, '') AS outcome,
			CASE WHEN `+tagged+` THEN 1 ELSE 0 END AS tagged
		FROM conversations c LEFT JOIN handoffs h ON h.conversation_id = c.id
		WHERE `+where+`) x
		GROUP BY day, status, assigned, replied, state, outcome, tagged`, args...)
	if err != nil {
		return nil, fmt.Errorf("outcome facts: %w", err)
	}
	defer rows.Close()
	var out []chat.OutcomeFacts
	for rows.Next() {
		var (
			f                         chat.OutcomeFacts
			day                       int64
			status                    string
			assigned, replied, tagged int
		)
		if err := rows.Scan(&day, &status, &assigned, &replied, &f.HandoffState, &f.HandoffOutcome, &tagged, &f.Count); err != nil {
			return nil, fmt.Errorf("outcome facts: %w", err)
		}
		f.Date = time.UnixMilli(day * dayMS).UTC().Format(time.DateOnly)
		f.Status, f.Assigned, f.Replied, f.Tagged = chat.Status(status), assigned == 1, replied == 1, tagged == 1
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outcome facts: %w", err)
	}
	return out, nil
}

// offsetSpan is a stretch of time in which a zone's offset from UTC stays the same: until
// (Unix ms, exclusive; the last span has none) the offset is offset milliseconds.
type offsetSpan struct {
	until  int64
	offset int64
}

// offsetSpans splits [from, to) into spans of one offset in loc, using the zone's own
// transitions (time.ZoneBounds); a bounded loop, as a zone changes its offset a few times a
// year at most.
func offsetSpans(from, to time.Time, loc *time.Location) []offsetSpan {
	var out []offsetSpan
	t := from.In(loc)
	for i := 0; i < 1000; i++ {
		_, off := t.Zone()
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			return append(out, offsetSpan{offset: int64(off) * 1000})
		}
		out = append(out, offsetSpan{until: end.UnixMilli(), offset: int64(off) * 1000})
		t = end.In(loc)
	}
	_, off := t.Zone()
	return append(out, offsetSpan{offset: int64(off) * 1000})
}
