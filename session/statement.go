package session

import (
	"context"
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/translate"
	"github.com/fazproxy/fazproxy/wire"
)

// prepareOne turns one parsed statement into a wire.Statement. Queries are
// planned now (Describe needs their columns); utility statements run at Execute.
func (s *Session) prepareOne(ctx context.Context, st translate.Stmt, paramTypes []uint32) (wire.Statement, error) {
	if s.tx == txFailed && !endsTransaction(st.Node) {
		return nil, pgerr.New(pgerr.InFailedSQLTransaction,
			"current transaction is aborted, commands ignored until end of transaction block")
	}
	n := st.Node
	switch {
	case n.GetSelectStmt() != nil, n.GetExplainStmt() != nil:
		pl, err := s.planner.PlanQuery(ctx, n, paramTypes)
		if err != nil {
			return nil, err
		}
		return &queryStatement{s: s, plan: pl, text: st.Text}, nil
	case n.GetVariableSetStmt() != nil:
		return s.utility(func(ctx context.Context) (*result, error) { return s.execSet(n.GetVariableSetStmt()) }), nil
	case n.GetVariableShowStmt() != nil:
		return s.showStatement(n.GetVariableShowStmt().Name)
	case n.GetTransactionStmt() != nil:
		return s.utility(func(ctx context.Context) (*result, error) { return s.execTransaction(n.GetTransactionStmt()) }), nil
	case n.GetDiscardStmt() != nil:
		return s.utility(func(ctx context.Context) (*result, error) { return s.execDiscard(n.GetDiscardStmt()) }), nil
	case n.GetDeallocateStmt() != nil:
		return s.utility(func(ctx context.Context) (*result, error) { return &result{tag: "DEALLOCATE"}, nil }), nil
	case n.GetInsertStmt() != nil, n.GetUpdateStmt() != nil, n.GetDeleteStmt() != nil,
		n.GetCopyStmt() != nil, n.GetCreateStmt() != nil, n.GetDropStmt() != nil, n.GetIndexStmt() != nil:
		return nil, pgerr.Unsupported(statementName(n), "this fazproxy version reads DynamoDB through SQL; "+
			"writes are not available over SQL yet")
	}
	return nil, pgerr.Unsupported(statementName(n), "")
}

func endsTransaction(n *pg_query.Node) bool {
	t := n.GetTransactionStmt()
	if t == nil {
		return false
	}
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK,
		pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		return true
	}
	return false
}

// statementName is a readable name of a statement's kind for error messages.
func statementName(n *pg_query.Node) string {
	name := fmt.Sprintf("%T", n.GetNode())
	// *pg_query.Node_InsertStmt → INSERT
	const prefix = "*pg_query.Node_"
	if len(name) > len(prefix) {
		name = name[len(prefix):]
	}
	switch name {
	case "InsertStmt":
		return "INSERT"
	case "UpdateStmt":
		return "UPDATE"
	case "DeleteStmt":
		return "DELETE"
	case "CopyStmt":
		return "COPY"
	case "CreateStmt":
		return "CREATE TABLE"
	case "DropStmt":
		return "DROP"
	case "IndexStmt":
		return "CREATE INDEX"
	}
	return "statement " + name
}

// emptyStatement is the empty query.
type emptyStatement struct{}

func (emptyStatement) Empty() bool              { return true }
func (emptyStatement) ParamTypes() []uint32     { return nil }
func (emptyStatement) Fields() []wire.FieldDesc { return nil }
func (emptyStatement) Close()                   {}
func (emptyStatement) Bind(context.Context, [][]byte, []int16, []int16) (wire.Portal, error) {
	return &resultPortal{res: &result{}}, nil
}

// queryStatement is a planned SELECT or EXPLAIN.
type queryStatement struct {
	s    *Session
	plan *translate.Plan
	text string
}

func (q *queryStatement) Empty() bool          { return false }
func (q *queryStatement) ParamTypes() []uint32 { return q.plan.ParamTypes }
func (q *queryStatement) Fields() []wire.FieldDesc {
	return fieldDescs(q.plan.Columns, nil)
}
func (q *queryStatement) Close() {}

// Bind decodes parameters and makes a portal; the plan runs at first Execute.
func (q *queryStatement) Bind(_ context.Context, params [][]byte, paramFormats, resultFormats []int16) (wire.Portal, error) {
	vals, err := decodeParams(q.plan.ParamTypes, params, paramFormats)
	if err != nil {
		return nil, q.s.failed(err)
	}
	formats, err := expandFormats(resultFormats, len(q.plan.Columns))
	if err != nil {
		return nil, q.s.failed(err)
	}
	return &queryPortal{s: q.s, plan: q.plan, params: vals, formats: formats}, nil
}

// decodeParams decodes Bind's raw parameters by their resolved types.
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
			continue
		}
		t := types[i]
		if t == 0 {
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

// queryPortal runs a plan. The iterator opens at the first Execute and stays
// open across row-limited Executes, so a suspended portal resumes DynamoDB
// pagination where it stopped.
type queryPortal struct {
	s       *Session
	plan    *translate.Plan
	params  []sqltypes.Value
	formats []int16
	iter    engine.Iter
	done    bool
	sent    int
}

func (p *queryPortal) Fields() []wire.FieldDesc { return fieldDescs(p.plan.Columns, p.formats) }

func (p *queryPortal) Close() {
	if p.iter != nil {
		p.iter.Close()
		p.iter = nil
	}
}

// Execute implements wire.Portal.
func (p *queryPortal) Execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	ctx, cancel := p.s.statementContext(ctx)
	defer cancel()
	tag, suspended, err := p.execute(ctx, maxRows, out)
	if err != nil {
		p.Close()
		return "", false, p.s.failed(timeoutError(ctx, err))
	}
	return tag, suspended, nil
}

func (p *queryPortal) execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	if p.done {
		return p.tag(), false, nil
	}
	if p.iter == nil {
		// Permissions may have changed since Parse: check at every execution,
		// before any DynamoDB call.
		if err := p.s.authorize(p.plan.Needs); err != nil {
			return "", false, err
		}
		env := p.s.env(p.params)
		it, err := p.plan.Root.Open(ctx, env)
		if err != nil {
			return "", false, err
		}
		p.iter = it
	}
	n := 0
	for maxRows <= 0 || n < maxRows {
		row, err := p.iter.Next(ctx)
		if err != nil {
			if isEOF(err) {
				p.done = true
				p.Close()
				return p.tag(), false, nil
			}
			return "", false, err
		}
		enc, err := encodeRow(row, p.plan.Columns, p.formats)
		if err != nil {
			return "", false, err
		}
		if err := out.Row(enc); err != nil {
			return "", false, err
		}
		n++
		p.sent++
	}
	return "", true, nil
}

func (p *queryPortal) tag() string { return fmt.Sprintf("SELECT %d", p.sent) }

// authorize checks a statement's needs against the current rules.
func (s *Session) authorize(needs []policy.Need) error {
	return policy.Decide(s.backend.security.Load().Rules, s.user, s.db.Name, needs)
}

// env builds the execution environment of one statement.
func (s *Session) env(params []sqltypes.Value) *engine.Env {
	return &engine.Env{
		Eval:           &expr.Context{Params: params, Session: s},
		DB:             s.db.API,
		Stats:          &engine.Stats{Requests: map[string]int{}},
		ConsistentRead: s.settings.Bool("faz.consistent_read"),
	}
}

func encodeRow(row sqltypes.Row, cols []sqltypes.Column, formats []int16) ([][]byte, error) {
	out := make([][]byte, len(cols))
	for i, c := range cols {
		if row[i] == nil {
			continue
		}
		var (
			b   []byte
			err error
		)
		if formats[i] == 1 {
			b, err = sqltypes.EncodeBinary(row[i], c.Type)
		} else {
			b, err = sqltypes.EncodeText(row[i], c.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		out[i] = b
	}
	return out, nil
}
