package engine

import (
	"context"
	"io"
	"strconv"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*ValuesScan)(nil)

// ValuesScan yields the rows of a VALUES list, evaluating each expression
// when its row is reached (they may read Outer rows, in a LATERAL position).
type ValuesScan struct {
	Rows [][]expr.Expr
	Out  []sqltypes.Column
}

func (n *ValuesScan) Columns() []sqltypes.Column { return n.Out }

func (n *ValuesScan) Describe() *Description {
	d := &Description{Op: "Values Scan"}
	d.add("Rows", strconv.Itoa(len(n.Rows)))
	if len(n.Rows) > 0 {
		d.add("First", exprList(n.Rows[0]))
	}
	return d
}

func (n *ValuesScan) Open(_ context.Context, env *Env) (Iter, error) {
	return &valuesIter{n: n, env: env}, nil
}

type valuesIter struct {
	n   *ValuesScan
	env *Env
	pos int
}

func (it *valuesIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if it.pos >= len(it.n.Rows) {
		return nil, io.EOF
	}
	it.env.enter(ctx)
	es := it.n.Rows[it.pos]
	it.pos++
	row := make(sqltypes.Row, len(es))
	for i, e := range es {
		v, err := e.Eval(it.env.evalCtx(), nil)
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}

func (it *valuesIter) Close() {}
