// Package hours decides whether a site is open by its business-hours calendar: weekly
// wall-clock intervals in the site's time zone, minus holidays.
//
// Rules, all in the site's time zone:
//   - An interval belongs to the day it starts on. "22:00-02:00" on Friday is open until
//     02:00 on Saturday morning; "00:00-24:00" is the whole day; "00:00-00:00" is rejected.
//   - A holiday closes every interval that starts on it, so Thursday's "22:00-02:00" still
//     runs until 02:00 on a Friday holiday, and a Friday holiday cancels Friday's night.
//   - The calendar reads the wall clock: at any instant the site is open when the local time
//     is inside one of the intervals. A start inside the spring-forward gap therefore opens
//     when the clocks jump (02:30 opens at 03:00), and during the repeated autumn hour the
//     site is open in both passes when that wall time is inside an interval.
//   - No weekly days at all means open around the clock (holidays still close it).
//
// The tz database is embedded (time/tzdata) so the zone names work in a minimal container
// without /usr/share/zoneinfo; it adds about 450 KB to the binary.
package hours

import (
	"slices"
	"sort"
	"time"
	_ "time/tzdata"
)

// Lookahead bounds how far Next searches; an owner who plans further ahead than this will
// revisit the calendar before it matters, and it keeps a never-changing calendar cheap.
const Lookahead = 400 * 24 * time.Hour

// Calendar answers "open now?" and "when does that change?" for one site.
// It is immutable and safe for concurrent use. A nil *Calendar is always open.
type Calendar struct {
	loc      *time.Location
	week     [7][]span  // by time.Weekday, sorted and merged
	holidays []dayRange // as written, for names
	closed   []dayRange // holidays merged and sorted, for lookups
}

// span is an opening interval in seconds after its day's midnight; end beyond a day runs
// into the next day.
type span struct{ start, end int }

// day counts civil days since 1970-01-01, independent of any time zone.
type day int64

type dayRange struct {
	from, to day // inclusive
	name     string
}

func dayOf(y int, m time.Month, d int) day {
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	if u < 0 && u%secondsPerDay != 0 {
		return day(u/secondsPerDay - 1)
	}
	return day(u / secondsPerDay)
}

func (d day) weekday() time.Weekday {
	return time.Weekday(((int64(d)+4)%7 + 7) % 7) // 1970-01-01 was a Thursday
}

// Location is the site's time zone, for formatting Next's results to visitors.
func (c *Calendar) Location() *time.Location {
	if c == nil {
		return time.UTC
	}
	return c.loc
}

// Open reports whether the site is open at t by the calendar.
func (c *Calendar) Open(t time.Time) bool {
	if c == nil {
		return true
	}
	lt := t.In(c.loc)
	y, m, d := lt.Date()
	today := dayOf(y, m, d)
	sec := lt.Hour()*3600 + lt.Minute()*60 + lt.Second()
	wd := lt.Weekday()
	if !c.isHoliday(today) {
		for _, s := range c.week[wd] {
			if s.start <= sec && sec < s.end {
				return true
			}
		}
	}
	if !c.isHoliday(today - 1) {
		for _, s := range c.week[(wd+6)%7] {
			if sec < s.end-secondsPerDay {
				return true
			}
		}
	}
	return false
}

// HolidayAt reports whether t falls on a holiday date, and its name (possibly empty).
// The first matching entry in the settings wins.
func (c *Calendar) HolidayAt(t time.Time) (name string, ok bool) {
	if c == nil {
		return "", false
	}
	y, m, d := t.In(c.loc).Date()
	today := dayOf(y, m, d)
	for _, h := range c.holidays {
		if h.from <= today && today <= h.to {
			return h.name, true
		}
	}
	return "", false
}

// Next returns the first instant after t at which Open differs from Open(t), in the site's
// time zone, and whether the site is open from then on. ok is false when nothing changes
// within Lookahead, e.g. for an always-open calendar.
func (c *Calendar) Next(t time.Time) (change time.Time, openAfter bool, ok bool) {
	if c == nil || c.constant() {
		return time.Time{}, false, false
	}
	now := c.Open(t)
	limit := t.Add(Lookahead)
	y, m, d := t.In(c.loc).Date()
	first := dayOf(y, m, d)

	// Walk a week at a time. The state can only change where an interval starts or ends on
	// the wall clock or where the clock itself jumps, so those instants are the candidates.
	// Dates two days either side of the window are included because a wall date and the
	// instant it maps to can be a day apart around odd transitions; the window bounds decide.
	const window = 7
	lo := t
	var cands []time.Time
	for from := first; lo.Before(limit); from += window {
		hi := c.midnight(from + window)
		if hi.After(limit) {
			hi = limit
		}
		cands = cands[:0]
		for dd := from - 2; dd < from+window+2; dd++ {
			cands = c.boundaries(cands, dd)
		}
		cands = c.transitions(cands, lo, hi)
		slices.SortFunc(cands, time.Time.Compare)
		for _, at := range cands {
			if !at.After(t) || at.Before(lo) || !at.Before(hi) {
				continue
			}
			if open := c.Open(at); open != now {
				return at, open, true
			}
		}
		lo = hi
	}
	return time.Time{}, false, false
}

// NextOpening returns the earliest instant at or after t when the site is open: t itself
// when it is open now, else the next opening within Lookahead, in the site's time zone.
func (c *Calendar) NextOpening(t time.Time) (time.Time, bool) {
	if c.Open(t) {
		return t.In(c.Location()), true
	}
	at, _, ok := c.Next(t)
	return at, ok
}

// constant is true when Next could never find a change: no intervals at all, or the whole
// week open with no holidays.
func (c *Calendar) constant() bool {
	empty, full := true, true
	for _, spans := range c.week {
		if len(spans) > 0 {
			empty = false
		}
		if len(spans) != 1 || spans[0].start != 0 || spans[0].end < secondsPerDay {
			full = false
		}
	}
	return empty || (full && len(c.closed) == 0)
}

// midnight is the instant day d begins in the site's zone, or the nearest one time.Date picks
// when midnight itself falls in a gap; it only bounds search windows.
func (c *Calendar) midnight(d day) time.Time {
	y, m, dd := time.Unix(int64(d)*secondsPerDay, 0).UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, c.loc)
}

// boundaries appends the instants where the intervals starting on day d open and close.
func (c *Calendar) boundaries(dst []time.Time, d day) []time.Time {
	if c.isHoliday(d) {
		return dst
	}
	base := int64(d) * secondsPerDay
	for _, s := range c.week[d.weekday()] {
		dst = c.wallInstants(dst, base+int64(s.start))
		dst = c.wallInstants(dst, base+int64(s.end))
	}
	return dst
}

// wallInstants appends every instant whose wall clock in the site's zone reads wall (seconds
// since 1970-01-01 00:00 as read on that clock): none in a spring gap, two in an autumn repeat.
func (c *Calendar) wallInstants(dst []time.Time, wall int64) []time.Time {
	// The offset in force at the answer is one of those in force a day either side, since
	// zones change offset at most once a day; try each and keep those that read back.
	var tried [3]int
	for i, probe := range [3]int64{wall - secondsPerDay, wall, wall + secondsPerDay} {
		_, off := time.Unix(probe, 0).In(c.loc).Zone()
		tried[i] = off
		if slices.Contains(tried[:i], off) {
			continue
		}
		at := time.Unix(wall-int64(off), 0).In(c.loc)
		if _, got := at.Zone(); got == off {
			dst = append(dst, at)
		}
	}
	return dst
}

// transitions appends the instants in [lo, hi) where the zone's offset changes.
func (c *Calendar) transitions(dst []time.Time, lo, hi time.Time) []time.Time {
	at := lo.In(c.loc)
	for {
		_, end := at.ZoneBounds()
		if end.IsZero() || !end.Before(hi) || !end.After(at) {
			return dst
		}
		dst = append(dst, end)
		at = end
	}
}

func (c *Calendar) isHoliday(d day) bool {
	i := sort.Search(len(c.closed), func(i int) bool { return c.closed[i].to >= d })
	return i < len(c.closed) && c.closed[i].from <= d
}

// mergeSpans sorts one day's spans and joins touching ones, so a change is only reported
// where the state really changes.
func mergeSpans(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// mergeRanges returns the holidays as sorted, disjoint ranges; adjacent dates are joined.
func mergeRanges(rs []dayRange) []dayRange {
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b dayRange) int { return int(a.from - b.from) })
	var out []dayRange
	for _, r := range sorted {
		if n := len(out); n > 0 && r.from <= out[n-1].to+1 {
			out[n-1].to = max(out[n-1].to, r.to)
			continue
		}
		out = append(out, dayRange{from: r.from, to: r.to})
	}
	return out
}
