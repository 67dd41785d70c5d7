package engine

import (
	"context"
	"io"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*FuncScan)(nil)

// SetFunc is a function in FROM.
type SetFunc int

const (
	// FuncSeries is generate_series(start, stop [, step]) over integers or
	// numeric.
	FuncSeries SetFunc = iota
	// FuncUnnest is unnest(array [, array ...]): the arrays side by side,
	// the shorter ones padded with NULL.
	FuncUnnest
	// FuncScalar is any other function: its one value is one row.
	FuncScalar
)

// FuncScan yields the rows of a function in FROM; with Ordinality a bigint
// row number follows (WITH ORDINALITY). Args are evaluated at Open, so they
// may read Outer rows when the function depends on earlier FROM items.
type FuncScan struct {
	Func       SetFunc
	Name       string
	Args       []expr.Expr
	Ordinality bool
	Out        []sqltypes.Column
}

func (n *FuncScan) Columns() []sqltypes.Column { return n.Out }

func (n *FuncScan) Describe() *Description {
	d := &Description{Op: "Function Scan"}
	if n.Func == FuncScalar {
		d.add("Function", exprList(n.Args)) // the call itself
	} else {
		d.add("Function", n.Name+"("+exprList(n.Args)+")")
	}
	if n.Ordinality {
		d.add("Ordinality", "true")
	}
	return d
}

func (n *FuncScan) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx)
	args := make([]sqltypes.Value, len(n.Args))
	for i, a := range n.Args {
		v, err := a.Eval(env.evalCtx(), nil)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	var (
		gen func() (sqltypes.Row, bool, error)
		err error
	)
	switch n.Func {
	case FuncSeries:
		gen, err = seriesGen(args)
	case FuncUnnest:
		gen = unnestGen(args)
	default:
		done := false
		gen = func() (sqltypes.Row, bool, error) {
			if done {
				return nil, false, nil
			}
			done = true
			return sqltypes.Row{args[0]}, true, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return &funcIter{gen: gen, ord: n.Ordinality}, nil
}

type funcIter struct {
	gen func() (sqltypes.Row, bool, error)
	ord bool
	n   int64
}

func (it *funcIter) Next(context.Context) (sqltypes.Row, error) {
	row, ok, err := it.gen()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, io.EOF
	}
	it.n++
	if it.ord {
		row = append(row, it.n)
	}
	return row, nil
}

func (it *funcIter) Close() {}

// seriesGen steps from start to stop inclusive; NULL arguments give no rows,
// a zero step is 22023 as in PostgreSQL.
func seriesGen(args []sqltypes.Value) (func() (sqltypes.Row, bool, error), error) {
	for _, a := range args {
		if a == nil {
			return func() (sqltypes.Row, bool, error) { return nil, false, nil }, nil
		}
	}
	if cur, ok := args[0].(int64); ok {
		stop, _ := args[1].(int64)
		step := int64(1)
		if len(args) > 2 {
			step, _ = args[2].(int64)
		}
		if step == 0 {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
		}
		return func() (sqltypes.Row, bool, error) {
			if (step > 0 && cur > stop) || (step < 0 && cur < stop) {
				return nil, false, nil
			}
			v := cur
			next := cur + step
			if (step > 0 && next < cur) || (step < 0 && next > cur) {
				stop, step = cur-1, 1 // overflow: this was the last value
			}
			cur = next
			return sqltypes.Row{v}, true, nil
		}, nil
	}
	dec := func(v sqltypes.Value) *apd.Decimal {
		switch x := v.(type) {
		case *apd.Decimal:
			return x
		case int64:
			return apd.New(x, 0)
		}
		return nil
	}
	cur, stop, step := dec(args[0]), dec(args[1]), apd.New(1, 0)
	if len(args) > 2 {
		step = dec(args[2])
	}
	if cur == nil || stop == nil || step == nil {
		return nil, pgerr.New(pgerr.UndefinedFunction, "generate_series needs integer or numeric arguments")
	}
	if step.IsZero() {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
	}
	cur = new(apd.Decimal).Set(cur)
	return func() (sqltypes.Row, bool, error) {
		c := cur.Cmp(stop)
		if (step.Sign() > 0 && c > 0) || (step.Sign() < 0 && c < 0) {
			return nil, false, nil
		}
		v := new(apd.Decimal).Set(cur)
		if _, err := apd.BaseContext.WithPrecision(1000).Add(cur, cur, step); err != nil {
			return nil, false, pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "generate_series")
		}
		return sqltypes.Row{v}, true, nil
	}, nil
}

// unnestGen zips its array arguments (a NULL array is an empty one).
func unnestGen(args []sqltypes.Value) func() (sqltypes.Row, bool, error) {
	arrs := make([][]sqltypes.Value, len(args))
	longest := 0
	for i, a := range args {
		if arr, ok := a.(sqltypes.Array); ok {
			arrs[i] = arr.Items
			longest = max(longest, len(arr.Items))
		}
	}
	pos := 0
	return func() (sqltypes.Row, bool, error) {
		if pos >= longest {
			return nil, false, nil
		}
		row := make(sqltypes.Row, len(arrs))
		for i, items := range arrs {
			if pos < len(items) {
				row[i] = items[pos]
			}
		}
		pos++
		return row, true, nil
	}
}
