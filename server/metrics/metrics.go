// Package metrics declares what Baton reports to Prometheus at /metrics: connections,
// messages, commands, errors and commit latency.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds Baton's metrics (and the Go runtime's); it is not the global default, so
// tests can run several servers in one process.
var Registry = prometheus.NewRegistry()

var factory = func() func(c prometheus.Collector) {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return func(c prometheus.Collector) { Registry.MustRegister(c) }
}()

func register[C prometheus.Collector](c C) C {
	factory(c)
	return c
}

// The metrics.
var (
	Connections = register(prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "baton_connections", Help: "Open realtime connections by role.",
	}, []string{"role"}))
	ConnectionsTotal = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_connections_total", Help: "Realtime connections accepted, by role.",
	}, []string{"role"}))
	Messages = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_messages_total", Help: "Messages committed, by author type.",
	}, []string{"author"}))
	Commands = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_commands_total", Help: "Realtime commands handled, by type and outcome code (ok or an error code).",
	}, []string{"type", "code"}))
	Errors = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_errors_total", Help: "Errors returned to clients (REST and realtime), by code.",
	}, []string{"code"}))
	SlowConsumers = register(prometheus.NewCounter(prometheus.CounterOpts{
		Name: "baton_slow_consumers_total", Help: "Connections closed because they did not read their events in time.",
	}))
	RateLimited = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_rate_limited_total", Help: "Requests refused by a rate limit, by entry point.",
	}, []string{"entry"}))
	CommitSeconds = register(prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "baton_commit_seconds",
		Help:    "Time to durably commit a message (transaction included).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
	}))
)

// Handler serves the registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}
