package integration

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// diffCase is one SELECT run through fazproxy and through the reference
// PostgreSQL holding the same rows. ordered: ORDER BY fixes the row order
// completely, so rows are compared in order; otherwise as multisets.
type diffCase struct {
	name    string
	sql     string
	ordered bool
}

func differentialCases() []diffCase {
	return []diffCase{
		{"getitem", `SELECT customer_id, name, email, tier, balance, vip FROM customers WHERE customer_id = 'C0001'`, true},
		{"getitem-composite", `SELECT order_id, status, total, currency FROM orders WHERE customer_id = '{{cust_of_O-000001}}' AND order_id = 'O-000001'`, true},
		{"batchget", `SELECT customer_id, name, tier, balance FROM customers WHERE customer_id IN ('C0002', 'C0010', 'C0299', 'C9999') ORDER BY customer_id`, true},
		{"batchget-or", `SELECT customer_id, credit_limit FROM customers WHERE customer_id = 'C0003' OR customer_id = 'C0004' ORDER BY 1`, true},
		{"query-partition", `SELECT order_id, status, total FROM orders WHERE customer_id = 'C0005' ORDER BY order_id`, true},
		{"query-desc-limit", `SELECT order_id, total FROM orders WHERE customer_id = 'C0006' ORDER BY order_id DESC LIMIT 3`, true},
		{"query-sk-gt", `SELECT order_id, total FROM orders WHERE customer_id = 'C0007' AND order_id > 'O-001000' ORDER BY order_id`, true},
		{"query-sk-between", `SELECT order_id FROM orders WHERE customer_id = 'C0008' AND order_id BETWEEN 'O-000500' AND 'O-002000' ORDER BY order_id`, true},
		{"query-sk-like", `SELECT order_id FROM orders WHERE customer_id = 'C0009' AND order_id LIKE 'O-001%' ORDER BY order_id`, true},
		{"query-filter", `SELECT order_id, gift, coupon FROM orders WHERE customer_id = 'C0012' AND total > 50 ORDER BY order_id`, true},
		{"gsi", `SELECT order_id, created_at FROM orders WHERE status = 'SHIPPED' AND created_at >= '2024-06-01' ORDER BY created_at, order_id`, true},
		{"lsi", `SELECT order_id, total, status FROM orders WHERE customer_id = 'C0011' AND total > 100 ORDER BY total, order_id`, true},
		{"scan-numeric", `SELECT sku, name, price FROM products WHERE price > 400 ORDER BY sku`, true},
		{"scan-between", `SELECT sku, price FROM products WHERE price BETWEEN 10 AND 20 ORDER BY sku`, true},
		{"scan-like-prefix", `SELECT customer_id, name FROM customers WHERE name LIKE 'Ada%' ORDER BY customer_id`, true},
		{"scan-in-and-bool", `SELECT customer_id, tier FROM customers WHERE tier IN ('gold', 'platinum') AND vip ORDER BY customer_id`, true},
		{"is-null", `SELECT customer_id FROM customers WHERE notes IS NULL ORDER BY customer_id`, true},
		{"is-not-null-text", `SELECT customer_id, notes FROM customers WHERE notes IS NOT NULL ORDER BY customer_id`, true},
		{"null-type-attribute", `SELECT order_id, coupon, return_reason FROM orders WHERE customer_id = 'C0013' ORDER BY order_id`, true},
		{"not-equal-local", `SELECT customer_id FROM customers WHERE tier <> 'gold' ORDER BY customer_id LIMIT 15`, true},
		{"function-local", `SELECT customer_id, upper(name), length(name) FROM customers WHERE customer_id < 'C0020' ORDER BY customer_id`, true},
		{"mixed-pushdown-local", `SELECT customer_id FROM customers WHERE lower(tier) = 'gold' AND balance < 0 ORDER BY customer_id`, true},
		{"like-contains", `SELECT order_id FROM orders WHERE customer_id = 'C0001' AND notes LIKE '%e%' ORDER BY order_id`, true},
		{"numbers-38-digits", `SELECT sku, weight_kg FROM products WHERE weight_kg > 26 ORDER BY weight_kg DESC, sku`, true},
		{"numbers-38-digits-fraction", `SELECT sku, weight_kg FROM products WHERE weight_kg > 0 AND weight_kg < 1 ORDER BY weight_kg, sku`, true},
		{"order-numeric-nulls-last", `SELECT customer_id, lifetime_value FROM customers ORDER BY lifetime_value DESC NULLS LAST, customer_id LIMIT 10`, true},
		{"order-offset", `SELECT name, balance FROM customers ORDER BY balance DESC, customer_id LIMIT 10 OFFSET 5`, true},
		{"negative-numbers", `SELECT sku, stock FROM products WHERE stock < 0 ORDER BY sku`, true},
		{"jsonb-map", `SELECT customer_id, address FROM customers WHERE customer_id IN ('C0004', 'C0014', 'C0024') ORDER BY customer_id`, true},
		{"jsonb-path", `SELECT order_id, items->0->>'name' AS first_item, jsonb_array_length(items) FROM orders WHERE customer_id = 'C0003' ORDER BY order_id`, true},
		{"string-set", `SELECT sku, colors FROM products WHERE colors IS NOT NULL ORDER BY sku LIMIT 20`, true},
		{"number-set", `SELECT sku, sizes FROM products WHERE sizes IS NOT NULL ORDER BY sku LIMIT 20`, true},
		{"binary", `SELECT customer_id, avatar FROM customers WHERE avatar IS NOT NULL ORDER BY customer_id LIMIT 10`, true},
		{"binary-set", `SELECT order_id, attachments FROM orders WHERE attachments IS NOT NULL ORDER BY order_id LIMIT 5`, true},
		{"any-array", `SELECT customer_id, tags FROM customers WHERE 'beta' = ANY(tags) ORDER BY customer_id`, true},
		{"case", `SELECT customer_id, CASE WHEN balance < 0 THEN 'owes' ELSE 'ok' END FROM customers WHERE customer_id <= 'C0010' ORDER BY 1`, true},
		{"coalesce-hidden-order", `SELECT coalesce(notes, '(none)') FROM customers WHERE customer_id IN ('C0001', 'C0002', 'C0003') ORDER BY customer_id`, true},
		{"count-all", `SELECT count(*) FROM orders`, true},
		{"count-partition", `SELECT count(*) FROM orders WHERE customer_id = 'C0011'`, true},
		{"count-filter", `SELECT count(*) FROM customers WHERE vip`, true},
		{"group-by", `SELECT status, count(*) FROM orders GROUP BY status ORDER BY status`, true},
		{"group-aggregates", `SELECT tier, count(*), sum(balance), min(balance), max(balance) FROM customers GROUP BY tier ORDER BY tier`, true},
		{"having", `SELECT currency, count(*), sum(total) FROM orders GROUP BY currency HAVING count(*) > 100 ORDER BY currency`, true},
		{"avg", `SELECT avg(price), avg(stock) FROM products`, true},
		{"unordered-scan", `SELECT sku, category FROM products WHERE in_stock = false`, false},
		{"empty", `SELECT customer_id FROM customers WHERE customer_id = 'nope'`, true},
		{"constants", `SELECT 1 + 1, 'a' || 'b', 10 / 3, 10.0 / 4, NULL::text IS NULL`, true},
		{"join-group", `SELECT c.name, count(o.order_id), sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.customer_id WHERE c.customer_id IN ('C0001', 'C0002', 'C0003') GROUP BY c.name ORDER BY 1`, true},
		{"left-join", `SELECT c.customer_id, o.order_id FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id AND o.total > 10000 WHERE c.customer_id <= 'C0005' ORDER BY 1, 2`, true},
		{"subquery-in-from", `SELECT tier, count(*) FROM (SELECT tier FROM customers WHERE vip) s GROUP BY tier ORDER BY tier`, true},
		{"in-subquery", `SELECT customer_id FROM customers WHERE customer_id IN (SELECT customer_id FROM orders WHERE total > 40000) ORDER BY 1`, true},
		{"cte", `WITH big AS (SELECT order_id, total FROM orders WHERE total > 45000) SELECT count(*), max(total) FROM big`, true},
		{"union", `SELECT customer_id AS id FROM customers WHERE customer_id < 'C0004' UNION SELECT order_id FROM orders WHERE customer_id = 'C0001' AND order_id < 'O-000400' ORDER BY 1`, true},
		{"distinct", `SELECT DISTINCT tier FROM customers ORDER BY tier`, true},
		{"window", `SELECT customer_id, balance, rank() OVER (ORDER BY balance DESC, customer_id) FROM customers WHERE customer_id <= 'C0012' ORDER BY customer_id`, true},
		{"item-column", `SELECT _item->>'email', _item->'address'->>'city' FROM customers WHERE customer_id = 'C0015'`, true},
	}
}

func TestDifferentialAgainstPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	proxy := connect(ctx, t, proxyDSN())
	ref := connect(ctx, t, env.pgDSN)
	var cust string
	if err := ref.QueryRow(ctx, `SELECT customer_id FROM orders WHERE order_id = 'O-000001'`).Scan(&cust); err != nil {
		t.Fatal(err)
	}
	for _, c := range differentialCases() {
		c.sql = strings.ReplaceAll(c.sql, "{{cust_of_O-000001}}", cust)
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheDescribe} {
				want, err := collect(ctx, ref, c.sql, mode)
				if err != nil {
					t.Fatalf("reference PostgreSQL: %v\n%s", err, c.sql)
				}
				if len(want) == 0 && c.name != "empty" {
					t.Fatalf("the reference returns no rows, so this case compares nothing: fix the query\n%s", c.sql)
				}
				got, err := collect(ctx, proxy, c.sql, mode)
				if err != nil {
					t.Fatalf("fazproxy (%v): %v\n%s\n%s", mode, err, c.sql, logTail())
				}
				if !c.ordered {
					sortRows(want)
					sortRows(got)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s (%v): rows differ\n got: %s\nwant: %s", c.sql, mode, show(got), show(want))
				}
			}
		})
	}
}

func connect(ctx context.Context, t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// collect runs sql and renders every value: in simple mode as the server's
// text; in extended mode pgx asks for binary where it can and decodes, and the
// decoded Go values are rendered with %v.
func collect(ctx context.Context, conn *pgx.Conn, sql string, mode pgx.QueryExecMode) ([][]string, error) {
	rows, err := conn.Query(ctx, sql, mode)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var row []string
		if mode == pgx.QueryExecModeSimpleProtocol {
			for _, raw := range rows.RawValues() {
				if raw == nil {
					row = append(row, "NULL")
				} else {
					row = append(row, string(raw))
				}
			}
		} else {
			vals, err := rows.Values()
			if err != nil {
				return nil, err
			}
			for _, v := range vals {
				row = append(row, fmt.Sprintf("%v", v))
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

func sortRows(rows [][]string) {
	sort.Slice(rows, func(i, j int) bool {
		return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00")
	})
}

func show(rows [][]string) string {
	const max = 8
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows", len(rows))
	for i, r := range rows {
		if i == max {
			b.WriteString("\n      ...")
			break
		}
		fmt.Fprintf(&b, "\n      %q", r)
	}
	return b.String()
}
