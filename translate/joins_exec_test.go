package translate

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
)

// condDB serves fixed items per table and evaluates the equality terms of
// key conditions and filters (the only kind the queries below push), so
// reads keyed by an outer row return that row's items.
type condDB struct {
	dynamo.API
	data map[string][]map[string]types.AttributeValue
}

var eqTerm = regexp.MustCompile(`^\(?(#\w+) = (:\w+)\)?$`)

func (d *condDB) filter(table string, conds []*string, names map[string]string, vals map[string]types.AttributeValue) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, it := range d.data[table] {
		ok := true
		for _, c := range conds {
			if c == nil {
				continue
			}
			for _, part := range strings.Split(*c, " AND ") {
				if m := eqTerm.FindStringSubmatch(strings.TrimSpace(part)); m != nil {
					ok = ok && scalarText(it[names[m[1]]]) == scalarText(vals[m[2]])
				}
			}
		}
		if ok {
			out = append(out, it)
		}
	}
	return out
}

func (d *condDB) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	items := d.filter(*in.TableName, []*string{in.FilterExpression}, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	return &dynamodb.ScanOutput{Items: items, Count: int32(len(items))}, nil
}

func (d *condDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	items := d.filter(*in.TableName, []*string{in.KeyConditionExpression, in.FilterExpression}, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	return &dynamodb.QueryOutput{Items: items, Count: int32(len(items))}, nil
}

func (d *condDB) match(table string, key map[string]types.AttributeValue) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, it := range d.data[table] {
		ok := true
		for k, v := range key {
			ok = ok && scalarText(it[k]) == scalarText(v)
		}
		if ok {
			out = append(out, it)
		}
	}
	return out
}

func (d *condDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out := &dynamodb.GetItemOutput{}
	if m := d.match(*in.TableName, in.Key); len(m) > 0 {
		out.Item = m[0]
	}
	return out, nil
}

func (d *condDB) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for table, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			out.Responses[table] = append(out.Responses[table], d.match(table, k)...)
		}
	}
	return out, nil
}

func shopDB() *condDB {
	cust := func(id, name, tier string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"customer_id": s(id), "name": s(name), "tier": s(tier)}
	}
	order := func(c, o, status, total string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"customer_id": s(c), "order_id": s(o), "status": s(status), "total": n(total)}
	}
	return &condDB{data: map[string][]map[string]types.AttributeValue{
		"customers": {cust("c1", "Ann", "gold"), cust("c2", "Bob", "silver"), cust("c3", "Cy", "gold")},
		"orders": {order("c1", "o1", "open", "5"), order("c1", "o2", "shipped", "7"),
			order("c2", "o3", "open", "20"), order("c9", "o4", "open", "1")},
	}}
}

// runQuery plans and runs query over db and the fake system catalog; rows
// are separated by "; ", values by ", ".
func runQuery(query string, db dynamo.API) (string, error) {
	return runSQL(query, func(cat fakeCatalog) *engine.Env {
		return &engine.Env{Eval: &expr.Context{}, DB: db, System: fakeSystem{cat: cat}}
	})
}

func TestExecuteJoinsAndSubqueries(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"NOT IN over a set with NULL is never true",
			"SELECT x FROM (VALUES (1), (2), (NULL)) v(x) WHERE x NOT IN (SELECT y FROM (VALUES (1), (NULL)) w(y))", ""},
		{"NOT IN without NULLs; a NULL probe is unknown",
			"SELECT x FROM (VALUES (1), (2), (NULL)) v(x) WHERE x NOT IN (SELECT y FROM (VALUES (1)) w(y))", "2"},
		{"NOT IN over an empty set is true even for NULL",
			"SELECT count(*) FROM (VALUES (1), (NULL)) v(x) WHERE x NOT IN (SELECT 1 WHERE false)", "2"},
		{"IN subquery",
			"SELECT name FROM customers WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'open') ORDER BY 1", "Ann; Bob"},
		{"left lookup join pads missing items with NULL",
			"SELECT o.order_id, c.name FROM orders o LEFT JOIN customers c ON c.customer_id = o.customer_id ORDER BY 1", "o1, Ann; o2, Ann; o3, Bob; o4, <nil>"},
		{"inner lookup join drops them",
			"SELECT o.order_id, c.name FROM orders o JOIN customers c ON c.customer_id = o.customer_id AND c.tier = 'gold' ORDER BY 1", "o1, Ann; o2, Ann"},
		{"full hash join pads both sides",
			"SELECT c.customer_id, o.order_id FROM orders o FULL JOIN customers c ON c.customer_id = o.customer_id ORDER BY 1 NULLS LAST, 2",
			"c1, o1; c1, o2; c2, o3; c3, <nil>; <nil>, o4"},
		{"right join",
			"SELECT c.name, o.order_id FROM orders o RIGHT JOIN customers c ON c.customer_id = o.customer_id AND o.status = 'open' ORDER BY 1",
			"Ann, o1; Bob, o3; Cy, <nil>"},
		{"query per outer row",
			"SELECT c.name, o.order_id FROM customers c JOIN orders o ON o.customer_id = c.customer_id ORDER BY 2", "Ann, o1; Ann, o2; Bob, o3"},
		{"correlated EXISTS",
			"SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id AND o.status = 'open') ORDER BY 1", "Ann; Bob"},
		{"correlated NOT EXISTS",
			"SELECT name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)", "Cy"},
		{"correlated scalar subquery and ARRAY",
			"SELECT c.name, (SELECT count(*) FROM orders o WHERE o.customer_id = c.customer_id), ARRAY(SELECT order_id FROM orders o WHERE o.customer_id = c.customer_id ORDER BY 1) FROM customers c ORDER BY 1",
			"Ann, 2, {o1,o2}; Bob, 1, {o3}; Cy, 0, {}"},
		{"LATERAL: the biggest order of each customer",
			"SELECT c.customer_id, x.order_id FROM customers c, LATERAL (SELECT order_id FROM orders o WHERE o.customer_id = c.customer_id ORDER BY total DESC LIMIT 1) x ORDER BY 1",
			"c1, o2; c2, o3"},
		{"UNION removes duplicates", "SELECT x FROM (VALUES (1), (1), (2)) a(x) UNION SELECT 3 UNION SELECT 2 ORDER BY 1", "1; 2; 3"},
		{"UNION ALL keeps them", "SELECT x FROM (VALUES (1), (1)) a(x) UNION ALL SELECT 1", "1; 1; 1"},
		{"INTERSECT ALL counts", "SELECT x FROM (VALUES (1), (1), (2)) a(x) INTERSECT ALL SELECT y FROM (VALUES (1), (1), (1)) b(y)", "1; 1"},
		{"EXCEPT ALL counts", "SELECT x FROM (VALUES (1), (1), (2)) a(x) EXCEPT ALL SELECT 1 ORDER BY 1", "1; 2"},
		{"EXCEPT", "SELECT x FROM (VALUES (1), (1), (2), (NULL)) a(x) EXCEPT SELECT 1 ORDER BY 1", "2; <nil>"},
		{"UNION types: untyped literal takes the other branch's", "SELECT '1' UNION ALL SELECT 2.5 ORDER BY 1", "1; 2.5"},
		{"DISTINCT ON keeps the first in ORDER BY order",
			"SELECT DISTINCT ON (customer_id) customer_id, order_id FROM orders ORDER BY customer_id, total DESC", "c1, o2; c2, o3; c9, o4"},
		{"DISTINCT", "SELECT DISTINCT status FROM orders ORDER BY 1 DESC", "shipped; open"},
		{"VALUES", "VALUES (1, 'a'), (2, NULL) ORDER BY 1 DESC", "2, <nil>; 1, a"},
		{"CTE joined with USING",
			"WITH t AS (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) SELECT c.name, t.n FROM t JOIN customers c USING (customer_id) ORDER BY 1",
			"Ann, 2; Bob, 1"},
		{"GROUP BY over a join",
			"SELECT c.tier, sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.customer_id GROUP BY c.tier ORDER BY 1", "gold, 12; silver, 20"},
		{"generate_series and unnest WITH ORDINALITY",
			"SELECT g, u.v, u.n FROM generate_series(1, 2) g, unnest(ARRAY['a', 'b']) WITH ORDINALITY u(v, n) WHERE u.n = g",
			"1, a, 1; 2, b, 2"},
		{"correlated subquery reading a group column",
			"SELECT c.tier, (SELECT count(*) FROM customers x WHERE x.tier = c.tier) FROM customers c GROUP BY c.tier ORDER BY 1", "gold, 2; silver, 1"},
		{"lookup join driven from a VALUES list",
			"SELECT v.id, c.name FROM customers c JOIN (VALUES ('c2'), ('c3'), ('zz')) v(id) ON c.customer_id = v.id ORDER BY 1", "c2, Bob; c3, Cy"},
		{"self join on the whole key",
			"SELECT a.order_id FROM orders a JOIN orders b ON a.customer_id = b.customer_id AND a.order_id = b.order_id WHERE b.status = 'open' ORDER BY 1", "o1; o3; o4"},
		{"FULL JOIN USING merges with COALESCE",
			"SELECT k, x.v, y.v FROM (VALUES (1, 'a'), (2, 'b')) x(k, v) FULL JOIN (VALUES (2, 'B'), (3, 'C')) y(k, v) USING (k) ORDER BY k",
			"1, a, <nil>; 2, b, B; 3, <nil>, C"},
		{"WHERE on a FULL JOIN USING column",
			"SELECT * FROM (VALUES (1, 'a'), (2, 'b')) x(k, v) FULL JOIN (VALUES (2, 'B'), (3, 'C')) y(k, w) USING (k) WHERE k > 1 ORDER BY 1",
			"2, b, B; 3, <nil>, C"},
		{"NATURAL join", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) x(k, v) NATURAL JOIN (VALUES (2, 'b'), (3, 'c')) y(k, v)", "2, b"},
		{"LIMIT from a subquery", "SELECT g FROM generate_series(1, 5) g LIMIT (SELECT 2)", "1; 2"},
		{"scalar subquery with no row is NULL", "SELECT (SELECT 1 WHERE false) IS NULL", "t"},
		{"ALL over a subquery", "SELECT 5 > ALL (SELECT x FROM (VALUES (1), (2)) v(x)), 1 = ANY (SELECT 2)", "t, f"},
		{"psql's table lookup",
			"SELECT c.relname, n.nspname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default ORDER BY 2, 1;",
			"orders, public"},
		{"information_schema",
			"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", "customers; orders; products"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runQuery(tc.query, shopDB())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s\ngot  %s\nwant %s", tc.query, got, tc.want)
			}
		})
	}
}

func TestScalarSubqueryMoreThanOneRow(t *testing.T) {
	_, err := runQuery("SELECT (SELECT order_id FROM orders)", shopDB())
	if code := pgerr.CodeOf(err); code != pgerr.CardinalityViolation {
		t.Fatalf("got %v (%s), want 21000", err, code)
	}
}

// visibleCatalog answers only what pg_table_is_visible asks: every relation
// is a table in public.
type visibleCatalog struct{ expr.CatalogInfo }

func (visibleCatalog) RelationByOID(oid uint32) (expr.RelationInfo, bool, error) {
	return expr.RelationInfo{OID: oid, Schema: "public", Name: fmt.Sprint("t", oid), Kind: 'r'}, true, nil
}

func (visibleCatalog) RelationByName(schema, name string) (expr.RelationInfo, bool, error) {
	var oid uint32
	_, err := fmt.Sscanf(name, "t%d", &oid)
	return expr.RelationInfo{OID: oid, Schema: "public", Name: name, Kind: 'r'}, schema == "public" && err == nil, nil
}

func TestPsqlDescribeLookup(t *testing.T) {
	q := `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 1;`
	stmts, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	cat := testCatalog()
	p := &Planner{Catalog: cat, AllowFullScan: true, Funcs: expr.NewFuncs(), System: system.New()}
	pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
	if err != nil {
		t.Fatal(err)
	}
	env := &engine.Env{Eval: &expr.Context{Catalog: visibleCatalog{}}, DB: shopDB(), System: fakeSystem{cat: cat}}
	ctx := context.Background()
	it, err := pl.Root.Open(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var got []string
	for {
		row, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintln(row...))
	}
	if strings.Join(got, "") != "public orders\n" {
		t.Errorf("got %q, want one row: public orders", got)
	}
}
