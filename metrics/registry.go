package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every fazproxy metric.
const namespace = "fazproxy"

// Registry is the set of fazproxy's metrics. Its methods are safe for
// concurrent use.
type Registry struct {
	reg *prometheus.Registry
	connections
	statements
	dynamo *dynamoMetrics
}

// New builds a Registry with every fazproxy metric plus the Go runtime and
// process collectors.
func New() *Registry {
	reg := prometheus.NewRegistry()
	r := &Registry{
		reg:         reg,
		connections: newConnections(reg),
		statements:  newStatements(reg),
		dynamo:      newDynamoMetrics(reg),
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Gatherer exposes the registry to tests (prometheus/testutil) and to
// anything else that reads metrics in process.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// Handler serves the metrics in the Prometheus text (or OpenMetrics) format,
// for GET /metrics on the admin listener.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}
