package handoff

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/batonchat/baton/server/metrics"
)

// steps counts the flow's steps as they commit (the dashboard's numbers, per process, for
// alerts: a rise of ticket_failed or no_email).
var steps = func() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_handoff_steps_total",
		Help: "Handoff steps committed, by step: offered, accepted, declined, routed, queued_offline, ticket_queued, ticket_created, ticket_failed, message_shown, no_email, first_human_reply.",
	}, []string{"step"})
	metrics.Registry.MustRegister(c)
	return c
}()
