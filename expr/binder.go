package expr

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Scope resolves column references; the planner implements it. An unknown
// column is 42703, an ambiguous one 42702.
type Scope interface {
	ResolveColumn(names []string) (*ColRef, error)
}

// Binder turns pg_query expression nodes into typed Exprs.
type Binder struct {
	Scope Scope
	// Params collects $n types; nil gives the binder a private one.
	Params *ParamTypes
	// Session may be nil at bind time.
	Session SessionInfo
	// Funcs resolves function calls; nil uses a fresh built-in registry.
	Funcs *Funcs
	// Resolver resolves reg* literals at bind time ('pg_class'::regclass); when
	// nil such casts are left to Context.Resolver at evaluation.
	Resolver Resolver
	// AggHook binds an aggregate call; nil makes aggregates an error (42803).
	AggHook func(fc *pg_query.FuncCall) (Expr, error)
	// SubqueryHook binds a sub-select; nil makes sub-selects 0A000.
	SubqueryHook func(sl *pg_query.SubLink) (Expr, error)
	// WindowHook binds a call with an OVER clause (a window function or an
	// aggregate over a window); nil makes such calls 0A000.
	WindowHook func(fc *pg_query.FuncCall) (Expr, error)
	// FieldHook selects a field of a composite value, (arg).field; nil makes
	// field selection 0A000. The planner knows the record types.
	FieldHook func(arg Expr, field string) (Expr, error)
}

// Bind binds one expression. An untyped literal or parameter at the top is
// resolved as text, as PostgreSQL does for select-list items.
func (b *Binder) Bind(n *pg_query.Node) (Expr, error) {
	if b.Params == nil {
		b.Params = NewParamTypes(nil)
	}
	if b.Funcs == nil {
		b.Funcs = NewFuncs()
	}
	e, err := b.bind(n)
	if err != nil {
		return nil, err
	}
	if isUnknown(e) {
		if e, err = b.coerce(e, sqltypes.Text, ""); err != nil {
			return nil, err
		}
	}
	b.Params.finish()
	return e, nil
}

// isUnknown reports an untyped literal or a parameter whose type is not yet known.
func isUnknown(e Expr) bool {
	switch x := e.(type) {
	case *Const:
		return x.T == sqltypes.Unknown
	case *Param:
		return x.T == 0 || x.T == sqltypes.Unknown
	}
	return false
}

func typeOf(e Expr) sqltypes.OID {
	if isUnknown(e) {
		return sqltypes.Unknown
	}
	return e.Type()
}

func (b *Binder) bind(n *pg_query.Node) (Expr, error) {
	if n == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "missing expression")
	}
	switch {
	case n.GetAConst() != nil:
		return bindConst(n.GetAConst())
	case n.GetColumnRef() != nil:
		return b.bindColumnRef(n.GetColumnRef())
	case n.GetParamRef() != nil:
		return b.Params.ref(int(n.GetParamRef().Number))
	case n.GetAExpr() != nil:
		return b.bindAExpr(n.GetAExpr())
	case n.GetBoolExpr() != nil:
		return b.bindBoolExpr(n.GetBoolExpr())
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		arg, err := b.bind(nt.Arg)
		if err != nil {
			return nil, err
		}
		return &IsNull{Arg: arg, Not: nt.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL}, nil
	case n.GetBooleanTest() != nil:
		return b.bindBooleanTest(n.GetBooleanTest())
	case n.GetTypeCast() != nil:
		return b.bindTypeCast(n.GetTypeCast())
	case n.GetCollateClause() != nil:
		cc := n.GetCollateClause()
		name := strings.ToLower(strings.Join(stringList(cc.Collname), "."))
		switch name {
		case "default", "pg_catalog.default", "c", "pg_catalog.c", "posix", "pg_catalog.posix", "ucs_basic":
		default:
			return nil, pgerr.New(pgerr.UndefinedObject, "collation %q for encoding \"UTF8\" does not exist", strings.Join(stringList(cc.Collname), "."))
		}
		return b.bind(cc.Arg)
	case n.GetCaseExpr() != nil:
		return b.bindCase(n.GetCaseExpr())
	case n.GetCoalesceExpr() != nil:
		return b.bindCoalesce("COALESCE", n.GetCoalesceExpr().Args)
	case n.GetMinMaxExpr() != nil:
		kind := "GREATEST"
		if n.GetMinMaxExpr().Op == pg_query.MinMaxOp_IS_LEAST {
			kind = "LEAST"
		}
		return b.bindCoalesce(kind, n.GetMinMaxExpr().Args)
	case n.GetFuncCall() != nil:
		return b.bindFuncCall(n.GetFuncCall())
	case n.GetSqlvalueFunction() != nil:
		return b.bindSQLValueFunction(n.GetSqlvalueFunction())
	case n.GetAArrayExpr() != nil:
		return b.bindArray(n.GetAArrayExpr(), 0)
	case n.GetAIndirection() != nil:
		return b.bindIndirection(n.GetAIndirection())
	case n.GetSubLink() != nil:
		if b.SubqueryHook == nil {
			return nil, pgerr.Unsupported("subqueries in this context", "")
		}
		return b.SubqueryHook(n.GetSubLink())
	case n.GetRowExpr() != nil:
		return nil, pgerr.Unsupported("row constructors", "")
	case n.GetNamedArgExpr() != nil:
		return nil, pgerr.Unsupported("named function arguments", "")
	case n.GetGroupingFunc() != nil:
		return nil, pgerr.Unsupported("GROUPING()", "")
	}
	return nil, pgerr.Unsupported("this kind of expression", "")
}

func stringList(ns []*pg_query.Node) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

func bindConst(c *pg_query.A_Const) (Expr, error) {
	if c.Isnull {
		return &Const{Val: nil, T: sqltypes.Unknown}, nil
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		return &Const{Val: int64(v.Ival.Ival), T: sqltypes.Int4}, nil
	case *pg_query.A_Const_Fval:
		s := v.Fval.Fval
		if !strings.ContainsAny(s, ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				if n >= -1<<31 && n < 1<<31 {
					return &Const{Val: n, T: sqltypes.Int4}, nil
				}
				return &Const{Val: n, T: sqltypes.Int8}, nil
			}
		}
		d, err := parseDecimal(s)
		if err != nil {
			return nil, err
		}
		return &Const{Val: d, T: sqltypes.Numeric}, nil
	case *pg_query.A_Const_Sval:
		return &Const{Val: v.Sval.Sval, T: sqltypes.Unknown}, nil
	case *pg_query.A_Const_Boolval:
		return &Const{Val: v.Boolval.Boolval, T: sqltypes.Bool}, nil
	case *pg_query.A_Const_Bsval:
		return nil, pgerr.Unsupported("bit string constants", "")
	}
	return &Const{Val: nil, T: sqltypes.Unknown}, nil
}

func (b *Binder) bindColumnRef(cr *pg_query.ColumnRef) (Expr, error) {
	var names []string
	for _, f := range cr.Fields {
		switch {
		case f.GetString_() != nil:
			names = append(names, f.GetString_().Sval)
		case f.GetAStar() != nil:
			return nil, pgerr.Unsupported("row expansion with * in this context", "name the columns instead")
		}
	}
	if b.Scope == nil {
		return nil, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", strings.Join(names, "."))
	}
	ref, err := b.Scope.ResolveColumn(names)
	if err != nil {
		return nil, err
	}
	return ref, nil
}

func (b *Binder) requireBool(e Expr, what string) (Expr, error) {
	if isUnknown(e) {
		return b.coerce(e, sqltypes.Bool, what)
	}
	if e.Type() != sqltypes.Bool {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", what, typeName(e.Type()))
	}
	return e, nil
}

func (b *Binder) bindBoolExpr(be *pg_query.BoolExpr) (Expr, error) {
	var args []Expr
	what := map[pg_query.BoolExprType]string{pg_query.BoolExprType_AND_EXPR: "AND", pg_query.BoolExprType_OR_EXPR: "OR", pg_query.BoolExprType_NOT_EXPR: "NOT"}[be.Boolop]
	for _, a := range be.Args {
		e, err := b.bind(a)
		if err != nil {
			return nil, err
		}
		if e, err = b.requireBool(e, what); err != nil {
			return nil, err
		}
		// Flatten nested ANDs/ORs.
		switch x := e.(type) {
		case *And:
			if be.Boolop == pg_query.BoolExprType_AND_EXPR {
				args = append(args, x.Args...)
				continue
			}
		case *Or:
			if be.Boolop == pg_query.BoolExprType_OR_EXPR {
				args = append(args, x.Args...)
				continue
			}
		}
		args = append(args, e)
	}
	switch be.Boolop {
	case pg_query.BoolExprType_AND_EXPR:
		return &And{Args: args}, nil
	case pg_query.BoolExprType_OR_EXPR:
		return &Or{Args: args}, nil
	}
	if len(args) != 1 {
		return nil, pgerr.New(pgerr.SyntaxError, "NOT takes one argument")
	}
	return &Not{Arg: args[0]}, nil
}

func (b *Binder) bindBooleanTest(bt *pg_query.BooleanTest) (Expr, error) {
	arg, err := b.bind(bt.Arg)
	if err != nil {
		return nil, err
	}
	kind := map[pg_query.BoolTestType]string{
		pg_query.BoolTestType_IS_TRUE: "IS TRUE", pg_query.BoolTestType_IS_NOT_TRUE: "IS NOT TRUE",
		pg_query.BoolTestType_IS_FALSE: "IS FALSE", pg_query.BoolTestType_IS_NOT_FALSE: "IS NOT FALSE",
		pg_query.BoolTestType_IS_UNKNOWN: "IS UNKNOWN", pg_query.BoolTestType_IS_NOT_UNKNOWN: "IS NOT UNKNOWN",
	}[bt.Booltesttype]
	if arg, err = b.requireBool(arg, kind); err != nil {
		return nil, err
	}
	t := &boolTestExpr{arg: arg}
	switch bt.Booltesttype {
	case pg_query.BoolTestType_IS_TRUE:
		t.want = true
	case pg_query.BoolTestType_IS_NOT_TRUE:
		t.want, t.not = true, true
	case pg_query.BoolTestType_IS_FALSE:
		t.want = false
	case pg_query.BoolTestType_IS_NOT_FALSE:
		t.want, t.not = false, true
	case pg_query.BoolTestType_IS_NOT_UNKNOWN:
		t.not = true
	}
	return t, nil
}

// coerce converts e to type t: untyped literals are parsed now (errors are
// reported at bind time, as in PostgreSQL), untyped parameters take the
// type, others need an implicit cast. what names the context for errors.
func (b *Binder) coerce(e Expr, t sqltypes.OID, what string) (Expr, error) {
	if t == AnyOID || t == 0 {
		if isUnknown(e) {
			return b.coerce(e, sqltypes.Text, what)
		}
		return e, nil
	}
	switch x := e.(type) {
	case *Const:
		if x.T == sqltypes.Unknown {
			if x.Val == nil {
				return &Const{Val: nil, T: t}, nil
			}
			return b.foldCast(x, t, -1)
		}
	case *Param:
		if x.T == 0 || x.T == sqltypes.Unknown {
			x.T = b.Params.resolve(x.N, t)
			if x.T == t {
				return x, nil
			}
		}
	}
	from := e.Type()
	if from == t {
		return e, nil
	}
	if !implicitCast(from, t) {
		if what == "" {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "expression is of type %s but %s is expected", typeName(from), typeName(t)).
				WithHint("You will need to rewrite or cast the expression.")
		}
		return nil, pgerr.New(pgerr.DatatypeMismatch, "argument of %s must be type %s, not type %s", what, typeName(t), typeName(from))
	}
	if c, ok := e.(*Const); ok {
		return b.foldCast(c, t, -1)
	}
	return &Cast{Arg: e, To: t, Typmod: -1}, nil
}

// foldCast casts a constant now; reg* casts without a resolver stay a Cast.
func (b *Binder) foldCast(c *Const, t sqltypes.OID, typmod int32) (Expr, error) {
	if c.Val == nil {
		return &Const{Val: nil, T: t}, nil
	}
	v, err := castValue(&Context{Resolver: b.Resolver, Session: b.Session}, c.Val, c.T, t, typmod, true)
	if err != nil {
		if b.Resolver == nil && category(t) == catOID && pgerr.CodeOf(err) == pgerr.FeatureNotSupported {
			return &Cast{Arg: c, To: t, Typmod: typmod}, nil
		}
		return nil, err
	}
	return &Const{Val: v, T: t}, nil
}

func (b *Binder) bindTypeCast(tc *pg_query.TypeCast) (Expr, error) {
	t, typmod, err := resolveTypeName(tc.TypeName)
	if err != nil {
		return nil, err
	}
	if ae := tc.Arg.GetAArrayExpr(); ae != nil {
		if et, ok := elemType(t); ok {
			arr, err := b.bindArray(ae, et)
			if err != nil {
				return nil, err
			}
			if arr.Type() == t {
				return arr, nil
			}
			return &Cast{Arg: arr, To: t, Typmod: typmod}, nil
		}
	}
	arg, err := b.bind(tc.Arg)
	if err != nil {
		return nil, err
	}
	if c, ok := arg.(*Const); ok && c.T == sqltypes.Unknown {
		if c.Val == nil {
			return &Const{Val: nil, T: t}, nil
		}
		return b.foldCast(c, t, typmod)
	}
	if p, ok := arg.(*Param); ok && isUnknown(p) {
		p.T = b.Params.resolve(p.N, t)
		if p.T == t && typmod < 0 {
			return p, nil
		}
		arg = p
	}
	from := arg.Type()
	if from == t && typmod < 0 {
		return arg, nil
	}
	if !explicitCastAllowed(from, t) {
		return nil, cannotCast(from, t)
	}
	if c, ok := arg.(*Const); ok {
		return b.foldCast(c, t, typmod)
	}
	return &Cast{Arg: arg, To: t, Typmod: typmod}, nil
}

// commonType is PostgreSQL's select_common_type for CASE, COALESCE, IN, ARRAY ...
func commonType(types []sqltypes.OID, what string) (sqltypes.OID, error) {
	var cand sqltypes.OID
	for _, t := range types {
		if t == sqltypes.Unknown {
			continue
		}
		if cand == 0 {
			cand = t
			continue
		}
		if t == cand {
			continue
		}
		cc, tc := category(cand), category(t)
		if cc != tc && !(cc == catOID && tc == catNumeric && isIntType(t)) && !(tc == catOID && cc == catNumeric && isIntType(cand)) {
			return 0, pgerr.New(pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, typeName(cand), typeName(t))
		}
		if implicitCast(cand, t) && !implicitCast(t, cand) {
			cand = t
		} else if cc == catString && tc == catString {
			cand = sqltypes.Text
		}
	}
	if cand == 0 {
		return sqltypes.Text, nil
	}
	return cand, nil
}

func (b *Binder) bindList(ns []*pg_query.Node) ([]Expr, []sqltypes.OID, error) {
	es := make([]Expr, len(ns))
	ts := make([]sqltypes.OID, len(ns))
	for i, n := range ns {
		e, err := b.bind(n)
		if err != nil {
			return nil, nil, err
		}
		es[i], ts[i] = e, typeOf(e)
	}
	return es, ts, nil
}

// coerceAll coerces each expression to t (numeric promotion left implicit).
func (b *Binder) coerceAll(es []Expr, t sqltypes.OID, what string) error {
	for i, e := range es {
		if typeOf(e) == t || (category(e.Type()) == category(t) && category(t) == catNumeric && !isUnknown(e)) {
			continue
		}
		c, err := b.coerce(e, t, what)
		if err != nil {
			return err
		}
		es[i] = c
	}
	return nil
}

func (b *Binder) bindCase(ce *pg_query.CaseExpr) (Expr, error) {
	out := &caseExpr{}
	var arg Expr
	var err error
	if ce.Arg != nil {
		if arg, err = b.bind(ce.Arg); err != nil {
			return nil, err
		}
	}
	var results []Expr
	var whenVals []Expr
	for _, w := range ce.Args {
		cw := w.GetCaseWhen()
		if cw == nil {
			return nil, pgerr.New(pgerr.SyntaxError, "malformed CASE")
		}
		we, err := b.bind(cw.Expr)
		if err != nil {
			return nil, err
		}
		if arg == nil {
			if we, err = b.requireBool(we, "CASE/WHEN"); err != nil {
				return nil, err
			}
		}
		whenVals = append(whenVals, we)
		re, err := b.bind(cw.Result)
		if err != nil {
			return nil, err
		}
		results = append(results, re)
	}
	if ce.Defresult != nil {
		d, err := b.bind(ce.Defresult)
		if err != nil {
			return nil, err
		}
		results = append(results, d)
	}
	if arg != nil {
		all := append([]Expr{arg}, whenVals...)
		ts := make([]sqltypes.OID, len(all))
		for i, e := range all {
			ts[i] = typeOf(e)
		}
		ct, err := commonType(ts, "CASE/WHEN")
		if err != nil {
			return nil, err
		}
		if err := b.coerceAll(all, ct, "CASE/WHEN"); err != nil {
			return nil, err
		}
		arg, whenVals = all[0], all[1:]
	}
	ts := make([]sqltypes.OID, len(results))
	for i, e := range results {
		ts[i] = typeOf(e)
	}
	t, err := commonType(ts, "CASE")
	if err != nil {
		return nil, err
	}
	if err := b.coerceAllExact(results, t, "CASE"); err != nil {
		return nil, err
	}
	out.arg, out.whens, out.t = arg, whenVals, t
	out.thens = results[:len(whenVals)]
	if ce.Defresult != nil {
		out.els = results[len(results)-1]
	}
	return out, nil
}

// coerceAllExact coerces every expression to exactly t (results must share a type).
func (b *Binder) coerceAllExact(es []Expr, t sqltypes.OID, what string) error {
	for i, e := range es {
		if typeOf(e) == t {
			continue
		}
		if category(typeOf(e)) == catString && category(t) == catString && !isUnknown(e) {
			continue // same representation
		}
		c, err := b.coerce(e, t, what)
		if err != nil {
			return err
		}
		es[i] = c
	}
	return nil
}

func (b *Binder) bindCoalesce(kind string, ns []*pg_query.Node) (Expr, error) {
	es, ts, err := b.bindList(ns)
	if err != nil {
		return nil, err
	}
	t, err := commonType(ts, kind)
	if err != nil {
		return nil, err
	}
	if err := b.coerceAllExact(es, t, kind); err != nil {
		return nil, err
	}
	return &coalesceExpr{kind: kind, args: es, t: t}, nil
}

func (b *Binder) bindArray(ae *pg_query.A_ArrayExpr, want sqltypes.OID) (Expr, error) {
	for _, el := range ae.Elements {
		if el.GetAArrayExpr() != nil {
			return nil, pgerr.Unsupported("multidimensional arrays", "")
		}
	}
	es, ts, err := b.bindList(ae.Elements)
	if err != nil {
		return nil, err
	}
	et := want
	if et == 0 {
		if len(es) == 0 {
			return nil, pgerr.New(pgerr.IndeterminateDatatype, "cannot determine type of empty array").
				WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")
		}
		if et, err = commonType(ts, "ARRAY"); err != nil {
			return nil, err
		}
	}
	if err := b.coerceAllExactCast(es, et); err != nil {
		return nil, err
	}
	at, ok := arrayType(et)
	if !ok {
		return nil, pgerr.Unsupported("arrays of type "+typeName(et), "")
	}
	return &arrayExpr{elems: es, t: at, elem: et}, nil
}

// coerceAllExactCast coerces elements to exactly t, casting explicitly when
// the target was given by a cast (ARRAY[1,2]::text[]).
func (b *Binder) coerceAllExactCast(es []Expr, t sqltypes.OID) error {
	for i, e := range es {
		if typeOf(e) == t {
			continue
		}
		c, err := b.coerce(e, t, "ARRAY")
		if err != nil {
			if !explicitCastAllowed(e.Type(), t) {
				return err
			}
			c = &Cast{Arg: e, To: t, Typmod: -1}
		}
		es[i] = c
	}
	return nil
}

func (b *Binder) bindIndirection(ind *pg_query.A_Indirection) (Expr, error) {
	e, err := b.bind(ind.Arg)
	if err != nil {
		return nil, err
	}
	for _, in := range ind.Indirection {
		idx := in.GetAIndices()
		if f := in.GetString_(); f != nil && b.FieldHook != nil {
			if e, err = b.FieldHook(e, f.Sval); err != nil {
				return nil, err
			}
			continue
		}
		if idx == nil {
			if in.GetString_() != nil {
				return nil, pgerr.Unsupported("field selection from a record", "")
			}
			return nil, pgerr.Unsupported("this indirection", "")
		}
		t := e.Type()
		var rt sqltypes.OID
		idxType := sqltypes.OID(sqltypes.Int4)
		switch {
		case t == sqltypes.Jsonb:
			if idx.IsSlice {
				return nil, pgerr.New(pgerr.DatatypeMismatch, "jsonb subscript does not support slices")
			}
			rt, idxType = sqltypes.Jsonb, 0
		case category(t) == catArray:
			rt, _ = elemType(t)
			if idx.IsSlice {
				rt = t
			}
		case t == sqltypes.Int2Vector:
			rt = sqltypes.Int2
		case t == sqltypes.OidVector:
			rt = sqltypes.Oid
		default:
			return nil, pgerr.New(pgerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", typeName(t))
		}
		s := &subscriptExpr{arg: e, slice: idx.IsSlice, t: rt}
		bindIdx := func(n *pg_query.Node) (Expr, error) {
			if n == nil {
				return nil, nil
			}
			x, err := b.bind(n)
			if err != nil {
				return nil, err
			}
			if idxType == 0 {
				if isUnknown(x) {
					return b.coerce(x, sqltypes.Text, "subscript")
				}
				return x, nil
			}
			if isIntType(x.Type()) && !isUnknown(x) {
				return x, nil
			}
			return b.coerce(x, idxType, "array subscript")
		}
		if s.lo, err = bindIdx(idx.Lidx); err != nil {
			return nil, err
		}
		if !idx.IsSlice && s.lo == nil {
			s.lo, err = bindIdx(idx.Uidx)
		} else {
			s.hi, err = bindIdx(idx.Uidx)
		}
		if err != nil {
			return nil, err
		}
		e = s
	}
	return e, nil
}

func (b *Binder) bindSQLValueFunction(f *pg_query.SQLValueFunction) (Expr, error) {
	var name, syntax string
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		name, syntax = "current_date", "CURRENT_DATE"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		name, syntax = "now", "CURRENT_TIMESTAMP"
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		name, syntax = "localtimestamp", "LOCALTIMESTAMP"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_USER:
		name, syntax = "current_user", "CURRENT_USER"
	case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
		name, syntax = "session_user", "SESSION_USER"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		name, syntax = "current_database", "CURRENT_CATALOG"
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		name, syntax = "current_schema", "CURRENT_SCHEMA"
	default:
		return nil, pgerr.Unsupported("the time type (CURRENT_TIME, LOCALTIME)", "use CURRENT_TIMESTAMP")
	}
	def, _, rt, err := b.Funcs.lookup(name, nil)
	if err != nil {
		return nil, err
	}
	return &funcExpr{name: name, def: def, t: rt, sqlSyntax: syntax}, nil
}

// aggregateNames are the aggregate functions PostgreSQL has that clients use.
var aggregateNames = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true, "array_agg": true,
	"string_agg": true, "bool_and": true, "bool_or": true, "every": true, "json_agg": true,
	"jsonb_agg": true, "json_object_agg": true, "jsonb_object_agg": true, "stddev": true,
	"stddev_pop": true, "stddev_samp": true, "variance": true, "var_pop": true, "var_samp": true,
	"bit_and": true, "bit_or": true, "percentile_cont": true, "percentile_disc": true, "mode": true,
}

// windowOnlyNames are the functions that exist only as window functions.
var windowOnlyNames = map[string]bool{
	"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true, "cume_dist": true,
	"ntile": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true,
}

func (b *Binder) bindFuncCall(fc *pg_query.FuncCall) (Expr, error) {
	parts := stringList(fc.Funcname)
	if len(parts) == 0 {
		return nil, pgerr.New(pgerr.SyntaxError, "missing function name")
	}
	name := strings.ToLower(parts[len(parts)-1])
	if len(parts) > 1 && parts[0] != "pg_catalog" {
		name = strings.ToLower(strings.Join(parts, "."))
	}
	if fc.Over != nil {
		if b.WindowHook == nil {
			return nil, pgerr.Unsupported("window functions in this context", "")
		}
		return b.WindowHook(fc)
	}
	if windowOnlyNames[name] {
		return nil, pgerr.New(pgerr.WrongObjectType, "window function %s requires an OVER clause", name)
	}
	if aggregateNames[name] || fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil {
		if b.AggHook == nil {
			return nil, pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed here")
		}
		return b.AggHook(fc)
	}
	switch name {
	case "unnest", "generate_series", "generate_subscripts", "json_each", "jsonb_each", "json_array_elements",
		"jsonb_array_elements", "jsonb_each_text", "json_each_text", "jsonb_array_elements_text",
		"json_array_elements_text", "regexp_matches", "jsonb_object_keys", "json_object_keys", "regexp_split_to_table":
		return nil, pgerr.Unsupported("set-returning function "+name+" in this context", "")
	}
	if fc.FuncVariadic {
		return nil, pgerr.Unsupported("VARIADIC arguments", "")
	}
	switch name {
	case "coalesce", "greatest", "least":
		return b.bindCoalesce(strings.ToUpper(name), fc.Args)
	case "nullif":
		if len(fc.Args) == 2 {
			return b.bindNullIf(fc.Args[0], fc.Args[1])
		}
	}
	args, ts, err := b.bindList(fc.Args)
	if err != nil {
		return nil, err
	}
	return b.call(name, args, ts)
}

// call resolves name over bound arguments and coerces them.
func (b *Binder) call(name string, args []Expr, ts []sqltypes.OID) (Expr, error) {
	def, params, rt, err := b.Funcs.lookup(name, ts)
	if err != nil {
		return nil, err
	}
	types := make([]sqltypes.OID, len(args))
	for i := range args {
		c, err := b.coerce(args[i], params[i], "function "+name)
		if err != nil {
			return nil, err
		}
		args[i], types[i] = c, c.Type()
	}
	return &funcExpr{name: name, def: def, args: args, types: types, t: rt}, nil
}

func (b *Binder) bindNullIf(ln, rn *pg_query.Node) (Expr, error) {
	l, err := b.bind(ln)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(rn)
	if err != nil {
		return nil, err
	}
	if l, r, err = b.unify(l, r, "="); err != nil {
		return nil, err
	}
	return &nullIfExpr{l: l, r: r}, nil
}

// unify brings two operands to comparable types (untyped side takes the other
// side's type; numbers, strings, dates compare across their category).
func (b *Binder) unify(l, r Expr, op string) (Expr, Expr, error) {
	var err error
	lu, ru := isUnknown(l), isUnknown(r)
	switch {
	case lu && ru:
		if l, err = b.coerce(l, sqltypes.Text, ""); err != nil {
			return nil, nil, err
		}
		r, err = b.coerce(r, sqltypes.Text, "")
		return l, r, err
	case lu:
		l, err = b.coerce(l, r.Type(), "")
		return l, r, err
	case ru:
		r, err = b.coerce(r, l.Type(), "")
		return l, r, err
	}
	lt, rt := l.Type(), r.Type()
	if lt == rt || comparable(lt, rt) {
		return l, r, nil
	}
	return nil, nil, operatorError(op, lt, rt)
}

func comparable(a, b sqltypes.OID) bool {
	ca, cb := category(a), category(b)
	switch {
	case ca == cb && ca != catArray && ca != catOther:
		return ca != catJSON || a == b
	case ca == catArray && cb == catArray:
		ea, _ := elemType(a)
		eb, _ := elemType(b)
		return comparable(ea, eb)
	case (ca == catOID && cb == catNumeric && isIntType(b)) || (cb == catOID && ca == catNumeric && isIntType(a)):
		return true
	}
	return false
}

func operatorError(op string, l, r sqltypes.OID) error {
	return pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s %s %s", typeName(l), op, typeName(r)).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}
