package auth

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/batonchat/baton/server/chat"
)

// Limits of identity tokens. A site's backend signs one for a signed-in user and hands it to the
// widget; it only has to live until the widget exchanges it for a visitor session, so a short
// lifetime costs nothing and bounds what a leaked page (a cache, a screenshot, a log) gives away.
const (
	// MaxIdentityLifetime bounds exp: at most this far after now and, when iat is given, after iat.
	MaxIdentityLifetime = 24 * time.Hour
	// IdentityLeeway absorbs clock skew between the site's backend and Baton, for exp, nbf and iat.
	IdentityLeeway = 60 * time.Second
	// MaxIdentityTokenLen bounds what is parsed at all; a real identity token is a few hundred bytes.
	MaxIdentityTokenLen = 4096
	// MaxSubjectLen and MaxNameLen are in characters; an email is at most 254 bytes (RFC 5321).
	MaxSubjectLen = 255
	MaxNameLen    = 200
	maxEmailLen   = 254
)

// Identity is a site's user, as the site's backend vouched for them in an identity token.
type Identity struct {
	Subject   string // the site's own user id (sub)
	Email     string // "" when the token has none
	Name      string // "" when the token has none
	ExpiresAt time.Time
}

type identityClaims struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	jwt.RegisteredClaims
}

// VerifyIdentity checks an identity token signed by a site's backend: HS256 only, signed with
// the site's identity secret (the key is never chosen by the token: no kid, no jku), exp
// required and at most MaxIdentityLifetime ahead, nbf and iat honoured, aud exactly the site key,
// sub required. Every refusal is EUnauthorized with a message naming what was wrong; the message
// never repeats the token.
func VerifyIdentity(token string, site *chat.Site, now time.Time) (*Identity, error) {
	switch {
	case token == "":
		return nil, refuse("is empty", nil)
	case len(token) > MaxIdentityTokenLen:
		return nil, refuse(fmt.Sprintf("is longer than %d bytes", MaxIdentityTokenLen), nil)
	case site == nil || site.IdentitySecret == "":
		return nil, refuse("this site has no identity secret", nil)
	}
	key := []byte(site.IdentitySecret)
	var c identityClaims
	tok, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithAudience(site.Key),
		jwt.WithLeeway(IdentityLeeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return nil, refuse(reason(err, tok, &c, site.Key), err)
	}
	// The library accepts an audience list containing the key; a token for this site names only it.
	if len(c.Audience) != 1 {
		return nil, refuse(fmt.Sprintf("aud must be the site key %q alone", site.Key), nil)
	}
	exp := c.ExpiresAt.Time
	if exp.After(now.Add(MaxIdentityLifetime + IdentityLeeway)) {
		return nil, refuse(fmt.Sprintf("exp is more than %s ahead: sign short-lived tokens", lifetime()), nil)
	}
	if c.IssuedAt != nil && exp.Sub(c.IssuedAt.Time) > MaxIdentityLifetime {
		return nil, refuse(fmt.Sprintf("lives longer than %s (exp - iat): sign short-lived tokens", lifetime()), nil)
	}
	if err := checkText("sub", c.Subject, MaxSubjectLen); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Subject) == "" {
		return nil, refuse("sub (the site's user id) is required", nil)
	}
	if err := checkText("name", c.Name, MaxNameLen); err != nil {
		return nil, err
	}
	if c.Email != "" && !validEmail(c.Email) {
		return nil, refuse("email is not a plain email address (like jane@example.com)", nil)
	}
	return &Identity{Subject: c.Subject, Email: c.Email, Name: strings.TrimSpace(c.Name), ExpiresAt: exp.UTC()}, nil
}

func refuse(msg string, cause error) *chat.Error {
	return &chat.Error{Code: chat.EUnauthorized, Message: "identity_token: " + msg, Err: cause}
}

func lifetime() string { return fmt.Sprintf("%g hours", MaxIdentityLifetime.Hours()) }

// reason turns the library's error into one sentence for the site's developer. The checks that
// come first in the library (format, algorithm, signature) win; among the claims, the first
// problem in the order below is named.
func reason(err error, tok *jwt.Token, c *identityClaims, siteKey string) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "is not a well-formed JWT (three base64url parts; sub, email and name strings; exp, iat and nbf numbers)"
	case tok != nil && tok.Method != nil && tok.Method.Alg() != jwt.SigningMethodHS256.Alg(),
		errors.Is(err, jwt.ErrTokenUnverifiable):
		return "must be signed with HS256, not " + algName(tok)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "signature does not match this site's identity secret"
	case c.ExpiresAt == nil:
		return "exp (expiry time) is required"
	case errors.Is(err, jwt.ErrTokenExpired):
		return fmt.Sprintf("expired at %s: sign a fresh one", c.ExpiresAt.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return fmt.Sprintf("is not valid before %s (nbf)", c.NotBefore.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fmt.Sprintf("is issued in the future (iat %s): check the signing server's clock", c.IssuedAt.UTC().Format(time.RFC3339))
	case len(c.Audience) == 0:
		return fmt.Sprintf("aud is required and must be the site key %q", siteKey)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return fmt.Sprintf("aud must be the site key %q: this token is for another site", siteKey)
	}
	return "is invalid"
}

// algName names the token's algorithm when it is a plain name: the header is the caller's
// input and only a short, tame value is worth repeating.
func algName(tok *jwt.Token) string {
	if tok != nil {
		if a, ok := tok.Header["alg"].(string); ok && len(a) <= 16 && a != "" &&
			strings.IndexFunc(a, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) < 0 {
			return a
		}
	}
	return "an unsupported algorithm"
}

func checkText(claim, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return refuse(fmt.Sprintf("%s is longer than %d characters", claim, max), nil)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return refuse(claim+" contains control characters", nil)
	}
	return nil
}

// validEmail accepts a bare address (no display name, no comments) of a domain with a dot.
func validEmail(e string) bool {
	if len(e) > maxEmailLen {
		return false
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e {
		return false
	}
	_, domain, _ := strings.Cut(e, "@")
	return strings.Contains(strings.Trim(domain, "."), ".")
}
