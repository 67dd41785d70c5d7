package translate

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Expected answers are PostgreSQL 15's.
func TestSetReturningFunctions(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{"SELECT unnest(ARRAY[10,20,30])", "10; 20; 30"},
		{"SELECT generate_series(1, 3), unnest(ARRAY['a','b'])", "1, a; 2, b; 3, <nil>"},
		{"SELECT x, generate_series(1, x) FROM (VALUES (1), (0), (2)) v(x)", "1, 1; 2, 1; 2, 2"},
		{"SELECT unnest(ARRAY[]::int[])", ""},
		{"SELECT generate_subscripts(ARRAY['a','b','c'], 1) AS s ORDER BY s DESC", "3; 2; 1"},
		{"SELECT generate_subscripts('3 5'::int2vector, 1)", "0; 1"},
		{"SELECT ('3 5'::int2vector)[0]", "3"},
		{"SELECT unnest(k), generate_subscripts(k, 1) FROM (VALUES ('4 7'::int2vector)) v(k)", "4, 0; 7, 1"},
		{"SELECT (information_schema._pg_expandarray(ARRAY[5,6])).n, (information_schema._pg_expandarray(ARRAY[5,6])).x", "1, 5; 2, 6"},
		{"SELECT (r.keys).x, (r.keys).n FROM (SELECT information_schema._pg_expandarray(ARRAY['p','q']) AS keys) r WHERE (r.keys).n > 1", "q, 2"},
		{"SELECT x, n FROM information_schema._pg_expandarray(ARRAY[7,8]) ORDER BY n DESC", "8, 2; 7, 1"},
		{"SELECT count(*) FROM pg_catalog.pg_get_keywords() WHERE word IN ('select', 'from')", "2"},
		{"SELECT u, o FROM unnest(ARRAY['a','b']) WITH ORDINALITY AS t(u, o)", "a, 1; b, 2"},
		{"SELECT count(*) FROM (SELECT unnest(ARRAY[1,2,3]) AS u) s", "3"},
		{"SELECT (pg_get_keywords()).word LIMIT 1", "abort"},
		// functions in FROM reading an enclosing query or a LATERAL left item
		{"SELECT array(select x from unnest(tc.a) x) FROM (VALUES (ARRAY[1])) tc(a)", "{1}"},
		{"SELECT (select x from generate_series(1, tc.a) x ORDER BY x DESC LIMIT 1) FROM (VALUES (3)) tc(a)", "3"},
		{"SELECT v.x, u FROM (VALUES (1, ARRAY[1,2]), (2, ARRAY[3])) v(x, a), unnest(v.a) u", "1, 1; 1, 2; 2, 3"},
		{"SELECT generate_series(1,3) AS a, unnest(ARRAY[1,2]) ORDER BY 1 DESC LIMIT 2", "3, <nil>; 2, 2"},
		{"SELECT DISTINCT unnest(ARRAY[2,1,2]) ORDER BY 1", "1; 2"},
		{"SELECT x, unnest(a) FROM (VALUES (1, ARRAY[1,2]), (2, NULL)) v(x,a)", "1, 1; 1, 2"},
		{"SELECT information_schema._pg_expandarray(ARRAY[5,6])", "(5,1); (6,2)"},
		{"SELECT information_schema._pg_expandarray(ARRAY['a b', NULL, ''])", `("a b",1); (,2); ("",3)`},
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

// Over a DynamoDB table the functions run above the access path, and a LIMIT
// stays above them: it counts their rows, not items.
func TestSetReturningFunctionOverTable(t *testing.T) {
	db := &itemsDB{items: []map[string]types.AttributeValue{{
		"customer_id": &types.AttributeValueMemberS{Value: "c1"}, "order_id": &types.AttributeValueMemberS{Value: "o1"},
		"tags": &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
	}}}
	tests := []struct{ query, want string }{
		{"SELECT order_id, unnest(tags) FROM orders", "o1, x; o1, y"},
		{"SELECT order_id, unnest(tags) AS t FROM orders WHERE customer_id = 'c1' ORDER BY t DESC LIMIT 1", "o1, y"},
		{"SELECT order_id, unnest(tags) FROM orders WHERE customer_id = 'c1' LIMIT 2", "o1, x; o1, y"},
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
