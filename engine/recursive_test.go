package engine

import (
	"testing"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// recursiveCount is WITH RECURSIVE n(x) AS (<init> UNION [ALL] SELECT x + 1
// FROM n WHERE x + 1 <= 4) as a plan.
func recursiveCount(t *testing.T, init []sqltypes.Row, all bool) *RecursiveUnion {
	t.Helper()
	cols := []sqltypes.Column{{Name: "x", Type: sqltypes.Int8, Typmod: -1}}
	plus, err := bindBinary("+", sqltypes.Int8, sqltypes.Int8)
	if err != nil {
		t.Fatal(err)
	}
	work := &WorkTableScan{Out: cols}
	pair := &Project{Input: work, Exprs: []expr.Expr{col(0, "x", sqltypes.Int8), &expr.Const{Val: int64(1), T: sqltypes.Int8}},
		Out: []sqltypes.Column{cols[0], {Name: "one", Type: sqltypes.Int8, Typmod: -1}}}
	next := &Project{Input: pair, Exprs: []expr.Expr{plus}, Out: cols}
	step := &Filter{Input: next, Pred: &expr.Compare{Op: expr.OpLE, L: col(0, "x", sqltypes.Int8), R: &expr.Const{Val: int64(4), T: sqltypes.Int8}}}
	ru := &RecursiveUnion{Init: &rowsNode{cols: cols, rows: init}, Step: step, All: all}
	work.Union = ru
	return ru
}

func TestRecursiveUnion(t *testing.T) {
	tests := []struct {
		name string
		init []sqltypes.Row
		all  bool
		want string
	}{
		{"UNION ALL keeps every run's rows", int8s(1, 3), true, "1,3,2,4,3,4"},
		{"UNION drops rows already produced", int8s(1, 3), false, "1,3,2,4"},
		{"no initial rows, no runs", int8s(), true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := collect(t, recursiveCount(t, tc.init, tc.all), newEnv(nil))
			if got := firstCol(rows); got != tc.want {
				t.Errorf("rows = %q, want %q", got, tc.want)
			}
		})
	}
}
