package session

import (
	"context"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/wire"
)

// COPY runs in the session (https://www.postgresql.org/docs/15/sql-copy.html):
//
//   - COPY t [(cols)] FROM STDIN reads the client's data with
//     wire.CopyWriter.CopyIn and writes it with BatchWriteItem, 25 items a
//     request. Its puts may overwrite, so it needs write access (append-only
//     access is told to use INSERT), checked before any data is read.
//   - COPY t [(cols)] TO STDOUT and COPY (SELECT ...) TO STDOUT plan a
//     SELECT with the planner and stream its rows as CopyData; they need
//     read access, checked at Execute as for SELECT.
//
// Without a column list the columns are the table's columns but _item,
// which COPY treats as PostgreSQL treats a generated column; naming _item
// loads or dumps whole items as JSON objects.

// copyOptions are COPY's WITH options.
type copyOptions struct {
	csv        bool
	header     bool
	match      bool // HEADER MATCH: the header must name the columns
	delim      byte
	null       string
	quote      byte
	escape     byte
	forceQuote []string // FORCE_QUOTE columns (CSV, TO only)
	forceAll   bool     // FORCE_QUOTE *
}

// parseCopyOptions reads COPY's options as PostgreSQL's
// ProcessCopyOptions does, refusing what this release does not do.
func parseCopyOptions(defs []*pg_query.Node, isFrom bool) (*copyOptions, error) {
	o := &copyOptions{}
	var delim, null, quote, escape *string
	seen := map[string]bool{}
	for _, n := range defs {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		if seen[d.Defname] {
			return nil, pgerr.New(pgerr.SyntaxError, "conflicting or redundant options").
				WithDetail("option %q given more than once", d.Defname)
		}
		seen[d.Defname] = true
		var err error
		switch d.Defname {
		case "format":
			err = o.setFormat(defString(d))
		case "header":
			o.header, o.match, err = headerOption(d, isFrom)
		case "delimiter":
			s := defString(d)
			delim = &s
		case "null":
			s := defString(d)
			null = &s
		case "quote":
			s := defString(d)
			quote = &s
		case "escape":
			s := defString(d)
			escape = &s
		case "force_quote":
			err = o.setForceQuote(d)
		case "encoding":
			if e := strings.ToUpper(strings.ReplaceAll(defString(d), "-", "")); e != "UTF8" && e != "UNICODE" {
				err = pgerr.Unsupported("COPY ENCODING "+defString(d), "fazproxy reads and writes UTF8")
			}
		default:
			err = pgerr.Unsupported("COPY option "+strings.ToUpper(d.Defname),
				"COPY accepts FORMAT text|csv, HEADER, DELIMITER, NULL, QUOTE, ESCAPE, FORCE_QUOTE and ENCODING")
		}
		if err != nil {
			return nil, err
		}
	}
	return o, o.finish(delim, null, quote, escape, isFrom)
}

func (o *copyOptions) setFormat(f string) error {
	switch strings.ToLower(f) {
	case "text":
	case "csv":
		o.csv = true
	case "binary":
		return pgerr.Unsupported("COPY FORMAT binary", "use FORMAT text or FORMAT csv")
	default:
		return pgerr.New(pgerr.InvalidParameterValue, "COPY format %q not recognized", f)
	}
	return nil
}

// headerOption is defGetCopyHeaderChoice: a boolean, or MATCH (FROM only).
func headerOption(d *pg_query.DefElem, isFrom bool) (header, match bool, err error) {
	if d.Arg == nil {
		return true, false, nil
	}
	if i := d.Arg.GetInteger(); i != nil {
		if i.Ival == 0 || i.Ival == 1 {
			return i.Ival == 1, false, nil
		}
	} else if b := d.Arg.GetBoolean(); b != nil {
		return b.Boolval, false, nil
	} else {
		s := strings.ToLower(defString(d))
		switch s {
		case "true", "on":
			return true, false, nil
		case "false", "off":
			return false, false, nil
		case "match":
			if !isFrom {
				return false, false, pgerr.New(pgerr.FeatureNotSupported, "cannot use \"match\" with HEADER in COPY TO")
			}
			return true, true, nil
		}
	}
	return false, false, pgerr.New(pgerr.SyntaxError, "header requires a Boolean value or \"match\"")
}

func (o *copyOptions) setForceQuote(d *pg_query.DefElem) error {
	if d.Arg != nil && d.Arg.GetAStar() != nil {
		o.forceAll = true
		return nil
	}
	if l := d.Arg.GetList(); l != nil {
		for _, it := range l.Items {
			o.forceQuote = append(o.forceQuote, it.GetString_().GetSval())
		}
		return nil
	}
	return pgerr.New(pgerr.SyntaxError, "argument to option \"force_quote\" must be a list of column names")
}

// finish applies defaults and PostgreSQL's consistency checks.
func (o *copyOptions) finish(delim, null, quote, escape *string, isFrom bool) error {
	o.delim, o.null = '\t', `\N`
	if o.csv {
		o.delim, o.null, o.quote = ',', "", '"'
	}
	if null != nil {
		o.null = *null
	}
	if delim != nil {
		if len(*delim) != 1 {
			return pgerr.New(pgerr.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
		}
		o.delim = (*delim)[0]
	}
	if !o.csv && (quote != nil || escape != nil || o.forceAll || o.forceQuote != nil) {
		return pgerr.New(pgerr.FeatureNotSupported, "COPY QUOTE, ESCAPE and FORCE_QUOTE are available only in CSV mode")
	}
	if o.csv {
		if err := o.csvChars(quote, escape); err != nil {
			return err
		}
	}
	if isFrom && (o.forceAll || o.forceQuote != nil) {
		return pgerr.New(pgerr.FeatureNotSupported, "COPY FORCE_QUOTE cannot be used with COPY FROM")
	}
	return o.checkChars()
}

func (o *copyOptions) csvChars(quote, escape *string) error {
	if quote != nil {
		if len(*quote) != 1 {
			return pgerr.New(pgerr.FeatureNotSupported, "COPY quote must be a single one-byte character")
		}
		o.quote = (*quote)[0]
	}
	o.escape = o.quote
	if escape != nil {
		if len(*escape) != 1 {
			return pgerr.New(pgerr.FeatureNotSupported, "COPY escape must be a single one-byte character")
		}
		o.escape = (*escape)[0]
	}
	if o.delim == o.quote {
		return pgerr.New(pgerr.InvalidParameterValue, "COPY delimiter and quote must be different")
	}
	return nil
}

// checkChars refuses delimiters and NULL strings that would make the data
// ambiguous, as PostgreSQL does.
func (o *copyOptions) checkChars() error {
	if o.delim == '\r' || o.delim == '\n' {
		return pgerr.New(pgerr.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if strings.ContainsAny(o.null, "\r\n") {
		return pgerr.New(pgerr.InvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	}
	if !o.csv && strings.IndexByte(`\.abcdefghijklmnopqrstuvwxyz0123456789`, o.delim) >= 0 {
		return pgerr.New(pgerr.InvalidParameterValue, "COPY delimiter cannot be %q", string(o.delim))
	}
	if o.csv && strings.IndexByte(o.null, o.delim) >= 0 {
		return pgerr.New(pgerr.InvalidParameterValue, "COPY delimiter must not appear in the NULL specification")
	}
	if o.csv && strings.IndexByte(o.null, o.quote) >= 0 {
		return pgerr.New(pgerr.InvalidParameterValue, "CSV quote character must not appear in the NULL specification")
	}
	return nil
}

// defString is a DefElem's argument as text (defGetString).
func defString(d *pg_query.DefElem) string {
	if d.Arg == nil {
		return ""
	}
	switch {
	case d.Arg.GetString_() != nil:
		return d.Arg.GetString_().Sval
	case d.Arg.GetInteger() != nil:
		return strconv.FormatInt(int64(d.Arg.GetInteger().Ival), 10)
	case d.Arg.GetFloat() != nil:
		return d.Arg.GetFloat().Fval
	case d.Arg.GetBoolean() != nil:
		return strconv.FormatBool(d.Arg.GetBoolean().Boolval)
	case d.Arg.GetTypeName() != nil:
		names := d.Arg.GetTypeName().Names
		if len(names) > 0 {
			return names[len(names)-1].GetString_().GetSval()
		}
	}
	return ""
}

// prepareCopy checks a COPY statement and prepares it; nothing is read or
// written before Execute.
func (s *Session) prepareCopy(ctx context.Context, c *pg_query.CopyStmt, text string) (wire.Statement, error) {
	if c.IsProgram || c.Filename != "" {
		return nil, pgerr.Unsupported("COPY to or from a file or program",
			`fazproxy has no server files: use COPY ... FROM STDIN or TO STDOUT (psql's \copy)`)
	}
	if c.WhereClause != nil {
		return nil, pgerr.Unsupported("COPY FROM ... WHERE", "filter the data before sending it")
	}
	opts, err := parseCopyOptions(c.Options, c.IsFrom)
	if err != nil {
		return nil, err
	}
	if c.IsFrom {
		return s.prepareCopyFrom(ctx, c, opts)
	}
	return s.prepareCopyTo(ctx, c, opts, text)
}

// copyColumnNames are the names of a COPY column list.
func copyColumnNames(attlist []*pg_query.Node) []string {
	var out []string
	for _, a := range attlist {
		out = append(out, a.GetString_().GetSval())
	}
	return out
}

// copyTableName is the DynamoDB table a COPY names; public is the only
// schema tables live in.
func copyTableName(rv *pg_query.RangeVar) (string, error) {
	if rv.Schemaname != "" && rv.Schemaname != "public" {
		return "", pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname)
	}
	return rv.Relname, nil
}

// copyStatement is a prepared COPY: it returns no rows (NoData) and has no
// parameters; run does the copy and returns the row count.
type copyStatement struct {
	s   *Session
	run func(ctx context.Context, cw wire.CopyWriter, out wire.ResultWriter) (int64, error)
}

var (
	_ wire.Statement = (*copyStatement)(nil)
	_ wire.Portal    = (*copyPortal)(nil)
)

func (c *copyStatement) Empty() bool              { return false }
func (c *copyStatement) ParamTypes() []uint32     { return nil }
func (c *copyStatement) Fields() []wire.FieldDesc { return nil }
func (c *copyStatement) Close()                   {}

func (c *copyStatement) Bind(_ context.Context, params [][]byte, _, _ []int16) (wire.Portal, error) {
	if err := c.s.checkAborted(false); err != nil {
		return nil, err
	}
	if len(params) != 0 {
		return nil, c.s.failed(pgerr.New(pgerr.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement requires 0", len(params)))
	}
	return &copyPortal{stmt: c}, nil
}

// copyPortal runs a COPY once.
type copyPortal struct {
	stmt *copyStatement
	done bool
}

func (p *copyPortal) Fields() []wire.FieldDesc { return nil }
func (p *copyPortal) Close()                   {}

// Execute implements wire.Portal: the whole copy, whatever maxRows says.
func (p *copyPortal) Execute(ctx context.Context, _ int, out wire.ResultWriter) (string, bool, error) {
	s := p.stmt.s
	if err := s.checkAborted(false); err != nil {
		return "", false, err
	}
	if p.done {
		return "", false, pgerr.New(pgerr.InvalidCursorState, "COPY portal has already run")
	}
	p.done = true
	cw, ok := out.(wire.CopyWriter)
	if !ok {
		return "", false, pgerr.New(pgerr.InternalError, "COPY needs a connection that speaks the copy sub-protocol")
	}
	sctx, cancel := s.statementContext(ctx)
	defer cancel()
	n, err := p.stmt.run(sctx, cw, out)
	if err != nil {
		return "", false, s.failed(s.interrupted(sctx, err))
	}
	if err := s.finish(out, nil); err != nil {
		return "", false, err
	}
	return "COPY " + strconv.FormatInt(n, 10), false, nil
}
