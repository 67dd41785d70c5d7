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
}

// selectState carries one SELECT's planning.
type selectState struct {
	p       *Planner
	params  *expr.ParamTypes
	table   *catalog.Table
	scope   *tableScope
	conj    []*conjunct
	targets []target
	order   []engine.SortKey
	// aggregation
	grouped bool
	groupBy []expr.Expr
	aggs    []engine.AggSpec
	having  expr.Expr
}

func (p *Planner) planSelect(ctx context.Context, s *pg_query.SelectStmt, params *expr.ParamTypes) (*Plan, error) {
	if err := rejectUnsupported(s); err != nil {
		return nil, err
	}
	st := &selectState{p: p, params: params}
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
	return st.build(s)
}

// rejectUnsupported refuses, with 0A000, what this planner does not run yet,
// rather than answering wrongly.
func rejectUnsupported(s *pg_query.SelectStmt) error {
	switch {
	case s.Op != pg_query.SetOperation_SETOP_NONE:
		return pgerr.Unsupported("UNION, INTERSECT and EXCEPT", "run the parts as separate statements")
	case s.WithClause != nil:
		return pgerr.Unsupported("WITH queries", "inline the common table expression")
	case len(s.DistinctClause) > 0:
		return pgerr.Unsupported("SELECT DISTINCT", "use GROUP BY over the selected columns")
	case len(s.WindowClause) > 0:
		return pgerr.Unsupported("window functions", "")
	case len(s.ValuesLists) > 0:
		return pgerr.Unsupported("VALUES lists", "")
	case len(s.LockingClause) > 0:
		return pgerr.Unsupported("SELECT ... FOR UPDATE/SHARE", "DynamoDB has no row locks; writes are conditional instead")
	case s.IntoClause != nil:
		return pgerr.Unsupported("SELECT INTO", "")
	case len(s.FromClause) > 1:
		return pgerr.Unsupported("joins", "query one table at a time")
	}
	return nil
}

func (st *selectState) bindFrom(ctx context.Context, from []*pg_query.Node) error {
	if len(from) == 0 {
		st.scope = newTableScope(nil, "")
		return nil
	}
	rv := from[0].GetRangeVar()
	if rv == nil {
		return pgerr.Unsupported("this FROM item (joins, subqueries and functions)", "query one table at a time")
	}
	switch rv.Schemaname {
	case "", "public":
	case "pg_catalog", "information_schema":
		return pgerr.Unsupported("catalog relation "+rv.Schemaname+"."+rv.Relname, "")
	default:
		return pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname).
			WithHint("DynamoDB tables are in schema public")
	}
	t, err := st.p.Catalog.Table(ctx, rv.Relname)
	if err != nil {
		return err
	}
	ref := t.Name
	if rv.Alias != nil && rv.Alias.Aliasname != "" {
		ref = rv.Alias.Aliasname
	}
	st.table = t
	st.scope = newTableScope(t, ref)
	return nil
}

func (st *selectState) binder(scope expr.Scope, agg func(*pg_query.FuncCall) (expr.Expr, error)) *expr.Binder {
	return &expr.Binder{Scope: scope, Params: st.params, Funcs: st.p.Funcs, AggHook: agg}
}

// bindWhere binds each top-level AND term separately, so each can be matched
// against keys and pushed down on its own.
func (st *selectState) bindWhere(where *pg_query.Node) error {
	if where == nil {
		return nil
	}
	for _, term := range andTerms(where) {
		e, err := st.binder(st.scope, nil).Bind(term)
		if err != nil {
			return err
		}
		if err := requireBool(e, "WHERE"); err != nil {
			return err
		}
		for _, part := range splitAnd(e) {
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
	b := st.binder(st.scope, nil)
	if err := st.bindTargets(s.TargetList, b.Bind, st.scope); err != nil {
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
		st.targets = append(st.targets, target{name: name, e: e})
	}
	return nil
}

func isStar(cr *pg_query.ColumnRef) bool {
	return len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil
}

// expandStar turns * (or t.*) into every column of the table, _item last.
func (st *selectState) expandStar(cr *pg_query.ColumnRef, scope expr.Scope) error {
	if st.table == nil {
		return pgerr.New(pgerr.SyntaxError, "SELECT * with no tables specified is not valid")
	}
	qual := fieldNames(cr.Fields[:len(cr.Fields)-1])
	for _, c := range st.table.Columns {
		names := append(append([]string(nil), qual...), c.Name)
		ref, err := scope.ResolveColumn(names)
		if err != nil {
			return err
		}
		st.targets = append(st.targets, target{name: c.Name, e: ref})
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
		if len(sb.UseOp) > 0 {
			return pgerr.Unsupported("ORDER BY ... USING", "use ASC or DESC")
		}
		e, err := st.orderExpr(sb.Node, bind)
		if err != nil {
			return err
		}
		desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
		nullsFirst := desc
		switch sb.SortbyNulls {
		case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
			nullsFirst = true
		case pg_query.SortByNulls_SORTBY_NULLS_LAST:
			nullsFirst = false
		}
		st.order = append(st.order, engine.SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst})
	}
	return nil
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
	var (
		root  engine.Node
		needs []policy.Need
		acc   *accessChoice
	)
	if st.table == nil {
		root = &engine.OneRow{}
		acc = &accessChoice{}
		for _, c := range st.conj {
			acc.needLeft = append(acc.needLeft, c.e)
		}
	} else {
		attrs, whole := st.scope.usedAttrs()
		proj := projection{attrs: attrs, whole: whole}
		switch {
		case whole:
			proj.attrs = nil
		case len(attrs) == 0:
			// No column is used (SELECT 1 FROM t): read only the partition
			// key rather than whole items.
			proj.attrs = []string{st.table.PartitionKey.Name}
		}
		var err error
		acc, err = chooseAccess(st.table, st.conj, proj, st.p.AllowFullScan)
		if err != nil {
			return nil, err
		}
		root = acc.node
		needs = append(needs, policy.Need{Table: st.table.Name, Class: policy.Read})
	}
	if acc != nil && len(acc.needLeft)+len(acc.recheck) > 0 {
		root = &engine.Filter{Input: root, Pred: andOf(append(append([]expr.Expr(nil), acc.recheck...), acc.needLeft...))}
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
	if len(st.order) > 0 && !st.orderedByAccess(acc) {
		root = &engine.Sort{Input: root, Keys: st.order}
	}
	limit, err := st.bindLimit(s)
	if err != nil {
		return nil, err
	}
	if limit != nil {
		limit.Input = root
		root = limit
		st.pushLimit(acc, limit, s)
	}
	cols := st.outputColumns()
	exprs := make([]expr.Expr, len(st.targets))
	for i, t := range st.targets {
		exprs[i] = t.e
	}
	root = &engine.Project{Input: root, Exprs: exprs, Out: cols}
	return &Plan{Root: root, Columns: cols, Needs: needs}, nil
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
		if ref, ok := t.e.(*expr.ColRef); ok && ref.Depth == 0 && st.table != nil && !st.grouped {
			c.TableOID = st.table.OID
			c.AttNum = st.table.Columns[ref.Index].AttNum
		}
		cols[i] = c
	}
	return cols
}
