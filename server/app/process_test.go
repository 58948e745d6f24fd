package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/batonchat/baton/server/app/apptest"
	"github.com/batonchat/baton/server/store/storetest"
)

// These tests run the real `baton serve` binary with visitors chatting over real WebSockets,
// then kill it (SIGKILL) or stop it (SIGTERM) mid-traffic and check what the store holds
// afterwards against what the server acknowledged.

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

// databases are the stores each process test runs against.
var databases = []struct {
	name string
	open func(t *testing.T) apptest.Options
}{
	{"sqlite", func(t *testing.T) apptest.Options { return apptest.Options{DataDir: t.TempDir()} }},
	{"postgres", func(t *testing.T) apptest.Options { return apptest.Options{DatabaseURL: storetest.PostgresURL(t)} }},
}

const (
	numVisitors = 20
	window      = 4   // sends each visitor keeps in flight, so a crash always catches some mid-commit
	maxSends    = 400 // per visitor: bounds the traffic should the server stall
	testTimeout = 45 * time.Second
	adminEmail  = "ops@example.com"
	// shutdownTimeout is BATON_SHUTDOWN_TIMEOUT for these tests.
	shutdownTimeout = 10 * time.Second
)

func options(t *testing.T, open func(*testing.T) apptest.Options) apptest.Options {
	o := open(t)
	o.Env = []string{
		// All the traffic comes from one loopback address: the public rate limits would throttle it.
		"BATON_RATE_NEW_VISITORS=0", "BATON_RATE_VISITOR_MESSAGES=0", "BATON_RATE_IP_MESSAGES=0",
		"BATON_ADMIN_PASSWORD=first-admin-password", "BATON_LOG_FORMAT=text",
		"BATON_SHUTDOWN_TIMEOUT=" + shutdownTimeout.String(),
	}
	return o
}

// adminToken adds an admin with the CLI, beside the running server, and returns a token for them.
func adminToken(t *testing.T, o apptest.Options) string {
	t.Helper()
	apptest.CLI(t, o, "ops-password-1234\n", "agent", "add", "--email", adminEmail, "--name", "Ops", "--role", "admin")
	return strings.TrimSpace(apptest.CLI(t, o, "", "agent", "token", "--email", adminEmail, "--ttl", "1h"))
}

func TestKillDashNineLosesNoAcknowledgedMessage(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			o := options(t, db.open)
			p := apptest.Start(t, o)
			admin := adminToken(t, o)

			tr := startTraffic(ctx, t, p.URL, 400)
			tr.awaitAcks(ctx, t)
			p.Kill()
			tr.wait(ctx, t)
			sent, acked := tr.counts()
			t.Logf("killed with %d sends acknowledged, %d in flight", acked, sent-acked)
			tr.noErrors(t)

			p = apptest.Start(t, o)
			st := readStore(ctx, t, p.URL, admin)
			st.checkGapFree(t)
			tr.checkAcknowledgedStoredOnce(t, st)
			tr.checkStoredWereSent(t, st)
			uncommitted := 0
			for _, v := range tr.visitors {
				for _, cid := range v.unacknowledged() {
					if len(st.byClientID[cid]) == 0 {
						uncommitted++
					}
				}
			}
			t.Logf("of the %d in flight, %d were committed without their reply, %d not committed", sent-acked, sent-acked-uncommitted, uncommitted)

			// The visitors come back with the same tokens and send again what was never
			// acknowledged (and a few that were): each message is stored once.
			tr.resume(ctx, t, p.URL)
			st = readStore(ctx, t, p.URL, admin)
			st.checkGapFree(t)
			tr.checkAcknowledgedStoredOnce(t, st)
			tr.checkStoredWereSent(t, st)
			tr.checkSentStoredOnce(t, st)
			tr.checkOneConversationEach(t, st)
		})
	}
}

func TestSIGTERMDrainsConnectionsAndKeepsAcknowledgedMessages(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			o := options(t, db.open)
			p := apptest.Start(t, o)
			admin := adminToken(t, o)

			tr := startTraffic(ctx, t, p.URL, 200)
			tr.awaitAcks(ctx, t)
			p.Signal(syscall.SIGTERM)
			tr.wait(ctx, t)
			if code := p.Wait(shutdownTimeout + 10*time.Second); code != 0 {
				t.Errorf("baton serve exited with status %d after SIGTERM; want 0\n%s", code, p.Log())
			}
			sent, acked := tr.counts()
			t.Logf("stopped with %d sends acknowledged, %d not", acked, sent-acked)

			for _, v := range tr.visitors {
				if !v.reconnect {
					t.Errorf("visitor %d: no reconnect frame before the connection closed", v.n)
				}
				if v.closeStatus != websocket.StatusGoingAway {
					t.Errorf("visitor %d: connection closed with %v (%v); want 1001 going away", v.n, v.closeStatus, v.closeErr)
				}
				if v.acceptedAfterReconnect {
					t.Errorf("visitor %d: after the reconnect frame, the server still accepted a connection", v.n)
				}
				for code, n := range v.errors {
					if code != "unavailable" {
						t.Errorf("visitor %d: %d sends failed with %q; only unavailable is expected during shutdown", v.n, n, code)
					}
				}
			}

			p = apptest.Start(t, o)
			st := readStore(ctx, t, p.URL, admin)
			st.checkGapFree(t)
			tr.checkAcknowledgedStoredOnce(t, st)
			tr.checkStoredWereSent(t, st)
			// A send the server was running when SIGTERM arrived commits and is answered before
			// the reconnect frame; a send it had not started is refused, or never read. So
			// nothing stored lacks its reply, and the client knows what to send again.
			refused, unread := 0, 0
			for _, v := range tr.visitors {
				for _, cid := range v.unacknowledged() {
					stored := len(st.byClientID[cid]) != 0
					switch code, answered := v.errored[cid]; {
					case answered && stored:
						t.Errorf("visitor %d: send %s was refused (%s), yet it is stored", v.n, cid, code)
					case answered:
						refused++
					case stored:
						t.Errorf("visitor %d: send %s is stored but was never acknowledged: its reply was dropped at shutdown", v.n, cid)
					default:
						unread++
					}
				}
			}
			t.Logf("%d refused as unavailable, %d never read", refused, unread)

			tr.resume(ctx, t, p.URL)
			st = readStore(ctx, t, p.URL, admin)
			st.checkGapFree(t)
			tr.checkSentStoredOnce(t, st)
			tr.checkOneConversationEach(t, st)
		})
	}
}

// traffic is a crowd of visitors, each sending messages over its own WebSocket and recording
// which sends the server acknowledged.
type traffic struct {
	t        *testing.T
	visitors []*visitor
	target   int64 // acknowledgements after which awaitAcks returns
	acks     atomic.Int64
	reached  chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
}

// visitor is one visitor's session and what happened to their sends. The fields are written
// by the session's goroutines and read by the test after traffic.wait.
type visitor struct {
	n     int
	id    string
	token string

	mu      sync.Mutex
	sent    []string          // client ids written to the socket, in order
	acked   map[string]string // client id → id of the stored message, from the reply
	errored map[string]string // client id → error code of the reply
	errors  map[string]int    // error code → how many

	reconnect              bool
	acceptedAfterReconnect bool // the server still accepted connections after telling us to reconnect
	closeStatus            websocket.StatusCode
	closeErr               error
}

// startTraffic creates numVisitors visitor sessions and starts them sending; awaitAcks
// returns once target sends have been acknowledged.
func startTraffic(ctx context.Context, t *testing.T, base string, target int64) *traffic {
	t.Helper()
	tr := &traffic{t: t, target: target, reached: make(chan struct{})}
	for i := range numVisitors {
		var out struct {
			VisitorID string `json:"visitor_id"`
			Token     string `json:"visitor_token"`
		}
		if code := doJSON(ctx, t, "POST", base+"/v1/visitors", "", map[string]string{"site": "demo"}, &out); code != http.StatusCreated {
			t.Fatalf("create visitor: status %d", code)
		}
		tr.visitors = append(tr.visitors, &visitor{n: i, id: out.VisitorID, token: out.Token,
			acked: map[string]string{}, errored: map[string]string{}, errors: map[string]int{}, closeStatus: -1})
	}
	for _, v := range tr.visitors {
		tr.wg.Add(1)
		go func() {
			defer tr.wg.Done()
			tr.chat(ctx, base, v)
		}()
	}
	return tr
}

// frame is a server frame, with the fields these tests read.
type frame struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Code string `json:"code"`
	Data struct {
		Message   message   `json:"message"`
		Duplicate bool      `json:"duplicate"`
		Messages  []message `json:"messages"`
		More      bool      `json:"more"`
	} `json:"data"`
}

type message struct {
	ID       string `json:"id"`
	Seq      int64  `json:"seq"`
	ClientID string `json:"client_id"`
	Kind     string `json:"kind"`
	Author   struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"author"`
}

func wsURL(base, token string) string {
	return strings.Replace(base, "http://", "ws://", 1) + "/v1/ws?token=" + url.QueryEscape(token)
}

func dial(ctx context.Context, base, token string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, wsURL(base, token), nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	_, b, err := ws.Read(dctx)
	if err != nil {
		ws.CloseNow()
		return nil, fmt.Errorf("read hello: %w", err)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil || f.Type != "hello" {
		ws.CloseNow()
		return nil, fmt.Errorf("first frame %s: want hello", b)
	}
	return ws, nil
}

// chat sends messages, window at a time, until the connection ends (the server was killed or
// closed it), the server asks it to reconnect, or maxSends are sent. The command id is the
// client id, so a reply names the send it answers.
func (tr *traffic) chat(ctx context.Context, base string, v *visitor) {
	ws, err := dial(ctx, base, v.token)
	if err != nil {
		tr.t.Errorf("visitor %d: %v", v.n, err)
		return
	}
	defer ws.CloseNow()
	slots := make(chan struct{}, window)
	// A client stops sending when the server says it is going away (an unavailable error or
	// the reconnect frame), and waits for the connection to close.
	stop := make(chan struct{})
	var once sync.Once
	stopSending := func() { once.Do(func() { close(stop) }) }
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		tr.read(ctx, ws, base, v, slots, stopSending)
	}()
	for i := range maxSends {
		select {
		case slots <- struct{}{}:
		case <-stop:
			<-readDone
			return
		case <-readDone:
			return
		case <-ctx.Done():
			return
		}
		cid := fmt.Sprintf("v%02d-m%04d", v.n, i)
		b, _ := json.Marshal(map[string]string{"id": cid, "type": "send", "client_id": cid, "text": "message " + cid})
		v.mu.Lock()
		v.sent = append(v.sent, cid)
		v.mu.Unlock()
		if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
			break // the reader records how the connection ended
		}
	}
	<-readDone
}

func (tr *traffic) read(ctx context.Context, ws *websocket.Conn, base string, v *visitor, slots chan struct{}, stopSending func()) {
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			v.mu.Lock()
			v.closeStatus, v.closeErr = websocket.CloseStatus(err), err
			v.mu.Unlock()
			return
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			tr.t.Errorf("visitor %d: server sent %q: %v", v.n, b, err)
			continue
		}
		switch f.Type {
		case "reply":
			if f.Data.Message.ClientID != f.ID {
				tr.t.Errorf("visitor %d: the reply to %s carries message %+v", v.n, f.ID, f.Data.Message)
			}
			v.mu.Lock()
			v.acked[f.ID] = f.Data.Message.ID
			v.mu.Unlock()
			if tr.acks.Add(1) >= tr.target {
				tr.once.Do(func() { close(tr.reached) })
			}
			release(slots)
		case "error":
			v.mu.Lock()
			v.errored[f.ID] = f.Code
			v.errors[f.Code]++
			v.mu.Unlock()
			release(slots)
			if f.Code == "unavailable" {
				stopSending()
			}
		case "reconnect":
			v.mu.Lock()
			again := v.reconnect
			v.reconnect = true
			v.mu.Unlock()
			if again {
				tr.t.Errorf("visitor %d: a second reconnect frame", v.n)
				continue
			}
			stopSending()
			// The server tells clients to reconnect only after it stopped listening, so a
			// client that obeys at once must not reach this process again.
			if stillAccepting(ctx, base) {
				v.mu.Lock()
				v.acceptedAfterReconnect = true
				v.mu.Unlock()
			}
		}
	}
}

// release frees a send slot; an answer the writer did not count must not block the reader.
func release(slots chan struct{}) {
	select {
	case <-slots:
	default:
	}
}

// stillAccepting reports whether base still accepts TCP connections.
func stillAccepting(ctx context.Context, base string) bool {
	var d net.Dialer
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := d.DialContext(cctx, "tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// awaitAcks waits until the target number of sends has been acknowledged.
func (tr *traffic) awaitAcks(ctx context.Context, t *testing.T) {
	t.Helper()
	select {
	case <-tr.reached:
	case <-ctx.Done():
		t.Fatalf("only %d of %d sends acknowledged before the deadline", tr.acks.Load(), tr.target)
	}
}

// wait waits for every session to end.
func (tr *traffic) wait(ctx context.Context, t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		tr.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the visitors' connections did not end before the deadline")
	}
}

func (tr *traffic) counts() (sent, acked int) {
	for _, v := range tr.visitors {
		sent += len(v.sent)
		acked += len(v.acked)
	}
	return sent, acked
}

func (tr *traffic) noErrors(t *testing.T) {
	t.Helper()
	for _, v := range tr.visitors {
		for code, n := range v.errors {
			t.Errorf("visitor %d: %d sends failed with %q", v.n, n, code)
		}
	}
}

// unacknowledged are the sends written without a reply.
func (v *visitor) unacknowledged() []string {
	var out []string
	for _, cid := range v.sent {
		if _, ok := v.acked[cid]; !ok {
			out = append(out, cid)
		}
	}
	return out
}

// resume reconnects every visitor with their token, checks their own view of the
// conversation, and sends again every send that was not acknowledged and the last few that
// were. A resent acknowledged send must come back as the same, duplicate, message.
func (tr *traffic) resume(ctx context.Context, t *testing.T, base string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, v := range tr.visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tr.resumeVisitor(ctx, base, v); err != nil {
				t.Errorf("visitor %d: %v", v.n, err)
			}
		}()
	}
	wg.Wait()
}

func (tr *traffic) resumeVisitor(ctx context.Context, base string, v *visitor) error {
	ws, err := dial(ctx, base, v.token)
	if err != nil {
		return err
	}
	defer ws.CloseNow()

	// The visitor's own view: their numbering, gap-free, with every acknowledged message.
	var seen []message
	for since, page := int64(0), 0; page < 20; page++ {
		f, err := call(ctx, ws, map[string]any{"id": fmt.Sprint("sync", page), "type": "sync", "since": since, "limit": 500})
		if err != nil {
			return err
		}
		if f.Type != "reply" {
			return fmt.Errorf("sync since %d: %s", since, f.Code)
		}
		seen = append(seen, f.Data.Messages...)
		if !f.Data.More || len(f.Data.Messages) == 0 {
			break
		}
		since = f.Data.Messages[len(f.Data.Messages)-1].Seq
	}
	mine := map[string]string{}
	for i, m := range seen {
		if m.Seq != int64(i+1) {
			return fmt.Errorf("the visitor's sync has seq %d at position %d: want gap-free 1..%d", m.Seq, i+1, len(seen))
		}
		if m.ClientID != "" {
			mine[m.ClientID] = m.ID
		}
	}
	for cid, id := range v.acked {
		if mine[cid] != id {
			return fmt.Errorf("acknowledged send %s (message %s) is missing from the visitor's sync", cid, id)
		}
	}

	again := v.unacknowledged()
	var ackedInOrder []string
	for _, cid := range v.sent {
		if _, ok := v.acked[cid]; ok {
			ackedInOrder = append(ackedInOrder, cid)
		}
	}
	repeat := ackedInOrder[max(0, len(ackedInOrder)-3):]
	for _, cid := range append(again, repeat...) {
		f, err := call(ctx, ws, map[string]any{"id": cid, "type": "send", "client_id": cid, "text": "message " + cid})
		if err != nil {
			return err
		}
		if f.Type != "reply" || f.Data.Message.ClientID != cid {
			return fmt.Errorf("resend %s: %s %s %+v", cid, f.Type, f.Code, f.Data.Message)
		}
		if id, ok := v.acked[cid]; ok && (!f.Data.Duplicate || f.Data.Message.ID != id) {
			return fmt.Errorf("resend of acknowledged %s: got message %s (duplicate %v); want the stored %s, duplicate",
				cid, f.Data.Message.ID, f.Data.Duplicate, id)
		}
	}
	return nil
}

// call sends a command and returns its reply or error, skipping events.
func call(ctx context.Context, ws *websocket.Conn, cmd map[string]any) (frame, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, _ := json.Marshal(cmd)
	if err := ws.Write(cctx, websocket.MessageText, b); err != nil {
		return frame{}, fmt.Errorf("%s: %w", cmd["type"], err)
	}
	for range 10_000 {
		_, b, err := ws.Read(cctx)
		if err != nil {
			return frame{}, fmt.Errorf("%s: %w", cmd["type"], err)
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			return frame{}, fmt.Errorf("server sent %q: %w", b, err)
		}
		if (f.Type == "reply" || f.Type == "error") && f.ID == cmd["id"] {
			return f, nil
		}
	}
	return frame{}, fmt.Errorf("%s: no answer among 10,000 frames", cmd["type"])
}

// store is what an admin reads back through the REST API: every message of the demo site.
type store struct {
	convs      []storedConv
	byClientID map[string][]message // visitor messages by client id
}

type storedConv struct {
	ID        string    `json:"id"`
	VisitorID string    `json:"visitor_id"`
	LastSeq   int64     `json:"last_seq"`
	Messages  []message `json:"-"`
}

// readStore reads every conversation of the demo site. The bot may still be answering the last
// messages sent (each unknown message gets its "I don't know" and the offer of a person), so it
// reads again until every conversation's messages match its last_seq, for a few seconds at most;
// what then still differs is for checkGapFree to report.
func readStore(ctx context.Context, t *testing.T, base, token string) *store {
	t.Helper()
	var st *store
	for try := 0; try < 100; try++ {
		if st = readStoreOnce(ctx, t, base, token); st.settled() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return st
}

func (st *store) settled() bool {
	for _, c := range st.convs {
		if int64(len(c.Messages)) != c.LastSeq {
			return false
		}
	}
	return true
}

func readStoreOnce(ctx context.Context, t *testing.T, base, token string) *store {
	t.Helper()
	st := &store{byClientID: map[string][]message{}}
	cursor := ""
	for page := 0; page < 100; page++ {
		var out struct {
			Conversations []storedConv `json:"conversations"`
			NextCursor    string       `json:"next_cursor"`
		}
		u := base + "/v1/conversations?site=demo&limit=200&cursor=" + url.QueryEscape(cursor)
		if code := doJSON(ctx, t, "GET", u, token, nil, &out); code != http.StatusOK {
			t.Fatalf("list conversations: status %d", code)
		}
		st.convs = append(st.convs, out.Conversations...)
		if cursor = out.NextCursor; cursor == "" {
			break
		}
	}
	for i := range st.convs {
		c := &st.convs[i]
		for after, page := int64(0), 0; page < 100; page++ {
			var out struct {
				Messages []message `json:"messages"`
				More     bool      `json:"more"`
			}
			u := fmt.Sprintf("%s/v1/conversations/%s/messages?after=%d&limit=500", base, c.ID, after)
			if code := doJSON(ctx, t, "GET", u, token, nil, &out); code != http.StatusOK {
				t.Fatalf("messages of %s: status %d", c.ID, code)
			}
			c.Messages = append(c.Messages, out.Messages...)
			if !out.More || len(out.Messages) == 0 {
				break
			}
			after = out.Messages[len(out.Messages)-1].Seq
		}
		for _, m := range c.Messages {
			if m.Author.Type == "visitor" && m.ClientID != "" {
				st.byClientID[m.ClientID] = append(st.byClientID[m.ClientID], m)
			}
		}
	}
	return st
}

// checkGapFree checks that each conversation's messages are numbered 1..last_seq.
func (st *store) checkGapFree(t *testing.T) {
	t.Helper()
	for _, c := range st.convs {
		seqs := make([]int64, 0, len(c.Messages))
		for _, m := range c.Messages {
			seqs = append(seqs, m.Seq)
		}
		for i, s := range seqs {
			if s != int64(i+1) {
				t.Errorf("conversation %s: seq %d at position %d (seqs %v); want gap-free 1..%d", c.ID, s, i+1, seqs, c.LastSeq)
				break
			}
		}
		if int64(len(seqs)) != c.LastSeq {
			t.Errorf("conversation %s: %d messages, last_seq %d", c.ID, len(seqs), c.LastSeq)
		}
	}
}

// checkAcknowledgedStoredOnce: every acknowledged send is stored exactly once, as the message
// its reply named, written by its visitor.
func (tr *traffic) checkAcknowledgedStoredOnce(t *testing.T, st *store) {
	t.Helper()
	for _, v := range tr.visitors {
		for cid, id := range v.acked {
			got := st.byClientID[cid]
			switch {
			case len(got) != 1:
				t.Errorf("acknowledged send %s is stored %d times; want once", cid, len(got))
			case got[0].ID != id || got[0].Author.ID != v.id:
				t.Errorf("acknowledged send %s: stored as %s by %s; the reply said %s by %s", cid, got[0].ID, got[0].Author.ID, id, v.id)
			}
		}
	}
}

// checkSentStoredOnce: every send is stored exactly once (after the resume, which sent the
// unacknowledged ones again).
func (tr *traffic) checkSentStoredOnce(t *testing.T, st *store) {
	t.Helper()
	for _, v := range tr.visitors {
		for _, cid := range v.sent {
			if n := len(st.byClientID[cid]); n != 1 {
				t.Errorf("send %s is stored %d times; want once", cid, n)
			}
		}
	}
}

// checkOneConversationEach: a crash or a resend never opens a second conversation for a visitor.
func (tr *traffic) checkOneConversationEach(t *testing.T, st *store) {
	t.Helper()
	n := map[string]int{}
	for _, c := range st.convs {
		n[c.VisitorID]++
	}
	for _, v := range tr.visitors {
		if n[v.id] != 1 {
			t.Errorf("visitor %d has %d conversations; want 1", v.n, n[v.id])
		}
	}
	if len(st.convs) != len(tr.visitors) {
		t.Errorf("%d conversations for %d visitors", len(st.convs), len(tr.visitors))
	}
}

// checkStoredWereSent: the store holds no visitor message the visitors did not send.
func (tr *traffic) checkStoredWereSent(t *testing.T, st *store) {
	t.Helper()
	sent := map[string]bool{}
	for _, v := range tr.visitors {
		for _, cid := range v.sent {
			sent[cid] = true
		}
	}
	var extra []string
	for cid := range st.byClientID {
		if !sent[cid] {
			extra = append(extra, cid)
		}
	}
	slices.Sort(extra)
	if len(extra) > 0 {
		t.Errorf("stored messages nobody sent: %v", extra)
	}
}

// doJSON sends a JSON request and decodes the JSON response into out; it returns the status.
func doJSON(ctx context.Context, t *testing.T, method, u, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, u, err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, u, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}
