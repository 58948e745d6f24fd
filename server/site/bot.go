package site

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/batonchat/baton/server/knowledge"
)

// Bot brains a site can choose.
const (
	BrainKnowledge = "knowledge" // the built-in knowledge bot (the default)
	BrainWebhook   = "webhook"   // the owner's HTTP endpoint
	BrainRealtime  = "realtime"  // a bot account on the realtime API
	BrainNone      = "none"      // no bot: conversations go straight to the handoff
)

// Post-actions of a tag: what the bot does after the tag applies.
const (
	PostReply   = "reply"    // carry on as usual
	PostNoReply = "no_reply" // stay silent on that message
	PostSuspend = "suspend"  // stop replying in this conversation; a person takes over
	PostClose   = "close"    // resolve the conversation
)

// Where a tag is detected.
const (
	OnVisitor = "visitor" // the visitor's message
	OnBot     = "bot"     // the bot's own reply
	OnBoth    = "both"
)

// Bot is the bot section of the settings: which brain answers the site's visitors and how.
// A site without it has no automatic replies: conversations wait for an agent.
type Bot struct {
	// Brain is knowledge (default), webhook, realtime or none.
	Brain string `yaml:"brain,omitempty" json:"brain,omitempty" validate:"omitempty,oneof=knowledge webhook realtime none"`
	// Name is shown as the author of the bot's messages.
	Name string `yaml:"name,omitempty" json:"name,omitempty" validate:"max=60"`
	// RespondOnlyTagged makes the bot answer only messages that one of the site's tags detects;
	// any other message goes to the handoff.
	RespondOnlyTagged bool `yaml:"respond_only_tagged,omitempty" json:"respond_only_tagged,omitempty"`
	// Timeout bounds how long a webhook or realtime bot may think (default 5s, at most 60s):
	// a visitor waiting longer than that is better served by a person.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// Texts override what the bot says in its own words (defaults in the five widget languages).
	Texts BotTexts `yaml:"texts,omitempty" json:"texts,omitempty"`
	// Knowledge is the built-in bot's knowledge base.
	Knowledge *Knowledge `yaml:"knowledge,omitempty" json:"knowledge,omitempty"`
	// Webhook is the owner's endpoint, for brain webhook.
	Webhook *Webhook `yaml:"webhook,omitempty" json:"webhook,omitempty"`

	base *knowledge.Base // built by Validate
}

// BotTexts are the bot's own messages; empty means the built-in text in the visitor's language.
type BotTexts struct {
	// Unknown is said when the bot has no answer, before the handoff.
	Unknown string `yaml:"unknown,omitempty" json:"unknown,omitempty" validate:"max=1000"`
	// Handoff is said when the conversation goes to the team.
	Handoff string `yaml:"handoff,omitempty" json:"handoff,omitempty" validate:"max=1000"`
}

// Knowledge is the built-in bot's knowledge base.
type Knowledge struct {
	// Threshold is the confidence from which the bot answers, in (0, 1]; 0 means the default (0.5).
	Threshold float64 `yaml:"threshold,omitempty" json:"threshold,omitempty" validate:"min=0,max=1"`
	// Entries are what the bot knows; see docs/bot.md.
	Entries []knowledge.Entry `yaml:"entries" json:"entries" validate:"max=5000"`
}

// Webhook is the owner's bot endpoint.
type Webhook struct {
	// URL receives a signed POST per visitor message.
	URL string `yaml:"url" json:"url" validate:"required,max=2000"`
	// SecretEnv names the environment variable of `baton serve` that holds the signing secret:
	// secrets never live in the settings document.
	SecretEnv string `yaml:"secret_env" json:"secret_env" validate:"required,envname"`
	// History is how many earlier messages are sent along (default 10, at most 50).
	History int `yaml:"history,omitempty" json:"history,omitempty" validate:"min=0,max=50"`
}

// Tag is an owner's smart tag: how it is detected and what the bot does when it applies.
type Tag struct {
	Tag string `yaml:"tag" json:"tag" validate:"required,tagname"`
	// On says where the tag is detected: visitor (default), bot or both.
	On string `yaml:"on,omitempty" json:"on,omitempty" validate:"omitempty,oneof=visitor bot both"`
	// Phrases and Keywords detect the tag (see docs/bot.md). A tag without either is applied
	// only by a knowledge entry's tag or a webhook's answer.
	Phrases  []string `yaml:"phrases,omitempty" json:"phrases,omitempty" validate:"max=100,dive,max=500"`
	Keywords []string `yaml:"keywords,omitempty" json:"keywords,omitempty" validate:"max=100,dive,max=100"`
	// Acknowledgement is said once, the first time the tag applies, before anything else.
	Acknowledgement string `yaml:"acknowledgement,omitempty" json:"acknowledgement,omitempty" validate:"max=4000"`
	// Instruction is said the first time the tag applies (for example what to send for a return).
	Instruction string `yaml:"instruction,omitempty" json:"instruction,omitempty" validate:"max=4000"`
	// PostAction is reply (default), no_reply, suspend or close.
	PostAction string `yaml:"post_action,omitempty" json:"post_action,omitempty" validate:"omitempty,oneof=reply no_reply suspend close"`
	// Handoff starts the handoff when the tag applies, as sys_human_help does.
	Handoff bool `yaml:"handoff,omitempty" json:"handoff,omitempty"`
}

// Detects reports whether the tag is looked for in the given direction (OnVisitor or OnBot).
func (t *Tag) Detects(direction string) bool {
	on := t.On
	if on == "" {
		on = OnVisitor
	}
	return on == OnBoth || on == direction
}

// Action is the tag's post-action, with the default filled in.
func (t *Tag) Action() string {
	if t.PostAction == "" {
		return PostReply
	}
	return t.PostAction
}

// BrainName is the brain with the default filled in.
func (b *Bot) BrainName() string {
	if b.Brain == "" {
		return BrainKnowledge
	}
	return b.Brain
}

// DisplayName is the name the bot's messages carry.
func (b *Bot) DisplayName() string {
	if b.Name == "" {
		return "Bot"
	}
	return b.Name
}

// DefaultBotTimeout is how long a webhook or realtime bot may take when the settings say nothing.
const DefaultBotTimeout = 5 * time.Second

// MaxBotTimeout bounds Timeout.
const MaxBotTimeout = 60 * time.Second

// ThinkTime is the bot's timeout with the default filled in.
func (b *Bot) ThinkTime() time.Duration {
	if b.Timeout == 0 {
		return DefaultBotTimeout
	}
	return time.Duration(b.Timeout)
}

// Base is the compiled knowledge base (built once when the settings are validated); nil when
// the site has no entries.
func (b *Bot) Base() *knowledge.Base { return b.base }

// Detector returns the compiled detector of the tags' phrases and keywords (built once when the
// settings are validated); nil when no tag has any.
func (s *Settings) Detector() *knowledge.Detector { return s.detector }

// TagByName returns the owner's tag of that name, or nil.
func (s *Settings) TagByName(name string) *Tag {
	for i := range s.Tags {
		if s.Tags[i].Tag == name {
			return &s.Tags[i]
		}
	}
	return nil
}

// Duration is a time span written as "5s" or "1m30s" in settings files.
type Duration time.Duration

// MarshalText writes the duration as Go writes durations ("5s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads "5s", "1500ms" or "1m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration: write it like 5s or 1500ms", b)
	}
	*d = Duration(v)
	return nil
}

// tagNameRE is the rule conversation.Tag applies to every tag.
var tagNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_:-]{0,63}$`)

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// sysPrefix is reserved for Baton's own tags (sys_human_help, sys_human_follow_up).
const sysPrefix = "sys_"

// validateBot checks what the struct tags cannot and compiles the knowledge base and the tag
// detector, so that the work is done once per settings change and a mistake in an entry is
// reported with its field.
func (s *Settings) validateBot() []string {
	var problems []string
	bad := func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	}
	if b := s.Bot; b != nil {
		if b.Timeout < 0 || time.Duration(b.Timeout) > MaxBotTimeout || (b.Timeout > 0 && time.Duration(b.Timeout) < 100*time.Millisecond) {
			bad("bot.timeout", "must be between 100ms and %s", MaxBotTimeout)
		}
		if b.BrainName() == BrainWebhook && b.Webhook == nil {
			bad("bot.webhook", "is required when brain is webhook (url and secret_env)")
		}
		if w := b.Webhook; w != nil && w.URL != "" {
			u, err := url.Parse(w.URL)
			switch {
			case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
				bad("bot.webhook.url", "%q is not an http(s) URL", w.URL)
			case u.User != nil:
				bad("bot.webhook.url", "must not carry a user or password: the request is signed with the secret")
			}
		}
		b.base = nil
		if k := b.Knowledge; k != nil {
			for i, e := range k.Entries {
				if e.Tag != "" && !tagNameRE.MatchString(e.Tag) {
					bad(fmt.Sprintf("bot.knowledge.entries[%d].tag", i), "%q: use 1-64 lowercase letters, digits, _, - and :", e.Tag)
				}
			}
			base, err := knowledge.New(k.Entries, knowledge.Options{Threshold: k.Threshold})
			if err != nil {
				problems = append(problems, knowledgeProblems(err, "bot.knowledge.entries", nil)...)
			}
			b.base = base
		}
	}
	seen := map[string]bool{}
	var rules []knowledge.TagRule
	var ruleTag []int // detector rule → index in s.Tags
	for i, t := range s.Tags {
		if strings.HasPrefix(t.Tag, sysPrefix) {
			bad(fmt.Sprintf("tags[%d].tag", i), "%q: the sys_ prefix is reserved for Baton's own tags", t.Tag)
		}
		if seen[t.Tag] {
			bad(fmt.Sprintf("tags[%d].tag", i), "%q is defined twice", t.Tag)
			continue
		}
		seen[t.Tag] = true
		if len(t.Phrases)+len(t.Keywords) > 0 {
			rules = append(rules, knowledge.TagRule{Tag: t.Tag, Phrases: t.Phrases, Keywords: t.Keywords})
			ruleTag = append(ruleTag, i)
		}
	}
	s.detector = nil
	if len(rules) > 0 {
		d, err := knowledge.NewDetector(rules, knowledge.DetectorOptions{})
		if err != nil {
			problems = append(problems, knowledgeProblems(err, "tags", ruleTag)...)
		}
		s.detector = d
	}
	return problems
}

// knowledgeProblems turns the knowledge package's errors into settings problems naming the field
// (list[i].field); index maps the package's positions to the settings' ones when they differ.
func knowledgeProblems(err error, list string, index []int) []string {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		var ee *knowledge.EntryError
		if !errors.As(e, &ee) {
			out = append(out, list+": "+e.Error())
			continue
		}
		i := ee.Index
		if index != nil && i < len(index) {
			i = index[i]
		}
		out = append(out, fmt.Sprintf("%s[%d].%s: %s", list, i, ee.Field, ee.Msg))
	}
	return out
}
