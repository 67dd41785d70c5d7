package engine

import (
	"context"
	"strings"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*HashJoin)(nil)

// HashJoin joins on equalities: it reads Right whole into a hash table keyed
// by RightKeys, then streams Left, probing with LeftKeys (evaluated over the
// left row). Pred is what remains of the join condition, evaluated over the
// joined row (left columns, then right). NULL keys never match, as with SQL's
// =. Keys of one pair must hash alike when equal: the planner pairs only
// types whose equal values encode alike (integers with numeric, text types).
type HashJoin struct {
	Kind      JoinKind
	Left      Node
	Right     Node
	LeftKeys  []expr.Expr
	RightKeys []expr.Expr
	Pred      expr.Expr
}

func (n *HashJoin) Columns() []sqltypes.Column { return joinColumns(n.Left, n.Right) }

func (n *HashJoin) Describe() *Description {
	d := &Description{Op: "Hash " + n.Kind.String() + " Join", Children: []*Description{n.Left.Describe(), n.Right.Describe()}}
	conds := make([]string, len(n.LeftKeys))
	for i := range n.LeftKeys {
		conds[i] = n.LeftKeys[i].String() + " = " + n.RightKeys[i].String()
	}
	d.add("Hash Cond", strings.Join(conds, " AND "))
	if n.Pred != nil {
		d.add("Join Filter", n.Pred.String())
	}
	return d
}

func (n *HashJoin) Open(ctx context.Context, env *Env) (Iter, error) {
	left, err := n.Left.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	it := &joinIter{kind: n.Kind, env: env, left: left, pred: n.Pred,
		leftWidth: len(n.Left.Columns()), rightWidth: len(n.Right.Columns())}
	it.right = func(ctx context.Context) (*joinBuild, error) {
		return loadRight(ctx, env, n.Right, n.RightKeys, "hash join")
	}
	it.candidates = func(c *expr.Context, l sqltypes.Row) ([]int, error) {
		k, ok, err := hashKey(c, n.LeftKeys, l)
		if err != nil || !ok {
			return nil, err
		}
		return it.build.buckets[k], nil
	}
	return it, nil
}
