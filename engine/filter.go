package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Filter)(nil)

// Filter keeps the rows for which Pred is true. As in PostgreSQL's WHERE and
// HAVING, a NULL (unknown) result drops the row just like false.
type Filter struct {
	Input Node
	Pred  expr.Expr
}

func (n *Filter) Columns() []sqltypes.Column { return n.Input.Columns() }

func (n *Filter) Describe() *Description {
	d := &Description{Op: "Filter", Children: []*Description{n.Input.Describe()}}
	return d.add("Predicate", n.Pred.String())
}

func (n *Filter) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx)
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &filterIter{in: in, pred: n.Pred, eval: env.evalCtx(), env: env}, nil
}

type filterIter struct {
	in   Iter
	pred expr.Expr
	eval *expr.Context
	env  *Env
}

func (it *filterIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for {
		it.env.enter(ctx)
		row, err := it.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		v, err := it.pred.Eval(it.eval, row)
		if err != nil {
			return nil, err
		}
		if b, ok := v.(bool); ok && b {
			return row, nil
		}
	}
}

func (it *filterIter) Close() { it.in.Close() }
