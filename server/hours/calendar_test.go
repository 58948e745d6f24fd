package hours

import (
	"testing"
	"time"
)

// shop is a typical week: a lunch break on Monday, a Friday night shift, closed on Saturday,
// a Sunday evening that runs into Monday, and holidays including a range across New Year.
var shop = Settings{
	Timezone: "Europe/Amsterdam",
	Weekly: map[string][]string{
		"monday":    {"09:00-12:30", "13:30-17:30"},
		"tuesday":   {"09:00-17:00"},
		"wednesday": {"09:00-17:00"},
		"thursday":  {"09:00-17:00"},
		"friday":    {"09:00-17:00", "22:00-02:00"},
		"saturday":  {},
		"sunday":    {"20:00-02:00"},
	},
	Holidays: []Holiday{
		{Date: "2026-04-06", Name: "Easter Monday"},
		{Date: "2026-12-25", Name: "Christmas"},
		{From: "2026-12-31", To: "2027-01-01", Name: "New Year"},
	},
}

func mustCompile(t testing.TB, s Settings) *Calendar {
	t.Helper()
	c, err := s.Compile()
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return c
}

func instant(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad instant %q: %v", s, err)
	}
	return at
}

func weekly(tz string, days map[string][]string) Settings {
	return Settings{Timezone: tz, Weekly: days}
}

func TestOpen(t *testing.T) {
	amsSpringGapStart := weekly("Europe/Amsterdam", map[string][]string{"sunday": {"02:30-05:00"}})
	amsSpringGapEnd := weekly("Europe/Amsterdam", map[string][]string{"saturday": {"22:00-02:30"}})
	amsSpringInsideGap := weekly("Europe/Amsterdam", map[string][]string{"sunday": {"02:15-02:45"}})
	amsAutumnAcross := weekly("Europe/Amsterdam", map[string][]string{"sunday": {"01:00-04:00"}})
	amsAutumnInside := weekly("Europe/Amsterdam", map[string][]string{"sunday": {"02:15-02:45"}})
	nySpring := weekly("America/New_York", map[string][]string{"sunday": {"01:00-10:00"}})
	nyAutumn := weekly("America/New_York", map[string][]string{"saturday": {"20:00-01:30"}})
	alwaysExceptChristmas := Settings{Timezone: "Europe/Amsterdam", Holidays: []Holiday{{Date: "2026-12-25"}}}
	closedWeek := weekly("Europe/Amsterdam", map[string][]string{"monday": {}})
	allDay := weekly("Asia/Tokyo", map[string][]string{"monday": {"00:00-24:00"}, "tuesday": {"22:00-00:00"}})

	tests := []struct {
		name     string
		settings Settings
		at       string
		want     bool
	}{
		{"zero settings are always open", Settings{}, "2026-05-05T03:00:00Z", true},
		{"a listed day with no intervals closes the whole week", closedWeek, "2026-05-04T10:00:00+02:00", false},

		{"monday morning is open", shop, "2026-06-01T09:00:00+02:00", true},
		{"just before opening is closed", shop, "2026-06-01T08:59:59+02:00", false},
		{"lunch break starts at the end of the morning", shop, "2026-06-01T12:30:00+02:00", false},
		{"last second of the morning is open", shop, "2026-06-01T12:29:59+02:00", true},
		{"afternoon after lunch is open", shop, "2026-06-01T13:30:00+02:00", true},
		{"the instant is read in the site zone whatever zone it is given in", shop, "2026-06-01T07:30:00Z", true},
		{"friday night shift is open", shop, "2026-06-05T23:00:00+02:00", true},
		{"friday night runs into saturday", shop, "2026-06-06T01:59:00+02:00", true},
		{"friday night ends at 02:00 saturday", shop, "2026-06-06T02:00:00+02:00", false},
		{"saturday with no intervals is closed", shop, "2026-06-06T12:00:00+02:00", false},
		{"sunday night wraps onto monday", shop, "2026-06-08T01:30:00+02:00", true},
		{"monday before 09:00 after the sunday night is closed", shop, "2026-06-08T02:00:00+02:00", false},

		{"single-date holiday closes the day", shop, "2026-12-25T10:00:00+01:00", false},
		{"holiday cancels the night shift that starts on it", shop, "2026-12-25T23:00:00+01:00", false},
		{"holiday cancels its night shift past midnight too", shop, "2026-12-26T01:00:00+01:00", false},
		{"day before a holiday is open", shop, "2026-12-24T10:00:00+01:00", true},
		{"night shift before a holiday runs into it", shop, "2026-04-06T01:00:00+02:00", true},
		{"holiday closes its own daytime hours", shop, "2026-04-06T10:00:00+02:00", false},
		{"range holiday closes its first day", shop, "2026-12-31T10:00:00+01:00", false},
		{"range holiday closes its last day across the year", shop, "2027-01-01T10:00:00+01:00", false},
		{"range holiday cancels the last day's night shift", shop, "2027-01-02T01:00:00+01:00", false},
		{"after a range holiday the week resumes", shop, "2027-01-04T10:00:00+01:00", true},
		{"always open except a holiday is closed on it", alwaysExceptChristmas, "2026-12-25T23:59:59+01:00", false},
		{"always open except a holiday is open the next midnight", alwaysExceptChristmas, "2026-12-26T00:00:00+01:00", true},

		{"00:00-24:00 is open at midnight", allDay, "2026-06-01T00:00:00+09:00", true},
		{"00:00-24:00 is open at the last second", allDay, "2026-06-01T23:59:59+09:00", true},
		{"22:00-00:00 closes at midnight", allDay, "2026-06-03T00:00:00+09:00", false},
		{"22:00-00:00 is open before midnight", allDay, "2026-06-02T23:59:59+09:00", true},

		{"ams spring: before the gap an interval starting in it is closed", amsSpringGapStart, "2026-03-29T01:59:59+01:00", false},
		{"ams spring: an interval starting in the gap opens when clocks jump", amsSpringGapStart, "2026-03-29T03:00:00+02:00", true},
		{"ams spring: an interval ending in the gap is open before the jump", amsSpringGapEnd, "2026-03-29T01:59:59+01:00", true},
		{"ams spring: an interval ending in the gap closes when clocks jump", amsSpringGapEnd, "2026-03-29T03:00:00+02:00", false},
		{"ams spring: an interval inside the gap is closed after it", amsSpringInsideGap, "2026-03-29T03:00:00+02:00", false},
		{"ams spring: an interval inside the gap is closed before it", amsSpringInsideGap, "2026-03-29T01:59:59+01:00", false},
		{"ams autumn: an interval across the repeat is open in the first pass", amsAutumnAcross, "2026-10-25T02:30:00+02:00", true},
		{"ams autumn: an interval across the repeat is open in the second pass", amsAutumnAcross, "2026-10-25T02:30:00+01:00", true},
		{"ams autumn: an interval across the repeat closes by wall time", amsAutumnAcross, "2026-10-25T04:00:00+01:00", false},
		{"ams autumn: an interval inside the repeat is open in the first pass", amsAutumnInside, "2026-10-25T02:20:00+02:00", true},
		{"ams autumn: between the passes it is closed", amsAutumnInside, "2026-10-25T02:50:00+02:00", false},
		{"ams autumn: an interval inside the repeat is open in the second pass", amsAutumnInside, "2026-10-25T02:20:00+01:00", true},
		{"ny spring: open before the jump", nySpring, "2026-03-08T01:59:59-05:00", true},
		{"ny spring: open after the jump", nySpring, "2026-03-08T03:00:00-04:00", true},
		{"ny spring: closes at 10:00 daylight time", nySpring, "2026-03-08T10:00:00-04:00", false},
		{"ny spring: open at 09:59 daylight time", nySpring, "2026-03-08T09:59:00-04:00", true},
		{"ny autumn: night open in the first pass", nyAutumn, "2026-11-01T01:20:00-04:00", true},
		{"ny autumn: night closed at 01:30 of the first pass", nyAutumn, "2026-11-01T01:30:00-04:00", false},
		{"ny autumn: night open again in the second pass", nyAutumn, "2026-11-01T01:20:00-05:00", true},
		{"ny autumn: night closed after the second pass", nyAutumn, "2026-11-01T01:30:00-05:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, tt.settings)
			if got := c.Open(instant(t, tt.at)); got != tt.want {
				t.Errorf("Open(%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestNext(t *testing.T) {
	amsSpringGapStart := weekly("Europe/Amsterdam", map[string][]string{"sunday": {"02:30-05:00"}})
	amsSpringGapEnd := weekly("Europe/Amsterdam", map[string][]string{"saturday": {"22:00-02:30"}})
	amsAutumnInside := weekly("Europe/Amsterdam", map[string][]string{"sunday": {"02:15-02:45"}})
	amsAutumnEnd := weekly("Europe/Amsterdam", map[string][]string{"saturday": {"22:00-02:30"}})
	nyWeekdays := weekly("America/New_York", map[string][]string{
		"monday": {"09:00-17:00"}, "tuesday": {"09:00-17:00"}, "wednesday": {"09:00-17:00"},
		"thursday": {"09:00-17:00"}, "friday": {"09:00-17:00"},
	})
	nyAutumn := weekly("America/New_York", map[string][]string{"saturday": {"20:00-01:30"}})
	alwaysExceptChristmas := Settings{Timezone: "Europe/Amsterdam", Holidays: []Holiday{{Date: "2026-12-25"}}}
	longClosure := Settings{Timezone: "Europe/Amsterdam", Holidays: []Holiday{{From: "2026-01-01", To: "2028-12-31"}}}
	touching := weekly("Europe/Amsterdam", map[string][]string{
		"friday": {"22:00-02:00"}, "saturday": {"02:00-05:00", "05:00-06:00"},
	})

	tests := []struct {
		name     string
		settings Settings
		from     string
		want     string // RFC3339 in the site zone; empty when ok is false
		wantOpen bool
	}{
		{"lunch break begins", shop, "2026-06-01T10:00:00+02:00", "2026-06-01T12:30:00+02:00", false},
		{"afternoon begins after lunch", shop, "2026-06-01T12:45:00+02:00", "2026-06-01T13:30:00+02:00", true},
		{"a change exactly at the start instant is not reported", shop, "2026-06-01T12:30:00+02:00", "2026-06-01T13:30:00+02:00", true},
		{"friday night opens after the afternoon", shop, "2026-06-05T18:00:00+02:00", "2026-06-05T22:00:00+02:00", true},
		{"friday night closes on saturday", shop, "2026-06-05T23:00:00+02:00", "2026-06-06T02:00:00+02:00", false},
		{"across the weekend to sunday evening", shop, "2026-06-06T03:00:00+02:00", "2026-06-07T20:00:00+02:00", true},
		{"sunday night closes on monday", shop, "2026-06-07T21:00:00+02:00", "2026-06-08T02:00:00+02:00", false},
		{"across christmas to the next open day", shop, "2026-12-24T17:00:00+01:00", "2026-12-27T20:00:00+01:00", true},
		{"across a range holiday over new year", shop, "2026-12-30T17:30:00+01:00", "2027-01-03T20:00:00+01:00", true},
		{"a holiday after a night shift ends it at its usual time", shop, "2026-04-05T21:00:00+02:00", "2026-04-06T02:00:00+02:00", false},
		{"ny across a weekend that changes to daylight time", nyWeekdays, "2026-03-06T18:00:00-05:00", "2026-03-09T09:00:00-04:00", true},
		{"ny across a weekend that changes to standard time", nyWeekdays, "2026-10-30T18:00:00-04:00", "2026-11-02T09:00:00-05:00", true},
		{"ams spring: an interval starting in the gap opens at the jump", amsSpringGapStart, "2026-03-29T00:00:00+01:00", "2026-03-29T03:00:00+02:00", true},
		{"ams spring: an interval ending in the gap closes at the jump", amsSpringGapEnd, "2026-03-28T23:00:00+01:00", "2026-03-29T03:00:00+02:00", false},
		{"ams autumn: first pass of an interval inside the repeat", amsAutumnInside, "2026-10-25T00:00:00+02:00", "2026-10-25T02:15:00+02:00", true},
		{"ams autumn: second pass of an interval inside the repeat", amsAutumnInside, "2026-10-25T02:50:00+02:00", "2026-10-25T02:15:00+01:00", true},
		{"ams autumn: an interval ending in the repeat closes in the first pass", amsAutumnEnd, "2026-10-24T23:00:00+02:00", "2026-10-25T02:30:00+02:00", false},
		{"ams autumn: it reopens when the clocks go back", amsAutumnEnd, "2026-10-25T02:40:00+02:00", "2026-10-25T02:00:00+01:00", true},
		{"ams autumn: and closes again in the second pass", amsAutumnEnd, "2026-10-25T02:10:00+01:00", "2026-10-25T02:30:00+01:00", false},
		{"ny autumn: night closes in the first pass", nyAutumn, "2026-10-31T21:00:00-04:00", "2026-11-01T01:30:00-04:00", false},
		{"ny autumn: night reopens when the clocks go back", nyAutumn, "2026-11-01T01:40:00-04:00", "2026-11-01T01:00:00-05:00", true},
		{"always open closes at a holiday's midnight", alwaysExceptChristmas, "2026-12-24T12:00:00+01:00", "2026-12-25T00:00:00+01:00", false},
		{"always open reopens after a holiday", alwaysExceptChristmas, "2026-12-25T12:00:00+01:00", "2026-12-26T00:00:00+01:00", true},
		{"touching intervals across midnight are one opening", touching, "2026-06-05T23:00:00+02:00", "2026-06-06T06:00:00+02:00", false},
		{"a reopening within the lookahead is found", longClosure, "2028-06-01T00:00:00+02:00", "2029-01-01T00:00:00+01:00", true},
		{"a reopening beyond the lookahead is not", longClosure, "2026-06-01T00:00:00+02:00", "", false},
		{"always open never changes", Settings{}, "2026-06-01T00:00:00Z", "", false},
		{"never open never changes", weekly("Europe/Amsterdam", map[string][]string{"monday": {}}), "2026-06-01T00:00:00Z", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, tt.settings)
			got, open, ok := c.Next(instant(t, tt.from))
			if tt.want == "" {
				if ok {
					t.Fatalf("Next(%s) = %s open=%v, want no change", tt.from, got.Format(time.RFC3339), open)
				}
				return
			}
			if !ok {
				t.Fatalf("Next(%s) found no change, want %s", tt.from, tt.want)
			}
			if got.Format(time.RFC3339) != tt.want || open != tt.wantOpen {
				t.Errorf("Next(%s) = %s open=%v, want %s open=%v", tt.from, got.Format(time.RFC3339), open, tt.want, tt.wantOpen)
			}
		})
	}
}

func TestNextOpening(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		from     string
		want     string // empty when it never opens within the lookahead
	}{
		{"open now answers now", shop, "2026-06-01T10:00:00+02:00", "2026-06-01T10:00:00+02:00"},
		{"open now answers now in the site zone", shop, "2026-06-01T08:00:00Z", "2026-06-01T10:00:00+02:00"},
		{"saturday is back on sunday evening", shop, "2026-06-06T12:00:00+02:00", "2026-06-07T20:00:00+02:00"},
		{"over new year it is back on the first sunday", shop, "2026-12-31T09:00:00+01:00", "2027-01-03T20:00:00+01:00"},
		{"weekdays only is back on monday", weekly("Europe/Amsterdam", map[string][]string{"monday": {"09:00-17:00"}}), "2026-06-05T17:00:00+02:00", "2026-06-08T09:00:00+02:00"},
		{"never open has no opening", weekly("Europe/Amsterdam", map[string][]string{"sunday": {}}), "2026-06-01T00:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, tt.settings)
			got, ok := c.NextOpening(instant(t, tt.from))
			switch {
			case tt.want == "" && ok:
				t.Errorf("NextOpening(%s) = %s, want none", tt.from, got.Format(time.RFC3339))
			case tt.want != "" && !ok:
				t.Errorf("NextOpening(%s) found none, want %s", tt.from, tt.want)
			case tt.want != "" && got.Format(time.RFC3339) != tt.want:
				t.Errorf("NextOpening(%s) = %s, want %s", tt.from, got.Format(time.RFC3339), tt.want)
			}
		})
	}
}

// TestNextAgreesWithMinuteScan checks Next against Open sampled every minute over the DST
// weekends, where a missed or invented change would show up.
func TestNextAgreesWithMinuteScan(t *testing.T) {
	dst := func(tz string) Settings {
		return Settings{Timezone: tz, Weekly: map[string][]string{
			"friday":   {"09:00-12:00", "13:00-17:00", "23:30-01:15"},
			"saturday": {"22:00-01:30"},
			"sunday":   {"01:45-02:15", "02:30-02:45", "03:05-03:15", "03:20-04:00", "20:00-01:00"},
			"monday":   {"01:00-24:00"},
		}}
	}
	tests := []struct {
		name     string
		settings Settings
		from, to string
	}{
		{"amsterdam spring", dst("Europe/Amsterdam"), "2026-03-26T00:00:00Z", "2026-04-02T00:00:00Z"},
		{"amsterdam autumn", dst("Europe/Amsterdam"), "2026-10-22T00:00:00Z", "2026-10-29T00:00:00Z"},
		{"new york spring", dst("America/New_York"), "2026-03-05T00:00:00Z", "2026-03-12T00:00:00Z"},
		{"new york autumn", dst("America/New_York"), "2026-10-29T00:00:00Z", "2026-11-05T00:00:00Z"},
		{"santiago, whose clocks change at midnight, autumn", dst("America/Santiago"), "2026-04-01T00:00:00Z", "2026-04-08T00:00:00Z"},
		{"santiago, whose clocks change at midnight, spring", dst("America/Santiago"), "2026-09-03T00:00:00Z", "2026-09-10T00:00:00Z"},
		{"shop over new year", shop, "2026-12-22T00:00:00Z", "2027-01-06T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, tt.settings)
			from, to := instant(t, tt.from), instant(t, tt.to)

			var scanned []time.Time
			prev := c.Open(from)
			for at := from.Add(time.Minute); at.Before(to); at = at.Add(time.Minute) {
				if open := c.Open(at); open != prev {
					scanned = append(scanned, at)
					prev = open
				}
			}
			var walked []time.Time
			for at := from; ; {
				next, open, ok := c.Next(at)
				if !ok || !next.Before(to) {
					break
				}
				if open == c.Open(next.Add(-time.Second)) {
					t.Errorf("Next reported %s as a change to open=%v, but a second earlier was the same", next, open)
				}
				walked = append(walked, next)
				at = next
			}
			if len(scanned) < 6 {
				t.Fatalf("fixture too quiet: %d changes", len(scanned))
			}
			if len(walked) != len(scanned) {
				t.Fatalf("Next found %d changes, the scan %d:\nnext: %v\nscan: %v", len(walked), len(scanned), walked, scanned)
			}
			for i := range scanned {
				if !walked[i].Equal(scanned[i]) {
					t.Errorf("change %d: Next %s, scan %s", i, walked[i], scanned[i])
				}
			}
		})
	}
}

func TestHolidayAt(t *testing.T) {
	c := mustCompile(t, shop)
	tests := []struct {
		at       string
		wantName string
		wantOK   bool
	}{
		{"2026-12-25T00:00:00+01:00", "Christmas", true},
		{"2026-12-24T23:00:00Z", "Christmas", true}, // already the 25th in Amsterdam
		{"2026-12-24T22:59:59Z", "", false},
		{"2027-01-01T12:00:00+01:00", "New Year", true},
		{"2027-01-02T00:00:00+01:00", "", false},
	}
	for _, tt := range tests {
		name, ok := c.HolidayAt(instant(t, tt.at))
		if name != tt.wantName || ok != tt.wantOK {
			t.Errorf("HolidayAt(%s) = %q, %v; want %q, %v", tt.at, name, ok, tt.wantName, tt.wantOK)
		}
	}
}

func TestNilCalendarIsAlwaysOpen(t *testing.T) {
	var c *Calendar
	at := instant(t, "2026-06-01T00:00:00Z")
	if !c.Open(at) {
		t.Error("nil calendar is closed")
	}
	if _, _, ok := c.Next(at); ok {
		t.Error("nil calendar reports a change")
	}
	if got, ok := c.NextOpening(at); !ok || !got.Equal(at) {
		t.Errorf("NextOpening = %s, %v; want now", got, ok)
	}
	if _, ok := c.HolidayAt(at); ok {
		t.Error("nil calendar has a holiday")
	}
}

func BenchmarkOpen(b *testing.B) {
	c := mustCompile(b, shop)
	at := instant(b, "2026-06-05T23:00:00+02:00")
	for b.Loop() {
		c.Open(at)
	}
}

func BenchmarkNext(b *testing.B) {
	c := mustCompile(b, shop)
	at := instant(b, "2026-06-06T03:00:00+02:00") // next change is Sunday evening
	for b.Loop() {
		c.Next(at)
	}
}

// BenchmarkNextNoChange is the worst case: every day's boundaries over the whole lookahead
// are checked in vain (open around the clock, the only holiday long past).
func BenchmarkNextNoChange(b *testing.B) {
	c := mustCompile(b, Settings{Timezone: "Europe/Amsterdam", Holidays: []Holiday{{Date: "2020-01-01"}}})
	at := instant(b, "2026-06-01T00:00:00Z")
	for b.Loop() {
		c.Next(at)
	}
}
