package helpdesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/webhook"
)

// maxAnswer bounds what Baton reads of a vendor's answer: a created ticket is a few KB.
const maxAnswer = 1 << 20

// call is one HTTP exchange with a vendor or an owner's endpoint.
type call struct {
	vendor string // for errors: "zendesk", "gorgias", "webhook"
	client *http.Client
	now    func() time.Time
}

// do sends the request and returns the answer when it is 2xx; any other outcome is an error
// classified for the outbox (see classify).
func (c *call) do(ctx context.Context, method, u string, header http.Header, body any) ([]byte, error) {
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return nil, fmt.Errorf("%s: encode request: %w", c.vendor, err)
		}
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.vendor, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if raw != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Baton/1 (+handoff)")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, c.transportError(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, &Retry{Err: fmt.Errorf("%s: read answer: %w", c.vendor, err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.classify(resp, answer)
	}
	return answer, nil
}

// transportError: a refused address or a malformed URL is final; anything else on the way
// (DNS, connection refused, TLS, timeout) may mend.
func (c *call) transportError(err error) error {
	if errors.Is(err, webhook.ErrBlockedAddress) {
		return fmt.Errorf("%s: %w", c.vendor, err)
	}
	var ue *url.Error
	if errors.As(err, &ue) && (strings.Contains(ue.Err.Error(), "unsupported protocol scheme") || strings.Contains(ue.Err.Error(), "redirect")) {
		return fmt.Errorf("%s: %w", c.vendor, err)
	}
	return &Retry{Err: fmt.Errorf("%s: %w", c.vendor, err)}
}

// classify turns a non-2xx answer into an error: 429 and 503 with their Retry-After, 408, 409
// (a request with the same idempotency key still running), 425 and other 5xx are retried; any
// other 4xx (422 invalid, 401 bad credentials, 404 wrong URL) is final: sending the same
// request again would fail the same way.
func (c *call) classify(resp *http.Response, answer []byte) error {
	err := fmt.Errorf("%s answered HTTP %d%s", c.vendor, resp.StatusCode, snippet(answer))
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		return &Retry{After: retryAfter(resp.Header.Get("Retry-After"), c.now()), Err: err}
	case code == http.StatusRequestTimeout || code == http.StatusConflict || code == http.StatusTooEarly || code >= 500:
		return &Retry{Err: err}
	}
	return err
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(365*24*3600))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// snippet quotes the start of a vendor's error answer for the admin's delivery list: enough
// to see "RecordInvalid: Requester email is invalid", never a whole page.
func snippet(b []byte) string {
	s := oneLine(string(b))
	if s == "" {
		return ""
	}
	return ": " + truncate(s, 300)
}
