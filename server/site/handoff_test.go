package site

import (
	"strings"
	"testing"
	"time"
)

func TestHandoffSectionIsCheckedByField(t *testing.T) {
	const head = "key: shop\nname: Shop\n"
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error, one per problem; nil: valid
	}{
		{"none: the inbox, always open", "", nil},
		{"every field", `handoff:
  method: inbox
  human_chat: true
  max_open_per_agent: 3
  expected_wait: 5m
  hide_when_unavailable: true
  texts: {nl: {consent: "Zal ik een collega halen?"}}
business_hours:
  timezone: Europe/Amsterdam
  weekly: {monday: ["09:00-12:30", "13:30-17:30"]}
  holidays: [{date: 2026-12-25, name: Christmas}]
`, nil},
		{"a helpdesk with its settings", "handoff:\n  method: zendesk\n  zendesk: {subdomain: shop, email: agent@shop.example, token_env: ZD_TOKEN}\n  fallback_email: support@shop.example\n", nil},
		{"a helpdesk without its settings", "handoff: {method: gorgias}\n", []string{"handoff.gorgias: is required for the gorgias method"}},
		{"a helpdesk's settings, by field", "handoff:\n  method: email\n  email: {to: nobody}\n  fallback_email: also-nobody\n",
			[]string{`handoff.email.to: "nobody" is not an email address`, "handoff.fallback_email"}},
		{"an unknown method", "handoff: {method: pigeon}\n", []string{`handoff.method: "pigeon" must be one of`}},
		{"method message needs its message", "handoff: {method: message}\n", []string{"handoff.message: is required"}},
		{"a wait over a day", "handoff: {expected_wait: 25h}\n", []string{"handoff.expected_wait"}},
		{"a negative capacity", "handoff: {max_open_per_agent: -2}\n", []string{"handoff.max_open_per_agent"}},
		{"texts: an unknown key, an empty one, a long button, a locale Baton lacks",
			"handoff:\n  texts:\n    en: {hello: x, consent: \"\", yes: \"" + strings.Repeat("y", 81) + "\"}\n    it: {consent: Ciao}\n",
			[]string{"handoff.texts.en.hello: unknown text", "handoff.texts.en.consent: must not be empty", "handoff.texts.en.yes: must be at most 80", "handoff.texts[it]"}},
		{"business hours, by field", "business_hours: {timezone: Europe/Amsterdm, weekly: {monday: [\"9-5\"]}}\n",
			[]string{"business_hours.timezone", "business_hours.weekly.monday[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseYAML([]byte(head + tt.doc))
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %+v", s.Handoff)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestHandoffSectionRoundTripsThroughJSON(t *testing.T) {
	doc := "key: shop\nname: Shop\nhandoff:\n  method: webhook\n  webhook: {url: \"https://hooks.shop.example/baton\", secret_env: HOOK_SECRET}\n" +
		"  texts: {en: {yes: Sure}}\n"
	s, err := ParseYAML([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseJSON(s.JSON())
	if err != nil {
		t.Fatalf("%v in %s", err, s.JSON())
	}
	if back.Handoff.Webhook == nil || back.Handoff.Webhook.SecretEnv != "HOOK_SECRET" || back.Handoff.Texts["en"]["yes"] != "Sure" ||
		!strings.Contains(string(s.JSON()), `"webhook":{"url"`) {
		t.Fatalf("round trip: %s", s.JSON())
	}
}

func TestHandoffMethodFollowsHumanChat(t *testing.T) {
	off, on := false, true
	tests := []struct {
		h    *Handoff
		want string
	}{
		{nil, MethodInbox},
		{&Handoff{}, MethodInbox},
		{&Handoff{Method: MethodZendesk}, MethodZendesk},
		{&Handoff{Method: MethodZendesk, HumanChat: &on}, MethodZendesk},
		{&Handoff{Method: MethodZendesk, HumanChat: &off}, MethodMessage},
		{&Handoff{HumanChat: &off}, MethodMessage},
	}
	for _, tt := range tests {
		s := &Settings{Handoff: tt.h}
		if got := s.HandoffMethod(); got != tt.want || s.HumanChat() != (tt.want != MethodMessage) {
			t.Errorf("%+v: %s", tt.h, got)
		}
	}
}

func TestBusinessHoursAreCompiledOnceWithTheSettings(t *testing.T) {
	s, err := ParseYAML([]byte("key: shop\nname: Shop\nbusiness_hours: {timezone: Europe/Amsterdam, weekly: {saturday: [\"10:00-16:00\"]}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	sat := time.Date(2026, 2, 7, 11, 0, 0, 0, time.UTC) // 12:00 in Amsterdam
	if cal := s.Calendar(); cal == nil || !cal.Open(sat) || cal.Open(sat.Add(24*time.Hour)) {
		t.Fatalf("calendar: %v", cal)
	}
	if none, _ := ParseYAML([]byte("key: shop\nname: Shop\n")); none.Calendar() != nil || !none.Calendar().Open(sat) {
		t.Fatal("without business hours a site is always open")
	}
}
