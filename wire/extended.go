package wire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// This file is the extended query protocol
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY):
// Parse makes a prepared statement, Bind a portal from it, Describe tells
// their shapes, Execute runs a portal (possibly a few rows at a time), Close
// drops either, Sync ends the cycle with ReadyForQuery. Any error sends
// ErrorResponse and discards messages until Sync (stateDiscarding).

// prepared is a prepared statement. Portals keep it alive after it is closed
// or replaced, as PostgreSQL's portals keep their plan.
type prepared struct {
	stmt Statement // nil for the empty query
	refs int       // 1 while named in conn.stmts, +1 per portal
}

func (p *prepared) empty() bool { return p.stmt == nil || p.stmt.Empty() }

func (p *prepared) release() {
	p.refs--
	if p.refs == 0 && p.stmt != nil {
		p.stmt.Close()
	}
}

// portal is a bound statement.
type portal struct {
	src  *prepared
	p    Portal // nil for the empty query
	done bool   // ran to completion; tag is its CommandComplete
	tag  string
}

// extendedError reports an error in an extended-protocol message and starts
// discarding until Sync.
func (c *conn) extendedError(err error) error {
	return c.extendedErrorCtx(c.ctx, err)
}

// extendedErrorCtx is extendedError for an error that happened under a
// statement ctx, so a cancellation is reported as such (57014).
func (c *conn) extendedErrorCtx(ctx context.Context, err error) error {
	c.setState(stateDiscarding)
	return c.sendError(ctx, err)
}

// handleParse makes a prepared statement. The unnamed one is replaced; a
// named one must not exist yet (42P05). One statement at most (42601).
func (c *conn) handleParse(m *pgproto3.Parse) error {
	if m.Name == "" {
		c.closeStatement("")
	} else if _, ok := c.stmts[m.Name]; ok {
		return c.extendedError(pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name))
	}
	ctx, done := c.statementCtx()
	stmts, err := c.sess.Prepare(ctx, m.Query, m.ParameterOIDs)
	if err != nil {
		err = c.extendedErrorCtx(ctx, err)
		done()
		return err
	}
	done()
	if len(stmts) > 1 {
		for _, st := range stmts {
			st.Close()
		}
		return c.extendedError(pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement"))
	}
	ps := &prepared{refs: 1}
	if len(stmts) == 1 {
		ps.stmt = stmts[0]
	}
	c.stmts[m.Name] = ps
	return c.out.send(&pgproto3.ParseComplete{})
}

// handleBind makes a portal from a prepared statement and parameter values.
func (c *conn) handleBind(m *pgproto3.Bind) error {
	ps, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return c.extendedError(pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", m.PreparedStatement))
	}
	if m.DestinationPortal == "" {
		c.closePortal("")
	} else if _, ok := c.portals[m.DestinationPortal]; ok {
		return c.extendedError(pgerr.New(pgerr.DuplicateCursor, "portal %q already exists", m.DestinationPortal))
	}
	if err := checkBind(m, ps); err != nil {
		return c.extendedError(err)
	}
	pt := &portal{src: ps}
	if !ps.empty() {
		ctx, done := c.statementCtx()
		// pgproto3's values point into its read buffer, which the next
		// Receive reuses; a portal may keep them until a later Execute.
		p, err := ps.stmt.Bind(ctx, copyValues(m.Parameters), m.ParameterFormatCodes, m.ResultFormatCodes)
		if err != nil {
			err = c.extendedErrorCtx(ctx, err)
			done()
			return err
		}
		done()
		pt.p = p
	}
	ps.refs++
	c.portals[m.DestinationPortal] = pt
	return c.out.send(&pgproto3.BindComplete{})
}

// checkBind validates counts and format codes before the session sees them.
func checkBind(m *pgproto3.Bind, ps *prepared) error {
	n := len(m.Parameters)
	if f := len(m.ParameterFormatCodes); f > 1 && f != n {
		return pgerr.New(pgerr.ProtocolViolation, "bind message has %d parameter formats but %d parameters", f, n)
	}
	want, cols := 0, 0
	if !ps.empty() {
		want, cols = len(ps.stmt.ParamTypes()), len(ps.stmt.Fields())
	}
	if n != want {
		return pgerr.New(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", n, want)
	}
	if f := len(m.ResultFormatCodes); f > 1 && f != cols {
		return pgerr.New(pgerr.ProtocolViolation, "bind message has %d result formats but query has %d columns", f, cols)
	}
	for _, codes := range [][]int16{m.ParameterFormatCodes, m.ResultFormatCodes} {
		for _, f := range codes {
			if f != 0 && f != 1 {
				return pgerr.New(pgerr.InvalidParameterValue, "unsupported format code: %d", f)
			}
		}
	}
	return nil
}

// copyValues copies parameter values out of the read buffer into one
// allocation (bounded by the message size). nil stays nil (NULL).
func copyValues(vals [][]byte) [][]byte {
	total := 0
	for _, v := range vals {
		total += len(v)
	}
	buf := make([]byte, 0, total)
	out := make([][]byte, len(vals))
	for i, v := range vals {
		if v == nil {
			continue
		}
		start := len(buf)
		buf = append(buf, v...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

// handleDescribe answers Describe: for a statement ParameterDescription and
// RowDescription (text formats) or NoData; for a portal RowDescription with
// the bound result formats, or NoData.
func (c *conn) handleDescribe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		ps, ok := c.stmts[m.Name]
		if !ok {
			return c.extendedError(pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", m.Name))
		}
		var params []uint32
		var fields []FieldDesc
		if !ps.empty() {
			params, fields = ps.stmt.ParamTypes(), ps.stmt.Fields()
		}
		if err := c.out.send(&pgproto3.ParameterDescription{ParameterOIDs: params}); err != nil {
			return err
		}
		return c.sendFields(fields)
	case 'P':
		pt, ok := c.portals[m.Name]
		if !ok {
			return c.extendedError(pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", m.Name))
		}
		var fields []FieldDesc
		if pt.p != nil {
			fields = pt.p.Fields()
		}
		return c.sendFields(fields)
	default:
		return c.extendedError(pgerr.New(pgerr.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType))
	}
}

// sendFields sends RowDescription, or NoData when there are no result columns.
func (c *conn) sendFields(fields []FieldDesc) error {
	if fields == nil {
		return c.out.send(&pgproto3.NoData{})
	}
	return c.out.send(rowDescription(fields))
}

// handleExecute runs a portal, at most MaxRows rows (0 = all). A portal that
// stops at the limit answers PortalSuspended, and the next Execute resumes it.
func (c *conn) handleExecute(m *pgproto3.Execute) error {
	pt, ok := c.portals[m.Portal]
	if !ok {
		return c.extendedError(pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", m.Portal))
	}
	if pt.p == nil {
		return c.out.send(&pgproto3.EmptyQueryResponse{})
	}
	if pt.done {
		// A finished portal yields nothing more; it is not run twice.
		return c.out.send(&pgproto3.CommandComplete{CommandTag: []byte(pt.tag)})
	}
	// max_rows is an int32 on the wire; zero or negative means all rows.
	maxRows := max(int(int32(m.MaxRows)), 0)
	ctx, done := c.statementCtx()
	tag, suspended, err := c.execute(ctx, pt.p, maxRows)
	if err != nil {
		err = c.extendedErrorCtx(ctx, err)
		done()
		// A failed portal cannot be resumed.
		c.closePortal(m.Portal)
		return err
	}
	done()
	if suspended {
		if err := c.out.send(&pgproto3.PortalSuspended{}); err != nil {
			return err
		}
		return c.out.flush()
	}
	pt.done, pt.tag = true, tag
	return c.out.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

// handleClose drops a statement or portal; closing one that does not exist
// is not an error.
func (c *conn) handleClose(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		c.closeStatement(m.Name)
	case 'P':
		c.closePortal(m.Name)
	default:
		return c.extendedError(pgerr.New(pgerr.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType))
	}
	return c.out.send(&pgproto3.CloseComplete{})
}

// handleSync ends an extended-query cycle: stop discarding, drop portals if
// the implicit transaction ended, ReadyForQuery.
func (c *conn) handleSync() error {
	c.setState(stateBusy)
	c.endOfTransaction()
	return c.readyForQuery()
}

// endOfTransaction drops every portal when no transaction block is open:
// portals live until the end of their transaction
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY;
// we hold no WITH HOLD cursors).
func (c *conn) endOfTransaction() {
	if c.sess.TxStatus() == 'I' {
		c.closeAllPortals()
	}
}

func (c *conn) closeStatement(name string) {
	if ps, ok := c.stmts[name]; ok {
		delete(c.stmts, name)
		ps.release()
	}
}

func (c *conn) closePortal(name string) {
	if pt, ok := c.portals[name]; ok {
		delete(c.portals, name)
		if pt.p != nil {
			pt.p.Close()
		}
		pt.src.release()
	}
}

func (c *conn) closeAllPortals() {
	for name := range c.portals {
		c.closePortal(name)
	}
}
