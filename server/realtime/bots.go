package realtime

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/batonchat/baton/server/bot"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/wire"
)

// A realtime bot is an account with role bot. Its connections get a bot_request frame for each
// visitor message the site's bot should answer, and answer it with the bot_reply command
// before the site's bot timeout; the engine then applies the answer like a webhook's.

// botRequestFrame asks a realtime bot to answer a visitor message.
type botRequestFrame struct {
	Type    string       `json:"type"` // "bot_request"
	Request *bot.Request `json:"request"`
}

// botAsks are the requests waiting for a realtime bot's answer, by request id.
type botAsks struct {
	mu      sync.Mutex
	waiting map[string]*botAsk
}

type botAsk struct {
	conn   *Conn
	answer chan *bot.Response // buffered: the bot_reply command never waits
}

// botFor picks one of the site's connected bots, in turn.
func (h *Hub) botFor(siteID string) *Conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.bots[siteID]
	if len(list) == 0 {
		return nil
	}
	h.botTurn++
	return list[h.botTurn%len(list)]
}

// errNoBot means no realtime bot of the site is connected.
var errNoBot = errors.New("realtime bot: none of the site's bots is connected")

// Ask sends req to a connected bot of the site and waits for its bot_reply, the bot's
// connection closing, or ctx.
func (s *Server) Ask(ctx context.Context, siteID string, req *bot.Request) (*bot.Response, error) {
	c := s.Hub.botFor(siteID)
	if c == nil {
		return nil, errNoBot
	}
	a := &botAsk{conn: c, answer: make(chan *bot.Response, 1)}
	s.asks.mu.Lock()
	if s.asks.waiting == nil {
		s.asks.waiting = map[string]*botAsk{}
	}
	s.asks.waiting[req.ID] = a
	s.asks.mu.Unlock()
	defer func() {
		s.asks.mu.Lock()
		delete(s.asks.waiting, req.ID)
		s.asks.mu.Unlock()
	}()
	c.send(wire.Marshal(botRequestFrame{Type: "bot_request", Request: req}))
	select {
	case r := <-a.answer:
		return r, nil
	case <-c.ctx.Done():
		return nil, errors.New("realtime bot: disconnected before answering")
	case <-ctx.Done():
		return nil, fmt.Errorf("realtime bot: no answer in time: %w", ctx.Err())
	}
}

// botReply hands a bot's answer to the request waiting for it. Only the connection that got
// the request may answer it, once.
func (s *Server) botReply(c *Conn, cmd *wire.Command) error {
	r := &bot.Response{Text: cmd.Text, QuickReplies: cmd.QuickReplies, Tags: cmd.Tags, Handoff: cmd.Handoff}
	if err := r.Check(); err != nil {
		return chat.Errorf(chat.EInvalid, "%v", err)
	}
	s.asks.mu.Lock()
	a, ok := s.asks.waiting[cmd.RequestID]
	if ok && a.conn == c {
		delete(s.asks.waiting, cmd.RequestID)
	}
	s.asks.mu.Unlock()
	if !ok || a.conn != c {
		return chat.Errorf(chat.ENotFound, "request_id: no request %s is waiting for this bot (answered already, or too late)", quote(cmd.RequestID))
	}
	a.answer <- r
	return nil
}
