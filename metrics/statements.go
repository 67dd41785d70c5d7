package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// knownClass reports the statement classes a label may hold; anything else
// is counted as "utility" so a caller's mistake cannot grow the label set.
func knownClass(class string) bool {
	switch class {
	case "select", "insert", "update", "delete", "ddl", "copy", "native", "utility":
		return true
	}
	return false
}

// statements counts finished statements; it implements
// session.StatementObserver.
type statements struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newStatements(reg prometheus.Registerer) statements {
	s := statements{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "statements_total",
			Help: "Statements run to completion, by class and outcome (ok or error).",
		}, []string{"class", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "statement_duration_seconds",
			Help:    "Time from a statement's start to its last row, by class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"class"}),
	}
	reg.MustRegister(s.total, s.duration)
	return s
}

// StatementDone implements session.StatementObserver.
func (s statements) StatementDone(class string, took time.Duration, err error) {
	if !knownClass(class) {
		class = "utility"
	}
	s.total.WithLabelValues(class, outcome(err)).Inc()
	s.duration.WithLabelValues(class).Observe(took.Seconds())
}

func outcome(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
