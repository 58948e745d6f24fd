package helpdesk_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/helpdesk"
)

func TestConfigValidateNamesTheField(t *testing.T) {
	zd := &helpdesk.ZendeskConfig{Subdomain: "shop", Email: "agent@shop.example", TokenEnv: "ZD_TOKEN"}
	tests := []struct {
		name   string
		method string
		cfg    helpdesk.Config
		want   []string // each problem's start; none: valid
	}{
		{"zendesk by subdomain", "zendesk", helpdesk.Config{Zendesk: zd}, nil},
		{"zendesk by URL", "zendesk", helpdesk.Config{Zendesk: &helpdesk.ZendeskConfig{URL: "https://support.shop.example", Email: "a@b.example", TokenEnv: "T"}}, nil},
		{"zendesk missing", "zendesk", helpdesk.Config{}, []string{"zendesk: is required for the zendesk method"}},
		{"zendesk with everything wrong", "zendesk", helpdesk.Config{Zendesk: &helpdesk.ZendeskConfig{Subdomain: "Shop Inc", Email: "nobody", TokenEnv: "1TOKEN"}},
			[]string{"zendesk.subdomain: \"Shop Inc\" is not an account name", "zendesk.email: \"nobody\"", "zendesk.token_env: \"1TOKEN\""}},
		{"zendesk with both subdomain and URL", "zendesk", helpdesk.Config{Zendesk: &helpdesk.ZendeskConfig{Subdomain: "a", URL: "https://x.example", Email: "a@b.example", TokenEnv: "T"}},
			[]string{"zendesk.subdomain: set subdomain or url, not both"}},
		{"zendesk over plain http", "zendesk", helpdesk.Config{Zendesk: &helpdesk.ZendeskConfig{URL: "http://zendesk.example", Email: "a@b.example", TokenEnv: "T"}},
			[]string{"zendesk.url: \"http://zendesk.example\": use https"}},
		{"gorgias without a key", "gorgias", helpdesk.Config{Gorgias: &helpdesk.GorgiasConfig{Domain: "shop", Email: "a@b.example"}}, []string{"gorgias.api_key_env"}},
		{"gorgias on loopback http", "gorgias", helpdesk.Config{Gorgias: &helpdesk.GorgiasConfig{URL: "http://127.0.0.1:8081", Email: "a@b.example", APIKeyEnv: "K"}}, nil},
		{"email", "email", helpdesk.Config{Email: &helpdesk.EmailConfig{To: "support@shop.example"}}, nil},
		{"email to a name and address", "email", helpdesk.Config{Email: &helpdesk.EmailConfig{To: "Support <support@shop.example>"}}, []string{"email.to:"}},
		{"email with an injected header", "email", helpdesk.Config{Email: &helpdesk.EmailConfig{To: "support@shop.example\r\nBcc: x@evil.example"}}, []string{"email.to:"}},
		{"webhook with a URL carrying credentials", "webhook", helpdesk.Config{Webhook: &helpdesk.WebhookConfig{URL: "https://u:p@hooks.example", SecretEnv: "S"}}, []string{"webhook.url:"}},
		{"bad fallback address", "webhook", helpdesk.Config{Webhook: &helpdesk.WebhookConfig{URL: "https://hooks.example", SecretEnv: "S"}, FallbackEmail: "not-an-address"}, []string{"fallback_email:"}},
		{"unknown method", "fax", helpdesk.Config{}, []string{"method: \"fax\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate(tt.method)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			ps, ok := err.(helpdesk.Problems)
			if !ok || len(ps) != len(tt.want) {
				t.Fatalf("got %v, want %d problems", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(ps[i], w) {
					t.Errorf("problem %d: %q, want it to start with %q", i, ps[i], w)
				}
			}
		})
	}
}

func TestParseSMTP(t *testing.T) {
	tests := []struct {
		url, from string
		want      helpdesk.SMTP
		wantErr   string
	}{
		{"smtp://mailer:pa%40ss@mail.example.com", "baton@example.com", helpdesk.SMTP{Host: "mail.example.com", Port: 587, Username: "mailer", Password: "pa@ss", Security: "starttls", From: "<baton@example.com>"}, ""},
		{"smtps://mail.example.com", "Baton <baton@example.com>", helpdesk.SMTP{Host: "mail.example.com", Port: 465, Security: "tls", From: "\"Baton\" <baton@example.com>"}, ""},
		{"smtp://relay:2525?tls=none", "baton@example.com", helpdesk.SMTP{Host: "relay", Port: 2525, Security: "none", From: "<baton@example.com>"}, ""},
		{"http://mail.example.com", "baton@example.com", helpdesk.SMTP{}, "scheme \"http\""},
		{"smtp://mail.example.com?tls=maybe", "baton@example.com", helpdesk.SMTP{}, "tls=\"maybe\""},
		{"smtp://mail.example.com", "", helpdesk.SMTP{}, "BATON_SMTP_FROM"},
		{"smtp://mail.example.com", "baton@example.com\r\nBcc: x@evil.example", helpdesk.SMTP{}, "BATON_SMTP_FROM"},
	}
	for _, tt := range tests {
		got, err := helpdesk.ParseSMTP(tt.url, tt.from)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: got %v, want an error with %q", tt.url, err, tt.wantErr)
			}
			continue
		}
		if err != nil || *got != tt.want {
			t.Errorf("%s: got %+v %v, want %+v", tt.url, got, err, tt.want)
		}
	}
}

func TestSendersBuildEachMethod(t *testing.T) {
	s := &helpdesk.Senders{HTTP: client(), Getenv: env(), Now: time.Now}
	cfg := &helpdesk.Config{
		Zendesk: &helpdesk.ZendeskConfig{Subdomain: "shop", Email: "a@b.example", TokenEnv: "T"},
		Gorgias: &helpdesk.GorgiasConfig{Domain: "shop", Email: "a@b.example", APIKeyEnv: "K"},
		Email:   &helpdesk.EmailConfig{To: "support@shop.example"},
		Webhook: &helpdesk.WebhookConfig{URL: "https://hooks.shop.example", SecretEnv: "S"},
	}
	for method, want := range map[string]string{"zendesk": "*helpdesk.Zendesk", "gorgias": "*helpdesk.Gorgias", "email": "*helpdesk.Email", "webhook": "*helpdesk.Webhook"} {
		d, err := s.For(method, cfg)
		if err != nil || typeName(d) != want {
			t.Errorf("%s: %T %v", method, d, err)
		}
	}
	if _, err := s.For("zendesk", &helpdesk.Config{}); err == nil || !strings.Contains(err.Error(), "zendesk: is required") {
		t.Errorf("missing settings: %v", err)
	}
	if s.Fallback(cfg) != nil {
		t.Error("a fallback without an address")
	}
	cfg.FallbackEmail = "owner@shop.example"
	if f, ok := s.Fallback(cfg).(*helpdesk.Email); !ok || f.Config.To != "owner@shop.example" {
		t.Errorf("fallback %+v", f)
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
