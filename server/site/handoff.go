package site

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/hours"
)

// Handoff methods a site can choose (see docs/handoff.md).
const (
	MethodInbox   = "inbox"   // Baton's own inbox (the default)
	MethodZendesk = "zendesk" // a Zendesk ticket
	MethodGorgias = "gorgias" // a Gorgias ticket
	MethodEmail   = "email"   // the transcript by email to the support address
	MethodWebhook = "webhook" // a signed JSON payload to the owner's system
	MethodMessage = "message" // no person is offered: the owner's message
)

// Handoff is the handoff section of the settings: what happens when the bot gives a
// conversation up. A site without it uses the inbox, with human chat on.
type Handoff struct {
	// Method is inbox (default), zendesk, gorgias, email, webhook or message.
	Method string `yaml:"method,omitempty" json:"method,omitempty" validate:"omitempty,oneof=inbox zendesk gorgias email webhook message"`
	// HumanChat switches people off when false: the site then behaves as method message.
	HumanChat *bool `yaml:"human_chat,omitempty" json:"human_chat,omitempty"`
	// MaxOpenPerAgent is how many unresolved conversations an agent may have assigned and still
	// count as having room for one more (0: no limit).
	MaxOpenPerAgent int `yaml:"max_open_per_agent,omitempty" json:"max_open_per_agent,omitempty" validate:"min=0,max=1000"`
	// ExpectedWait is told to visitors when a person is coming ("in about 5 minutes"); empty:
	// "shortly". At most a day: a longer wait is what business hours are for.
	ExpectedWait Duration `yaml:"expected_wait,omitempty" json:"expected_wait,omitempty"`
	// HideWhenUnavailable hides the widget's launcher while nobody is available (a visitor with
	// a conversation under way still sees it).
	HideWhenUnavailable bool `yaml:"hide_when_unavailable,omitempty" json:"hide_when_unavailable,omitempty"`
	// Message is what the bot says instead of offering a person, for method message and when
	// human chat is off: text with links to a help centre, FAQ or contact form.
	Message string `yaml:"message,omitempty" json:"message,omitempty" validate:"max=4000"`
	// Texts override what the flow says, per locale: locale → key → text (keys in docs/handoff.md).
	Texts map[string]map[string]string `yaml:"texts,omitempty" json:"texts,omitempty" validate:"max=5,dive,keys,locale,endkeys"`
	// Config is where tickets, emails and webhooks go (zendesk, gorgias, email, webhook,
	// fallback_email), written beside the method; secrets are named, never written here.
	helpdesk.Config `yaml:",inline"`
}

// HandoffTextKeys are the texts of the flow an owner may override, with the longest each may
// be (quick-reply and form labels are short).
var HandoffTextKeys = map[string]int{
	"consent": 1000, "yes": 80, "no": 80, "declined": 1000, "email_ask": 1000, "email_ask_ticket": 1000, "email_label": 80,
	"email_invalid": 1000, "email_giveup": 1000, "coming": 1000, "coming_wait": 1000, "closed": 1000,
	"closed_unknown": 1000, "busy": 1000, "reply_email": 1000, "reply_here": 1000, "ticket": 1000, "no_human": 4000,
}

// MaxExpectedWait bounds Handoff.ExpectedWait.
const MaxExpectedWait = 24 * time.Hour

// HandoffMethod is the method with the default filled in and human chat taken into account:
// a site whose human chat is off behaves as method message.
func (s *Settings) HandoffMethod() string {
	h := s.Handoff
	switch {
	case h == nil || h.Method == "":
		if h != nil && h.HumanChat != nil && !*h.HumanChat {
			return MethodMessage
		}
		return MethodInbox
	case h.HumanChat != nil && !*h.HumanChat:
		return MethodMessage
	}
	return h.Method
}

// HumanChat reports whether people chat with the site's visitors at all.
func (s *Settings) HumanChat() bool {
	return s.HandoffMethod() != MethodMessage
}

// Calendar is the compiled business hours (built once when the settings are validated); nil
// (always open) when the site has none.
func (s *Settings) Calendar() *hours.Calendar { return s.calendar }

// validateHandoff checks the handoff and business_hours sections and compiles the calendar.
func (s *Settings) validateHandoff() []string {
	var problems []string
	s.calendar = nil
	if s.BusinessHours != nil {
		cal, err := s.BusinessHours.Compile()
		if errs, ok := err.(hours.Errors); ok {
			for _, fe := range errs {
				problems = append(problems, fe.Error())
			}
		} else if err != nil {
			problems = append(problems, hours.Key+": "+err.Error())
		}
		s.calendar = cal
	}
	h := s.Handoff
	if h == nil {
		return problems
	}
	bad := func(field, format string, args ...any) {
		problems = append(problems, "handoff."+field+": "+fmt.Sprintf(format, args...))
	}
	if h.ExpectedWait < 0 || time.Duration(h.ExpectedWait) > MaxExpectedWait {
		bad("expected_wait", "must be between 0s and %s", MaxExpectedWait)
	}
	if h.Method == MethodMessage && strings.TrimSpace(h.Message) == "" {
		bad("message", "is required when method is message: say where visitors find help (links work)")
	}
	switch h.Method {
	case MethodZendesk, MethodGorgias, MethodEmail, MethodWebhook:
		if err := h.Config.Validate(h.Method); err != nil {
			if ps, ok := err.(helpdesk.Problems); ok {
				for _, p := range ps {
					problems = append(problems, "handoff."+p)
				}
			} else {
				bad("method", "%v", err)
			}
		}
	}
	locales := make([]string, 0, len(h.Texts))
	for loc := range h.Texts {
		locales = append(locales, loc)
	}
	sort.Strings(locales)
	for _, loc := range locales {
		keys := make([]string, 0, len(h.Texts[loc]))
		for k := range h.Texts[loc] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			limit, ok := HandoffTextKeys[k]
			field := "texts." + loc + "." + k
			switch v := h.Texts[loc][k]; {
			case !ok:
				bad(field, "unknown text (known: %s)", strings.Join(sortedKeys(HandoffTextKeys), ", "))
			case strings.TrimSpace(v) == "":
				bad(field, "must not be empty (leave the key out for the built-in text)")
			case utf8.RuneCountInString(v) > limit:
				bad(field, "must be at most %d characters", limit)
			}
		}
	}
	return problems
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
