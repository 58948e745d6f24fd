package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
)

var (
	shop  = &chat.Site{ID: "st_shop", Key: "shop", IdentitySecret: "shop-identity-secret-0123456789abcdef"}
	other = &chat.Site{ID: "st_other", Key: "other", IdentitySecret: "other-identity-secret-0123456789abcdef"}
	now   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func at(t time.Time) *jwt.NumericDate { return jwt.NewNumericDate(t) }

// claims are what a well-behaved site backend signs: good for ten minutes.
func claims() jwt.MapClaims {
	return jwt.MapClaims{"sub": "user-42", "email": "jane@example.com", "name": "Jane Doe", "aud": "shop",
		"iat": at(now), "exp": at(now.Add(10 * time.Minute))}
}

func with(edit func(jwt.MapClaims)) jwt.MapClaims {
	c := claims()
	edit(c)
	return c
}

func hs(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// unsigned builds an alg "none" token by hand: the library refuses to sign one for us.
func unsigned(header string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(`{"sub":"user-42","aud":"shop","exp":`+
		itoa(now.Add(time.Minute).Unix())+`}`)) + "."
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestVerifyIdentityAcceptsWhatASiteBackendSigns(t *testing.T) {
	key := []byte(shop.IdentitySecret)
	tests := []struct {
		name   string
		claims jwt.MapClaims
		want   auth.Identity
	}{
		{"every claim", claims(), auth.Identity{Subject: "user-42", Email: "jane@example.com", Name: "Jane Doe", ExpiresAt: now.Add(10 * time.Minute)}},
		{"only sub, aud and exp", jwt.MapClaims{"sub": "42", "aud": "shop", "exp": at(now.Add(time.Hour))},
			auth.Identity{Subject: "42", ExpiresAt: now.Add(time.Hour)}},
		{"aud as a one-element list", with(func(c jwt.MapClaims) { c["aud"] = []string{"shop"} }),
			auth.Identity{Subject: "user-42", Email: "jane@example.com", Name: "Jane Doe", ExpiresAt: now.Add(10 * time.Minute)}},
		{"nbf passed, iss and jti ignored", with(func(c jwt.MapClaims) { c["nbf"] = at(now.Add(-time.Minute)); c["iss"] = "shop-backend"; c["jti"] = "x" }),
			auth.Identity{Subject: "user-42", Email: "jane@example.com", Name: "Jane Doe", ExpiresAt: now.Add(10 * time.Minute)}},
		{"the full lifetime", with(func(c jwt.MapClaims) { c["exp"] = at(now.Add(auth.MaxIdentityLifetime)) }),
			auth.Identity{Subject: "user-42", Email: "jane@example.com", Name: "Jane Doe", ExpiresAt: now.Add(auth.MaxIdentityLifetime)}},
		{"expired within the clock-skew leeway", with(func(c jwt.MapClaims) { c["iat"] = at(now.Add(-time.Hour)); c["exp"] = at(now.Add(-30 * time.Second)) }),
			auth.Identity{Subject: "user-42", Email: "jane@example.com", Name: "Jane Doe", ExpiresAt: now.Add(-30 * time.Second)}},
		{"issued a little ahead of our clock", with(func(c jwt.MapClaims) { c["iat"] = at(now.Add(30 * time.Second)) }),
			auth.Identity{Subject: "user-42", Email: "jane@example.com", Name: "Jane Doe", ExpiresAt: now.Add(10 * time.Minute)}},
		{"unicode name", with(func(c jwt.MapClaims) { c["name"] = "  Zoë Ångström  " }),
			auth.Identity{Subject: "user-42", Email: "jane@example.com", Name: "Zoë Ångström", ExpiresAt: now.Add(10 * time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.VerifyIdentity(hs(t, jwt.SigningMethodHS256, key, tt.claims), shop, now)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if *got != tt.want {
				t.Fatalf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestVerifyIdentityRefusesAndSaysWhy(t *testing.T) {
	key := []byte(shop.IdentitySecret)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	kid := jwt.NewWithClaims(jwt.SigningMethodHS256, claims())
	kid.Header["kid"] = "attacker-key"
	kidToken, err := kid.SignedString([]byte("attacker-key"))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", auth.MaxIdentityTokenLen)

	tests := []struct {
		name  string
		token string
		site  *chat.Site
		want  string
	}{
		{"empty", "", shop, "is empty"},
		{"oversized", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["pad"] = long })), shop, "longer than 4096 bytes"},
		{"not a JWT", "hello.world", shop, "not a well-formed JWT"},
		{"alg none", unsigned(`{"alg":"none","typ":"JWT"}`), shop, "must be signed with HS256, not none"},
		{"alg NONE", unsigned(`{"alg":"NONE","typ":"JWT"}`), shop, "must be signed with HS256, not NONE"},
		{"HS512 with the right secret", hs(t, jwt.SigningMethodHS512, key, claims()), shop, "HS256, not HS512"},
		{"HS384 with the right secret", hs(t, jwt.SigningMethodHS384, key, claims()), shop, "HS256, not HS384"},
		{"RS256", hs(t, jwt.SigningMethodRS256, rsaKey, claims()), shop, "HS256, not RS256"},
		{"HS256 with the RSA public key as secret", hs(t, jwt.SigningMethodHS256, publicPEM, claims()), shop, "signature does not match"},
		{"wrong key", hs(t, jwt.SigningMethodHS256, []byte("guessed"), claims()), shop, "signature does not match"},
		{"a kid naming another key", kidToken, shop, "signature does not match"},
		{"tampered claims", retarget(hs(t, jwt.SigningMethodHS256, key, claims())), shop, "signature does not match"},
		{"another site's secret and aud", hs(t, jwt.SigningMethodHS256, []byte(other.IdentitySecret), with(func(c jwt.MapClaims) { c["aud"] = "other" })), shop, "signature does not match"},
		{"another site's aud", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["aud"] = "other" })), shop, `aud must be the site key "shop"`},
		{"our token at another site", hs(t, jwt.SigningMethodHS256, key, claims()), other, "signature does not match"},
		{"aud listing two sites", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["aud"] = []string{"shop", "other"} })), shop, `site key "shop" alone`},
		{"no aud", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { delete(c, "aud") })), shop, "aud is required"},
		{"no exp", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { delete(c, "exp") })), shop, "exp (expiry time) is required"},
		{"exp as text", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["exp"] = "tomorrow" })), shop, "not a well-formed JWT"},
		{"expired", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["iat"] = at(now.Add(-time.Hour)); c["exp"] = at(now.Add(-2 * time.Minute)) })), shop, "expired at 2026-03-01T11:58:00Z"},
		{"exp too far ahead", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { delete(c, "iat"); c["exp"] = at(now.Add(25 * time.Hour)) })), shop, "more than 24 hours ahead"},
		{"a year-long token", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["exp"] = at(now.Add(365 * 24 * time.Hour)) })), shop, "more than 24 hours ahead"},
		{"lifetime over the limit", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["iat"] = at(now.Add(-2 * time.Hour)); c["exp"] = at(now.Add(23 * time.Hour)) })), shop, "lives longer than 24 hours"},
		{"nbf in the future", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["nbf"] = at(now.Add(5 * time.Minute)) })), shop, "not valid before 2026-03-01T12:05:00Z"},
		{"iat in the future", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["iat"] = at(now.Add(5 * time.Minute)) })), shop, "issued in the future"},
		{"no sub", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { delete(c, "sub") })), shop, "sub (the site's user id) is required"},
		{"blank sub", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["sub"] = "  " })), shop, "sub (the site's user id) is required"},
		{"numeric sub", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["sub"] = 42 })), shop, "not a well-formed JWT"},
		{"sub too long", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["sub"] = strings.Repeat("u", 256) })), shop, "sub is longer than 255"},
		{"name too long", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["name"] = strings.Repeat("n", 201) })), shop, "name is longer than 200"},
		{"name with a line break", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["name"] = "Jane\r\nBcc: x@evil.example" })), shop, "name contains control characters"},
		{"email not an address", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["email"] = "jane@" })), shop, "email is not a plain email address"},
		{"email with a display name", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["email"] = "Jane <jane@example.com>" })), shop, "email is not a plain email address"},
		{"email with a header", hs(t, jwt.SigningMethodHS256, key, with(func(c jwt.MapClaims) { c["email"] = "jane@example.com\r\nBcc: x@evil.example" })), shop, "email is not a plain email address"},
		{"site without a secret", hs(t, jwt.SigningMethodHS256, []byte(""), claims()), &chat.Site{Key: "shop"}, "no identity secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.VerifyIdentity(tt.token, tt.site, now)
			if err == nil {
				t.Fatalf("accepted as %+v", got)
			}
			if chat.ErrorCode(err) != chat.EUnauthorized {
				t.Fatalf("code %s, want unauthorized (%v)", chat.ErrorCode(err), err)
			}
			msg := chat.ErrorMessage(err)
			if !strings.HasPrefix(msg, "identity_token: ") || !strings.Contains(msg, tt.want) {
				t.Fatalf("message %q, want it to say %q", msg, tt.want)
			}
			if parts := strings.Split(tt.token, "."); len(tt.token) > 0 && strings.Contains(err.Error(), parts[len(parts)-1]) && parts[len(parts)-1] != "" {
				t.Fatalf("the error repeats the token: %v", err)
			}
		})
	}
}

// retarget swaps the claims of a genuine token for another user's, keeping its signature.
func retarget(tok string) string {
	parts := strings.Split(tok, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","aud":"shop","exp":` + itoa(now.Add(time.Minute).Unix()) + `}`))
	return strings.Join(parts, ".")
}

// A site's backend signs the token as docs/api.md shows; Baton verifies it against the site.
func ExampleVerifyIdentity() {
	site := &chat.Site{Key: "shop", IdentitySecret: "the site's identity secret"}
	userID, email, name := "user-42", "jane@example.com", "Jane Doe"

	now := time.Now()
	identityToken, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub":   userID,
		"aud":   "shop",
		"email": email,
		"name":  name,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
	}).SignedString([]byte(site.IdentitySecret))
	if err != nil {
		fmt.Println(err)
		return
	}

	id, err := auth.VerifyIdentity(identityToken, site, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Subject, id.Email, id.Name)
	// Output: user-42 jane@example.com Jane Doe
}
