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

// evalCtx is the expression context of a run (never nil). It is Eval with a
// handle to this Env appended after the statement's parameters, so that a
// subquery evaluated inside an expression can run its plan (see runHandle).
func (e *Env) evalCtx() *expr.Context {
	if e == nil {
		return &expr.Context{}
	}
	if e.eval == nil {
		e.eval = e.newEvalCtx()
	}
	return e.eval
}

// sortMemLimit is the Sort memory bound in bytes.
func (e *Env) sortMemLimit() int64 {
	if e == nil || e.SortMemLimit <= 0 {
		return defaultSortMemLimit
	}
	return e.SortMemLimit
}

const defaultSortMemLimit = 64 << 20
