package session

import (
	"context"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// result is a utility statement's complete answer. Utility results are all
// text columns, whose text and binary encodings are the same bytes.
type result struct {
	rows    [][]string
	tag     string
	notices []*pgerr.Error
}

// utilityFunc runs a utility statement at Execute. out lets DEALLOCATE reach
// the server's prepared statements (see Deallocator).
type utilityFunc func(ctx context.Context, out wire.ResultWriter) (*result, error)

// utilityStatement runs fn at Execute; it has no parameters.
type utilityStatement struct {
	s      *Session
	cols   []sqltypes.Column // nil: no rows (NoData)
	fn     utilityFunc
	endsTx bool // COMMIT/ROLLBACK: allowed in a failed block
}

var (
	_ wire.Statement = (*utilityStatement)(nil)
	_ wire.Portal    = (*resultPortal)(nil)
)

func (s *Session) utility(fn utilityFunc) *utilityStatement {
	return &utilityStatement{s: s, fn: fn}
}

func (u *utilityStatement) Empty() bool              { return false }
func (u *utilityStatement) ParamTypes() []uint32     { return nil }
func (u *utilityStatement) Fields() []wire.FieldDesc { return fieldDescs(u.cols, nil) }
func (u *utilityStatement) Close()                   {}

func (u *utilityStatement) Bind(_ context.Context, params [][]byte, _, resultFormats []int16) (wire.Portal, error) {
	if err := u.s.checkAborted(u.endsTx); err != nil {
		return nil, err
	}
	if len(params) != 0 {
		return nil, u.s.failed(pgerr.New(pgerr.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement requires 0", len(params)))
	}
	formats, err := expandFormats(resultFormats, len(u.cols))
	if err != nil {
		return nil, u.s.failed(err)
	}
	return &resultPortal{u: u, formats: formats}, nil
}

// resultPortal runs a utility statement once and sends its rows, possibly
// over several row-limited Executes.
type resultPortal struct {
	u       *utilityStatement
	formats []int16
	res     *result // nil until run
	next    int     // index of the next row to send
}

func (p *resultPortal) Fields() []wire.FieldDesc { return fieldDescs(p.u.cols, p.formats) }
func (p *resultPortal) Close()                   {}

func (p *resultPortal) Execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	s := p.u.s
	if p.res == nil {
		if err := s.checkAborted(p.u.endsTx); err != nil {
			return "", false, err
		}
		res, err := p.u.fn(ctx, out)
		if err != nil {
			return "", false, s.failed(err)
		}
		p.res = res
		for _, n := range res.notices {
			if err := s.notice(out, n); err != nil {
				return "", false, err
			}
		}
	}
	for n := 0; p.next < len(p.res.rows); n++ {
		if maxRows > 0 && n >= maxRows {
			return "", true, nil
		}
		if err := out.Row(textRow(p.res.rows[p.next])); err != nil {
			return "", false, err
		}
		p.next++
	}
	if err := s.finish(out, nil); err != nil {
		return "", false, err
	}
	return p.res.tag, false, nil
}

func textRow(vals []string) [][]byte {
	out := make([][]byte, len(vals))
	for i, v := range vals {
		out[i] = []byte(v)
	}
	return out
}

func textCol(name string) sqltypes.Column {
	return sqltypes.Column{Name: name, Type: sqltypes.Text, Typmod: -1}
}

// showStatement answers SHOW name (and SHOW ALL) with the column names
// PostgreSQL uses: the parameter's canonical spelling (SHOW timezone is
// titled TimeZone).
func (s *Session) showStatement(name string) (*utilityStatement, error) {
	if strings.EqualFold(name, "all") {
		u := s.utility(func(context.Context, wire.ResultWriter) (*result, error) {
			res := &result{tag: "SHOW"}
			for _, row := range s.settings.ShowAll() {
				res.rows = append(res.rows, []string{row.Name, row.Setting, row.Description})
			}
			return res, nil
		})
		u.cols = []sqltypes.Column{textCol("name"), textCol("setting"), textCol("description")}
		return u, nil
	}
	canonical, ok := s.settings.Name(name)
	if !ok {
		return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	u := s.utility(func(context.Context, wire.ResultWriter) (*result, error) {
		v, ok := s.settings.Get(name)
		if !ok { // a custom parameter rolled back since Prepare
			return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		return &result{rows: [][]string{{v}}, tag: "SHOW"}, nil
	})
	u.cols = []sqltypes.Column{textCol(canonical)}
	return u, nil
}

// execSet runs SET, SET LOCAL, SET ... TO DEFAULT, RESET, RESET ALL and the
// SET TRANSACTION / SESSION CHARACTERISTICS forms.
func (s *Session) execSet(v *pg_query.VariableSetStmt) (*result, error) {
	res := &result{tag: "SET"}
	if v.IsLocal && s.tx == txIdle {
		res.notices = append(res.notices, warning(pgerr.NoActiveSQLTransaction,
			"SET LOCAL can only be used in transaction blocks"))
	}
	switch v.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		val, err := setValue(v.Name, v.Args)
		if err != nil {
			return nil, err
		}
		if err := s.settings.Set(v.Name, val, v.IsLocal); err != nil {
			return nil, err
		}
	case pg_query.VariableSetKind_VAR_SET_DEFAULT:
		if err := s.settings.Reset(v.Name); err != nil {
			return nil, err
		}
	case pg_query.VariableSetKind_VAR_RESET:
		res.tag = "RESET"
		if err := s.settings.Reset(v.Name); err != nil {
			return nil, err
		}
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		res.tag = "RESET"
		s.settings.ResetAll()
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		return s.setMulti(v, res)
	default:
		return nil, pgerr.Unsupported("SET "+v.Name, "")
	}
	return res, nil
}

// setMulti runs SET TRANSACTION ... (this block only) and SET SESSION
// CHARACTERISTICS AS TRANSACTION ... (the defaults of later blocks).
func (s *Session) setMulti(v *pg_query.VariableSetStmt, res *result) (*result, error) {
	switch v.Name {
	case "TRANSACTION":
		if s.tx == txIdle {
			res.notices = append(res.notices, warning(pgerr.NoActiveSQLTransaction,
				"SET TRANSACTION can only be used in transaction blocks"))
		}
		return res, s.setTransactionModes(v.Args, "", true)
	case "SESSION CHARACTERISTICS":
		return res, s.setTransactionModes(v.Args, "default_", false)
	}
	return nil, pgerr.Unsupported("SET "+v.Name, "")
}

// setTransactionModes applies ISOLATION LEVEL / READ ONLY / DEFERRABLE
// modes (from BEGIN, SET TRANSACTION or SESSION CHARACTERISTICS) to the
// parameters of the same names, prefixed by prefix.
func (s *Session) setTransactionModes(modes []*pg_query.Node, prefix string, isLocal bool) error {
	for _, m := range modes {
		d := m.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "transaction_isolation", "transaction_read_only", "transaction_deferrable":
			if err := s.settings.Set(prefix+d.Defname, constString(d.Arg), isLocal); err != nil {
				return err
			}
		default:
			return pgerr.Unsupported("transaction mode "+d.Defname, "")
		}
	}
	return nil
}

// setValue renders SET's arguments as the text PostgreSQL would store
// (flatten_set_variable_args): list items joined by ", ", string items of a
// quoted list (search_path) as identifiers.
func setValue(name string, args []*pg_query.Node) (string, error) {
	if len(args) > 1 && !guc.ListInput(name) {
		return "", pgerr.New(pgerr.InvalidParameterValue, "SET %s takes only one argument", name)
	}
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if a.GetTypeCast() != nil {
			// Only SET TIME ZONE INTERVAL '...' produces a typed value.
			return "", pgerr.Unsupported("SET TIME ZONE INTERVAL",
				"give the zone as a name or as hours east of UTC, e.g. SET TIME ZONE 'Europe/Berlin' or SET TIME ZONE -7")
		}
		c := a.GetAConst()
		if c == nil {
			return "", pgerr.New(pgerr.SyntaxError, "unsupported value in SET %s", name)
		}
		v := constString(a)
		if c.GetSval() != nil && guc.QuotesList(name) {
			v = quoteIdent(v)
		}
		parts = append(parts, v)
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
		return strconv.FormatInt(int64(c.GetIval().Ival), 10)
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

// quoteIdent is PostgreSQL's quote_identifier minus its keyword check:
// names that are not plain lower-case identifiers are double-quoted.
func quoteIdent(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
