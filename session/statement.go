package session

import (
	"context"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/translate"
	"github.com/fazproxy/fazproxy/wire"
)

// prepareOne turns one parsed statement into a wire.Statement. Queries are
// planned now (Describe needs their columns); utility statements run at Execute.
func (s *Session) prepareOne(ctx context.Context, st translate.Stmt, paramTypes []uint32) (wire.Statement, error) {
	n := st.Node
	if err := s.checkAborted(endsTransaction(n)); err != nil {
		return nil, err
	}
	if c := n.GetCopyStmt(); c != nil {
		return s.prepareCopy(ctx, c, st.Text) // copy.go
	}
	if plansWrite(n) {
		return s.prepareWrite(ctx, st, paramTypes) // write.go
	}
	if w := writeKind(n); w != "" {
		return nil, pgerr.Unsupported(w, "fazproxy writes with INSERT, UPDATE, DELETE, CREATE TABLE, CREATE INDEX and DROP TABLE").
			WithDetail("%s needs a write to DynamoDB.", w)
	}
	switch {
	case n.GetSelectStmt() != nil, n.GetExplainStmt() != nil:
		pl, err := s.planner.PlanQuery(ctx, n, paramTypes)
		if err != nil {
			return nil, err
		}
		tag := "SELECT"
		if n.GetExplainStmt() != nil {
			tag = "EXPLAIN"
		}
		return &queryStatement{s: s, plan: pl, text: st.Text, tag: tag}, nil
	case n.GetVariableSetStmt() != nil:
		v := n.GetVariableSetStmt()
		return s.utility(func(context.Context, wire.ResultWriter) (*result, error) { return s.execSet(v) }), nil
	case n.GetVariableShowStmt() != nil:
		return s.showStatement(n.GetVariableShowStmt().Name)
	case n.GetTransactionStmt() != nil:
		t := n.GetTransactionStmt()
		u := s.utility(func(ctx context.Context, _ wire.ResultWriter) (*result, error) { return s.execTransaction(ctx, t) })
		u.endsTx = endsTransaction(n)
		return u, nil
	case n.GetDiscardStmt() != nil:
		d := n.GetDiscardStmt()
		return s.utility(func(_ context.Context, out wire.ResultWriter) (*result, error) {
			return s.execDiscard(d, out)
		}), nil
	case n.GetDeallocateStmt() != nil:
		d := n.GetDeallocateStmt()
		return s.utility(func(_ context.Context, out wire.ResultWriter) (*result, error) {
			return s.execDeallocate(d, out)
		}), nil
	}
	return nil, pgerr.Unsupported(statementName(n), "fazproxy runs SELECT, EXPLAIN, SET, SHOW, RESET and transaction control")
}

// endsTransaction is PostgreSQL's IsTransactionExitStmt: the statements a
// failed block still accepts.
func endsTransaction(n *pg_query.Node) bool {
	t := n.GetTransactionStmt()
	if t == nil {
		return false
	}
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK,
		pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO, pg_query.TransactionStmtKind_TRANS_STMT_PREPARE:
		return true
	}
	return false
}

// writeKind names the statement when running it would write to DynamoDB
// (data changes, DDL, COPY, SELECT INTO, a data-modifying WITH), else "".
// It reads the parse tree, never the text.
func writeKind(n *pg_query.Node) string {
	switch {
	case n.GetInsertStmt() != nil:
		return "INSERT"
	case n.GetUpdateStmt() != nil:
		return "UPDATE"
	case n.GetDeleteStmt() != nil:
		return "DELETE"
	case n.GetMergeStmt() != nil:
		return "MERGE"
	case n.GetCopyStmt() != nil:
		return "COPY"
	case n.GetCreateStmt() != nil:
		return "CREATE TABLE"
	case n.GetCreateTableAsStmt() != nil:
		return "CREATE TABLE AS"
	case n.GetDropStmt() != nil:
		return "DROP"
	case n.GetIndexStmt() != nil:
		return "CREATE INDEX"
	case n.GetAlterTableStmt() != nil:
		return "ALTER TABLE"
	case n.GetTruncateStmt() != nil:
		return "TRUNCATE"
	case n.GetRenameStmt() != nil:
		return "ALTER ... RENAME"
	}
	if sel := n.GetSelectStmt(); sel != nil {
		if sel.IntoClause != nil {
			return "SELECT INTO"
		}
		if w := withWrites(sel.WithClause); w != "" {
			return w + " in WITH"
		}
	}
	if ex := n.GetExplainStmt(); ex != nil && ex.Query != nil {
		if w := writeKind(ex.Query); w != "" {
			return "EXPLAIN " + w
		}
	}
	return ""
}

func withWrites(w *pg_query.WithClause) string {
	if w == nil {
		return ""
	}
	for _, c := range w.Ctes {
		if cte := c.GetCommonTableExpr(); cte != nil && cte.Ctequery != nil {
			if k := writeKind(cte.Ctequery); k != "" {
				return k
			}
		}
	}
	return ""
}

// statementName is a readable name of a statement's kind for error messages
// (*pg_query.Node_VacuumStmt → "VACUUM").
func statementName(n *pg_query.Node) string {
	name := strings.TrimPrefix(fmt.Sprintf("%T", n.GetNode()), "*pg_query.Node_")
	name = strings.TrimSuffix(name, "Stmt")
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// emptyStatement is the empty query.
type emptyStatement struct{}

func (emptyStatement) Empty() bool              { return true }
func (emptyStatement) ParamTypes() []uint32     { return nil }
func (emptyStatement) Fields() []wire.FieldDesc { return nil }
func (emptyStatement) Close()                   {}
func (emptyStatement) Bind(context.Context, [][]byte, []int16, []int16) (wire.Portal, error) {
	return emptyPortal{}, nil
}

type emptyPortal struct{}

func (emptyPortal) Fields() []wire.FieldDesc { return nil }
func (emptyPortal) Close()                   {}
func (emptyPortal) Execute(context.Context, int, wire.ResultWriter) (string, bool, error) {
	return "", false, nil
}

// deferredStatement is one statement of a multi-statement query string,
// planned when it is bound (see Prepare).
type deferredStatement struct {
	s    *Session
	st   translate.Stmt
	stmt wire.Statement // nil until bound
}

func (d *deferredStatement) Empty() bool          { return false }
func (d *deferredStatement) ParamTypes() []uint32 { return nil }

func (d *deferredStatement) Fields() []wire.FieldDesc {
	if d.stmt == nil {
		return nil
	}
	return d.stmt.Fields()
}

func (d *deferredStatement) Close() {
	if d.stmt != nil {
		d.stmt.Close()
	}
}

func (d *deferredStatement) Bind(ctx context.Context, params [][]byte, paramFormats, resultFormats []int16) (wire.Portal, error) {
	if d.stmt == nil {
		pctx, cancel := d.s.statementContext(ctx)
		st, err := d.s.prepareOne(pctx, d.st, nil)
		err = d.s.interrupted(pctx, err)
		cancel()
		if err != nil {
			return nil, d.s.failed(err)
		}
		d.stmt = st
	}
	return d.stmt.Bind(ctx, params, paramFormats, resultFormats)
}

// queryStatement is a planned SELECT or EXPLAIN.
type queryStatement struct {
	s    *Session
	plan *translate.Plan
	text string
	tag  string // SELECT or EXPLAIN
}

func (q *queryStatement) Empty() bool              { return false }
func (q *queryStatement) ParamTypes() []uint32     { return q.plan.ParamTypes }
func (q *queryStatement) Fields() []wire.FieldDesc { return queryFields(q.plan.Columns, nil) }
func (q *queryStatement) Close()                   {}

// Bind decodes parameters and makes a portal; the plan runs at first Execute.
func (q *queryStatement) Bind(_ context.Context, params [][]byte, paramFormats, resultFormats []int16) (wire.Portal, error) {
	if err := q.s.checkAborted(false); err != nil {
		return nil, err
	}
	vals, err := decodeParams(q.plan.ParamTypes, params, paramFormats)
	if err != nil {
		return nil, q.s.failed(err)
	}
	formats, err := expandFormats(resultFormats, len(q.plan.Columns))
	if err != nil {
		return nil, q.s.failed(err)
	}
	return &queryPortal{s: q.s, stmt: q, params: vals, formats: formats}, nil
}

// decodeParams decodes Bind's raw parameters by their resolved types
// (an unresolved parameter is text, as PostgreSQL resolves unknown).
func decodeParams(types []uint32, raw [][]byte, formats []int16) ([]sqltypes.Value, error) {
	if len(raw) != len(types) {
		return nil, pgerr.New(pgerr.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement requires %d", len(raw), len(types))
	}
	fs, err := expandFormats(formats, len(raw))
	if err != nil {
		return nil, err
	}
	vals := make([]sqltypes.Value, len(raw))
	for i, b := range raw {
		if b == nil {
			continue // NULL
		}
		t := types[i]
		if t == 0 || t == sqltypes.Unknown {
			t = sqltypes.Text
		}
		var v sqltypes.Value
		if fs[i] == 1 {
			v, err = sqltypes.DecodeBinary(b, t)
		} else {
			v, err = sqltypes.DecodeText(b, t)
		}
		if err != nil {
			return nil, fmt.Errorf("parameter $%d: %w", i+1, err)
		}
		vals[i] = v
	}
	return vals, nil
}

// expandFormats applies the protocol's format-code rules: none = all text, one
// = all that one, else one per value.
func expandFormats(codes []int16, n int) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	default:
		if len(codes) != n {
			return nil, pgerr.New(pgerr.ProtocolViolation, "got %d format codes for %d values", len(codes), n)
		}
		copy(out, codes)
	}
	for _, c := range out {
		if c != 0 && c != 1 {
			return nil, pgerr.New(pgerr.ProtocolViolation, "unsupported format code: %d", c)
		}
	}
	return out, nil
}

// fieldDescs describes result columns; formats (nil at Describe Statement)
// are the result formats chosen at Bind.
func fieldDescs(cols []sqltypes.Column, formats []int16) []wire.FieldDesc {
	if cols == nil {
		return nil
	}
	out := make([]wire.FieldDesc, len(cols))
	for i, c := range cols {
		size := int16(-1)
		if info, ok := sqltypes.TypeInfo(c.Type); ok {
			size = info.Len
		}
		out[i] = wire.FieldDesc{Name: c.Name, TableOID: c.TableOID, AttNum: c.AttNum, TypeOID: c.Type,
			TypeSize: size, TypeModifier: c.Typmod}
		if formats != nil {
			out[i].Format = formats[i]
		}
	}
	return out
}
