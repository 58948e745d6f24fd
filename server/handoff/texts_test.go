package handoff

import (
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/site"
)

func TestEveryLanguageHasEveryText(t *testing.T) {
	for key := range site.HandoffTextKeys {
		for lang, words := range builtin {
			if strings.TrimSpace(words[key]) == "" {
				t.Errorf("%s: no built-in %q", lang, key)
			}
			if limit := site.HandoffTextKeys[key]; len([]rune(words[key])) > limit {
				t.Errorf("%s.%s: longer than an owner may write (%d)", lang, key, limit)
			}
		}
	}
	for lang, words := range builtin {
		if len(words) != len(site.HandoffTextKeys) {
			t.Errorf("%s has %d texts, settings know %d", lang, len(words), len(site.HandoffTextKeys))
		}
	}
}

func TestTextsPreferTheOwnersWordsInTheVisitorsLanguage(t *testing.T) {
	st := &site.Settings{DefaultLocale: "nl", Handoff: &site.Handoff{Texts: map[string]map[string]string{
		"en": {"consent": "Shall I fetch Kim?"}, "pt": {"consent": "Quer falar com alguém?"}}}}
	tests := []struct {
		lang, want string
	}{
		{"en", "Shall I fetch Kim?"},
		{"en-GB", "Shall I fetch Kim?"},
		{"de", builtin["de"]["consent"]},
		{"pt-BR", "Quer falar com alguém?"},
		{"it", builtin["nl"]["consent"]}, // neither Baton nor the owner speaks it: the site's default
		{"", builtin["nl"]["consent"]},
	}
	for _, tt := range tests {
		if got := textsFor(st, tt.lang).get("consent"); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got := textsFor(st, "pt").get("yes"); got != builtin["en"]["yes"] {
		t.Errorf("a text the owner's language lacks: %q, want English", got)
	}
	if got := textsFor(st, "fr").get("ticket", "email", "jane@example.com"); !strings.Contains(got, "jane@example.com") {
		t.Errorf("placeholder not filled: %q", got)
	}
}

func TestFormatWhenSaysTheDayInTheVisitorsWords(t *testing.T) {
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 6, 18, 0, 0, 0, ams) // a Friday evening in Amsterdam
	tests := []struct {
		name string
		lang string
		at   time.Time
		loc  *time.Location
		zone bool
		want string
	}{
		{"later today", "en", time.Date(2026, 3, 6, 20, 30, 0, 0, ams), ams, false, "today at 20:30"},
		{"tomorrow", "nl", time.Date(2026, 3, 7, 9, 0, 0, 0, ams), ams, false, "morgen om 09:00"},
		{"Monday", "en", time.Date(2026, 3, 9, 9, 0, 0, 0, ams), ams, false, "on Monday at 09:00"},
		{"Monday, in French", "fr", time.Date(2026, 3, 9, 9, 0, 0, 0, ams), ams, false, "lundi à 09:00"},
		{"Monday, in German", "de", time.Date(2026, 3, 9, 9, 0, 0, 0, ams), ams, false, "am Montag um 09:00"},
		{"Monday, in Spanish", "es", time.Date(2026, 3, 9, 9, 0, 0, 0, ams), ams, false, "el lunes a las 09:00"},
		{"Monday, in Dutch", "nl", time.Date(2026, 3, 9, 9, 0, 0, 0, ams), ams, false, "maandag om 09:00"},
		{"in New York (on summer time a few weeks before Europe) it is 04:00", "en", time.Date(2026, 3, 9, 9, 0, 0, 0, ams), ny, false, "on Monday at 04:00"},
		{"after the holidays", "de", time.Date(2026, 3, 20, 9, 0, 0, 0, ams), ams, false, "am 20. März um 09:00"},
		{"after the holidays, Spanish", "es", time.Date(2026, 3, 20, 9, 0, 0, 0, ams), ams, false, "el 20 de marzo a las 09:00"},
		{"the site's zone, named", "en", time.Date(2026, 3, 9, 9, 0, 0, 0, ams), ams, true, "on Monday at 09:00 (CET)"},
		{"an unknown language speaks English", "it", time.Date(2026, 3, 7, 9, 0, 0, 0, ams), ams, false, "tomorrow at 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatWhen(tt.lang, tt.at, now, tt.loc, tt.zone); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatWaitRoundsUp(t *testing.T) {
	tests := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 30 * time.Second, "1 minute"},
		{"en", 5 * time.Minute, "5 minutes"},
		{"nl", 90 * time.Second, "2 minuten"},
		{"de", 119 * time.Minute, "119 Minuten"},
		{"fr", 2 * time.Hour, "2 heures"},
		{"es", 150 * time.Minute, "3 horas"},
	}
	for _, tt := range tests {
		if got := formatWait(tt.lang, tt.d); got != tt.want {
			t.Errorf("formatWait(%s, %s) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}
