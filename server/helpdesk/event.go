package helpdesk

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/batonchat/baton/server/webhook"
)

// PostEvent posts a JSON event to an owner's endpoint the way the handoff webhook is posted
// (routing rules' webhooks use it): signed in the Baton-Signature header with the secret in
// the environment variable secretEnv, key as the Baton-Event-Id, any 2xx is success. Errors are
// classified for the outbox: a *Retry is worth trying again.
func PostEvent(ctx context.Context, client *http.Client, getenv func(string) string, now time.Time, url, secretEnv, key string, body []byte) error {
	if err := checkURL(url); err != nil {
		return fmt.Errorf("webhook: url: %w", err)
	}
	secret := getenv(secretEnv)
	if secret == "" {
		return fmt.Errorf("webhook: the environment variable %s (secret_env) is not set", secretEnv)
	}
	h := http.Header{}
	h.Set(webhook.EventIDHeader, key)
	h.Set(webhook.SignatureHeader, webhook.Sign([]byte(secret), now, body))
	c := &call{vendor: "webhook", client: client, now: func() time.Time { return now }}
	_, err := c.do(ctx, http.MethodPost, url, h, body)
	return err
}
