package expr

import (
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// opExpr is a strict binary operator (arithmetic, ||, jsonb and array operators).
type opExpr struct {
	op   string
	l, r Expr
	t    sqltypes.OID
	fn   func(ctx *Context, a, b sqltypes.Value) (sqltypes.Value, error)
	// nonStrict passes NULL operands to fn instead of answering NULL (the
	// array || operators, which PostgreSQL does not declare strict).
	nonStrict bool
}

func (o *opExpr) Type() sqltypes.OID { return o.t }

func (o *opExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	a, err := o.l.Eval(ctx, row)
	if err != nil || (a == nil && !o.nonStrict) {
		return nil, err
	}
	b, err := o.r.Eval(ctx, row)
	if err != nil || (b == nil && !o.nonStrict) {
		return nil, err
	}
	return o.fn(ctx, a, b)
}

func (o *opExpr) String() string {
	return "(" + o.l.String() + " " + o.op + " " + o.r.String() + ")"
}

// unaryExpr is a strict prefix operator.
type unaryExpr struct {
	op  string
	arg Expr
	t   sqltypes.OID
	fn  func(a sqltypes.Value) (sqltypes.Value, error)
}

func (u *unaryExpr) Type() sqltypes.OID { return u.t }

func (u *unaryExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	a, err := u.arg.Eval(ctx, row)
	if err != nil || a == nil {
		return nil, err
	}
	return u.fn(a)
}

func (u *unaryExpr) String() string { return "(" + u.op + " " + u.arg.String() + ")" }

// funcExpr is a call of a registered function.
type funcExpr struct {
	name  string
	def   *FuncDef
	args  []Expr
	types []sqltypes.OID
	t     sqltypes.OID
	// sqlSyntax renders the call as its SQL keyword form (current_user ...).
	sqlSyntax string
}

func (f *funcExpr) Type() sqltypes.OID { return f.t }

func (f *funcExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	vals := make([]sqltypes.Value, len(f.args))
	for i, a := range f.args {
		v, err := a.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if v == nil && !f.def.NonStrict {
			return nil, nil
		}
		vals[i] = v
	}
	return f.def.Eval(ctx, vals, f.types)
}

func (f *funcExpr) String() string {
	if f.sqlSyntax != "" {
		return f.sqlSyntax
	}
	parts := make([]string, len(f.args))
	for i, a := range f.args {
		parts[i] = a.String()
	}
	return f.name + "(" + strings.Join(parts, ", ") + ")"
}

// caseExpr is CASE [arg] WHEN ... THEN ... [ELSE ...] END.
type caseExpr struct {
	arg   Expr // nil for the searched form
	whens []Expr
	thens []Expr
	els   Expr // nil means ELSE NULL
	t     sqltypes.OID
}

func (c *caseExpr) Type() sqltypes.OID { return c.t }

func (c *caseExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	var test sqltypes.Value
	if c.arg != nil {
		v, err := c.arg.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		test = v
	}
	for i, w := range c.whens {
		v, err := w.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		hit := false
		if c.arg != nil {
			if test != nil && v != nil {
				n, err := compareValues(test, v, c.arg.Type())
				if err != nil {
					return nil, err
				}
				hit = n == 0
			}
		} else {
			hit = v == true
		}
		if hit {
			return c.thens[i].Eval(ctx, row)
		}
	}
	if c.els == nil {
		return nil, nil
	}
	return c.els.Eval(ctx, row)
}

func (c *caseExpr) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if c.arg != nil {
		b.WriteString(" " + c.arg.String())
	}
	for i := range c.whens {
		b.WriteString(" WHEN " + c.whens[i].String() + " THEN " + c.thens[i].String())
	}
	if c.els != nil {
		b.WriteString(" ELSE " + c.els.String())
	}
	b.WriteString(" END")
	return b.String()
}

// coalesceExpr is COALESCE(...), GREATEST(...) or LEAST(...).
type coalesceExpr struct {
	kind string // "COALESCE", "GREATEST", "LEAST"
	args []Expr
	t    sqltypes.OID
}

func (c *coalesceExpr) Type() sqltypes.OID { return c.t }

func (c *coalesceExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	var best sqltypes.Value
	for _, a := range c.args {
		v, err := a.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if c.kind == "COALESCE" {
			return v, nil
		}
		if best == nil {
			best = v
			continue
		}
		n, err := compareValues(v, best, c.t)
		if err != nil {
			return nil, err
		}
		if (c.kind == "GREATEST" && n > 0) || (c.kind == "LEAST" && n < 0) {
			best = v
		}
	}
	return best, nil
}

func (c *coalesceExpr) String() string {
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	return c.kind + "(" + strings.Join(parts, ", ") + ")"
}

// nullIfExpr is NULLIF(l, r).
type nullIfExpr struct{ l, r Expr }

func (n *nullIfExpr) Type() sqltypes.OID { return n.l.Type() }

func (n *nullIfExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	a, err := n.l.Eval(ctx, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := n.r.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return a, nil
	}
	c, err := compareValues(a, b, n.l.Type())
	if err != nil {
		return nil, err
	}
	if c == 0 {
		return nil, nil
	}
	return a, nil
}

func (n *nullIfExpr) String() string { return "NULLIF(" + n.l.String() + ", " + n.r.String() + ")" }

// distinctExpr is l IS [NOT] DISTINCT FROM r.
type distinctExpr struct {
	l, r Expr
	not  bool
}

func (d *distinctExpr) Type() sqltypes.OID { return sqltypes.Bool }

func (d *distinctExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	a, err := d.l.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	b, err := d.r.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	var distinct bool
	switch {
	case a == nil && b == nil:
		distinct = false
	case a == nil || b == nil:
		distinct = true
	default:
		c, err := compareValues(a, b, d.l.Type())
		if err != nil {
			return nil, err
		}
		distinct = c != 0
	}
	return distinct != d.not, nil
}

func (d *distinctExpr) String() string {
	op := " IS DISTINCT FROM "
	if d.not {
		op = " IS NOT DISTINCT FROM "
	}
	return "(" + d.l.String() + op + d.r.String() + ")"
}

// boolTestExpr is IS [NOT] TRUE / FALSE / UNKNOWN.
type boolTestExpr struct {
	arg  Expr
	want sqltypes.Value // true, false or nil (UNKNOWN)
	not  bool
}

func (b *boolTestExpr) Type() sqltypes.OID { return sqltypes.Bool }

func (b *boolTestExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := b.arg.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	return (v == b.want) != b.not, nil
}

func (b *boolTestExpr) String() string {
	w := "UNKNOWN"
	switch b.want {
	case true:
		w = "TRUE"
	case false:
		w = "FALSE"
	}
	if b.not {
		w = "NOT " + w
	}
	return "(" + b.arg.String() + " IS " + w + ")"
}

// arrayExpr is ARRAY[...].
type arrayExpr struct {
	elems []Expr
	t     sqltypes.OID
	elem  sqltypes.OID
}

func (a *arrayExpr) Type() sqltypes.OID { return a.t }

func (a *arrayExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	out := sqltypes.Array{Elem: a.elem, Items: make([]sqltypes.Value, len(a.elems))}
	for i, e := range a.elems {
		v, err := e.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		out.Items[i] = v
	}
	return out, nil
}

func (a *arrayExpr) String() string {
	parts := make([]string, len(a.elems))
	for i, e := range a.elems {
		parts[i] = e.String()
	}
	return "ARRAY[" + strings.Join(parts, ", ") + "]"
}

// subscriptExpr is arr[i] (1-based) or arr[lo:hi].
type subscriptExpr struct {
	arg    Expr
	lo, hi Expr // hi != nil or slice for a slice
	slice  bool
	t      sqltypes.OID
}

func (s *subscriptExpr) Type() sqltypes.OID { return s.t }

func (s *subscriptExpr) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := s.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	idx := func(e Expr, def int64) (int64, bool, error) {
		if e == nil {
			return def, true, nil
		}
		x, err := e.Eval(ctx, row)
		if err != nil || x == nil {
			return 0, false, err
		}
		n, ok := x.(int64)
		if !ok {
			return 0, false, pgerr.New(pgerr.DatatypeMismatch, "array subscript must have type integer")
		}
		return n, true, nil
	}
	switch a := v.(type) {
	case sqltypes.Array:
		// Subscripts count from the value's lower bound; base turns one
		// into a 1-based position in Items.
		base := lowerBound(s.arg.Type())
		first, last := base, base+int64(len(a.Items))-1
		if !s.slice {
			i, ok, err := idx(s.lo, 0)
			if err != nil || !ok || i < first || i > last {
				return nil, err
			}
			return a.Items[i-first], nil
		}
		lo, ok1, err := idx(s.lo, first)
		if err != nil {
			return nil, err
		}
		hi, ok2, err := idx(s.hi, last)
		if err != nil || !ok1 || !ok2 {
			return nil, err
		}
		lo, hi = max(lo, first)-first+1, min(hi, last)-first+1
		out := sqltypes.Array{Elem: a.Elem, Items: []sqltypes.Value{}}
		if lo <= hi {
			out.Items = append(out.Items, a.Items[lo-1:hi]...)
		}
		return out, nil
	case sqltypes.JSON:
		k, err := s.lo.Eval(ctx, row)
		if err != nil || k == nil {
			return nil, err
		}
		return jsonGet(a, k)
	}
	return nil, pgerr.New(pgerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", typeName(s.arg.Type()))
}

func (s *subscriptExpr) String() string {
	in := ""
	if s.lo != nil {
		in = s.lo.String()
	}
	if s.slice {
		in += ":"
		if s.hi != nil {
			in += s.hi.String()
		}
	}
	return "(" + s.arg.String() + ")[" + in + "]"
}
