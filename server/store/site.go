package store

import (
	"context"
	"fmt"

	"github.com/batonchat/baton/server/chat"
)

const siteColumns = `id, key, name, identity_secret, settings, created_at, updated_at`

func scanSite(row interface{ Scan(...any) error }) (*chat.Site, error) {
	var (
		s                chat.Site
		settings         string
		created, updated int64
	)
	if err := row.Scan(&s.ID, &s.Key, &s.Name, &s.IdentitySecret, &settings, &created, &updated); err != nil {
		return nil, err
	}
	s.Settings = []byte(settings)
	s.CreatedAt, s.UpdatedAt = fromMS(created), fromMS(updated)
	return &s, nil
}

// CreateSite stores a new site; a taken key is a conflict.
func (db *DB) CreateSite(ctx context.Context, s *chat.Site) error {
	now := db.now()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.UpdatedAt = now
	_, err := db.write.ExecContext(ctx, `INSERT INTO sites (`+siteColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.ID, s.Key, s.Name, s.IdentitySecret, string(s.Settings), ms(s.CreatedAt), ms(s.UpdatedAt))
	if db.unique(err) {
		return chat.Errorf(chat.EConflict, "a site with key %q exists", s.Key)
	}
	if err != nil {
		return fmt.Errorf("create site: %w", err)
	}
	return nil
}

// UpdateSite stores a site's name, settings and identity secret.
func (db *DB) UpdateSite(ctx context.Context, s *chat.Site) error {
	s.UpdatedAt = db.now()
	res, err := db.write.ExecContext(ctx, `UPDATE sites SET name = $2, identity_secret = $3, settings = $4, updated_at = $5 WHERE id = $1`,
		s.ID, s.Name, s.IdentitySecret, string(s.Settings), ms(s.UpdatedAt))
	if err != nil {
		return fmt.Errorf("update site: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.ErrNotFound
	}
	return nil
}

// SiteByKey finds a site by its public key.
func (db *DB) SiteByKey(ctx context.Context, key string) (*chat.Site, error) {
	s, err := scanSite(db.read.QueryRowContext(ctx, `SELECT `+siteColumns+` FROM sites WHERE key = $1`, key))
	if err != nil {
		return nil, notFound(err, "site by key")
	}
	return s, nil
}

// SiteByID finds a site by id.
func (db *DB) SiteByID(ctx context.Context, id string) (*chat.Site, error) {
	s, err := scanSite(db.read.QueryRowContext(ctx, `SELECT `+siteColumns+` FROM sites WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "site by id")
	}
	return s, nil
}

// Sites lists every site by key.
func (db *DB) Sites(ctx context.Context) ([]*chat.Site, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+siteColumns+` FROM sites ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("list sites: %w", err)
	}
	defer rows.Close()
	var out []*chat.Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, fmt.Errorf("list sites: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Secret returns a named server secret, creating it on first use. Two processes racing to
// create it agree on the first one stored.
func (db *DB) Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	var v string
	err := db.write.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return []byte(v), nil
	}
	if notFound(err, "") != chat.ErrNotFound {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	b, err := gen()
	if err != nil {
		return nil, fmt.Errorf("generate secret %s: %w", name, err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, string(b)); err != nil {
		return nil, fmt.Errorf("store secret %s: %w", name, err)
	}
	if err := db.write.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	return []byte(v), nil
}
