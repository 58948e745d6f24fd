package bot

import (
	"net/http"

	hook "github.com/batonchat/baton/server/webhook"
)

// ErrBlockedAddress is returned when a webhook URL leads to an address Baton refuses to reach.
var ErrBlockedAddress = hook.ErrBlockedAddress

// NewWebhookClient returns the HTTP client for webhook bots: package webhook's, which refuses
// loopback, private, link-local and metadata addresses unless allowPrivate is set.
func NewWebhookClient(allowPrivate bool) *http.Client { return hook.NewClient(allowPrivate) }
