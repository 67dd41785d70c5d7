package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/integration/harness"
	"github.com/fazproxy/fazproxy/translate"
)

// TestRequestCounts plans and runs statements against the real DynamoDB Local
// through a recording client and counts the DynamoDB requests each one sends:
// the cost promises of spec/translation.md.
func TestRequestCounts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := dynamo.NewRecorder(harness.DynamoClient(env.endpoint))
	cat := catalog.New(rec, catalog.Options{SampleSize: 200})
	planner := &translate.Planner{Catalog: cat, AllowFullScan: true, Funcs: expr.NewFuncs()}

	twentyKeys := make([]string, 20)
	for i := range twentyKeys {
		twentyKeys[i] = fmt.Sprintf("'C%04d'", i+1)
	}
	cases := []struct {
		name  string
		sql   string
		calls string // the operations sent, in order
		rows  int
	}{
		{"full-key lookup is one GetItem", `SELECT name FROM customers WHERE customer_id = 'C0042'`, "GetItem", 1},
		{"composite key lookup is one GetItem", `SELECT total FROM orders WHERE customer_id = 'C0001' AND order_id = 'nope'`, "GetItem", 0},
		{"20-key IN is one BatchGetItem", `SELECT name FROM customers WHERE customer_id IN (` + strings.Join(twentyKeys, ", ") + `)`, "BatchGetItem", 20},
		{"LIMIT 5 on a Scan stops after the first page", `SELECT order_id FROM orders LIMIT 5`, "Scan", 5},
		{"LIMIT 5 on a GSI Query stops after the first page", `SELECT order_id FROM orders WHERE status = 'DELIVERED' AND created_at > '2000' LIMIT 5`, "Query", 5},
		{"LIMIT under a local filter still stops early", `SELECT order_id FROM orders WHERE lower(status) = 'delivered' LIMIT 2`, "Scan", 2},
		{"count(*) is Select=COUNT", `SELECT count(*) FROM products`, "Scan", 1},
		{"key = NULL sends nothing", `SELECT * FROM customers WHERE customer_id = NULL`, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Metadata first, so only the statement's own calls are counted.
			if _, err := cat.Table(ctx, firstTable(c.sql)); err != nil {
				t.Fatal(err)
			}
			stmts, err := translate.Parse(c.sql)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := planner.PlanQuery(ctx, stmts[0].Node, nil)
			if err != nil {
				t.Fatal(err)
			}
			rec.Reset()
			n, err := runPlan(ctx, pl.Root, &engine.Env{Eval: &expr.Context{}, DB: rec, Stats: &engine.Stats{Requests: map[string]int{}}})
			if err != nil {
				t.Fatal(err)
			}
			var ops []string
			for _, call := range rec.Calls() {
				ops = append(ops, call.Op)
			}
			if got := strings.Join(ops, ","); got != c.calls {
				t.Errorf("calls = %q, want %q", got, c.calls)
			}
			if n != c.rows {
				t.Errorf("rows = %d, want %d", n, c.rows)
			}
		})
	}
}

func firstTable(sql string) string {
	f := strings.Fields(sql[strings.Index(sql, " FROM ")+6:])
	return f[0]
}

func runPlan(ctx context.Context, n engine.Node, env *engine.Env) (int, error) {
	it, err := n.Open(ctx, env)
	if err != nil {
		return 0, err
	}
	defer it.Close()
	rows := 0
	for {
		if _, err := it.Next(ctx); err != nil {
			if errors.Is(err, io.EOF) {
				return rows, nil
			}
			return rows, err
		}
		rows++
	}
}
