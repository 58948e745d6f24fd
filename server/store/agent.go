package store

import (
	"context"
	"fmt"

	"github.com/batonchat/baton/server/chat"
)

const agentColumns = `id, email, name, role, password_hash, token_version, created_at`

func scanAgent(row interface{ Scan(...any) error }) (*chat.Agent, error) {
	var (
		a       chat.Agent
		role    string
		created int64
	)
	if err := row.Scan(&a.ID, &a.Email, &a.Name, &role, &a.PasswordHash, &a.TokenVersion, &created); err != nil {
		return nil, err
	}
	a.Role, a.CreatedAt = chat.Role(role), fromMS(created)
	return &a, nil
}

// CreateAgent stores a new agent and their site memberships; a taken email is a conflict.
func (db *DB) CreateAgent(ctx context.Context, a *chat.Agent) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = db.now()
	}
	return db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		_, err := t.q.ExecContext(t.ctx, `INSERT INTO agents (`+agentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			a.ID, a.Email, a.Name, string(a.Role), a.PasswordHash, a.TokenVersion, ms(a.CreatedAt))
		if db.unique(err) {
			return chat.Errorf(chat.EConflict, "an agent with email %q exists", a.Email)
		}
		if err != nil {
			return fmt.Errorf("create agent: %w", err)
		}
		return t.setAgentSites(a)
	})
}

// UpdateAgent stores an agent's name, role, password, token version and sites.
func (db *DB) UpdateAgent(ctx context.Context, a *chat.Agent) error {
	return db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		res, err := t.q.ExecContext(t.ctx, `UPDATE agents SET name = $2, role = $3, password_hash = $4, token_version = $5 WHERE id = $1`,
			a.ID, a.Name, string(a.Role), a.PasswordHash, a.TokenVersion)
		if err != nil {
			return fmt.Errorf("update agent: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chat.ErrNotFound
		}
		return t.setAgentSites(a)
	})
}

func (t *tx) setAgentSites(a *chat.Agent) error {
	if _, err := t.q.ExecContext(t.ctx, `DELETE FROM agent_sites WHERE agent_id = $1`, a.ID); err != nil {
		return fmt.Errorf("agent sites: %w", err)
	}
	for _, id := range a.SiteIDs {
		if _, err := t.q.ExecContext(t.ctx, `INSERT INTO agent_sites (agent_id, site_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, a.ID, id); err != nil {
			return fmt.Errorf("agent sites: %w", err)
		}
	}
	return nil
}

// AgentByID finds an agent by id, with their sites.
func (db *DB) AgentByID(ctx context.Context, id string) (*chat.Agent, error) {
	return db.agentWhere(ctx, `id = $1`, id)
}

// AgentByEmail finds an agent by email, with their sites.
func (db *DB) AgentByEmail(ctx context.Context, email string) (*chat.Agent, error) {
	return db.agentWhere(ctx, `email = $1`, email)
}

func (db *DB) agentWhere(ctx context.Context, where string, arg any) (*chat.Agent, error) {
	a, err := scanAgent(db.read.QueryRowContext(ctx, `SELECT `+agentColumns+` FROM agents WHERE `+where, arg))
	if err != nil {
		return nil, notFound(err, "agent")
	}
	if err := db.loadAgentSites(ctx, []*chat.Agent{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// Agents lists every agent by email.
func (db *DB) Agents(ctx context.Context) ([]*chat.Agent, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+agentColumns+` FROM agents ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	defer rows.Close()
	var out []*chat.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("list agents: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return out, db.loadAgentSites(ctx, out)
}

func (db *DB) loadAgentSites(ctx context.Context, agents []*chat.Agent) error {
	if len(agents) == 0 {
		return nil
	}
	byID := make(map[string]*chat.Agent, len(agents))
	for _, a := range agents {
		byID[a.ID] = a
		a.SiteIDs = nil
	}
	query, args := `SELECT agent_id, site_id FROM agent_sites ORDER BY site_id`, []any(nil)
	if len(agents) == 1 {
		query, args = `SELECT agent_id, site_id FROM agent_sites WHERE agent_id = $1 ORDER BY site_id`, []any{agents[0].ID}
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("agent sites: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var agentID, siteID string
		if err := rows.Scan(&agentID, &siteID); err != nil {
			return fmt.Errorf("agent sites: %w", err)
		}
		if a := byID[agentID]; a != nil {
			a.SiteIDs = append(a.SiteIDs, siteID)
		}
	}
	return rows.Err()
}
