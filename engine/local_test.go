package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

func col(i int, name string, t sqltypes.OID) *expr.ColRef {
	return &expr.ColRef{Index: i, Name: name, T: t}
}

func int8s(vals ...any) []sqltypes.Row {
	rows := make([]sqltypes.Row, len(vals))
	for i, v := range vals {
		if n, ok := v.(int); ok {
			v = int64(n)
		}
		rows[i] = sqltypes.Row{v}
	}
	return rows
}

func firstCol(rows []sqltypes.Row) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = fmt.Sprint(r[0])
	}
	return strings.Join(parts, ",")
}

func TestFilterThreeValuedLogic(t *testing.T) {
	x := col(0, "x", sqltypes.Int8)
	two := &expr.Const{Val: int64(2), T: sqltypes.Int8}
	gt := &expr.Compare{Op: expr.OpGT, L: x, R: two}
	input := &rowsNode{cols: []sqltypes.Column{{Name: "x", Type: sqltypes.Int8}}, rows: int8s(1, nil, 3, 2)}
	tests := []struct {
		name string
		pred expr.Expr
		want string
	}{
		{"x > 2 drops NULL", gt, "3"},
		{"NOT (x > 2) drops NULL too", &expr.Not{Arg: gt}, "1,2"},
		{"x IS NULL keeps only NULL", &expr.IsNull{Arg: x}, "<nil>"},
		{"x > 2 OR x IS NULL", &expr.Or{Args: []expr.Expr{gt, &expr.IsNull{Arg: x}}}, "<nil>,3"},
		{"NULL constant keeps nothing", &expr.Const{Val: nil, T: sqltypes.Bool}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := collect(t, &Filter{Input: input, Pred: tc.pred}, newEnv(nil))
			if got := firstCol(rows); got != tc.want {
				t.Errorf("rows = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSortOrder(t *testing.T) {
	x := col(0, "x", sqltypes.Int8)
	input := &rowsNode{rows: int8s(3, nil, 1, 2)}
	tests := []struct {
		key  SortKey
		want string
	}{
		{SortKey{Expr: x}, "1,2,3,<nil>"},
		{SortKey{Expr: x, Desc: true, NullsFirst: true}, "<nil>,3,2,1"},
		{SortKey{Expr: x, NullsFirst: true}, "<nil>,1,2,3"},
		{SortKey{Expr: x, Desc: true}, "3,2,1,<nil>"},
	}
	for _, tc := range tests {
		t.Run(tc.key.String(), func(t *testing.T) {
			rows := collect(t, &Sort{Input: input, Keys: []SortKey{tc.key}}, newEnv(nil))
			if got := firstCol(rows); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSortNumericAndStable(t *testing.T) {
	d := func(s string) *apd.Decimal {
		v, _, err := apd.NewFromString(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rows := []sqltypes.Row{{d("10"), "a"}, {d("9.5"), "b"}, {d("10.0"), "c"}, {d("-1"), "d"}}
	s := &Sort{Input: &rowsNode{rows: rows}, Keys: []SortKey{{Expr: col(0, "n", sqltypes.Numeric)}}}
	got := collect(t, s, newEnv(nil))
	var order []string
	for _, r := range got {
		order = append(order, r[1].(string))
	}
	// numeric, not textual, order; 10 and 10.0 are equal so input order stays
	if strings.Join(order, "") != "dbac" {
		t.Errorf("order = %v, want d b a c", order)
	}
}

func TestSortMemoryBound(t *testing.T) {
	var rows []sqltypes.Row
	for i := 0; i < 1000; i++ {
		rows = append(rows, sqltypes.Row{strings.Repeat("x", 100)})
	}
	s := &Sort{Input: &rowsNode{rows: rows}, Keys: []SortKey{{Expr: col(0, "s", sqltypes.Text)}}}
	env := newEnv(nil)
	env.SortMemLimit = 32 << 10
	_, err := tryCollect(s, env)
	if code := pgerr.CodeOf(err); code != pgerr.ProgramLimitExceeded {
		t.Fatalf("err = %v (%s), want 54000", err, code)
	}
	if pgerr.From(err).Hint == "" {
		t.Error("the 54000 error should carry a hint")
	}
	env.SortMemLimit = 0 // default 64 MiB holds them
	if got := collect(t, s, env); len(got) != 1000 {
		t.Errorf("rows = %d", len(got))
	}
}

func TestHashAggregate(t *testing.T) {
	g := col(0, "g", sqltypes.Text)
	x := col(1, "x", sqltypes.Int4)
	rows := []sqltypes.Row{
		{"a", int64(1)}, {"b", int64(10)}, {"a", int64(2)}, {"a", nil}, {"b", int64(10)}, {nil, int64(7)},
	}
	aggs := []AggSpec{
		{Func: "count_star"}, {Func: "count", Arg: x}, {Func: "sum", Arg: x}, {Func: "avg", Arg: x},
		{Func: "min", Arg: x}, {Func: "max", Arg: x}, {Func: "count", Arg: x, Distinct: true},
		{Func: "string_agg", Arg: g, Sep: &expr.Const{Val: "-", T: sqltypes.Text}},
	}
	n := &HashAggregate{Input: &rowsNode{rows: rows}, GroupBy: []expr.Expr{g}, Aggs: aggs}
	got := collect(t, n, newEnv(nil))
	var lines []string
	for _, r := range got {
		parts := make([]string, len(r))
		for i, v := range r {
			parts[i] = fmt.Sprint(v)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	want := []string{
		"a 3 2 3 1.5000000000000000 1 2 2 a-a-a",
		"b 2 2 20 10.0000000000000000 10 10 1 b-b",
		"<nil> 1 1 7 7.0000000000000000 7 7 1 <nil>",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestAggregateOverNoRows(t *testing.T) {
	x := col(0, "x", sqltypes.Int4)
	aggs := []AggSpec{{Func: "count_star"}, {Func: "sum", Arg: x}, {Func: "bool_and", Arg: x}}
	plain := collect(t, &HashAggregate{Input: &rowsNode{}, Aggs: aggs}, newEnv(nil))
	if len(plain) != 1 || fmt.Sprint(plain[0]) != "[0 <nil> <nil>]" {
		t.Errorf("no GROUP BY over no rows = %v, want one row [0 NULL NULL]", plain)
	}
	grouped := collect(t, &HashAggregate{Input: &rowsNode{}, GroupBy: []expr.Expr{x}, Aggs: aggs}, newEnv(nil))
	if len(grouped) != 0 {
		t.Errorf("GROUP BY over no rows = %v, want none", grouped)
	}
}

func TestDescriptionString(t *testing.T) {
	q := &Query{Table: "orders", Index: "by-status", KeyCond: idKey(), Forward: false, Limit: 3, Out: idCols,
		Filter: &AttrTypeIs{Attr: "Note", DynamoType: "S"}, Projection: []string{"id"}}
	plan := &Project{Exprs: []expr.Expr{col(0, "id", sqltypes.Text)},
		Input: &Limit{Count: &expr.Const{Val: int64(3), T: sqltypes.Int8}, Input: q}}
	want := `Project
  Output: id
  ->  Limit
        Count: '3'::bigint
        ->  Query
              Table: orders
              Index: by-status
              Calls: paginated
              Key Condition: pk = 'p1'::text
              Filter: attribute_type("Note", S)
              Projection: id
              Limit: 3
              Scan Direction: backward
`
	if got := plan.Describe().String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestExplainAnalyze(t *testing.T) {
	db := &fakeDB{queryPages: queryPages(2, 1)}
	env := newEnv(db)
	ex := &Explain{Input: &Query{Table: "t", KeyCond: idKey(), Forward: true, Out: idCols}, Analyze: true}
	if c := ex.Columns(); len(c) != 1 || c[0].Name != "QUERY PLAN" {
		t.Fatalf("columns = %+v", c)
	}
	rows := collect(t, ex, env)
	var lines []string
	for _, r := range rows {
		lines = append(lines, r[0].(string))
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{"Query\n  Table: t", "DynamoDB Requests: Query=2", "Items Returned: 3", "Pages: 2",
		"Consumed Capacity: 2 RCU", "Rows: 3", "Execution Time: "} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN ANALYZE output lacks %q:\n%s", want, text)
		}
	}
	if env.Stats.Requests["Query"] != 2 {
		t.Errorf("the statement's stats should include the analyzed run: %+v", *env.Stats)
	}

	// plain EXPLAIN makes no call
	db2 := &fakeDB{queryPages: queryPages(1)}
	collect(t, &Explain{Input: &Query{Table: "t", KeyCond: idKey(), Out: idCols}}, newEnv(db2))
	if len(db2.queries) != 0 {
		t.Errorf("EXPLAIN without ANALYZE made %d calls", len(db2.queries))
	}
}
