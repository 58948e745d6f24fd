package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/routing"
	"github.com/batonchat/baton/server/webhook"
)

// DeliveryRule is the kind of a routing rule's webhook: a signed event posted when a tag is
// applied (see docs/routing.md). Its outcome is only recorded: no flow waits for it.
const DeliveryRule = "rule"

// RuleVersion is the version of the rule payload: it changes only when a field changes meaning
// or goes away.
const RuleVersion = 1

// RulePayload is what a rule's endpoint receives.
type RulePayload struct {
	Version int `json:"version"`
	// ID is the same on every attempt (it is also the Baton-Event-Id header).
	ID             string   `json:"id"`
	Type           string   `json:"type"` // "tag_rule"
	SentAt         int64    `json:"sent_at"`
	SiteID         string   `json:"site_id"`
	ConversationID string   `json:"conversation_id"`
	Tag            string   `json:"tag"`
	Status         string   `json:"status"`
	AssigneeID     string   `json:"assignee_id,omitempty"`
	Tags           []string `json:"tags"`
}

var _ routing.Notifier = (*Outbox)(nil)

// NotifyRule enqueues a rule's webhook in the transaction that applies the tag (routing.Notifier).
func (ob *Outbox) NotifyRule(tx chat.Tx, n routing.RuleNotice) error {
	if n.Key == "" || n.SiteID == "" || n.ConversationID == "" || n.URL == "" {
		return errors.New("outbox: a rule's webhook needs a key, a site, a conversation and a url")
	}
	return ob.enqueue(tx, &chat.Delivery{SiteID: n.SiteID, ConversationID: n.ConversationID, Kind: DeliveryRule,
		Method: helpdesk.MethodWebhook, Key: n.Key}, &payload{Rule: &n}, ob.o.Now())
}

// rule makes an attempt at a rule's webhook; the endpoint and its secret's name travel in the
// delivery (the secret itself stays in the environment).
func (ob *Outbox) rule(ctx context.Context, j *job) (string, error) {
	n := j.p.Rule
	if n == nil {
		return "", errors.New("outbox: a rule delivery without its rule")
	}
	tags := n.Tags
	if tags == nil {
		tags = []string{}
	}
	now := ob.o.Now()
	body, err := json.Marshal(RulePayload{Version: RuleVersion, ID: n.Key, Type: "tag_rule", SentAt: now.Unix(), SiteID: n.SiteID,
		ConversationID: n.ConversationID, Tag: n.Tag, Status: n.Status, AssigneeID: n.AssigneeID, Tags: tags})
	if err != nil {
		return "", fmt.Errorf("outbox: encode rule payload: %w", err)
	}
	client, getenv := ob.o.Senders.HTTP, ob.o.Senders.Getenv
	if client == nil {
		client = webhook.NewClient(false)
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := helpdesk.PostEvent(ctx, client, getenv, now, n.URL, n.SecretEnv, n.Key, body); err != nil {
		return "", err
	}
	return n.Key, nil
}
