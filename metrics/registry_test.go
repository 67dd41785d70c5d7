package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandlerServesTextFormat(t *testing.T) {
	r := New()
	r.ConnectionOpened()
	r.StatementDone("select", time.Millisecond, nil)
	r.Database("shop").ObserveRequest("GetItem", time.Millisecond, nil, nil)

	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want the text format", ct)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"fazproxy_connections 1",
		"fazproxy_connections_total 1",
		"fazproxy_auth_failures_total 0",
		`fazproxy_statements_total{class="select",outcome="ok"} 1`,
		`fazproxy_statement_duration_seconds_count{class="select"} 1`,
		`fazproxy_dynamodb_requests_total{database="shop",operation="GetItem",outcome="ok"} 1`,
		`fazproxy_dynamodb_request_duration_seconds_count{database="shop",operation="GetItem"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// Two registries are independent: nothing is global.
func TestRegistriesAreIndependent(t *testing.T) {
	a, b := New(), New()
	a.AuthFailed()
	rec := httptest.NewRecorder()
	b.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "fazproxy_auth_failures_total 0") {
		t.Errorf("registry b saw registry a's auth failure")
	}
}
