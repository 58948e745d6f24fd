package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
)

// nodeToken is one token for testdata/sign-identity.mjs to sign with Node's jsonwebtoken.
type nodeToken struct {
	Name    string         `json:"name"`
	Payload map[string]any `json:"payload"`
	Key     string         `json:"key"`
	Options map[string]any `json:"options,omitempty"`
}

// signWithNode signs tokens with an implementation independent of Baton's. Node and the
// repository's npm packages are part of the build (the widget needs them), so a missing one
// fails the test rather than skipping it.
func signWithNode(t *testing.T, keys map[string]string, tokens []nodeToken) map[string]string {
	t.Helper()
	in, err := json.Marshal(map[string]any{"keys": keys, "tokens": tokens})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "testdata/sign-identity.mjs")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node testdata/sign-identity.mjs: %v\n%s\n(needs Node ≥ 20 and `npm ci` at the repository root)", err, stderr.String())
	}
	signed := map[string]string{}
	if err := json.Unmarshal(out, &signed); err != nil || len(signed) != len(tokens) {
		t.Fatalf("node signed %d of %d tokens: %v %s", len(signed), len(tokens), err, out)
	}
	return signed
}

// session is the answer of POST /v1/visitors.
type session struct {
	VisitorID string `json:"visitor_id"`
	Token     string `json:"visitor_token"`
	Verified  bool   `json:"verified"`
	Error     struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// session starts a visitor session with an identity token and/or an old visitor token.
func (e *env) session(siteKey, identityToken, visitorToken string) (int, session) {
	e.t.Helper()
	body := map[string]string{"site": siteKey}
	if identityToken != "" {
		body["identity_token"] = identityToken
	}
	if visitorToken != "" {
		body["visitor_token"] = visitorToken
	}
	var s session
	code := e.do("POST", "/v1/visitors", "", body, &s)
	return code, s
}

// identified starts a verified session and fails the test unless it is one.
func (e *env) identified(siteKey, identityToken, visitorToken string) session {
	e.t.Helper()
	code, s := e.session(siteKey, identityToken, visitorToken)
	if code != 201 || !s.Verified || s.VisitorID == "" {
		e.t.Fatalf("identify: %d %+v", code, s)
	}
	return s
}

func (e *env) secret(siteKey string) string {
	e.t.Helper()
	s, err := e.db.SiteByKey(context.Background(), siteKey)
	if err != nil {
		e.t.Fatal(err)
	}
	return s.IdentitySecret
}

func (e *env) visitorProfile(agentToken, id string) map[string]any {
	e.t.Helper()
	var v struct {
		Visitor map[string]any `json:"visitor"`
	}
	if code := e.do("GET", "/v1/visitors/"+id, agentToken, nil, &v); code != 200 {
		e.t.Fatalf("visitor %s: %d %v", id, code, v)
	}
	return v.Visitor
}

func TestIdentityTokensFromAnIndependentJWTLibrary(t *testing.T) {
	e := start(t)
	e.siteWith("other", "https://other.example")
	now := time.Now().Unix()
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"sub": "user-42", "email": "jane@example.com", "name": "Jane Doe", "aud": "demo", "exp": now + 600}
		if edit != nil {
			edit(c)
		}
		return c
	}
	hs256 := map[string]any{"algorithm": "HS256"}
	tests := []struct {
		nodeToken
		want string // "" accepted; otherwise what the refusal says
	}{
		{nodeToken{"jsonwebtoken's own expiresIn, audience and subject", map[string]any{"email": "jane@example.com"}, "demo",
			map[string]any{"expiresIn": "15m", "audience": "demo", "subject": "user-42"}}, ""},
		{nodeToken{"every claim by hand", claims(func(c map[string]any) { c["iat"] = now; c["nbf"] = now - 5 }), "demo", hs256}, ""},
		{nodeToken{"aud as a list", claims(func(c map[string]any) { c["aud"] = []string{"demo"} }), "demo", hs256}, ""},
		{nodeToken{"alg none", claims(nil), "none", nil}, "must be signed with HS256, not none"},
		{nodeToken{"HS512 with the site's secret", claims(nil), "demo", map[string]any{"algorithm": "HS512"}}, "HS256, not HS512"},
		{nodeToken{"RS256", claims(nil), "rsa-private", map[string]any{"algorithm": "RS256"}}, "HS256, not RS256"},
		{nodeToken{"HS256 with an RSA public key as secret", claims(nil), "rsa-public", hs256}, "signature does not match"},
		{nodeToken{"the RS256 confusion forged by hand", claims(nil), "forge-rsa-public", nil}, "signature does not match"},
		{nodeToken{"wrong key", claims(nil), "guess", hs256}, "signature does not match"},
		{nodeToken{"another site's token", claims(func(c map[string]any) { c["aud"] = "other" }), "other", hs256}, "signature does not match"},
		{nodeToken{"another site's secret", claims(nil), "other", hs256}, "signature does not match"},
		{nodeToken{"another site's audience", claims(func(c map[string]any) { c["aud"] = "other" }), "demo", hs256}, `aud must be the site key "demo"`},
		{nodeToken{"no audience", claims(func(c map[string]any) { delete(c, "aud") }), "demo", hs256}, "aud is required"},
		{nodeToken{"no exp", claims(func(c map[string]any) { delete(c, "exp") }), "demo", map[string]any{"algorithm": "HS256", "noTimestamp": true}}, "exp (expiry time) is required"},
		{nodeToken{"expired", claims(func(c map[string]any) { c["iat"] = now - 7200; c["exp"] = now - 3600 }), "demo", hs256}, "expired at"},
		{nodeToken{"exp two days ahead", map[string]any{"sub": "user-42"}, "demo", map[string]any{"expiresIn": "2d", "audience": "demo"}}, "more than 24 hours ahead"},
		{nodeToken{"issued two hours ago for 25 hours", claims(func(c map[string]any) { c["iat"] = now - 7200; c["exp"] = now + 23*3600 }), "demo", hs256}, "lives longer than 24 hours"},
		{nodeToken{"exp a year ahead without iat", claims(func(c map[string]any) { c["exp"] = now + 365*86400 }), "demo", map[string]any{"algorithm": "HS256", "noTimestamp": true}}, "more than 24 hours ahead"},
		{nodeToken{"nbf in the future", map[string]any{"sub": "user-42"}, "demo", map[string]any{"expiresIn": "1h", "notBefore": "5m", "audience": "demo"}}, "not valid before"},
		{nodeToken{"iat in the future", claims(func(c map[string]any) { c["iat"] = now + 600 }), "demo", hs256}, "issued in the future"},
		{nodeToken{"no sub", claims(func(c map[string]any) { delete(c, "sub") }), "demo", hs256}, "sub (the site's user id) is required"},
		{nodeToken{"an invalid email", claims(func(c map[string]any) { c["email"] = "jane@" }), "demo", hs256}, "email is not a plain email address"},
		{nodeToken{"oversized", claims(func(c map[string]any) { c["pad"] = strings.Repeat("x", 4096) }), "demo", hs256}, "longer than 4096 bytes"},
	}
	var tokens []nodeToken
	for _, tt := range tests {
		if _, ok := tt.Payload["sub"]; ok && tt.want != "" {
			tt.Payload["sub"] = "mallory" // refused: must never become a visitor
		}
		tokens = append(tokens, tt.nodeToken)
	}
	signed := signWithNode(t, map[string]string{"demo": e.secret("demo"), "other": e.secret("other"), "guess": "not-the-secret"}, tokens)
	_, admin := e.agent("Root", chat.RoleAdmin)

	var user string
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			code, s := e.session("demo", signed[tt.Name], "")
			if tt.want == "" {
				if code != 201 || !s.Verified {
					t.Fatalf("refused: %d %+v", code, s)
				}
				if user == "" {
					user = s.VisitorID
				}
				if s.VisitorID != user {
					t.Fatalf("user-42 is %s now, %s before", s.VisitorID, user)
				}
				if v := e.visitorProfile(admin, s.VisitorID); v["external_id"] != "user-42" || v["email"] != "jane@example.com" || v["email_verified"] != true {
					t.Fatalf("profile: %v", v)
				}
				return
			}
			if code != 401 || s.Error.Code != "unauthorized" || s.VisitorID != "" || s.Token != "" {
				t.Fatalf("got %d %+v, want 401", code, s)
			}
			if !strings.Contains(s.Error.Message, tt.want) || !strings.Contains(s.Error.Message, "stays anonymous") {
				t.Fatalf("message %q, want it to say %q and that the visitor stays anonymous", s.Error.Message, tt.want)
			}
			if sig := signed[tt.Name][strings.LastIndex(signed[tt.Name], ".")+1:]; sig != "" && strings.Contains(s.Error.Message, sig) {
				t.Fatalf("the error repeats the token: %q", s.Error.Message)
			}
			// The widget then goes on without the identity: an anonymous visitor, as before.
			code, anon := e.session("demo", "", "")
			if code != 201 || anon.Verified || anon.VisitorID == user {
				t.Fatalf("anonymous after a refusal: %d %+v", code, anon)
			}
		})
	}
	if _, err := e.db.VisitorByExternalID(context.Background(), e.siteID("demo"), "mallory"); !errors.Is(err, chat.ErrNotFound) {
		t.Fatalf("a refused token made a visitor: %v", err)
	}
}

func (e *env) siteID(key string) string {
	e.t.Helper()
	s, err := e.db.SiteByKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	return s.ID
}

func TestAVerifiedVisitorIsTheSamePersonOnEveryDevice(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.siteWith("other", "https://other.example")
		now := time.Now().Unix()
		signed := signWithNode(t, map[string]string{"demo": e.secret("demo"), "other": e.secret("other")}, []nodeToken{
			{"laptop", map[string]any{"sub": "user-42", "email": "jane@example.com", "name": "Jane", "aud": "demo", "iat": now, "exp": now + 600}, "demo", nil},
			{"phone", map[string]any{"sub": "user-42", "email": "jane.doe@example.com", "name": "Jane Doe", "aud": "demo", "iat": now, "exp": now + 600}, "demo", nil},
			{"no profile", map[string]any{"sub": "user-42", "aud": "demo", "exp": now + 600}, "demo", nil},
			{"someone else", map[string]any{"sub": "user-7", "aud": "demo", "exp": now + 600}, "demo", nil},
			{"other site", map[string]any{"sub": "user-42", "aud": "other", "exp": now + 600}, "other", nil},
		})
		_, admin := e.agent("Root", chat.RoleAdmin)
		laptop := e.identified("demo", signed["laptop"], "")
		convID := e.mustDial(laptop.Token).ok(map[string]any{"type": "send", "client_id": "m1", "text": "Where is order 1042?"}).obj("message").str("conversation_id")

		phone := e.identified("demo", signed["phone"], "")
		if phone.VisitorID != laptop.VisitorID {
			t.Fatalf("the phone is visitor %s, the laptop %s", phone.VisitorID, laptop.VisitorID)
		}
		got := e.mustDial(phone.Token).ok(map[string]any{"type": "sync", "since": 0})
		if got.obj("conversation").str("id") != convID || len(got.list("messages")) != 1 {
			t.Fatalf("the phone does not continue the laptop's conversation: %v", got)
		}
		// The newest token is the profile: the site's backend is the source of truth.
		if v := e.visitorProfile(admin, laptop.VisitorID); v["email"] != "jane.doe@example.com" || v["name"] != "Jane Doe" || v["email_verified"] != true {
			t.Fatalf("profile after the phone: %v", v)
		}
		// A token without email or name leaves them as they are.
		if again := e.identified("demo", signed["no profile"], ""); again.VisitorID != laptop.VisitorID {
			t.Fatalf("same user, another id: %s", again.VisitorID)
		}
		if v := e.visitorProfile(admin, laptop.VisitorID); v["email"] != "jane.doe@example.com" || v["name"] != "Jane Doe" {
			t.Fatalf("profile after a bare token: %v", v)
		}
		for _, name := range []string{"someone else", "other site"} {
			site := "demo"
			if name == "other site" {
				site = "other"
			}
			if s := e.identified(site, signed[name], ""); s.VisitorID == laptop.VisitorID {
				t.Fatalf("%s: got user-42's visitor", name)
			}
		}
	})
}

func TestAnAnonymousConversationIsNotMergedIntoTheVerifiedVisitor(t *testing.T) {
	e := start(t)
	now := time.Now().Unix()
	signed := signWithNode(t, map[string]string{"demo": e.secret("demo"), "guess": "not-the-secret"}, []nodeToken{
		{"jane", map[string]any{"sub": "user-42", "email": "jane@example.com", "aud": "demo", "iat": now, "exp": now + 600}, "demo", nil},
		{"forged", map[string]any{"sub": "user-42", "aud": "demo", "exp": now + 600}, "guess", nil},
	})
	anonToken := e.visitorToken("demo")
	anon := e.mustDial(anonToken)
	anonConv := anon.ok(map[string]any{"type": "send", "client_id": "a1", "text": "Just browsing"}).obj("message").str("conversation_id")
	code, anonSession := e.session("demo", "", anonToken)
	if code != 201 || anonSession.Verified {
		t.Fatalf("anonymous refresh: %d %+v", code, anonSession)
	}

	// Signing in on this browser: the widget sends its anonymous token along with the identity.
	jane := e.identified("demo", signed["jane"], anonToken)
	if jane.VisitorID == anonSession.VisitorID {
		t.Fatal("the verified visitor took the anonymous visitor's id")
	}
	if got := e.mustDial(jane.Token).ok(map[string]any{"type": "sync", "since": 0}); got.obj("conversation") != nil {
		t.Fatalf("the anonymous conversation was merged into the verified visitor: %v", got)
	}
	if got := anon.ok(map[string]any{"type": "sync", "since": 0}); got.obj("conversation").str("id") != anonConv {
		t.Fatalf("the anonymous visitor lost their conversation: %v", got)
	}

	// The verified session is renewed only with an identity: without one (the user signed out,
	// or the identity was refused) the browser is anonymous again, and not the old anonymous visitor either.
	code, after := e.session("demo", "", jane.Token)
	if code != 201 || after.Verified || after.VisitorID == jane.VisitorID || after.VisitorID == anonSession.VisitorID {
		t.Fatalf("renewing a verified session without an identity: %d %+v (jane %s)", code, after, jane.VisitorID)
	}
	if again := e.identified("demo", signed["jane"], jane.Token); again.VisitorID != jane.VisitorID {
		t.Fatalf("renewing with the identity: %s, want %s", again.VisitorID, jane.VisitorID)
	}
	if code, s := e.session("demo", signed["forged"], jane.Token); code != 401 || s.VisitorID != "" {
		t.Fatalf("a forged identity with a verified visitor token: %d %+v", code, s)
	}
}

func TestAnEmailTypedByAnAnonymousVisitorNeverReachesAVerifiedProfile(t *testing.T) {
	e := start(t)
	now := time.Now().Unix()
	signed := signWithNode(t, map[string]string{"demo": e.secret("demo")}, []nodeToken{
		{"jane", map[string]any{"sub": "user-42", "email": "jane@example.com", "name": "Jane", "aud": "demo", "iat": now, "exp": now + 600}, "demo", nil},
	})
	_, tok := e.agent("Alice", chat.RoleAgent, "demo")
	jane := e.identified("demo", signed["jane"], "")
	janeWS := e.mustDial(jane.Token)
	janeConv := janeWS.ok(map[string]any{"type": "send", "client_id": "j1", "text": "Ship order 1042 to 1 Private Lane"}).obj("message").str("conversation_id")

	// Someone else types Jane's email: as an attribute, and in the email form an agent sends.
	mallory := e.visitorToken("demo")
	m := e.mustDial(mallory)
	mConv := m.ok(map[string]any{"type": "send", "client_id": "m1", "text": "What did I order?"}).obj("message").str("conversation_id")
	m.ok(map[string]any{"type": "set_attributes", "attributes": map[string]string{"email": "jane@example.com", "name": "Jane"}})
	ask := map[string]any{"client_id": "f1", "text": "Your email?", "form": map[string]any{"id": "email", "fields": []map[string]string{{"name": "email", "type": "email"}}}}
	var sent struct {
		Message map[string]any `json:"message"`
	}
	if code := e.do("POST", "/v1/conversations/"+mConv+"/messages", tok, ask, &sent); code != 201 {
		t.Fatalf("send form: %d", code)
	}
	m.ok(map[string]any{"type": "submit_form", "message_id": sent.Message["id"], "form_id": "email", "values": map[string]string{"email": "jane@example.com"}})

	_, again := e.session("demo", "", mallory)
	if again.Verified || again.VisitorID == jane.VisitorID {
		t.Fatalf("the anonymous visitor became Jane: %+v", again)
	}
	got := m.ok(map[string]any{"type": "sync", "since": 0})
	if got.obj("conversation").str("id") != mConv {
		t.Fatalf("the anonymous visitor's conversation: %v", got)
	}
	for _, msg := range got.list("messages") {
		if strings.Contains(msg.str("text"), "1042") {
			t.Fatalf("the anonymous visitor sees Jane's history: %v", msg)
		}
	}
	if code := m.errCode(map[string]any{"type": "sync", "since": 0, "conversation_id": janeConv}); code != "not_found" {
		t.Fatalf("the anonymous visitor reading Jane's conversation: %q", code)
	}
	anonProfile := e.visitorProfile(tok, again.VisitorID)
	if anonProfile["email"] != "jane@example.com" || anonProfile["email_verified"] != false || anonProfile["external_id"] != nil {
		t.Fatalf("the anonymous profile: %v", anonProfile)
	}
	// Jane's own attempt to change her verified email is ignored too: the site vouches for it.
	janeWS.ok(map[string]any{"type": "set_attributes", "attributes": map[string]string{"email": "someone@else.example"}})
	if v := e.visitorProfile(tok, jane.VisitorID); v["email"] != "jane@example.com" || v["email_verified"] != true || v["external_id"] != "user-42" {
		t.Fatalf("Jane's profile: %v", v)
	}
}
