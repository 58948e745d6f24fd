// Package routing decides who gets a conversation that waits for a person: by the site's (or a
// team's) policy — manual, round robin or least open conversations — among the agents who may
// take it (of the site, in the team, online when only_online, under max_open_per_agent). It
// also runs the site's rules on tags and reassigns a conversation whose agent has not replied
// in time (see docs/routing.md).
//
// Everything routing decides is written in the transaction of the change that caused it (the
// handoff's move to Unassigned, a tag, an assign command): the assignment, its event, the
// round-robin position and the reassignment timer commit together or not at all, and both the
// position and the timers live in the database, so they survive a restart and are shared by
// every node.
package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// Timer is a pending reassignment: when DueAt passes and AgentID still has the conversation
// without having replied after AssignedSeq, it goes to another agent.
type Timer struct {
	ConversationID string
	SiteID         string
	AgentID        string
	Team           string // the team it was routed within ("" for the site): a reassignment stays in it
	AssignedSeq    int64
	AssignedAt     time.Time
	DueAt          time.Time
}

// Tx is what routing reads and writes inside a conversation's transaction; the store's
// transactions implement it. Routing reads nothing through the store's pool while a
// transaction is open: on PostgreSQL, transactions waiting for a pool connection could
// otherwise hold every connection.
type Tx interface {
	// RoutingAgents returns the people who may see the site: its agents and the admins, never
	// bot accounts.
	RoutingAgents(siteID string) ([]*chat.Agent, error)
	// OpenAssigned counts, per agent, the unresolved conversations assigned to them.
	OpenAssigned(agentIDs []string) (map[string]int, error)
	// RoutingCursor is the agent who got the last round-robin conversation ("" when none).
	RoutingCursor(siteID, team string) (string, error)
	SetRoutingCursor(siteID, team, agentID string) error
	// SetRoutingTimer stores the conversation's timer, replacing an earlier one.
	SetRoutingTimer(t *Timer) error
	DeleteRoutingTimer(conversationID string) error
	// ClaimRoutingTimer deletes the timer as it was read and reports whether it did: the one
	// transaction that claims a timer acts on it.
	ClaimRoutingTimer(t *Timer) (bool, error)
}

// Store is what routing reads outside transactions; *store.DB implements it.
type Store interface {
	Agents(ctx context.Context) ([]*chat.Agent, error)
	// OpenAssigned counts, per agent, the unresolved conversations assigned to them.
	OpenAssigned(ctx context.Context, agentIDs []string) (map[string]int, error)
	DueRoutingTimers(ctx context.Context, now time.Time, limit int) ([]*Timer, error)
}

// Presence tells who is online; the realtime hub implements it.
type Presence interface {
	// OnlineAgents returns the human agents of the site who are connected and online (not away).
	OnlineAgents(siteID string) []string
}

// Options configure a Router.
type Options struct {
	Store         Store
	Sites         *site.Cache
	Conversations *conversation.Service
	Presence      Presence
	// Notifier posts rules' webhooks through the outbox; nil: a rule's notify is logged and skipped.
	Notifier Notifier
	// AutoResponse is what the visitor is told when nobody can take their conversation (the
	// handoff's business-hours or no-agent answer), read in the conversation's transaction;
	// nil: nothing is said.
	AutoResponse func(tx chat.Tx, st *site.Settings, c *chat.Conversation) string
	Log          *slog.Logger
	Now          func() time.Time
	// Batch bounds the timers one look fires; default 100.
	Batch int
}

// Router assigns conversations and fires the reassignment timers.
type Router struct {
	o Options
}

// New returns a Router.
func New(o Options) *Router {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	return &Router{o: o}
}

// Candidate is an agent who may be routed a conversation, with their open conversations.
type Candidate struct {
	ID   string
	Open int
}

// Pick chooses among eligible candidates by policy; last is the agent who got the previous
// conversation by this policy (round-robin position). Round robin takes the first candidate
// after last in id order, wrapping around; least open takes the fewest open conversations,
// ties going round robin from last. Manual, or no candidate: "".
func Pick(policy string, cands []Candidate, last string) string {
	if len(cands) == 0 || (policy != site.PolicyRoundRobin && policy != site.PolicyLeastOpen) {
		return ""
	}
	sorted := append([]Candidate(nil), cands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	// Rotate so that the agent after last comes first: the order ties are broken in.
	start := sort.Search(len(sorted), func(i int) bool { return sorted[i].ID > last })
	order := append(sorted[start:len(sorted):len(sorted)], sorted[:start]...)
	if policy == site.PolicyRoundRobin {
		return order[0].ID
	}
	best := order[0]
	for _, c := range order[1:] {
		if c.Open < best.Open {
			best = c
		}
	}
	return best.ID
}

// eligible returns the agents of the site who may be routed a conversation by p, with their
// open conversations (counted by open): of the site, not bots, in p's team, online when p
// asks, under capacity, and not exclude.
func (r *Router) eligible(agents []*chat.Agent, open func([]string) (map[string]int, error), siteID string, p site.Policy, exclude string) ([]Candidate, map[string]*chat.Agent, error) {
	var members map[string]bool
	if p.Agents != nil {
		members = make(map[string]bool, len(p.Agents))
		for _, e := range p.Agents {
			members[strings.ToLower(e)] = true
		}
	}
	var online map[string]bool
	if p.OnlyOnline {
		online = map[string]bool{}
		if r.o.Presence != nil {
			for _, id := range r.o.Presence.OnlineAgents(siteID) {
				online[id] = true
			}
		}
	}
	byID := map[string]*chat.Agent{}
	var ids []string
	for _, a := range agents {
		switch {
		case a.Role == chat.RoleBot, !a.CanAccessSite(siteID), a.ID == exclude,
			members != nil && !members[strings.ToLower(a.Email)], online != nil && !online[a.ID]:
			continue
		}
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	counts, err := open(ids)
	if err != nil {
		return nil, nil, fmt.Errorf("routing: open conversations: %w", err)
	}
	var out []Candidate
	for _, id := range ids {
		if p.MaxOpen > 0 && counts[id] >= p.MaxOpen {
			continue
		}
		out = append(out, Candidate{ID: id, Open: counts[id]})
	}
	return out, byID, nil
}

// eligibleTx is eligible read in e's transaction.
func (r *Router) eligibleTx(e *conversation.BotEdit, p site.Policy, exclude string) ([]Candidate, map[string]*chat.Agent, error) {
	rtx, ok := e.Tx.(Tx)
	if !ok {
		return nil, nil, errors.New("routing: the store's transactions do not keep routing state")
	}
	agents, err := rtx.RoutingAgents(e.Conv.SiteID)
	if err != nil {
		return nil, nil, err
	}
	return r.eligible(agents, rtx.OpenAssigned, e.Conv.SiteID, p, exclude)
}

// Available reports whether someone could be routed a conversation of the site now (by the
// site's options, whatever its policy): the handoff tells the visitor a person is coming only
// then.
func (r *Router) Available(ctx context.Context, siteID string, st *site.Settings) bool {
	p := st.RoutingFor("")
	p.OnlyOnline = true // "a person is coming" is a promise about who is here now
	agents, err := r.o.Store.Agents(ctx)
	if err != nil {
		r.o.Log.Warn("routing: cannot tell who is available: assuming someone", "site", siteID, "err", err)
		return true
	}
	cands, _, err := r.eligible(agents, func(ids []string) (map[string]int, error) { return r.o.Store.OpenAssigned(ctx, ids) }, siteID, p, "")
	if err != nil {
		r.o.Log.Warn("routing: cannot tell who is available: assuming someone", "site", siteID, "err", err)
		return true
	}
	return len(cands) > 0
}

// policyLabel is how events name a policy.
var policyLabel = map[string]string{site.PolicyRoundRobin: "round robin", site.PolicyLeastOpen: "least open conversations"}

// route picks an agent by the policy of team (exclude: never them) and assigns the
// conversation in e's transaction, with the event, the round-robin position and the
// reassignment timer. It returns the agent, or nil when the policy is manual or nobody is
// eligible (the conversation is then left as it is).
func (r *Router) route(e *conversation.BotEdit, st *site.Settings, team, exclude string) (*chat.Agent, error) {
	p := st.RoutingFor(team)
	if p.Name == site.PolicyManual {
		return nil, nil
	}
	c := e.Conv
	cands, agents, err := r.eligibleTx(e, p, exclude)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	rtx := e.Tx.(Tx) // checked by eligibleTx
	last, err := rtx.RoutingCursor(c.SiteID, p.Team)
	if err != nil {
		return nil, err
	}
	id := Pick(p.Name, cands, last)
	if err := rtx.SetRoutingCursor(c.SiteID, p.Team, id); err != nil {
		return nil, err
	}
	a := agents[id]
	by := policyLabel[p.Name]
	if p.Team != "" {
		by += " in team " + p.Team
	}
	if err := e.Assign(a.ID, "Assigned to "+a.Name+" by "+by, map[string]any{"by": "routing", "policy": p.Name, "team": p.Team}); err != nil {
		return nil, err
	}
	return a, r.arm(e, st, a.ID, p.Team)
}

// arm starts the reassignment timer of an assignment (none when reassignment is off).
func (r *Router) arm(e *conversation.BotEdit, st *site.Settings, agentID, team string) error {
	rtx, ok := e.Tx.(Tx)
	if !ok {
		return errors.New("routing: the store's transactions do not keep routing state")
	}
	after := st.ReassignAfter()
	if after <= 0 {
		return rtx.DeleteRoutingTimer(e.Conv.ID)
	}
	now := r.o.Now()
	return rtx.SetRoutingTimer(&Timer{ConversationID: e.Conv.ID, SiteID: e.Conv.SiteID, AgentID: agentID, Team: team,
		AssignedSeq: e.Conv.LastSeq, AssignedAt: now, DueAt: now.Add(after)})
}

// target is the rule that says where a waiting conversation goes: the first, in the settings'
// order, whose tag the conversation carries and that assigns a team or an agent (nil: none).
func target(st *site.Settings, c *chat.Conversation) *site.Rule {
	if st.Routing == nil {
		return nil
	}
	for i, rule := range st.Routing.Rules {
		if (rule.AssignTeam != "" || rule.AssignAgent != "") && c.HasTag(rule.Tag) {
			return &st.Routing.Rules[i]
		}
	}
	return nil
}

// Queued routes a conversation the handoff has just put in the Unassigned queue, in the
// handoff's transaction: to the team or agent a rule on its tags names (the handoff tag's
// included), else by the site's policy. Nobody eligible (or manual): it stays in Unassigned.
func (r *Router) Queued(e *conversation.BotEdit, st *site.Settings) error {
	team := ""
	if rule := target(st, e.Conv); rule != nil && rule.AssignAgent != "" {
		if ok, err := r.toAgent(e, st, *rule); err != nil || ok {
			return err
		}
	} else if rule != nil {
		team = rule.AssignTeam
		if err := e.AddTag(TeamTag(team), "Waiting for team "+team); err != nil {
			return err
		}
	}
	_, err := r.route(e, st, team, "")
	return err
}

// TeamTag is the tag a conversation routed to a team carries, so that the team's queue is an
// inbox view (views select by tag) even when nobody of the team could take it yet.
func TeamTag(team string) string { return "team:" + team }

// AssignTeam routes a conversation within a team at a person's request (the assign command's
// team). The conversation carries the team's tag; when the team's policy is manual or nobody
// of it is eligible, it waits in Unassigned.
func (r *Router) AssignTeam(e *conversation.BotEdit, actor conversation.Actor, team string) error {
	l, err := r.o.Sites.ByID(e.Context(), e.Conv.SiteID)
	if err != nil {
		return fmt.Errorf("routing: site: %w", err)
	}
	if l.Settings.TeamByName(team) == nil {
		return chat.Errorf(chat.EInvalid, "team: no team %q in this site's routing settings", team)
	}
	return r.toTeam(e, l.Settings, team, "")
}

// toTeam tags the conversation with the team, then routes within it; when nobody is routed
// it waits in Unassigned (taken from the bot or its agent).
func (r *Router) toTeam(e *conversation.BotEdit, st *site.Settings, team, exclude string) error {
	if err := e.AddTag(TeamTag(team), "Sent to team "+team); err != nil {
		return err
	}
	a, err := r.route(e, st, team, exclude)
	if err != nil || a != nil {
		return err
	}
	if e.Conv.Status == chat.StatusUnassigned {
		return nil
	}
	if e.Conv.Status == chat.StatusBot {
		e.Conv.BotPaused = true // a person of the team takes it from here
	}
	if rtx, ok := e.Tx.(Tx); ok {
		if err := rtx.DeleteRoutingTimer(e.Conv.ID); err != nil {
			return err
		}
	}
	return e.Unassign("Waiting in Unassigned for team "+team, map[string]any{"by": "routing", "team": team})
}

// Suspended routes a conversation a tag's post-action has just taken from the bot and put in
// Unassigned, in the bot's transaction (the conversation service's OnSuspended hook), as Queued.
func (r *Router) Suspended(e *conversation.BotEdit) error {
	l, err := r.o.Sites.ByID(e.Context(), e.Conv.SiteID)
	if err != nil {
		return fmt.Errorf("routing: site: %w", err)
	}
	return r.Queued(e, l.Settings)
}

// Assigned arms the reassignment timer when a person assigns a conversation to another agent
// (the conversation service's OnAssigned hook): whoever gives a conversation to someone else
// expects them to answer, and nobody should wait on an agent who has gone quiet.
func (r *Router) Assigned(e *conversation.BotEdit, agentID string) error {
	l, err := r.o.Sites.ByID(e.Context(), e.Conv.SiteID)
	if err != nil {
		return fmt.Errorf("routing: site: %w", err)
	}
	return r.arm(e, l.Settings, agentID, "")
}
