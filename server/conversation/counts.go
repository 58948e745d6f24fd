package conversation

import (
	"context"
	"fmt"

	"github.com/batonchat/baton/server/chat"
)

// Counter counts the conversations of a site's inbox tabs with indexed queries; *store.DB
// implements it. A store without it answers the counts command unavailable.
type Counter interface {
	InboxCounts(ctx context.Context, siteID, agentID string, views [][]string) (*chat.InboxCounts, error)
}

// View is an inbox tab of the site's settings: the unresolved conversations with any of Tags.
type View struct {
	Name string
	Tags []string
}

// Counts is the counts command's answer: the exact number of conversations in each tab.
type Counts struct {
	Me         int         `json:"me"`
	Unassigned int         `json:"unassigned"`
	Open       int         `json:"open"`
	Bot        int         `json:"bot"`
	Closed     int         `json:"closed"`
	Views      []ViewCount `json:"views"`
}

// ViewCount is one view's count, named as in the site's settings.
type ViewCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Counts returns how many conversations each inbox tab of the site holds for the actor (Me is
// theirs), and each of views, in one statement; only agents of the site may ask.
func (s *Service) Counts(ctx context.Context, actor Actor, siteID string, views []View) (*Counts, error) {
	if actor.Agent == nil || !actor.Agent.CanAccessSite(siteID) {
		return nil, chat.Errorf(chat.ENotFound, "site: no such site")
	}
	counter, ok := s.store.(Counter)
	if !ok {
		return nil, chat.Errorf(chat.EUnavailable, "counts: this store cannot count")
	}
	tags := make([][]string, len(views))
	for i, v := range views {
		if err := viewTags(v.Tags); err != nil {
			return nil, fmt.Errorf("view %q: %w", v.Name, err)
		}
		tags[i] = v.Tags
	}
	n, err := counter.InboxCounts(ctx, siteID, actor.ID, tags)
	if err != nil {
		return nil, err
	}
	out := &Counts{Me: n.Me, Unassigned: n.Unassigned, Open: n.Open, Bot: n.Bot, Closed: n.Closed, Views: make([]ViewCount, len(views))}
	for i, v := range views {
		out.Views[i] = ViewCount{Name: v.Name, Count: n.Views[i]}
	}
	return out, nil
}
