// Package bot answers visitors first. After a visitor's message is committed and published,
// the engine runs the site's brain on it — the built-in knowledge bot, the owner's webhook, a
// realtime bot account, or none — applies the site's smart tags and their post-actions, and
// gives the conversations it cannot help with to the Handoff.
//
// It obeys who speaks: a conversation a person has taken, or where the bot is paused or
// suspended, gets no bot reply, and a reply prepared while a person spoke is discarded (see
// conversation.Service.BotReply, which re-checks in the transaction that commits it).
package bot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// Bots reaches the realtime bot accounts of a site; the realtime server implements it.
type Bots interface {
	// Ask sends req to one of the site's connected bots and waits for its answer (or ctx).
	Ask(ctx context.Context, siteID string, req *Request) (*Response, error)
}

// Options configure an Engine.
type Options struct {
	Service *conversation.Service
	Store   chat.Store
	Sites   *site.Cache
	Log     *slog.Logger
	// Handoff takes conversations the bot gives up; nil means QueueHandoff.
	Handoff Handoff
	// Realtime reaches realtime bots; nil means a realtime brain always fails (and hands off).
	Realtime Bots
	// AllowPrivate lets webhooks reach loopback and private addresses (BATON_BOT_ALLOW_PRIVATE).
	AllowPrivate bool
	// HTTPClient calls webhooks; nil means NewWebhookClient(AllowPrivate).
	HTTPClient *http.Client
	// Getenv reads webhook secrets; nil means os.Getenv.
	Getenv func(string) string
	Now    func() time.Time
	// Workers bounds the turns running at once (brains thinking, replies committing): a slow
	// webhook must not take every goroutine and connection. Default 64.
	Workers int
	// MaxQueued bounds the visitor messages waiting for the bot; beyond it new ones get no bot
	// reply (they are stored and agents see them), rather than memory growing without bound.
	// Default 10,000.
	MaxQueued int
}

// Engine runs bot turns: one at a time per conversation, in message order, a bounded number at
// once overall.
type Engine struct {
	o      Options
	web    *webhook
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}

	mu     sync.Mutex
	queues map[string][]*job // conversation id → messages waiting, in order
	queued int
	closed bool
	wg     sync.WaitGroup
}

type job struct {
	conv *chat.Conversation
	msg  *chat.Message
}

// New returns an Engine; register its Notify with conversation.Service.OnVisitorMessage.
func New(o Options) *Engine {
	if o.Handoff == nil {
		o.Handoff = QueueHandoff{Service: o.Service}
	}
	if o.HTTPClient == nil {
		o.HTTPClient = NewWebhookClient(o.AllowPrivate)
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = 10_000
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		o: o, web: &webhook{client: o.HTTPClient, getenv: o.Getenv, now: o.Now},
		ctx: ctx, cancel: cancel, sem: make(chan struct{}, o.Workers), queues: map[string][]*job{},
	}
}

// Notify queues a committed visitor message for the bot. It never blocks: it runs on the
// visitor's send path.
func (e *Engine) Notify(c *chat.Conversation, m *chat.Message) {
	if m.AuthorType != chat.AuthorVisitor || m.Kind != chat.KindText {
		return
	}
	if c.Status != chat.StatusBot || c.BotPaused {
		turns.WithLabelValues("skipped").Inc() // a person's conversation: the bot stays out
		return
	}
	e.mu.Lock()
	if e.closed || e.queued >= e.o.MaxQueued {
		closed := e.closed
		e.mu.Unlock()
		turns.WithLabelValues("dropped").Inc()
		if !closed {
			e.o.Log.Warn("bot: message not answered: the bot's queue is full", "conversation", c.ID, "message", m.ID, "queued", e.o.MaxQueued)
		}
		return
	}
	q, running := e.queues[c.ID]
	e.queues[c.ID] = append(q, &job{conv: c, msg: m})
	e.queued++
	if !running {
		e.wg.Add(1)
	}
	e.mu.Unlock()
	if !running {
		go e.drain(c.ID)
	}
}

// drain answers a conversation's queued messages in order, then exits; the next message
// starts it again. One goroutine per conversation with work keeps replies in order without a
// slow conversation holding up others.
func (e *Engine) drain(id string) {
	defer e.wg.Done()
	for {
		e.mu.Lock()
		q := e.queues[id]
		if len(q) == 0 {
			delete(e.queues, id)
			e.mu.Unlock()
			return
		}
		j := q[0]
		e.queues[id] = q[1:]
		e.queued--
		e.mu.Unlock()

		select {
		case e.sem <- struct{}{}:
		case <-e.ctx.Done():
			turns.WithLabelValues("dropped").Inc()
			continue
		}
		e.turn(j)
		<-e.sem
	}
}

// Close stops taking messages and waits for queued turns to finish until ctx ends; turns still
// running then are cancelled (their replies are not sent; the visitor's messages are stored).
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	done := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		e.cancel()
		return nil
	case <-ctx.Done():
		e.cancel()
		<-done
		return errors.New("bot: turns still running at shutdown were cancelled")
	}
}
