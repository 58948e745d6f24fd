package site

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/batonchat/baton/server/chat"
)

// Loaded is a site with its parsed settings.
type Loaded struct {
	Site     *chat.Site
	Settings *Settings
}

// Cache keeps parsed sites for a short time: origin checks and the public config run on every
// connection and page view, while settings change rarely. A change made by another process
// (`baton site apply`) is seen within the TTL.
type Cache struct {
	store chat.Store
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	byKey map[string]cached
	byID  map[string]cached
}

type cached struct {
	l   *Loaded
	err error
	at  time.Time
}

// NewCache returns a cache over store.
func NewCache(store chat.Store, ttl time.Duration) *Cache {
	return &Cache{store: store, ttl: ttl, now: time.Now, byKey: map[string]cached{}, byID: map[string]cached{}}
}

// ByKey returns the site with a public key; ErrNotFound when there is none.
func (c *Cache) ByKey(ctx context.Context, key string) (*Loaded, error) {
	return c.get(ctx, c.byKey, key, c.store.SiteByKey)
}

// ByID returns the site with an id.
func (c *Cache) ByID(ctx context.Context, id string) (*Loaded, error) {
	return c.get(ctx, c.byID, id, c.store.SiteByID)
}

// Forget drops a site after a change made by this process.
func (c *Cache) Forget(s *chat.Site) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byKey, s.Key)
	delete(c.byID, s.ID)
}

// AllowsOrigin reports whether any site allows origin (for CORS on shared assets).
func (c *Cache) AllowsOrigin(ctx context.Context, origin string) bool {
	sites, err := c.store.Sites(ctx)
	if err != nil {
		return false
	}
	for _, s := range sites {
		l, err := c.ByID(ctx, s.ID)
		if err == nil && l.Settings.AllowsOrigin(origin) {
			return true
		}
	}
	return false
}

func (c *Cache) get(ctx context.Context, m map[string]cached, k string, load func(context.Context, string) (*chat.Site, error)) (*Loaded, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := m[k]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.l, e.err
	}
	s, err := load(ctx, k)
	var l *Loaded
	if err == nil && ok && e.l != nil && bytes.Equal(e.l.Site.Settings, s.Settings) {
		// Unchanged: keep the parsed settings, whose compiled knowledge base and tag detector
		// take a while to build for a large base.
		l = &Loaded{Site: s, Settings: e.l.Settings}
	} else if err == nil {
		var st *Settings
		st, err = ParseJSON(s.Settings)
		if err != nil {
			err = fmt.Errorf("site %s: stored settings: %w", s.Key, err)
		} else {
			l = &Loaded{Site: s, Settings: st}
		}
	}
	if err != nil && err != chat.ErrNotFound {
		return nil, err // do not cache passing failures
	}
	c.mu.Lock()
	if len(m) > 10_000 {
		clear(m)
	}
	m[k] = cached{l: l, err: err, at: now}
	c.mu.Unlock()
	return l, err
}
