package load

import (
	"testing"
	"time"
)

func TestSummariseUsesNearestRank(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // unsorted: 100, 99, …, 1
	}
	tests := []struct {
		name string
		in   []time.Duration
		want Latencies
	}{
		{"nothing", nil, Latencies{}},
		{"one value is every percentile", ms(7), Latencies{N: 1, P50: 7 * time.Millisecond, P90: 7 * time.Millisecond,
			P99: 7 * time.Millisecond, P999: 7 * time.Millisecond, Max: 7 * time.Millisecond}},
		{"a hundred values", ms(hundred...), Latencies{N: 100, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond,
			P99: 99 * time.Millisecond, P999: 100 * time.Millisecond, Max: 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarise(tt.in); got != tt.want {
				t.Errorf("Summarise = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEnvFlagWantsKeyValue(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"GOGC=200", true},
		{"BATON_HEARTBEAT=", true},
		{"GOGC", false},
		{"=200", false},
	}
	for _, tt := range tests {
		var e EnvFlag
		if err := e.Set(tt.in); (err == nil) != tt.ok {
			t.Errorf("Set(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}
