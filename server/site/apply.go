package site

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/batonchat/baton/server/chat"
)

// NewIdentitySecret returns a fresh secret for signing identity tokens.
func NewIdentitySecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Apply stores a validated settings document: it updates the site with the document's key, or
// creates it (with a new identity secret) when there is none. The identity secret is never
// part of the document, so applying a file cannot leak or reset it.
func Apply(ctx context.Context, store chat.Store, s *Settings) (*chat.Site, bool, error) {
	if err := s.Validate(); err != nil {
		return nil, false, err
	}
	existing, err := store.SiteByKey(ctx, s.Key)
	switch {
	case errors.Is(err, chat.ErrNotFound):
		site := &chat.Site{ID: chat.NewID("st"), Key: s.Key, Name: s.Name, IdentitySecret: NewIdentitySecret(), Settings: s.JSON()}
		if err := store.CreateSite(ctx, site); err != nil {
			return nil, false, fmt.Errorf("create site %s: %w", s.Key, err)
		}
		return site, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("find site %s: %w", s.Key, err)
	}
	existing.Name, existing.Settings = s.Name, s.JSON()
	if err := store.UpdateSite(ctx, existing); err != nil {
		return nil, false, fmt.Errorf("update site %s: %w", s.Key, err)
	}
	return existing, false, nil
}
