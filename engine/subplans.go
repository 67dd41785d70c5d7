package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*SubPlans)(nil)

// SubPlans runs Input unchanged; it exists so that EXPLAIN shows the plans of
// the subqueries used in Input's expressions, as PostgreSQL shows InitPlan
// and SubPlan nodes.
type SubPlans struct {
	Input Node
	Subs  []*Subquery
}

func (n *SubPlans) Columns() []sqltypes.Column { return n.Input.Columns() }

func (n *SubPlans) Describe() *Description {
	d := n.Input.Describe()
	for _, s := range n.Subs {
		d.Children = append(d.Children, s.Describe())
	}
	return d
}

func (n *SubPlans) Open(ctx context.Context, env *Env) (Iter, error) {
	env.enter(ctx)
	return n.Input.Open(ctx, env)
}
