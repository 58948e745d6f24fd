package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpiredSessions deletes up to limit sessions that ended before now (idle or past their
// hard maximum) and returns how many went: the periodic sweep, so rows of browsers that never
// come back do not pile up.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= $1 LIMIT $2)`,
		ms(now), limit)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
