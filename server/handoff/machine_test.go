package handoff

import (
	"slices"
	"testing"
)

func TestStepFollowsTheFlow(t *testing.T) {
	inbox := Facts{Method: MethodInbox, Available: true}
	offline := Facts{Method: MethodInbox}
	verified := Facts{Method: MethodInbox, Available: true, Verified: true}
	zendesk := Facts{Method: MethodZendesk}
	message := Facts{Method: MethodMessage}
	at := func(s State) Flow { return Flow{State: s} }
	tests := []struct {
		name    string
		from    Flow
		in      Input
		facts   Facts
		to      Flow
		actions []Action
		records []string
		handled bool
	}{
		{"the bot gives up: the visitor is asked first", at(Idle), Start, inbox, at(Offered), []Action{AskConsent}, []string{RecOffered}, true},
		{"a new offer after a no", at(Declined), Start, inbox, at(Offered), []Action{AskConsent}, []string{RecOffered}, true},
		{"a new offer after a handoff ended", at(Done), Start, zendesk, at(Offered), []Action{AskConsent}, []string{RecOffered}, true},
		{"no person on the site: the owner's message, nothing asked", at(Idle), Start, message, at(Done), []Action{ShowMessage}, []string{RecMessageShown}, true},
		{"asked again while the offer stands: same offer, counted once", at(Offered), Start, inbox, at(Offered), []Action{AskConsent}, nil, true},
		{"human chat switched off while the offer stands", at(Offered), Start, message, at(Done), []Action{ShowMessage}, []string{RecMessageShown}, true},
		{"yes: an anonymous visitor is asked for their email", at(Offered), Yes, inbox, at(Identify), []Action{AskEmail}, []string{RecAccepted}, true},
		{"yes: a verified visitor goes straight to the team", at(Offered), Yes, verified, at(Done), []Action{ToTeam}, []string{RecAccepted, RecRouted}, true},
		{"yes: a verified visitor's ticket", at(Offered), Yes, Facts{Method: MethodGorgias, Verified: true}, at(Delivering), []Action{Dispatch}, []string{RecAccepted, RecTicketQueued}, true},
		{"yes, but human chat went off meanwhile", at(Offered), Yes, message, at(Done), []Action{ShowMessage}, []string{RecAccepted, RecMessageShown}, true},
		{"no: the bot stays", at(Offered), No, inbox, at(Declined), []Action{SayDeclined}, []string{RecDeclined}, true},
		{"something else: the offer lapses and the bot answers", at(Offered), Other, inbox, at(Idle), []Action{Pass}, nil, false},
		{"an email, live team available", at(Identify), Email, inbox, at(Done), []Action{ToTeam}, []string{RecRouted}, true},
		{"an email, nobody available: the auto-response", at(Identify), Email, offline, at(Done), []Action{AutoRespond}, []string{RecQueuedOffline}, true},
		{"an email, a ticket method: delivery starts", at(Identify), Email, zendesk, at(Delivering), []Action{Dispatch}, []string{RecTicketQueued}, true},
		{"not an email: a second chance", at(Identify), BadEmail, inbox, Flow{State: Identify, Tries: 1}, []Action{AskEmailAgain}, nil, true},
		{"anything else counts as not an email", at(Identify), Other, zendesk, Flow{State: Identify, Tries: 1}, []Action{AskEmailAgain}, nil, true},
		{"twice no email, inbox: the team still answers in the chat", Flow{State: Identify, Tries: 1}, BadEmail, inbox, at(Done), []Action{ToTeam}, []string{RecNoEmail, RecRouted}, true},
		{"twice no email, inbox, nobody there", Flow{State: Identify, Tries: 1}, BadEmail, offline, at(Done), []Action{AutoRespond}, []string{RecNoEmail, RecQueuedOffline}, true},
		{"twice no email, a ticket needs one: the bot stays", Flow{State: Identify, Tries: 1}, BadEmail, zendesk, at(Idle), []Action{GiveUp}, []string{RecNoEmail}, true},
		{"no instead of an email", at(Identify), No, inbox, at(Declined), []Action{SayDeclined}, []string{RecDeclined}, true},
		{"the bot does not offer again while the email is asked", at(Identify), Start, inbox, at(Identify), nil, nil, true},
		{"the ticket is created", at(Delivering), Delivered, zendesk, at(Done), []Action{CloseTicket}, []string{RecTicketCreated}, true},
		{"the ticket failed for good", at(Delivering), Failed, zendesk, at(Done), []Action{TicketFailed}, []string{RecTicketFailed}, true},
		{"a message while delivering: kept for the transcript, the bot quiet", at(Delivering), Other, zendesk, at(Delivering), nil, nil, true},
		{"answers after the flow ended are the bot's", at(Done), Yes, inbox, at(Done), []Action{Pass}, nil, false},
		{"answers after a no are the bot's", at(Declined), No, inbox, at(Declined), []Action{Pass}, nil, false},
		{"a late delivery report changes nothing", at(Done), Delivered, zendesk, at(Done), []Action{Pass}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Step(tt.from, tt.in, tt.facts)
			if r.Next != tt.to || !slices.Equal(r.Actions, tt.actions) || !slices.Equal(r.Records, tt.records) || r.Handled != tt.handled {
				t.Errorf("Step(%+v, %s) = %+v %v %v handled=%v; want %+v %v %v handled=%v",
					tt.from, tt.in, r.Next, r.Actions, r.Records, r.Handled, tt.to, tt.actions, tt.records, tt.handled)
			}
		})
	}
}

// Whatever happens, nothing is handed over without a yes: no input reaches the team, a ticket
// or the queue from a state where the visitor was not asked and did not accept.
func TestStepHandsOverOnlyAfterAYes(t *testing.T) {
	states := []State{Idle, Offered, Declined, Identify, Delivering, Done}
	inputs := []Input{Start, Yes, No, Other, Email, BadEmail, Delivered, Failed}
	methods := []Method{MethodInbox, MethodZendesk, MethodGorgias, MethodEmail, MethodWebhook, MethodMessage}
	handsOver := map[Action]bool{ToTeam: true, AutoRespond: true, Dispatch: true}
	for _, st := range states {
		for _, in := range inputs {
			for _, m := range methods {
				for _, avail := range []bool{false, true} {
					for _, tries := range []int{0, 1} {
						f := Flow{State: st, Tries: tries}
						r := Step(f, in, Facts{Method: m, Available: avail})
						for _, a := range r.Actions {
							if handsOver[a] && !(st == Identify || (st == Offered && in == Yes)) {
								t.Errorf("%+v + %s (%s): %s without the visitor's yes", f, in, m, a)
							}
						}
						if m == MethodMessage && (slices.Contains(r.Actions, AskConsent) || slices.Contains(r.Actions, Dispatch)) {
							t.Errorf("%+v + %s: method message offers or dispatches: %v", f, in, r.Actions)
						}
						if r.Next.State == Delivering && !m.Ticket() && st != Delivering {
							t.Errorf("%+v + %s (%s): delivering without a ticket method", f, in, m)
						}
					}
				}
			}
		}
	}
}
