package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var (
	_ Node = (*RecursiveUnion)(nil)
	_ Node = (*WorkTableScan)(nil)
)

// RecursiveUnion is WITH RECURSIVE's "non-recursive term UNION [ALL]
// recursive term": it yields Init's rows, then runs Step again and again,
// each time over the rows the previous run produced (read by Step's
// WorkTableScan), until a run produces no new row. Without All, a row
// already produced is dropped, as PostgreSQL does. The rows held count
// against Env.SortMemLimit.
type RecursiveUnion struct {
	Init Node
	Step Node
	All  bool
}

func (n *RecursiveUnion) Columns() []sqltypes.Column { return n.Init.Columns() }

func (n *RecursiveUnion) Describe() *Description {
	op := "Recursive Union"
	if n.All {
		op += " All"
	}
	return &Description{Op: op, Children: []*Description{n.Init.Describe(), n.Step.Describe()}}
}

func (n *RecursiveUnion) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx)
	in, err := n.Init.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &recursiveIter{n: n, env: env, in: in, seen: map[string]bool{}, limit: env.sortMemLimit()}, nil
}

type recursiveIter struct {
	n     *RecursiveUnion
	env   *Env
	in    Iter            // the term running now
	next  []sqltypes.Row  // what it produced so far: the next work table
	seen  map[string]bool // without All: every row produced
	used  int64
	limit int64
}

func (it *recursiveIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for {
		row, err := it.in.Next(ctx)
		if err == io.EOF {
			if len(it.next) == 0 {
				return nil, io.EOF
			}
			if err := it.step(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if !it.n.All {
			k := string(rowKey(row))
			if it.seen[k] {
				continue
			}
			it.seen[k] = true
		}
		if it.used += rowSize(row); it.used > it.limit {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "recursive query needs more than %s of memory", formatBytes(it.limit)).
				WithHint("add a condition that ends the recursion sooner")
		}
		it.next = append(it.next, append(sqltypes.Row(nil), row...))
		return row, nil
	}
}

// step makes the rows of the last run the work table and starts Step.
func (it *recursiveIter) step(ctx context.Context) error {
	it.in.Close()
	it.in = nil
	it.env.evalCtx()
	it.env.run.work[it.n] = it.next
	if it.n.All {
		it.used = 0 // UNION ALL holds only the work table
	}
	it.next = nil
	in, err := it.n.Step.Open(ctx, it.env)
	if err != nil {
		return err
	}
	it.in = in
	return nil
}

func (it *recursiveIter) Close() {
	if it.in != nil {
		it.in.Close()
	}
	if it.env.run != nil {
		delete(it.env.run.work, it.n)
	}
}

// WorkTableScan reads the work table of the RecursiveUnion it is in: the
// rows its previous run produced.
type WorkTableScan struct {
	Union *RecursiveUnion // set once the union is built
	Out   []sqltypes.Column
}

func (n *WorkTableScan) Columns() []sqltypes.Column { return n.Out }

func (n *WorkTableScan) Describe() *Description { return &Description{Op: "WorkTable Scan"} }

func (n *WorkTableScan) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx)
	rows, ok := env.run.work[n.Union]
	if !ok {
		return nil, pgerr.New(pgerr.InternalError, "work table read outside of its recursive query")
	}
	return &workIter{rows: rows}, nil
}

type workIter struct{ rows []sqltypes.Row }

func (it *workIter) Next(context.Context) (sqltypes.Row, error) {
	if len(it.rows) == 0 {
		return nil, io.EOF
	}
	row := it.rows[0]
	it.rows = it.rows[1:]
	return append(sqltypes.Row(nil), row...), nil
}

func (it *workIter) Close() {}
