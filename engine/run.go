package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// runState is what one execution of a plan shares across the Envs derived
// for correlated subqueries and lateral joins.
type runState struct {
	// ctx is the context of the Next call currently running: expressions
	// are evaluated without a ctx, so a subquery inside one runs its plan
	// under the ctx of the operator evaluating it.
	ctx context.Context
	// once caches the results of uncorrelated subqueries: they are run at
	// most once per execution.
	once map[*Subquery]*subqueryResult
	// work is the work table of each running WITH RECURSIVE query.
	work map[*RecursiveUnion][]sqltypes.Row
}

// runHandle rides at the end of expr.Context.Params, after the statement's
// own parameters (which $n never reaches past): it is how an expression node
// built by this package (Subquery) finds the Env it runs in, since
// expr.Context has no slot for an executor.
type runHandle struct{ env *Env }

func (e *Env) newEvalCtx() *expr.Context {
	if e.run == nil {
		e.run = &runState{once: map[*Subquery]*subqueryResult{}, work: map[*RecursiveUnion][]sqltypes.Row{}}
	}
	var c expr.Context
	if e.Eval != nil {
		c = *e.Eval
	}
	params := make([]sqltypes.Value, len(c.Params), len(c.Params)+1)
	copy(params, c.Params)
	c.Params = append(params, &runHandle{env: e})
	return &c
}

// enter records ctx as the context of the running Next (see runState.ctx).
func (e *Env) enter(ctx context.Context) {
	if e == nil {
		return
	}
	e.evalCtx()
	e.run.ctx = ctx
}

// withOuter derives the Env that runs an inner plan for one row of an outer
// one: the row becomes the innermost entry of Outer (Depth 1).
func (e *Env) withOuter(row sqltypes.Row) *Env {
	e.evalCtx()
	d := *e
	ev := *e.evalCtx()
	ev.Params = ev.Params[:len(ev.Params)-1] // the handle; re-added for d
	ev.Outer = append(append(make([]sqltypes.Row, 0, len(ev.Outer)+1), ev.Outer...), row)
	d.Eval, d.eval = &ev, nil
	d.eval = d.newEvalCtx()
	return &d
}

// envOf finds the Env an expression is being evaluated in.
func envOf(c *expr.Context) (*Env, context.Context, error) {
	if c != nil && len(c.Params) > 0 {
		if h, ok := c.Params[len(c.Params)-1].(*runHandle); ok && h.env.run.ctx != nil {
			return h.env, h.env.run.ctx, nil
		}
	}
	return nil, nil, pgerr.New(pgerr.InternalError, "subquery evaluated outside of a running plan")
}
