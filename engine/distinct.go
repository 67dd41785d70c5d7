package engine

import (
	"context"
	"strconv"
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Distinct)(nil)

// Distinct streams its input, keeping the first row of each set of rows equal
// on the columns On (nil: every column; NULLs are equal here, as in SQL's
// DISTINCT). With DISTINCT ON the input is sorted first, so "first" is the
// first in ORDER BY order. The keys it holds count against Env.SortMemLimit.
type Distinct struct {
	Input Node
	On    []int
}

func (n *Distinct) Columns() []sqltypes.Column { return n.Input.Columns() }

func (n *Distinct) Describe() *Description {
	d := &Description{Op: "Distinct", Children: []*Description{n.Input.Describe()}}
	if n.On != nil {
		cols := n.Input.Columns()
		names := make([]string, len(n.On))
		for i, c := range n.On {
			names[i] = strconv.Itoa(c+1) + ":" + cols[c].Name
		}
		d.add("On", strings.Join(names, ", "))
	}
	return d
}

func (n *Distinct) Open(ctx context.Context, env *Env) (Iter, error) {
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &distinctIter{n: n, in: in, seen: map[string]bool{}, limit: env.sortMemLimit()}, nil
}

type distinctIter struct {
	n     *Distinct
	in    Iter
	seen  map[string]bool
	used  int64
	limit int64
}

func (it *distinctIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for {
		row, err := it.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		key := row
		if it.n.On != nil {
			key = make(sqltypes.Row, len(it.n.On))
			for i, c := range it.n.On {
				key[i] = row[c]
			}
		}
		k := string(rowKey(key))
		if it.seen[k] {
			continue
		}
		if it.used += int64(len(k)) + 48; it.used > it.limit {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded,
				"DISTINCT needs more than %s of memory", formatBytes(it.limit)).
				WithHint("narrow the rows with WHERE conditions")
		}
		it.seen[k] = true
		return row, nil
	}
}

func (it *distinctIter) Close() {
	it.in.Close()
	it.seen = nil
}
