package helpdesk

import (
	"fmt"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/batonchat/baton/server/webhook"
)

// Config is where a site's handoffs are delivered, as written in its settings. Secrets are
// never in it: each names the environment variable of `baton serve` that holds the secret.
type Config struct {
	Zendesk *ZendeskConfig `yaml:"zendesk,omitempty" json:"zendesk,omitempty"`
	Gorgias *GorgiasConfig `yaml:"gorgias,omitempty" json:"gorgias,omitempty"`
	Email   *EmailConfig   `yaml:"email,omitempty" json:"email,omitempty"`
	Webhook *WebhookConfig `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	// FallbackEmail receives the transcript when a delivery has failed for good (after its
	// retries, or at once for a final error such as a rejected ticket).
	FallbackEmail string `yaml:"fallback_email,omitempty" json:"fallback_email,omitempty"`
}

// ZendeskConfig creates tickets with Zendesk's Tickets API.
type ZendeskConfig struct {
	// Subdomain is the account's: https://{subdomain}.zendesk.com.
	Subdomain string `yaml:"subdomain,omitempty" json:"subdomain,omitempty"`
	// URL replaces the subdomain for a host of the operator's (a host-mapped domain, a proxy).
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// Email is the agent the API token belongs to.
	Email string `yaml:"email" json:"email"`
	// TokenEnv names the environment variable holding the API token.
	TokenEnv string `yaml:"token_env" json:"token_env"`
}

// GorgiasConfig creates tickets with Gorgias's REST API.
type GorgiasConfig struct {
	// Domain is the account's: https://{domain}.gorgias.com.
	Domain string `yaml:"domain,omitempty" json:"domain,omitempty"`
	// URL replaces the domain for a host of the operator's.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// Email is the user the API key belongs to.
	Email string `yaml:"email" json:"email"`
	// APIKeyEnv names the environment variable holding the REST API key.
	APIKeyEnv string `yaml:"api_key_env" json:"api_key_env"`
}

// EmailConfig mails the transcript to the site's support address, through the SMTP server of
// `baton serve` (BATON_SMTP_URL).
type EmailConfig struct {
	// To is the support address.
	To string `yaml:"to" json:"to"`
	// From overrides the server's sender (BATON_SMTP_FROM); the SMTP server must accept it.
	From string `yaml:"from,omitempty" json:"from,omitempty"`
}

// WebhookConfig posts a signed JSON payload to the owner's endpoint.
type WebhookConfig struct {
	URL string `yaml:"url" json:"url"`
	// SecretEnv names the environment variable holding the signing secret.
	SecretEnv string `yaml:"secret_env" json:"secret_env"`
}

// Problems lists every problem of a configuration, each naming its field.
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "; ") }

func (p Problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

var (
	envNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	subdomainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// Validate checks the settings of method (and the fallback address): fields are named as in
// the settings file, like "zendesk.token_env".
func (c *Config) Validate(method string) error {
	var p Problems
	sub := func(name string, present bool, err error) {
		if !present {
			p = append(p, name+": is required for the "+method+" method")
			return
		}
		if ps, ok := err.(Problems); ok {
			for _, s := range ps {
				p = append(p, name+"."+s)
			}
		}
	}
	switch method {
	case MethodZendesk:
		sub("zendesk", c.Zendesk != nil, c.Zendesk.validate())
	case MethodGorgias:
		sub("gorgias", c.Gorgias != nil, c.Gorgias.validate())
	case MethodEmail:
		sub("email", c.Email != nil, c.Email.validate())
	case MethodWebhook:
		sub("webhook", c.Webhook != nil, c.Webhook.validate())
	default:
		p = append(p, fmt.Sprintf("method: %q is not a delivery method (zendesk, gorgias, email, webhook)", method))
	}
	if c.FallbackEmail != "" && !validAddress(c.FallbackEmail) {
		p = append(p, fmt.Sprintf("fallback_email: %q is not an email address", c.FallbackEmail))
	}
	return p.err()
}

func (z *ZendeskConfig) validate() error {
	if z == nil {
		return nil
	}
	var p Problems
	p = append(p, host("subdomain", z.Subdomain, "url", z.URL)...)
	if !validAddress(z.Email) {
		p = append(p, fmt.Sprintf("email: %q is not the email address of the token's agent", z.Email))
	}
	p = append(p, envName("token_env", z.TokenEnv)...)
	return p.err()
}

func (g *GorgiasConfig) validate() error {
	if g == nil {
		return nil
	}
	var p Problems
	p = append(p, host("domain", g.Domain, "url", g.URL)...)
	if !validAddress(g.Email) {
		p = append(p, fmt.Sprintf("email: %q is not the email address of the API key's user", g.Email))
	}
	p = append(p, envName("api_key_env", g.APIKeyEnv)...)
	return p.err()
}

func (e *EmailConfig) validate() error {
	if e == nil {
		return nil
	}
	var p Problems
	if !validAddress(e.To) {
		p = append(p, fmt.Sprintf("to: %q is not an email address", e.To))
	}
	if e.From != "" && !validAddress(e.From) {
		p = append(p, fmt.Sprintf("from: %q is not an email address", e.From))
	}
	return p.err()
}

// Validate checks a webhook's url and secret_env on its own (routing rules notify one too).
func (w *WebhookConfig) Validate() error { return w.validate() }

func (w *WebhookConfig) validate() error {
	if w == nil {
		return nil
	}
	var p Problems
	if err := checkURL(w.URL); err != nil {
		p = append(p, "url: "+err.Error())
	}
	p = append(p, envName("secret_env", w.SecretEnv)...)
	return p.err()
}

func host(subName, sub, urlName, u string) []string {
	switch {
	case sub == "" && u == "":
		return []string{subName + ": is required (or " + urlName + ")"}
	case sub != "" && u != "":
		return []string{subName + ": set " + subName + " or " + urlName + ", not both"}
	case sub != "" && !subdomainRE.MatchString(sub):
		return []string{fmt.Sprintf("%s: %q is not an account name (lowercase letters, digits and dashes)", subName, sub)}
	case u != "":
		if err := checkURL(u); err != nil {
			return []string{urlName + ": " + err.Error()}
		}
	}
	return nil
}

// checkURL accepts https URLs, and http ones on the loopback interface only (a local relay, a
// test): credentials and transcripts must not cross a network in clear text.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	if u.User != nil {
		return fmt.Errorf("%q: credentials do not go in the URL (they come from the environment)", s)
	}
	if u.Scheme == "http" {
		h := u.Hostname()
		ip := net.ParseIP(h)
		if h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("%q: use https (http only on the loopback interface)", s)
		}
	}
	return nil
}

func envName(field, v string) []string {
	if !envNameRE.MatchString(v) {
		return []string{fmt.Sprintf("%s: %q is not an environment variable name (letters, digits and _)", field, v)}
	}
	return nil
}

func validAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// Senders builds each method's Deliverer from a site's Config, with what the server provides:
// the HTTP client, the SMTP server and the secrets in the environment.
type Senders struct {
	// HTTP calls vendors and owners' endpoints; nil: webhook.NewClient(false), which refuses
	// private addresses (pass webhook.NewClient(allowPrivate) to follow the operator's choice).
	HTTP *http.Client
	// SMTP sends email deliveries and fallbacks; nil: they fail, saying BATON_SMTP_URL is unset.
	SMTP *SMTP
	// Getenv reads secrets; nil: os.Getenv.
	Getenv func(string) string
	Now    func() time.Time
}

// For returns the Deliverer of method, configured by cfg.
func (s *Senders) For(method string, cfg *Config) (Deliverer, error) {
	if cfg == nil {
		return nil, fmt.Errorf("%s: the site has no delivery settings", method)
	}
	if err := cfg.Validate(method); err != nil {
		return nil, fmt.Errorf("%s settings: %w", method, err)
	}
	now, getenv, client := s.now(), s.Getenv, s.HTTP
	if getenv == nil {
		getenv = os.Getenv
	}
	if client == nil {
		client = webhook.NewClient(false)
	}
	switch method {
	case MethodZendesk:
		return &Zendesk{Config: *cfg.Zendesk, Client: client, Getenv: getenv, Now: now}, nil
	case MethodGorgias:
		return &Gorgias{Config: *cfg.Gorgias, Client: client, Getenv: getenv, Now: now}, nil
	case MethodEmail:
		return &Email{Config: *cfg.Email, SMTP: s.SMTP}, nil
	default: // MethodWebhook, checked by Validate
		return &Webhook{Config: *cfg.Webhook, Client: client, Getenv: getenv, Now: now}, nil
	}
}

// Fallback returns the Deliverer that mails the transcript to cfg's fallback address, or nil
// when the site has none.
func (s *Senders) Fallback(cfg *Config) Deliverer {
	if cfg == nil || cfg.FallbackEmail == "" {
		return nil
	}
	return &Email{Config: EmailConfig{To: cfg.FallbackEmail}, SMTP: s.SMTP}
}

func (s *Senders) now() func() time.Time {
	if s.Now == nil {
		return time.Now
	}
	return s.Now
}
