package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batonchat/baton/server/site"
	hook "github.com/batonchat/baton/server/webhook"
)

// The signature scheme lives in package webhook, shared with handoff deliveries; these names
// keep the bot's documented API.
const (
	// SignatureHeader carries the signature of a webhook request, and of the webhook's response.
	SignatureHeader = hook.SignatureHeader
	// EventIDHeader carries the request's id, for logs and deduplication.
	EventIDHeader = hook.EventIDHeader
	// SignatureTolerance is how far a signature's timestamp may be from the receiver's clock.
	SignatureTolerance = hook.SignatureTolerance
)

// maxResponseBytes bounds a webhook's answer: one text of 4,000 characters with ten quick
// replies and tags fits in a fraction of it.
const maxResponseBytes = 64 << 10

// Sign returns the signature header value for body (see package webhook).
func Sign(secret []byte, t time.Time, body []byte) string { return hook.Sign(secret, t, body) }

// Errors of Verify.
var (
	ErrNoSignature  = hook.ErrNoSignature
	ErrBadSignature = hook.ErrBadSignature
	ErrStale        = hook.ErrStale
)

// Verify checks a signature header against body (see package webhook).
func Verify(secret []byte, header string, body []byte, now time.Time) error {
	return hook.Verify(secret, header, body, now)
}

// webhook calls site owners' bot endpoints.
type webhook struct {
	client *http.Client
	getenv func(string) string
	now    func() time.Time
}

// ask posts req to the endpoint and returns its verified answer. Any failure (network, status,
// signature, shape) is an error: the caller offers a person instead of going silent.
func (w *webhook) ask(ctx context.Context, cfg *site.Webhook, req *Request) (*Response, error) {
	secret := w.getenv(cfg.SecretEnv)
	if secret == "" {
		return nil, fmt.Errorf("webhook: the environment variable %s (bot.webhook.secret_env) is not set", cfg.SecretEnv)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("webhook: encode request: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("User-Agent", "Baton-Bot/1")
	hr.Header.Set(EventIDHeader, req.ID)
	hr.Header.Set(SignatureHeader, Sign([]byte(secret), w.now(), body))
	resp, err := w.client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("webhook: read answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("webhook: answered HTTP %d", resp.StatusCode)
	}
	if len(rb) > maxResponseBytes {
		return nil, fmt.Errorf("webhook: answer over %d bytes", maxResponseBytes)
	}
	// The answer is signed too: whoever can inject a response (a hijacked DNS name, a proxy)
	// must not be able to speak to visitors in the site's name.
	if err := Verify([]byte(secret), resp.Header.Get(SignatureHeader), rb, w.now()); err != nil {
		return nil, fmt.Errorf("webhook: answer refused: %w", err)
	}
	var out Response
	if len(bytes.TrimSpace(rb)) > 0 {
		if err := json.Unmarshal(rb, &out); err != nil {
			return nil, fmt.Errorf("webhook: answer is not the expected JSON: %w", err)
		}
	}
	if err := out.Check(); err != nil {
		return nil, fmt.Errorf("webhook: answer refused: %w", err)
	}
	return &out, nil
}

var tagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_:-]{0,63}$`)

// Check applies to a bot's answer the limits a person's message has (it trims the text).
func (r *Response) Check() error {
	r.Text = strings.TrimSpace(r.Text)
	switch {
	case !utf8.ValidString(r.Text) || utf8.RuneCountInString(r.Text) > 4000:
		return errors.New("text: must be valid text of at most 4,000 characters")
	case len(r.QuickReplies) > 10:
		return errors.New("quick_replies: at most 10")
	case len(r.QuickReplies) > 0 && r.Text == "":
		return errors.New("quick_replies: need a text to go under")
	case len(r.Tags) > 20:
		return errors.New("tags: at most 20")
	}
	for i, q := range r.QuickReplies {
		if q.Label == "" || q.Value == "" || utf8.RuneCountInString(q.Label) > 80 || utf8.RuneCountInString(q.Value) > 200 {
			return fmt.Errorf("quick_replies[%d]: label (1-80 characters) and value (1-200) are required", i)
		}
	}
	for i, t := range r.Tags {
		if !tagRE.MatchString(t) {
			return fmt.Errorf("tags[%d]: %q is not a tag (1-64 lowercase letters, digits, _, - and :)", i, t)
		}
	}
	return nil
}
