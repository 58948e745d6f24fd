package handoff

import (
	"time"

	"github.com/batonchat/baton/server/chat"
)

// Outcome is where a conversation ended up, for the dashboard's chart: every conversation has
// exactly one (see docs/dashboard.md).
type Outcome string

// The outcomes, in the order they are decided: the first that applies wins.
const (
	// OutcomeHuman: a person has or had the conversation: it is assigned to one (a person's
	// reply assigns it to them, and resolving keeps the assignee), a person replied after the
	// visitor accepted the handoff, or it waits in Unassigned for one.
	OutcomeHuman Outcome = "human"
	// OutcomeTicket: the handoff delivered it to the helpdesk, the support address or the
	// owner's webhook, or is delivering it.
	OutcomeTicket Outcome = "ticket"
	// OutcomeAbandoned: the visitor needed a person and did not get one: they declined the
	// offer, left it or the email form unanswered, gave no usable email for a ticket, were
	// shown the owner's message instead of a person, or went to the team and the conversation
	// was resolved (or given back to the bot) before a person took it; or the bot could not
	// resolve it (sys_human_help or sys_human_follow_up) and nobody else did.
	OutcomeAbandoned Outcome = "abandoned"
	// OutcomeBot: the bot coped alone: none of the above.
	OutcomeBot Outcome = "bot_resolved"
)

// OutcomeOf decides the outcome of conversations from the facts the store keeps.
func OutcomeOf(f chat.OutcomeFacts) Outcome {
	switch {
	case f.Assigned || f.Replied || f.Status == chat.StatusUnassigned || f.Status == chat.StatusAssigned:
		return OutcomeHuman
	case f.HandoffOutcome == "ticket" || State(f.HandoffState) == Delivering:
		return OutcomeTicket
	case f.Tagged || f.HandoffOutcome != "" || State(f.HandoffState) == Offered || State(f.HandoffState) == Identify:
		return OutcomeAbandoned
	}
	return OutcomeBot
}

// Outcomes count conversations by outcome.
type Outcomes struct {
	BotResolved int `json:"bot_resolved"`
	Human       int `json:"human"`
	Ticket      int `json:"ticket"`
	Abandoned   int `json:"abandoned"`
}

// Day is one day of the range (in the site's time zone) and its conversations by outcome.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD
	Outcomes
}

func (d *Outcomes) add(o Outcome, n int) {
	switch o {
	case OutcomeHuman:
		d.Human += n
	case OutcomeTicket:
		d.Ticket += n
	case OutcomeAbandoned:
		d.Abandoned += n
	default:
		d.BotResolved += n
	}
}

// days spreads the facts over the days from start (inclusive) to end (exclusive), both local
// midnights; the total is the sum of every day.
func days(facts []chat.OutcomeFacts, start, end time.Time) ([]Day, Outcomes) {
	var out []Day
	index := map[string]int{}
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		date := d.Format(time.DateOnly)
		index[date] = len(out)
		out = append(out, Day{Date: date})
	}
	var total Outcomes
	for _, f := range facts {
		o := OutcomeOf(f)
		total.add(o, f.Count)
		if i, ok := index[f.Date]; ok {
			out[i].add(o, f.Count)
		}
	}
	return out, total
}
