package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// TestCatalogTTL: a table created, then deleted, in DynamoDB by another
// client (the test's own SDK client) appears in, then disappears from,
// information_schema.tables and psql's \dt query within extra.cache_ttl.
func TestCatalogTTL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const ttl = 2 * time.Second
	const slack = 4 * time.Second // polling, DynamoDB Local and the proxy's own latency
	cfg := strings.Replace(harness.DemoConfig(env.endpoint), "allow_full_scan: true\n", fmt.Sprintf("allow_full_scan: true\n      cache_ttl: %s\n", ttl), 1)
	p := harness.StartFazproxyProcess(t, env.binary, cfg)
	conn := connect(ctx, t, p.DSN("demo", "demo"))
	api := harness.DynamoClient(env.endpoint)
	name := fmt.Sprintf("ttl_t_%d", time.Now().UnixNano())

	lookups := []struct{ name, sql string }{
		{"information_schema.tables", `SELECT count(*) FROM information_schema.tables WHERE table_name = $1`},
		// What psql's \dt asks, reduced to the name.
		{`\dt`, `SELECT count(*) FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r','p','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema' AND c.relname = $1`},
	}
	visible := func() (map[string]bool, error) {
		out := map[string]bool{}
		for _, l := range lookups {
			var n int
			if err := conn.QueryRow(ctx, l.sql, name).Scan(&n); err != nil {
				return nil, fmt.Errorf("%s: %w", l.name, err)
			}
			out[l.name] = n == 1
		}
		return out, nil
	}
	// Prime the cache: the table does not exist yet.
	if v, err := visible(); err != nil || v[lookups[0].name] || v[lookups[1].name] {
		t.Fatalf("before CreateTable: visible %v, err %v", v, err)
	}
	createKeyTable(ctx, t, api, name, "id") // its cleanup deletes it should the test stop early
	waitVisible(ctx, t, visible, true, ttl+slack)
	if _, err := api.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	waitVisible(ctx, t, visible, false, ttl+slack)
}

// waitVisible polls until every lookup agrees with want, failing after limit.
func waitVisible(ctx context.Context, t *testing.T, visible func() (map[string]bool, error), want bool, limit time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		v, err := visible()
		if err != nil {
			t.Fatal(err)
		}
		all := true
		for _, ok := range v {
			all = all && ok == want
		}
		if all {
			t.Logf("visible = %v after %s", want, time.Since(start).Round(10*time.Millisecond))
			return
		}
		if time.Since(start) > limit {
			t.Fatalf("after %s (cache_ttl + slack) the catalog still says %v, want every lookup %v", limit, v, want)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
