// Package webhook is what every call Baton makes to a site owner's own HTTP endpoint shares:
// the HMAC-SHA256 signature both ways (bot webhooks, handoff deliveries) and an HTTP client
// that refuses to reach the operator's own network. A URL in a site's settings is written by
// its owner, so it is treated as untrusted input.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries the signature of a webhook request, and of a webhook's response.
const SignatureHeader = "Baton-Signature"

// EventIDHeader carries the request's id, for logs and deduplication.
const EventIDHeader = "Baton-Event-Id"

// SignatureTolerance is how far a signature's timestamp may be from the receiver's clock: it
// bounds clock skew and how long a captured request (or response) can be replayed.
const SignatureTolerance = 5 * time.Minute

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
