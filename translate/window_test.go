package translate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// windowCustomers is the data of the PostgreSQL 15 session the expected
// answers below come from:
//
//	CREATE TABLE customers(customer_id text, tier text, balance numeric, vip bool);
//	INSERT INTO customers VALUES ('c1','gold',10,true), ('c2','gold',20,false),
//	  ('c3','gold',20,NULL), ('c4','gold',NULL,true), ('c5','silver',5,false),
//	  ('c6',NULL,7,true), ('c7',NULL,8.5,false);
//
// The items come back in a scrambled order, so answers cannot depend on it.
func windowCustomers() *itemsDB {
	item := func(id, tier, balance string, vip *bool) map[string]types.AttributeValue {
		it := customer(id, tier, balance)
		if vip != nil {
			it["vip"] = &types.AttributeValueMemberBOOL{Value: *vip}
		}
		return it
	}
	t, f := true, false
	return &itemsDB{items: []map[string]types.AttributeValue{
		item("c5", "silver", "5", &f), item("c3", "gold", "20", nil), item("c7", "", "8.5", &f),
		item("c1", "gold", "10", &t), item("c6", "", "7", &t), item("c4", "gold", "", &t), item("c2", "gold", "20", &f),
	}}
}

func TestWindowFunctionsMatchPostgres(t *testing.T) {
	db := windowCustomers()
	tests := []struct {
		query string
		want  string // rows separated by "; ", values by ", "
	}{
		{"SELECT customer_id, row_number() OVER (PARTITION BY tier ORDER BY balance, customer_id) FROM customers ORDER BY customer_id",
			"c1, 1; c2, 2; c3, 3; c4, 4; c5, 1; c6, 1; c7, 2"},
		{"SELECT customer_id, rank() OVER (PARTITION BY tier ORDER BY balance DESC), dense_rank() OVER (PARTITION BY tier ORDER BY balance DESC) FROM customers ORDER BY customer_id",
			"c1, 4, 3; c2, 2, 2; c3, 2, 2; c4, 1, 1; c5, 1, 1; c6, 2, 2; c7, 1, 1"},
		{"SELECT customer_id, sum(balance) OVER (PARTITION BY tier ORDER BY balance) FROM customers ORDER BY customer_id",
			"c1, 10; c2, 50; c3, 50; c4, 50; c5, 5; c6, 7; c7, 15.5"},
		{"SELECT customer_id, avg(balance) OVER (PARTITION BY tier), count(balance) OVER (PARTITION BY tier) FROM customers ORDER BY customer_id",
			"c1, 16.6666666666666667, 3; c2, 16.6666666666666667, 3; c3, 16.6666666666666667, 3; c4, 16.6666666666666667, 3; c5, 5.0000000000000000, 1; c6, 7.7500000000000000, 2; c7, 7.7500000000000000, 2"},
		{"SELECT customer_id, lag(balance, 1, 0) OVER (ORDER BY customer_id), lead(customer_id) OVER (ORDER BY customer_id) FROM customers ORDER BY customer_id",
			"c1, 0, c2; c2, 10, c3; c3, 20, c4; c4, 20, c5; c5, <nil>, c6; c6, 5, c7; c7, 7, <nil>"},
		{"SELECT customer_id, rank() OVER w, sum(balance) OVER w FROM customers WINDOW w AS (PARTITION BY tier ORDER BY balance) ORDER BY customer_id",
			"c1, 1, 10; c2, 2, 50; c3, 2, 50; c4, 4, 50; c5, 1, 5; c6, 1, 7; c7, 2, 15.5"},
		{"SELECT customer_id, first_value(customer_id) OVER (w ORDER BY balance DESC NULLS LAST, customer_id DESC) FROM customers WINDOW w AS (PARTITION BY tier) ORDER BY customer_id",
			"c1, c3; c2, c3; c3, c3; c4, c3; c5, c5; c6, c7; c7, c7"},
		{"SELECT customer_id FROM customers ORDER BY row_number() OVER (ORDER BY balance DESC NULLS LAST, customer_id) LIMIT 3",
			"c2; c3; c1"},
		{"SELECT tier, sum(balance), rank() OVER (ORDER BY sum(balance) DESC) FROM customers GROUP BY tier ORDER BY 3",
			"gold, 50, 1; <nil>, 15.5, 2; silver, 5, 3"},
		{"SELECT customer_id, sum(balance) OVER (ORDER BY customer_id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM customers ORDER BY customer_id",
			"c1, 30; c2, 50; c3, 40; c4, 25; c5, 12; c6, 20.5; c7, 15.5"},
		{"SELECT customer_id, row_number() OVER (ORDER BY customer_id DESC) AS rn, count(*) OVER (PARTITION BY tier) FROM customers ORDER BY rn",
			"c7, 1, 2; c6, 2, 2; c5, 3, 1; c4, 4, 4; c3, 5, 4; c2, 6, 4; c1, 7, 4"},
		{"SELECT customer_id, last_value(customer_id) OVER (PARTITION BY tier ORDER BY customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), nth_value(balance, 2) OVER (PARTITION BY tier ORDER BY customer_id) FROM customers ORDER BY customer_id",
			"c1, c4, <nil>; c2, c4, 20; c3, c4, 20; c4, c4, 20; c5, c5, <nil>; c6, c7, <nil>; c7, c7, 8.5"},
		{"SELECT customer_id, percent_rank() OVER (ORDER BY balance), cume_dist() OVER (ORDER BY balance), ntile(3) OVER (ORDER BY customer_id) FROM customers ORDER BY customer_id",
			"c1, 0.5, 0.5714285714285714, 1; c2, 0.6666666666666666, 0.8571428571428571, 1; c3, 0.6666666666666666, 0.8571428571428571, 1; c4, 1, 1, 2; c5, 0, 0.14285714285714285, 2; c6, 0.16666666666666666, 0.2857142857142857, 3; c7, 0.3333333333333333, 0.42857142857142855, 3"},
		{"SELECT customer_id, string_agg(customer_id, ',') OVER (PARTITION BY tier ORDER BY customer_id) FROM customers ORDER BY customer_id",
			"c1, c1; c2, c1,c2; c3, c1,c2,c3; c4, c1,c2,c3,c4; c5, c5; c6, c6; c7, c6,c7"},
		{"SELECT customer_id, lag(balance, 1, 0.5) OVER (ORDER BY customer_id), lag(customer_id, 2, 'none') OVER (ORDER BY customer_id) FROM customers ORDER BY customer_id",
			"c1, 0.5, none; c2, 10, none; c3, 20, c1; c4, 20, c2; c5, <nil>, c3; c6, 5, c4; c7, 7, c5"},
		{"SELECT customer_id, balance - lag(balance) OVER (ORDER BY customer_id) AS delta, sum(balance * 2) OVER () FROM customers ORDER BY customer_id",
			"c1, <nil>, 141.0; c2, 10, 141.0; c3, 0, 141.0; c4, <nil>, 141.0; c5, <nil>, 141.0; c6, 2, 141.0; c7, 1.5, 141.0"},
		{"SELECT customer_id, count(*) OVER () FROM customers WHERE lower(tier) = 'gold' ORDER BY 1 LIMIT 2",
			"c1, 4; c2, 4"},
		{"SELECT customer_id, bool_and(vip) OVER (ORDER BY customer_id), array_agg(balance) OVER (ORDER BY customer_id ROWS 2 PRECEDING) FROM customers ORDER BY customer_id",
			"c1, t, {10}; c2, f, {10,20}; c3, f, {10,20,20}; c4, f, {20,20,NULL}; c5, f, {20,NULL,5}; c6, f, {NULL,5,7}; c7, f, {5,7,8.5}"},
		{"SELECT customer_id, max(balance) OVER (PARTITION BY tier), min(customer_id) OVER (PARTITION BY tier ORDER BY balance DESC) FROM customers ORDER BY customer_id",
			"c1, 20, c1; c2, 20, c2; c3, 20, c2; c4, 20, c4; c5, 5, c5; c6, 8.5, c6; c7, 8.5, c7"},
		{"SELECT customer_id, sum(balance) FILTER (WHERE vip) OVER (ORDER BY customer_id) FROM customers ORDER BY customer_id",
			"c1, 10; c2, 10; c3, 10; c4, 10; c5, 10; c6, 17; c7, 17"},
		{"SELECT tier, count(*), row_number() OVER (ORDER BY tier) FROM customers GROUP BY tier ORDER BY 1",
			"gold, 4, 1; silver, 1, 2; <nil>, 2, 3"},
		{"SELECT count(*), count(*) OVER () FROM customers", "7, 1"},
		{"SELECT row_number() OVER (), count(*) OVER ()", "1, 1"},
		{"SELECT customer_id, lag(customer_id, 0) OVER (ORDER BY customer_id), lead(customer_id, -1, '-') OVER (ORDER BY customer_id) FROM customers ORDER BY 1 LIMIT 2",
			"c1, c1, -; c2, c2, c1"},
		{"SELECT customer_id, sum(balance) OVER (ORDER BY balance RANGE BETWEEN 5 PRECEDING AND 2.5 FOLLOWING) FROM customers ORDER BY 1",
			"c1, 30.5; c2, 40; c3, 40; c4, <nil>; c5, 12; c6, 20.5; c7, 30.5"},
		{"SELECT customer_id, count(*) OVER (ORDER BY length(customer_id) + balance DESC RANGE 3 PRECEDING) FROM customers ORDER BY 1",
			"c1, 1; c2, 2; c3, 2; c4, 1; c5, 2; c6, 3; c7, 2"},
		{"SELECT DISTINCT tier, count(*) OVER (PARTITION BY tier) FROM customers ORDER BY 1", "gold, 4; silver, 1; <nil>, 2"},
		{"SELECT customer_id FROM (SELECT customer_id, row_number() OVER (ORDER BY balance DESC NULLS LAST) AS rn FROM customers) s WHERE rn <= 2 ORDER BY 1",
			"c2; c3"},
		{"WITH r AS (SELECT customer_id, rank() OVER (ORDER BY balance) AS rk FROM customers) SELECT max(rk), sum(rk) FROM r", "7, 27"},
		{"SELECT row_number() OVER (), sum(x) OVER (ORDER BY x) FROM (VALUES (1),(2),(2)) v(x)", "1, 1; 2, 5; 3, 5"},
		{"SELECT count(*) OVER () FROM customers ORDER BY 1 LIMIT 2", "7; 7"},
		{"SELECT customer_id, rank() OVER (PARTITION BY tier ORDER BY balance), count(*) OVER (PARTITION BY tier), row_number() OVER (ORDER BY customer_id) FROM customers ORDER BY customer_id",
			"c1, 1, 4, 1; c2, 2, 4, 2; c3, 2, 4, 3; c4, 4, 4, 4; c5, 1, 1, 5; c6, 1, 2, 6; c7, 2, 2, 7"},
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

// The SQLSTATEs are PostgreSQL 15's.
func TestWindowFunctionErrors(t *testing.T) {
	db := windowCustomers()
	tests := []struct {
		query string
		code  string
	}{
		{"SELECT customer_id FROM customers WHERE row_number() OVER () > 1", pgerr.WindowingError},
		{"SELECT tier FROM customers GROUP BY row_number() OVER ()", pgerr.WindowingError},
		{"SELECT tier FROM customers GROUP BY tier HAVING rank() OVER () > 1", pgerr.WindowingError},
		{"SELECT sum(row_number() OVER ()) FROM customers", pgerr.GroupingError},
		{"SELECT sum(sum(balance) OVER ()) OVER () FROM customers", pgerr.WindowingError},
		{"SELECT rank() OVER (ORDER BY rank() OVER ()) FROM customers", pgerr.WindowingError},
		{"SELECT rank() OVER w FROM customers WINDOW w AS (PARTITION BY sum(balance) OVER ())", pgerr.WindowingError},
		{"SELECT rank() OVER (ORDER BY balance) FROM customers GROUP BY tier", pgerr.GroupingError},
		{"SELECT row_number() FROM customers", pgerr.WrongObjectType},
		{"SELECT lower(tier) OVER () FROM customers", pgerr.WrongObjectType},
		{"SELECT rank() OVER x FROM customers", pgerr.UndefinedObject},
		{"SELECT rank() OVER w FROM customers WINDOW w AS (ORDER BY tier), w AS (ORDER BY balance)", pgerr.WindowingError},
		{"SELECT rank() OVER (w PARTITION BY tier) FROM customers WINDOW w AS (ORDER BY tier)", pgerr.WindowingError},
		{"SELECT rank() OVER (w ORDER BY tier) FROM customers WINDOW w AS (ORDER BY tier)", pgerr.WindowingError},
		{"SELECT rank() OVER (w) FROM customers WINDOW w AS (ORDER BY tier ROWS CURRENT ROW)", pgerr.WindowingError},
		{"SELECT count(DISTINCT tier) OVER () FROM customers", pgerr.FeatureNotSupported},
		{"SELECT row_number() FILTER (WHERE vip) OVER () FROM customers", pgerr.FeatureNotSupported},
		{"SELECT sum(balance) OVER (ROWS length(customer_id) PRECEDING) FROM customers", pgerr.InvalidColumnReference},
		{"SELECT sum(balance) OVER (GROUPS 1 PRECEDING) FROM customers", pgerr.WindowingError},
		{"SELECT sum(balance) OVER (ROWS -1 PRECEDING) FROM customers", "22013"},
		{"SELECT ntile(0) OVER () FROM customers", "22014"},
		{"SELECT sum(balance) OVER (ORDER BY balance, customer_id RANGE 1 PRECEDING) FROM customers", pgerr.WindowingError},
		{"SELECT sum(balance) OVER (ORDER BY tier RANGE 1 PRECEDING) FROM customers", pgerr.FeatureNotSupported},
		{"SELECT sum(balance) OVER (ORDER BY balance RANGE -1 PRECEDING) FROM customers", "22013"},
		{"SELECT sum(balance) OVER (ORDER BY length(customer_id) RANGE 1.5 PRECEDING) FROM customers", pgerr.FeatureNotSupported},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			_, err := execute(tc.query, db)
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code != tc.code {
				t.Errorf("err = %v, want SQLSTATE %s", err, tc.code)
			}
		})
	}
}

// TestWindowPlan checks the operators planned: one Window per spec, each
// over a Sort unless the rows are already in a suitable order, every Window
// below ORDER BY and LIMIT.
func TestWindowPlan(t *testing.T) {
	tests := []struct{ query, ops string }{
		{"SELECT customer_id, rank() OVER w, sum(balance) OVER w, row_number() OVER () FROM customers " +
			"WINDOW w AS (PARTITION BY tier ORDER BY balance DESC) ORDER BY 2 LIMIT 5",
			"Project > Limit > Sort > WindowAgg > WindowAgg > Sort > Scan"},
		// the second window needs a prefix of the first's order, ORDER BY all of it
		{"SELECT rank() OVER (PARTITION BY tier ORDER BY balance), count(*) OVER (PARTITION BY tier) FROM customers ORDER BY tier, balance",
			"Project > WindowAgg > WindowAgg > Sort > Scan"},
		{"SELECT customer_id, lag(balance) OVER (ORDER BY customer_id) FROM customers WHERE customer_id = 'c1' ORDER BY customer_id DESC",
			"Project > Sort > WindowAgg > Sort > GetItem"},
		{"SELECT tier, sum(balance), rank() OVER (ORDER BY sum(balance) DESC) FROM customers GROUP BY tier",
			"Project > WindowAgg > Sort > HashAggregate > Scan"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			stmts, err := Parse(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			p := &Planner{Catalog: testCatalog(), AllowFullScan: true}
			pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ops []string
			for _, l := range pl.Root.Describe().Lines() {
				if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "->")); !strings.Contains(l, ":") {
					ops = append(ops, l)
				}
			}
			if got := strings.Join(ops, " > "); got != tc.ops {
				t.Errorf("operators %s, want %s\n%s", got, tc.ops, pl.Root.Describe())
			}
		})
	}
}

// TestWindowParams: $n arguments take the types PostgreSQL infers (integer
// counts and offsets, the value's type for lag's default). Expected:
// PREPARE s AS <query>; EXECUTE s(2, 'x') in PostgreSQL 15.
func TestWindowParams(t *testing.T) {
	const query = "SELECT customer_id, lag(customer_id, $1, $2) OVER (ORDER BY customer_id), ntile($1) OVER (ORDER BY customer_id), " +
		"sum(balance) OVER (ORDER BY customer_id ROWS $1 PRECEDING) FROM customers ORDER BY 1"
	stmts, err := Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	p := &Planner{Catalog: testCatalog(), AllowFullScan: true, Funcs: expr.NewFuncs()}
	pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(pl.ParamTypes), fmt.Sprint([]uint32{uint32(sqltypes.Int4), uint32(sqltypes.Text)}); got != want {
		t.Errorf("param types %s, want %s", got, want)
	}
	ctx := context.Background()
	env := &engine.Env{Eval: &expr.Context{Params: []sqltypes.Value{int64(2), "x"}}, DB: windowCustomers()}
	it, err := pl.Root.Open(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var rows []string
	for {
		row, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]string, len(row))
		for i, v := range row {
			b, err := sqltypes.EncodeText(v, pl.Columns[i].Type)
			if err != nil {
				t.Fatal(err)
			}
			vals[i] = string(b)
		}
		rows = append(rows, strings.Join(vals, ", "))
	}
	want := "c1, x, 1, 10; c2, x, 1, 30; c3, c1, 1, 50; c4, c2, 1, 40; c5, c3, 2, 25; c6, c4, 2, 12; c7, c5, 2, 20.5"
	if got := strings.Join(rows, "; "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
