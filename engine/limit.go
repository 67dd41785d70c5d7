package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Limit)(nil)

// SQLSTATEs of a negative LIMIT or OFFSET (PostgreSQL's
// invalid_row_count_in_limit_clause and ..._result_offset_clause).
const (
	invalidRowCountInLimit  = "2201W"
	invalidRowCountInOffset = "2201X"
)

// Limit skips Offset rows and then yields at most Count. Both are bigint
// expressions evaluated once at Open (literals or parameters); nil or NULL
// means no limit / no offset. Once Count rows are out it stops pulling its
// input, so the access path below fetches no further page.
type Limit struct {
	Input  Node
	Count  expr.Expr
	Offset expr.Expr
	// Ties (FETCH ... WITH TIES) are the ORDER BY keys of the sorted input:
	// after Count rows, the rows that are peers of the last one follow.
	Ties []SortKey
}

func (n *Limit) Columns() []sqltypes.Column { return n.Input.Columns() }

func (n *Limit) Describe() *Description {
	d := &Description{Op: "Limit", Children: []*Description{n.Input.Describe()}}
	if n.Count != nil {
		d.add("Count", n.Count.String())
	}
	if n.Offset != nil {
		d.add("Offset", n.Offset.String())
	}
	if n.Ties != nil {
		d.add("With Ties", "true")
	}
	return d
}

func (n *Limit) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx) // LIMIT (SELECT ...) runs its subquery now
	count, err := evalRowCount(env.evalCtx(), n.Count, invalidRowCountInLimit, "LIMIT")
	if err != nil {
		return nil, err
	}
	offset, err := evalRowCount(env.evalCtx(), n.Offset, invalidRowCountInOffset, "OFFSET")
	if err != nil {
		return nil, err
	}
	if count == 0 {
		return emptyIter{}, nil // LIMIT 0 reads nothing
	}
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &limitIter{in: in, left: count, skip: max(offset, 0), ties: n.Ties, eval: env.evalCtx()}, nil
}

// evalRowCount evaluates a LIMIT or OFFSET; -1 stands for none.
func evalRowCount(ctx *expr.Context, e expr.Expr, code, clause string) (int64, error) {
	if e == nil {
		return -1, nil
	}
	v, err := e.Eval(ctx, nil)
	if err != nil || v == nil {
		return -1, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, pgerr.New(pgerr.DatatypeMismatch, "argument of %s must be type bigint", clause)
	}
	if n < 0 {
		return 0, pgerr.New(code, "%s must not be negative", clause)
	}
	return n, nil
}

type limitIter struct {
	in   Iter
	left int64 // rows still to yield; -1: unlimited
	skip int64
	ties []SortKey
	eval *expr.Context
	last sqltypes.Row // WITH TIES: the ORDER BY values of the last row
}

func (it *limitIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for ; it.skip > 0; it.skip-- {
		if _, err := it.in.Next(ctx); err != nil {
			return nil, err
		}
	}
	if it.left == 0 {
		return it.nextTie(ctx)
	}
	row, err := it.in.Next(ctx)
	if err != nil {
		return nil, err
	}
	if it.left > 0 {
		it.left--
		if it.left == 0 && it.ties != nil {
			if it.last, err = it.keys(row); err != nil {
				return nil, err
			}
		}
	}
	return row, nil
}

// nextTie is the next input row when it is a peer of the last one
// (WITH TIES), else the end.
func (it *limitIter) nextTie(ctx context.Context) (sqltypes.Row, error) {
	if it.last == nil {
		return nil, io.EOF
	}
	row, err := it.in.Next(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := it.keys(row)
	if err != nil {
		return nil, err
	}
	for i, k := range it.ties {
		a, b := keys[i], it.last[i]
		if a == nil || b == nil {
			if a != nil || b != nil {
				it.last = nil
				return nil, io.EOF
			}
			continue
		}
		c, err := compareValues(it.eval, a, b, k.Expr.Type())
		if err != nil {
			return nil, err
		}
		if c != 0 {
			it.last = nil
			return nil, io.EOF
		}
	}
	return row, nil
}

func (it *limitIter) keys(row sqltypes.Row) (sqltypes.Row, error) {
	out := make(sqltypes.Row, len(it.ties))
	for i, k := range it.ties {
		v, err := k.Expr.Eval(it.eval, row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (it *limitIter) Close() { it.in.Close() }
