package api_test

import (
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

// tabCounts is the counts command's answer.
type tabCounts struct {
	Me, Unassigned, Open, Bot, Closed int
	Views                             []struct {
		Name  string
		Count int
	}
}

func countsOf(f frame) tabCounts {
	n := tabCounts{Me: int(f.num("me")), Unassigned: int(f.num("unassigned")), Open: int(f.num("open")), Bot: int(f.num("bot")), Closed: int(f.num("closed"))}
	for _, v := range f.list("views") {
		n.Views = append(n.Views, struct {
			Name  string
			Count int
		}{v.str("name"), int(v.num("count"))})
	}
	return n
}

// listed walks a list filter page by page and returns how many conversations it holds.
func listed(t *testing.T, c *client, filter map[string]any) int {
	t.Helper()
	n, cursor := 0, ""
	for range 100 {
		cmd := map[string]any{"type": "list", "site": "demo", "limit": 2}
		for k, v := range filter {
			cmd[k] = v
		}
		if cursor != "" {
			cmd["cursor"] = cursor
		}
		p := c.ok(cmd)
		n += len(p.list("conversations"))
		if cursor = p.str("next_cursor"); cursor == "" {
			return n
		}
	}
	t.Fatal("more pages than conversations")
	return 0
}

// TestCountsMatchTheListsAndFollowTheConversations: the counts command (and its REST mirror)
// answers every tab's exact number, the site's views included, equal to what walking the
// lists finds, and the numbers move with the conversations; another site is not found.
func TestCountsMatchTheListsAndFollowTheConversations(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.editSettings("demo", func(st *site.Settings) {
			st.Views = []site.View{{Name: "Needs a human", Tags: []string{"sys_human_help", "sys_human_follow_up"}}, {Name: "Returns", Tags: []string{"return_or_refund"}}}
		})
		e.siteWith("other", "https://other.example")
		alice, tok := e.agent("Alice", chat.RoleAgent, "demo")
		_, carolTok := e.agent("Carol", chat.RoleAgent, "other")
		a := e.mustDial(tok)

		var convs []string
		for _, text := range []string{"one", "two", "three", "four", "five"} {
			id, _ := e.newConversation(text)
			convs = append(convs, id)
		}
		// With the bot: convs[0]; Alice's: [1], [2]; unassigned: [3]; resolved: [4].
		a.ok(map[string]any{"type": "assign", "conversation_id": convs[0], "to_bot": true})
		a.ok(map[string]any{"type": "assign", "conversation_id": convs[1], "agent_id": alice.ID})
		a.ok(map[string]any{"type": "assign", "conversation_id": convs[2], "agent_id": alice.ID})
		a.ok(map[string]any{"type": "assign", "conversation_id": convs[3], "agent_id": ""})
		a.ok(map[string]any{"type": "resolve", "conversation_id": convs[4]})
		a.ok(map[string]any{"type": "tag", "conversation_id": convs[1], "tag": "sys_human_help"})
		a.ok(map[string]any{"type": "tag", "conversation_id": convs[1], "tag": "sys_human_follow_up"})
		a.ok(map[string]any{"type": "tag", "conversation_id": convs[3], "tag": "sys_human_follow_up"})
		a.ok(map[string]any{"type": "tag", "conversation_id": convs[4], "tag": "sys_human_help"})

		check := func(want tabCounts) {
			t.Helper()
			got := countsOf(a.ok(map[string]any{"type": "counts", "site": "demo"}))
			if got.Me != want.Me || got.Unassigned != want.Unassigned || got.Open != want.Open || got.Bot != want.Bot || got.Closed != want.Closed ||
				len(got.Views) != 2 || got.Views[0].Name != "Needs a human" || got.Views[1].Name != "Returns" ||
				got.Views[0].Count != want.Views[0].Count || got.Views[1].Count != want.Views[1].Count {
				t.Fatalf("counts %+v, want %+v", got, want)
			}
			// The lists hold as many.
			for _, c := range []struct {
				filter map[string]any
				n      int
			}{
				{map[string]any{"status": "open", "assignee": "me"}, got.Me},
				{map[string]any{"status": "unassigned"}, got.Unassigned},
				{map[string]any{"status": "open"}, got.Open},
				{map[string]any{"status": "bot"}, got.Bot},
				{map[string]any{"status": "resolved"}, got.Closed},
				{map[string]any{"tags": []string{"sys_human_help", "sys_human_follow_up"}}, got.Views[0].Count},
				{map[string]any{"tags": []string{"return_or_refund"}}, got.Views[1].Count},
			} {
				if n := listed(t, a, c.filter); n != c.n {
					t.Fatalf("list %v holds %d, counted %d", c.filter, n, c.n)
				}
			}
			// The REST mirror answers the same.
			var rest tabCounts
			if code := e.do("GET", "/v1/sites/demo/counts", tok, nil, &rest); code != 200 || rest.Open != got.Open || rest.Me != got.Me ||
				rest.Closed != got.Closed || len(rest.Views) != 2 || rest.Views[0] != got.Views[0] {
				t.Fatalf("REST counts: %d %+v, realtime %+v", code, rest, got)
			}
		}
		views := func(help, returns int) []struct {
			Name  string
			Count int
		} {
			return []struct {
				Name  string
				Count int
			}{{"Needs a human", help}, {"Returns", returns}}
		}
		check(tabCounts{Me: 2, Unassigned: 1, Open: 4, Bot: 1, Closed: 1, Views: views(2, 0)})

		// The numbers follow the conversations.
		a.ok(map[string]any{"type": "resolve", "conversation_id": convs[1]})
		a.ok(map[string]any{"type": "tag", "conversation_id": convs[2], "tag": "return_or_refund"})
		a.ok(map[string]any{"type": "assign", "conversation_id": convs[3], "agent_id": alice.ID})
		check(tabCounts{Me: 2, Unassigned: 0, Open: 3, Bot: 1, Closed: 2, Views: views(1, 1)})
		a.ok(map[string]any{"type": "reopen", "conversation_id": convs[4]})
		a.ok(map[string]any{"type": "assign", "conversation_id": convs[2], "agent_id": ""})
		check(tabCounts{Me: 1, Unassigned: 2, Open: 4, Bot: 1, Closed: 1, Views: views(2, 1)})

		// Another site's agent learns nothing of demo; demo's agent nothing of another site.
		c := e.mustDial(carolTok)
		if code := c.errCode(map[string]any{"type": "counts", "site": "demo"}); code != "not_found" {
			t.Fatalf("another site's agent: %s", code)
		}
		if code := a.errCode(map[string]any{"type": "counts", "site": "nosuch"}); code != "not_found" {
			t.Fatalf("no such site: %s", code)
		}
		if code := e.do("GET", "/v1/sites/demo/counts", carolTok, nil, nil); code != 404 {
			t.Fatalf("REST, another site's agent: %d", code)
		}
		if code := e.do("GET", "/v1/sites/demo/counts", "", nil, nil); code != 401 {
			t.Fatalf("REST without a token: %d", code)
		}
		if n := countsOf(c.ok(map[string]any{"type": "counts", "site": "other"})); n.Open != 0 || n.Closed != 0 || len(n.Views) != 0 {
			t.Fatalf("the other site counts %+v", n)
		}
	})
}
