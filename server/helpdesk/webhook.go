package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/batonchat/baton/server/webhook"
)

// WebhookVersion is the version of the handoff payload: it changes only when a field changes
// meaning or goes away (new fields may appear at any time).
const WebhookVersion = 1

// WebhookPayload is what the owner's endpoint receives: the ticket, flattened, under a
// version, an event id and a type.
type WebhookPayload struct {
	Version int `json:"version"`
	// ID is the same on every attempt of one delivery (it is also the Baton-Event-Id header):
	// receivers dedupe retries with it.
	ID     string `json:"id"`
	Type   string `json:"type"` // "handoff"
	SentAt int64  `json:"sent_at"`
	Ticket
}

// Webhook posts the ticket as signed JSON to the owner's endpoint: the Baton-Signature header
// is "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">" with the site's secret (see
// package webhook), as for bot webhooks. Any 2xx answer is success; its body is not read.
type Webhook struct {
	Config WebhookConfig
	Client *http.Client
	Getenv func(string) string
	Now    func() time.Time
}

// Deliver posts the payload and returns its event id.
func (w *Webhook) Deliver(ctx context.Context, r Request) (string, error) {
	secret := w.Getenv(w.Config.SecretEnv)
	if secret == "" {
		return "", fmt.Errorf("webhook: the environment variable %s (webhook.secret_env) is not set", w.Config.SecretEnv)
	}
	now := w.Now()
	body, err := json.Marshal(WebhookPayload{Version: WebhookVersion, ID: r.Key, Type: "handoff", SentAt: now.Unix(), Ticket: *r.Ticket})
	if err != nil {
		return "", fmt.Errorf("webhook: encode payload: %w", err)
	}
	h := http.Header{}
	h.Set(webhook.EventIDHeader, r.Key)
	h.Set(webhook.SignatureHeader, webhook.Sign([]byte(secret), now, body))
	c := &call{vendor: "webhook", client: w.Client, now: w.Now}
	if _, err := c.do(ctx, http.MethodPost, w.Config.URL, h, body); err != nil {
		return "", err
	}
	return r.Key, nil
}
