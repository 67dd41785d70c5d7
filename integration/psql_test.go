package integration

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// psql runs the real psql client against fazproxy and returns its output.
func psql(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	host, port, _ := strings.Cut(env.proxy.Addr, ":")
	base := []string{"-X", "-h", host, "-p", port, "-U", "demo", "-d", "demo", "-v", "ON_ERROR_STOP=0"}
	cmd := exec.CommandContext(ctx, "psql", append(base, args...)...)
	cmd.Env = append(cmd.Environ(), "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestPsqlQueries(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string // substrings that must appear, in order
	}{
		{"getitem", []string{"-At", "-c", "SELECT customer_id, email FROM customers WHERE customer_id = 'C0001'"},
			[]string{"C0001|user0001@example.com"}},
		{"aligned table", []string{"-c", "SELECT sku FROM products WHERE sku IN (10001, 10004) ORDER BY sku"},
			[]string{" sku ", "-----", " 10001", " 10004", "(2 rows)"}},
		{"session functions", []string{"-At", "-c", "SELECT current_database(), current_user, current_schema()"},
			[]string{"demo|demo|public"}},
		{"version", []string{"-At", "-c", "SELECT version()"}, []string{"PostgreSQL 15."}},
		{"show and set", []string{"-At", "-c", "SET application_name = 'it'", "-c", "SHOW application_name"},
			[]string{"it"}},
		{"explain", []string{"-At", "-c", "EXPLAIN SELECT name FROM customers WHERE customer_id = 'C0001'"},
			[]string{"GetItem", "customers"}},
		{"error keeps the session", []string{"-At", "-c", "SELECT nosuch FROM customers", "-c", "SELECT 41 + 1"},
			[]string{`column "nosuch" does not exist`, "_item", "42"}},
		{"several statements in one string", []string{"-At", "-c", "SELECT 1; SELECT 2"}, []string{"2"}},
		// psql sends a statement's terminating ';' with it.
		{"verb JSON with the terminator", []string{"-At", "-c",
			`{"verb":"GetItem","TableName":"customers","Key":{"customer_id":{"S":"C0001"}},"ProjectionExpression":"email"};`},
			[]string{"user0001@example.com"}},
		{"PartiQL after SET faz.language", []string{"-At", "-c", "SET faz.language = 'partiql'", "-c",
			`SELECT email FROM "customers" WHERE customer_id = 'C0001';`}, []string{"user0001@example.com"}},
		{"count", []string{"-At", "-c", "SELECT count(*) FROM customers"}, []string{"300"}},
		// psql's meta-commands send its own catalog queries, executed by fazproxy.
		{`\dt`, []string{"-c", `\dt`}, []string{"List of relations", "public | customers | table", "public | orders    | table", "public | products  | table"}},
		{`\d table`, []string{"-c", `\d orders`}, []string{`Table "public.orders"`, "customer_id", "order_id", "_item", "jsonb", "orders_pkey"}},
		{`\di`, []string{"-c", `\di`}, []string{"customers_pkey", "status-created_at-index"}},
		{`\dn`, []string{"-c", `\dn`}, []string{"public"}},
		{`\l`, []string{"-c", `\l`}, []string{"demo", "UTF8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _ := psql(t, c.args...)
			rest := out
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("psql output lacks %q (in order):\n%s\n%s", w, out, logTail())
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestErrorsKeepConnectionUsable: every kind of bad input gets its SQLSTATE and
// the same connection answers the next statement.
func TestErrorsKeepConnectionUsable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connect(ctx, t, proxyDSN())
	cases := []struct {
		sql  string
		code string
	}{
		{"SELEC 1", "42601"},
		{"SELECT nosuch FROM customers", "42703"},
		{"SELECT * FROM nosuch", "42P01"},
		{"SELECT 1/0", "22012"},
		{"SELECT name FROM products WHERE sku = 'abc'", "22P02"},
		// Bad writes must change nothing: the demo rows are shared with the
		// differential tests.
		{"INSERT INTO customers (name) VALUES ('no key')", "23502"},
		{"INSERT INTO customers (customer_id, name) VALUES ('', 'empty key')", "22023"},
		{"ALTER TABLE customers ADD COLUMN x int", "0A000"},
		{"SELECT * FROM customers WHERE customer_id = 'C0001' FOR UPDATE", "0A000"},
		{"SET nosuch_parameter = 1", "42704"},
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		for _, c := range cases {
			_, err := conn.Exec(ctx, c.sql, mode)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != c.code {
				t.Errorf("%s (%v): err = %v, want SQLSTATE %s", c.sql, mode, err, c.code)
			}
			var one int
			if err := conn.QueryRow(ctx, "SELECT 1", mode).Scan(&one); err != nil || one != 1 {
				t.Fatalf("connection unusable after %q: %v", c.sql, err)
			}
		}
	}
}

// TestTransactionBlockStatus: an error inside BEGIN aborts the block until
// ROLLBACK (25P02), like PostgreSQL, and ReadyForQuery reports it.
func TestTransactionBlockStatus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connect(ctx, t, proxyDSN())
	mustExec := func(sql string) {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	mustExec("BEGIN")
	if s := conn.PgConn().TxStatus(); s != 'T' {
		t.Errorf("status in block = %c", s)
	}
	if _, err := conn.Exec(ctx, "SELECT nosuch FROM customers"); err == nil {
		t.Fatal("expected an error")
	}
	if s := conn.PgConn().TxStatus(); s != 'E' {
		t.Errorf("status after error = %c, want E", s)
	}
	_, err := conn.Exec(ctx, "SELECT 1")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25P02" {
		t.Errorf("statement in failed block: %v, want 25P02", err)
	}
	mustExec("ROLLBACK")
	if s := conn.PgConn().TxStatus(); s != 'I' {
		t.Errorf("status after ROLLBACK = %c", s)
	}
}
