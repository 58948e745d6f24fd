// Package ratelimit keeps token buckets per key (an IP, a visitor) for Baton's public entry
// points. Buckets idle long enough to be full again are dropped, so memory follows the number
// of recent clients, not the number ever seen.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a sustained rate with a burst.
type Limit struct {
	PerMinute float64
	Burst     int
}

// Limiter is a set of token buckets sharing one Limit.
type Limiter struct {
	limit Limit
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a Limiter; a zero PerMinute means unlimited.
func New(l Limit, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{limit: l, now: now, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket. When it is empty it reports how long until one is back.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.limit.PerMinute <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.limit.PerMinute/60), max(1, l.limit.Burst))}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops buckets that have refilled completely: forgetting them loses nothing.
func (l *Limiter) sweep(now time.Time) {
	full := time.Duration(float64(max(1, l.limit.Burst)) / (l.limit.PerMinute / 60) * float64(time.Second))
	if now.Sub(l.swept) < time.Minute && len(l.buckets) < 100_000 {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) > full {
			delete(l.buckets, k)
		}
	}
}

// Len is the number of buckets held (for tests and metrics).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
