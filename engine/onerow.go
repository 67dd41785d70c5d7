package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*OneRow)(nil)

// OneRow yields a single row with no columns: the input of a SELECT without
// FROM.
type OneRow struct{}

func (*OneRow) Columns() []sqltypes.Column { return nil }

func (*OneRow) Describe() *Description { return &Description{Op: "Result"} }

func (*OneRow) Open(context.Context, *Env) (Iter, error) { return &oneRowIter{}, nil }

type oneRowIter struct{ done bool }

func (it *oneRowIter) Next(context.Context) (sqltypes.Row, error) {
	if it.done {
		return nil, io.EOF
	}
	it.done = true
	return sqltypes.Row{}, nil
}

func (*oneRowIter) Close() {}
