package translate

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// isAggregateName reports the aggregate functions the executor implements.
func isAggregateName(name string) bool {
	switch name {
	case "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg",
		"json_agg", "jsonb_agg", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "jsonb_object_agg":
		return true
	}
	return false
}

func isAggregateCall(fc *pg_query.FuncCall) bool {
	names := fieldNames(fc.Funcname)
	if len(names) == 0 || fc.Over != nil {
		return false
	}
	if len(names) == 2 && names[0] != "pg_catalog" {
		return false
	}
	return isAggregateName(strings.ToLower(names[len(names)-1]))
}

// hasAggregate reports whether any node (outside subqueries) calls an aggregate.
func hasAggregate(nodes []*pg_query.Node) bool {
	for _, n := range nodes {
		if n != nil && containsAggregate(n.ProtoReflect()) {
			return true
		}
	}
	return false
}

func hasAggregateSorts(sorts []*pg_query.Node) bool { return hasAggregate(sorts) }

// containsAggregate walks a parse tree generically (it is a protobuf message),
// not descending into subqueries, whose aggregates are their own.
func containsAggregate(m protoreflect.Message) bool {
	switch v := m.Interface().(type) {
	case *pg_query.FuncCall:
		if isAggregateCall(v) {
			return true
		}
	case *pg_query.SubLink:
		return false
	}
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := val.List()
			for i := 0; i < l.Len() && !found; i++ {
				found = containsAggregate(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			found = containsAggregate(val.Message())
		}
		return !found
	})
	return found
}

// groupScope resolves column names after aggregation: a column may be used only
// if it is a GROUP BY column (PostgreSQL's 42803 otherwise).
type groupScope struct {
	input   expr.Scope
	groupBy []expr.Expr
}

var _ expr.Scope = (*groupScope)(nil)

func (g *groupScope) ResolveColumn(names []string) (*expr.ColRef, error) {
	ref, err := g.input.ResolveColumn(names)
	if err != nil {
		return nil, err
	}
	if ref.Depth > 0 {
		return ref, nil // an enclosing query's column: fixed within this one
	}
	for i, e := range g.groupBy {
		if gr, ok := e.(*expr.ColRef); ok && gr.Index == ref.Index && gr.Depth == 0 {
			return &expr.ColRef{Index: i, Table: ref.Table, Name: ref.Name, T: ref.T}, nil
		}
	}
	return nil, pgerr.New(pgerr.GroupingError,
		"column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate function", ref.Table, ref.Name)
}

// bindGrouped binds GROUP BY, the select list, HAVING and ORDER BY of an
// aggregating query. Expressions are bound over the aggregate's output row:
// group columns first, then one column per aggregate call.
func (st *selectState) bindGrouped(s *pg_query.SelectStmt) error {
	in := st.binder(st.scope, nil)
	for _, n := range s.GroupClause {
		if c := n.GetAConst(); c != nil && c.GetIval() != nil {
			i := int(c.GetIval().Ival)
			if i < 1 || i > len(s.TargetList) {
				return pgerr.New(pgerr.InvalidColumnReference, "GROUP BY position %d is not in select list", i)
			}
			n = s.TargetList[i-1].GetResTarget().Val
		}
		if n.GetGroupingSet() != nil {
			return pgerr.Unsupported("GROUPING SETS, ROLLUP and CUBE", "")
		}
		e, err := in.Bind(n)
		if err != nil {
			return err
		}
		st.groupBy = append(st.groupBy, e)
	}
	gs := &groupScope{input: st.scope, groupBy: st.groupBy}
	post := st.binder(gs, st.aggHook)
	matching := &groupMatchBinder{st: st, post: post}
	post.WindowHook = st.windows.hook(st, matching.Bind)
	if err := st.bindTargets(s.TargetList, matching.Bind, gs); err != nil {
		return err
	}
	if s.HavingClause != nil {
		h, err := matching.Bind(boolContext(s.HavingClause))
		if err != nil {
			return err
		}
		if err := requireBool(h, "HAVING"); err != nil {
			return err
		}
		st.having = h
	}
	return st.bindOrder(s.SortClause, matching.Bind)
}

// aggHook binds one aggregate call's argument over the input row and returns a
// reference to the aggregate's output column.
func (st *selectState) aggHook(fc *pg_query.FuncCall) (expr.Expr, error) {
	name := strings.ToLower(fieldNames(fc.Funcname)[len(fieldNames(fc.Funcname))-1])
	if !isAggregateName(name) {
		return nil, pgerr.New(pgerr.UndefinedFunction, "function %s is not an aggregate", name)
	}
	switch {
	case containsWindow(fc.Args...) || containsWindow(fc.AggFilter):
		return nil, pgerr.New(pgerr.GroupingError, "aggregate function calls cannot contain window function calls")
	case fc.AggWithinGroup:
		return nil, pgerr.Unsupported("WITHIN GROUP aggregates", "")
	}
	spec := engine.AggSpec{Func: name, Distinct: fc.AggDistinct}
	if name == "every" {
		spec.Func = "bool_and"
	}
	argType := sqltypes.OID(0)
	switch {
	case fc.AggStar:
		if name != "count" {
			return nil, pgerr.New(pgerr.SyntaxError, "%s(*) is not valid", name)
		}
		spec.Func = "count_star"
	case name == "jsonb_object_agg":
		if len(fc.Args) != 2 {
			return nil, pgerr.New(pgerr.UndefinedFunction, "function jsonb_object_agg requires two arguments")
		}
		key, err := st.binder(st.scope, nil).Bind(fc.Args[0])
		if err != nil {
			return nil, err
		}
		val, err := st.binder(st.scope, nil).Bind(fc.Args[1])
		if err != nil {
			return nil, err
		}
		// the key as its text (PostgreSQL prints it with its output function)
		spec.Arg, spec.Sep, argType = castTo(key, sqltypes.Text), val, sqltypes.Text
	case name == "string_agg":
		if len(fc.Args) != 2 {
			return nil, pgerr.New(pgerr.UndefinedFunction, "function string_agg requires two arguments")
		}
		arg, err := st.binder(st.scope, nil).Bind(fc.Args[0])
		if err != nil {
			return nil, err
		}
		sep, err := st.binder(st.scope, nil).Bind(fc.Args[1])
		if err != nil {
			return nil, err
		}
		if isStringType(arg.Type()) {
			arg = castTo(arg, sqltypes.Text) // string_agg(text, text): name, varchar ... coerce
		}
		if isStringType(sep.Type()) || sep.Type() == sqltypes.Unknown {
			sep = castTo(sep, sqltypes.Text)
		}
		spec.Arg, spec.Sep, argType = arg, sep, arg.Type()
	default:
		if len(fc.Args) != 1 {
			return nil, pgerr.New(pgerr.UndefinedFunction, "function %s takes one argument", name)
		}
		arg, err := st.binder(st.scope, nil).Bind(fc.Args[0])
		if err != nil {
			return nil, err
		}
		spec.Arg, argType = arg, arg.Type()
		if c, ok := arg.(*expr.Const); ok && c.Val != nil && name == "count" && !fc.AggDistinct {
			// count(1) counts rows like count(*), so it may use Select=COUNT
			spec.Func, spec.Arg = "count_star", nil
		}
	}
	rt, err := aggResultType(spec.Func, argType)
	if err != nil {
		return nil, err
	}
	if spec.Order, err = st.aggOrder(fc, spec.Arg); err != nil {
		return nil, err
	}
	if spec.Filter, err = st.aggFilter(fc); err != nil {
		return nil, err
	}
	// The same call in the select list, HAVING and ORDER BY is computed once.
	for i, a := range st.aggs {
		if a.String() == spec.String() {
			return &expr.ColRef{Index: len(st.groupBy) + i, Name: name, T: rt}, nil
		}
	}
	st.aggs = append(st.aggs, spec)
	return &expr.ColRef{Index: len(st.groupBy) + len(st.aggs) - 1, Name: name, T: rt}, nil
}

// aggFilter binds an aggregate's FILTER (WHERE ...) over the input row.
func (st *selectState) aggFilter(fc *pg_query.FuncCall) (expr.Expr, error) {
	if fc.AggFilter == nil {
		return nil, nil
	}
	if containsAggregate(fc.AggFilter.ProtoReflect()) {
		return nil, pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed in FILTER")
	}
	f, err := st.binder(st.scope, nil).Bind(boolContext(fc.AggFilter))
	if err != nil {
		return nil, err
	}
	return f, requireBool(f, "FILTER")
}

// sameAggArg reports whether an ORDER BY key of a DISTINCT aggregate is its
// argument (before the argument's coercion to text, for string_agg).
func sameAggArg(key, arg expr.Expr) bool {
	if arg == nil {
		return false
	}
	if c, ok := arg.(*expr.Cast); ok && key.String() == c.Arg.String() {
		return true
	}
	return key.String() == arg.String()
}

// isStringType reports the string category types that coerce to text.
func isStringType(t sqltypes.OID) bool {
	switch t {
	case sqltypes.Name, sqltypes.Varchar, sqltypes.Char, sqltypes.Bpchar:
		return true
	}
	return false
}

// aggOrder binds an aggregate's own ORDER BY over the input row. With
// DISTINCT its keys must be the argument, as PostgreSQL requires.
func (st *selectState) aggOrder(fc *pg_query.FuncCall, arg expr.Expr) ([]engine.SortKey, error) {
	var keys []engine.SortKey
	for _, n := range fc.AggOrder {
		sb := n.GetSortBy()
		if sb == nil {
			continue
		}
		k, err := sortKey(sb, st.binder(st.scope, nil).Bind)
		if err != nil {
			return nil, err
		}
		if fc.AggDistinct && !sameAggArg(k.Expr, arg) {
			return nil, pgerr.New(pgerr.InvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list")
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// aggResultType follows PostgreSQL's aggregate result types.
func aggResultType(fn string, arg sqltypes.OID) (sqltypes.OID, error) {
	switch fn {
	case "count", "count_star":
		return sqltypes.Int8, nil
	case "sum":
		switch arg {
		case sqltypes.Int2, sqltypes.Int4:
			return sqltypes.Int8, nil
		case sqltypes.Int8, sqltypes.Numeric:
			return sqltypes.Numeric, nil
		case sqltypes.Float4, sqltypes.Float8:
			return sqltypes.Float8, nil
		}
	case "avg":
		switch arg {
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric:
			return sqltypes.Numeric, nil
		case sqltypes.Float4, sqltypes.Float8:
			return sqltypes.Float8, nil
		}
	case "min", "max":
		return arg, nil
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		switch arg {
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric:
			return sqltypes.Numeric, nil
		case sqltypes.Float4, sqltypes.Float8:
			return sqltypes.Float8, nil
		}
	case "bool_and", "bool_or":
		if arg == sqltypes.Bool {
			return sqltypes.Bool, nil
		}
	case "string_agg":
		if arg == sqltypes.Text || arg == sqltypes.Varchar || arg == sqltypes.Unknown {
			return sqltypes.Text, nil
		}
		if arg == sqltypes.Bytea {
			return sqltypes.Bytea, nil
		}
	case "array_agg":
		if info, ok := sqltypes.TypeInfo(arg); ok && info.ArrayOID != 0 {
			return info.ArrayOID, nil
		}
	case "json_agg":
		return sqltypes.JSON_, nil
	case "jsonb_object_agg":
		return sqltypes.Jsonb, nil
	case "jsonb_agg":
		return sqltypes.Jsonb, nil
	}
	name := "unknown"
	if info, ok := sqltypes.TypeInfo(arg); ok {
		name = info.Name
	}
	return 0, pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", strings.TrimSuffix(fn, "_star"), name).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

func (st *selectState) aggColumns() []sqltypes.Column {
	var cols []sqltypes.Column
	for _, g := range st.groupBy {
		cols = append(cols, sqltypes.Column{Name: g.String(), Type: g.Type(), Typmod: -1})
	}
	for _, a := range st.aggs {
		t, _ := aggResultType(a.Func, argTypeOf(a))
		cols = append(cols, sqltypes.Column{Name: a.Func, Type: t, Typmod: -1})
	}
	return cols
}

func argTypeOf(a engine.AggSpec) sqltypes.OID {
	if a.Arg == nil {
		return 0
	}
	return a.Arg.Type()
}

// countOnly turns SELECT count(*) ... into DynamoDB's Select=COUNT when nothing
// is left to evaluate locally: DynamoDB counts server-side, no items are sent.
func (st *selectState) countOnly(acc *accessChoice) engine.Node {
	if len(st.groupBy) != 0 || st.having != nil || len(st.aggs) != 1 || st.aggs[0].Func != "count_star" || st.aggs[0].Filter != nil ||
		acc == nil || len(acc.needLeft) != 0 {
		return nil
	}
	switch {
	case acc.query != nil:
		acc.query.Select, acc.query.Projection = engine.SelectCount, nil
		return acc.query
	case acc.scan != nil:
		acc.scan.Select, acc.scan.Projection = engine.SelectCount, nil
		return acc.scan
	case acc.fetch != nil:
		// the index holds every matching item: count there, fetch nothing
		q := acc.fetch.Index
		q.Select, q.Projection = engine.SelectCount, nil
		return q
	}
	return nil
}

// groupMatchBinder binds an expression of an aggregating query: when the
// whole expression equals a GROUP BY expression it becomes a reference to that
// group column; otherwise it is bound over the aggregate output.
type groupMatchBinder struct {
	st   *selectState
	post *expr.Binder
}

func (g *groupMatchBinder) Bind(n *pg_query.Node) (expr.Expr, error) {
	if !hasAggregate([]*pg_query.Node{n}) {
		// a trial binding: the subqueries it plans are not the ones run
		subs := len(g.st.subs)
		e, err := g.st.binder(g.st.scope, nil).Bind(n)
		g.st.subs = g.st.subs[:subs]
		if err == nil {
			for i, ge := range g.st.groupBy {
				if ge.String() == e.String() {
					return &expr.ColRef{Index: i, Name: figureColname(n), T: e.Type()}, nil
				}
			}
		}
	}
	return g.post.Bind(n)
}
