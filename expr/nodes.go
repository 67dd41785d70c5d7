package expr

import (
	"strconv"
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Compile-time checks that every node is an Expr.
var (
	_ Expr = (*ColRef)(nil)
	_ Expr = (*Const)(nil)
	_ Expr = (*Param)(nil)
	_ Expr = (*Compare)(nil)
	_ Expr = (*And)(nil)
	_ Expr = (*Or)(nil)
	_ Expr = (*Not)(nil)
	_ Expr = (*IsNull)(nil)
	_ Expr = (*InList)(nil)
	_ Expr = (*AnyCompare)(nil)
	_ Expr = (*Between)(nil)
	_ Expr = (*Like)(nil)
	_ Expr = (*Cast)(nil)
)

// ---- ColRef ----

func (c *ColRef) Type() sqltypes.OID { return c.T }

func (c *ColRef) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	if c.Depth > 0 {
		if ctx == nil || c.Depth > len(ctx.Outer) {
			return nil, pgerr.New(pgerr.InternalError, "no outer row for %s", c.String())
		}
		row = ctx.Outer[len(ctx.Outer)-c.Depth]
	}
	if c.Index < 0 || c.Index >= len(row) {
		return nil, pgerr.New(pgerr.InternalError, "column %s (index %d) is outside the row of %d", c.String(), c.Index, len(row))
	}
	return row[c.Index], nil
}

func (c *ColRef) String() string {
	if c.Table != "" {
		return quoteIdentIfNeeded(c.Table) + "." + quoteIdentIfNeeded(c.Name)
	}
	return quoteIdentIfNeeded(c.Name)
}

// ---- Const ----

func (c *Const) Type() sqltypes.OID { return c.T }

func (c *Const) Eval(*Context, sqltypes.Row) (sqltypes.Value, error) { return c.Val, nil }

func (c *Const) String() string {
	if c.Val == nil {
		if c.T == sqltypes.Unknown || c.T == 0 {
			return "NULL"
		}
		return "NULL::" + typeName(c.T)
	}
	s, err := formatText(c.Val, c.T)
	if err != nil {
		return "?"
	}
	switch c.T {
	case sqltypes.Int4, sqltypes.Numeric:
		if !strings.HasPrefix(s, "-") && s != "NaN" && !strings.Contains(s, "Infinity") {
			return s
		}
		return "'" + s + "'::" + typeName(c.T)
	case sqltypes.Bool:
		if c.Val.(bool) {
			return "true"
		}
		return "false"
	case sqltypes.Unknown:
		return quoteLiteral(s)
	}
	return quoteLiteral(s) + "::" + typeName(c.T)
}

// ---- Param ----

func (p *Param) Type() sqltypes.OID {
	if p.T == 0 {
		return sqltypes.Unknown
	}
	return p.T
}

func (p *Param) Eval(ctx *Context, _ sqltypes.Row) (sqltypes.Value, error) {
	if ctx == nil || p.N < 1 || p.N > len(ctx.Params) {
		return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", p.N)
	}
	return ctx.Params[p.N-1], nil
}

func (p *Param) String() string { return "$" + strconv.Itoa(p.N) }

// ---- Compare ----

func (c *Compare) Type() sqltypes.OID { return sqltypes.Bool }

func (c *Compare) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	l, err := c.L.Eval(ctx, row)
	if err != nil || l == nil {
		return nil, err
	}
	r, err := c.R.Eval(ctx, row)
	if err != nil || r == nil {
		return nil, err
	}
	n, err := compareValues(l, r, c.L.Type())
	if err != nil {
		return nil, err
	}
	return opHolds(c.Op, n), nil
}

func opHolds(op CompareOp, n int) bool {
	switch op {
	case OpEQ:
		return n == 0
	case OpNE:
		return n != 0
	case OpLT:
		return n < 0
	case OpLE:
		return n <= 0
	case OpGT:
		return n > 0
	}
	return n >= 0
}

func (c *Compare) String() string {
	return "(" + c.L.String() + " " + c.Op.String() + " " + c.R.String() + ")"
}

// ---- And / Or / Not ----

func (a *And) Type() sqltypes.OID { return sqltypes.Bool }

func (a *And) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	sawNull := false
	for _, e := range a.Args {
		v, err := e.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		if b, ok := v.(bool); ok && !b {
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return true, nil
}

func (a *And) String() string { return joinExprs(a.Args, " AND ") }

func (o *Or) Type() sqltypes.OID { return sqltypes.Bool }

func (o *Or) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	sawNull := false
	for _, e := range o.Args {
		v, err := e.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		if b, ok := v.(bool); ok && b {
			return true, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return false, nil
}

func (o *Or) String() string { return joinExprs(o.Args, " OR ") }

func joinExprs(es []Expr, sep string) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func (n *Not) Type() sqltypes.OID { return sqltypes.Bool }

func (n *Not) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := n.Arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	b, _ := v.(bool)
	return !b, nil
}

func (n *Not) String() string { return "(NOT " + n.Arg.String() + ")" }

// ---- IsNull ----

func (n *IsNull) Type() sqltypes.OID { return sqltypes.Bool }

func (n *IsNull) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := n.Arg.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	return (v == nil) != n.Not, nil
}

func (n *IsNull) String() string {
	if n.Not {
		return "(" + n.Arg.String() + " IS NOT NULL)"
	}
	return "(" + n.Arg.String() + " IS NULL)"
}

// ---- InList ----

func (in *InList) Type() sqltypes.OID { return sqltypes.Bool }

func (in *InList) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := in.Arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	sawNull := false
	for _, e := range in.List {
		w, err := e.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if w == nil {
			sawNull = true
			continue
		}
		c, err := compareValues(v, w, in.Arg.Type())
		if err != nil {
			return nil, err
		}
		if c == 0 {
			return !in.Not, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return in.Not, nil
}

func (in *InList) String() string {
	parts := make([]string, len(in.List))
	for i, e := range in.List {
		parts[i] = e.String()
	}
	op := " IN ("
	if in.Not {
		op = " NOT IN ("
	}
	return "(" + in.Arg.String() + op + strings.Join(parts, ", ") + "))"
}

// ---- AnyCompare ----

func (a *AnyCompare) Type() sqltypes.OID { return sqltypes.Bool }

func (a *AnyCompare) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	l, err := a.L.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	r, err := a.R.Eval(ctx, row)
	if err != nil || r == nil {
		return nil, err
	}
	arr, ok := r.(sqltypes.Array)
	if !ok {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "op ANY/ALL (array) requires array on right side")
	}
	if len(arr.Items) == 0 {
		return a.All, nil
	}
	if l == nil {
		return nil, nil
	}
	sawNull := false
	for _, it := range arr.Items {
		if it == nil {
			sawNull = true
			continue
		}
		c, err := compareValues(l, it, a.L.Type())
		if err != nil {
			return nil, err
		}
		holds := opHolds(a.Op, c)
		if holds && !a.All {
			return true, nil
		}
		if !holds && a.All {
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return a.All, nil
}

func (a *AnyCompare) String() string {
	q := "ANY"
	if a.All {
		q = "ALL"
	}
	return "(" + a.L.String() + " " + a.Op.String() + " " + q + " (" + a.R.String() + "))"
}

// ---- Between ----

func (b *Between) Type() sqltypes.OID { return sqltypes.Bool }

func (b *Between) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := b.Arg.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	lo, err := b.Lo.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	hi, err := b.Hi.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	t := b.Arg.Type()
	in := func(lo, hi sqltypes.Value) (sqltypes.Value, error) {
		// v >= lo AND v <= hi, three-valued.
		var ge, le sqltypes.Value
		if v != nil && lo != nil {
			c, err := compareValues(v, lo, t)
			if err != nil {
				return nil, err
			}
			ge = c >= 0
		}
		if v != nil && hi != nil {
			c, err := compareValues(v, hi, t)
			if err != nil {
				return nil, err
			}
			le = c <= 0
		}
		return and3(ge, le), nil
	}
	res, err := in(lo, hi)
	if err != nil {
		return nil, err
	}
	if b.Symmetric {
		res2, err := in(hi, lo)
		if err != nil {
			return nil, err
		}
		res = or3(res, res2)
	}
	if b.Not {
		return not3(res), nil
	}
	return res, nil
}

func and3(a, b sqltypes.Value) sqltypes.Value {
	if a == false || b == false {
		return false
	}
	if a == nil || b == nil {
		return nil
	}
	return true
}

func or3(a, b sqltypes.Value) sqltypes.Value {
	if a == true || b == true {
		return true
	}
	if a == nil || b == nil {
		return nil
	}
	return false
}

func not3(a sqltypes.Value) sqltypes.Value {
	if a == nil {
		return nil
	}
	return !a.(bool)
}

func (b *Between) String() string {
	op := " BETWEEN "
	if b.Not {
		op = " NOT BETWEEN "
	}
	if b.Symmetric {
		op += "SYMMETRIC "
	}
	return "(" + b.Arg.String() + op + b.Lo.String() + " AND " + b.Hi.String() + ")"
}

// ---- Like ----

func (l *Like) Type() sqltypes.OID { return sqltypes.Bool }

func (l *Like) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := l.Arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	p, err := l.Pattern.Eval(ctx, row)
	if err != nil || p == nil {
		return nil, err
	}
	esc := "\\"
	if l.Escape != nil {
		e, err := l.Escape.Eval(ctx, row)
		if err != nil || e == nil {
			return nil, err
		}
		esc, _ = e.(string)
	}
	s, _ := v.(string)
	pat, _ := p.(string)
	if b, ok := v.([]byte); ok {
		s = string(b)
	}
	m, err := likeMatch(s, pat, esc, l.CaseInsensitive)
	if err != nil {
		return nil, err
	}
	return m != l.Not, nil
}

func (l *Like) String() string {
	op := "~~"
	if l.CaseInsensitive {
		op = "~~*"
	}
	if l.Not {
		op = "!" + op
	}
	s := "(" + l.Arg.String() + " " + op + " " + l.Pattern.String()
	if l.Escape != nil {
		s += " ESCAPE " + l.Escape.String()
	}
	return s + ")"
}

// ---- Cast ----

func (c *Cast) Type() sqltypes.OID { return c.To }

func (c *Cast) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := c.Arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	return castValue(ctx, v, c.Arg.Type(), c.To, c.Typmod, true)
}

func (c *Cast) String() string {
	s := c.Arg.String()
	if strings.ContainsAny(s, " ") && !strings.HasPrefix(s, "(") {
		s = "(" + s + ")"
	}
	return s + "::" + typeNameMod(c.To, c.Typmod)
}

func typeNameMod(t sqltypes.OID, typmod int32) string {
	if typmod < 4 {
		return typeName(t)
	}
	switch t {
	case sqltypes.Numeric:
		tm := typmod - 4
		return "numeric(" + strconv.Itoa(int(tm>>16)) + "," + strconv.Itoa(int(tm&0xffff)) + ")"
	case sqltypes.Varchar, bpcharOID:
		return typeName(t) + "(" + strconv.Itoa(int(typmod-4)) + ")"
	}
	return typeName(t)
}

// quoteLiteral quotes s as an SQL string literal (E” when it has a backslash).
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// quoteIdentIfNeeded double-quotes an identifier unless it is a plain
// lower-case name (quote_ident's rule, without the keyword list).
func quoteIdentIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	safe := s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')
	for i := 0; i < len(s) && safe; i++ {
		c := s[i]
		safe = c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '$'
	}
	if safe && !reservedKeyword(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedKeyword lists PostgreSQL's reserved keywords (quote_ident quotes them).
func reservedKeyword(s string) bool {
	switch s {
	case "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both",
		"case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
		"current_date", "current_role", "current_time", "current_timestamp", "current_user",
		"default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false",
		"fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially",
		"intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
		"null", "offset", "on", "only", "or", "order", "placing", "primary", "references",
		"returning", "select", "session_user", "some", "symmetric", "table", "then", "to",
		"trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
		"window", "with", "authorization", "binary", "collation", "concurrently", "cross",
		"current_schema", "freeze", "full", "ilike", "inner", "is", "isnull", "join", "left",
		"like", "natural", "notnull", "outer", "overlaps", "right", "similar", "tablesample",
		"verbose", "between", "bigint", "bit", "boolean", "char", "character", "coalesce",
		"dec", "decimal", "exists", "extract", "float", "greatest", "grouping", "inout", "int",
		"integer", "interval", "least", "national", "nchar", "none", "normalize", "nullif",
		"numeric", "out", "overlay", "position", "precision", "real", "row", "setof", "smallint",
		"substring", "time", "timestamp", "treat", "trim", "values", "varchar", "xmlattributes",
		"xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse",
		"xmlpi", "xmlroot", "xmlserialize", "xmltable":
		return true
	}
	return false
}
