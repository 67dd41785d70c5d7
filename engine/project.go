package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Project)(nil)

// Project computes the output row: one expression per output column.
type Project struct {
	Input Node
	Exprs []expr.Expr
	Out   []sqltypes.Column
}

func (n *Project) Columns() []sqltypes.Column { return n.Out }

func (n *Project) Describe() *Description {
	d := &Description{Op: "Project", Children: []*Description{n.Input.Describe()}}
	return d.add("Output", exprList(n.Exprs))
}

func (n *Project) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx)
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &projectIter{in: in, exprs: n.Exprs, eval: env.evalCtx(), env: env}, nil
}

type projectIter struct {
	in    Iter
	exprs []expr.Expr
	eval  *expr.Context
	env   *Env
}

func (it *projectIter) Next(ctx context.Context) (sqltypes.Row, error) {
	row, err := it.in.Next(ctx)
	if err != nil {
		return nil, err
	}
	it.env.enter(ctx)
	out := make(sqltypes.Row, len(it.exprs))
	for i, e := range it.exprs {
		if out[i], err = e.Eval(it.eval, row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (it *projectIter) Close() { it.in.Close() }
