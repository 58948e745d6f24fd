// Package account runs what an agent's account needs beyond a password: console sessions
// (a random secret in an HttpOnly cookie, only its hash stored, sliding expiry within a hard
// maximum, revocable one by one) and one-time links that set a password (invitations and
// resets). Ending a session closes its live WebSockets at once through the Closer.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
)

// Store is what accounts keep in the database (implemented by *store.DB).
type Store interface {
	AgentByID(ctx context.Context, id string) (*chat.Agent, error)
	CreateSession(ctx context.Context, s *chat.Session) error
	SessionByHash(ctx context.Context, hash string) (*chat.Session, error)
	TouchSession(ctx context.Context, id string, seen, expires time.Time) error
	SessionsOf(ctx context.Context, agentID string) ([]*chat.Session, error)
	DeleteSession(ctx context.Context, agentID, id string) error
	DeleteSessionsOf(ctx context.Context, agentID string) error
	CreatePasswordLink(ctx context.Context, l *chat.PasswordLink) error
	RedeemPasswordLink(ctx context.Context, hash, passwordHash string, now time.Time) (*chat.Agent, error)
	DeleteAgent(ctx context.Context, id string) error
	// DeleteExpiredSessions deletes up to limit sessions ended before now (the periodic sweep).
	DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error)
}

// Closer closes live connections: those of one session, or (sessionID "") every connection of
// the agent. The realtime hub implements it.
type Closer interface {
	CloseSessions(agentID, sessionID string)
}

// Defaults: a session idle for a day ends, and none lives longer than a week whatever its use;
// a link to set a password works once, for three days.
const (
	DefaultIdle = 24 * time.Hour
	DefaultMax  = 7 * 24 * time.Hour
	LinkTTL     = 72 * time.Hour
	// touchEvery bounds the writes a busy console causes: last-seen moves at most once a minute.
	touchEvery = time.Minute
	// maxSecret bounds what is hashed at all: Baton's secrets are 43 characters.
	maxSecret    = 128
	maxUserAgent = 300
)

// Options configure the Service.
type Options struct {
	Store  Store
	Closer Closer           // nil: nothing to close
	Now    func() time.Time // nil: time.Now
	Idle   time.Duration    // 0: DefaultIdle
	Max    time.Duration    // 0: DefaultMax
}

// Service runs sessions and password links.
type Service struct{ o Options }

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Idle == 0 {
		o.Idle = DefaultIdle
	}
	if o.Max == 0 {
		o.Max = DefaultMax
	}
	return &Service{o: o}
}

// SetCloser sets who closes live connections (the hub is built after the service in some wirings).
func (s *Service) SetCloser(c Closer) { s.o.Closer = c }

// newSecret returns a random secret (256 bits, URL-safe) and the hash that is stored.
func newSecret() (string, string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("random secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	return secret, hash(secret), nil
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Start signs a in: it stores a new session and returns the secret for the cookie.
func (s *Service) Start(ctx context.Context, a *chat.Agent, userAgent, ip string) (string, *chat.Session, error) {
	secret, h, err := newSecret()
	if err != nil {
		return "", nil, err
	}
	if len(userAgent) > maxUserAgent {
		userAgent = userAgent[:maxUserAgent]
	}
	userAgent = strings.ToValidUTF8(userAgent, "")
	now := s.o.Now()
	sess := &chat.Session{ID: chat.NewID("se"), AgentID: a.ID, SecretHash: h, TokenVersion: a.TokenVersion,
		UserAgent: userAgent, IP: ip, CreatedAt: now, LastSeenAt: now, ExpiresAt: s.expiry(now, now)}
	if err := s.o.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, fmt.Errorf("start session: %w", err)
	}
	return secret, sess, nil
}

// expiry is a session's end when used at now: idle time ahead, never past the hard maximum.
func (s *Service) expiry(created, now time.Time) time.Time {
	exp := now.Add(s.o.Idle)
	if hard := created.Add(s.o.Max); exp.After(hard) {
		exp = hard
	}
	return exp
}

// HardExpiry is when a session ends whatever its use (a live connection is closed then).
func (s *Service) HardExpiry(sess *chat.Session) time.Time { return sess.CreatedAt.Add(s.o.Max) }

// Check finds the live session of a cookie's secret and its agent, and records the use
// (pushing the expiry). Anything else is EUnauthorized saying why.
func (s *Service) Check(ctx context.Context, secret string) (*chat.Session, *chat.Agent, error) {
	if secret == "" || len(secret) > maxSecret {
		return nil, nil, chat.Errorf(chat.EUnauthorized, "the session is not valid: sign in again")
	}
	sess, err := s.o.Store.SessionByHash(ctx, hash(secret))
	if errors.Is(err, chat.ErrNotFound) {
		return nil, nil, chat.Errorf(chat.EUnauthorized, "the session has ended: sign in again")
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.o.Now()
	if !now.Before(sess.ExpiresAt) {
		_ = s.o.Store.DeleteSession(ctx, sess.AgentID, sess.ID)
		return nil, nil, chat.Errorf(chat.EUnauthorized, "the session has expired: sign in again")
	}
	a, err := s.o.Store.AgentByID(ctx, sess.AgentID)
	if errors.Is(err, chat.ErrNotFound) {
		return nil, nil, chat.Errorf(chat.EUnauthorized, "the session has ended: sign in again")
	}
	if err != nil {
		return nil, nil, err
	}
	if a.TokenVersion != sess.TokenVersion {
		_ = s.o.Store.DeleteSession(ctx, sess.AgentID, sess.ID)
		return nil, nil, chat.Errorf(chat.EUnauthorized, "the session was revoked (password changed): sign in again")
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		sess.LastSeenAt, sess.ExpiresAt = now, s.expiry(sess.CreatedAt, now)
		if err := s.o.Store.TouchSession(ctx, sess.ID, sess.LastSeenAt, sess.ExpiresAt); err != nil {
			return nil, nil, err
		}
	}
	return sess, a, nil
}

// List returns an agent's live sessions, newest first.
func (s *Service) List(ctx context.Context, agentID string) ([]*chat.Session, error) {
	all, err := s.o.Store.SessionsOf(ctx, agentID)
	if err != nil {
		return nil, err
	}
	now := s.o.Now()
	out := all[:0]
	for _, x := range all {
		if now.Before(x.ExpiresAt) {
			out = append(out, x)
		}
	}
	return out, nil
}

// End ends one of the agent's sessions and closes its live connections; another agent's
// session is not found.
func (s *Service) End(ctx context.Context, agentID, id string) error {
	if err := s.o.Store.DeleteSession(ctx, agentID, id); err != nil {
		return err
	}
	s.close(agentID, id)
	return nil
}

// EndAll ends every session of the agent and closes all their live connections (bearer-token
// ones too: call it when their tokens were revoked as well).
func (s *Service) EndAll(ctx context.Context, agentID string) error {
	if err := s.o.Store.DeleteSessionsOf(ctx, agentID); err != nil {
		return err
	}
	s.close(agentID, "")
	return nil
}

func (s *Service) close(agentID, sessionID string) {
	if s.o.Closer != nil {
		s.o.Closer.CloseSessions(agentID, sessionID)
	}
}

// IssueLink creates a one-time link token to set the agent's password (kind LinkInvite or
// LinkReset); the agent's earlier links stop working.
func (s *Service) IssueLink(ctx context.Context, agentID, kind string) (string, time.Time, error) {
	secret, h, err := newSecret()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.o.Now()
	l := &chat.PasswordLink{Hash: h, AgentID: agentID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(LinkTTL)}
	if err := s.o.Store.CreatePasswordLink(ctx, l); err != nil {
		return "", time.Time{}, fmt.Errorf("issue password link: %w", err)
	}
	return secret, l.ExpiresAt, nil
}

// Redeem uses a link: the password is set, and every earlier token, session and live
// connection of the agent ends. A used, replaced, expired or unknown link changes nothing.
func (s *Service) Redeem(ctx context.Context, token, password string) (*chat.Agent, error) {
	if token == "" || len(token) > maxSecret {
		return nil, chat.Errorf(chat.EInvalid, "token: this link is not valid: ask an admin for a new one")
	}
	pw, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	a, err := s.o.Store.RedeemPasswordLink(ctx, hash(token), pw, s.o.Now())
	if errors.Is(err, chat.ErrNotFound) {
		return nil, chat.Errorf(chat.EInvalid, "token: this link was used, replaced or has expired: ask an admin for a new one")
	}
	if err != nil {
		return nil, err
	}
	s.close(a.ID, "")
	return a, nil
}

// Remove deletes an agent (their sessions and links go with them, their open conversations
// back to Unassigned) and closes their live connections.
func (s *Service) Remove(ctx context.Context, agentID string) error {
	if err := s.o.Store.DeleteAgent(ctx, agentID); err != nil {
		return err
	}
	s.close(agentID, "")
	return nil
}
