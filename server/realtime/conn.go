package realtime

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/metrics"
	"github.com/batonchat/baton/server/wire"
)

// Conn is one client connection. It holds as little as possible while idle (no writer
// goroutine, no buffers): the writer starts when there is something to send and exits when the
// queue is empty.
type Conn struct {
	srv       *Server
	ws        *websocket.Conn
	ctx       context.Context
	cancel    context.CancelFunc
	actor     conversation.Actor
	agent     *chat.Agent // nil for visitors
	bot       bool        // a bot account (agent role bot): gets bot_request frames, no inbox
	visitorID string
	ip        string
	expires   time.Time
	session   string              // the console session that opened it ("" for a bearer token)
	sites     map[string]struct{} // agents: subscribed inboxes

	lastActive atomic.Int64 // unix nanoseconds of the last frame read

	mu      sync.Mutex
	queue   [][]byte
	queued  int // bytes in queue
	writing bool
	closed  bool
	// closeDone is closed when the close handshake has finished (or given up).
	closeDone chan struct{}
	drained   chan struct{} // closed by the writer when the queue empties, if someone waits

	// Exact resume: per conversation, the last sequence number delivered on this connection,
	// conversations whose catch-up is not finished (the client will sync again), and the live
	// events held back while a sync is being read from the store. Commands run one at a time,
	// so at most one sync is in flight.
	cursors     map[string]int64
	partial     map[string]bool
	awaiting    bool // visitors: events are held until the first sync or send says where the client is
	syncing     bool
	syncConv    string // "" while a visitor's sync looks up their conversation
	held        []heldFrame
	heldDropped bool
	badFrames   int
}

type heldFrame struct {
	conv  string
	seq   int64
	frame []byte
}

const maxHeld = 256

// deliver queues an event frame. Sequenced frames (seq > 0) of a conversation this connection
// has synced are delivered once each, in order, and never ahead of a catch-up. own marks the
// event of a message this connection sent: its reply carries the message instead.
func (c *Conn) deliver(conv string, seq int64, frame []byte, own bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if seq > 0 {
		if c.awaiting || (c.syncing && (c.syncConv == "" || c.syncConv == conv)) {
			if len(c.held) >= maxHeld {
				c.heldDropped = true
			} else {
				c.held = append(c.held, heldFrame{conv, seq, frame})
			}
			return
		}
		if !c.admitLocked(conv, seq) || own {
			return
		}
	}
	c.enqueueLocked(frame)
}

// sent queues the reply to a send, then (on a visitor's first command) what was held back.
func (c *Conn) sent(id string, data any, conv string, seq int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.enqueueLocked(wire.Marshal(wire.Reply{Type: "reply", ID: id, Data: data}))
	if !c.awaiting {
		return
	}
	c.awaiting = false
	held := c.held
	c.held = nil
	if c.cursors == nil {
		c.cursors, c.partial = map[string]int64{}, map[string]bool{}
	}
	c.cursors[conv] = seq
	for _, h := range held {
		if c.admitLocked(h.conv, h.seq) && !c.closed {
			c.enqueueLocked(h.frame)
		}
	}
}

// admitLocked applies the per-conversation cursor to a sequenced frame.
func (c *Conn) admitLocked(conv string, seq int64) bool {
	if c.partial[conv] {
		return false // the client's next sync returns it
	}
	if last, ok := c.cursors[conv]; ok {
		if seq <= last {
			return false
		}
		c.cursors[conv] = seq
	}
	return true
}

func (c *Conn) beginSync(conv string) {
	c.mu.Lock()
	c.syncing, c.syncConv = true, conv
	if !c.awaiting {
		c.held, c.heldDropped = nil, false
	}
	c.mu.Unlock()
}

// endSync queues the sync's reply, then the live events held back meanwhile that the reply
// did not already contain. res is nil when the sync failed.
func (c *Conn) endSync(id string, res *conversation.SyncResult, since int64, visitor bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	held := c.held
	c.syncing, c.syncConv, c.held, c.awaiting = false, "", nil, false
	conv := ""
	if res != nil && res.Conversation != nil {
		conv = res.Conversation.ID
		if c.heldDropped {
			res.More = true // too much arrived meanwhile: let the client ask again
		}
		last := since
		if n := len(res.Messages); n > 0 {
			last = res.Messages[n-1].Seq
			if visitor {
				last = res.Messages[n-1].VisitorSeq
			}
		}
		if c.cursors == nil {
			c.cursors, c.partial = map[string]int64{}, map[string]bool{}
		}
		c.cursors[conv] = last
		if res.More {
			c.partial[conv] = true
		} else {
			delete(c.partial, conv)
		}
	}
	if res != nil && !c.closed {
		c.enqueueLocked(wire.Marshal(wire.Reply{Type: "reply", ID: id, Data: syncData(res, visitor)}))
	}
	for _, h := range held {
		if c.admitLocked(h.conv, h.seq) && !c.closed {
			c.enqueueLocked(h.frame)
		}
	}
}

// Limits on what one connection may hold; see docs/api.md.
const (
	maxQueueFrames = 1024
	maxQueueBytes  = 4 << 20
	writeTimeout   = 10 * time.Second
)

func (c *Conn) send(frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.enqueueLocked(frame)
	}
}

func (c *Conn) enqueueLocked(frame []byte) {
	if len(c.queue) >= maxQueueFrames || c.queued+len(frame) > maxQueueBytes {
		// A client that does not read its events must not grow our memory: cut it off.
		metrics.SlowConsumers.Inc()
		c.closeLocked(websocket.StatusPolicyViolation, "slow consumer: events were not read in time")
		return
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	if !c.writing {
		c.writing = true
		go c.writeLoop()
	}
}

func (c *Conn) writeLoop() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.writing = false
			c.queue, c.queued = nil, 0
			if c.drained != nil {
				close(c.drained)
				c.drained = nil
			}
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue, c.queued = nil, 0
		c.mu.Unlock()
		for _, frame := range batch {
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, frame)
			cancel()
			if err != nil {
				c.close(websocket.StatusPolicyViolation, "write failed or timed out")
				c.mu.Lock()
				c.writing = false
				if c.drained != nil {
					close(c.drained)
					c.drained = nil
				}
				c.mu.Unlock()
				return
			}
		}
	}
}

func (c *Conn) close(code websocket.StatusCode, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(code, reason)
}

func (c *Conn) closeLocked(code websocket.StatusCode, reason string) {
	if c.closed {
		return
	}
	c.closed = true
	c.queue, c.queued, c.held = nil, 0, nil
	done := make(chan struct{})
	c.closeDone = done
	go func() {
		_ = c.ws.Close(code, reason)
		c.cancel()
		close(done)
	}()
}

// goAway sends a last frame, waits (briefly) for it to be written, and closes.
func (c *Conn) goAway(frame []byte) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.enqueueLocked(frame)
	done := make(chan struct{})
	if c.writing {
		c.drained = done
	} else {
		close(done)
	}
	c.mu.Unlock()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	c.close(websocket.StatusGoingAway, "server shutting down: reconnect")
	// The process exits once shutdown returns: wait (briefly) for the close frame to go out,
	// or the client sees the connection drop instead of 1001.
	c.mu.Lock()
	closing := c.closeDone
	c.mu.Unlock()
	select {
	case <-closing:
	case <-time.After(2 * time.Second):
	}
}

func (c *Conn) replyOK(id string, data any) {
	c.send(wire.Marshal(wire.Reply{Type: "reply", ID: id, Data: data}))
}

func (c *Conn) replyErr(id, typ string, err error) {
	code := chat.ErrorCode(err)
	msg := chat.ErrorMessage(err)
	var fe *wire.FrameError
	if errors.As(err, &fe) {
		code, msg = fe.Code, fe.Msg
	}
	if code == chat.EInternal {
		c.srv.Log.Error("command failed", "type", typ, "err", err, "role", c.actor.Type, "id", c.actor.ID)
	}
	metrics.Errors.WithLabelValues(string(code)).Inc()
	f := wire.ErrorFrame{Type: "error", ID: id, Code: code, Message: msg, Temporary: code.Temporary()}
	var rl *rateLimitError
	if errors.As(err, &rl) {
		f.RetryAfterMS = max(1, rl.wait.Milliseconds())
	}
	c.send(wire.Marshal(f))
}

// rateLimitError is ERateLimited with the time until the client may try again.
type rateLimitError struct {
	err  *chat.Error
	wait time.Duration
}

func (e *rateLimitError) Error() string { return e.err.Error() }
func (e *rateLimitError) Unwrap() error { return e.err }
