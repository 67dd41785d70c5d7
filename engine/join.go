package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// JoinKind is the SQL join type.
type JoinKind int

const (
	JoinInner JoinKind = iota
	JoinLeft
	JoinRight
	JoinFull
)

func (k JoinKind) String() string {
	return [...]string{"Inner", "Left", "Right", "Full"}[k]
}

// joinColumns is the output of a join: the left row's columns, then the
// right row's.
func joinColumns(l, r Node) []sqltypes.Column {
	return append(append([]sqltypes.Column(nil), l.Columns()...), r.Columns()...)
}

// joinBuild is the materialized right side of a HashJoin or NestedLoopJoin.
type joinBuild struct {
	rows    []sqltypes.Row
	matched []bool // Right/Full joins: rows matched by some left row
	buckets map[string][]int
}

// loadRight reads the right input whole, within the memory bound; with keys
// it also hashes each row by them (rows with a NULL key can never match, and
// are kept only to be NULL-padded by Right and Full joins).
func loadRight(ctx context.Context, env *Env, in Node, keys []expr.Expr, op string) (*joinBuild, error) {
	it, err := in.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	b := &joinBuild{}
	if keys != nil {
		b.buckets = map[string][]int{}
	}
	limit, used := env.sortMemLimit(), int64(0)
	for {
		row, err := it.Next(ctx)
		if err == io.EOF {
			b.matched = make([]bool, len(b.rows))
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if used += rowSize(row); used > limit {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded,
				"%s needs more than %s of memory for its inner side", op, formatBytes(limit)).
				WithHint("narrow the joined relations with WHERE conditions, or join on a key so the rows are read by key")
		}
		if keys != nil {
			env.enter(ctx)
			k, ok, err := hashKey(env.evalCtx(), keys, row)
			if err != nil {
				return nil, err
			}
			if ok {
				b.buckets[k] = append(b.buckets[k], len(b.rows))
			}
		}
		b.rows = append(b.rows, row)
	}
}

// hashKey encodes a row's join key; ok is false when a part is NULL.
func hashKey(c *expr.Context, keys []expr.Expr, row sqltypes.Row) (string, bool, error) {
	var buf []byte
	for _, k := range keys {
		v, err := k.Eval(c, row)
		if err != nil || v == nil {
			return "", false, err
		}
		buf = valueKey(buf, v)
	}
	return string(buf), true, nil
}

// joinIter runs a join of a streamed left side against a materialized right
// side; candidates picks the right rows a left row may match.
type joinIter struct {
	kind       JoinKind
	env        *Env
	left       Iter
	right      func(ctx context.Context) (*joinBuild, error)
	build      *joinBuild
	candidates func(c *expr.Context, l sqltypes.Row) ([]int, error)
	pred       expr.Expr // residual condition over the joined row; nil: true
	rightWidth int
	leftWidth  int

	cur     sqltypes.Row // left row being joined
	cands   []int
	pos     int
	found   bool
	leftEOF bool
	tail    int // Right/Full: next build row to consider for NULL padding
}

func (it *joinIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if it.build == nil {
		b, err := it.right(ctx)
		if err != nil {
			return nil, err
		}
		it.build = b
	}
	it.env.enter(ctx)
	c := it.env.evalCtx()
	for !it.leftEOF {
		if it.cur == nil {
			row, err := it.left.Next(ctx)
			if err == io.EOF {
				it.leftEOF = true
				break
			}
			if err != nil {
				return nil, err
			}
			it.env.enter(ctx)
			if it.cands, err = it.candidates(c, row); err != nil {
				return nil, err
			}
			it.cur, it.pos, it.found = row, 0, false
		}
		for it.pos < len(it.cands) {
			i := it.cands[it.pos]
			it.pos++
			out := concatRows(it.cur, it.build.rows[i])
			ok, err := holds(c, it.pred, out)
			if err != nil {
				return nil, err
			}
			if ok {
				it.found = true
				it.build.matched[i] = true
				return out, nil
			}
		}
		l := it.cur
		it.cur = nil
		if !it.found && (it.kind == JoinLeft || it.kind == JoinFull) {
			return concatRows(l, make(sqltypes.Row, it.rightWidth)), nil
		}
	}
	if it.kind == JoinRight || it.kind == JoinFull {
		for it.tail < len(it.build.rows) {
			i := it.tail
			it.tail++
			if !it.build.matched[i] {
				return concatRows(make(sqltypes.Row, it.leftWidth), it.build.rows[i]), nil
			}
		}
	}
	return nil, io.EOF
}

func (it *joinIter) Close() {
	it.left.Close()
	it.build = nil
}

func concatRows(a, b sqltypes.Row) sqltypes.Row {
	out := make(sqltypes.Row, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// holds evaluates a join condition (nil is true; NULL is false).
func holds(c *expr.Context, pred expr.Expr, row sqltypes.Row) (bool, error) {
	if pred == nil {
		return true, nil
	}
	v, err := pred.Eval(c, row)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	return ok && b, nil
}

func allIndexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
