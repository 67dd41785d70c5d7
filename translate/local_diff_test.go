package translate

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Cases found by integration/differential_local_test.go; expected answers
// are PostgreSQL 16's over the same rows.
func TestLocalExecutorMatchesPostgres(t *testing.T) {
	db := &itemsDB{items: []map[string]types.AttributeValue{
		customer("c1", "gold", "10.5"), customer("c2", "silver", "3"), customer("c3", "gold", "1.5"),
		customer("c4", "", "7"), customer("c5", "silver", ""),
	}}
	tests := []struct{ query, want string }{
		// aggregate FILTER was refused with 0A000
		{"SELECT count(*) FILTER (WHERE balance > 2), count(*) FROM customers", "3, 5"},
		{"SELECT tier, sum(balance) FILTER (WHERE balance < 5), count(balance) FILTER (WHERE tier = 'gold') FROM customers GROUP BY tier ORDER BY tier",
			"gold, 1.5, 2; silver, 3, 0; <nil>, <nil>, 0"},
		{"SELECT string_agg(customer_id, ',' ORDER BY customer_id DESC) FILTER (WHERE tier IS NOT NULL) FROM customers", "c5,c3,c2,c1"},
		{"SELECT count(*) FILTER (WHERE NULL) FROM customers", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			got, err := execute(tc.query, db)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// An untyped NULL or string literal where a boolean is expected is a
// boolean, as in PostgreSQL (it was text, 42804).
func TestBooleanContextLiterals(t *testing.T) {
	db := &itemsDB{items: []map[string]types.AttributeValue{customer("c1", "gold", "1"), customer("c2", "silver", "2")}}
	tests := []struct{ query, want string }{
		{"SELECT customer_id FROM customers WHERE NULL", ""},
		{"SELECT customer_id FROM customers WHERE 'true' ORDER BY 1", "c1; c2"},
		{"SELECT tier FROM customers GROUP BY tier HAVING 'f'", ""},
		{"SELECT count(*) FILTER (WHERE 'yes') FROM customers", "2"},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, db)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
}

// jsonb's set-returning functions in FROM and in the select list (they
// were 0A000 "set-returning function ... in this context is not supported").
func TestJSONSetReturningFunctions(t *testing.T) {
	tests := []struct{ query, want string }{
		{`SELECT (i->>'a')::int + 1 FROM jsonb_array_elements('[{"a": 1}, {"a": 2}]') i`, "2; 3"},
		{`SELECT v.x, e FROM (VALUES (1, '[10, "b", null]'::jsonb)) v(x, d), jsonb_array_elements_text(v.d) e`, "1, 10; 1, b; 1, <nil>"},
		{`SELECT key, value FROM jsonb_each('{"b": [1], "a": null}')`, "a, null; b, [1]"},
		{`SELECT * FROM jsonb_each_text('{"k": "v", "n": 2}')`, "k, v; n, 2"},
		{`SELECT jsonb_object_keys('{"long": 1, "x": 2}')`, "x; long"},
		{`SELECT jsonb_array_elements('[1, [2]]'), 'z'`, "1, z; [2], z"},
		{`SELECT count(*) FROM jsonb_array_elements(NULL::jsonb)`, "0"},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, &itemsDB{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
	for _, q := range []string{`SELECT * FROM jsonb_array_elements('{"a": 1}')`, `SELECT jsonb_each('[1]')`, `SELECT jsonb_object_keys('3')`} {
		if _, err := execute(q, &itemsDB{}); pgerr.CodeOf(err) != pgerr.InvalidParameterValue {
			t.Errorf("%s: got %v, want 22023", q, err)
		}
	}
}

// A function at the left end of a later comma item's JOIN reads the
// earlier items, as in PostgreSQL (it was 42P01 "missing FROM-clause
// entry for table").
func TestLateralFunctionInsideCommaJoin(t *testing.T) {
	tests := []struct{ query, want string }{
		{`SELECT v.x, e, w.y FROM (VALUES (1, ARRAY[1, 2])) v(x, a), unnest(v.a) e JOIN (VALUES (2, 'two')) w(k, y) ON w.k = e`, "1, 2, two"},
		{`SELECT v.x, e, w.y FROM (VALUES (1, ARRAY[1, 2])) v(x, a), unnest(v.a) e LEFT JOIN (VALUES (2, 'two')) w(k, y) ON w.k = e ORDER BY e`, "1, 1, <nil>; 1, 2, two"},
		{`SELECT * FROM (VALUES (1)) v(x), generate_series(1, v.x + 1) g JOIN (VALUES (2)) w(k) ON w.k = g JOIN (VALUES (2)) z(m) ON z.m = w.k`, "1, 2, 2, 2"},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, &itemsDB{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
}

// (a, b) IN (SELECT x, y ...) was 0A000/42601; NULL rules are PostgreSQL's.
func TestRowInSubquery(t *testing.T) {
	tests := []struct{ query, want string }{
		{`SELECT x FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) v(x, y) WHERE (x, y) IN (VALUES (1, 'a'), (2, 'z')) ORDER BY x`, "1"},
		{`SELECT x FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) WHERE (x, y) NOT IN (VALUES (1, 'a'), (3, 'c')) ORDER BY x`, "2"},
		{`SELECT (1, 'a') IN (SELECT 1, NULL), (1, 'a') IN (SELECT 2, NULL), (1, 'a') NOT IN (SELECT 1, NULL), (1, 'a') NOT IN (SELECT 2, NULL)`, "<nil>, f, <nil>, t"},
		{`SELECT (1, 2) = ANY (SELECT 1, 2 WHERE false), (1, 2) <> ALL (SELECT 1, 2 WHERE false)`, "f, t"},
		{`SELECT (1, 2.0) IN (SELECT 1::int8, 2)`, "t"},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, &itemsDB{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
	if _, err := execute(`SELECT (1, 2) IN (SELECT 1)`, &itemsDB{}); pgerr.CodeOf(err) != pgerr.SyntaxError {
		t.Errorf("row of 2 IN a subquery of 1 column: got %v, want 42601", err)
	}
}

// WITH RECURSIVE was 0A000. Expected answers are PostgreSQL 16's.
func TestRecursiveCTE(t *testing.T) {
	tests := []struct{ query, want string }{
		{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i, i * i FROM n ORDER BY i`, "1, 1; 2, 4; 3, 9; 4, 16; 5, 25"},
		// UNION drops rows already produced, which ends this cycle
		{`WITH RECURSIVE c(x) AS (SELECT 0 UNION SELECT (x + 1) % 3 FROM c) SELECT x FROM c ORDER BY x`, "0; 1; 2"},
		// a join with a table in the recursive term, and a second reference
		{`WITH RECURSIVE e(a, b) AS (VALUES (1, 2), (2, 3), (3, 4), (5, 6)), p(s, d) AS (SELECT 1, 0 UNION ALL SELECT e.b, p.d + 1 FROM p JOIN e ON e.a = p.s) SELECT s, d FROM p ORDER BY d`, "1, 0; 2, 1; 3, 2; 4, 3"},
		{`WITH RECURSIVE f(n, v) AS (SELECT 1, 1::numeric UNION ALL SELECT n + 1, v * (n + 1) FROM f WHERE n < 25) SELECT v FROM f WHERE n = 25`, "15511210043330985984000000"},
		{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT a.i, b.i FROM n a JOIN n b ON b.i = a.i + 1 ORDER BY 1`, "1, 2; 2, 3"},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, &itemsDB{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
	for q, code := range map[string]string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1::int8 FROM n WHERE i < 3) SELECT * FROM n`: pgerr.DatatypeMismatch,
		`WITH RECURSIVE n(i) AS (SELECT i FROM n) SELECT * FROM n`:                                          "42P19",
	} {
		if _, err := execute(q, &itemsDB{}); pgerr.CodeOf(err) != code {
			t.Errorf("%s: got %v, want %s", q, err, code)
		}
	}
}

// stddev and variance were "not an aggregate" (42883). Expected answers
// are PostgreSQL 16's, scale included.
func TestVarianceAggregates(t *testing.T) {
	tests := []struct{ query, want string }{
		{`SELECT variance(x), var_pop(x), stddev(x), stddev_pop(x) FROM (VALUES (1), (2), (4)) v(x)`,
			"2.3333333333333333, 1.5555555555555556, 1.5275252316519467, 1.2472191289246471"},
		{`SELECT variance(x), stddev(x) FROM (VALUES (1.50), (2.25)) v(x)`, "0.28125000000000000000, 0.53033008588991064330"},
		{`SELECT variance(x), stddev_pop(x), var_samp(x) FROM (VALUES (5)) v(x)`, "<nil>, 0, <nil>"},
		{`SELECT stddev(x), var_pop(x) FROM (VALUES (1.0::float8), (3.0::float8)) v(x)`, "1.4142135623730951, 1"},
		{`SELECT variance(x) FROM (VALUES (3), (3)) v(x)`, "0"},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, &itemsDB{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
}

// jsonb_object_agg was "aggregate functions are not allowed here" (42803).
func TestJSONBObjectAgg(t *testing.T) {
	tests := []struct{ query, want string }{
		{`SELECT jsonb_object_agg(k, v) FROM (VALUES ('b', 1), ('a', NULL), ('b', 2), ('long', 3)) x(k, v)`, `{"a": null, "b": 2, "long": 3}`},
		{`SELECT jsonb_object_agg(k, v) FROM (VALUES (1, 1.50)) x(k, v) WHERE false`, "<nil>"},
		{`SELECT jsonb_object_agg(k, v) FROM (VALUES (2, 1.50), (10, 2)) x(k, v)`, `{"2": 1.50, "10": 2}`},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, &itemsDB{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
	if _, err := execute(`SELECT jsonb_object_agg(k, v) FROM (VALUES (NULL::text, 1)) x(k, v)`, &itemsDB{}); pgerr.CodeOf(err) != pgerr.InvalidParameterValue {
		t.Errorf("NULL key: got %v, want 22023", err)
	}
}

// FETCH FIRST n ROWS WITH TIES was 0A000. Expected answers are PostgreSQL 16's.
func TestFetchWithTies(t *testing.T) {
	const v = `(VALUES (1), (2), (2), (3), (NULL), (NULL)) v(x)`
	tests := []struct{ query, want string }{
		{`SELECT x FROM ` + v + ` ORDER BY x FETCH FIRST 2 ROWS WITH TIES`, "1; 2; 2"},
		{`SELECT x FROM ` + v + ` ORDER BY x DESC OFFSET 1 ROWS FETCH FIRST 1 ROW WITH TIES`, "<nil>"},
		{`SELECT x FROM ` + v + ` ORDER BY x DESC FETCH FIRST 1 ROW WITH TIES`, "<nil>; <nil>"},
		{`SELECT x FROM ` + v + ` ORDER BY x FETCH FIRST 4 ROWS WITH TIES`, "1; 2; 2; 3"},
		{`SELECT x FROM ` + v + ` WHERE x = 2 UNION ALL SELECT 2 ORDER BY 1 FETCH FIRST 1 ROW WITH TIES`, "2; 2; 2"},
	}
	for _, tc := range tests {
		got, err := execute(tc.query, &itemsDB{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
	if _, err := execute(`SELECT 1 FETCH FIRST 1 ROW WITH TIES`, &itemsDB{}); pgerr.CodeOf(err) != pgerr.SyntaxError {
		t.Errorf("WITH TIES without ORDER BY: got %v, want 42601", err)
	}
}
