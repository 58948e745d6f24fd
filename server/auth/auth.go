// Package auth issues and checks Baton's bearer tokens (visitors and agents) and hashes agent
// passwords. Tokens are HS256 JWTs signed with a server secret kept in the database, so every
// Baton process sharing the database (and the CLI's `agent token`) signs and accepts the same.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/batonchat/baton/server/chat"
)

// Token kinds.
const (
	KindVisitor = "visitor"
	KindAgent   = "agent"
)

const issuer = "baton"

// Claims are what a Baton token says about its bearer.
type Claims struct {
	Kind    string `json:"typ"`
	Site    string `json:"site,omitempty"` // visitors: the site id
	Version int64  `json:"ver,omitempty"`  // agents: must match the agent's token version
	jwt.RegisteredClaims
}

// Subject is the visitor or agent id.
func (c *Claims) Subject() string { return c.RegisteredClaims.Subject }

// Signer signs and verifies tokens with one secret.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSecret returns a fresh random signing secret, hex-encoded so any database stores it as text.
func NewSecret() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random secret: %w", err)
	}
	return []byte(hex.EncodeToString(b)), nil
}

// NewSigner returns a Signer for key; now is injectable for tests (nil means time.Now).
func NewSigner(key []byte, now func() time.Time) *Signer {
	if now == nil {
		now = time.Now
	}
	return &Signer{key: key, now: now}
}

// VisitorToken issues a visitor token for a site.
func (s *Signer) VisitorToken(visitorID, siteID string, ttl time.Duration) (string, time.Time, error) {
	return s.sign(Claims{Kind: KindVisitor, Site: siteID}, visitorID, ttl)
}

// AgentToken issues an agent token; bumping the agent's token version revokes it.
func (s *Signer) AgentToken(a *chat.Agent, ttl time.Duration) (string, time.Time, error) {
	return s.sign(Claims{Kind: KindAgent, Version: a.TokenVersion}, a.ID, ttl)
}

func (s *Signer) sign(c Claims, subject string, ttl time.Duration) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(ttl)
	c.RegisteredClaims = jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   subject,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return tok, exp, nil
}

// maxTokenLen bounds what is parsed at all: Baton's own tokens are a few hundred bytes.
const maxTokenLen = 4096

// Parse verifies a token: HS256 only, our issuer, not expired. Any failure is EUnauthorized
// with a message that says which, never the internals.
func (s *Signer) Parse(token string) (*Claims, error) {
	if token == "" {
		return nil, chat.Errorf(chat.EUnauthorized, "a token is required")
	}
	if len(token) > maxTokenLen {
		return nil, chat.Errorf(chat.EUnauthorized, "token is too long")
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		msg := "token is invalid"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "token has expired"
		}
		return nil, &chat.Error{Code: chat.EUnauthorized, Message: msg, Err: err}
	}
	if c.Kind != KindVisitor && c.Kind != KindAgent {
		return nil, chat.Errorf(chat.EUnauthorized, "token is invalid")
	}
	return &c, nil
}

// HashPassword hashes an agent's password for storage.
func HashPassword(pw string) (string, error) {
	if len(pw) < 8 {
		return "", chat.Errorf(chat.EInvalid, "password: must be at least 8 characters")
	}
	if len(pw) > 72 {
		return "", chat.Errorf(chat.EInvalid, "password: must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether pw matches the stored hash.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// RandomPassword returns a password for agents created without one.
func RandomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// ParseIgnoringExpiry verifies a token's signature and issuer but accepts it after expiry:
// used only to keep a returning visitor's id when they refresh their session.
func (s *Signer) ParseIgnoringExpiry(token string) (*Claims, error) {
	if len(token) > maxTokenLen {
		return nil, chat.Errorf(chat.EUnauthorized, "token is too long")
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithoutClaimsValidation(),
	)
	if err == nil && c.Issuer != issuer {
		err = errors.New("wrong issuer")
	}
	if err != nil {
		return nil, &chat.Error{Code: chat.EUnauthorized, Message: "token is invalid", Err: err}
	}
	return &c, nil
}
