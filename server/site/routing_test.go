package site

import (
	"strings"
	"testing"
	"time"
)

func TestRoutingSectionIsCheckedByField(t *testing.T) {
	const head = "key: shop\nname: Shop\n"
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error, one per problem; nil: valid
	}{
		{"none: manual", "", nil},
		{"every field", `routing:
  policy: round_robin
  only_online: false
  max_open_per_agent: 5
  reassign_after: 10m
  teams:
    - {name: billing, agents: [ann@shop.example, bob@shop.example], policy: least_open, only_online: true, max_open_per_agent: 2}
    - {name: returns, agents: [cid@shop.example]}
  rules:
    - {tag: return_or_refund, assign_team: returns}
    - {tag: vip, assign_agent: ann@shop.example, suspend_bot: true}
    - {tag: angry, notify: {url: "https://hooks.shop.example/baton", secret_env: RULE_SECRET}}
`, nil},
		{"reassignment off", "routing: {reassign_after: 0s}\n", nil},
		{"an unknown policy, on the site and on a team", "routing:\n  policy: lottery\n  teams: [{name: a, agents: []}, {name: b, agents: [], policy: dice}]\n",
			[]string{`routing.policy: "lottery" must be one of: manual round_robin least_open`, `routing.teams[1].policy: "dice" must be one of`}},
		{"a rule naming an unknown team", "routing:\n  rules: [{tag: vip, assign_team: nobody}]\n",
			[]string{`routing.rules[0].assign_team: "nobody" is not a team of routing.teams`}},
		{"a rule doing nothing", "routing:\n  rules: [{tag: vip}]\n", []string{"routing.rules[0]: does nothing"}},
		{"a rule assigning twice", "routing:\n  teams: [{name: a, agents: []}]\n  rules: [{tag: vip, assign_team: a, assign_agent: x@y.example}]\n",
			[]string{"routing.rules[0]: set assign_team or assign_agent, not both"}},
		{"a rule's webhook, by field", "routing:\n  rules: [{tag: vip, notify: {url: \"http://hooks.example\", secret_env: \"no way\"}}]\n",
			[]string{"routing.rules[0].notify.url", "routing.rules[0].notify.secret_env"}},
		{"bad emails and names", "routing:\n  teams: [{name: Billing Team, agents: [not-an-email]}, {name: ok, agents: []}, {name: ok, agents: []}]\n  rules: [{tag: vip, assign_agent: nope}]\n",
			[]string{"routing.teams[0].name", "routing.teams[0].agents[0]", `routing.teams[2].name: "ok" is already`, "routing.rules[0].assign_agent"}},
		{"a reassignment too soon, too late, negative", "routing: {reassign_after: 10s}\n", []string{"routing.reassign_after: must be 0 (off) or between 1m"}},
		{"a negative capacity", "routing: {max_open_per_agent: -1}\n", []string{"routing.max_open_per_agent: must be at least 0"}},
		{"an unknown field", "routing: {polcy: manual}\n", []string{`unknown field "polcy"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseYAML([]byte(head + tt.doc))
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				back, err := ParseJSON(s.JSON())
				if err != nil {
					t.Fatalf("JSON round trip: %v in %s", err, s.JSON())
				}
				if back.RoutingPolicy() != s.RoutingPolicy() || len(back.Teams()) != len(s.Teams()) || back.ReassignAfter() != s.ReassignAfter() {
					t.Fatalf("JSON round trip changed the routing: %s", s.JSON())
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %+v", s.Routing)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestRoutingPolicyFillsInTheSitesOptions(t *testing.T) {
	none, err := ParseYAML([]byte("key: shop\nname: Shop\nhandoff: {max_open_per_agent: 4}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := none.RoutingFor(""); p.Name != PolicyManual || !p.OnlyOnline || p.MaxOpen != 4 || p.Agents != nil {
		t.Fatalf("no routing section: %+v", p)
	}
	if none.ReassignAfter() != DefaultReassignAfter || none.TeamByName("x") != nil || none.Teams() != nil || none.RulesFor("x") != nil {
		t.Fatal("a site without routing has no teams, no rules and the default reassignment")
	}
	s, err := ParseYAML([]byte(`key: shop
name: Shop
handoff: {max_open_per_agent: 4}
routing:
  policy: round_robin
  only_online: false
  max_open_per_agent: 6
  reassign_after: 0s
  teams:
    - {name: billing, agents: [ann@shop.example], policy: least_open, max_open_per_agent: 2}
    - {name: empty, agents: []}
  rules: [{tag: vip, assign_team: billing}, {tag: vip, suspend_bot: true}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if p := s.RoutingFor(""); p.Name != PolicyRoundRobin || p.OnlyOnline || p.MaxOpen != 6 {
		t.Errorf("site: %+v (routing.max_open_per_agent wins over handoff's)", p)
	}
	if p := s.RoutingFor("billing"); p.Name != PolicyLeastOpen || p.OnlyOnline || p.MaxOpen != 2 || p.Team != "billing" || len(p.Agents) != 1 {
		t.Errorf("team: %+v", p)
	}
	if p := s.RoutingFor("empty"); p.Name != PolicyRoundRobin || p.Agents == nil || len(p.Agents) != 0 {
		t.Errorf("a team without members routes to nobody, not to the whole site: %+v", p)
	}
	if s.ReassignAfter() != 0 || time.Duration(0) != s.ReassignAfter() {
		t.Errorf("reassign_after 0s is off: %v", s.ReassignAfter())
	}
	if len(s.RulesFor("vip")) != 2 {
		t.Errorf("rules for vip: %+v", s.RulesFor("vip"))
	}
}
