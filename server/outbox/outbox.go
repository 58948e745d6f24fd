// Package outbox delivers handoffs outside Baton durably: a Zendesk or Gorgias ticket, an email
// to the support address, a signed webhook (package helpdesk makes each attempt), and the
// emails that bring a person's reply to a visitor who left the chat.
//
// Never lost: a delivery is a row of Baton's own database, written in the same transaction as
// the state change that decides it (Enqueue takes the caller's chat.Tx), so a crash either
// keeps both or neither. Workers claim due rows with a lease; a worker that dies leaves its
// rows to another one when the lease ends. An attempt that fails in a way a retry can mend
// (429 with its Retry-After, 5xx, a timeout) is tried again with exponential backoff; a final
// error, or the last attempt, fails the delivery, and its transcript then goes to the site's
// fallback address when it has one. Every failure is logged and listed for admins
// (GET /v1/sites/{key}/deliveries), and the flow hears the outcome (Outcomes).
//
// Never twice: the attempt counter is raised when a row is claimed, before the attempt, and
// each delivery has a key that is the same on every attempt: Zendesk dedupes on it
// (Idempotency-Key), it is the ticket's external_id that a later attempt looks up before
// creating (Zendesk, Gorgias), the webhook's event id, and the email's Message-ID. An attempt's
// deadline is well inside its lease, so two attempts of one delivery never overlap, and a late
// result is fenced off: it is stored only while the row still holds the lease it was claimed
// with.
//
// Why not a job-queue library: this was looked into. River (riverqueue/river) keeps its own
// schema and migrations beside goose, and its SQLite and database/sql drivers are published far
// behind River itself (riversqlite v0.31 against River v0.51 on the module proxy), so enqueueing
// in Baton's *sql.Tx on both databases was not available; goqite (maragu.dev/goqite) is an
// SQS-like queue of opaque messages with no attempts, errors, Retry-After backoff or listing per
// site, and could not be fetched through the module proxy. What the outbox needs beyond a table
// is a claim with a lease and a fence, which fits in the store's plain SQL for both databases.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/routing"
)

// Store is what the outbox needs of Baton's database; *store.DB implements it.
type Store interface {
	chat.DeliveryStore
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*chat.Delivery, error)
	SaveDelivery(ctx context.Context, d *chat.Delivery, lease time.Time, next *chat.Delivery) (bool, error)
	NextDeliveryAt(ctx context.Context) (time.Time, bool, error)
	SiteByID(ctx context.Context, id string) (*chat.Site, error)
	Conversation(ctx context.Context, id string) (*chat.Conversation, error)
	Messages(ctx context.Context, q chat.MessageQuery) ([]*chat.Message, bool, error)
}

// Outcomes hears how handoff deliveries end; package handoff's Service implements it. A method
// returning an error is called again later (after a lease), so both must be idempotent.
type Outcomes interface {
	// Delivered: the ticket, email or webhook took the conversation; ref is the vendor's
	// reference ("fallback email <Message-ID>" when the fallback address got it instead).
	Delivered(ctx context.Context, conversationID, ref string) error
	// Failed: the delivery failed for good, and so did the fallback email if there was one.
	Failed(ctx context.Context, conversationID, reason string) error
}

// Handoff is a handed-off conversation to deliver by the site's method.
type Handoff struct {
	// Key is unique per handoff (the same handoff enqueued twice is one delivery); empty: a
	// new one.
	Key            string
	Method         string // zendesk, gorgias, email or webhook
	SiteID         string
	ConversationID string
	Visitor        *chat.Visitor // the profile at the handoff
	Email          string        // where the team replies: given in the flow, or verified
	Reason         string        // why the bot handed over
	Tags           []string
	TimeZone       string // the visitor's IANA zone, for the transcript's times
}

// Reply is a person's reply to email to a visitor who is not in the chat.
type Reply struct {
	// Key is unique per reply.
	Key            string
	SiteID         string
	ConversationID string
	MessageID      string
	// VisitorSeq is the reply's number in the visitor's view: a visitor who has read it by the
	// time the email would go gets no email.
	VisitorSeq int64
	VisitorID  string
	Email      string
	Locale     string
	PageURL    string // the page the visitor chatted from: the link back to the chat
}

// payload is what a delivery row carries: what was decided, and the ticket as first sent, so
// that every attempt sends the same thing (Zendesk refuses a reused key with another body).
type payload struct {
	Handoff *Handoff            `json:"handoff,omitempty"`
	Reply   *Reply              `json:"reply,omitempty"`
	Rule    *routing.RuleNotice `json:"rule,omitempty"`
	Ticket  *helpdesk.Ticket    `json:"ticket,omitempty"`
}

// Options configure an Outbox.
type Options struct {
	Store   Store
	Senders *helpdesk.Senders
	// Config returns a site's delivery settings; it is read at every attempt, so a corrected
	// setting applies to the retries.
	Config func(ctx context.Context, siteID string) (*helpdesk.Config, error)
	// Link returns the URL of a conversation of a site for the team (in tickets); nil: none.
	Link func(siteKey, conversationID string) string
	// FileURL returns the absolute download URL of a file sent in a conversation, so a ticket's
	// transcript keeps the files (nil: they are listed by name only).
	FileURL func(a *chat.Attachment) string
	Log     *slog.Logger
	Now     func() time.Time

	// Workers bounds the attempts running at once; default 4.
	Workers int
	// MaxAttempts per delivery; default 10, about two hours with the default backoff.
	MaxAttempts int
	// Timeout bounds one attempt; default 30 s.
	Timeout time.Duration
	// Lease is how long a claimed delivery is left to its worker: longer than Timeout, so two
	// attempts of one delivery never overlap. Default Timeout + 1 min.
	Lease time.Duration
	// Poll is how often the worker looks for due deliveries (others' processes, retries);
	// default 1 s. The look is one indexed read.
	Poll time.Duration
	// Backoff is the wait after failed attempt n (from 1) when the vendor gave no Retry-After;
	// default 15 s doubling to at most 1 h, with ±20 % jitter.
	Backoff func(n int) time.Duration
	// MaxRetryAfter caps a vendor's Retry-After; default 6 h.
	MaxRetryAfter time.Duration
	// ReplyDelay is how long a reply email waits, so a visitor back in the chat reads the reply
	// there instead; default 1 min.
	ReplyDelay time.Duration
	// MaxLines bounds the transcript: the latest lines are kept; default 300.
	MaxLines int
}

// Outbox enqueues deliveries and works them.
type Outbox struct {
	o        Options
	outcomes Outcomes
	wake     chan struct{}
	ctx      context.Context // attempts in flight; cancelled when Close gives up waiting
	cancel   context.CancelFunc
	sem      chan struct{}
	wg       sync.WaitGroup // attempts in flight
	stop     chan struct{}
	loopDone chan struct{}
	started  atomic.Bool
	once     sync.Once
}

// New returns an Outbox; Enqueue works at once, Start starts the worker.
func New(o Options) *Outbox {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Lease <= o.Timeout {
		o.Lease = o.Timeout + time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Backoff == nil {
		o.Backoff = Backoff
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 6 * time.Hour
	}
	if o.ReplyDelay < 0 {
		o.ReplyDelay = 0
	} else if o.ReplyDelay == 0 {
		o.ReplyDelay = time.Minute
	}
	if o.MaxLines <= 0 {
		o.MaxLines = 300
	}
	if o.Senders == nil {
		o.Senders = &helpdesk.Senders{}
	}
	if o.Config == nil {
		o.Config = func(context.Context, string) (*helpdesk.Config, error) { return &helpdesk.Config{}, nil }
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Outbox{o: o, wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, sem: make(chan struct{}, o.Workers),
		stop: make(chan struct{}), loopDone: make(chan struct{})}
}

// Backoff is the default wait after failed attempt n: 15 s, 30 s, 1 min, … at most 1 h, each
// ±20 % so that deliveries failing together do not retry together.
func Backoff(n int) time.Duration {
	d := 15 * time.Second << min(max(n-1, 0), 8)
	d = min(d, time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Enqueue stores a handoff delivery in the caller's transaction: it is delivered once the
// transaction commits, and never if it does not.
func (ob *Outbox) Enqueue(tx chat.Tx, h Handoff) error {
	if h.Key == "" {
		h.Key = "handoff:" + h.ConversationID + ":" + chat.NewID("dl")
	}
	if h.Method == "" || h.SiteID == "" || h.ConversationID == "" {
		return errors.New("outbox: a handoff needs a method, a site and a conversation")
	}
	return ob.enqueue(tx, &chat.Delivery{SiteID: h.SiteID, ConversationID: h.ConversationID, Kind: chat.DeliveryHandoff,
		Method: h.Method, Key: h.Key}, &payload{Handoff: &h}, ob.o.Now())
}

// EnqueueReply stores a reply email in the caller's transaction; it goes after ReplyDelay
// unless the visitor has read the reply by then.
func (ob *Outbox) EnqueueReply(tx chat.Tx, r Reply) error {
	if r.Key == "" {
		r.Key = "reply:" + r.ConversationID + ":" + r.MessageID
	}
	return ob.enqueue(tx, &chat.Delivery{SiteID: r.SiteID, ConversationID: r.ConversationID, Kind: chat.DeliveryReply,
		Method: helpdesk.MethodEmail, Key: r.Key}, &payload{Reply: &r}, ob.o.Now().Add(ob.o.ReplyDelay))
}

func (ob *Outbox) enqueue(tx chat.Tx, d *chat.Delivery, p *payload, due time.Time) error {
	dtx, ok := tx.(chat.DeliveryTx)
	if !ok {
		return errors.New("outbox: the store's transactions cannot enqueue deliveries")
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("outbox: encode delivery: %w", err)
	}
	d.Payload, d.MaxAttempts, d.DueAt = b, ob.o.MaxAttempts, due
	if _, err := dtx.EnqueueDelivery(d); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// Wake makes the worker look for due deliveries now rather than at its next poll: a caller
// that knows its enqueueing transaction committed can save the delivery up to a Poll.
func (ob *Outbox) Wake() {
	select {
	case ob.wake <- struct{}{}:
	default:
	}
}

// Start runs the worker until Close; outcomes of handoff deliveries go to outcomes (nil: they
// are only logged).
func (ob *Outbox) Start(outcomes Outcomes) {
	if ob.started.Swap(true) {
		return
	}
	ob.outcomes = outcomes
	go ob.loop()
}

// Close stops taking deliveries and waits for the attempts in flight until ctx is done; then it
// cancels them (they count as failed attempts and are retried after a restart).
func (ob *Outbox) Close(ctx context.Context) error {
	ob.once.Do(func() {
		close(ob.stop)
		if !ob.started.Swap(true) {
			close(ob.loopDone) // never started
		}
	})
	select {
	case <-ob.loopDone:
	case <-ctx.Done():
	}
	done := make(chan struct{})
	go func() {
		ob.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		ob.cancel()
		return nil
	case <-ctx.Done():
		ob.cancel()
		<-done
		return errors.New("outbox: deliveries in flight at shutdown were cancelled")
	}
}

// loop claims due deliveries as workers are free, and sleeps until the next one falls due, a
// Wake, or the next poll.
func (ob *Outbox) loop() {
	defer close(ob.loopDone)
	for {
		n, err := ob.claim(ob.ctx, true)
		if err != nil {
			ob.o.Log.Error("outbox: claim deliveries", "err", err)
		}
		wait := ob.o.Poll
		if n > 0 && err == nil {
			wait = 0 // there may be more
		} else if at, ok, err := ob.o.Store.NextDeliveryAt(ob.ctx); err == nil && ok {
			wait = min(wait, max(at.Sub(ob.o.Now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ob.stop:
			t.Stop()
			return
		case <-ob.wake:
		case <-t.C:
		}
		t.Stop()
		if wait == 0 {
			// Every worker may be busy: wait for one to be free before claiming more.
			select {
			case ob.sem <- struct{}{}:
				<-ob.sem
			case <-ob.stop:
				return
			}
		}
	}
}

// claim takes as many due deliveries as there are free workers and works them, in the
// background or (RunOnce) before returning.
func (ob *Outbox) claim(ctx context.Context, background bool) (int, error) {
	free := ob.o.Workers - len(ob.sem)
	if free <= 0 {
		return 0, nil
	}
	list, err := ob.o.Store.ClaimDeliveries(ctx, ob.o.Now(), ob.o.Lease, free)
	if err != nil {
		return 0, err
	}
	for _, d := range list {
		ob.sem <- struct{}{}
		ob.wg.Add(1)
		run := func(d *chat.Delivery) {
			defer func() {
				<-ob.sem
				ob.wg.Done()
			}()
			ob.work(d)
		}
		if background {
			go run(d)
		} else {
			run(d)
		}
	}
	return len(list), nil
}

// RunOnce works the deliveries due now, up to Workers of them, one after the other, and
// returns how many it took: tests drive the outbox with it and an injected clock, instead of
// Start (never both).
func (ob *Outbox) RunOnce(ctx context.Context, outcomes Outcomes) (int, error) {
	ob.outcomes = outcomes
	return ob.claim(ctx, false)
}
