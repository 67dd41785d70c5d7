package wire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"
)

// handleQuery runs a simple-protocol Query
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SIMPLE-QUERY):
// each statement of the string in turn, stopping at the first error, and
// always ReadyForQuery at the end. Like PostgreSQL, a Query
// drops the unnamed prepared statement and portal.
func (c *conn) handleQuery(m *pgproto3.Query) error {
	c.closePortal("")
	c.closeStatement("")
	ctx, done := c.statementCtx()
	err := c.runSimple(ctx, m.String)
	if err != nil {
		err = c.sendError(ctx, err)
	}
	done()
	if err != nil {
		return err
	}
	c.endOfTransaction()
	return c.readyForQuery()
}

// runSimple prepares the query string and runs its statements. An empty
// string (or only comments) answers EmptyQueryResponse.
func (c *conn) runSimple(ctx context.Context, text string) error {
	stmts, err := c.sess.Prepare(ctx, text, nil)
	if err != nil {
		return err
	}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	ran := false
	for _, st := range stmts {
		if st.Empty() {
			continue
		}
		ran = true
		if err := c.runSimpleStatement(ctx, st); err != nil {
			return err
		}
	}
	if !ran {
		return c.out.send(&pgproto3.EmptyQueryResponse{})
	}
	return nil
}

// runSimpleStatement binds one statement (no parameters, text results) and
// runs it to completion: RowDescription, DataRows, CommandComplete.
func (c *conn) runSimpleStatement(ctx context.Context, st Statement) error {
	p, err := st.Bind(ctx, nil, nil, nil)
	if err != nil {
		return err
	}
	defer p.Close()
	if f := p.Fields(); f != nil {
		if err := c.out.send(rowDescription(f)); err != nil {
			return err
		}
	}
	tag, _, err := c.execute(ctx, p, 0)
	if err != nil {
		return err
	}
	return c.out.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

// rowDescription encodes result columns.
func rowDescription(fields []FieldDesc) *pgproto3.RowDescription {
	out := make([]pgproto3.FieldDescription, len(fields))
	for i, f := range fields {
		out[i] = pgproto3.FieldDescription{
			Name: []byte(f.Name), TableOID: f.TableOID, TableAttributeNumber: uint16(f.AttNum),
			DataTypeOID: f.TypeOID, DataTypeSize: f.TypeSize, TypeModifier: f.TypeModifier, Format: f.Format,
		}
	}
	return &pgproto3.RowDescription{Fields: out}
}
