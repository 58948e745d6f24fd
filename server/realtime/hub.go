// Package realtime serves Baton's realtime API: one WebSocket per client, JSON frames, commands
// answered exactly once, and committed events fanned out to the agents of a site and to the
// visitor of a conversation. The hub keeps only routing state in memory; everything durable is
// in the store, which is what makes resume after a reconnect exact.
package realtime

import (
	"sync"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/wire"
)

// Hub routes events to connections.
type Hub struct {
	mu       sync.RWMutex
	visitors map[string][]*Conn            // visitor id → their connections (tabs)
	sites    map[string]map[*Conn]struct{} // site id → agent connections subscribed to its inbox
	agents   map[string][]*Conn            // agent id → their connections
	conns    map[*Conn]struct{}
	presence map[string]string  // agent id → online/away, for agents with at least one connection
	bots     map[string][]*Conn // site id → connected realtime bots (never counted as agents)
	botTurn  int                // spreads bot requests over a site's bot connections
	closing  bool
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{
		visitors: map[string][]*Conn{},
		sites:    map[string]map[*Conn]struct{}{},
		agents:   map[string][]*Conn{},
		conns:    map[*Conn]struct{}{},
		presence: map[string]string{},
		bots:     map[string][]*Conn{},
	}
}

// register adds a connection; it fails when the hub is shutting down.
func (h *Hub) register(c *Conn) bool {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return false
	}
	h.conns[c] = struct{}{}
	var announce bool
	if c.bot {
		for _, site := range c.agent.SiteIDs {
			h.bots[site] = append(h.bots[site], c)
		}
	} else if c.agent != nil {
		h.agents[c.agent.ID] = append(h.agents[c.agent.ID], c)
		if _, ok := h.presence[c.agent.ID]; !ok {
			h.presence[c.agent.ID] = "online"
			announce = true
		}
	} else {
		h.visitors[c.visitorID] = append(h.visitors[c.visitorID], c)
	}
	h.mu.Unlock()
	if announce {
		h.publishPresence(c.agent, "online", c)
	}
	return true
}

func (h *Hub) unregister(c *Conn) {
	h.mu.Lock()
	if _, ok := h.conns[c]; !ok {
		h.mu.Unlock()
		return
	}
	delete(h.conns, c)
	var gone bool
	if c.bot {
		for _, site := range c.agent.SiteIDs {
			if h.bots[site] = without(h.bots[site], c); len(h.bots[site]) == 0 {
				delete(h.bots, site)
			}
		}
	} else if c.agent != nil {
		h.agents[c.agent.ID] = without(h.agents[c.agent.ID], c)
		if len(h.agents[c.agent.ID]) == 0 {
			delete(h.agents, c.agent.ID)
			delete(h.presence, c.agent.ID)
			gone = true
		}
		for site := range c.sites {
			delete(h.sites[site], c)
			if len(h.sites[site]) == 0 {
				delete(h.sites, site)
			}
		}
	} else {
		h.visitors[c.visitorID] = without(h.visitors[c.visitorID], c)
		if len(h.visitors[c.visitorID]) == 0 {
			delete(h.visitors, c.visitorID)
		}
	}
	h.mu.Unlock()
	if gone {
		h.publishPresence(c.agent, "offline", nil)
	}
}

func without(list []*Conn, c *Conn) []*Conn {
	for i, x := range list {
		if x == c {
			list[i] = list[len(list)-1]
			list[len(list)-1] = nil
			return list[:len(list)-1]
		}
	}
	return list
}

// subscribe adds an agent connection to a site's inbox.
func (h *Hub) subscribe(c *Conn, siteID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[c]; !ok {
		return
	}
	if h.sites[siteID] == nil {
		h.sites[siteID] = map[*Conn]struct{}{}
	}
	h.sites[siteID][c] = struct{}{}
	c.sites[siteID] = struct{}{}
}

// SetPresence records an agent's chosen status (online or away) and tells other agents.
func (h *Hub) SetPresence(a *chat.Agent, status string) {
	h.mu.Lock()
	_, connected := h.presence[a.ID]
	changed := connected && h.presence[a.ID] != status
	if changed {
		h.presence[a.ID] = status
	}
	h.mu.Unlock()
	if changed {
		h.publishPresence(a, status, nil)
	}
}

// Online returns the ids of the agents connected and not away.
func (h *Hub) Online() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for id, st := range h.presence {
		if st == "online" {
			out = append(out, id)
		}
	}
	return out
}

// Available reports whether a human agent of the site is connected and online (not away).
func (h *Hub) Available(siteID string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for id, conns := range h.agents {
		if h.presence[id] == "online" && len(conns) > 0 && conns[0].agent.Role != chat.RoleBot && conns[0].agent.CanAccessSite(siteID) {
			return true
		}
	}
	return false
}

// OnlineAgents returns the human agents of the site who are connected and online (not away).
func (h *Hub) OnlineAgents(siteID string) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for id, conns := range h.agents {
		if h.presence[id] == "online" && len(conns) > 0 && conns[0].agent.Role != chat.RoleBot && conns[0].agent.CanAccessSite(siteID) {
			out = append(out, id)
		}
	}
	return out
}

// VisitorConnected reports whether the visitor has the chat open in a tab.
func (h *Hub) VisitorConnected(visitorID string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.visitors[visitorID]) > 0
}

// Connections counts open connections by role.
func (h *Hub) Connections() (visitors, agents int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.conns {
		if c.agent != nil {
			agents++
		} else {
			visitors++
		}
	}
	return visitors, agents
}

// publishPresence tells the agents who share a site with a. except (the connection that just
// made a online) is left out: its hello must come first, and it knows it is there.
func (h *Hub) publishPresence(a *chat.Agent, status string, except *Conn) {
	frame := wire.Marshal(wire.PresenceEvent{Type: "presence", Agent: wire.Assignee{ID: a.ID, Name: a.Name}, Status: status})
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, conns := range h.agents {
		for _, c := range conns {
			if c != except && (c.agent.Role == chat.RoleAdmin || a.Role == chat.RoleAdmin || sharesSite(c.agent, a)) {
				c.send(frame)
			}
		}
	}
}

func sharesSite(a, b *chat.Agent) bool {
	for _, x := range a.SiteIDs {
		if b.CanAccessSite(x) {
			return true
		}
	}
	return false
}

// Publish delivers a committed event: to the agents subscribed to the site and, unless it is
// for agents only, to the visitor's connections. Frames are encoded once per audience.
func (h *Hub) Publish(ev *chat.Event) {
	var agentFrame, visitorFrame []byte
	var seqAgent, seqVisitor int64
	switch ev.Type {
	case chat.EventMessage:
		agentFrame = wire.Marshal(wire.MessageEvent{Type: "message", Message: wire.NewMessage(ev.Message, false)})
		seqAgent = ev.Message.Seq
		if !ev.AgentsOnly {
			visitorFrame = wire.Marshal(wire.MessageEvent{Type: "message", Message: wire.NewMessage(ev.Message, true)})
			seqVisitor = ev.Message.VisitorSeq
		}
	case chat.EventConversation:
		agentFrame = wire.Marshal(wire.ConversationEvent{Type: "conversation", Conversation: wire.NewConversation(ev.Conversation, false)})
		visitorFrame = wire.Marshal(wire.ConversationEvent{Type: "conversation", Conversation: wire.NewConversation(ev.Conversation, true)})
	case chat.EventTyping:
		agentFrame = wire.Marshal(wire.TypingEvent{Type: "typing", ConversationID: ev.Conversation.ID, Author: ev.Author, Typing: ev.Typing})
		if ev.Author.Type != chat.AuthorVisitor {
			visitorFrame = agentFrame
		}
	case chat.EventRead:
		agentFrame = wire.Marshal(wire.ReadEvent{Type: "read", ConversationID: ev.Conversation.ID, Author: ev.Author, Seq: ev.Seq})
	case chat.EventVisitor: // the site's agents only: never the visitor, never another site
		agentFrame = wire.Marshal(wire.VisitorEvent{Type: "visitor", Visitor: ev.Visitor})
	default:
		return
	}
	convID := ""
	if ev.Conversation != nil {
		convID = ev.Conversation.ID
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.sites[ev.SiteID] {
		c.deliver(convID, seqAgent, agentFrame, ev.Origin == any(c))
	}
	if visitorFrame != nil {
		for _, c := range h.visitors[ev.VisitorID] {
			c.deliver(convID, seqVisitor, visitorFrame, ev.Origin == any(c))
		}
	}
}

// Shutdown tells every client to reconnect (elsewhere, or here after a restart) and closes
// the connections; new connections are refused from now on.
func (h *Hub) Shutdown() {
	frame := wire.Marshal(wire.ReconnectEvent{Type: "reconnect", Reason: "shutdown", RetryAfterMS: 1000})
	h.mu.Lock()
	h.closing = true
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.goAway(frame)
		}()
	}
	wg.Wait()
}
