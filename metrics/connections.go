package metrics

import "github.com/prometheus/client_golang/prometheus"

// connections counts client connections; it implements wire.Observer.
type connections struct {
	current      prometheus.Gauge
	total        prometheus.Counter
	authFailures prometheus.Counter
}

func newConnections(reg prometheus.Registerer) connections {
	c := connections{
		current: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "connections",
			Help: "Client connections open now (including ones still authenticating).",
		}),
		total: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "connections_total",
			Help: "Client connections accepted since start.",
		}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "auth_failures_total",
			Help: "Failed authentications (wrong password, unknown user, malformed exchange).",
		}),
	}
	reg.MustRegister(c.current, c.total, c.authFailures)
	return c
}

// ConnectionOpened implements wire.Observer.
func (c connections) ConnectionOpened() {
	c.current.Inc()
	c.total.Inc()
}

// ConnectionClosed implements wire.Observer.
func (c connections) ConnectionClosed() { c.current.Dec() }

// AuthFailed implements wire.Observer.
func (c connections) AuthFailed() { c.authFailures.Inc() }
