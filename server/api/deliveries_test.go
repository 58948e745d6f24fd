package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk/helpdesktest"
)

func withSMTP(s *helpdesktest.SMTP) envOption {
	return func(c *app.Config) { c.SMTPURL, c.SMTPFrom = s.URL(), "Baton <baton@chat.example.com>" }
}

type deliveryList struct {
	Deliveries []struct {
		ID             string `json:"id"`
		ConversationID string `json:"conversation_id"`
		Kind           string `json:"kind"`
		Method         string `json:"method"`
		Status         string `json:"status"`
		Attempts       int    `json:"attempts"`
		Ref            string `json:"ref"`
		LastError      string `json:"last_error"`
		FallbackOf     string `json:"fallback_of"`
		Reported       bool   `json:"reported"`
	} `json:"deliveries"`
	NextCursor string `json:"next_cursor"`
}

// The whole way: the visitor consents, the outbox creates the Zendesk ticket, the conversation
// is resolved with its reference, and admins see the delivery; a ticket Zendesk refuses goes
// to the fallback address.
func TestHandoffTicketsGoThroughTheOutbox(t *testing.T) {
	t.Setenv("BATON_TEST_ZD_TOKEN", "zd-token")
	zd := helpdesktest.NewZendesk(t, "agent@shop.example", "zd-token")
	mail := helpdesktest.NewSMTP(t)
	e := startWithBot(t, withPrivateBots, withSMTP(mail))
	e.botSite("zd", shop+"handoff:\n  method: zendesk\n  zendesk: {url: \""+zd.URL+"\", email: agent@shop.example, token_env: BATON_TEST_ZD_TOKEN}\n"+
		"  fallback_email: owner@shop.example\n")
	_, admin := e.agent("Root", chat.RoleAdmin)
	_, agent := e.agent("Alice", chat.RoleAgent, "zd")

	v := e.mustDial(e.visitorToken("zd"))
	id := v.say("Can I pay with seashells?")
	v.acceptHandoff("jane@example.com")
	e.waitStatus(admin, id, "resolved")
	tickets := zd.Tickets()
	if len(tickets) != 1 || tickets[0].RequesterEmail != "jane@example.com" || !strings.Contains(tickets[0].HTMLBody, "Can I pay with seashells?") ||
		!slices.Contains(tickets[0].Tags, "sys_human_help") || !strings.Contains(tickets[0].HTMLBody, "/console#zd/c/"+id) {
		t.Fatalf("tickets %+v", tickets)
	}
	if ev := handoffEvents(e.history(admin, id), "ticket_created"); len(ev) != 1 || ev[0].obj("event").str("ref") != "1000" {
		t.Fatalf("ticket event: %v", ev)
	}
	var list deliveryList
	waitFor(t, "the outcome reported", func() bool {
		list = deliveryList{}
		return e.do("GET", "/v1/sites/zd/deliveries", admin, nil, &list) == http.StatusOK && len(list.Deliveries) == 1 && list.Deliveries[0].Reported
	})
	if d := list.Deliveries[0]; d.ConversationID != id || d.Kind != "handoff" || d.Method != "zendesk" || d.Status != "delivered" || d.Ref != "1000" || d.Attempts != 1 {
		t.Fatalf("delivery %+v", d)
	}

	zd.Then(helpdesktest.Answer{Status: 422, Body: `{"error":"RecordInvalid","description":"Requester is suspended"}`})
	v2 := e.mustDial(e.visitorToken("zd"))
	id2 := v2.say("Can I pay with seashells?")
	v2.acceptHandoff("joe@example.com")
	e.waitStatus(admin, id2, "resolved")
	if ev := handoffEvents(e.history(admin, id2), "ticket_created"); len(ev) != 1 || !strings.HasPrefix(ev[0].obj("event").str("ref"), "fallback email <baton.") {
		t.Fatalf("ticket event: %v", ev)
	}
	mails := mail.Mails()
	if len(mails) != 1 || !slices.Equal(mails[0].To, []string{"owner@shop.example"}) || !strings.Contains(string(mails[0].Data), "RecordInvalid") {
		t.Fatalf("mails %+v", mails)
	}
	list = deliveryList{}
	e.do("GET", "/v1/sites/zd/deliveries?conversation_id="+id2, admin, nil, &list)
	if len(list.Deliveries) != 2 || list.Deliveries[1].Status != "failed" || !strings.Contains(list.Deliveries[1].LastError, "HTTP 422") ||
		list.Deliveries[0].Kind != "fallback" || list.Deliveries[0].FallbackOf != list.Deliveries[1].ID {
		t.Fatalf("deliveries %+v", list.Deliveries)
	}
	failed := deliveryList{}
	if code := e.do("GET", "/v1/sites/zd/deliveries?status=failed", admin, nil, &failed); code != http.StatusOK || len(failed.Deliveries) != 1 {
		t.Fatalf("failed: %d %+v", code, failed)
	}

	for _, tt := range []struct {
		name, path, token string
		want              int
	}{
		{"agents may not", "/v1/sites/zd/deliveries", agent, http.StatusForbidden},
		{"anonymous may not", "/v1/sites/zd/deliveries", "", http.StatusUnauthorized},
		{"unknown status", "/v1/sites/zd/deliveries?status=lost", admin, http.StatusBadRequest},
		{"unknown site", "/v1/sites/nope/deliveries", admin, http.StatusNotFound},
	} {
		if code := e.do("GET", tt.path, tt.token, nil, nil); code != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, code, tt.want)
		}
	}
}
