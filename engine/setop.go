package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*SetOp)(nil)

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind int

const (
	Union SetOpKind = iota
	Intersect
	Except
)

func (k SetOpKind) String() string { return [...]string{"Union", "Intersect", "Except"}[k] }

// SetOp combines two inputs of the same column types (the planner casts the
// branches to their common types). UNION ALL streams both inputs; UNION
// streams them keeping the first of equal rows (NULLs equal, as in SQL set
// operations); INTERSECT and EXCEPT read Right whole, counting its rows, then
// stream Left. The rows held count against Env.SortMemLimit.
type SetOp struct {
	Kind  SetOpKind
	All   bool
	Left  Node
	Right Node
}

func (n *SetOp) Columns() []sqltypes.Column { return n.Left.Columns() }

func (n *SetOp) Describe() *Description {
	op := n.Kind.String()
	if n.All {
		op += " All"
	}
	if n.Kind == Union && n.All {
		op = "Append"
	}
	return &Description{Op: op, Children: []*Description{n.Left.Describe(), n.Right.Describe()}}
}

func (n *SetOp) Open(ctx context.Context, env *Env) (Iter, error) {
	left, err := n.Left.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &setOpIter{n: n, env: env, left: left, seen: map[string]int{}, limit: env.sortMemLimit()}, nil
}

type setOpIter struct {
	n      *SetOp
	env    *Env
	left   Iter
	right  Iter // Union: the right input once the left is done
	counts map[string]int
	seen   map[string]int
	used   int64
	limit  int64
}

func (it *setOpIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if it.n.Kind != Union && it.counts == nil {
		if err := it.loadRight(ctx); err != nil {
			return nil, err
		}
	}
	for {
		row, err := it.nextInput(ctx)
		if err != nil {
			return nil, err
		}
		k := string(rowKey(row))
		keep, err := it.keep(k, row)
		if err != nil {
			return nil, err
		}
		if keep {
			return row, nil
		}
	}
}

// nextInput is the next row of Left, then (for Union) of Right.
func (it *setOpIter) nextInput(ctx context.Context) (sqltypes.Row, error) {
	if it.right == nil {
		row, err := it.left.Next(ctx)
		if err != io.EOF || it.n.Kind != Union {
			return row, err
		}
		if it.right, err = it.n.Right.Open(ctx, it.env); err != nil {
			return nil, err
		}
	}
	return it.right.Next(ctx)
}

func (it *setOpIter) keep(k string, row sqltypes.Row) (bool, error) {
	switch it.n.Kind {
	case Union:
		if it.n.All {
			return true, nil
		}
	case Intersect:
		if it.counts[k] == 0 {
			return false, nil
		}
		if it.n.All {
			it.counts[k]--
			return true, nil
		}
	case Except:
		if it.n.All {
			if it.counts[k] > 0 {
				it.counts[k]--
				return false, nil
			}
			return true, nil
		}
		if it.counts[k] > 0 {
			return false, nil
		}
	}
	if it.seen[k] > 0 {
		return false, nil
	}
	if err := it.hold(row); err != nil {
		return false, err
	}
	it.seen[k]++
	return true, nil
}

func (it *setOpIter) hold(row sqltypes.Row) error {
	if it.used += rowSize(row); it.used > it.limit {
		return pgerr.New(pgerr.ProgramLimitExceeded,
			"%s needs more than %s of memory", it.n.Kind, formatBytes(it.limit)).
			WithHint("use UNION ALL, or narrow the inputs with WHERE conditions")
	}
	return nil
}

func (it *setOpIter) loadRight(ctx context.Context) error {
	it.counts = map[string]int{}
	in, err := it.n.Right.Open(ctx, it.env)
	if err != nil {
		return err
	}
	defer in.Close()
	for {
		row, err := in.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := it.hold(row); err != nil {
			return err
		}
		it.counts[string(rowKey(row))]++
	}
}

func (it *setOpIter) Close() {
	it.left.Close()
	if it.right != nil {
		it.right.Close()
	}
	it.counts, it.seen = nil, nil
}

// rowKey encodes a whole row for duplicate detection.
func rowKey(row sqltypes.Row) []byte {
	var buf []byte
	for _, v := range row {
		buf = valueKey(buf, v)
	}
	return buf
}
