// Package app wires Baton together: configuration, storage, the conversation service, the
// realtime hub and the HTTP server, first-start setup, and graceful shutdown. It is the one
// place that knows every part.
package app

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/handoff"
	"github.com/batonchat/baton/server/helpdesk"
)

// Config is everything `baton serve` can be told. Each field has a BATON_* environment
// variable and a flag; the flag wins. Defaults are in Defaults.
type Config struct {
	Addr        string // BATON_ADDR: where to listen
	DataDir     string // BATON_DATA: SQLite database, and later uploads
	DatabaseURL string // BATON_DATABASE_URL: a postgres:// URL switches storage to PostgreSQL
	PublicURL   string // BATON_PUBLIC_URL: how browsers reach Baton (script tag, links in mail)
	SQLiteSync  string // BATON_SQLITE_SYNC: normal or full (see docs: durability)

	AdminEmail    string // BATON_ADMIN_EMAIL: the first admin, created on first start
	AdminPassword string // BATON_ADMIN_PASSWORD: their password; generated and printed once when empty

	LogLevel  string // BATON_LOG_LEVEL: debug, info, warn, error
	LogFormat string // BATON_LOG_FORMAT: json or text; default json unless stderr is a terminal

	// Rate limits (per minute) of the public entry points. Rotating visitor ids does not
	// reset an IP's budget: the IP limits apply on top of the per-visitor ones.
	RateNewVisitors     float64 // BATON_RATE_NEW_VISITORS: visitor sessions created per IP
	RateVisitorMessages float64 // BATON_RATE_VISITOR_MESSAGES: messages per visitor
	RateIPMessages      float64 // BATON_RATE_IP_MESSAGES: visitor messages per IP
	RateLogins          float64 // BATON_RATE_LOGINS: agent sign-in attempts per IP
	RateUploads         float64 // BATON_RATE_UPLOADS: files uploaded per visitor or agent
	RateIPUploads       float64 // BATON_RATE_IP_UPLOADS: files uploaded by visitors per IP

	// AttachmentMaxBytes is the largest file a visitor or an agent may send
	// (BATON_ATTACHMENT_MAX_BYTES, default 10 MiB). Files live under DataDir/attachments, on
	// PostgreSQL too: several Baton processes on one database need that directory shared.
	AttachmentMaxBytes int64

	// BotAllowPrivate lets webhook bots reach loopback, private and link-local addresses
	// (BATON_BOT_ALLOW_PRIVATE=1). Off by default: a site owner's webhook URL must not reach into
	// the operator's network or a cloud metadata service.
	BotAllowPrivate bool

	// The mail server of handoff emails, fallback emails and replies to visitors who left:
	// smtp://user:password@host:587 (STARTTLS required), smtps://…:465, or smtp://host:25?tls=none
	// for a relay on a trusted network. Environment only (no flag): the URL holds a password.
	SMTPURL  string // BATON_SMTP_URL
	SMTPFrom string // BATON_SMTP_FROM: the sender, like "Baton <baton@example.com>"

	Heartbeat       time.Duration // BATON_HEARTBEAT: silence before the server pings a connection
	ShutdownTimeout time.Duration // BATON_SHUTDOWN_TIMEOUT: how long in-flight work may take on SIGTERM

	// Set by code, never by the environment: tests and programs embedding Baton.
	Now        func() time.Time   // the clock of conversations and handoffs (business hours); nil: time.Now
	Dispatcher handoff.Dispatcher // delivers tickets, emails and webhooks of handoffs; nil: see handoff.Options
	Notifier   handoff.Notifier   // emails the team's replies to visitors who left; nil: none
}

// Defaults returns the configuration with every default filled in.
func Defaults() Config {
	return Config{
		Addr:                "127.0.0.1:8080",
		DataDir:             "baton-data",
		SQLiteSync:          "normal",
		AdminEmail:          "admin@example.com",
		LogLevel:            "info",
		RateNewVisitors:     60,
		RateVisitorMessages: 40,
		RateIPMessages:      600,
		RateLogins:          20,
		RateUploads:         20,
		RateIPUploads:       120,
		AttachmentMaxBytes:  10 << 20,
		Heartbeat:           25 * time.Second,
		ShutdownTimeout:     15 * time.Second,
	}
}

// FromEnv overlays BATON_* environment variables on c.
func (c *Config) FromEnv(getenv func(string) string) error {
	str := map[string]*string{
		"BATON_ADDR": &c.Addr, "BATON_DATA": &c.DataDir, "BATON_DATABASE_URL": &c.DatabaseURL,
		"BATON_PUBLIC_URL": &c.PublicURL, "BATON_SQLITE_SYNC": &c.SQLiteSync, "BATON_ADMIN_EMAIL": &c.AdminEmail,
		"BATON_ADMIN_PASSWORD": &c.AdminPassword, "BATON_LOG_LEVEL": &c.LogLevel, "BATON_LOG_FORMAT": &c.LogFormat,
		"BATON_SMTP_URL": &c.SMTPURL, "BATON_SMTP_FROM": &c.SMTPFrom,
	}
	for k, p := range str {
		if v := getenv(k); v != "" {
			*p = v
		}
	}
	nums := map[string]*float64{
		"BATON_RATE_NEW_VISITORS": &c.RateNewVisitors, "BATON_RATE_VISITOR_MESSAGES": &c.RateVisitorMessages,
		"BATON_RATE_IP_MESSAGES": &c.RateIPMessages, "BATON_RATE_LOGINS": &c.RateLogins,
		"BATON_RATE_UPLOADS": &c.RateUploads, "BATON_RATE_IP_UPLOADS": &c.RateIPUploads,
	}
	for k, p := range nums {
		if v := getenv(k); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("%s=%q: want a number ≥ 0 (per minute; 0 turns the limit off)", k, v)
			}
			*p = n
		}
	}
	if v := getenv("BATON_ATTACHMENT_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return fmt.Errorf("BATON_ATTACHMENT_MAX_BYTES=%q: want a number of bytes ≥ 1, like 10485760", v)
		}
		c.AttachmentMaxBytes = n
	}
	if v := getenv("BATON_BOT_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("BATON_BOT_ALLOW_PRIVATE=%q: want 1 or 0", v)
		}
		c.BotAllowPrivate = b
	}
	durs := map[string]*time.Duration{"BATON_HEARTBEAT": &c.Heartbeat, "BATON_SHUTDOWN_TIMEOUT": &c.ShutdownTimeout}
	for k, p := range durs {
		if v := getenv(k); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%s=%q: want a duration such as 30s", k, v)
			}
			*p = d
		}
	}
	return nil
}

// Check reports the first configuration problem, in words an operator can act on.
func (c *Config) Check() error {
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("--database-url: want a postgres:// URL (leave it empty for the embedded SQLite)")
	}
	if c.SQLiteSync != "normal" && c.SQLiteSync != "full" {
		return fmt.Errorf("--sqlite-sync %q: want normal or full", c.SQLiteSync)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port, like 127.0.0.1:8080", c.Addr)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--public-url %q: want an http(s) URL, like https://chat.example.com", c.PublicURL)
		}
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.SMTPURL != "" {
		if _, err := helpdesk.ParseSMTP(c.SMTPURL, c.SMTPFrom); err != nil {
			return err
		}
	} else if c.SMTPFrom != "" {
		return fmt.Errorf("BATON_SMTP_FROM is set but BATON_SMTP_URL is not: emails need both")
	}
	if c.LogFormat != "" && c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("--log-format %q: want json or text", c.LogFormat)
	}
	return nil
}

// publicURL is the configured public URL, or the listen address as a URL.
func (c *Config) publicURL() string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	return "http://" + c.Addr
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// NewLogger returns the structured logger: JSON unless stderr is a terminal (or told otherwise).
func NewLogger(c *Config) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	format := c.LogFormat
	if format == "" {
		format = "json"
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}
