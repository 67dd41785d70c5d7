package engine

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

func intArray(xs ...int64) expr.Expr {
	items := make([]sqltypes.Value, len(xs))
	for i, x := range xs {
		items[i] = x
	}
	return &expr.Const{Val: sqltypes.Array{Elem: sqltypes.Int4, Items: items}, T: sqltypes.Int4Array}
}

func intConst(x int64) expr.Expr { return &expr.Const{Val: x, T: sqltypes.Int4} }

// drain runs n and renders its rows: values by ", ", rows by "; ".
func drain(t *testing.T, n Node) string {
	t.Helper()
	ctx := context.Background()
	it, err := n.Open(ctx, &Env{Eval: &expr.Context{}})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var rows []string
	for {
		row, err := it.Next(ctx)
		if err == io.EOF {
			return strings.Join(rows, "; ")
		}
		if err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprint(row)
		rows = append(rows, s[1:len(s)-1])
	}
}

func TestProjectSetLockStep(t *testing.T) {
	col := []sqltypes.Column{{Name: "x", Type: sqltypes.Int4}}
	x := &expr.ColRef{Index: 0, Name: "x", T: sqltypes.Int4}
	input := &ValuesScan{Rows: [][]expr.Expr{{intConst(2)}, {intConst(0)}, {intConst(1)}}, Out: col}
	tests := []struct {
		name  string
		calls []*SRFCall
		want  string
	}{
		{"longest call wins, shorter padded with NULL", []*SRFCall{
			{Func: FuncSeries, Name: "generate_series", Args: []expr.Expr{intConst(1), x}, Out: col},
			{Func: FuncUnnest, Name: "unnest", Args: []expr.Expr{intArray(7)}, Out: col},
		}, "2 1 7; 2 2 <nil>; 0 <nil> 7; 1 1 7"},
		{"every call empty: no row", []*SRFCall{
			{Func: FuncSeries, Name: "generate_series", Args: []expr.Expr{intConst(1), x}, Out: col},
		}, "2 1; 2 2; 1 1"},
		{"record column after the fields", []*SRFCall{
			{Func: FuncExpandArray, Name: "_pg_expandarray", Args: []expr.Expr{intArray(5, 6)}, Record: true,
				Out: []sqltypes.Column{{Name: "x", Type: sqltypes.Int4}, {Name: "n", Type: sqltypes.Int4}, {Name: "r", Type: sqltypes.Record}}},
		}, "2 5 1 [5 1]; 2 6 2 [6 2]; 0 5 1 [5 1]; 0 6 2 [6 2]; 1 5 1 [5 1]; 1 6 2 [6 2]"},
		{"zero-based subscripts, reversed", []*SRFCall{
			{Func: FuncSubscripts, Name: "generate_subscripts", ZeroBased: true, Out: col,
				Args: []expr.Expr{intArray(4, 4, 4), intConst(1), &expr.Const{Val: true, T: sqltypes.Bool}}},
		}, "2 2; 2 1; 2 0; 0 2; 0 1; 0 0; 1 2; 1 1; 1 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := drain(t, &ProjectSet{Input: input, Calls: tc.calls}); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestAggregateOwnOrder(t *testing.T) {
	cols := []sqltypes.Column{{Name: "v", Type: sqltypes.Text}, {Name: "k", Type: sqltypes.Int4}}
	v := &expr.ColRef{Index: 0, Name: "v", T: sqltypes.Text}
	k := &expr.ColRef{Index: 1, Name: "k", T: sqltypes.Int4}
	text := func(s string) expr.Expr { return &expr.Const{Val: s, T: sqltypes.Text} }
	input := &ValuesScan{Out: cols, Rows: [][]expr.Expr{
		{text("b"), intConst(2)}, {text("a"), intConst(3)}, {text("c"), intConst(1)}, {text("b"), intConst(2)},
	}}
	tests := []struct {
		name string
		spec AggSpec
		want string
	}{
		{"array_agg by another column", AggSpec{Func: "array_agg", Arg: v, Order: []SortKey{{Expr: k}}}, "{c,b,b,a}"},
		{"string_agg descending", AggSpec{Func: "string_agg", Arg: v, Sep: text("-"), Order: []SortKey{{Expr: v, Desc: true}}}, "c-b-b-a"},
		{"DISTINCT then ordered", AggSpec{Func: "array_agg", Arg: v, Distinct: true, Order: []SortKey{{Expr: v}}}, "{a,b,c}"},
		{"json_agg", AggSpec{Func: "json_agg", Arg: k, Order: []SortKey{{Expr: k, Desc: true}}}, "[3, 2, 2, 1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &HashAggregate{Input: input, Aggs: []AggSpec{tc.spec}, Out: []sqltypes.Column{{Name: "a", Type: sqltypes.Text}}}
			ctx := context.Background()
			it, err := n.Open(ctx, &Env{Eval: &expr.Context{}})
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			row, err := it.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(row[0])
			switch x := row[0].(type) {
			case sqltypes.Array:
				b, _ := sqltypes.EncodeText(x, sqltypes.TextArray)
				got = string(b)
			case sqltypes.JSON:
				got = x.Raw
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
