package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/app"
)

const sessionCookie = "baton_session"

// signIn posts the admin's credentials to /v1/auth/session from origin and returns the response.
func (e *env) signIn(origin, password string) *http.Response {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": "admin@example.com", "password": password})
	req, _ := http.NewRequest("POST", e.url+"/v1/auth/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// consoleSession signs the admin in and returns the session cookie.
func (e *env) consoleSession() *http.Cookie {
	e.t.Helper()
	resp := e.signIn(e.url, "admin-password")
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("sign in: %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	e.t.Fatal("sign in set no session cookie")
	return nil
}

// withCookie sends a request carrying the session cookie (and no bearer token) from origin.
func (e *env) withCookie(ck *http.Cookie, method, path, origin string) int {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, nil)
	req.AddCookie(ck)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestSessionCookieIsHttpOnlyStrictAndTheTokenNeverInTheBody(t *testing.T) {
	e := start(t)
	resp := e.signIn(e.url, "admin-password")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	raw := resp.Header.Get("Set-Cookie")
	for _, want := range []string{sessionCookie + "=", "Path=/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(raw, want) {
			t.Errorf("Set-Cookie %q lacks %s", raw, want)
		}
	}
	if strings.Contains(raw, "Secure") || strings.Contains(raw, "Domain=") {
		t.Errorf("Set-Cookie %q: over plain http the cookie cannot be Secure, and it is host-only", raw)
	}
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	if _, ok := body["token"]; ok {
		t.Errorf("the body carries the token, readable by scripts: %s", b)
	}
	if agent, _ := body["agent"].(map[string]any); agent["email"] != "admin@example.com" {
		t.Errorf("body: %s", b)
	}
	ck := resp.Cookies()[0]
	if code := e.withCookie(ck, "GET", "/v1/me", ""); code != http.StatusOK {
		t.Errorf("GET /v1/me with the cookie: %d", code)
	}
}

func TestSessionCookieIsSecureWhenBatonIsReachedOverHTTPS(t *testing.T) {
	e := start(t, func(c *app.Config) { c.PublicURL = "https://chat.example.com" })
	resp := e.signIn("", "admin-password")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	if raw := resp.Header.Get("Set-Cookie"); !strings.Contains(raw, "; Secure") {
		t.Errorf("Set-Cookie %q is not Secure behind an https public URL", raw)
	}
}

func TestSessionSignInRefusesWrongPasswordsAndOtherOrigins(t *testing.T) {
	e := start(t)
	tests := []struct {
		name     string
		origin   string
		password string
		status   int
	}{
		{"wrong password", e.url, "nope", http.StatusUnauthorized},
		{"another origin (login CSRF)", "https://evil.example", "admin-password", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.signIn(tt.origin, tt.password)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if len(resp.Cookies()) != 0 {
				t.Errorf("a refused sign-in set %v", resp.Header["Set-Cookie"])
			}
		})
	}
}

func TestSignOutClearsTheCookie(t *testing.T) {
	e := start(t)
	ck := e.consoleSession()
	req, _ := http.NewRequest("DELETE", e.url+"/v1/auth/session", nil)
	req.AddCookie(ck)
	req.Header.Set("Origin", e.url)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	raw := resp.Header.Get("Set-Cookie")
	for _, want := range []string{sessionCookie + "=;", "Max-Age=0", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(raw, want) {
			t.Errorf("Set-Cookie %q lacks %s", raw, want)
		}
	}
}

func TestCookieRequestsThatChangeStateMustComeFromBatonsOwnOrigin(t *testing.T) {
	e := start(t)
	ck := e.consoleSession()
	_, token := e.agent("Bob", "admin")
	v := e.mustDial(e.visitorToken("demo"))
	conv := v.say("hello")
	resolve := "/v1/conversations/" + conv + "/resolve"
	reopen := "/v1/conversations/" + conv + "/reopen"
	tests := []struct {
		name   string
		method string
		path   string
		origin string
		status int
	}{
		{"no Origin", "POST", resolve, "", http.StatusForbidden},
		{"another site", "POST", resolve, "https://evil.example", http.StatusForbidden},
		{"a sibling on another port", "POST", resolve, "http://127.0.0.1:1", http.StatusForbidden},
		{"opaque origin (sandboxed frame)", "POST", resolve, "null", http.StatusForbidden},
		{"reads need no Origin", "GET", "/v1/conversations/" + conv, "", http.StatusOK},
		{"Baton's own page", "POST", resolve, e.url, http.StatusOK},
		{"Baton's own page again", "POST", reopen, e.url, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := e.withCookie(ck, tt.method, tt.path, tt.origin); code != tt.status {
				t.Fatalf("status %d, want %d", code, tt.status)
			}
		})
	}
	if got := e.conv(token, conv).str("status"); got == "resolved" {
		t.Errorf("status %s after resolve and reopen", got)
	}
	// A bearer token is no ambient credential: integrations keep working whatever their Origin.
	req, _ := http.NewRequest("POST", e.url+resolve, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("bearer resolve: %d", resp.StatusCode)
	}
}

func TestWebSocketTakesTheSessionCookieOnlyFromBatonsOwnOrigin(t *testing.T) {
	e := start(t)
	ck := e.consoleSession()
	tests := []struct {
		name   string
		origin string
		status int
	}{
		{"another site (cross-site WebSocket hijacking)", "https://evil.example", http.StatusForbidden},
		{"no Origin", "", http.StatusForbidden},
		{"Baton's own page", e.url, http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Cookie": {ck.String()}}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			c, resp, err := e.dial("", h)
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("dial: %v (%v), want %d", err, resp, tt.status)
			}
			if tt.status != http.StatusSwitchingProtocols {
				return
			}
			if r := c.call(map[string]any{"type": "subscribe", "site": "demo"}); r.str("type") != "reply" {
				t.Errorf("subscribe over the cookie's session: %v", r)
			}
		})
	}
	// A visitor token in the cookie is no console session.
	h := http.Header{"Cookie": {sessionCookie + "=" + e.visitorToken("demo")}, "Origin": {e.url}}
	if _, resp, _ := e.dial("", h); resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a visitor token in the cookie: %v", resp)
	}
}
