package hours

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Key is the settings-file key the block lives under; Validate roots its error paths here.
const Key = "business_hours"

// Settings is the business_hours block a site owner writes in the site settings file.
// The zero value is a valid calendar that is always open.
type Settings struct {
	// Timezone is an IANA name such as Europe/Amsterdam; required once hours or holidays are set.
	Timezone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	// Weekly maps a day name (monday … sunday) to its opening intervals ("09:00-17:30").
	// Without any day the site is open around the clock; once one day is listed, unlisted days are closed.
	Weekly map[string][]string `yaml:"weekly,omitempty" json:"weekly,omitempty"`
	// Holidays close whole dates in the site's time zone.
	Holidays []Holiday `yaml:"holidays,omitempty" json:"holidays,omitempty"`
}

// Holiday is one closed date (Date) or an inclusive range of dates (From and To), written YYYY-MM-DD.
type Holiday struct {
	Date string `yaml:"date,omitempty" json:"date,omitempty"`
	From string `yaml:"from,omitempty" json:"from,omitempty"`
	To   string `yaml:"to,omitempty" json:"to,omitempty"`
	// Name is shown to visitors ("closed for Christmas") and is optional.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
}

// FieldError is one problem in the settings, located by its path so the owner can find the line.
type FieldError struct {
	Path   string // e.g. business_hours.weekly.monday[1]
	Value  string // the offending text as written; empty when the field is missing
	Reason string
}

// Error formats the problem as `path: "value": reason`.
func (e FieldError) Error() string {
	if e.Value == "" {
		return e.Path + ": " + e.Reason
	}
	return fmt.Sprintf("%s: %q: %s", e.Path, e.Value, e.Reason)
}

// Errors is every problem found in one Settings, in document order, so an owner fixes them in one go.
type Errors []FieldError

// Error lists the problems one per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, fe := range e {
		lines[i] = fe.Error()
	}
	return strings.Join(lines, "\n")
}

// Under prefixes every path, for a caller that nests the block deeper (e.g. "sites[2]").
func (e Errors) Under(prefix string) Errors {
	out := make(Errors, len(e))
	for i, fe := range e {
		fe.Path = prefix + "." + fe.Path
		out[i] = fe
	}
	return out
}

// Validate reports every problem in s as Errors, or nil.
func (s Settings) Validate() error {
	if _, errs := s.compile(); len(errs) > 0 {
		return errs
	}
	return nil
}

// Compile validates s and builds the Calendar, loading the time zone once.
func (s Settings) Compile() (*Calendar, error) {
	c, errs := s.compile()
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// weekOrder is Monday first, the order owners read a week in and errors are reported in.
var weekOrder = []time.Weekday{
	time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday,
}

const (
	minutesPerDay = 24 * 60
	secondsPerDay = 24 * 60 * 60
)

// interval is one parsed weekly entry, kept with where it was written for overlap messages.
type interval struct {
	day        time.Weekday
	name       string // the day key as written
	index      int
	raw        string
	start, end int // minutes after the day's midnight; end > minutesPerDay runs into the next day
}

func (iv interval) ref() string { return fmt.Sprintf("%s[%d]", iv.name, iv.index) }

func (s Settings) compile() (*Calendar, Errors) {
	var errs Errors
	add := func(path, value, reason string) {
		errs = append(errs, FieldError{Path: Key + "." + path, Value: value, Reason: reason})
	}

	c := &Calendar{loc: time.UTC}
	switch tz := strings.TrimSpace(s.Timezone); {
	case tz == "":
		if len(s.Weekly) > 0 || len(s.Holidays) > 0 {
			add("timezone", "", "required once hours or holidays are set (an IANA name such as Europe/Amsterdam)")
		}
	case tz == "Local":
		// "Local" is whatever zone the server happens to run in, which the owner cannot see.
		add("timezone", s.Timezone, "name the zone (an IANA name such as Europe/Amsterdam), not Local")
	default:
		loc, err := time.LoadLocation(tz)
		if err != nil {
			add("timezone", s.Timezone, "unknown time zone (use an IANA name such as Europe/Amsterdam)")
		} else {
			c.loc = loc
		}
	}

	ivs := s.weeklyIntervals(add)
	if len(s.Weekly) == 0 {
		for d := range c.week {
			c.week[d] = []span{{start: 0, end: secondsPerDay}}
		}
	} else {
		for _, iv := range ivs {
			c.week[iv.day] = append(c.week[iv.day], span{start: iv.start * 60, end: iv.end * 60})
		}
		for d := range c.week {
			c.week[d] = mergeSpans(c.week[d])
		}
	}

	for i, h := range s.Holidays {
		if r, ok := parseHoliday(i, h, add); ok {
			c.holidays = append(c.holidays, r)
		}
	}
	c.closed = mergeRanges(c.holidays)
	return c, errs
}

// weeklyIntervals parses Weekly in Monday-first order and reports bad entries and overlaps.
func (s Settings) weeklyIntervals(add func(path, value, reason string)) []interval {
	byDay := make(map[time.Weekday]string, len(s.Weekly))
	var unknown []string
	for key := range s.Weekly {
		d, ok := parseWeekday(key)
		if !ok {
			unknown = append(unknown, key)
			continue
		}
		if prev, dup := byDay[d]; dup {
			// Report the pair once, under the name that sorts last, so the output is stable.
			first, second := min(prev, key), max(prev, key)
			byDay[d] = first
			add("weekly."+second, "", fmt.Sprintf("%s is listed twice (also as %s)", strings.ToLower(d.String()), first))
			continue
		}
		byDay[d] = key
	}
	slices.Sort(unknown)
	for _, key := range unknown {
		add("weekly."+key, "", "unknown day (use monday, tuesday, wednesday, thursday, friday, saturday or sunday)")
	}

	var ivs []interval
	for _, d := range weekOrder {
		key, ok := byDay[d]
		if !ok {
			continue
		}
		for i, raw := range s.Weekly[key] {
			path := fmt.Sprintf("weekly.%s[%d]", key, i)
			start, end, reason := parseInterval(raw)
			if reason != "" {
				add(path, raw, reason)
				continue
			}
			ivs = append(ivs, interval{day: d, name: key, index: i, raw: raw, start: start, end: end})
		}
	}

	// Overlaps are checked on a Monday-based week of minutes; a Sunday night interval also
	// wraps onto Monday morning. Each pair is reported once, on the later entry.
	const week = 7 * minutesPerDay
	segments := func(iv interval) []segment {
		off := ((int(iv.day) + 6) % 7) * minutesPerDay
		s := []segment{{off + iv.start, off + iv.end}}
		if off+iv.end > week {
			s = append(s, segment{0, off + iv.end - week})
		}
		return s
	}
	for j := range ivs {
		for i := range j {
			if overlaps(segments(ivs[i]), segments(ivs[j])) {
				add(fmt.Sprintf("weekly.%s[%d]", ivs[j].name, ivs[j].index), ivs[j].raw,
					fmt.Sprintf("overlaps %s %q", ivs[i].ref(), ivs[i].raw))
			}
		}
	}
	return ivs
}

// segment is a stretch of the week in minutes after Monday 00:00, end exclusive.
type segment struct{ from, to int }

func overlaps(a, b []segment) bool {
	for _, x := range a {
		for _, y := range b {
			if x.from < y.to && y.from < x.to {
				return true
			}
		}
	}
	return false
}

func parseWeekday(key string) (time.Weekday, bool) {
	k := strings.ToLower(strings.TrimSpace(key))
	for _, d := range weekOrder {
		if k == strings.ToLower(d.String()) {
			return d, true
		}
	}
	return 0, false
}

// parseInterval reads "HH:MM-HH:MM" into minutes after midnight. An end at or before the start
// means the interval runs past midnight into the next day; "24:00" is allowed as an end only.
// It returns a reason instead of an error because the caller adds the path.
func parseInterval(raw string) (start, end int, reason string) {
	const want = `want "HH:MM-HH:MM", e.g. "09:00-17:30"`
	from, to, ok := strings.Cut(raw, "-")
	if !ok {
		return 0, 0, want
	}
	start, ok = parseClock(strings.TrimSpace(from))
	if !ok {
		return 0, 0, want
	}
	end, ok = parseClock(strings.TrimSpace(to))
	if !ok {
		return 0, 0, want
	}
	switch {
	case start == minutesPerDay:
		return 0, 0, `start cannot be 24:00 (use 00:00)`
	case start == end:
		return 0, 0, `end must differ from start (use "00:00-24:00" for all day)`
	case end < start:
		end += minutesPerDay
	}
	return start, end, ""
}

// parseClock reads H:MM or HH:MM between 00:00 and 24:00 inclusive.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return 0, false
	}
	hh := atoi(h)
	mm := atoi(m)
	if hh > 24 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// parseHoliday checks one holiday entry and returns it as an inclusive range of days.
func parseHoliday(i int, h Holiday, add func(path, value, reason string)) (dayRange, bool) {
	path := fmt.Sprintf("holidays[%d]", i)
	date := func(field, value string) (day, bool) {
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(value))
		if err != nil {
			add(path+"."+field, value, "want a date as YYYY-MM-DD")
			return 0, false
		}
		return dayOf(t.Date()), true
	}

	switch {
	case h.Date != "" && (h.From != "" || h.To != ""):
		add(path, "", "use either date or from and to, not both")
	case h.Date != "":
		if d, ok := date("date", h.Date); ok {
			return dayRange{from: d, to: d, name: h.Name}, true
		}
	case h.From == "" && h.To == "":
		add(path, "", "date (or from and to) is required")
	case h.From == "":
		add(path+".from", "", "required with to")
	case h.To == "":
		add(path+".to", "", "required with from")
	default:
		from, okFrom := date("from", h.From)
		to, okTo := date("to", h.To)
		if !okFrom || !okTo {
			return dayRange{}, false
		}
		if to < from {
			add(path+".to", h.To, fmt.Sprintf("is before from %q", h.From))
			return dayRange{}, false
		}
		return dayRange{from: from, to: to, name: h.Name}, true
	}
	return dayRange{}, false
}
