package engine

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*HashAggregate)(nil)

// HashAggregate groups its input by GroupBy and computes Aggs per group. Its
// output row is the group values followed by one value per aggregate (Out
// describes them). Without GroupBy it yields exactly one row, even over no
// input; with GroupBy, one row per group in order of first appearance. The
// groups it holds count against Env.SortMemLimit (54000 past it).
type HashAggregate struct {
	Input   Node
	GroupBy []expr.Expr
	Aggs    []AggSpec
	Out     []sqltypes.Column
}

func (n *HashAggregate) Columns() []sqltypes.Column { return n.Out }

func (n *HashAggregate) Describe() *Description {
	op := "HashAggregate"
	if len(n.GroupBy) == 0 {
		op = "Aggregate"
	}
	aggs := make([]string, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i] = a.String()
	}
	d := &Description{Op: op, Children: []*Description{n.Input.Describe()}}
	return d.add("Group Key", exprList(n.GroupBy)).add("Aggregates", strings.Join(aggs, ", "))
}

func (n *HashAggregate) Open(ctx context.Context, env *Env) (Iter, error) {
	makers := make([]*aggMaker, len(n.Aggs))
	for i, a := range n.Aggs {
		m, err := newAggMaker(a, env.evalCtx())
		if err != nil {
			return nil, err
		}
		makers[i] = m
	}
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &aggIter{n: n, env: env, in: in, makers: makers}, nil
}

// group is one group's key values and aggregate states.
type group struct {
	keys   sqltypes.Row
	states []aggState
	seen   []map[string]bool // per DISTINCT aggregate: argument keys already added
	// inputs holds, per aggregate with its own ORDER BY, the inputs to sort
	// before they are added.
	inputs [][]aggInput
}

// aggInput is one buffered input of an ordered aggregate.
type aggInput struct {
	v, sep sqltypes.Value
	keys   sqltypes.Row
}

type aggIter struct {
	n      *HashAggregate
	env    *Env
	in     Iter // nil once consumed
	makers []*aggMaker
	groups []*group
	pos    int
}

func (it *aggIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if it.in != nil {
		err := it.consume(ctx)
		it.in.Close()
		it.in = nil
		if err != nil {
			return nil, err
		}
	}
	if it.pos >= len(it.groups) {
		return nil, io.EOF
	}
	g := it.groups[it.pos]
	it.groups[it.pos] = nil
	it.pos++
	row := make(sqltypes.Row, 0, len(g.keys)+len(g.states))
	row = append(row, g.keys...)
	for i, s := range g.states {
		if err := it.addOrdered(i, g); err != nil {
			return nil, err
		}
		v, err := s.result()
		if err != nil {
			return nil, err
		}
		row = append(row, v)
	}
	return row, nil
}

// consume reads the whole input into groups.
func (it *aggIter) consume(ctx context.Context) error {
	eval := it.env.evalCtx()
	index := map[string]*group{}
	limit, used := it.env.sortMemLimit(), int64(0)
	if len(it.n.GroupBy) == 0 {
		it.groups = []*group{it.newGroup(nil)} // one row even over no input
		index[""] = it.groups[0]
	}
	var keyBuf []byte
	for {
		row, err := it.in.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		it.env.enter(ctx)
		keys := make(sqltypes.Row, len(it.n.GroupBy))
		keyBuf = keyBuf[:0]
		for i, e := range it.n.GroupBy {
			if keys[i], err = e.Eval(eval, row); err != nil {
				return err
			}
			keyBuf = valueKey(keyBuf, keys[i])
		}
		g := index[string(keyBuf)]
		if g == nil {
			if used += rowSize(keys) + 64*int64(len(it.makers)); used > limit {
				return pgerr.New(pgerr.ProgramLimitExceeded,
					"GROUP BY needs more than %s of memory for its groups", formatBytes(limit)).
					WithHint("group by fewer distinct values or narrow the WHERE clause")
			}
			g = it.newGroup(keys)
			index[string(keyBuf)] = g
			it.groups = append(it.groups, g)
		}
		if err := it.accumulate(eval, g, row); err != nil {
			return err
		}
	}
}

func (it *aggIter) newGroup(keys sqltypes.Row) *group {
	g := &group{keys: keys, states: make([]aggState, len(it.makers)), seen: make([]map[string]bool, len(it.makers)),
		inputs: make([][]aggInput, len(it.makers))}
	for i, m := range it.makers {
		g.states[i] = m.newState()
		if m.spec.Distinct {
			g.seen[i] = map[string]bool{}
		}
	}
	return g
}

// accumulate adds one input row to every aggregate of its group.
func (it *aggIter) accumulate(eval *expr.Context, g *group, row sqltypes.Row) error {
	for i, m := range it.makers {
		var v, sep sqltypes.Value
		var err error
		if m.spec.Filter != nil {
			keep, err := m.spec.Filter.Eval(eval, row)
			if err != nil {
				return err
			}
			if b, ok := keep.(bool); !ok || !b {
				continue // FILTER (WHERE ...) not true: this row is not an input
			}
		}
		if m.spec.Arg != nil {
			if v, err = m.spec.Arg.Eval(eval, row); err != nil {
				return err
			}
			// Aggregates skip NULL inputs, except array_agg and json_agg which keep them.
			if v == nil && m.spec.Func != "array_agg" && m.spec.Func != "json_agg" && m.spec.Func != "jsonb_agg" &&
				m.spec.Func != "jsonb_object_agg" { // a NULL key is its error, not a skipped row
				continue
			}
		}
		if m.spec.Sep != nil {
			if sep, err = m.spec.Sep.Eval(eval, row); err != nil {
				return err
			}
		}
		if g.seen[i] != nil {
			k := string(valueKey(nil, v))
			if g.seen[i][k] {
				continue
			}
			g.seen[i][k] = true
		}
		if len(m.spec.Order) > 0 {
			in := aggInput{v: v, sep: sep, keys: make(sqltypes.Row, len(m.spec.Order))}
			for j, k := range m.spec.Order {
				if in.keys[j], err = k.Expr.Eval(eval, row); err != nil {
					return err
				}
			}
			g.inputs[i] = append(g.inputs[i], in)
			continue
		}
		if err := g.states[i].add(v, sep); err != nil {
			return err
		}
	}
	return nil
}

// addOrdered sorts the buffered inputs of ordered aggregate i (stably, so
// equal keys keep their input order) and adds them to its state.
func (it *aggIter) addOrdered(i int, g *group) error {
	order := it.makers[i].spec.Order
	if len(order) == 0 {
		return nil
	}
	eval := it.env.evalCtx()
	var firstErr error
	slices.SortStableFunc(g.inputs[i], func(a, b aggInput) int {
		for j, k := range order {
			c, err := compareSortValues(eval, a.keys[j], b.keys[j], k)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	if firstErr != nil {
		return firstErr
	}
	for _, in := range g.inputs[i] {
		if err := g.states[i].add(in.v, in.sep); err != nil {
			return err
		}
	}
	g.inputs[i] = nil
	return nil
}

func (it *aggIter) Close() {
	if it.in != nil {
		it.in.Close()
		it.in = nil
	}
	it.groups = nil
}
