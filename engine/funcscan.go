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
	// FuncSubscripts is generate_subscripts(array, dim [, reverse]).
	FuncSubscripts
	// FuncExpandArray is information_schema._pg_expandarray(array): rows
	// (x element, n 1-based position).
	FuncExpandArray
	// FuncRegistered is a set-returning function of the expr registry
	// (FuncScan.Set), e.g. pg_get_keywords().
	FuncRegistered
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
	// Set is the registry function of FuncRegistered.
	Set *expr.SetFunc
	// ZeroBased marks an int2vector/oidvector argument, whose subscripts
	// start at 0 (generate_subscripts).
	ZeroBased bool
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
	gen, err := startGen(env.evalCtx(), n.Func, n.Set, n.ZeroBased, args)
	if err != nil {
		return nil, err
	}
	return &funcIter{gen: gen, ord: n.Ordinality}, nil
}

// rowGen yields a function's rows one by one; false when done.
type rowGen = func() (sqltypes.Row, bool, error)

// startGen starts one call of a set-returning function over its evaluated
// arguments.
func startGen(ectx *expr.Context, f SetFunc, set *expr.SetFunc, zeroBased bool, args []sqltypes.Value) (rowGen, error) {
	switch f {
	case FuncSeries:
		return seriesGen(args)
	case FuncUnnest:
		return unnestGen(args), nil
	case FuncSubscripts:
		return subscriptsGen(args, zeroBased), nil
	case FuncExpandArray:
		return expandArrayGen(args), nil
	case FuncRegistered:
		for _, a := range args {
			if a == nil {
				return rowsGen(nil), nil // the registry's functions are strict
			}
		}
		rows, err := set.Rows(ectx, args)
		if err != nil {
			return nil, err
		}
		return rowsGen(rows), nil
	}
	return rowsGen([]sqltypes.Row{{args[0]}}), nil
}

func rowsGen(rows []sqltypes.Row) rowGen {
	pos := 0
	return func() (sqltypes.Row, bool, error) {
		if pos >= len(rows) {
			return nil, false, nil
		}
		pos++
		return append(sqltypes.Row(nil), rows[pos-1]...), true, nil
	}
}

// arrayItems is the elements of a one-dimensional array value (NULL: none).
func arrayItems(v sqltypes.Value) []sqltypes.Value {
	if a, ok := v.(sqltypes.Array); ok {
		return a.Items
	}
	return nil
}

// subscriptsGen is generate_subscripts(a, dim [, reverse]): the valid
// subscripts of dimension dim, which for our one-dimensional arrays is 1
// only (int2vector and oidvector count from 0).
func subscriptsGen(args []sqltypes.Value, zeroBased bool) rowGen {
	items := arrayItems(args[0])
	if dim, _ := args[1].(int64); dim != 1 {
		items = nil
	}
	reverse := len(args) > 2 && args[2] == true
	lo := int64(1)
	if zeroBased {
		lo = 0
	}
	rows := make([]sqltypes.Row, len(items))
	for i := range items {
		k := i
		if reverse {
			k = len(items) - 1 - i
		}
		rows[i] = sqltypes.Row{lo + int64(k)}
	}
	return rowsGen(rows)
}

// expandArrayGen is _pg_expandarray: each element with its 1-based position.
func expandArrayGen(args []sqltypes.Value) rowGen {
	items := arrayItems(args[0])
	rows := make([]sqltypes.Row, len(items))
	for i, it := range items {
		rows[i] = sqltypes.Row{it, int64(i + 1)}
	}
	return rowsGen(rows)
}

type funcIter struct {
	gen rowGen
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
