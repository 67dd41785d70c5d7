package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Apply)(nil)

// Apply is a dependent nested loop: Right is opened again for every Left
// row, with that row as the innermost Outer row (ColRef Depth 1). It runs
// LATERAL subqueries and functions, and key lookups: when the join condition
// fixes the right table's key from the left row, Right is a GetItem or Query
// whose key values read the left row, so each left row costs one keyed read
// instead of a scan of the right table. Pred (nil: true) is evaluated over
// the joined row. Only Inner and Left joins can depend on their left side.
type Apply struct {
	Kind  JoinKind
	Left  Node
	Right Node
	Pred  expr.Expr
}

func (n *Apply) Columns() []sqltypes.Column { return joinColumns(n.Left, n.Right) }

func (n *Apply) Describe() *Description {
	d := &Description{Op: "Nested Loop " + n.Kind.String() + " Join", Children: []*Description{n.Left.Describe(), n.Right.Describe()}}
	d.add("Inner", "evaluated per outer row")
	if n.Pred != nil {
		d.add("Join Filter", n.Pred.String())
	}
	return d
}

func (n *Apply) Open(ctx context.Context, env *Env) (Iter, error) {
	if n.Kind != JoinInner && n.Kind != JoinLeft {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "a %s join cannot depend on its left side", n.Kind)
	}
	left, err := n.Left.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &applyIter{n: n, env: env, left: left, width: len(n.Right.Columns())}, nil
}

type applyIter struct {
	n     *Apply
	env   *Env
	left  Iter
	width int
	cur   sqltypes.Row
	right Iter
	found bool
}

func (it *applyIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for {
		if it.right == nil {
			row, err := it.left.Next(ctx)
			if err != nil {
				return nil, err
			}
			if it.right, err = it.n.Right.Open(ctx, it.env.withOuter(row)); err != nil {
				return nil, err
			}
			it.cur, it.found = row, false
		}
		r, err := it.right.Next(ctx)
		if err == io.EOF {
			it.right.Close()
			it.right = nil
			if !it.found && it.n.Kind == JoinLeft {
				return concatRows(it.cur, make(sqltypes.Row, it.width)), nil
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		out := concatRows(it.cur, r)
		it.env.enter(ctx)
		ok, err := holds(it.env.evalCtx(), it.n.Pred, out)
		if err != nil {
			return nil, err
		}
		if ok {
			it.found = true
			return out, nil
		}
	}
}

func (it *applyIter) Close() {
	if it.right != nil {
		it.right.Close()
		it.right = nil
	}
	it.left.Close()
}
