package handoff

import (
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
)

func TestEveryConversationHasOneOutcome(t *testing.T) {
	cases := []struct {
		name string
		f    chat.OutcomeFacts
		want Outcome
	}{
		{"the bot answered", chat.OutcomeFacts{Status: chat.StatusBot}, OutcomeBot},
		{"the bot answered, resolved", chat.OutcomeFacts{Status: chat.StatusResolved}, OutcomeBot},
		{"an offer that lapsed, untagged", chat.OutcomeFacts{Status: chat.StatusBot, HandoffState: ""}, OutcomeBot},
		{"waiting in Unassigned", chat.OutcomeFacts{Status: chat.StatusUnassigned, HandoffState: "done", HandoffOutcome: "team", Tagged: true}, OutcomeHuman},
		{"a person has it", chat.OutcomeFacts{Status: chat.StatusAssigned, Assigned: true}, OutcomeHuman},
		{"a person took it from the bot and resolved it", chat.OutcomeFacts{Status: chat.StatusResolved, Assigned: true}, OutcomeHuman},
		{"a person replied after the handoff, then handed it back", chat.OutcomeFacts{Status: chat.StatusBot, Replied: true, HandoffOutcome: "team"}, OutcomeHuman},
		{"a failed ticket waits for a person", chat.OutcomeFacts{Status: chat.StatusUnassigned, HandoffState: "done", HandoffOutcome: "failed"}, OutcomeHuman},
		{"a ticket", chat.OutcomeFacts{Status: chat.StatusResolved, HandoffState: "done", HandoffOutcome: "ticket", Tagged: true}, OutcomeTicket},
		{"a ticket on its way", chat.OutcomeFacts{Status: chat.StatusBot, HandoffState: "delivering", Tagged: true}, OutcomeTicket},
		{"a ticket a person answered in the chat too", chat.OutcomeFacts{Status: chat.StatusAssigned, Assigned: true, HandoffOutcome: "ticket"}, OutcomeHuman},
		{"declined", chat.OutcomeFacts{Status: chat.StatusBot, HandoffState: "declined", HandoffOutcome: "declined"}, OutcomeAbandoned},
		{"no email for the ticket", chat.OutcomeFacts{Status: chat.StatusBot, HandoffOutcome: "no_email"}, OutcomeAbandoned},
		{"the owner's message", chat.OutcomeFacts{Status: chat.StatusBot, HandoffState: "done", HandoffOutcome: "message"}, OutcomeAbandoned},
		{"left at the consent question", chat.OutcomeFacts{Status: chat.StatusBot, HandoffState: "offered"}, OutcomeAbandoned},
		{"left at the email form", chat.OutcomeFacts{Status: chat.StatusBot, HandoffState: "identify"}, OutcomeAbandoned},
		{"to the team, resolved before anyone took it", chat.OutcomeFacts{Status: chat.StatusResolved, HandoffState: "done", HandoffOutcome: "offline"}, OutcomeAbandoned},
		{"the bot could not help, no handoff", chat.OutcomeFacts{Status: chat.StatusBot, Tagged: true}, OutcomeAbandoned},
	}
	for _, c := range cases {
		if got := OutcomeOf(c.f); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestDaysListEveryDayOfTheRange(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 7 to 9 March 2026 in New York: summer time starts on the 8th (a 23-hour day).
	start := time.Date(2026, 3, 7, 0, 0, 0, 0, ny)
	end := time.Date(2026, 3, 10, 0, 0, 0, 0, ny)
	facts := []chat.OutcomeFacts{
		{Date: "2026-03-07", Status: chat.StatusBot, Count: 2},
		{Date: "2026-03-07", Status: chat.StatusAssigned, Assigned: true, Count: 1},
		{Date: "2026-03-09", HandoffOutcome: "ticket", Count: 3},
		{Date: "2026-03-09", HandoffOutcome: "declined", Count: 1},
		{Date: "2026-03-09", Status: chat.StatusBot, Tagged: true, Count: 4},
	}
	got, total := days(facts, start, end)
	want := []Day{
		{Date: "2026-03-07", Outcomes: Outcomes{BotResolved: 2, Human: 1}},
		{Date: "2026-03-08"},
		{Date: "2026-03-09", Outcomes: Outcomes{Ticket: 3, Abandoned: 5}},
	}
	if len(got) != len(want) {
		t.Fatalf("days: %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("day %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if total != (Outcomes{BotResolved: 2, Human: 1, Ticket: 3, Abandoned: 5}) {
		t.Errorf("total: %+v", total)
	}
}

func TestPercentileIsTheNearestRank(t *testing.T) {
	ds := func(secs ...int) []time.Duration {
		var out []time.Duration
		for _, s := range secs {
			out = append(out, time.Duration(s)*time.Second)
		}
		return out
	}
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{ds(5), 5 * time.Second},
		{ds(10, 1, 9, 2, 8, 3, 7, 4, 6, 5), 9 * time.Second},
		{ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 10 * time.Second},
		{ds(100, 1), 100 * time.Second},
	} {
		if got, ok := percentile(c.in, 90); !ok || got != c.want {
			t.Errorf("p90 of %v = %v, want %v", c.in, got, c.want)
		}
	}
	if _, ok := percentile(nil, 90); ok {
		t.Error("p90 of nothing")
	}
}
