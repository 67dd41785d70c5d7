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

var _ Node = (*Sort)(nil)

// SortKey is one ORDER BY item.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

func (k SortKey) String() string {
	s := k.Expr.String()
	if k.Desc {
		s += " DESC"
	}
	// PostgreSQL's default is NULLS LAST ascending, NULLS FIRST descending.
	if k.NullsFirst != k.Desc {
		if k.NullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
	}
	return s
}

// Sort orders its input locally. It must hold every input row, so it counts
// their size and fails with 54000 past Env.SortMemLimit rather than
// exhausting memory. The sort is stable: ties keep input order.
type Sort struct {
	Input Node
	Keys  []SortKey
}

func (n *Sort) Columns() []sqltypes.Column { return n.Input.Columns() }

func (n *Sort) Describe() *Description {
	keys := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		keys[i] = k.String()
	}
	d := &Description{Op: "Sort", Children: []*Description{n.Input.Describe()}}
	return d.add("Sort Key", strings.Join(keys, ", "))
}

type sortedRow struct {
	keys sqltypes.Row
	row  sqltypes.Row
}

func (n *Sort) Open(ctx context.Context, env *Env) (Iter, error) {
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &sortIter{n: n, env: env, in: in}, nil
}

// load reads the whole input with the sort keys evaluated, within the memory
// bound.
func (n *Sort) load(ctx context.Context, env *Env, in Iter) ([]sortedRow, error) {
	limit, used := env.sortMemLimit(), int64(0)
	eval := env.evalCtx()
	var rows []sortedRow
	for {
		row, err := in.Next(ctx)
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		env.enter(ctx)
		keys := make(sqltypes.Row, len(n.Keys))
		for i, k := range n.Keys {
			if keys[i], err = k.Expr.Eval(eval, row); err != nil {
				return nil, err
			}
		}
		used += rowSize(row) + rowSize(keys)
		if used > limit {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded,
				"ORDER BY needs more than %s of memory to sort the rows locally", formatBytes(limit)).
				WithHint("add a WHERE or LIMIT clause, order by the table's sort key within one partition, or raise the sort memory limit")
		}
		rows = append(rows, sortedRow{keys: keys, row: row})
	}
}

func (n *Sort) sort(eval *expr.Context, rows []sortedRow) error {
	var firstErr error
	slices.SortStableFunc(rows, func(a, b sortedRow) int {
		for i, k := range n.Keys {
			c, err := compareSortValues(eval, a.keys[i], b.keys[i], k)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return firstErr
}

// compareSortValues orders two key values with NULL placement and direction.
func compareSortValues(eval *expr.Context, a, b sqltypes.Value, k SortKey) (int, error) {
	switch {
	case a == nil && b == nil:
		return 0, nil
	case a == nil:
		if k.NullsFirst {
			return -1, nil
		}
		return 1, nil
	case b == nil:
		if k.NullsFirst {
			return 1, nil
		}
		return -1, nil
	}
	c, err := compareValues(eval, a, b, k.Expr.Type())
	if k.Desc {
		c = -c
	}
	return c, err
}

// sortIter reads and sorts its input at the first Next, so the reads run
// under that call's ctx.
type sortIter struct {
	n    *Sort
	env  *Env
	in   Iter // nil once loaded
	rows []sortedRow
	pos  int
}

func (it *sortIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if it.in != nil {
		rows, err := it.n.load(ctx, it.env, it.in)
		it.in.Close()
		it.in = nil
		if err != nil {
			return nil, err
		}
		if err := it.n.sort(it.env.evalCtx(), rows); err != nil {
			return nil, err
		}
		it.rows = rows
	}
	if it.pos >= len(it.rows) {
		return nil, io.EOF
	}
	r := it.rows[it.pos].row
	it.rows[it.pos] = sortedRow{}
	it.pos++
	return r, nil
}

func (it *sortIter) Close() {
	if it.in != nil {
		it.in.Close()
		it.in = nil
	}
	it.rows = nil
}
