package routing

import (
	"errors"
	"strconv"
	"strings"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// RuleNotice is a rule's webhook: what the outbox posts, signed, to the rule's endpoint.
type RuleNotice struct {
	// Key is unique per tagging (the outbox dedupes on it, and it is the event id).
	Key            string
	SiteID         string
	ConversationID string
	Tag            string
	URL            string
	SecretEnv      string
	Status         string // the conversation's status after the rule
	AssigneeID     string
	Tags           []string
}

// Notifier posts rules' webhooks; package outbox implements it. NotifyRule is called inside
// the transaction that applies the tag, so the webhook goes if and only if the tag commits.
type Notifier interface {
	NotifyRule(tx chat.Tx, n RuleNotice) error
}

// Tagged runs the site's rules on a tag just applied, in the tagging transaction (it is the
// conversation service's OnTagged hook): suspend the bot, assign to a team or an agent, and
// notify. A rule assigns only a conversation waiting in Unassigned (after its suspend_bot, if
// any): the bot keeps one it is handling, and the rule's team or agent takes it when the
// handoff queues it (see Queued); a person keeps theirs. It notifies in every case.
func (r *Router) Tagged(e *conversation.BotEdit, tag string) error {
	ctx, c := e.Context(), e.Conv
	l, err := r.o.Sites.ByID(ctx, c.SiteID)
	if err != nil {
		return err
	}
	st := l.Settings
	for _, rule := range st.RulesFor(tag) {
		if err := r.apply(e, st, rule); err != nil {
			return err
		}
	}
	return nil
}

func (r *Router) apply(e *conversation.BotEdit, st *site.Settings, rule site.Rule) error {
	c := e.Conv
	if rule.SuspendBot && c.Status != chat.StatusResolved {
		if err := e.SuspendBot(rule.Tag); err != nil {
			return err
		}
	}
	switch {
	case c.Status != chat.StatusUnassigned:
	case rule.AssignTeam != "":
		if err := r.toTeam(e, st, rule.AssignTeam, ""); err != nil {
			return err
		}
	case rule.AssignAgent != "":
		if _, err := r.toAgent(e, st, rule); err != nil {
			return err
		}
	}
	if rule.Notify == nil {
		return nil
	}
	if r.o.Notifier == nil {
		r.o.Log.Warn("routing: a rule's webhook is not sent: no outbox on this server", "site", c.SiteID, "tag", rule.Tag)
		return nil
	}
	return r.o.Notifier.NotifyRule(e.Tx, RuleNotice{Key: "rule:" + c.ID + ":" + rule.Tag + ":" + strconv.FormatInt(c.LastSeq, 10),
		SiteID: c.SiteID, ConversationID: c.ID, Tag: rule.Tag, URL: rule.Notify.URL, SecretEnv: rule.Notify.SecretEnv,
		Status: string(c.Status), AssigneeID: c.AssigneeID, Tags: append([]string(nil), c.Tags...)})
}

// toAgent assigns the conversation to the rule's agent when they are an agent of the site
// (whether online or not: the owner named them) and reports whether it did; otherwise agents
// are told why it was not.
func (r *Router) toAgent(e *conversation.BotEdit, st *site.Settings, rule site.Rule) (bool, error) {
	rtx, ok := e.Tx.(Tx)
	if !ok {
		return false, errors.New("routing: the store's transactions do not keep routing state")
	}
	agents, err := rtx.RoutingAgents(e.Conv.SiteID)
	if err != nil {
		return false, err
	}
	var a *chat.Agent
	for _, x := range agents {
		if strings.EqualFold(x.Email, rule.AssignAgent) {
			a = x
		}
	}
	if a == nil {
		return false, e.Event(false, "rule_skipped", "Rule on "+rule.Tag+": "+rule.AssignAgent+" is not an agent of this site",
			map[string]any{"by": "routing", "tag": rule.Tag})
	}
	if err := e.Assign(a.ID, "Assigned to "+a.Name+" by the rule on "+rule.Tag, map[string]any{"by": "routing", "tag": rule.Tag}); err != nil {
		return false, err
	}
	return true, r.arm(e, st, a.ID, "")
}
