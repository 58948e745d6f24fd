package site

import (
	"strings"
	"testing"
	"time"
)

const base = "key: shop\nname: Shop\n"

func TestBotSettingsReportEveryProblemByField(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error, one per problem; nil: valid
	}{
		{"no bot at all", "", nil},
		{"knowledge bot with entries", `
bot:
  knowledge:
    entries:
      - {id: hours, questions: ["When are you open?"], answer: "9 to 5", tag: store}
tags:
  - {tag: return_or_refund, keywords: [refund], instruction: Send your order number., post_action: suspend}
  - {tag: vip, post_action: reply, handoff: true}
`, nil},
		{"unknown brain", "bot: {brain: gpt}\n", []string{`bot.brain: "gpt" must be one of`}},
		{"webhook without its section", "bot: {brain: webhook}\n", []string{"bot.webhook: is required when brain is webhook"}},
		{"webhook without url and secret", "bot: {brain: webhook, webhook: {history: 80}}\n",
			[]string{"bot.webhook.url: is required", "bot.webhook.secret_env: is required", "bot.webhook.history: must be at most 50"}},
		{"webhook url that is not http", "bot: {brain: webhook, webhook: {url: 'ftp://x.example/', secret_env: S}}\n", []string{`bot.webhook.url: "ftp://x.example/" is not an http(s) URL`}},
		{"webhook url with a password", "bot: {brain: webhook, webhook: {url: 'https://u:p@x.example/', secret_env: S}}\n", []string{"bot.webhook.url: must not carry a user"}},
		{"secret written instead of a variable name", "bot: {brain: webhook, webhook: {url: 'https://x.example/', secret_env: 's3cr3t!'}}\n", []string{`bot.webhook.secret_env: "s3cr3t!" is not an environment variable name`}},
		{"timeout too long", "bot: {timeout: 5m}\n", []string{"bot.timeout: must be between 100ms and 1m0s"}},
		{"timeout not a duration", "bot: {timeout: soon}\n", []string{`"soon" is not a duration`}},
		{"threshold above one", "bot: {knowledge: {threshold: 1.5, entries: []}}\n", []string{"bot.knowledge.threshold: must be at most 1"}},
		{"entry problems name the entry and field", `
bot:
  knowledge:
    entries:
      - {id: a, questions: [the how], answer: x}
      - {id: a, questions: ["Opening hours?"], answer: ""}
      - {id: c, questions: ["Opening hours?"], answer: x, tag: "Not A Tag"}
`, []string{"bot.knowledge.entries[0].questions[0]:", "bot.knowledge.entries[1].id: is also used by entries[0]",
			"bot.knowledge.entries[1].answer: is empty", `bot.knowledge.entries[2].tag: "Not A Tag"`}},
		{"tag problems name the tag and field", `
tags:
  - {tag: sys_human_help}
  - {tag: refund, keywords: [the]}
  - {tag: refund, keywords: [money back]}
  - {tag: Bad Tag}
  - {tag: spam, on: sideways, post_action: explode}
`, []string{`tags[0].tag: "sys_human_help": the sys_ prefix is reserved`, `tags[1].keywords[0]: "the" has no word to match on`,
			`tags[2].tag: "refund" is defined twice`, `tags[3].tag: "Bad Tag" is not a tag`, `tags[4].on: "sideways" must be one of`,
			`tags[4].post_action: "explode" must be one of`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseYAML([]byte(base + tt.doc))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %+v", s.Bot)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestValidSettingsCarryTheCompiledBaseAndDetector(t *testing.T) {
	s, err := ParseYAML([]byte(base + `
bot:
  knowledge:
    entries:
      - {id: hours, questions: ["When are you open?"], answer: "9 to 5"}
tags:
  - {tag: refund, keywords: [refund]}
  - {tag: vip}
`))
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Bot.Base().Match("when are you open", "en"); !r.Known || r.Entry.ID != "hours" {
		t.Fatalf("base: %+v", r)
	}
	if got := s.Detector().Detect("I want a refund", "en"); len(got) != 1 || got[0] != "refund" {
		t.Fatalf("detector: %v", got)
	}
	// The JSON form (what the database and the API hold) compiles the same.
	back, err := ParseJSON(s.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if back.Bot.Base() == nil || back.Detector() == nil || back.Bot.BrainName() != BrainKnowledge {
		t.Fatal("parsed JSON lost the compiled parts")
	}
}

func TestBotDefaults(t *testing.T) {
	b := &Bot{}
	if b.BrainName() != BrainKnowledge || b.DisplayName() != "Bot" || b.ThinkTime() != DefaultBotTimeout {
		t.Fatalf("%s %s %s", b.BrainName(), b.DisplayName(), b.ThinkTime())
	}
	tag := &Tag{Tag: "x"}
	if tag.Action() != PostReply || !tag.Detects(OnVisitor) || tag.Detects(OnBot) {
		t.Fatal("tag defaults")
	}
	both := &Tag{Tag: "x", On: OnBoth}
	if !both.Detects(OnVisitor) || !both.Detects(OnBot) {
		t.Fatal("on: both")
	}
}

func TestDurationRoundTripsThroughYAMLAndJSON(t *testing.T) {
	s, err := ParseYAML([]byte(base + "bot: {brain: realtime, timeout: 1500ms}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Bot.ThinkTime() != 1500*time.Millisecond {
		t.Fatalf("got %s", s.Bot.ThinkTime())
	}
	if !strings.Contains(string(s.JSON()), `"timeout":"1.5s"`) {
		t.Fatalf("json: %s", s.JSON())
	}
	y, err := s.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseYAML(y)
	if err != nil || back.Bot.ThinkTime() != 1500*time.Millisecond {
		t.Fatalf("%v\n%s", err, y)
	}
}
