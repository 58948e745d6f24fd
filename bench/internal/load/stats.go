package load

import (
	"fmt"
	"slices"
	"time"
)

// Latencies summarises a set of measured durations.
type Latencies struct {
	N                        int
	P50, P90, P99, P999, Max time.Duration
}

// Summarise sorts d in place and returns its percentiles (nearest rank).
func Summarise(d []time.Duration) Latencies {
	if len(d) == 0 {
		return Latencies{}
	}
	slices.Sort(d)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(d))+0.5) - 1
		return d[min(max(i, 0), len(d)-1)]
	}
	return Latencies{N: len(d), P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999), Max: d[len(d)-1]}
}

// String prints the summary in milliseconds.
func (l Latencies) String() string {
	return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s p99.9=%s max=%s", l.N, MS(l.P50), MS(l.P90), MS(l.P99), MS(l.P999), MS(l.Max))
}

// MS prints a duration in milliseconds with three decimals, the unit the targets use.
func MS(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond)) }
