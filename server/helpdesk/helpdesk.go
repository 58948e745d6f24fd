// Package helpdesk delivers a handed-off conversation outside Baton: a ticket in Zendesk or
// Gorgias, an email to the site's support address, or a signed webhook to the owner's own
// system. Each method is a Deliverer that makes one attempt; package outbox makes the attempts
// durable (retries with backoff, idempotency across a crash, the fallback email).
//
// A Deliverer's error says whether trying again can help: a *Retry (429 with its Retry-After,
// 5xx, timeouts, unreachable hosts) is retried, anything else (422, a bad token, a refused
// address) is final.
package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Methods a site can deliver a handoff with.
const (
	MethodZendesk = "zendesk"
	MethodGorgias = "gorgias"
	MethodEmail   = "email"
	MethodWebhook = "webhook"
)

// Ticket is what every method delivers: the conversation as the team needs it to answer the
// visitor by email.
type Ticket struct {
	ConversationID string  `json:"conversation_id"`
	SiteKey        string  `json:"site_key"`
	SiteName       string  `json:"site_name,omitempty"`
	Subject        string  `json:"subject,omitempty"` // empty: "Chat with <visitor>"
	Visitor        Visitor `json:"visitor"`
	// Tags are the conversation's tags; they become the ticket's tags.
	Tags []string `json:"tags"`
	// Link opens the conversation in Baton's inbox.
	Link string `json:"link,omitempty"`
	// TimeZone (IANA) the transcript's times are written in; empty: UTC.
	TimeZone   string `json:"time_zone,omitempty"`
	Transcript []Line `json:"transcript"`
	// Reason says why the bot handed the conversation over.
	Reason string `json:"reason,omitempty"`
	// Notice is said above the transcript, for example why it arrives by the fallback email.
	Notice string `json:"notice,omitempty"`
}

// Visitor is who the team answers.
type Visitor struct {
	ID            string `json:"id"`
	ExternalID    string `json:"external_id,omitempty"` // the site's own user id (the identity token's sub)
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"` // vouched for by the site's identity token
	Name          string `json:"name,omitempty"`
}

// Line is one message of the transcript.
type Line struct {
	At         time.Time `json:"at"`
	Author     string    `json:"author"`      // display name
	AuthorType string    `json:"author_type"` // visitor, bot, agent or system
	Text       string    `json:"text"`
}

// Request is one attempt at delivering a ticket.
type Request struct {
	// Key is the same on every attempt of one delivery: vendors that support it dedupe on it
	// (Zendesk's Idempotency-Key), and it is the ticket's external_id.
	Key string
	// Attempt counts from 1. An attempt after the first may follow one that reached the vendor
	// without Baton learning of it (a timeout, a crash), so it looks for the ticket first.
	Attempt int
	Ticket  *Ticket
}

// Deliverer makes one attempt at delivering a ticket and returns the reference the vendor gave
// it (a ticket id, a Message-ID, an event id).
type Deliverer interface {
	Deliver(ctx context.Context, r Request) (ref string, err error)
}

// Retry is a failure that trying again later can mend: the vendor was busy or down, or did not
// answer in time.
type Retry struct {
	// After is how long the vendor asked Baton to wait (Retry-After); 0 leaves it to the
	// outbox's backoff.
	After time.Duration
	Err   error
}

func (r *Retry) Error() string {
	if r.After > 0 {
		return fmt.Sprintf("%v (retry after %s)", r.Err, r.After)
	}
	return r.Err.Error()
}

func (r *Retry) Unwrap() error { return r.Err }

// RetryAfter reports whether err is worth retrying and how long the vendor asked to wait.
func RetryAfter(err error) (time.Duration, bool) {
	var r *Retry
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// subject is the ticket's subject line: one line, never empty.
func (t *Ticket) subject() string {
	s := oneLine(t.Subject)
	if s == "" {
		who := oneLine(t.Visitor.Name)
		if who == "" {
			who = oneLine(t.Visitor.Email)
		}
		s = "Chat with " + who
	}
	return truncate(s, 200)
}

// requesterEmail is the visitor's address, checked: a vendor ticket needs one to reply to.
func (t *Ticket) requesterEmail() (string, error) {
	a, err := mail.ParseAddress(t.Visitor.Email)
	if err != nil || a.Address != strings.TrimSpace(t.Visitor.Email) {
		return "", fmt.Errorf("the visitor's email %q is not an address", t.Visitor.Email)
	}
	return a.Address, nil
}

// oneLine makes s safe for a one-line field (a subject, a name): control characters, line
// breaks included, become spaces, and runs of spaces one.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || (r >= 0x80 && r < 0xa0)
	}), " ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
