package integration

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// TestMetricsCountStatementsAndRequests: statements, DynamoDB requests,
// consumed capacity, connections and authentication failures move the
// counters /metrics serves on the admin listener.
func TestMetricsCountStatementsAndRequests(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	admin := fmt.Sprintf("127.0.0.1:%d", port)
	p := harness.StartFazproxyProcess(t, env.binary, twoUserConfig("", admin))
	conn := connect(ctx, t, p.DSN("demo", "demo"))

	type sample struct {
		name   string
		labels []string // every one must appear in the series' label set
	}
	samples := []sample{
		{"fazproxy_statements_total", []string{`class="select"`, `outcome="ok"`}},
		{"fazproxy_statements_total", []string{`class="select"`, `outcome="error"`}},
		{"fazproxy_dynamodb_requests_total", []string{`operation="GetItem"`, `outcome="ok"`}},
		{"fazproxy_dynamodb_consumed_capacity_units_total", []string{`table="customers"`}},
		{"fazproxy_statement_duration_seconds_count", []string{`class="select"`}},
		{"fazproxy_connections_total", nil},
		{"fazproxy_auth_failures_total", nil},
	}
	var before string
	waitFor(t, func() error {
		code, body, err := httpGet(ctx, "http://"+admin+"/metrics")
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("GET /metrics: %d %v", code, err)
		}
		before = body
		return nil
	})

	const lookups = 3
	for range lookups {
		var name string
		if err := conn.QueryRow(ctx, `SELECT name FROM customers WHERE customer_id = 'C0042'`).Scan(&name); err != nil {
			t.Fatalf("lookup: %v\n%s", err, p.LogTail(20))
		}
	}
	if _, err := conn.Exec(ctx, `SELECT * FROM no_such_table`); err == nil {
		t.Fatal("a query of a missing table succeeded")
	}
	// guest has no permissions entry: refused during authentication (28000).
	if c, err := pgx.Connect(ctx, p.DSN("guest", "demo")); !hasCode(err, "28000") {
		if c != nil {
			_ = c.Close(ctx)
		}
		t.Fatalf("guest connect: %v, want 28000", err)
	}

	code, after, err := httpGet(ctx, "http://"+admin+"/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", code, err)
	}
	for _, s := range samples {
		was, now := metricValue(before, s.name, s.labels), metricValue(after, s.name, s.labels)
		if now <= was {
			t.Errorf("%s%v did not grow: %v then %v", s.name, s.labels, was, now)
		}
	}
	if g := metricValue(after, "fazproxy_dynamodb_requests_total", []string{`operation="GetItem"`, `outcome="ok"`}) -
		metricValue(before, "fazproxy_dynamodb_requests_total", []string{`operation="GetItem"`, `outcome="ok"`}); g < lookups {
		t.Errorf("GetItem requests grew by %v, want at least %d", g, lookups)
	}
	if open := metricValue(after, "fazproxy_connections", nil); open < 1 {
		t.Errorf("fazproxy_connections = %v with a client connected", open)
	}
	if strings.Contains(after, "no_such_table") || strings.Contains(after, "C0042") {
		t.Errorf("/metrics holds text a client sent")
	}
}

// metricValue sums the series of name (exactly, not a prefix) whose label
// set holds every one of labels, in a text-format scrape.
func metricValue(scrape, name string, labels []string) float64 {
	var sum float64
	sc := bufio.NewScanner(strings.NewReader(scrape))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		metric, labelSet, _ := strings.Cut(series, "{")
		if metric != name || !hasAll(labelSet, labels) {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(value)[0], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}

func hasAll(labelSet string, labels []string) bool {
	for _, l := range labels {
		if !strings.Contains(labelSet, l) {
			return false
		}
	}
	return true
}
