package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batonchat/baton/server/site"
)

// SignatureHeader carries the signature of a webhook request, and of the webhook's response.
const SignatureHeader = "Baton-Signature"

// EventIDHeader carries the request's id, for logs and deduplication.
const EventIDHeader = "Baton-Event-Id"

// SignatureTolerance is how far a signature's timestamp may be from the receiver's clock: it
// bounds clock skew and how long a captured request (or response) can be replayed.
const SignatureTolerance = 5 * time.Minute

// maxResponseBytes bounds a webhook's answer: one text of 4,000 characters with ten quick
// replies and tags fits in a fraction of it.
const maxResponseBytes = 64 << 10

// Sign returns the signature header value for body: "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" with secret>". Signing the timestamp with the body makes a replay detectable.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("signature missing or malformed")
	ErrBadSignature = errors.New("signature does not match")
	ErrStale        = errors.New("signature timestamp too far from now")
)

// Verify checks a signature header against body. Several v1 values are allowed (one per
// secret while a secret is being rotated); one matching is enough.
func Verify(secret []byte, header string, body []byte, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return ErrStale
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
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
