package session

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

func isEOF(err error) bool { return errors.Is(err, io.EOF) }

// result is a utility statement's complete answer.
type result struct {
	cols    []sqltypes.Column
	rows    [][]string // text values (nil = NULL)
	tag     string
	notices []*pgerr.Error
	changed []wire.ParamStatus // ParameterStatus to report
}

// utilityStatement runs fn at Execute; it has no parameters.
type utilityStatement struct {
	s    *Session
	cols []sqltypes.Column
	fn   func(ctx context.Context) (*result, error)
}

func (s *Session) utility(fn func(ctx context.Context) (*result, error)) *utilityStatement {
	return &utilityStatement{s: s, fn: fn}
}

func (u *utilityStatement) Empty() bool              { return false }
func (u *utilityStatement) ParamTypes() []uint32     { return nil }
func (u *utilityStatement) Fields() []wire.FieldDesc { return fieldDescs(u.cols, nil) }
func (u *utilityStatement) Close()                   {}
func (u *utilityStatement) Bind(_ context.Context, params [][]byte, _, resultFormats []int16) (wire.Portal, error) {
	if len(params) != 0 {
		return nil, pgerr.New(pgerr.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement requires 0", len(params))
	}
	formats, err := expandFormats(resultFormats, len(u.cols))
	if err != nil {
		return nil, err
	}
	return &resultPortal{s: u.s, cols: u.cols, formats: formats, run: u.fn}, nil
}

// resultPortal sends a utility statement's result.
type resultPortal struct {
	s       *Session
	cols    []sqltypes.Column
	formats []int16
	run     func(ctx context.Context) (*result, error)
	res     *result
	next    int
}

func (p *resultPortal) Fields() []wire.FieldDesc { return fieldDescs(p.cols, p.formats) }
func (p *resultPortal) Close()                   {}

func (p *resultPortal) Execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	if p.res == nil {
		res, err := p.run(ctx)
		if err != nil {
			return "", false, p.s.failed(err)
		}
		p.res = res
		for _, n := range res.notices {
			if err := out.Notice(n); err != nil {
				return "", false, err
			}
		}
		for _, c := range res.changed {
			if err := out.ParameterStatus(c.Name, c.Value); err != nil {
				return "", false, err
			}
		}
	}
	for n := 0; p.next < len(p.res.rows); n++ {
		if maxRows > 0 && n >= maxRows {
			return "", true, nil
		}
		row, err := p.encode(p.res.rows[p.next])
		if err != nil {
			return "", false, err
		}
		if err := out.Row(row); err != nil {
			return "", false, err
		}
		p.next++
	}
	return p.res.tag, false, nil
}

func (p *resultPortal) encode(vals []string) ([][]byte, error) {
	out := make([][]byte, len(vals))
	for i, v := range vals {
		if p.formats != nil && i < len(p.formats) && p.formats[i] == 1 {
			b, err := sqltypes.EncodeBinary(v, p.cols[i].Type)
			if err != nil {
				return nil, err
			}
			out[i] = b
			continue
		}
		out[i] = []byte(v)
	}
	return out, nil
}

// showStatement answers SHOW name (and SHOW ALL) with the column PostgreSQL uses.
func (s *Session) showStatement(name string) (*utilityStatement, error) {
	name = strings.ToLower(name)
	if name == "all" {
		u := s.utility(func(context.Context) (*result, error) {
			res := &result{tag: "SHOW"}
			for _, row := range s.settings.ShowAll() {
				res.rows = append(res.rows, []string{row.Name, row.Setting, row.Description})
			}
			return res, nil
		})
		u.cols = []sqltypes.Column{textCol("name"), textCol("setting"), textCol("description")}
		return u, nil
	}
	if _, ok := s.settings.Get(name); !ok {
		return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	u := s.utility(func(context.Context) (*result, error) {
		v, ok := s.settings.Get(name)
		if !ok {
			return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		return &result{rows: [][]string{{v}}, tag: "SHOW"}, nil
	})
	u.cols = []sqltypes.Column{textCol(showColumnName(name))}
	return u, nil
}

// showColumnName: SHOW transaction isolation level names its column
// transaction_isolation, like PostgreSQL.
func showColumnName(name string) string {
	return name
}

func textCol(name string) sqltypes.Column {
	return sqltypes.Column{Name: name, Type: sqltypes.Text, Typmod: -1}
}

// execSet runs SET, SET LOCAL, RESET and RESET ALL.
func (s *Session) execSet(v *pg_query.VariableSetStmt) (*result, error) {
	res := &result{tag: "SET"}
	switch v.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE, pg_query.VariableSetKind_VAR_SET_CURRENT:
		val, err := setValue(v.Args)
		if err != nil {
			return nil, err
		}
		if v.IsLocal && s.tx == 0 {
			res.notices = append(res.notices, &pgerr.Error{Severity: "WARNING", Code: pgerr.NoActiveSQLTransaction,
				Message: "SET LOCAL can only be used in transaction blocks"})
			return res, nil
		}
		if err := s.settings.Set(v.Name, val, v.IsLocal); err != nil {
			return nil, err
		}
	case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
		if v.Kind == pg_query.VariableSetKind_VAR_RESET {
			res.tag = "RESET"
		}
		if err := s.settings.Reset(v.Name); err != nil {
			return nil, err
		}
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		res.tag = "RESET"
		s.settings.ResetAll()
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION / SESSION CHARACTERISTICS: isolation levels and
		// read-only modes. DynamoDB reads are read committed; accept that
		// and the read-only flags, refuse what we cannot honour.
		if err := s.setTransactionModes(v); err != nil {
			return nil, err
		}
	}
	res.changed = s.reportChanged(v.Name, v.Kind == pg_query.VariableSetKind_VAR_RESET_ALL)
	return res, nil
}

// reportChanged lists ParameterStatus messages owed after a SET.
func (s *Session) reportChanged(name string, all bool) []wire.ParamStatus {
	var out []wire.ParamStatus
	for _, n := range s.settings.ReportableNames() {
		if all || strings.EqualFold(n, name) {
			v, _ := s.settings.Get(n)
			out = append(out, wire.ParamStatus{Name: n, Value: v})
		}
	}
	return out
}

func (s *Session) setTransactionModes(v *pg_query.VariableSetStmt) error {
	for _, a := range v.Args {
		d := a.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "transaction_isolation":
			level := strings.ToLower(constString(d.Arg))
			if level == "serializable" || level == "repeatable read" {
				return pgerr.Unsupported("isolation level "+level,
					"DynamoDB reads see committed data; use READ COMMITTED")
			}
		case "transaction_read_only", "transaction_deferrable":
		default:
			return pgerr.Unsupported("transaction mode "+d.Defname, "")
		}
	}
	return nil
}

// setValue renders SET's arguments as the text PostgreSQL would store.
func setValue(args []*pg_query.Node) (string, error) {
	var parts []string
	for _, a := range args {
		switch {
		case a.GetAConst() != nil:
			parts = append(parts, constString(a))
		case a.GetTypeCast() != nil && a.GetTypeCast().Arg.GetAConst() != nil:
			parts = append(parts, constString(a.GetTypeCast().Arg))
		default:
			return "", pgerr.New(pgerr.SyntaxError, "unsupported SET value")
		}
	}
	return strings.Join(parts, ", "), nil
}

func constString(n *pg_query.Node) string {
	c := n.GetAConst()
	if c == nil {
		return ""
	}
	switch {
	case c.GetSval() != nil:
		return c.GetSval().Sval
	case c.GetIval() != nil:
		return itoa(int64(c.GetIval().Ival))
	case c.GetFval() != nil:
		return c.GetFval().Fval
	case c.GetBoolval() != nil:
		if c.GetBoolval().Boolval {
			return "on"
		}
		return "off"
	}
	return ""
}

func itoa(i int64) string {
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	p := len(b)
	for {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	if neg {
		p--
		b[p] = '-'
	}
	return string(b[p:])
}

// execTransaction runs BEGIN, COMMIT, ROLLBACK and friends. Reads inside a
// block read committed data; writes arrive with transactional writes.
func (s *Session) execTransaction(t *pg_query.TransactionStmt) (*result, error) {
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		res := &result{tag: "BEGIN"}
		if s.tx != 0 {
			res.notices = append(res.notices, &pgerr.Error{Severity: "WARNING", Code: pgerr.ActiveSQLTransaction,
				Message: "there is already a transaction in progress"})
			return res, nil
		}
		if err := s.setTransactionModes(&pg_query.VariableSetStmt{Args: t.Options}); err != nil {
			return nil, err
		}
		s.tx, s.txStart = txBlock, time.Now()
		s.settings.BeginTx()
		return res, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		tag := "COMMIT"
		if s.tx == txFailed {
			tag = "ROLLBACK"
		}
		return s.endTx(tag, s.tx == txBlock), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		return s.endTx("ROLLBACK", false), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT, pg_query.TransactionStmtKind_TRANS_STMT_RELEASE,
		pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		return nil, pgerr.Unsupported("savepoints", "DynamoDB transactions are all-or-nothing; use BEGIN ... COMMIT")
	}
	return nil, pgerr.Unsupported("two-phase commit", "")
}

func (s *Session) endTx(tag string, commit bool) *result {
	res := &result{tag: tag}
	if s.tx == 0 {
		res.notices = append(res.notices, &pgerr.Error{Severity: "WARNING", Code: pgerr.NoActiveSQLTransaction,
			Message: "there is no transaction in progress"})
		return res
	}
	s.settings.EndTx(commit)
	s.tx, s.txStart = 0, time.Time{}
	return res
}

// execDiscard runs DISCARD ALL (used by poolers and some drivers): reset every
// parameter. There are no temporary objects or cached plans to drop.
func (s *Session) execDiscard(d *pg_query.DiscardStmt) (*result, error) {
	if s.tx != 0 && d.Target == pg_query.DiscardMode_DISCARD_ALL {
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
	}
	if d.Target == pg_query.DiscardMode_DISCARD_ALL {
		s.settings.ResetAll()
	}
	return &result{tag: "DISCARD " + strings.TrimPrefix(d.Target.String(), "DISCARD_")}, nil
}
