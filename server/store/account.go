package store

import (
	"context"
	"fmt"
	"time"

	"github.com/batonchat/baton/server/chat"
)

// Console sessions, one-time password links and removing agents (package account).

const sessionColumns = `id, agent_id, secret_hash, token_version, user_agent, ip, created_at, last_seen_at, expires_at`

func scanSession(row interface{ Scan(...any) error }) (*chat.Session, error) {
	var (
		s                      chat.Session
		created, seen, expires int64
	)
	if err := row.Scan(&s.ID, &s.AgentID, &s.SecretHash, &s.TokenVersion, &s.UserAgent, &s.IP, &created, &seen, &expires); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	return &s, nil
}

// CreateSession stores a new session and drops the agent's expired ones.
func (db *DB) CreateSession(ctx context.Context, s *chat.Session) error {
	return db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		if _, err := t.q.ExecContext(t.ctx, `DELETE FROM sessions WHERE agent_id = $1 AND expires_at < $2`, s.AgentID, ms(s.CreatedAt)); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		_, err := t.q.ExecContext(t.ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			s.ID, s.AgentID, s.SecretHash, s.TokenVersion, s.UserAgent, s.IP, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt))
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionByHash finds a session by its secret's hash, or ErrNotFound.
func (db *DB) SessionByHash(ctx context.Context, hash string) (*chat.Session, error) {
	s, err := scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE secret_hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// TouchSession records a session's use and its pushed expiry.
func (db *DB) TouchSession(ctx context.Context, id string, seen, expires time.Time) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1`, id, ms(seen), ms(expires)); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// SessionsOf lists an agent's sessions, newest first.
func (db *DB) SessionsOf(ctx context.Context, agentID string) ([]*chat.Session, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE agent_id = $1 ORDER BY created_at DESC, id`, agentID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []*chat.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// DeleteSession deletes one of an agent's sessions; another agent's (or none) is ErrNotFound.
func (db *DB) DeleteSession(ctx context.Context, agentID, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND agent_id = $2`, id, agentID)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.ErrNotFound
	}
	return nil
}

// DeleteSessionsOf deletes every session of an agent.
func (db *DB) DeleteSessionsOf(ctx context.Context, agentID string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE agent_id = $1`, agentID); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// CreatePasswordLink stores a one-time link; the agent's earlier links stop working.
func (db *DB) CreatePasswordLink(ctx context.Context, l *chat.PasswordLink) error {
	return db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		if _, err := t.q.ExecContext(t.ctx, `DELETE FROM password_links WHERE agent_id = $1`, l.AgentID); err != nil {
			return fmt.Errorf("create password link: %w", err)
		}
		if _, err := t.q.ExecContext(t.ctx, `INSERT INTO password_links (hash, agent_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			l.Hash, l.AgentID, l.Kind, ms(l.CreatedAt), ms(l.ExpiresAt)); err != nil {
			return fmt.Errorf("create password link: %w", err)
		}
		return nil
	})
}

// RedeemPasswordLink uses a link once: when it exists and has not expired at now, the agent's
// password becomes passwordHash, their token version is bumped (every token and session ends)
// and their links and sessions are deleted. Otherwise ErrNotFound, and nothing changes.
func (db *DB) RedeemPasswordLink(ctx context.Context, hash, passwordHash string, now time.Time) (*chat.Agent, error) {
	var agentID string
	err := db.Tx(ctx, func(ct chat.Tx) error {
		agentID = ""
		t := ct.(*tx)
		var expires int64
		err := t.q.QueryRowContext(t.ctx, `SELECT agent_id, expires_at FROM password_links WHERE hash = $1`, hash).Scan(&agentID, &expires)
		if err != nil {
			return notFound(err, "password link")
		}
		if expires <= ms(now) {
			return chat.ErrNotFound
		}
		if _, err := t.q.ExecContext(t.ctx, `UPDATE agents SET password_hash = $2, token_version = token_version + 1 WHERE id = $1`, agentID, passwordHash); err != nil {
			return fmt.Errorf("redeem password link: %w", err)
		}
		for _, q := range []string{`DELETE FROM password_links WHERE agent_id = $1`, `DELETE FROM sessions WHERE agent_id = $1`} {
			if _, err := t.q.ExecContext(t.ctx, q, agentID); err != nil {
				return fmt.Errorf("redeem password link: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.AgentByID(ctx, agentID)
}

// DeleteAgent removes an agent: their sessions, links and memberships go with them, and their
// open conversations go back to the Unassigned queue.
func (db *DB) DeleteAgent(ctx context.Context, id string) error {
	return db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		if _, err := t.q.ExecContext(t.ctx, `UPDATE conversations SET status = $2, assignee_id = NULL WHERE assignee_id = $1 AND status = $3`,
			id, string(chat.StatusUnassigned), string(chat.StatusAssigned)); err != nil {
			return fmt.Errorf("delete agent: %w", err)
		}
		res, err := t.q.ExecContext(t.ctx, `DELETE FROM agents WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete agent: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chat.ErrNotFound
		}
		return nil
	})
}
