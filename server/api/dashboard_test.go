package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
)

// The dashboard's chart: GET /v1/sites/{key}/stats counts the conversations of each day of
// the range, in the site's time zone, by outcome (docs/dashboard.md).

// seedConversation stores a conversation started at, as the handoff flow and the agents would
// have left it: status, assignee, handoff record, tags.
func (e *env) seedConversation(siteKey string, at time.Time, status chat.Status, assignee string, h *chat.Handoff, tags ...string) {
	e.t.Helper()
	ctx := context.Background()
	s, err := e.db.SiteByKey(ctx, siteKey)
	if err != nil {
		e.t.Fatal(err)
	}
	c := &chat.Conversation{ID: chat.NewID("cv"), SiteID: s.ID, VisitorID: chat.NewID("vi"), Status: chat.StatusBot, CreatedAt: at}
	err = e.db.Tx(ctx, func(tx chat.Tx) error {
		if err := tx.EnsureVisitor(&chat.Visitor{ID: c.VisitorID, SiteID: s.ID}); err != nil {
			return err
		}
		if err := tx.CreateConversation(c); err != nil {
			return err
		}
		for _, tag := range tags {
			if _, err := tx.AddTag(c, tag); err != nil {
				return err
			}
		}
		c.Status, c.AssigneeID = status, assignee
		if status == chat.StatusResolved {
			c.ResolvedAt = at.Add(time.Hour)
		}
		if err := tx.SaveConversation(c); err != nil {
			return err
		}
		if h == nil {
			return nil
		}
		h.ConversationID, h.SiteID, h.OfferedAt, h.UpdatedAt = c.ID, s.ID, at, at
		return tx.(chat.HandoffTx).SaveHandoff(h)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

type statsDay struct {
	Date        string `json:"date"`
	BotResolved int    `json:"bot_resolved"`
	Human       int    `json:"human"`
	Ticket      int    `json:"ticket"`
	Abandoned   int    `json:"abandoned"`
}

type statsReply struct {
	TimeZone      string     `json:"time_zone"`
	Conversations int        `json:"conversations"`
	Outcomes      statsDay   `json:"outcomes"`
	Days          []statsDay `json:"days"`
	P90           *int64     `json:"p90_consent_to_first_reply_ms"`
	Error         struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestStatsChartCountsEachDayByOutcomeInTheSiteTimeZone(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.botSite("shop", shop+"business_hours:\n  timezone: America/New_York\n  weekly: {monday: [\"09:00-17:00\"]}\n")
		e.botSite("other", shop)
		_, admin := e.agent("Root", chat.RoleAdmin)
		alice, _ := e.agent("Alice", chat.RoleAgent, "shop")
		_, otherAgent := e.agent("Olga", chat.RoleAgent, "other")
		_, shopAgent := e.agent("Sam", chat.RoleAgent, "shop")

		ny := mustZone("America/New_York")
		at := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, ny) }
		consented := func(state, outcome string, reply time.Duration) *chat.Handoff {
			h := &chat.Handoff{State: state, Outcome: outcome, Method: "inbox", ConsentedAt: at(1, 0, 0)}
			if reply > 0 {
				h.FirstReplyAt = h.ConsentedAt.Add(reply)
			}
			return h
		}
		// Saturday 7 March (New York): two the bot answered (the first at midnight), one the
		// visitor declined, one a person answered late in the evening (after midnight in UTC).
		e.seedConversation("shop", at(7, 0, 0), chat.StatusBot, "", nil)
		e.seedConversation("shop", at(7, 13, 0), chat.StatusResolved, "", nil)
		e.seedConversation("shop", at(7, 14, 0), chat.StatusBot, "", &chat.Handoff{State: "declined", Outcome: "declined"}, "sys_human_help")
		e.seedConversation("shop", at(7, 23, 50), chat.StatusResolved, alice.ID, consented("done", "team", 2*time.Minute), "sys_human_help")
		// Sunday 8 March, 23 hours long (summer time starts): a ticket, a ticket on its way, one
		// waiting in Unassigned, one resolved before anyone took it, one the bot could not answer.
		e.seedConversation("shop", at(8, 1, 0), chat.StatusResolved, "", &chat.Handoff{State: "done", Outcome: "ticket", Method: "zendesk"}, "sys_human_help")
		e.seedConversation("shop", at(8, 9, 0), chat.StatusBot, "", &chat.Handoff{State: "delivering", Method: "email"}, "sys_human_follow_up")
		e.seedConversation("shop", at(8, 12, 0), chat.StatusUnassigned, "", consented("done", "offline", 0), "sys_human_help")
		e.seedConversation("shop", at(8, 12, 30), chat.StatusResolved, "", consented("done", "team", 0), "sys_human_help")
		e.seedConversation("shop", at(8, 23, 59), chat.StatusBot, "", nil, "sys_human_help")
		// Monday 9 March: a person took one from the bot without a handoff; nothing else.
		e.seedConversation("shop", at(9, 10, 0), chat.StatusAssigned, alice.ID, nil)
		// Outside the range (New York days), and another site's on a day of the range.
		e.seedConversation("shop", at(6, 23, 59), chat.StatusBot, "", nil)
		e.seedConversation("shop", at(11, 0, 0), chat.StatusBot, "", nil)
		e.seedConversation("other", at(8, 12, 0), chat.StatusBot, "", nil)

		var s statsReply
		if code := e.do("GET", "/v1/sites/shop/stats?from=2026-03-07&to=2026-03-10", admin, nil, &s); code != 200 {
			t.Fatalf("stats: %d %+v", code, s)
		}
		want := []statsDay{
			{Date: "2026-03-07", BotResolved: 2, Human: 1, Abandoned: 1},
			{Date: "2026-03-08", Human: 1, Ticket: 2, Abandoned: 2},
			{Date: "2026-03-09", Human: 1},
			{Date: "2026-03-10"},
		}
		if s.TimeZone != "America/New_York" || s.Conversations != 10 || len(s.Days) != len(want) {
			t.Fatalf("%+v", s)
		}
		for i := range want {
			if s.Days[i] != want[i] {
				t.Errorf("day %d: %+v, want %+v", i, s.Days[i], want[i])
			}
		}
		if s.Outcomes != (statsDay{BotResolved: 2, Human: 3, Ticket: 2, Abandoned: 3}) {
			t.Errorf("outcomes: %+v", s.Outcomes)
		}
		if s.P90 == nil || *s.P90 != (2*time.Minute).Milliseconds() {
			t.Errorf("p90: %v", s.P90)
		}
		// One day; the outcomes always add up to the conversations.
		e.do("GET", "/v1/sites/shop/stats?from=2026-03-08&to=2026-03-08", admin, nil, &s)
		o := s.Outcomes
		if len(s.Days) != 1 || s.Conversations != 5 || o.BotResolved+o.Human+o.Ticket+o.Abandoned != 5 {
			t.Errorf("the 8th: %+v", s)
		}

		bad := []struct {
			name, query, token string
			code               int
			names              string // what the error message must name
		}{
			{"an agent of another site", "from=2026-03-07&to=2026-03-10", otherAgent, http.StatusForbidden, ""},
			{"an agent of the site: admins only", "from=2026-03-07&to=2026-03-10", shopAgent, http.StatusForbidden, ""},
			{"no token", "from=2026-03-07&to=2026-03-10", "", http.StatusUnauthorized, ""},
			{"no to", "from=2026-03-07", admin, http.StatusBadRequest, "to"},
			{"not a date", "from=2026-03-32&to=2026-04-01", admin, http.StatusBadRequest, "from:"},
			{"to before from", "from=2026-03-10&to=2026-03-07", admin, http.StatusBadRequest, "to:"},
			{"367 days", "from=2025-03-01&to=2026-03-02", admin, http.StatusBadRequest, "to:"},
		}
		for _, b := range bad {
			var r statsReply
			code := e.do("GET", "/v1/sites/shop/stats?"+b.query, b.token, nil, &r)
			if code != b.code || !strings.Contains(r.Error.Message, b.names) {
				t.Errorf("%s: %d %q, want %d naming %q", b.name, code, r.Error.Message, b.code, b.names)
			}
		}
		// 366 days is the most.
		if code := e.do("GET", "/v1/sites/shop/stats?from=2025-03-02&to=2026-03-02", admin, nil, &s); code != 200 || len(s.Days) != 366 {
			t.Errorf("366 days: %d, %d days", code, len(s.Days))
		}
	})
}

func TestStatsOutcomesFollowWhatTheFlowDid(t *testing.T) {
	rec := &recorder{}
	e := startWithBot(t, withRecorder(rec))
	e.botSite("shop", shop)
	e.botSite("desk", shop+byTicket("zendesk"))
	_, admin := e.agent("Root", chat.RoleAdmin)
	_, tok := e.agent("Alice", chat.RoleAgent, "shop", "desk")
	agent := e.mustDial(tok)

	// The inbox: answered by the bot; declined; handed over and answered by Alice; handed over
	// and resolved by Alice without a word.
	v := e.mustDial(e.visitorToken("shop"))
	v.say("When are you open?")
	v.botMessage()
	v = e.mustDial(e.visitorToken("shop"))
	v.say("Can I pay with seashells?")
	v.offer()
	v.say("no")
	v.botMessage()
	v = e.mustDial(e.visitorToken("shop"))
	answered := v.say("Can I pay with seashells?")
	v.acceptHandoff("jane@example.com")
	e.waitStatus(tok, answered, "unassigned")
	agent.ok(map[string]any{"type": "send", "conversation_id": answered, "client_id": "a1", "text": "Yes you can."})
	v = e.mustDial(e.visitorToken("shop"))
	dropped := v.say("Can I pay with pearls?")
	v.acceptHandoff("joe@example.com")
	e.waitStatus(tok, dropped, "unassigned")
	agent.ok(map[string]any{"type": "resolve", "conversation_id": dropped})

	// Tickets: one on its way, one delivered, one failed for good (to the team).
	ticket := func() string {
		v := e.mustDial(e.visitorToken("desk"))
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		rec.delivery(t, id)
		return id
	}
	ticket()
	delivered, failed := ticket(), ticket()
	if err := e.srv.Handoff().Delivered(context.Background(), delivered, "T-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Handoff().Failed(context.Background(), failed, "422 Unprocessable Entity"); err != nil {
		t.Fatal(err)
	}
	e.waitStatus(tok, failed, "unassigned")

	today := time.Now().UTC().Format(time.DateOnly)
	for _, c := range []struct {
		site string
		want statsDay
	}{
		{"shop", statsDay{Date: today, BotResolved: 1, Human: 1, Abandoned: 2}},
		{"desk", statsDay{Date: today, Human: 1, Ticket: 2}},
	} {
		var s statsReply
		if code := e.do("GET", "/v1/sites/"+c.site+"/stats?from="+today+"&to="+today, admin, nil, &s); code != 200 || len(s.Days) != 1 {
			t.Fatalf("%s: %d %+v", c.site, code, s)
		}
		if s.Days[0] != c.want {
			t.Errorf("%s: %+v, want %+v", c.site, s.Days[0], c.want)
		}
	}
}
