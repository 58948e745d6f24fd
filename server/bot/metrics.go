package bot

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/batonchat/baton/server/metrics"
)

// The bot's metrics, on Baton's registry.
var (
	turns = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_bot_turns_total",
		Help: "Visitor messages the bot handled, by outcome: replied, silent, handoff, handoff_answer (an answer to the handoff's question), discarded (a person spoke first), duplicate (answered already: a replayed turn), skipped (not the bot's), no_bot, dropped (queue full), failed.",
	}, []string{"outcome"}))
	turnSeconds = register(prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "baton_bot_turn_seconds", Help: "Time from taking a visitor message to committing the bot's turn.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}))
	brainSeconds = register(prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "baton_bot_brain_seconds", Help: "Time the brain took to answer, by brain.",
		Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 2.5, 5, 10},
	}, []string{"brain"}))
)

func register[C prometheus.Collector](c C) C {
	metrics.Registry.MustRegister(c)
	return c
}
