package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"id":"ev_1"}`)
	now := time.Unix(1_700_000_000, 0)
	sig := Sign(secret, now, body)
	if !strings.HasPrefix(sig, "t=1700000000,v1=") {
		t.Fatalf("header %q", sig)
	}
	tests := []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"valid", sig, body, now, nil},
		{"valid a minute later", sig, body, now.Add(time.Minute), nil},
		{"one of several signatures (secret rotation)", sig[:strings.Index(sig, ",")] + ",v1=00ff," + sig[strings.Index(sig, ",")+1:], body, now, nil},
		{"body changed", sig, []byte(`{"id":"ev_2"}`), now, ErrBadSignature},
		{"other secret", Sign([]byte("other"), now, body), body, now, ErrBadSignature},
		{"timestamp changed", strings.Replace(sig, "t=1700000000", "t=1700000001", 1), body, now, ErrBadSignature},
		{"replayed later", sig, body, now.Add(SignatureTolerance + time.Second), ErrStale},
		{"from the future", sig, body, now.Add(-SignatureTolerance - time.Second), ErrStale},
		{"missing", "", body, now, ErrNoSignature},
		{"no v1", "t=1700000000", body, now, ErrNoSignature},
		{"garbage", "sha256=abc", body, now, ErrNoSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(secret, tt.header, tt.body, tt.at); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}
