package site

import (
	"fmt"
	"net/mail"
	"time"

	"github.com/batonchat/baton/server/helpdesk"
)

// Assignment policies of a site or a team (see docs/routing.md).
const (
	PolicyManual     = "manual"      // nobody is assigned automatically: agents pick from Unassigned (the default)
	PolicyRoundRobin = "round_robin" // the next eligible agent in turn
	PolicyLeastOpen  = "least_open"  // the eligible agent with the fewest open conversations
)

// DefaultReassignAfter is how long an assigned agent has to reply before the conversation goes
// to someone else, when the settings say nothing.
const DefaultReassignAfter = 15 * time.Minute

// MaxReassignAfter bounds Routing.ReassignAfter: a longer silence is what a ticket is for.
const MaxReassignAfter = 7 * 24 * time.Hour

// Routing is the routing section of the settings: who gets a conversation that waits for a
// person. A site without it routes manually (agents pick from Unassigned).
type Routing struct {
	// Policy is manual (default), round_robin or least_open.
	Policy string `yaml:"policy,omitempty" json:"policy,omitempty" validate:"omitempty,oneof=manual round_robin least_open"`
	// OnlyOnline routes only to agents who are online (not away, not offline); default true.
	OnlyOnline *bool `yaml:"only_online,omitempty" json:"only_online,omitempty"`
	// MaxOpenPerAgent is how many unresolved conversations an agent may have assigned and still
	// be routed another one (0: handoff.max_open_per_agent, then no limit).
	MaxOpenPerAgent int `yaml:"max_open_per_agent,omitempty" json:"max_open_per_agent,omitempty" validate:"min=0,max=1000"`
	// ReassignAfter is how long an assigned agent has to reply before the conversation goes to
	// another eligible agent: nil (left out) is 15m, 0 switches reassignment off.
	ReassignAfter *Duration `yaml:"reassign_after,omitempty" json:"reassign_after,omitempty"`
	// Teams are named groups of agents that handoff tags and rules can target.
	Teams []Team `yaml:"teams,omitempty" json:"teams,omitempty" validate:"max=100,dive"`
	// Rules act when a tag is applied to a conversation.
	Rules []Rule `yaml:"rules,omitempty" json:"rules,omitempty" validate:"max=200,dive"`
}

// Team is a named group of agents with its own policy and options (each left out: the site's).
type Team struct {
	Name string `yaml:"name" json:"name" validate:"required,tagname"`
	// Agents are the members' email addresses.
	Agents          []string `yaml:"agents" json:"agents" validate:"max=500"`
	Policy          string   `yaml:"policy,omitempty" json:"policy,omitempty" validate:"omitempty,oneof=manual round_robin least_open"`
	OnlyOnline      *bool    `yaml:"only_online,omitempty" json:"only_online,omitempty"`
	MaxOpenPerAgent int      `yaml:"max_open_per_agent,omitempty" json:"max_open_per_agent,omitempty" validate:"min=0,max=1000"`
}

// Rule acts when Tag is applied to a conversation (by the bot's detector, an agent, a bot):
// it assigns to a team or an agent, notifies a signed webhook, and/or suspends the bot.
type Rule struct {
	Tag string `yaml:"tag" json:"tag" validate:"required,tagname"`
	// AssignTeam routes the conversation within that team (by the team's policy).
	AssignTeam string `yaml:"assign_team,omitempty" json:"assign_team,omitempty"`
	// AssignAgent assigns the conversation to the agent with that email.
	AssignAgent string `yaml:"assign_agent,omitempty" json:"assign_agent,omitempty"`
	// Notify posts a signed JSON event to the owner's endpoint, through the outbox.
	Notify *RuleNotify `yaml:"notify,omitempty" json:"notify,omitempty"`
	// SuspendBot stops the bot in the conversation (a person takes over).
	SuspendBot bool `yaml:"suspend_bot,omitempty" json:"suspend_bot,omitempty"`
}

// RuleNotify is where a rule's webhook goes: url, and secret_env naming the environment
// variable of `baton serve` that holds the signing secret (secrets never live in settings).
type RuleNotify = helpdesk.WebhookConfig

// RoutingPolicy is the site's policy with the default filled in.
func (s *Settings) RoutingPolicy() string {
	if s.Routing == nil || s.Routing.Policy == "" {
		return PolicyManual
	}
	return s.Routing.Policy
}

// Teams returns the site's teams (nil-safe).
func (s *Settings) Teams() []Team {
	if s.Routing == nil {
		return nil
	}
	return s.Routing.Teams
}

// TeamByName returns the team of that name, or nil.
func (s *Settings) TeamByName(name string) *Team {
	if s.Routing == nil {
		return nil
	}
	for i := range s.Routing.Teams {
		if s.Routing.Teams[i].Name == name {
			return &s.Routing.Teams[i]
		}
	}
	return nil
}

// RulesFor returns the rules that act on tag (nil-safe).
func (s *Settings) RulesFor(tag string) []Rule {
	if s.Routing == nil {
		return nil
	}
	var out []Rule
	for _, r := range s.Routing.Rules {
		if r.Tag == tag {
			out = append(out, r)
		}
	}
	return out
}

// ReassignAfter is how long an assigned agent has to reply; 0: reassignment is off.
func (s *Settings) ReassignAfter() time.Duration {
	if s.Routing == nil || s.Routing.ReassignAfter == nil {
		return DefaultReassignAfter
	}
	return time.Duration(*s.Routing.ReassignAfter)
}

// Policy says how a site or one of its teams assigns conversations: the team's own options
// where it has them, the site's otherwise.
type Policy struct {
	Name       string // manual, round_robin or least_open
	OnlyOnline bool
	// MaxOpen is the capacity per agent; 0: no limit.
	MaxOpen int
	// Agents are the team's members' emails; nil for the whole site (every agent of it).
	Agents []string
	Team   string // the team's name; empty for the site
}

// RoutingFor returns the policy of team (empty: the site's). routing.max_open_per_agent wins
// over handoff.max_open_per_agent, which still applies when routing leaves it out.
func (s *Settings) RoutingFor(team string) Policy {
	p := Policy{Name: s.RoutingPolicy(), OnlyOnline: true}
	if s.Handoff != nil {
		p.MaxOpen = s.Handoff.MaxOpenPerAgent
	}
	if r := s.Routing; r != nil {
		if r.OnlyOnline != nil {
			p.OnlyOnline = *r.OnlyOnline
		}
		if r.MaxOpenPerAgent > 0 {
			p.MaxOpen = r.MaxOpenPerAgent
		}
	}
	if t := s.TeamByName(team); t != nil {
		p.Team, p.Agents = t.Name, t.Agents
		if p.Agents == nil {
			p.Agents = []string{}
		}
		if t.Policy != "" {
			p.Name = t.Policy
		}
		if t.OnlyOnline != nil {
			p.OnlyOnline = *t.OnlyOnline
		}
		if t.MaxOpenPerAgent > 0 {
			p.MaxOpen = t.MaxOpenPerAgent
		}
	}
	return p
}

// validateRouting checks what the struct tags cannot: durations, emails, duplicate teams,
// rules naming unknown teams, rules that do nothing.
func (s *Settings) validateRouting() []string {
	r := s.Routing
	if r == nil {
		return nil
	}
	var problems []string
	bad := func(field, format string, args ...any) {
		problems = append(problems, "routing."+field+": "+fmt.Sprintf(format, args...))
	}
	if d := r.ReassignAfter; d != nil && (*d < 0 || time.Duration(*d) > MaxReassignAfter ||
		(*d > 0 && time.Duration(*d) < time.Minute)) {
		bad("reassign_after", "must be 0 (off) or between 1m and %s", MaxReassignAfter)
	}
	seen := map[string]bool{}
	for i, t := range r.Teams {
		if seen[t.Name] {
			bad(fmt.Sprintf("teams[%d].name", i), "%q is already the name of another team", t.Name)
		}
		seen[t.Name] = true
		for j, a := range t.Agents {
			if !validEmail(a) {
				bad(fmt.Sprintf("teams[%d].agents[%d]", i, j), "%q is not an email address", a)
			}
		}
	}
	for i, rule := range r.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		if rule.AssignTeam != "" && !seen[rule.AssignTeam] {
			bad(field+".assign_team", "%q is not a team of routing.teams", rule.AssignTeam)
		}
		if rule.AssignAgent != "" && !validEmail(rule.AssignAgent) {
			bad(field+".assign_agent", "%q is not an email address", rule.AssignAgent)
		}
		if rule.AssignTeam != "" && rule.AssignAgent != "" {
			bad(field, "set assign_team or assign_agent, not both")
		}
		if rule.Notify != nil {
			if ps, ok := rule.Notify.Validate().(helpdesk.Problems); ok {
				for _, p := range ps {
					problems = append(problems, "routing."+field+".notify."+p)
				}
			}
		}
		if rule.AssignTeam == "" && rule.AssignAgent == "" && rule.Notify == nil && !rule.SuspendBot {
			bad(field, "does nothing: set assign_team, assign_agent, notify or suspend_bot")
		}
	}
	return problems
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
