package session

import (
	"context"
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/wire"
)

// prepareCopyTo plans COPY ... TO STDOUT as the SELECT it stands for; the
// plan's Needs (read) are checked at Execute like any query's.
func (s *Session) prepareCopyTo(ctx context.Context, c *pg_query.CopyStmt, opts *copyOptions, text string) (wire.Statement, error) {
	query := c.Query
	if query == nil {
		sel, err := s.copySelect(ctx, c)
		if err != nil {
			return nil, err
		}
		query = sel
	} else if query.GetSelectStmt() == nil {
		return nil, pgerr.Unsupported("COPY ("+statementName(query)+") TO", "COPY (query) TO takes a SELECT")
	}
	if w := writeKind(query); w != "" {
		return nil, pgerr.Unsupported("COPY ("+w+") TO", "COPY (query) TO takes a SELECT that does not write")
	}
	pl, err := s.planner.PlanQuery(ctx, query, nil)
	if err != nil {
		return nil, err
	}
	if len(pl.ParamTypes) > 0 {
		return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $1").
			WithHint("COPY takes no parameters")
	}
	names := make([]string, len(pl.Columns))
	for i, col := range pl.Columns {
		names[i] = col.Name
	}
	force, err := forceQuoteFlags(opts, names)
	if err != nil {
		return nil, err
	}
	q := &queryStatement{s: s, plan: pl, text: text, tag: "SELECT"}
	return &copyStatement{s: s, run: func(ctx context.Context, cw wire.CopyWriter, out wire.ResultWriter) (int64, error) {
		return s.copyOut(ctx, q, &copyFormatter{opts: opts, force: force}, names, cw, out)
	}}, nil
}

// copySelect builds the tree of SELECT cols FROM t for COPY t [(cols)] TO
// (by default every column but _item, in table order). It builds the tree,
// not text, so no name from the statement is ever spliced into SQL.
func (s *Session) copySelect(ctx context.Context, c *pg_query.CopyStmt) (*pg_query.Node, error) {
	name, err := copyTableName(c.Relation)
	if err != nil {
		return nil, err
	}
	cols := copyColumnNames(c.Attlist)
	if len(cols) == 0 {
		t, err := s.db.Catalog.Table(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, col := range t.Columns {
			if col.Name != catalog.ItemColumn {
				cols = append(cols, col.Name)
			}
		}
	}
	targets := make([]*pg_query.Node, len(cols))
	for i, col := range cols {
		ref := pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(col)}, -1)
		targets[i] = pg_query.MakeResTargetNodeWithVal(ref, -1)
	}
	return &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList:  targets,
		FromClause:  []*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: c.Relation}}},
		Op:          pg_query.SetOperation_SETOP_NONE,
		LimitOption: pg_query.LimitOption_LIMIT_OPTION_DEFAULT,
	}}}, nil
}

// forceQuoteFlags resolves FORCE_QUOTE to one flag per output column.
func forceQuoteFlags(o *copyOptions, names []string) ([]bool, error) {
	flags := make([]bool, len(names))
	for i := range flags {
		flags[i] = o.forceAll
	}
	for _, f := range o.forceQuote {
		i := slices.Index(names, f)
		if i < 0 {
			return nil, pgerr.New(pgerr.UndefinedColumn, "FORCE_QUOTE column %q not referenced by COPY", f)
		}
		flags[i] = true
	}
	return flags, nil
}

// copyOut runs the query through a queryPortal (policy check, streaming,
// statistics) whose rows become CopyData lines.
func (s *Session) copyOut(ctx context.Context, q *queryStatement, f *copyFormatter, names []string, cw wire.CopyWriter, out wire.ResultWriter) (int64, error) {
	p := &queryPortal{s: s, stmt: q, formats: make([]int16, len(q.plan.Columns))}
	defer p.Close()
	w := &copyOutWriter{ResultWriter: out, cw: cw, f: f, ncols: len(names)}
	if f.opts.header {
		w.header = f.headerLine(names)
	}
	tag, _, err := p.Execute(ctx, 0, w)
	if err != nil {
		return 0, err
	}
	if err := w.start(); err != nil { // no rows: the copy still happens
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(tag, "SELECT "), 10, 64)
	if err != nil {
		return 0, pgerr.Wrap(err, pgerr.InternalError, "COPY: unexpected tag %q", tag)
	}
	return n, nil
}

// copyOutWriter turns a query's text rows into CopyData messages; it starts
// the copy at the first row, so an error before it (a refused permission)
// is a plain ErrorResponse.
type copyOutWriter struct {
	wire.ResultWriter
	cw      wire.CopyWriter
	f       *copyFormatter
	ncols   int
	header  []byte
	started bool
	buf     []byte
}

func (w *copyOutWriter) start() error {
	if w.started {
		return nil
	}
	w.started = true
	if err := w.cw.CopyOut(0, make([]int16, w.ncols)); err != nil {
		return err
	}
	if w.header != nil {
		return w.cw.CopyData(w.header)
	}
	return nil
}

// Row implements wire.ResultWriter: one line per row.
func (w *copyOutWriter) Row(values [][]byte) error {
	if err := w.start(); err != nil {
		return err
	}
	w.buf = w.f.appendLine(w.buf[:0], values, w.f.force)
	return w.cw.CopyData(w.buf)
}

// copyFormatter writes rows in COPY's text or CSV format, byte for byte as
// PostgreSQL's CopyAttributeOutText and CopyAttributeOutCSV do.
type copyFormatter struct {
	opts  *copyOptions
	force []bool // FORCE_QUOTE per column (CSV)
}

// headerLine is the HEADER line: the column names, never force-quoted, as
// in PostgreSQL.
func (f *copyFormatter) headerLine(names []string) []byte {
	vals := make([][]byte, len(names))
	for i, n := range names {
		vals[i] = []byte(n)
	}
	return f.appendLine(nil, vals, nil)
}

// appendLine formats one line of text values (nil = NULL).
func (f *copyFormatter) appendLine(b []byte, vals [][]byte, force []bool) []byte {
	for i, v := range vals {
		if i > 0 {
			b = append(b, f.opts.delim)
		}
		switch {
		case v == nil:
			b = append(b, f.opts.null...)
		case f.opts.csv:
			b = f.appendCSV(b, v, i < len(force) && force[i], len(vals) == 1)
		default:
			b = appendCopyText(b, v, f.opts.delim)
		}
	}
	return append(b, '\n')
}

// appendCopyText is CopyAttributeOutText: backslash escapes for the
// control characters that have one, the backslash and the delimiter.
func appendCopyText(b, v []byte, delim byte) []byte {
	for _, c := range v {
		if c < 0x20 {
			if esc := controlEscape(c); esc != 0 {
				b = append(b, '\\', esc)
				continue
			}
			if c == delim {
				b = append(b, '\\')
			}
			b = append(b, c)
			continue
		}
		if c == '\\' || c == delim {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return b
}

func controlEscape(c byte) byte {
	switch c {
	case '\b':
		return 'b'
	case '\f':
		return 'f'
	case '\n':
		return 'n'
	case '\r':
		return 'r'
	case '\t':
		return 't'
	case '\v':
		return 'v'
	}
	return 0
}

// appendCSV is CopyAttributeOutCSV: quoted when forced, when the value
// equals the NULL string, when it holds the delimiter, the quote or a line
// break, and when a lone column is "\." (the end-of-data marker); inside
// quotes the quote and escape characters are escaped.
func (f *copyFormatter) appendCSV(b, v []byte, force, single bool) []byte {
	o := f.opts
	quote := force || string(v) == o.null || single && string(v) == `\.`
	if !quote {
		for _, c := range v {
			if c == o.delim || c == o.quote || c == '\n' || c == '\r' {
				quote = true
				break
			}
		}
	}
	if !quote {
		return append(b, v...)
	}
	b = append(b, o.quote)
	for _, c := range v {
		if c == o.quote || c == o.escape {
			b = append(b, o.escape)
		}
		b = append(b, c)
	}
	return append(b, o.quote)
}
