package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*NestedLoopJoin)(nil)

// NestedLoopJoin joins on any condition: it reads Right whole once, then
// tests every right row against each streamed Left row. Pred (nil: a cross
// join) is evaluated over the joined row, left columns first.
type NestedLoopJoin struct {
	Kind  JoinKind
	Left  Node
	Right Node
	Pred  expr.Expr
}

func (n *NestedLoopJoin) Columns() []sqltypes.Column { return joinColumns(n.Left, n.Right) }

func (n *NestedLoopJoin) Describe() *Description {
	d := &Description{Op: "Nested Loop " + n.Kind.String() + " Join", Children: []*Description{n.Left.Describe(), n.Right.Describe()}}
	if n.Pred != nil {
		d.add("Join Filter", n.Pred.String())
	}
	return d
}

func (n *NestedLoopJoin) Open(ctx context.Context, env *Env) (Iter, error) {
	left, err := n.Left.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	it := &joinIter{kind: n.Kind, env: env, left: left, pred: n.Pred,
		leftWidth: len(n.Left.Columns()), rightWidth: len(n.Right.Columns())}
	it.right = func(ctx context.Context) (*joinBuild, error) {
		return loadRight(ctx, env, n.Right, nil, "nested loop join")
	}
	it.candidates = func(*expr.Context, sqltypes.Row) ([]int, error) {
		return allIndexes(len(it.build.rows)), nil
	}
	return it, nil
}
