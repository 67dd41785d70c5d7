package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// pairs builds a two-column (int8, text) input.
func pairs(vals ...any) *rowsNode {
	n := &rowsNode{cols: []sqltypes.Column{{Name: "k", Type: sqltypes.Int8}, {Name: "v", Type: sqltypes.Text}}}
	for i := 0; i < len(vals); i += 2 {
		k := vals[i]
		if x, ok := k.(int); ok {
			k = int64(x)
		}
		n.rows = append(n.rows, sqltypes.Row{k, vals[i+1]})
	}
	return n
}

func rowsText(rows []sqltypes.Row) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		vals := make([]string, len(r))
		for j, v := range r {
			vals[j] = fmt.Sprint(v)
		}
		parts[i] = strings.Join(vals, " ")
	}
	return strings.Join(parts, "; ")
}

func TestJoinsNullKeysAndPadding(t *testing.T) {
	left := func() *rowsNode { return pairs(1, "a", 2, "b", nil, "n") }
	right := func() *rowsNode { return pairs(1, "x", 1, "y", 3, "z", nil, "m") }
	eq := &expr.Compare{Op: expr.OpEQ, L: col(0, "k", sqltypes.Int8), R: col(2, "k", sqltypes.Int8)}
	tests := []struct {
		kind JoinKind
		want string
	}{
		{JoinInner, "1 a 1 x; 1 a 1 y"},
		{JoinLeft, "1 a 1 x; 1 a 1 y; 2 b <nil> <nil>; <nil> n <nil> <nil>"},
		{JoinRight, "1 a 1 x; 1 a 1 y; <nil> <nil> 3 z; <nil> <nil> <nil> m"},
		{JoinFull, "1 a 1 x; 1 a 1 y; 2 b <nil> <nil>; <nil> n <nil> <nil>; <nil> <nil> 3 z; <nil> <nil> <nil> m"},
	}
	for _, tc := range tests {
		hash := &HashJoin{Kind: tc.kind, Left: left(), Right: right(),
			LeftKeys: []expr.Expr{col(0, "k", sqltypes.Int8)}, RightKeys: []expr.Expr{col(0, "k", sqltypes.Int8)}}
		loop := &NestedLoopJoin{Kind: tc.kind, Left: left(), Right: right(), Pred: eq}
		for _, n := range []Node{hash, loop} {
			if got := rowsText(collect(t, n, newEnv(nil))); got != tc.want {
				t.Errorf("%s: got  %s\nwant %s", n.Describe().Op, got, tc.want)
			}
		}
	}
}

func TestSetOpsAndDistinct(t *testing.T) {
	l := func() *rowsNode { return pairs(1, "a", 1, "a", 2, "b", nil, "n", nil, "n") }
	r := func() *rowsNode { return pairs(1, "a", nil, "n", 3, "c") }
	tests := []struct {
		n    Node
		want string
	}{
		{&SetOp{Kind: Union, Left: l(), Right: r()}, "1 a; 2 b; <nil> n; 3 c"},
		{&SetOp{Kind: Union, All: true, Left: l(), Right: r()}, "1 a; 1 a; 2 b; <nil> n; <nil> n; 1 a; <nil> n; 3 c"},
		{&SetOp{Kind: Intersect, Left: l(), Right: r()}, "1 a; <nil> n"},
		{&SetOp{Kind: Intersect, All: true, Left: l(), Right: r()}, "1 a; <nil> n"},
		{&SetOp{Kind: Except, Left: l(), Right: r()}, "2 b"},
		{&SetOp{Kind: Except, All: true, Left: l(), Right: r()}, "1 a; 2 b; <nil> n"},
		{&Distinct{Input: l()}, "1 a; 2 b; <nil> n"},
		{&Distinct{Input: pairs(1, "a", 1, "b", 2, "c"), On: []int{0}}, "1 a; 2 c"},
	}
	for _, tc := range tests {
		if got := rowsText(collect(t, tc.n, newEnv(nil))); got != tc.want {
			t.Errorf("%s: got  %s\nwant %s", tc.n.Describe().Op, got, tc.want)
		}
	}
}

// TestLookupJoinBatches: 150 left rows are two BatchGetItem calls (100 +
// 50 keys), and left rows whose item is missing are padded by a Left join.
func TestLookupJoinBatches(t *testing.T) {
	left := &rowsNode{cols: []sqltypes.Column{{Name: "id", Type: sqltypes.Text}}}
	for i := 0; i < 150; i++ {
		left.rows = append(left.rows, sqltypes.Row{fmt.Sprintf("k%03d", i%120)})
	}
	db := &fakeDB{batchGet: func(_ int, in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
		out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
		for _, k := range in.RequestItems["t"].Keys {
			if id := k["pk"].(*types.AttributeValueMemberS).Value; id != "k007" {
				out.Responses["t"] = append(out.Responses["t"], map[string]types.AttributeValue{
					"pk": k["pk"], "val": &types.AttributeValueMemberS{Value: "v" + id}})
			}
		}
		return out, nil
	}}
	get := &GetItem{Table: "t", Out: []catalog.Column{{Name: "pk", Type: sqltypes.Text}, {Name: "val", Type: sqltypes.Text}},
		Key: []KeyPart{{Attr: "pk", AttrType: "S", Value: &expr.ColRef{Index: 0, Depth: 1, Name: "id", T: sqltypes.Text}}}}
	rows := collect(t, &LookupJoin{Kind: JoinLeft, Left: left, Get: get}, newEnv(db))
	if len(rows) != 150 || len(db.batches) != 2 {
		t.Fatalf("got %d rows in %d calls, want 150 in 2", len(rows), len(db.batches))
	}
	// keys repeat across batches (each batch is looked up on its own) but
	// never within one
	if a, b := len(db.batches[0].RequestItems["t"].Keys), len(db.batches[1].RequestItems["t"].Keys); a != 100 || b != 50 {
		t.Errorf("requested %d + %d keys, want 100 + 50", a, b)
	}
	if got := rowsText(rows[6:9]); got != "k006 k006 vk006; k007 <nil> <nil>; k008 k008 vk008" {
		t.Errorf("got %s", got)
	}
}

func TestSubqueryKinds(t *testing.T) {
	one := &rowsNode{cols: []sqltypes.Column{{Name: "x", Type: sqltypes.Int8}}, rows: int8s(1, nil)}
	outer := pairs(1, "a", 2, "b", nil, "n")
	in := &Subquery{Kind: SubAny, Plan: one, T: sqltypes.Bool, Op: expr.OpEQ, Test: col(0, "k", sqltypes.Int8)}
	notIn := &expr.Not{Arg: in}
	// correlated: the inner rows whose x equals the outer k (Depth 1)
	corr := &Subquery{Kind: SubExists, Correlated: true, T: sqltypes.Bool, Plan: &Filter{Input: one,
		Pred: &expr.Compare{Op: expr.OpEQ, L: col(0, "x", sqltypes.Int8), R: &expr.ColRef{Index: 0, Depth: 1, T: sqltypes.Int8}}}}
	n := &Project{Input: outer, Exprs: []expr.Expr{in, notIn, corr},
		Out: []sqltypes.Column{{Name: "in", Type: sqltypes.Bool}, {Name: "not_in", Type: sqltypes.Bool}, {Name: "exists", Type: sqltypes.Bool}}}
	want := "true false true; <nil> <nil> false; <nil> <nil> false"
	if got := rowsText(collect(t, n, newEnv(nil))); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	scalar := &Project{Input: outer, Exprs: []expr.Expr{&Subquery{Kind: SubScalar, Plan: one, T: sqltypes.Int8}},
		Out: []sqltypes.Column{{Name: "s", Type: sqltypes.Int8}}}
	if _, err := tryCollect(scalar, newEnv(nil)); pgerr.CodeOf(err) != pgerr.CardinalityViolation {
		t.Errorf("scalar subquery of two rows: got %v, want 21000", err)
	}
}
