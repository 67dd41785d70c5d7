package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// emptyIter yields no rows.
type emptyIter struct{}

func (emptyIter) Next(context.Context) (sqltypes.Row, error) { return nil, io.EOF }
func (emptyIter) Close()                                     {}

// evalCtx is the expression context of a run (never nil).
func (e *Env) evalCtx() *expr.Context {
	if e == nil || e.Eval == nil {
		return &expr.Context{}
	}
	return e.Eval
}

// sortMemLimit is the Sort memory bound in bytes.
func (e *Env) sortMemLimit() int64 {
	if e == nil || e.SortMemLimit <= 0 {
		return defaultSortMemLimit
	}
	return e.SortMemLimit
}

const defaultSortMemLimit = 64 << 20
