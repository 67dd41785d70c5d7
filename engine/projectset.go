package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*ProjectSet)(nil)

// SRFCall is one set-returning function called in a select list.
type SRFCall struct {
	Func SetFunc
	Name string
	Args []expr.Expr
	// Out are the call's columns (two for _pg_expandarray's record).
	Out       []sqltypes.Column
	Set       *expr.SetFunc
	ZeroBased bool
	// Record adds a last column: the call's other columns as one record
	// value (a sqltypes.Row), for a call whose row is used whole.
	Record bool
}

// ProjectSet evaluates the set-returning functions of a select list for each
// input row, as PostgreSQL 10+ does: the calls advance in lock step until
// the longest is done, the shorter ones giving NULL; when every call is
// empty the input row yields nothing. Each output row is the input row
// followed by the calls' columns.
type ProjectSet struct {
	Input Node
	Calls []*SRFCall
}

func (n *ProjectSet) Columns() []sqltypes.Column {
	out := append([]sqltypes.Column(nil), n.Input.Columns()...)
	for _, c := range n.Calls {
		out = append(out, c.Out...)
	}
	return out
}

func (n *ProjectSet) Describe() *Description {
	d := &Description{Op: "ProjectSet", Children: []*Description{n.Input.Describe()}}
	for _, c := range n.Calls {
		d.add("Function", c.Name+"("+exprList(c.Args)+")")
	}
	return d
}

func (n *ProjectSet) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx)
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &projectSetIter{n: n, in: in, eval: env.evalCtx(), env: env}, nil
}

type projectSetIter struct {
	n    *ProjectSet
	in   Iter
	eval *expr.Context
	env  *Env
	row  sqltypes.Row // current input row; nil before the first
	gens []rowGen     // nil entries are finished calls
}

func (it *projectSetIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for {
		if it.row != nil {
			out, ok, err := it.step()
			if err != nil || ok {
				return out, err
			}
		}
		row, err := it.in.Next(ctx)
		if err != nil {
			return nil, err // io.EOF included
		}
		it.env.enter(ctx)
		if err := it.start(row); err != nil {
			return nil, err
		}
	}
}

// start begins every call over a new input row.
func (it *projectSetIter) start(row sqltypes.Row) error {
	it.row = row
	it.gens = make([]rowGen, len(it.n.Calls))
	for i, c := range it.n.Calls {
		args := make([]sqltypes.Value, len(c.Args))
		for j, a := range c.Args {
			v, err := a.Eval(it.eval, row)
			if err != nil {
				return err
			}
			args[j] = v
		}
		g, err := startGen(it.eval, c.Func, c.Set, c.ZeroBased, args)
		if err != nil {
			return err
		}
		it.gens[i] = g
	}
	return nil
}

// step advances every call once; false when all are done.
func (it *projectSetIter) step() (sqltypes.Row, bool, error) {
	out := append(sqltypes.Row(nil), it.row...)
	any := false
	for i, c := range it.n.Calls {
		var vals sqltypes.Row
		if g := it.gens[i]; g != nil {
			r, ok, err := g()
			if err != nil {
				return nil, false, err
			}
			if ok {
				vals, any = r, true
			} else {
				it.gens[i] = nil
			}
		}
		n := len(c.Out)
		if c.Record {
			n--
		}
		for k := 0; k < n; k++ {
			if k < len(vals) {
				out = append(out, vals[k])
			} else {
				out = append(out, nil)
			}
		}
		if c.Record {
			if vals != nil {
				out = append(out, append(sqltypes.Row(nil), vals[:n]...))
			} else {
				out = append(out, nil)
			}
		}
	}
	if !any {
		it.row = nil
		return nil, false, nil
	}
	return out, true, nil
}

func (it *projectSetIter) Close() { it.in.Close() }
