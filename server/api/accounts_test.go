package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk/helpdesktest"
)

// cookieJSON sends a JSON request signed in by the session cookie from Baton's own origin.
func (e *env) cookieJSON(ck *http.Cookie, method, path string, body, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ck != nil {
		req.AddCookie(ck)
	}
	req.Header.Set("Origin", e.url)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// sessionOf signs email in with password and returns the session cookie.
func (e *env) sessionOf(email, password string) *http.Cookie {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest("POST", e.url+"/v1/auth/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.url)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("sign in %s: %d", email, resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	e.t.Fatal("no session cookie")
	return nil
}

// consoleSocket opens the realtime API as the console does: the cookie, from Baton's own origin.
func (e *env) consoleSocket(ck *http.Cookie) *client {
	e.t.Helper()
	c, resp, err := e.dial("", http.Header{"Cookie": {ck.String()}, "Origin": {e.url}})
	if err != nil {
		e.t.Fatalf("dial with the cookie: %v (%v)", err, resp)
	}
	return c
}

// closedWith waits for the server to close the connection and returns the close code.
func (c *client) closedWith() websocket.StatusCode {
	c.t.Helper()
	for i := 0; i < 1000; i++ {
		select {
		case _, ok := <-c.frames:
			if ok {
				continue
			}
			return websocket.CloseStatus(<-c.closed)
		case <-time.After(5 * time.Second):
			c.t.Fatal("the connection stayed open")
		}
	}
	c.t.Fatal("the connection stayed open")
	return 0
}

type sessionList struct {
	Sessions []struct {
		ID        string `json:"id"`
		UserAgent string `json:"user_agent"`
		IP        string `json:"ip"`
		Current   bool   `json:"current"`
		ExpiresAt int64  `json:"expires_at"`
	} `json:"sessions"`
}

func TestSignOutEndsTheSessionOnTheServerAndClosesItsWebSocket(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		ck := e.consoleSession()
		ws := e.consoleSocket(ck)
		ws.ok(map[string]any{"type": "subscribe", "site": "demo"})
		if code := e.cookieJSON(ck, "DELETE", "/v1/auth/session", nil, nil); code != http.StatusNoContent {
			t.Fatalf("sign out: %d", code)
		}
		if code := ws.closedWith(); code != 4001 {
			t.Errorf("the session's socket closed with %d, want 4001", code)
		}
		// A copy of the cookie (stolen, or a tab that missed the sign-out) is worth nothing now.
		if code := e.withCookie(ck, "GET", "/v1/me", ""); code != http.StatusUnauthorized {
			t.Errorf("GET /v1/me with the signed-out cookie: %d", code)
		}
		if _, resp, _ := e.dial("", http.Header{"Cookie": {ck.String()}, "Origin": {e.url}}); resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the socket with the signed-out cookie: %v", resp)
		}
	})
}

func TestTheCookieHoldsAnOpaqueSecretAndOnlyItsHashIsStored(t *testing.T) {
	e := start(t)
	ck := e.consoleSession()
	if strings.Count(ck.Value, ".") == 2 || len(ck.Value) != 43 {
		t.Errorf("cookie %q: want a 43-character random secret, not a token", ck.Value)
	}
	sum := sha256.Sum256([]byte(ck.Value))
	s, err := e.db.SessionByHash(context.Background(), hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatalf("the session is not stored by the secret's hash: %v", err)
	}
	if s.SecretHash == ck.Value {
		t.Error("the secret itself is stored")
	}
}

func TestAnAgentListsTheirSessionsAndRevokesOne(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		first, second := e.consoleSession(), e.consoleSession()
		ws := e.consoleSocket(second)
		var list sessionList
		if code := e.cookieJSON(first, "GET", "/v1/auth/sessions", nil, &list); code != http.StatusOK {
			t.Fatalf("list: %d", code)
		}
		if len(list.Sessions) != 2 {
			t.Fatalf("sessions: %+v", list.Sessions)
		}
		var other string
		for _, s := range list.Sessions {
			if s.IP != "127.0.0.1" || s.ExpiresAt == 0 {
				t.Errorf("session %+v", s)
			}
			if !s.Current {
				other = s.ID
			}
		}
		if other == "" {
			t.Fatalf("no other session among %+v", list.Sessions)
		}
		// Another agent cannot see or end the admin's sessions.
		_, bob := e.agent("Bob", chat.RoleAgent, "demo")
		if code := e.do("DELETE", "/v1/auth/sessions/"+other, bob, nil, nil); code != http.StatusNotFound {
			t.Errorf("Bob revoking the admin's session: %d", code)
		}
		var bobs sessionList
		if e.do("GET", "/v1/auth/sessions", bob, nil, &bobs); len(bobs.Sessions) != 0 {
			t.Errorf("Bob sees %+v", bobs.Sessions)
		}
		// Without Baton's Origin the cookie cannot revoke anything (CSRF).
		if code := e.withCookie(first, "DELETE", "/v1/auth/sessions/"+other, "https://evil.example"); code != http.StatusForbidden {
			t.Errorf("cross-site revoke: %d", code)
		}
		if code := e.cookieJSON(first, "DELETE", "/v1/auth/sessions/"+other, nil, nil); code != http.StatusNoContent {
			t.Fatalf("revoke: %d", code)
		}
		if code := ws.closedWith(); code != 4001 {
			t.Errorf("the revoked session's socket closed with %d", code)
		}
		if code := e.withCookie(second, "GET", "/v1/me", ""); code != http.StatusUnauthorized {
			t.Errorf("the revoked session still works: %d", code)
		}
		if code := e.withCookie(first, "GET", "/v1/me", ""); code != http.StatusOK {
			t.Errorf("the other session ended too: %d", code)
		}
	})
}

func TestAnExpiredSessionIsRefused(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin, err := e.db.AgentByEmail(ctx, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		secret := strings.Repeat("x", 43)
		sum := sha256.Sum256([]byte(secret))
		past := time.Now().Add(-time.Hour)
		s := &chat.Session{ID: chat.NewID("se"), AgentID: admin.ID, SecretHash: hex.EncodeToString(sum[:]), TokenVersion: admin.TokenVersion,
			CreatedAt: past.Add(-24 * time.Hour), LastSeenAt: past.Add(-24 * time.Hour), ExpiresAt: past}
		if err := e.db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		ck := &http.Cookie{Name: sessionCookie, Value: secret}
		if code := e.withCookie(ck, "GET", "/v1/me", ""); code != http.StatusUnauthorized {
			t.Errorf("REST with an expired session: %d", code)
		}
		if _, resp, _ := e.dial("", http.Header{"Cookie": {ck.String()}, "Origin": {e.url}}); resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("WebSocket with an expired session: %v", resp)
		}
	})
}

type invited struct {
	Agent struct {
		ID       string   `json:"id"`
		Email    string   `json:"email"`
		Role     string   `json:"role"`
		Sites    []string `json:"sites"`
		Invited  bool     `json:"invited"`
		Presence string   `json:"presence"`
	} `json:"agent"`
	Link struct {
		URL       string `json:"url"`
		ExpiresAt int64  `json:"expires_at"`
		Email     string `json:"email"`
	} `json:"link"`
}

func tokenOf(t *testing.T, url, kind string) string {
	t.Helper()
	i := strings.Index(url, "/console#"+kind+"/")
	if i < 0 {
		t.Fatalf("link %q is not a console %s link", url, kind)
	}
	return url[i+len("/console#"+kind+"/"):]
}

// setPassword uses a link from Baton's own page.
func (e *env) setPassword(token, password string) (int, string) {
	e.t.Helper()
	var out apiErr
	code := e.cookieJSON(nil, "POST", "/v1/auth/password", map[string]string{"token": token, "password": password}, &out)
	return code, out.Error.Message
}

type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestAnInvitationLinkSetsAPasswordOnceAndExpires(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		admin := e.consoleSession()
		var inv invited
		body := map[string]any{"email": "Bob@Example.com", "name": "Bob", "role": "agent", "sites": []string{"demo"}}
		if code := e.cookieJSON(admin, "POST", "/v1/agents", body, &inv); code != http.StatusCreated {
			t.Fatalf("invite: %d", code)
		}
		if inv.Agent.Email != "bob@example.com" || !inv.Agent.Invited || inv.Agent.Presence != "offline" || len(inv.Agent.Sites) != 1 || inv.Agent.Sites[0] != "demo" {
			t.Errorf("agent %+v", inv.Agent)
		}
		if inv.Link.Email != "not_configured" || inv.Link.ExpiresAt-time.Now().UnixMilli() < (71*time.Hour).Milliseconds() {
			t.Errorf("link %+v", inv.Link)
		}
		tok := tokenOf(t, inv.Link.URL, "invite")
		// An invited agent has no password to guess.
		if resp := e.signInAs("bob@example.com", ""); resp != http.StatusUnauthorized && resp != http.StatusBadRequest {
			t.Errorf("sign in without a password: %d", resp)
		}
		if code, msg := e.setPassword(tok, "short"); code != http.StatusBadRequest || !strings.HasPrefix(msg, "password:") {
			t.Errorf("a short password: %d %q", code, msg)
		}
		if code, msg := e.setPassword(tok, "bobs-password"); code != http.StatusOK {
			t.Fatalf("set password: %d %s", code, msg)
		}
		bob := e.sessionOf("bob@example.com", "bobs-password")
		if code := e.withCookie(bob, "GET", "/v1/me", ""); code != http.StatusOK {
			t.Errorf("Bob's session: %d", code)
		}
		if code, msg := e.setPassword(tok, "another-password"); code != http.StatusBadRequest || !strings.HasPrefix(msg, "token:") {
			t.Errorf("the link used twice: %d %q", code, msg)
		}
		if code, _ := e.setPassword("not-a-token", "another-password"); code != http.StatusBadRequest {
			t.Errorf("a made-up link: %d", code)
		}
	})
}

// signInAs posts a sign-in and returns the status.
func (e *env) signInAs(email, password string) int {
	e.t.Helper()
	return e.cookieJSON(nil, "POST", "/v1/auth/session", map[string]string{"email": email, "password": password}, nil)
}

func TestAnInvitationLinkExpiresAfter72Hours(t *testing.T) {
	clk := &manualClock{t: time.Now()}
	e := start(t, withManualClock(clk))
	admin := e.consoleSession()
	var inv invited
	body := map[string]any{"email": "carol@example.com", "name": "Carol", "sites": []string{"demo"}}
	if code := e.cookieJSON(admin, "POST", "/v1/agents", body, &inv); code != http.StatusCreated {
		t.Fatalf("invite: %d", code)
	}
	clk.advance(72*time.Hour + time.Second)
	if code, msg := e.setPassword(tokenOf(t, inv.Link.URL, "invite"), "carols-password"); code != http.StatusBadRequest || !strings.Contains(msg, "expired") {
		t.Errorf("an expired link: %d %q", code, msg)
	}
	if code := e.signInAs("carol@example.com", "carols-password"); code != http.StatusUnauthorized {
		t.Errorf("sign in after the expired link: %d", code)
	}
}

func TestAResetRevokesEverySessionTokenAndSocket(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		admin := e.consoleSession()
		var inv invited
		body := map[string]any{"email": "dan@example.com", "name": "Dan", "sites": []string{"demo"}, "password": "dans-password"}
		if code := e.cookieJSON(admin, "POST", "/v1/agents", body, &inv); code != http.StatusCreated {
			t.Fatalf("add: %d", code)
		}
		if inv.Link.URL != "" || inv.Agent.Invited {
			t.Errorf("an agent added with a password needs no link: %+v", inv)
		}
		dan := e.sessionOf("dan@example.com", "dans-password")
		danWS := e.consoleSocket(dan)
		var login struct {
			Token string `json:"token"`
		}
		if code := e.do("POST", "/v1/auth/login", "", map[string]string{"email": "dan@example.com", "password": "dans-password"}, &login); code != http.StatusOK {
			t.Fatalf("bearer login: %d", code)
		}
		bearerWS := e.mustDial(login.Token)

		var reset struct {
			Link struct {
				URL string `json:"url"`
			} `json:"link"`
		}
		if code := e.cookieJSON(admin, "POST", "/v1/agents/"+inv.Agent.ID+"/reset", nil, &reset); code != http.StatusOK {
			t.Fatalf("reset: %d", code)
		}
		for name, ws := range map[string]*client{"session": danWS, "bearer": bearerWS} {
			if code := ws.closedWith(); code != 4001 {
				t.Errorf("Dan's %s socket closed with %d", name, code)
			}
		}
		if code := e.withCookie(dan, "GET", "/v1/me", ""); code != http.StatusUnauthorized {
			t.Errorf("Dan's session after the reset: %d", code)
		}
		if code := e.do("GET", "/v1/me", login.Token, nil, nil); code != http.StatusUnauthorized {
			t.Errorf("Dan's bearer token after the reset: %d", code)
		}
		if code := e.signInAs("dan@example.com", "dans-password"); code != http.StatusUnauthorized {
			t.Errorf("the old password after the reset: %d", code)
		}
		if code, msg := e.setPassword(tokenOf(t, reset.Link.URL, "reset"), "dans-new-password"); code != http.StatusOK {
			t.Fatalf("new password: %d %s", code, msg)
		}
		e.sessionOf("dan@example.com", "dans-new-password")
	})
}

func TestAdminRoutesRefuseAgentsAndValidateEveryField(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		bob, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
		for _, r := range []struct{ method, path string }{
			{"GET", "/v1/agents"}, {"POST", "/v1/agents"}, {"POST", "/v1/agents/" + bob.ID + "/reset"}, {"DELETE", "/v1/agents/" + bob.ID},
		} {
			if code := e.do(r.method, r.path, bobTok, map[string]any{}, nil); code != http.StatusForbidden {
				t.Errorf("%s %s by an agent: %d", r.method, r.path, code)
			}
		}
		admin := e.consoleSession()
		if code := e.withCookie(admin, "POST", "/v1/agents/"+bob.ID+"/reset", "https://evil.example"); code != http.StatusForbidden {
			t.Errorf("a cross-site reset: %d", code)
		}
		ok := func(m map[string]any) map[string]any {
			out := map[string]any{"email": "new@example.com", "name": "New", "role": "agent", "sites": []string{"demo"}}
			for k, v := range m {
				out[k] = v
			}
			return out
		}
		tests := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"bad email", ok(map[string]any{"email": "not an email"}), 400, "email:"},
			{"email with a name", ok(map[string]any{"email": "New <new@example.com>"}), 400, "email:"},
			{"no name", ok(map[string]any{"name": " "}), 400, "name:"},
			{"long name", ok(map[string]any{"name": strings.Repeat("n", 101)}), 400, "name:"},
			{"bad role", ok(map[string]any{"role": "bot"}), 400, "role:"},
			{"unknown site", ok(map[string]any{"sites": []string{"demo", "nope"}}), 400, "sites[1]:"},
			{"agent without a site", ok(map[string]any{"sites": []string{}}), 400, "sites:"},
			{"short password", ok(map[string]any{"password": "short"}), 400, "password:"},
			{"taken email", ok(map[string]any{"email": "bob@example.com"}), 409, "email:"},
			{"unknown field", ok(map[string]any{"admin": true}), 400, ""},
		}
		for _, tt := range tests {
			var out apiErr
			if code := e.cookieJSON(admin, "POST", "/v1/agents", tt.body, &out); code != tt.status || !strings.HasPrefix(out.Error.Message, tt.field) {
				t.Errorf("%s: %d %q, want %d naming %s", tt.name, code, out.Error.Message, tt.status, tt.field)
			}
		}
		var list struct {
			Agents []map[string]any `json:"agents"`
		}
		if code := e.cookieJSON(admin, "GET", "/v1/agents", nil, &list); code != http.StatusOK || len(list.Agents) != 2 {
			t.Errorf("after refused additions: %d %v", code, list.Agents)
		}
		me, _ := e.db.AgentByEmail(context.Background(), "admin@example.com")
		for _, path := range []string{"/v1/agents/" + me.ID + "/reset", "/v1/agents/" + me.ID} {
			method := "POST"
			if !strings.HasSuffix(path, "/reset") {
				method = "DELETE"
			}
			var out apiErr
			if code := e.cookieJSON(admin, method, path, nil, &out); code != http.StatusBadRequest || !strings.HasPrefix(out.Error.Message, "id:") {
				t.Errorf("%s %s on oneself: %d %q", method, path, code, out.Error.Message)
			}
		}
		if code := e.cookieJSON(admin, "DELETE", "/v1/agents/ag_nope", nil, nil); code != http.StatusNotFound {
			t.Errorf("removing nobody: %d", code)
		}
	})
}

func TestRemovingAnAgentClosesTheirSocketsAndUnassignsTheirConversations(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		admin := e.consoleSession()
		bob, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
		bobWS := e.mustDial(bobTok)
		v := e.mustDial(e.visitorToken("demo"))
		conv := v.say("hello")
		bobWS.ok(map[string]any{"type": "send", "conversation_id": conv, "client_id": "b1", "text": "Hi, Bob here"})
		if code := e.cookieJSON(admin, "DELETE", "/v1/agents/"+bob.ID, nil, nil); code != http.StatusNoContent {
			t.Fatalf("remove: %d", code)
		}
		if code := bobWS.closedWith(); code != 4001 {
			t.Errorf("Bob's socket closed with %d", code)
		}
		if code := e.do("GET", "/v1/me", bobTok, nil, nil); code != http.StatusUnauthorized {
			t.Errorf("Bob's token after removal: %d", code)
		}
		_, adminTok := e.agent("Root", chat.RoleAdmin)
		if c := e.conv(adminTok, conv); c.str("status") != "unassigned" || c["assignee"] != nil {
			t.Errorf("Bob's conversation after removal: %v", c)
		}
	})
}

func TestInvitationsAreEmailedWhenAMailServerIsSet(t *testing.T) {
	smtp := helpdesktest.NewSMTP(t)
	e := start(t, withSMTP(smtp))
	admin := e.consoleSession()
	var inv invited
	body := map[string]any{"email": "erin@example.com", "name": "Erin", "sites": []string{"demo"}}
	if code := e.cookieJSON(admin, "POST", "/v1/agents", body, &inv); code != http.StatusCreated {
		t.Fatalf("invite: %d", code)
	}
	if inv.Link.Email != "sent" {
		t.Fatalf("email: %q", inv.Link.Email)
	}
	if !strings.HasPrefix(inv.Link.URL, e.url+"/console#invite/") {
		t.Errorf("link %q is not on Baton's own origin", inv.Link.URL)
	}
	mails := smtp.Mails()
	if len(mails) != 1 || mails[0].To[0] != "erin@example.com" {
		t.Fatalf("mails: %+v", mails)
	}
	text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(mails[0].Data)))
	if !bytes.Contains(text, []byte(inv.Link.URL)) {
		t.Errorf("the mail lacks the link %s:\n%s", inv.Link.URL, text)
	}
}

// notification reads the next notification frame, or fails.
func (c *client) notification() frame {
	c.t.Helper()
	f := c.next("notification")
	if f == nil {
		c.t.Fatal("no notification")
	}
	return f
}

// noNotification checks that no notification came before the reply to a ping: the server
// queues a notification before it answers the command that caused it, so one sent would be
// ahead of the ping's reply.
func (c *client) noNotification() {
	c.t.Helper()
	c.ok(map[string]any{"type": "ping"})
	for _, f := range c.stash {
		if f.str("type") == "notification" {
			c.t.Errorf("unexpected notification %v", f)
		}
	}
}

func TestMentionsInANoteNotifyOnlyAgentsOfTheSite(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.siteWith("other", "https://other.example")
		_, alice := e.agent("Alice", chat.RoleAgent, "demo")
		bob, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
		_, carolTok := e.agent("Carol", chat.RoleAgent, "other")
		_, alTok := e.agent("Al", chat.RoleAgent, "demo")
		aliceWS, bobWS, carolWS, alWS := e.mustDial(alice), e.mustDial(bobTok), e.mustDial(carolTok), e.mustDial(alTok)
		v := e.mustDial(e.visitorToken("demo"))
		conv := v.say("my parcel is lost")
		note := aliceWS.ok(map[string]any{"type": "send", "conversation_id": conv, "client_id": "n1", "note": true,
			"text": "@bob can you check? cc @carol@example.com and @Alice"})
		n := bobWS.notification()
		if n.str("kind") != "mention" || n.str("conversation_id") != conv || n.obj("by").str("name") != "Alice" ||
			n.str("message_id") != note.obj("message").str("id") || !strings.Contains(n.str("text"), "@bob can you check?") {
			t.Errorf("Bob's notification: %v", n)
		}
		mentions := note.obj("message").obj("event").list("mentions")
		if len(mentions) != 1 || mentions[0].str("id") != bob.ID {
			t.Errorf("the note records mentions %v", mentions)
		}
		// Carol is of another site, Alice wrote it, Al is not "@Alice": none is told.
		carolWS.noNotification()
		aliceWS.noNotification()
		alWS.noNotification()
		// A note sent again (same client id) does not notify twice.
		aliceWS.ok(map[string]any{"type": "send", "conversation_id": conv, "client_id": "n1", "note": true, "text": "@bob can you check?"})
		bobWS.noNotification()
	})
}

func TestATakeoverAndAnAssignmentTellThePreviousAndTheNewAgent(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.agent("Alice", chat.RoleAgent, "demo")
		_, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
		aliceWS, bobWS := e.mustDial(aliceTok), e.mustDial(bobTok)
		v := e.mustDial(e.visitorToken("demo"))
		v.ok(map[string]any{"type": "set_attributes", "attributes": map[string]any{"name": "Jane"}})
		conv := v.say("hello")
		aliceWS.ok(map[string]any{"type": "send", "conversation_id": conv, "client_id": "a1", "text": "Hi, Alice here"})
		bobWS.ok(map[string]any{"type": "send", "conversation_id": conv, "client_id": "b1", "text": "Bob here, I can help"})
		n := aliceWS.notification()
		if n.str("kind") != "takeover" || n.str("text") != "Bob took over your conversation with Jane" || n.str("conversation_id") != conv {
			t.Errorf("Alice's notification: %v", n)
		}
		bobWS.noNotification()
		var took []frame
		for _, m := range e.history(aliceTok, conv) {
			if m.obj("event").str("action") == "took_over" {
				took = append(took, m)
			}
		}
		if len(took) != 1 || took[0].str("text") != "Bob took over from Alice" {
			t.Errorf("took_over events: %v", took)
		}
		// The visitor sees Bob join, never the agents' takeover line.
		sync := v.ok(map[string]any{"type": "sync", "conversation_id": conv, "since": 0})
		for _, m := range sync.list("messages") {
			if strings.Contains(m.str("text"), "took over") {
				t.Errorf("the visitor sees %q", m.str("text"))
			}
		}
		// Assigning it back to Alice tells her; taking it oneself tells nobody.
		bobWS.ok(map[string]any{"type": "assign", "conversation_id": conv, "agent_id": alice.ID})
		if n := aliceWS.notification(); n.str("kind") != "assigned" || n.str("text") != "Bob assigned you the conversation with Jane" {
			t.Errorf("Alice's assignment: %v", n)
		}
		aliceWS.ok(map[string]any{"type": "assign", "conversation_id": conv, "agent_id": ""})
		// Back in the queue: Bob is told it waits (not assigned to him), Alice who did it is not.
		if n := bobWS.notification(); n.str("kind") != "unassigned" {
			t.Errorf("Bob's notification: %v", n)
		}
		bobWS.noNotification()
		aliceWS.ok(map[string]any{"type": "assign", "conversation_id": conv, "agent_id": alice.ID})
		aliceWS.noNotification()
	})
}

func TestRoutingTellsTheAgentItAssigned(t *testing.T) {
	eachServer(t, func(t *testing.T, opts ...envOption) {
		e := startWithBot(t, append(opts, withRecorder(&recorder{}))...)
		e.botSite("routed", shop+"routing:\n  policy: round_robin\n")
		alice, aliceTok := e.agent("Alice", chat.RoleAgent, "routed")
		a := e.mustDial(aliceTok)
		v := e.mustDial(e.visitorToken("routed"))
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		if c := e.waitStatus(aliceTok, id, "assigned"); c.obj("assignee").str("id") != alice.ID {
			t.Fatalf("assigned to %v", c.obj("assignee"))
		}
		n := a.notification()
		if n.str("kind") != "assigned" || n.str("conversation_id") != id || n.str("text") != "You were assigned the conversation with jane@example.com" ||
			n.obj("by").str("type") != "system" {
			t.Errorf("Alice's notification: %v", n)
		}
	})
}
