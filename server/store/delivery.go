package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/batonchat/baton/server/chat"
)

var (
	_ chat.DeliveryTx    = (*tx)(nil)
	_ chat.DeliveryStore = (*DB)(nil)
)

const deliveryColumns = `id, site_id, conversation_id, kind, method, idempotency_key, fallback_of, status, attempts, max_attempts,
	due_at, ref, last_error, notified, created_at, updated_at, done_at`

func scanDelivery(row interface{ Scan(...any) error }, payload bool) (*chat.Delivery, error) {
	var (
		d                      chat.Delivery
		fallbackOf             *string
		status                 string
		due                    sql.NullInt64
		created, updated, done int64
		body                   string
	)
	dest := []any{&d.ID, &d.SiteID, &d.ConversationID, &d.Kind, &d.Method, &d.Key, &fallbackOf, &status, &d.Attempts, &d.MaxAttempts,
		&due, &d.Ref, &d.LastError, &d.Notified, &created, &updated, &done}
	if payload {
		dest = append(dest, &body)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if fallbackOf != nil {
		d.FallbackOf = *fallbackOf
	}
	if due.Valid {
		d.DueAt = fromMS(due.Int64)
	}
	d.Status, d.Payload = chat.DeliveryStatus(status), []byte(body)
	d.CreatedAt, d.UpdatedAt, d.DoneAt = fromMS(created), fromMS(updated), fromMS(done)
	return &d, nil
}

// dueMS is due_at's value: NULL when nothing is left to do.
func dueMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// EnqueueDelivery stores d in the transaction, unless a delivery with its key exists.
func (t *tx) EnqueueDelivery(d *chat.Delivery) (bool, error) {
	now := t.db.now()
	if d.ID == "" {
		d.ID = chat.NewID("dl")
	}
	if d.Status == "" {
		d.Status = chat.DeliveryPending
	}
	if d.DueAt.IsZero() && d.Status == chat.DeliveryPending {
		d.DueAt = now
	}
	d.CreatedAt, d.UpdatedAt = now, now
	res, err := t.q.ExecContext(t.ctx, `INSERT INTO deliveries (`+deliveryColumns+`, payload)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (idempotency_key) DO NOTHING`,
		d.ID, d.SiteID, d.ConversationID, d.Kind, d.Method, d.Key, nullable(d.FallbackOf), string(d.Status), d.Attempts, d.MaxAttempts,
		dueMS(d.DueAt), d.Ref, d.LastError, d.Notified, ms(d.CreatedAt), ms(d.UpdatedAt), ms(d.DoneAt), string(d.Payload))
	if err != nil {
		return false, fmt.Errorf("enqueue delivery: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Delivery finds a delivery by id, with its payload.
func (db *DB) Delivery(ctx context.Context, id string) (*chat.Delivery, error) {
	d, err := scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryColumns+`, payload FROM deliveries WHERE id = $1`, id), true)
	if err != nil {
		return nil, notFound(err, "delivery")
	}
	return d, nil
}

// Deliveries lists a site's deliveries, newest first, a page at a time, without payloads.
func (db *DB) Deliveries(ctx context.Context, f chat.DeliveryFilter) ([]*chat.Delivery, string, error) {
	p := newPage("created_at", f.Limit)
	p.where("site_id = " + p.arg(f.SiteID))
	if f.Status != "" {
		p.where("status = " + p.arg(string(f.Status)))
	}
	if f.ConversationID != "" {
		p.where("conversation_id = " + p.arg(f.ConversationID))
	}
	if err := p.after(f.Cursor); err != nil {
		return nil, "", err
	}
	rows, err := db.read.QueryContext(ctx, p.sql(deliveryColumns, "deliveries"), p.args...)
	if err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	var list []*chat.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows, false)
		if err != nil {
			return nil, "", fmt.Errorf("list deliveries: %w", err)
		}
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", err)
	}
	list, next := cut(p, list, func(d *chat.Delivery) (time.Time, string) { return d.CreatedAt, d.ID })
	return list, next, nil
}

// ClaimDeliveries takes up to limit deliveries due at now for a worker: each one's DueAt
// becomes now+lease, which both hides it from other workers until then and is the token the
// worker's SaveDelivery must present; a pending delivery's attempt is counted here, before it
// is made, so that an attempt cut short by a crash still counts.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*chat.Delivery, error) {
	skip := ""
	if db.kind == "postgres" {
		skip = " FOR UPDATE SKIP LOCKED" // concurrent workers take different rows instead of queueing
	}
	rows, err := db.write.QueryContext(ctx, `UPDATE deliveries
		SET due_at = $1, updated_at = $2, attempts = attempts + CASE WHEN status = 'pending' THEN 1 ELSE 0 END
		WHERE id IN (SELECT id FROM deliveries WHERE due_at IS NOT NULL AND due_at <= $2 ORDER BY due_at LIMIT $3`+skip+`)
		AND due_at IS NOT NULL AND due_at <= $2
		RETURNING `+deliveryColumns+`, payload`, now.Add(lease).UnixMilli(), now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	defer rows.Close()
	var out []*chat.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows, true)
		if err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	db.ckpt.wrote()
	return out, nil
}

// SaveDelivery stores a worker's result for d (payload, status, due time, reference, error,
// notified, done time), and enqueues next with it when given (a fallback) — but only while d
// still holds the lease the worker claimed it with: a worker that outlived its lease (another
// one has taken the delivery since) changes nothing. It reports whether it stored the result.
func (db *DB) SaveDelivery(ctx context.Context, d *chat.Delivery, lease time.Time, next *chat.Delivery) (bool, error) {
	saved := false
	err := db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		d.UpdatedAt = db.now()
		res, err := t.q.ExecContext(t.ctx, `UPDATE deliveries SET payload = $3, status = $4, due_at = $5, ref = $6, last_error = $7,
			notified = $8, updated_at = $9, done_at = $10 WHERE id = $1 AND due_at = $2`,
			d.ID, lease.UnixMilli(), string(d.Payload), string(d.Status), dueMS(d.DueAt), d.Ref, d.LastError, d.Notified,
			ms(d.UpdatedAt), ms(d.DoneAt))
		if err != nil {
			return fmt.Errorf("save delivery: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			saved = false
			return nil
		}
		saved = true
		if next != nil {
			if _, err := t.EnqueueDelivery(next); err != nil {
				return err
			}
		}
		return nil
	})
	return saved, err
}

// NextDeliveryAt returns when the earliest delivery falls due; ok is false when none will.
func (db *DB) NextDeliveryAt(ctx context.Context) (at time.Time, ok bool, err error) {
	var due sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(due_at) FROM deliveries WHERE due_at IS NOT NULL`).Scan(&due); err != nil {
		return time.Time{}, false, fmt.Errorf("next delivery: %w", err)
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(due.Int64).UTC(), true, nil
}
