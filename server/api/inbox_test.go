package api_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

// editSettings changes the settings of the site keyed key with change, applies them and
// returns the site.
func (e *env) editSettings(key string, change func(st *site.Settings)) *chat.Site {
	e.t.Helper()
	ctx := context.Background()
	s, err := e.db.SiteByKey(ctx, key)
	if err != nil {
		e.t.Fatal(err)
	}
	st, err := site.ParseJSON(s.Settings)
	if err != nil {
		e.t.Fatal(err)
	}
	change(st)
	s, _, err = site.Apply(ctx, e.db, st)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// newConversation starts a visitor's conversation on the demo site and returns its id.
func (e *env) newConversation(text string) (convID, visitorID string) {
	e.t.Helper()
	v := e.mustDial(e.visitorToken("demo"))
	m := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": text}).obj("message")
	return m.str("conversation_id"), m.obj("author").str("id")
}

func ids(list []frame) []string {
	out := []string{}
	for _, c := range list {
		out = append(out, c.str("id"))
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func TestInboxViewListsUnresolvedConversationsWithAnyOfItsTags(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		_, tok := e.agent("Alice", chat.RoleAgent, "demo")
		a := e.mustDial(tok)
		a.ok(map[string]any{"type": "subscribe", "site": "demo"})
		help, _ := e.newConversation("I need a person")
		follow, _ := e.newConversation("Please call me back")
		other, _ := e.newConversation("Shipping?")
		closed, _ := e.newConversation("Old question")
		for id, tag := range map[string]string{help: "sys_human_help", follow: "sys_human_follow_up", other: "shipping", closed: "sys_human_help"} {
			a.ok(map[string]any{"type": "tag", "conversation_id": id, "tag": tag})
		}
		a.ok(map[string]any{"type": "resolve", "conversation_id": closed})

		view := []string{"sys_human_help", "sys_human_follow_up"}
		got := a.ok(map[string]any{"type": "list", "site": "demo", "tags": view}).list("conversations")
		if want := sorted(help, follow); !slices.Equal(ids(got), want) {
			t.Fatalf("view lists %v, want %v (unresolved only)", ids(got), want)
		}
		got = a.ok(map[string]any{"type": "list", "site": "demo", "tags": view, "status": "resolved"}).list("conversations")
		if !slices.Equal(ids(got), []string{closed}) {
			t.Fatalf("resolved view lists %v", ids(got))
		}
		// Paging through a view: one at a time, with the cursor, never twice.
		p1 := a.ok(map[string]any{"type": "list", "site": "demo", "tags": view, "limit": 1})
		p2 := a.ok(map[string]any{"type": "list", "site": "demo", "tags": view, "limit": 1, "cursor": p1.str("next_cursor")})
		if p1.str("next_cursor") == "" || p2.str("next_cursor") != "" ||
			!slices.Equal(sorted(ids(p1.list("conversations"))[0], ids(p2.list("conversations"))[0]), sorted(help, follow)) {
			t.Fatalf("pages %v / %v", p1, p2)
		}
		// The REST mirror.
		var rest struct {
			Conversations []map[string]any `json:"conversations"`
		}
		if code := e.do("GET", "/v1/conversations?site=demo&tags=sys_human_help,sys_human_follow_up", tok, nil, &rest); code != 200 || len(rest.Conversations) != 2 {
			t.Fatalf("REST view: %d %v", code, rest)
		}
		if code := e.do("GET", "/v1/conversations?site=demo&tags=Not+A+Tag", tok, nil, &rest); code != 400 {
			t.Fatalf("REST bad tag: %d", code)
		}
		if f := a.call(map[string]any{"type": "list", "site": "demo", "tags": []string{"Bad Tag"}}); f.str("code") != "invalid" || !strings.Contains(f.str("message"), "tags[0]") {
			t.Fatalf("bad tag: %v", f)
		}
		// Views fill and empty by themselves: the conversation events carry the tags.
		a.drain(0)
		a.ok(map[string]any{"type": "untag", "conversation_id": help, "tag": "sys_human_help"})
		if ev := a.next("conversation").obj("conversation"); ev.str("id") != help || len(ev.list("tags")) != 0 {
			t.Fatalf("untag event %v", ev)
		}
		a.ok(map[string]any{"type": "tag", "conversation_id": other, "tag": "sys_human_follow_up"})
		if ev := a.next("conversation").obj("conversation"); ev.str("id") != other || len(ev["tags"].([]any)) != 2 {
			t.Fatalf("tag event %v", ev)
		}
		got = a.ok(map[string]any{"type": "list", "site": "demo", "tags": view}).list("conversations")
		if want := sorted(follow, other); !slices.Equal(ids(got), want) {
			t.Fatalf("after the tag changes the view lists %v, want %v", ids(got), want)
		}
	})
}

func TestDirectoryListsOnlyTheSitesAgentsAndTeams(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.siteWith("other", "https://other.example")
		demo := e.editSettings("demo", func(st *site.Settings) {
			st.Routing = &site.Routing{Teams: []site.Team{{Name: "billing", Agents: []string{"bob@example.com", "nobody@example.com"}}}}
			st.QuickResponses = []site.QuickResponse{{Shortcut: "hi", Title: "Hello", Text: "Hi {visitor_name}!"}}
		})
		alice, tok := e.agent("Alice", chat.RoleAgent, "demo")
		bob, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
		carol, carolTok := e.agent("Carol", chat.RoleAgent, "other")
		b := e.mustDial(bobTok)
		b.ok(map[string]any{"type": "presence", "status": "away"})

		var dir struct {
			Agents []struct{ ID, Name, Email, Presence string } `json:"agents"`
			Teams  []struct {
				Name     string   `json:"name"`
				AgentIDs []string `json:"agent_ids"`
			} `json:"teams"`
		}
		if code := e.do("GET", "/v1/sites/demo/directory", tok, nil, &dir); code != 200 {
			t.Fatalf("directory: %d", code)
		}
		presence := map[string]string{}
		for _, a := range dir.Agents {
			presence[a.ID] = a.Presence
		}
		if presence[alice.ID] != "offline" || presence[bob.ID] != "away" || len(dir.Agents) != 3 { // admin, Alice, Bob
			t.Fatalf("agents %+v", dir.Agents)
		}
		if _, ok := presence[carol.ID]; ok {
			t.Fatalf("another site's agent is listed: %+v", dir.Agents)
		}
		if len(dir.Teams) != 1 || dir.Teams[0].Name != "billing" || !slices.Equal(dir.Teams[0].AgentIDs, []string{bob.ID}) {
			t.Fatalf("teams %+v", dir.Teams)
		}
		var inbox struct {
			Views []site.View          `json:"views"`
			Quick []site.QuickResponse `json:"quick_responses"`
		}
		var raw json.RawMessage
		if code := e.do("GET", "/v1/sites/demo/inbox", tok, nil, &raw); code != 200 {
			t.Fatalf("inbox settings: %d", code)
		}
		if err := json.Unmarshal(raw, &inbox); err != nil || len(inbox.Views) != 2 || len(inbox.Quick) != 1 || inbox.Quick[0].Shortcut != "hi" {
			t.Fatalf("inbox settings %s", raw)
		}
		for _, secret := range []string{demo.IdentitySecret, "identity_secret", "handoff", "routing"} {
			if strings.Contains(string(raw), secret) {
				t.Fatalf("inbox settings leak %q: %s", secret, raw)
			}
		}
		for _, path := range []string{"/v1/sites/demo/directory", "/v1/sites/demo/inbox"} {
			if code := e.do("GET", path, carolTok, nil, nil); code != 404 {
				t.Fatalf("another site's agent got %s: %d", path, code)
			}
			if code := e.do("GET", path, "", nil, nil); code != 401 {
				t.Fatalf("no token got %s: %d", path, code)
			}
		}
	})
}

func TestAgentEditsAVisitorsDetails(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.siteWith("other", "https://other.example")
		_, tok := e.agent("Alice", chat.RoleAgent, "demo")
		_, carolTok := e.agent("Carol", chat.RoleAgent, "other")
		conv, vid := e.newConversation("Hello")
		type out struct {
			Visitor map[string]any `json:"visitor"`
		}
		var got out
		body := map[string]any{"name": " Jane Doe ", "email": "jane@example.com", "phone": "+31 6 1234 5678", "address": "Main St 1\n1234 AB Utrecht"}
		if code := e.do("PATCH", "/v1/visitors/"+vid, tok, body, &got); code != 200 || got.Visitor["name"] != "Jane Doe" || got.Visitor["phone"] != "+31 6 1234 5678" {
			t.Fatalf("edit: %d %v", code, got)
		}
		if code := e.do("GET", "/v1/visitors/"+vid, tok, nil, &got); code != 200 || got.Visitor["email"] != "jane@example.com" || got.Visitor["email_verified"] != false ||
			got.Visitor["address"] != "Main St 1\n1234 AB Utrecht" {
			t.Fatalf("read back: %d %v", code, got)
		}
		bad := []struct {
			body  map[string]any
			code  int
			field string
		}{
			{map[string]any{"email": "not-an-email"}, 400, "email:"},
			{map[string]any{"phone": "call me maybe"}, 400, "phone:"},
			{map[string]any{"name": strings.Repeat("x", 201)}, 400, "name:"},
			{map[string]any{"name": "two\nlines"}, 400, "name:"},
			{map[string]any{"address": strings.Repeat("x", 501)}, 400, "address:"},
			{map[string]any{}, 400, "name, email"},
			{map[string]any{"nickname": "J"}, 400, "nickname"},
		}
		for _, b := range bad {
			var er struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if code := e.do("PATCH", "/v1/visitors/"+vid, tok, b.body, &er); code != b.code || !strings.Contains(er.Error.Message, b.field) {
				t.Errorf("%v: %d %v", b.body, code, er)
			}
		}
		if code := e.do("PATCH", "/v1/visitors/"+vid, carolTok, map[string]any{"name": "Mallory"}, nil); code != 404 {
			t.Fatalf("another site's agent edited: %d", code)
		}
		if code := e.do("PATCH", "/v1/visitors/vi_nope", tok, map[string]any{"name": "X"}, nil); code != 404 {
			t.Fatalf("unknown visitor: %d", code)
		}
		if code := e.do("GET", "/v1/visitors/"+vid, tok, nil, &got); got.Visitor["name"] != "Jane Doe" || got.Visitor["email"] != "jane@example.com" {
			t.Fatalf("refused edits changed the visitor: %d %v", code, got)
		}
		// A verified email is the site's word: shown, never changed by an agent.
		ctx := context.Background()
		if err := e.db.Tx(ctx, func(tx chat.Tx) error {
			v, err := tx.Visitor(vid)
			if err != nil {
				return err
			}
			v.EmailVerified = true
			return tx.SaveVisitor(v)
		}); err != nil {
			t.Fatal(err)
		}
		if code := e.do("PATCH", "/v1/visitors/"+vid, tok, map[string]any{"email": "other@example.com"}, nil); code != 409 {
			t.Fatalf("changed a verified email: %d", code)
		}
		got = out{}
		if code := e.do("PATCH", "/v1/visitors/"+vid, tok, map[string]any{"email": "jane@example.com", "phone": ""}, &got); code != 200 ||
			got.Visitor["email_verified"] != true || got.Visitor["phone"] != nil {
			t.Fatalf("edit beside a verified email: %d %v", code, got)
		}
		// Past conversations: the list filtered by visitor.
		a := e.mustDial(tok)
		a.ok(map[string]any{"type": "resolve", "conversation_id": conv})
		list := a.ok(map[string]any{"type": "list", "site": "demo", "visitor_id": vid}).list("conversations")
		if !slices.Equal(ids(list), []string{conv}) {
			t.Fatalf("visitor's conversations %v", ids(list))
		}
	})
}
