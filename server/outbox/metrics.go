package outbox

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/batonchat/baton/server/metrics"
)

// deliveries counts attempts by how they ended.
var deliveries = func() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_delivery_attempts_total",
		Help: "Outbox attempts (tickets, emails, webhooks) by kind, method and result: delivered, retry, failed (for good).",
	}, []string{"kind", "method", "result"})
	metrics.Registry.MustRegister(c)
	return c
}()
