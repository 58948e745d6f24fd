package realtime

import (
	"context"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// counts answers the counts command: the exact number of conversations in each inbox tab of a
// site (the views of its settings included) for the asking agent.
func (s *Server) counts(ctx context.Context, actor conversation.Actor, key string) (any, error) {
	l, err := s.Sites.ByKey(ctx, key)
	if err != nil {
		return nil, chat.Errorf(chat.ENotFound, "site: no such site %s", quote(key))
	}
	n, err := s.Service.Counts(ctx, actor, l.Site.ID, InboxViews(l.Settings.Views))
	if err != nil {
		return nil, err
	}
	return n, nil
}

// InboxViews turns the views of a site's settings into what the conversation service counts.
func InboxViews(views []site.View) []conversation.View {
	out := make([]conversation.View, len(views))
	for i, v := range views {
		out[i] = conversation.View(v)
	}
	return out
}
