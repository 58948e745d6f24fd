// Package handoff runs what happens when the bot gives a conversation up: it asks the visitor
// whether they want a person (nothing is handed over without a yes), asks an anonymous visitor
// for their email, and delivers the conversation by the site's method — Baton's own inbox (live
// when someone is available, else the business-hours auto-response), a helpdesk ticket, an
// email, a webhook, or the owner's message.
//
// The flow is one explicit state machine (Step, in this file: plain Go, no I/O) driven by the
// Service, which keeps its state beside the conversation and applies its actions in the same
// transaction. docs/handoff.md has the diagram.
package handoff

// State is where a conversation's handoff stands. It is stored with the conversation.
type State string

// The states of the flow.
const (
	Idle       State = ""           // no handoff under way: the bot answers
	Offered    State = "offered"    // the visitor was asked whether they want a person
	Declined   State = "declined"   // they said no: the bot carries on
	Identify   State = "identify"   // they said yes and are asked for their email
	Delivering State = "delivering" // handed to a helpdesk, email or webhook: waiting for its reference
	Done       State = "done"       // with the team, in a ticket, or shown the owner's message
)

// Input is what happened to a conversation's handoff.
type Input string

// The inputs of the flow.
const (
	Start     Input = "start"     // the bot gives the conversation up
	Yes       Input = "yes"       // the visitor wants a person
	No        Input = "no"        // they do not
	Other     Input = "other"     // a message that answers nothing asked: a new question
	Email     Input = "email"     // an email address
	BadEmail  Input = "bad_email" // an answer to the email question that is not an address
	Delivered Input = "delivered" // the helpdesk, email or webhook took the conversation
	Failed    Input = "failed"    // it could not, for good
)

// Method is how a site's team is reached.
type Method string

// Handoff methods (site settings `handoff.method`).
const (
	MethodInbox   Method = "inbox"   // Baton's own inbox: live chat, or the queue and email replies
	MethodZendesk Method = "zendesk" // a Zendesk ticket
	MethodGorgias Method = "gorgias" // a Gorgias ticket
	MethodEmail   Method = "email"   // the transcript by email to the support address
	MethodWebhook Method = "webhook" // a signed JSON payload to the owner's system
	MethodMessage Method = "message" // no person: the owner's message
)

// Ticket reports whether the method ends the chat with a ticket (or email, or webhook) that a
// person answers by email.
func (m Method) Ticket() bool {
	return m == MethodZendesk || m == MethodGorgias || m == MethodEmail || m == MethodWebhook
}

// Facts are what the machine needs to know of the world at a step.
type Facts struct {
	// Method is the site's method; MethodMessage when human chat is switched off.
	Method Method
	// Verified is true when the site identified the visitor with an email: nothing is asked.
	Verified bool
	// Available is true when the inbox can answer live: open by the calendar, human chat on, an
	// agent online with room.
	Available bool
}

// Flow is the machine's state: the stored part of a handoff that decides the next step.
type Flow struct {
	State State
	Tries int // answers to the email question that were not an address
}

// Action is one thing the Service does for a step, in order.
type Action string

// The actions.
const (
	AskConsent    Action = "ask_consent"     // ask whether they want a person, with two quick replies
	SayDeclined   Action = "say_declined"    // the bot stays, and says how to ask again
	AskEmail      Action = "ask_email"       // the inline email form
	AskEmailAgain Action = "ask_email_again" // that was not an email address: a second chance
	GiveUp        Action = "give_up"         // still no address, and a ticket needs one: the bot stays
	ToTeam        Action = "to_team"         // the Unassigned queue; a person is coming (and the wait)
	AutoRespond   Action = "auto_respond"    // the Unassigned queue; the business-hours auto-response
	Dispatch      Action = "dispatch"        // tell the visitor where the reply goes; hand to the outbox
	ShowMessage   Action = "show_message"    // the owner's message; the bot keeps the conversation
	CloseTicket   Action = "close_ticket"    // store the reference and resolve the conversation
	TicketFailed  Action = "ticket_failed"   // the Unassigned queue, so that a person sees it
	Pass          Action = "pass"            // not the handoff's: the bot answers the message
)

// Record kinds: the steps counted for the dashboard.
const (
	RecOffered       = "offered"
	RecAccepted      = "accepted"
	RecDeclined      = "declined"
	RecRouted        = "routed"         // to the inbox, someone available
	RecQueuedOffline = "queued_offline" // to the inbox, with the auto-response
	RecTicketQueued  = "ticket_queued"
	RecTicketCreated = "ticket_created"
	RecTicketFailed  = "ticket_failed"
	RecMessageShown  = "message_shown"
	RecNoEmail       = "no_email"
	RecFirstReply    = "first_human_reply"
)

// Result is the outcome of one step.
type Result struct {
	Next    Flow
	Actions []Action
	Records []string
	// Handled is false when the input was not for the handoff (the bot answers the message).
	Handled bool
}

// Step is the flow: given where a handoff stands, what happened and the facts of the moment,
// it returns where it goes and what to do. It has no side effects.
func Step(f Flow, in Input, facts Facts) Result {
	stay := Result{Next: f, Handled: true}
	switch f.State {
	case Idle, Declined, Done:
		if in != Start {
			return Result{Next: f, Actions: []Action{Pass}}
		}
		if facts.Method == MethodMessage {
			return Result{Next: Flow{State: Done}, Actions: []Action{ShowMessage}, Records: []string{RecMessageShown}, Handled: true}
		}
		return Result{Next: Flow{State: Offered}, Actions: []Action{AskConsent}, Records: []string{RecOffered}, Handled: true}

	case Offered:
		switch in {
		case Start:
			if facts.Method == MethodMessage {
				return Result{Next: Flow{State: Done}, Actions: []Action{ShowMessage}, Records: []string{RecMessageShown}, Handled: true}
			}
			// Asked again (another unanswerable question): the same offer, counted once.
			return Result{Next: f, Actions: []Action{AskConsent}, Handled: true}
		case Yes:
			if facts.Verified || facts.Method == MethodMessage {
				r := deliver(facts, true)
				r.Records = append([]string{RecAccepted}, r.Records...)
				return r
			}
			return Result{Next: Flow{State: Identify}, Actions: []Action{AskEmail}, Records: []string{RecAccepted}, Handled: true}
		case No:
			return Result{Next: Flow{State: Declined}, Actions: []Action{SayDeclined}, Records: []string{RecDeclined}, Handled: true}
		case Other, Email, BadEmail:
			// Not an answer: the visitor moved on. The offer lapses and the bot answers.
			return Result{Next: Flow{State: Idle}, Actions: []Action{Pass}}
		}
		return stay

	case Identify:
		switch in {
		case Email:
			return deliver(facts, true)
		case BadEmail, Other:
			if f.Tries == 0 {
				return Result{Next: Flow{State: Identify, Tries: 1}, Actions: []Action{AskEmailAgain}, Handled: true}
			}
			if facts.Method == MethodInbox {
				// The team can still answer in the chat; only a reply by email is not possible.
				r := deliver(facts, false)
				r.Records = append([]string{RecNoEmail}, r.Records...)
				return r
			}
			return Result{Next: Flow{State: Idle}, Actions: []Action{GiveUp}, Records: []string{RecNoEmail}, Handled: true}
		case No:
			return Result{Next: Flow{State: Declined}, Actions: []Action{SayDeclined}, Records: []string{RecDeclined}, Handled: true}
		}
		return stay // Start, Yes: the question stands

	case Delivering:
		switch in {
		case Delivered:
			return Result{Next: Flow{State: Done}, Actions: []Action{CloseTicket}, Records: []string{RecTicketCreated}, Handled: true}
		case Failed:
			return Result{Next: Flow{State: Done}, Actions: []Action{TicketFailed}, Records: []string{RecTicketFailed}, Handled: true}
		}
		// What the visitor says meanwhile is stored (and goes with the transcript); the bot
		// stays quiet: the team has it.
		return stay
	}
	return stay
}

// deliver hands the conversation over by the method, once the visitor said yes (and gave an
// email, or was verified, or — for the inbox only — gave up giving one).
func deliver(facts Facts, withEmail bool) Result {
	switch {
	case facts.Method == MethodInbox && facts.Available:
		return Result{Next: Flow{State: Done}, Actions: []Action{ToTeam}, Records: []string{RecRouted}, Handled: true}
	case facts.Method == MethodInbox:
		return Result{Next: Flow{State: Done}, Actions: []Action{AutoRespond}, Records: []string{RecQueuedOffline}, Handled: true}
	case facts.Method.Ticket() && withEmail:
		return Result{Next: Flow{State: Delivering}, Actions: []Action{Dispatch}, Records: []string{RecTicketQueued}, Handled: true}
	}
	// Human chat was switched off between the offer and the answer.
	return Result{Next: Flow{State: Done}, Actions: []Action{ShowMessage}, Records: []string{RecMessageShown}, Handled: true}
}
