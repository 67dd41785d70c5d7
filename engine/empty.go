package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Empty)(nil)

// Empty yields no rows and reads nothing: the plan of a statement whose WHERE
// clause can never be true (WHERE false, x = NULL).
type Empty struct {
	Out []catalog.Column
}

func (n *Empty) Columns() []sqltypes.Column { return sqlColumns(n.Out) }

func (*Empty) Describe() *Description {
	d := &Description{Op: "Empty"}
	return d.add("Reason", "the condition is never true; nothing is read")
}

func (*Empty) Open(context.Context, *Env) (Iter, error) { return emptyIter{}, nil }
