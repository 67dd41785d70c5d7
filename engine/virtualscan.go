package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*VirtualScan)(nil)

// VirtualScan reads a pg_catalog or information_schema relation: its rows are
// computed at Open from Env.System (the tables this user may see, settings
// ...), then streamed.
type VirtualScan struct {
	Rel *system.Relation
}

func (n *VirtualScan) Columns() []sqltypes.Column { return n.Rel.Columns }

func (n *VirtualScan) Describe() *Description {
	d := &Description{Op: "Virtual Scan"}
	return d.add("Relation", n.Rel.Schema+"."+n.Rel.Name)
}

func (n *VirtualScan) Open(ctx context.Context, env *Env) (Iter, error) {
	if env == nil || env.System == nil {
		return nil, pgerr.New(pgerr.InternalError, "relation %s.%s cannot be read here: no system catalog environment", n.Rel.Schema, n.Rel.Name)
	}
	rows, err := n.Rel.Rows(ctx, env.System)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.CodeOf(err), "reading %s.%s", n.Rel.Schema, n.Rel.Name)
	}
	return &memRowsIter{rows: rows}, nil
}

// memRowsIter yields rows held in memory.
type memRowsIter struct {
	rows []sqltypes.Row
	pos  int
}

func (it *memRowsIter) Next(context.Context) (sqltypes.Row, error) {
	if it.pos >= len(it.rows) {
		return nil, io.EOF
	}
	it.pos++
	return it.rows[it.pos-1], nil
}

func (it *memRowsIter) Close() { it.rows = nil }
