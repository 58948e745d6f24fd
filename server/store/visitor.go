package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/batonchat/baton/server/chat"
)

const visitorColumns = `id, site_id, external_id, name, email, email_verified, phone, address, locale, page_url, page_title, attributes, created_at, last_seen_at`

func scanVisitor(row interface{ Scan(...any) error }) (*chat.Visitor, error) {
	var (
		v             chat.Visitor
		external      *string
		attrs         string
		created, seen int64
	)
	if err := row.Scan(&v.ID, &v.SiteID, &external, &v.Name, &v.Email, &v.EmailVerified, &v.Phone, &v.Address,
		&v.Locale, &v.PageURL, &v.PageTitle, &attrs, &created, &seen); err != nil {
		return nil, err
	}
	if external != nil {
		v.ExternalID = *external
	}
	if attrs != "" && attrs != "{}" {
		if err := json.Unmarshal([]byte(attrs), &v.Attributes); err != nil {
			return nil, fmt.Errorf("visitor %s attributes: %w", v.ID, err)
		}
	}
	v.CreatedAt, v.LastSeenAt = fromMS(created), fromMS(seen)
	return &v, nil
}

func visitorArgs(v *chat.Visitor) []any {
	attrs := []byte("{}")
	if len(v.Attributes) > 0 {
		attrs, _ = json.Marshal(v.Attributes) // map[string]string always marshals
	}
	return []any{v.ID, v.SiteID, nullable(v.ExternalID), v.Name, v.Email, v.EmailVerified, v.Phone, v.Address,
		v.Locale, v.PageURL, v.PageTitle, string(attrs), ms(v.CreatedAt), ms(v.LastSeenAt)}
}

// Visitor finds a visitor by id.
func (db *DB) Visitor(ctx context.Context, id string) (*chat.Visitor, error) {
	return visitorByID(ctx, db.read, id)
}

// VisitorByExternalID finds a site's visitor by the site's own user id (unique per site).
func (db *DB) VisitorByExternalID(ctx context.Context, siteID, externalID string) (*chat.Visitor, error) {
	v, err := scanVisitor(db.read.QueryRowContext(ctx, `SELECT `+visitorColumns+` FROM visitors WHERE site_id = $1 AND external_id = $2`,
		siteID, externalID))
	if err != nil {
		return nil, notFound(err, "visitor")
	}
	return v, nil
}

// Visitor finds a visitor by id inside the transaction.
func (t *tx) Visitor(id string) (*chat.Visitor, error) { return visitorByID(t.ctx, t.q, id) }

func visitorByID(ctx context.Context, q querier, id string) (*chat.Visitor, error) {
	v, err := scanVisitor(q.QueryRowContext(ctx, `SELECT `+visitorColumns+` FROM visitors WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "visitor")
	}
	return v, nil
}

// EnsureVisitor inserts v unless it exists.
func (t *tx) EnsureVisitor(v *chat.Visitor) error {
	now := t.db.now()
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	if v.LastSeenAt.IsZero() {
		v.LastSeenAt = now
	}
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO visitors (`+visitorColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`,
		visitorArgs(v)...)
	if err != nil {
		return fmt.Errorf("ensure visitor: %w", err)
	}
	return nil
}

// SaveVisitor stores a visitor's profile, inserting it when new.
func (t *tx) SaveVisitor(v *chat.Visitor) error {
	if v.CreatedAt.IsZero() {
		v.CreatedAt = t.db.now()
	}
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO visitors (`+visitorColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, name = excluded.name, email = excluded.email,
		email_verified = excluded.email_verified, phone = excluded.phone, address = excluded.address, locale = excluded.locale,
		page_url = excluded.page_url, page_title = excluded.page_title, attributes = excluded.attributes, last_seen_at = excluded.last_seen_at`,
		visitorArgs(v)...)
	if t.db.unique(err) {
		return chat.Errorf(chat.EConflict, "another visitor of this site has external id %q", v.ExternalID)
	}
	if err != nil {
		return fmt.Errorf("save visitor: %w", err)
	}
	return nil
}
