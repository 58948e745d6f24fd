package account

import (
	"context"
	"fmt"
)

// SweepBatch bounds one sweep, so that a sweep after a long pause stays a short write.
const SweepBatch = 500

// Sweep deletes up to SweepBatch sessions that have ended (a day idle, or past their hard
// maximum) by the service's clock, and returns how many. Check deletes an expired session when
// its cookie comes back; the sweep removes those of browsers that never come back.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n, err := s.o.Store.DeleteExpiredSessions(ctx, s.o.Now(), SweepBatch)
	if err != nil {
		return n, fmt.Errorf("sweep sessions: %w", err)
	}
	return n, nil
}
