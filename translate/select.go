package translate

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// projection is what a statement reads of each item.
type projection struct {
	attrs []string // attributes used (nil with whole=true: read whole items)
	whole bool
}

// target is one output column being planned.
type target struct {
	name string
	e    expr.Expr
	// untyped: an untyped literal, whose type a UNION may still decide
	untyped bool
}

// selectState carries one SELECT's planning.
type selectState struct {
	p       *Planner
	params  *expr.ParamTypes
	table   *catalog.Table
	scope   *relScope
	conj    []*conjunct
	targets []target
	order   []engine.SortKey
	// aggregation
	grouped bool
	groupBy []expr.Expr
	aggs    []engine.AggSpec
	having  expr.Expr
	// windows plans the window function calls (see window.go)
	windows *windowPlanner

	// ctx is the planning call's, for the catalog reads of subqueries
	// planned while binding expressions.
	ctx   context.Context
	outer expr.Scope // the enclosing query's names (nil at the top level)
	ctes  *cteEnv
	from  fromNode // nil without FROM
	width int      // of the FROM row
	terms []*term  // WHERE terms
	needs []policy.Need
	subs  []*engine.Subquery // subqueries of expressions, shown by EXPLAIN
	// DISTINCT (on nil: of whole rows) and DISTINCT ON
	distinct   bool
	distinctOn []expr.Expr
	// srfs are the set-returning calls of the select list (nil: none)
	srfs *srfList
}

func (p *Planner) planSelect(ctx context.Context, s *pg_query.SelectStmt, params *expr.ParamTypes, outer expr.Scope, ctes *cteEnv) (*Plan, error) {
	if err := rejectUnsupported(s); err != nil {
		return nil, err
	}
	st := &selectState{p: p, params: params, ctx: ctx, outer: outer, ctes: ctes}
	if err := checkWindowPlacement(s); err != nil {
		return nil, err
	}
	var err error
	if st.windows, err = newWindowPlanner(s.WindowClause); err != nil {
		return nil, err
	}
	if err := st.bindFrom(ctx, s.FromClause); err != nil {
		return nil, err
	}
	if err := st.bindWhere(s.WhereClause); err != nil {
		return nil, err
	}
	st.grouped = len(s.GroupClause) > 0 || s.HavingClause != nil || hasAggregate(s.TargetList) || hasAggregateSorts(s.SortClause)
	if st.grouped {
		if err := st.bindGrouped(s); err != nil {
			return nil, err
		}
	} else if err := st.bindPlain(s); err != nil {
		return nil, err
	}
	if err := st.bindDistinct(s); err != nil {
		return nil, err
	}
	return st.build(s)
}

// rejectUnsupported refuses, with 0A000, what this planner does not run yet,
// rather than answering wrongly.
func rejectUnsupported(s *pg_query.SelectStmt) error {
	switch {
	case len(s.LockingClause) > 0:
		return pgerr.Unsupported("SELECT ... FOR UPDATE/SHARE", "DynamoDB has no row locks; writes are conditional instead")
	case s.IntoClause != nil:
		return pgerr.Unsupported("SELECT INTO", "")
	}
	return nil
}

func (st *selectState) binder(scope expr.Scope, agg func(*pg_query.FuncCall) (expr.Expr, error)) *expr.Binder {
	b := &expr.Binder{Scope: scope, Params: st.params, Funcs: st.p.Funcs, AggHook: agg, FieldHook: selectField}
	b.SubqueryHook = st.sublinkHook(scope, b)
	return b
}

// bindWhere binds each top-level AND term separately, so each can be matched
// against keys and pushed down on its own.
func (st *selectState) bindWhere(where *pg_query.Node) error {
	if where == nil {
		return nil
	}
	for _, n := range andTerms(where) {
		t, err := st.classify(n, st.scope, "WHERE")
		if err != nil {
			return err
		}
		st.terms = append(st.terms, t)
		for _, part := range splitAnd(t.e) {
			st.conj = append(st.conj, &conjunct{e: part})
		}
	}
	return nil
}

func andTerms(n *pg_query.Node) []*pg_query.Node {
	if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_AND_EXPR {
		var out []*pg_query.Node
		for _, a := range b.Args {
			out = append(out, andTerms(a)...)
		}
		return out
	}
	return []*pg_query.Node{n}
}

// boolContext types an untyped literal or parameter where PostgreSQL
// expects a boolean (WHERE, ON, HAVING, FILTER): WHERE NULL is a NULL
// boolean and WHERE 'true' a true one, not text that fails requireBool.
func boolContext(n *pg_query.Node) *pg_query.Node {
	if c := n.GetAConst(); c != nil && (c.Isnull || c.GetSval() != nil) || n.GetParamRef() != nil {
		return castToColumn(n, sqltypes.Bool)
	}
	return n
}

func requireBool(e expr.Expr, clause string) error {
	if t := e.Type(); t != sqltypes.Bool && t != sqltypes.Unknown {
		name := "unknown"
		if info, ok := sqltypes.TypeInfo(t); ok {
			name = info.Name
		}
		return pgerr.New(pgerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, name)
	}
	return nil
}

// bindPlain binds the select list and ORDER BY of a query without aggregation.
func (st *selectState) bindPlain(s *pg_query.SelectStmt) error {
	var scope expr.Scope = st.scope
	list := s.TargetList
	if st.hasSRF(list) {
		if st.windows.any() || hasWindowCall(list) {
			return pgerr.Unsupported("set-returning functions with window functions", "")
		}
		var err error
		if list, st.srfs, err = st.extractSRFs(list, scope); err != nil {
			return err
		}
		scope = &srfScope{Scope: st.scope, l: st.srfs}
	}
	b := st.binder(scope, nil)
	b.WindowHook = st.windows.hook(st, st.binder(st.scope, nil).Bind)
	if err := st.bindTargets(list, b.Bind, st.scope); err != nil {
		return err
	}
	return st.bindOrder(s.SortClause, b.Bind)
}

// bindFunc binds one expression.
type bindFunc func(*pg_query.Node) (expr.Expr, error)

func (st *selectState) bindTargets(list []*pg_query.Node, bind bindFunc, scope expr.Scope) error {
	for _, n := range list {
		rt := n.GetResTarget()
		if rt == nil || rt.Val == nil {
			return pgerr.New(pgerr.SyntaxError, "unexpected select list item")
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && isStar(cr) {
			if err := st.expandStar(cr, scope); err != nil {
				return err
			}
			continue
		}
		e, err := bind(rt.Val)
		if err != nil {
			return err
		}
		name := rt.Name
		if name == "" {
			name = figureColname(rt.Val)
		}
		st.targets = append(st.targets, target{name: name, e: e, untyped: isUntypedLiteral(rt.Val)})
	}
	return nil
}

func isStar(cr *pg_query.ColumnRef) bool {
	return len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil
}

// expandStar turns * (or t.*) into the columns of the FROM items (a
// table's _item last). In an aggregating query each must be a group column.
func (st *selectState) expandStar(cr *pg_query.ColumnRef, scope expr.Scope) error {
	ts, err := st.scope.star(fieldNames(cr.Fields[:len(cr.Fields)-1]))
	if err != nil {
		return err
	}
	for _, t := range ts {
		if scope != expr.Scope(st.scope) {
			ref := t.e.(*expr.ColRef)
			names := []string{t.name}
			if ref.Table != "" {
				names = []string{ref.Table, t.name}
			}
			if t.e, err = scope.ResolveColumn(names); err != nil {
				return err
			}
		}
		st.targets = append(st.targets, t)
	}
	return nil
}

func fieldNames(fields []*pg_query.Node) []string {
	var out []string
	for _, f := range fields {
		if s := f.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

// bindOrder binds ORDER BY items: an output column number, an output column
// name, or an expression over the input (PostgreSQL's rules, in that order).
func (st *selectState) bindOrder(sorts []*pg_query.Node, bind bindFunc) error {
	for _, n := range sorts {
		sb := n.GetSortBy()
		if sb == nil {
			continue
		}
		k, err := sortKey(sb, func(n *pg_query.Node) (expr.Expr, error) { return st.orderExpr(n, bind) })
		if err != nil {
			return err
		}
		st.order = append(st.order, k)
	}
	return nil
}

// sortKey binds one ORDER BY item with its direction and NULLS placement.
func sortKey(sb *pg_query.SortBy, bind bindFunc) (engine.SortKey, error) {
	if len(sb.UseOp) > 0 {
		return engine.SortKey{}, pgerr.Unsupported("ORDER BY ... USING", "use ASC or DESC")
	}
	e, err := bind(sb.Node)
	if err != nil {
		return engine.SortKey{}, err
	}
	desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
	nullsFirst := desc
	switch sb.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		nullsFirst = true
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		nullsFirst = false
	}
	return engine.SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst}, nil
}

func (st *selectState) orderExpr(n *pg_query.Node, bind bindFunc) (expr.Expr, error) {
	if c := n.GetAConst(); c != nil && c.GetIval() != nil {
		i := int(c.GetIval().Ival)
		if i < 1 || i > len(st.targets) {
			return nil, pgerr.New(pgerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i)
		}
		return st.targets[i-1].e, nil
	}
	if cr := n.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
		if name := fieldNames(cr.Fields); len(name) == 1 {
			var found expr.Expr
			for _, t := range st.targets {
				if t.name == name[0] {
					if found != nil {
						return nil, pgerr.New(pgerr.AmbiguousColumn, "ORDER BY %q is ambiguous", name[0])
					}
					found = t.e
				}
			}
			if found != nil {
				return found, nil
			}
		}
	}
	return bind(n)
}

// build assembles the operator tree: access path → local filter → aggregate →
// having → sort → limit → project.
func (st *selectState) build(s *pg_query.SelectStmt) (*Plan, error) {
	root, acc, err := st.buildFrom()
	if err != nil {
		return nil, err
	}
	if st.srfs != nil {
		if len(root.Columns()) != st.srfs.base {
			return nil, pgerr.New(pgerr.InternalError, "set-returning functions over a %d-column row, planned for %d", len(root.Columns()), st.srfs.base)
		}
		root = &engine.ProjectSet{Input: root, Calls: st.srfs.calls}
		acc = nil // the functions change the row count: no LIMIT or ORDER BY pushdown
	}
	if st.grouped {
		if cnt := st.countOnly(acc); cnt != nil {
			root = cnt
		} else {
			root = &engine.HashAggregate{Input: root, GroupBy: st.groupBy, Aggs: st.aggs, Out: st.aggColumns()}
		}
		if st.having != nil {
			root = &engine.Filter{Input: root, Pred: st.having}
		}
	}
	// Windows see every row left after HAVING and reorder them.
	root = st.windows.plan(root)
	if st.distinct {
		return st.buildDistinct(root, s)
	}
	if len(st.order) > 0 && !st.windows.sortedBy(st.order) && (st.windows.any() || !st.orderedByAccess(acc)) {
		root = &engine.Sort{Input: root, Keys: st.order}
	}
	limit, err := st.bindLimit(s, st.order)
	if err != nil {
		return nil, err
	}
	if limit != nil {
		limit.Input = root
		root = limit
		if !st.windows.any() {
			st.pushLimit(acc, limit, s)
		}
	}
	cols := st.outputColumns()
	exprs := make([]expr.Expr, len(st.targets))
	for i, t := range st.targets {
		exprs[i] = t.e
	}
	root = &engine.Project{Input: root, Exprs: exprs, Out: cols}
	return st.plan(root, cols), nil
}

func andOf(es []expr.Expr) expr.Expr {
	if len(es) == 1 {
		return es[0]
	}
	return &expr.And{Args: es}
}

// orderedByAccess reports whether a Query already returns rows in the ORDER BY
// order: ordering by the sort key of the key space it reads, ascending or
// descending (ScanIndexForward).
func (st *selectState) orderedByAccess(acc *accessChoice) bool {
	if acc == nil || acc.query == nil || acc.sortKey == "" || len(st.order) != 1 || st.grouped {
		return false
	}
	k := st.order[0]
	ref, ok := k.Expr.(*expr.ColRef)
	if !ok || ref.Depth != 0 || st.table.Columns[ref.Index].Name != acc.sortKey {
		return false
	}
	// Sort keys are never NULL, so NULLS FIRST/LAST does not matter.
	acc.query.Forward = !k.Desc
	return true
}

func (st *selectState) outputColumns() []sqltypes.Column {
	cols := make([]sqltypes.Column, len(st.targets))
	for i, t := range st.targets {
		c := sqltypes.Column{Name: t.name, Type: t.e.Type(), Typmod: -1}
		if ref, ok := t.e.(*expr.ColRef); ok && !st.grouped {
			c.TableOID, c.AttNum = st.scope.columnOrigin(ref)
		}
		cols[i] = c
	}
	return cols
}
