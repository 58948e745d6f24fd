package handoff

import (
	"context"
	"slices"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

// Built-in tags the rates are computed from (see docs/bot.md).
const (
	tagHumanHelp     = "sys_human_help"
	tagHumanFollowUp = "sys_human_follow_up"
)

// MaxStatsDays bounds the range of one stats request.
const MaxStatsDays = 366

// Stats are a site's numbers for the conversations started in a date range (in the site's
// time zone), optionally only those carrying a tag. Every count is about those conversations,
// whenever the step happened.
type Stats struct {
	From     string `json:"from"` // YYYY-MM-DD, inclusive
	To       string `json:"to"`   // YYYY-MM-DD, inclusive
	TimeZone string `json:"time_zone"`
	Tag      string `json:"tag,omitempty"`

	Conversations int `json:"conversations"`
	// ContainedRate is the share of conversations without sys_human_help (the bot coped, or
	// handed over only a follow-up); ResolutionRate the share without either built-in tag.
	// Both are null without conversations.
	ContainedRate  *float64 `json:"contained_rate"`
	ResolutionRate *float64 `json:"resolution_rate"`

	HandoffsOffered  int `json:"handoffs_offered"`
	HandoffsAccepted int `json:"handoffs_accepted"`
	HandoffsDeclined int `json:"handoffs_declined"`
	// RoutedToTeam counts handoffs to the inbox, AutoResponses those of them outside business
	// hours or while nobody was available.
	RoutedToTeam   int `json:"routed_to_team"`
	AutoResponses  int `json:"auto_responses"`
	TicketsCreated int `json:"tickets_created"`
	TicketsFailed  int `json:"tickets_failed"`
	MessagesShown  int `json:"messages_shown"`
	// MedianFirstReplyMS is the median time from the visitor's consent to a person's first
	// message, over FirstReplies conversations; null when there are none.
	MedianFirstReplyMS *int64 `json:"median_consent_to_first_reply_ms"`
	FirstReplies       int    `json:"first_replies"`
	// P90FirstReplyMS is the 90th percentile of the same times (nearest rank); null when
	// there are none.
	P90FirstReplyMS *int64 `json:"p90_consent_to_first_reply_ms"`

	// Outcomes count the conversations by where they ended up, and Days the same for each day
	// of the range (every day, zeros included), for the dashboard's chart.
	Outcomes Outcomes `json:"outcomes"`
	Days     []Day    `json:"days"`
}

// StatsRange reads a date range written YYYY-MM-DD (both days included) in the site's time
// zone: that of its business hours, else UTC.
func StatsRange(st *site.Settings, from, to string) (time.Time, time.Time, *time.Location, error) {
	loc := st.Calendar().Location()
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return time.Time{}, time.Time{}, nil, chat.Errorf(chat.EInvalid, "from: %q is not a date: write YYYY-MM-DD", from)
	}
	t, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return time.Time{}, time.Time{}, nil, chat.Errorf(chat.EInvalid, "to: %q is not a date: write YYYY-MM-DD", to)
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, nil, chat.Errorf(chat.EInvalid, "to: %s is before from %s", to, from)
	}
	end := t.AddDate(0, 0, 1)
	if end.After(f.AddDate(0, 0, MaxStatsDays)) {
		return time.Time{}, time.Time{}, nil, chat.Errorf(chat.EInvalid, "to: at most %d days from from (%s to %s)", MaxStatsDays, from, to)
	}
	return f, end, loc, nil
}

// Stats computes a site's numbers for the conversations started from the day from to the day
// to (inclusive, in the site's time zone), optionally only those carrying tag.
func (s *Service) Stats(ctx context.Context, l *site.Loaded, from, to, tag string) (*Stats, error) {
	start, end, loc, err := StatsRange(l.Settings, from, to)
	if err != nil {
		return nil, err
	}
	q := chat.StatsQuery{SiteID: l.Site.ID, From: start, To: end, Tag: tag}
	c, err := s.o.Store.HandoffCounts(ctx, q, []string{tagHumanHelp, tagHumanFollowUp})
	if err != nil {
		return nil, err
	}
	facts, err := s.o.Store.OutcomeFacts(ctx, q, loc, []string{tagHumanHelp, tagHumanFollowUp})
	if err != nil {
		return nil, err
	}
	out := &Stats{From: from, To: to, TimeZone: loc.String(), Tag: tag, Conversations: c.Conversations,
		HandoffsOffered: c.Events[RecOffered], HandoffsAccepted: c.Events[RecAccepted], HandoffsDeclined: c.Events[RecDeclined],
		RoutedToTeam: c.Events[RecRouted] + c.Events[RecQueuedOffline], AutoResponses: c.Events[RecQueuedOffline],
		TicketsCreated: c.Events[RecTicketCreated], TicketsFailed: c.Events[RecTicketFailed], MessagesShown: c.Events[RecMessageShown],
		FirstReplies: len(c.ReplyDelays)}
	if n := c.Conversations; n > 0 {
		contained := float64(n-c.Tagged[tagHumanHelp]) / float64(n)
		resolved := float64(n-c.TaggedAny) / float64(n)
		out.ContainedRate, out.ResolutionRate = &contained, &resolved
	}
	if m, ok := median(c.ReplyDelays); ok {
		ms := m.Milliseconds()
		out.MedianFirstReplyMS = &ms
	}
	if p, ok := percentile(c.ReplyDelays, 90); ok {
		ms := p.Milliseconds()
		out.P90FirstReplyMS = &ms
	}
	out.Days, out.Outcomes = days(facts, start, end)
	return out, nil
}

// median is the middle value (the mean of the two middle ones for an even count).
func median(ds []time.Duration) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// percentile is the nearest-rank p-th percentile: the smallest value with at least p% of the
// values at or below it.
func percentile(ds []time.Duration, p int) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 × n), at least 1
	return s[max(rank, 1)-1], true
}
