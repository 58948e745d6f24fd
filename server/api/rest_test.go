package api_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/chat"
)

func TestRESTDoesWhatAgentsDoOverTheWebSocket(t *testing.T) {
	e := start(t)
	alice, tok := e.agent("Alice", chat.RoleAgent, "demo")
	bob, _ := e.agent("Bob", chat.RoleAgent, "demo")
	v := e.mustDial(e.visitorToken("demo"))
	convID := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "Where is my order?"}).obj("message").str("conversation_id")

	var list struct {
		Conversations []map[string]any `json:"conversations"`
	}
	if code := e.do("GET", "/v1/conversations?site=demo&status=bot", tok, nil, &list); code != 200 || len(list.Conversations) != 1 {
		t.Fatalf("list: %d %v", code, list)
	}
	var sent struct {
		Message   map[string]any `json:"message"`
		Duplicate bool           `json:"duplicate"`
	}
	body := map[string]any{"client_id": "r1", "text": "Let me check.", "quick_replies": []map[string]string{{"label": "Thanks", "value": "thanks"}}}
	if code := e.do("POST", "/v1/conversations/"+convID+"/messages", tok, body, &sent); code != 201 || sent.Duplicate {
		t.Fatalf("send: %d %v", code, sent)
	}
	if code := e.do("POST", "/v1/conversations/"+convID+"/messages", tok, body, &sent); code != 200 || !sent.Duplicate {
		t.Fatalf("resend: %d %v", code, sent)
	}
	got := v.next("message").obj("message") // joined
	got = v.next("message").obj("message")
	if got.str("text") != "Let me check." || len(got.list("quick_replies")) != 1 {
		t.Fatalf("visitor got %v", got)
	}
	var conv struct {
		Conversation map[string]any `json:"conversation"`
	}
	steps := []struct {
		method, path string
		body         any
		check        func(c map[string]any) bool
	}{
		{"POST", "/tags", map[string]string{"tag": "shipping"}, func(c map[string]any) bool { return fmt.Sprint(c["tags"]) == "[shipping]" }},
		{"DELETE", "/tags/shipping", nil, func(c map[string]any) bool { return fmt.Sprint(c["tags"]) == "[]" }},
		{"POST", "/assign", map[string]string{"agent_id": bob.ID}, func(c map[string]any) bool {
			return c["assignee"].(map[string]any)["name"] == "Bob"
		}},
		{"POST", "/assign", map[string]string{"agent_id": ""}, func(c map[string]any) bool { return c["status"] == "unassigned" }},
		{"POST", "/resolve", nil, func(c map[string]any) bool { return c["status"] == "resolved" }},
		{"POST", "/reopen", nil, func(c map[string]any) bool { return c["status"] == "unassigned" }},
	}
	for _, s := range steps {
		if code := e.do(s.method, "/v1/conversations/"+convID+s.path, tok, s.body, &conv); code != 200 || !s.check(conv.Conversation) {
			t.Fatalf("%s %s: %d %v", s.method, s.path, code, conv.Conversation)
		}
	}
	var msgs struct {
		Messages []map[string]any `json:"messages"`
		More     bool             `json:"more"`
	}
	if code := e.do("GET", "/v1/conversations/"+convID+"/messages?after=0&limit=3", tok, nil, &msgs); code != 200 || len(msgs.Messages) != 3 || !msgs.More {
		t.Fatalf("messages: %d %d more=%v", code, len(msgs.Messages), msgs.More)
	}
	if code := e.do("GET", "/v1/conversations/"+convID+"/messages?before=3", tok, nil, &msgs); code != 200 || len(msgs.Messages) != 2 {
		t.Fatalf("messages before 3: %d %d", code, len(msgs.Messages))
	}
	var me map[string]any
	if code := e.do("GET", "/v1/me", tok, nil, &me); code != 200 || me["id"] != alice.ID {
		t.Fatalf("me: %d %v", code, me)
	}
}

func TestRESTErrorsNameTheProblemAndChangeNothing(t *testing.T) {
	e := start(t)
	_, tok := e.agent("Alice", chat.RoleAgent, "demo")
	v := e.mustDial(e.visitorToken("demo"))
	convID := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "hi"}).obj("message").str("conversation_id")
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"unknown field", "POST", "/v1/conversations/" + convID + "/messages", map[string]any{"client_id": "x", "txt": "typo"}, 400, "invalid"},
		{"empty text", "POST", "/v1/conversations/" + convID + "/messages", map[string]any{"client_id": "x", "text": ""}, 400, "invalid"},
		{"bad tag", "POST", "/v1/conversations/" + convID + "/tags", map[string]any{"tag": "Not A Tag!"}, 400, "invalid"},
		{"assign to nobody known", "POST", "/v1/conversations/" + convID + "/assign", map[string]any{"agent_id": "ag_nope"}, 400, "invalid"},
		{"assign without agent_id", "POST", "/v1/conversations/" + convID + "/assign", map[string]any{}, 400, "invalid"},
		{"no such conversation", "GET", "/v1/conversations/cv_nope", nil, 404, "not_found"},
		{"bad status filter", "GET", "/v1/conversations?site=demo&status=sleeping", nil, 400, "invalid"},
		{"bad cursor", "GET", "/v1/conversations?site=demo&cursor=zzz", nil, 400, "invalid"},
		{"bad number", "GET", "/v1/conversations/" + convID + "/messages?after=-1", nil, 400, "invalid"},
		{"no site", "GET", "/v1/conversations", nil, 400, "invalid"},
		{"settings are for admins", "GET", "/v1/sites/demo/settings", nil, 403, "forbidden"},
		{"unknown route", "GET", "/v1/nothing-here", nil, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			code := e.do(tt.method, tt.path, tok, tt.body, &out)
			if code != tt.status || out.Error.Code != tt.code || out.Error.Message == "" {
				t.Fatalf("got %d %+v, want %d %s", code, out.Error, tt.status, tt.code)
			}
		})
	}
	res := v.ok(map[string]any{"type": "sync", "since": 0})
	if n := len(res.list("messages")); n != 1 || len(res.obj("conversation").list("tags")) != 0 {
		t.Fatalf("failed requests changed the conversation: %v", res)
	}
}

func TestSiteSettingsThroughTheAPI(t *testing.T) {
	e := start(t)
	_, admin := e.agent("Root", chat.RoleAdmin)
	var st map[string]any
	if code := e.do("GET", "/v1/sites/demo/settings", admin, nil, &st); code != 200 || st["key"] != "demo" {
		t.Fatalf("get: %d %v", code, st)
	}
	put := func(body string, ctype string) (int, string) {
		req, _ := http.NewRequest("PUT", e.url+"/v1/sites/demo/settings", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := put("key: demo\nname: Demo Shop\nallowed_origins: [ftp://nope]\nappearance: {color: blue, position: top}\n", "application/yaml")
	for _, want := range []string{"allowed_origins[0]", "appearance.color", "appearance.position"} {
		if code != 400 || !strings.Contains(body, want) {
			t.Fatalf("invalid document: %d %s (want %s named)", code, body, want)
		}
	}
	if code, body := put("key: demo\nname: Demo\nwhat: 1\n", "application/yaml"); code != 400 || !strings.Contains(body, `unknown field \"what\"`) {
		t.Fatalf("unknown field: %d %s", code, body)
	}
	if code, body := put(`{"key":"other","name":"x"}`, "application/json"); code != 400 || !strings.Contains(body, "key") {
		t.Fatalf("changing the key: %d %s", code, body)
	}
	var cfg map[string]any
	e.do("GET", "/v1/sites/demo/config", "", nil, &cfg)
	if cfg["name"] != "Demo Shop" {
		t.Fatalf("an invalid document changed the site: %v", cfg)
	}
	if code, body := put("key: demo\nname: Renamed Shop\nallowed_origins: [\"https://shop.example\"]\n", "application/yaml"); code != 200 {
		t.Fatalf("valid document: %d %s", code, body)
	}
	e.do("GET", "/v1/sites/demo/config", "", nil, &cfg)
	if cfg["name"] != "Renamed Shop" {
		t.Fatalf("config after update: %v", cfg)
	}
}

func TestPublicConfigAndCORS(t *testing.T) {
	e := start(t)
	e.siteWith("shop", "https://shop.example")
	get := func(origin, etag string) *http.Response {
		req, _ := http.NewRequest("GET", e.url+"/v1/sites/shop/config", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := get("https://shop.example", "")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "max-age") || resp.Header.Get("ETag") == "" {
		t.Fatalf("allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	if again := get("https://shop.example", resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", again.StatusCode)
	}
	if other := get("https://evil.example", ""); other.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin got CORS: %v", other.Header)
	}
	var out map[string]any
	if code := e.do("POST", "/v1/visitors", "", map[string]string{"site": "nope"}, &out); code != 404 {
		t.Fatalf("unknown site: %d", code)
	}
	req, _ := http.NewRequest("POST", e.url+"/v1/visitors", strings.NewReader(`{"site":"shop"}`))
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("visitor session from a foreign origin: %d", r.StatusCode)
	}
}

func TestReturningVisitorKeepsTheirID(t *testing.T) {
	e := start(t)
	var first, second struct {
		ID    string `json:"visitor_id"`
		Token string `json:"visitor_token"`
	}
	e.do("POST", "/v1/visitors", "", map[string]string{"site": "demo"}, &first)
	e.do("POST", "/v1/visitors", "", map[string]string{"site": "demo", "visitor_token": first.Token}, &second)
	if first.ID == "" || second.ID != first.ID {
		t.Fatalf("refresh changed the visitor: %s → %s", first.ID, second.ID)
	}
	e.siteWith("other", "https://other.example")
	var third struct {
		ID string `json:"visitor_id"`
	}
	e.do("POST", "/v1/visitors", "", map[string]string{"site": "other", "visitor_token": first.Token}, &third)
	if third.ID == first.ID {
		t.Fatal("a token of another site kept its visitor id")
	}
}

func TestRateLimits(t *testing.T) {
	e := start(t, func(c *app.Config) { c.RateNewVisitors, c.RateVisitorMessages, c.RateIPMessages = 20, 12, 18 })
	// New sessions per IP: the burst (10) passes, then 429 with Retry-After.
	var last *http.Response
	for i := 0; i < 15; i++ {
		req, _ := http.NewRequest("POST", e.url+"/v1/visitors", strings.NewReader(`{"site":"demo"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("16th new visitor: %d %v", last.StatusCode, last.Header)
	}
	// Messages per visitor: the burst (10) passes, then rate_limited with retry_after_ms.
	tok := e.signer(nil)
	site, _ := e.db.SiteByKey(t.Context(), "demo")
	newVisitor := func(id string) *client {
		vt, _, _ := tok.VisitorToken(id, site.ID, 3600e9)
		return e.mustDial(vt)
	}
	v := newVisitor("vi_one")
	var f frame
	for i := 0; i < 12; i++ {
		f = v.call(map[string]any{"type": "send", "client_id": fmt.Sprint("m", i), "text": "spam"})
	}
	if f.str("code") != "rate_limited" || f.num("retry_after_ms") <= 0 || f["temporary"] != true {
		t.Fatalf("12th message: %v", f)
	}
	// Rotating visitor ids does not reset the IP's budget (burst 10 per minute for the IP here... 18/4=4 → 20).
	limited := false
	for i := 0; i < 30 && !limited; i++ {
		w := newVisitor(fmt.Sprint("vi_rot", i))
		limited = w.call(map[string]any{"type": "send", "client_id": "x", "text": "hi"}).str("code") == "rate_limited"
	}
	if !limited {
		t.Fatal("new visitor ids from one IP were never limited")
	}
}

func TestPublicConfigSaysWhetherSomeoneIsAvailable(t *testing.T) {
	e := start(t)
	e.siteWith("other", "https://other.example")
	available := func() bool {
		var cfg struct {
			Availability struct {
				Available bool `json:"available"`
			} `json:"availability"`
		}
		e.do("GET", "/v1/sites/demo/config", "", nil, &cfg)
		return cfg.Availability.Available
	}
	if available() {
		t.Fatal("available with nobody connected")
	}
	_, otherTok := e.agent("Olga", chat.RoleAgent, "other")
	e.mustDial(otherTok)
	if available() {
		t.Fatal("an agent of another site made demo available")
	}
	_, tok := e.agent("Alice", chat.RoleAgent, "demo")
	alice := e.mustDial(tok)
	if !available() {
		t.Fatal("not available with Alice online")
	}
	alice.ok(map[string]any{"type": "presence", "status": "away"})
	if available() {
		t.Fatal("available while the only agent is away")
	}
}
