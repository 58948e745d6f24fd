package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Dialer opens WebSockets to one server from several loopback source addresses (127.0.0.1,
// 127.0.0.2, …): each source address has its own ~28,000 ephemeral ports, so tens of thousands
// of connections to one server port do not exhaust them.
type Dialer struct {
	wsURL  string
	client *http.Client
}

// NewDialer returns a Dialer for the server at baseURL (http://host:port) and its WebSocket
// path, spreading connections over sources loopback addresses.
func NewDialer(baseURL, path string, sources int) *Dialer {
	sources = max(1, min(sources, 250))
	var next atomic.Uint64
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			i := next.Add(1) % uint64(sources)
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}}
			return d.DialContext(ctx, network, addr)
		},
		DisableKeepAlives:  true, // every dial is an upgrade; nothing goes back to a pool
		DisableCompression: true,
	}
	return &Dialer{wsURL: "ws" + strings.TrimPrefix(baseURL, "http") + path, client: &http.Client{Transport: tr}}
}

// Dial opens one WebSocket authenticated with token (none when empty).
func (d *Dialer) Dial(ctx context.Context, token string) (*websocket.Conn, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	c, res, err := websocket.Dial(ctx, d.wsURL, &websocket.DialOptions{HTTPClient: d.client, HTTPHeader: h,
		CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("dial %s: HTTP %d: %w", d.wsURL, res.StatusCode, err)
		}
		return nil, fmt.Errorf("dial %s: %w", d.wsURL, err)
	}
	c.SetReadLimit(1 << 20)
	return c, nil
}

// PostJSON posts in as JSON and decodes the answer into out; any status other than want is
// an error that quotes the body.
func PostJSON(ctx context.Context, client *http.Client, url string, in, out any, want int) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	if res.StatusCode != want {
		return fmt.Errorf("POST %s: HTTP %d: %s", url, res.StatusCode, bytes.TrimSpace(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("POST %s: decode answer: %w", url, err)
	}
	return nil
}

// VisitorTokens creates n visitor sessions of site through POST /v1/visitors, workers at a
// time, and returns their tokens. Each token is a distinct visitor, as n browsers would be.
func VisitorTokens(ctx context.Context, baseURL, site string, n, workers int) ([]string, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	defer tr.CloseIdleConnections() // the server must not count these among the idle WebSockets
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	tokens := make([]string, n)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				var out struct {
					Token string `json:"visitor_token"`
				}
				if err := PostJSON(ctx, client, baseURL+"/v1/visitors", map[string]string{"site": site}, &out, http.StatusCreated); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(n)) // stop the others
					return
				}
				tokens[i] = out.Token
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("create visitors: %w", firstErr)
	}
	return tokens, ctx.Err()
}

// Login signs an agent in and returns their token.
func Login(ctx context.Context, baseURL, email, password string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if err := PostJSON(ctx, client, baseURL+"/v1/auth/login", map[string]string{"email": email, "password": password}, &out, http.StatusOK); err != nil {
		return "", fmt.Errorf("agent login: %w", err)
	}
	return out.Token, nil
}

// Frame is the part of a server frame the benchmarks look at.
type Frame struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Code    string          `json:"code"`
	Message json.RawMessage `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// ReadFrame reads and decodes one frame.
func ReadFrame(ctx context.Context, c *websocket.Conn) (Frame, []byte, error) {
	var f Frame
	_, b, err := c.Read(ctx)
	if err != nil {
		return f, nil, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, b, fmt.Errorf("decode frame %.80q: %w", b, err)
	}
	return f, b, nil
}

// Command sends a command and returns the data of its reply, failing on an error frame.
// Events that arrive meanwhile are skipped. Only for setup: the measured paths read in their
// own loops.
func Command(ctx context.Context, c *websocket.Conn, cmd map[string]any) (json.RawMessage, error) {
	b, err := json.Marshal(cmd)
	if err != nil {
		return nil, err
	}
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		return nil, fmt.Errorf("send %v: %w", cmd["type"], err)
	}
	for {
		f, raw, err := ReadFrame(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("reply to %v: %w", cmd["type"], err)
		}
		if f.ID != cmd["id"] {
			continue
		}
		if f.Type != "reply" {
			return nil, fmt.Errorf("%v: %s", cmd["type"], raw)
		}
		return f.Data, nil
	}
}

// TakeOver starts one conversation per visitor (their first message) and has the agent answer
// each, which assigns it to them: from then on the bot stays out and the visitor's messages
// are for the agent, as after a handoff. It returns the conversation ids. Run it before the
// connections' own readers start.
func TakeOver(ctx context.Context, agent *websocket.Conn, visitors []*websocket.Conn) ([]string, error) {
	ids := make([]string, len(visitors))
	for i, v := range visitors {
		data, err := Command(ctx, v, map[string]any{"id": "hello", "type": "send", "client_id": "hello", "text": "Hello, I have a question about my order"})
		if err != nil {
			return nil, fmt.Errorf("visitor %d: %w", i, err)
		}
		var out struct {
			Conversation struct {
				ID string `json:"id"`
			} `json:"conversation"`
		}
		if err := json.Unmarshal(data, &out); err != nil || out.Conversation.ID == "" {
			return nil, fmt.Errorf("visitor %d: no conversation in the reply %s", i, data)
		}
		ids[i] = out.Conversation.ID
		id := fmt.Sprint("takeover-", i)
		if _, err := Command(ctx, agent, map[string]any{"id": id, "type": "send", "conversation_id": ids[i], "client_id": id,
			"text": "Hi, this is Alice. Let me look into it."}); err != nil {
			return nil, fmt.Errorf("agent: %w", err)
		}
	}
	return ids, nil
}

// ConnectAgent signs the admin in, opens their WebSocket and subscribes it to a site's inbox.
func ConnectAgent(ctx context.Context, d *Dialer, baseURL, email, password, site string) (*websocket.Conn, error) {
	tok, err := Login(ctx, baseURL, email, password)
	if err != nil {
		return nil, err
	}
	c, err := d.Dial(ctx, tok)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	// The hello may come after the agent's own presence event (see docs/benchmarks.md).
	for i := 0; ; i++ {
		f, raw, err := ReadFrame(ctx, c)
		if err != nil || i == 3 {
			c.CloseNow()
			return nil, fmt.Errorf("agent: want hello, got %s (%v)", raw, err)
		}
		if f.Type == "hello" {
			break
		}
	}
	if _, err := Command(ctx, c, map[string]any{"id": "subscribe", "type": "subscribe", "site": site}); err != nil {
		c.CloseNow()
		return nil, fmt.Errorf("agent: %w", err)
	}
	return c, nil
}

// ConnectVisitors opens one WebSocket per token, workers at a time, and reads each one's hello.
func ConnectVisitors(ctx context.Context, d *Dialer, tokens []string, workers int) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, len(tokens))
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tokens) {
					return
				}
				c, err := d.Dial(ctx, tokens[i])
				if err == nil {
					var f Frame
					if f, _, err = ReadFrame(ctx, c); err == nil && f.Type != "hello" {
						err = fmt.Errorf("want hello, got %s", f.Type)
					}
					if err != nil {
						c.CloseNow()
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("visitor %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(len(tokens)))
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		CloseAll(conns)
		return nil, firstErr
	}
	return conns, nil
}

// CloseAll closes connections without waiting for the close handshake.
func CloseAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c != nil {
			c.CloseNow()
		}
	}
}

// Demo is a running baton with an agent subscribed to the demo site's inbox and n visitors
// connected to it: the common start of the latency and throughput benchmarks.
type Demo struct {
	Baton    *Baton
	Agent    *websocket.Conn
	Visitors []*websocket.Conn
}

// StartDemo starts baton with o and connects the agent and n visitors, dialling from sources
// loopback addresses.
func StartDemo(ctx context.Context, o BatonOptions, n, sources int) (*Demo, error) {
	b, err := StartBaton(ctx, o)
	if err != nil {
		return nil, err
	}
	d := NewDialer(b.URL, "/v1/ws", sources)
	agent, err := ConnectAgent(ctx, d, b.URL, b.AdminEmail, b.AdminPassword, "demo")
	if err != nil {
		b.Stop()
		return nil, err
	}
	demo := &Demo{Baton: b, Agent: agent}
	tokens, err := VisitorTokens(ctx, b.URL, "demo", n, 16)
	if err == nil {
		demo.Visitors, err = ConnectVisitors(ctx, d, tokens, 32)
	}
	if err != nil {
		demo.Close()
		return nil, err
	}
	return demo, nil
}

// Close disconnects everyone and stops baton.
func (d *Demo) Close() {
	CloseAll(d.Visitors)
	d.Agent.CloseNow()
	d.Baton.Stop()
}
