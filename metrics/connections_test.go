package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestConnections(t *testing.T) {
	cases := []struct {
		name                      string
		opened, closed, authFails int
		wantCurrent, wantTotal    float64
	}{
		{"none", 0, 0, 0, 0, 0},
		{"open three close one", 3, 1, 0, 2, 3},
		{"auth failures", 2, 2, 2, 0, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := New()
			for range c.opened {
				r.ConnectionOpened()
			}
			for range c.closed {
				r.ConnectionClosed()
			}
			for range c.authFails {
				r.AuthFailed()
			}
			if got := testutil.ToFloat64(r.connections.current); got != c.wantCurrent {
				t.Errorf("fazproxy_connections = %v, want %v", got, c.wantCurrent)
			}
			if got := testutil.ToFloat64(r.connections.total); got != c.wantTotal {
				t.Errorf("fazproxy_connections_total = %v, want %v", got, c.wantTotal)
			}
			if got := testutil.ToFloat64(r.connections.authFailures); got != float64(c.authFails) {
				t.Errorf("fazproxy_auth_failures_total = %v, want %v", got, c.authFails)
			}
		})
	}
}
