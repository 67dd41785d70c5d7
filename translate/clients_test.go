package translate

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/expr"
)

// Expected answers are PostgreSQL 15's.
func TestAggregateOrderBy(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{"SELECT array_agg(x ORDER BY y DESC), string_agg(x, ',' ORDER BY x) FROM (VALUES ('a',1),('b',3),('c',2)) v(x,y)", "{b,c,a}, a,b,c"},
		{"SELECT array_agg(DISTINCT x ORDER BY x DESC) FROM (VALUES (1),(2),(1),(3)) v(x)", "{3,2,1}"},
		{"SELECT string_agg(DISTINCT x, ',' ORDER BY x) FROM (VALUES ('b'::name),('a'),('b')) v(x)", "a,b"},
		{"SELECT json_agg(x ORDER BY x DESC) FROM (VALUES (1),(NULL),(3)) v(x)", "[null, 3, 1]"},
		{"SELECT jsonb_agg(x) FROM (VALUES ('a'),('b')) v(x)", `["a", "b"]`},
		{"SELECT g, array_agg(x ORDER BY x NULLS FIRST) FROM (VALUES (1,2),(1,NULL),(2,5),(1,1)) v(g,x) GROUP BY g ORDER BY g", "1, {NULL,1,2}; 2, {5}"},
		{"SELECT array_agg(a.n ORDER BY k.i) FROM (VALUES (1,'x'),(2,'y')) a(i,n) JOIN (SELECT unnest(ARRAY[2,1]) AS v, generate_subscripts(ARRAY[2,1], 1) AS i) k ON a.i = k.v", "{y,x}"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			got, err := execute(tc.query, &itemsDB{})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestAggregateOrderByErrors(t *testing.T) {
	_, err := execute("SELECT array_agg(DISTINCT x ORDER BY y) FROM (VALUES (1,2)) v(x,y)", &itemsDB{})
	if err == nil || !strings.Contains(err.Error(), "must appear in argument list") {
		t.Errorf("got %v, want 42P10", err)
	}
}

func TestOutputColumnNames(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`SELECT CASE WHEN true THEN 1 ELSE c.x END, CASE WHEN true THEN 1 END, (information_schema._pg_expandarray(ARRAY[1])).n,
			ARRAY(SELECT 1), EXISTS(SELECT 1), 1::int, COALESCE(1,2), c.x::text, NULLIF(1,2), GREATEST(1,2), 'a' IS NULL,
			NOT true, 1+1, current_user, CAST(NULL AS text), 'a'::text COLLATE "C", (ARRAY[1])[1], ARRAY[1], (SELECT 1 AS q)
			FROM (VALUES (1)) c(x)`,
			"x case n array exists int4 coalesce x nullif greatest ?column? ?column? ?column? current_user text text array array q"},
		{"SELECT CASE WHEN true THEN 1 ELSE count(*) END, CASE WHEN true THEN 'x' ELSE 'y'::text END, CASE WHEN true THEN 1 ELSE (2) END, CASE WHEN true THEN 1 ELSE (CASE WHEN true THEN 2 ELSE lower('a')::int END) END",
			"count case case lower"},
	}
	for _, tc := range tests {
		stmts, err := Parse(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		p := &Planner{Catalog: testCatalog(), AllowFullScan: true, Funcs: expr.NewFuncs()}
		pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range pl.Columns {
			names = append(names, c.Name)
		}
		if got := strings.Join(names, " "); got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
		}
	}
}

// TestClientReflectionQueries runs pgjdbc's getPrimaryKeys/getIndexInfo and
// SQLAlchemy 2's get_indexes/get_pk_constraint over the test catalog's
// orders. PostgreSQL 15 answers the same for the same table (index column
// names come from pg_get_indexdef, which the fake catalog does not know;
// cardinalities differ).
func TestClientReflectionQueries(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"pgjdbc_primary_keys", "<nil>, public, orders, customer_id, 1, orders_pkey; <nil>, public, orders, order_id, 2, orders_pkey"},
		{"pgjdbc_index_info", "<nil>, public, orders, f, <nil>, orders_pkey, 3, 1, <nil>, A, 0, 0, <nil>; " +
			"<nil>, public, orders, f, <nil>, orders_pkey, 3, 2, <nil>, A, 0, 0, <nil>; " +
			"<nil>, public, orders, t, <nil>, customer_id-total-index, 3, 1, <nil>, A, -1, 0, <nil>; " +
			"<nil>, public, orders, t, <nil>, customer_id-total-index, 3, 2, <nil>, A, -1, 0, <nil>; " +
			"<nil>, public, orders, t, <nil>, status-created_at-index, 3, 1, <nil>, A, -1, 0, <nil>; " +
			"<nil>, public, orders, t, <nil>, status-created_at-index, 3, 2, <nil>, A, -1, 0, <nil>"},
		{"sqlalchemy_indexes", "20002, customer_id-total-index, f, f, 0 0, <nil>, btree, <nil>, 2, {customer_id,total}, {f,f}; " +
			"20002, status-created_at-index, f, f, 0 0, <nil>, btree, <nil>, 2, {status,created_at}, {f,f}"},
		{"sqlalchemy_pk_constraint", "20002, {customer_id,order_id}, orders_pkey, <nil>"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			q, err := os.ReadFile("testdata/clients/" + tc.file + ".sql")
			if err != nil {
				t.Fatal(err)
			}
			got, err := runReplayQuery(string(q))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestDBeaverKeywords(t *testing.T) {
	got, err := runReplayQuery(`SELECT string_agg(word, ',') FROM pg_catalog.pg_get_keywords() WHERE word <> ALL ('{a,abs,abort,absolute}'::name[]) AND word IN ('access', 'abort', 'zone', 'action', 'nope')`)
	if err != nil {
		t.Fatal(err)
	}
	if got != "access,action,zone" {
		t.Errorf("got %s, want access,action,zone", got)
	}
}
