package translate

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// cte is one WITH query. Each reference runs its plan again (a CTE named
// twice is computed twice): plans stream, and rows are not kept between
// references.
type cte struct {
	name string
	plan *Plan
	cols []sqltypes.Column
}

// cteEnv holds the WITH queries in scope, innermost first.
type cteEnv struct {
	ctes   []*cte
	parent *cteEnv
}

func (c *cteEnv) lookup(name string) *cte {
	for env := c; env != nil; env = env.parent {
		for _, q := range env.ctes {
			if q.name == name {
				return q
			}
		}
	}
	return nil
}

// planQuery plans a query expression — SELECT, VALUES, a set operation,
// each possibly with WITH — at one nesting level: outer resolves names of
// enclosing queries (nil at the top), ctes the WITH queries in scope.
func (p *Planner) planQuery(ctx context.Context, n *pg_query.Node, params *expr.ParamTypes, outer expr.Scope, ctes *cteEnv) (*Plan, error) {
	s := n.GetSelectStmt()
	if s == nil {
		return nil, pgerr.Unsupported("this statement in a subquery", "data-modifying statements run on their own")
	}
	return p.planSelectStmt(ctx, s, params, outer, ctes)
}

func (p *Planner) planSelectStmt(ctx context.Context, s *pg_query.SelectStmt, params *expr.ParamTypes, outer expr.Scope, ctes *cteEnv) (*Plan, error) {
	var needs []policy.Need
	if w := s.WithClause; w != nil {
		env := &cteEnv{parent: ctes}
		for _, n := range w.Ctes {
			c := n.GetCommonTableExpr()
			if env.lookup(c.Ctename) != nil && containsCTE(env.ctes, c.Ctename) {
				return nil, pgerr.New("42712", "WITH query name %q specified more than once", c.Ctename)
			}
			if w.Recursive && refersTo(c.Ctequery, c.Ctename) {
				q, err := p.planRecursiveCTE(ctx, c, params, outer, env)
				if err != nil {
					return nil, err
				}
				needs = append(needs, q.plan.Needs...)
				continue
			}
			pl, err := p.planQuery(ctx, c.Ctequery, params, outer, env)
			if err != nil {
				return nil, err
			}
			cols, err := cteColumns(c, pl)
			if err != nil {
				return nil, err
			}
			needs = append(needs, pl.Needs...)
			env.ctes = append(env.ctes, &cte{name: c.Ctename, plan: pl, cols: cols})
		}
		ctes = env
	}
	var (
		pl  *Plan
		err error
	)
	switch {
	case s.Op != pg_query.SetOperation_SETOP_NONE:
		pl, err = p.planSetOp(ctx, s, params, outer, ctes)
	case len(s.ValuesLists) > 0:
		pl, err = p.planValues(ctx, s, params, outer, ctes)
	default:
		pl, err = p.planSelect(ctx, s, params, outer, ctes)
	}
	if err != nil {
		return nil, err
	}
	pl.Needs = append(pl.Needs, needs...)
	return pl, nil
}

// cteColumns are a WITH query's columns under its column aliases.
func cteColumns(c *pg_query.CommonTableExpr, pl *Plan) ([]sqltypes.Column, error) {
	cols := append([]sqltypes.Column(nil), pl.Columns...)
	names := fieldNames(c.Aliascolnames)
	if len(names) > len(cols) {
		return nil, pgerr.New(pgerr.InvalidColumnReference, "WITH query %q has %d columns available but %d columns specified",
			c.Ctename, len(cols), len(names))
	}
	for i, name := range names {
		cols[i].Name = name
	}
	return cols, nil
}

// refersTo reports whether a query reads the relation name (unqualified)
// outside its sub-selects: a WITH RECURSIVE query that reads itself.
func refersTo(q *pg_query.Node, name string) bool {
	found := false
	walkNodes(q, func(n *pg_query.Node) bool {
		if rv := n.GetRangeVar(); rv != nil && rv.Schemaname == "" && rv.Relname == name {
			found = true
		}
		return !found
	})
	return found
}

// codeInvalidRecursion is SQLSTATE invalid_recursion.
const codeInvalidRecursion = "42P19"

// planRecursiveCTE plans "non-recursive term UNION [ALL] recursive term":
// the recursive term reads the CTE's name as the work table, and the CTE
// is added to env as the RecursiveUnion of both.
func (p *Planner) planRecursiveCTE(ctx context.Context, c *pg_query.CommonTableExpr, params *expr.ParamTypes, outer expr.Scope, env *cteEnv) (*cte, error) {
	s := c.Ctequery.GetSelectStmt()
	if s == nil || s.Op != pg_query.SetOperation_SETOP_UNION || s.WithClause != nil {
		return nil, pgerr.New(codeInvalidRecursion, "recursive query %q does not have the form non-recursive-term UNION [ALL] recursive-term", c.Ctename)
	}
	if len(s.SortClause) > 0 || s.LimitCount != nil || s.LimitOffset != nil || len(s.LockingClause) > 0 {
		return nil, pgerr.Unsupported("ORDER BY, LIMIT or OFFSET in a recursive query", "")
	}
	if refersTo(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: s.Larg}}, c.Ctename) {
		return nil, pgerr.New(codeInvalidRecursion, "recursive reference to query %q must not appear within its non-recursive term", c.Ctename)
	}
	init, err := p.planSelectStmt(ctx, s.Larg, params, outer, env)
	if err != nil {
		return nil, err
	}
	cols, err := cteColumns(c, init)
	if err != nil {
		return nil, err
	}
	work := &engine.WorkTableScan{Out: cols}
	q := &cte{name: c.Ctename, plan: &Plan{Root: work, Columns: cols}, cols: cols}
	env.ctes = append(env.ctes, q)
	step, err := p.planSelectStmt(ctx, s.Rarg, params, outer, env)
	if err != nil {
		return nil, err
	}
	if len(step.Columns) != len(cols) {
		return nil, pgerr.New(pgerr.SyntaxError, "each UNION query must have the same number of columns")
	}
	types := make([]sqltypes.OID, len(cols))
	for i := range cols {
		t, err := commonType([]sqltypes.OID{cols[i].Type, step.Columns[i].Type}, []bool{false, step.isUntyped(i)}, "UNION")
		if err != nil {
			return nil, err
		}
		if t != cols[i].Type {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "recursive query %q column %d has type %s in non-recursive term but type %s overall",
				c.Ctename, i+1, typeName(cols[i].Type), typeName(t)).WithHint("Cast the output of the non-recursive term to the correct type.")
		}
		types[i] = t
	}
	ru := &engine.RecursiveUnion{Init: init.Root, Step: castBranch(step, types), All: s.All}
	work.Union = ru
	q.plan = &Plan{Root: ru, Columns: cols, Needs: append(init.Needs, step.Needs...)}
	return q, nil
}

func containsCTE(cs []*cte, name string) bool {
	for _, c := range cs {
		if c.name == name {
			return true
		}
	}
	return false
}

// planValues plans VALUES (...), (...): each column takes the common type of
// its values, untyped literals resolving as in PostgreSQL.
func (p *Planner) planValues(ctx context.Context, s *pg_query.SelectStmt, params *expr.ParamTypes, outer expr.Scope, ctes *cteEnv) (*Plan, error) {
	st := &selectState{p: p, params: params, outer: outer, ctes: ctes, ctx: ctx}
	st.scope = &relScope{parent: outer}
	var (
		rows    [][]expr.Expr
		untyped [][]bool
	)
	for _, l := range s.ValuesLists {
		items := l.GetList().GetItems()
		if len(rows) > 0 && len(items) != len(rows[0]) {
			return nil, pgerr.New(pgerr.SyntaxError, "VALUES lists must all be the same length")
		}
		row := make([]expr.Expr, len(items))
		un := make([]bool, len(items))
		for i, it := range items {
			e, err := st.binder(st.scope, nil).Bind(it)
			if err != nil {
				return nil, err
			}
			row[i], un[i] = e, isUntypedLiteral(it)
		}
		rows, untyped = append(rows, row), append(untyped, un)
	}
	cols := make([]sqltypes.Column, len(rows[0]))
	for c := range cols {
		var ts []sqltypes.OID
		var un []bool
		for r := range rows {
			ts, un = append(ts, rows[r][c].Type()), append(un, untyped[r][c])
		}
		t, err := commonType(ts, un, "VALUES")
		if err != nil {
			return nil, err
		}
		for r := range rows {
			rows[r][c] = castTo(rows[r][c], t)
		}
		cols[c] = sqltypes.Column{Name: "column" + itoa(c+1), Type: t, Typmod: -1}
	}
	var root engine.Node = &engine.ValuesScan{Rows: rows, Out: cols}
	root, err := st.finishOutput(root, cols, s)
	if err != nil {
		return nil, err
	}
	pl := &Plan{Root: root, Columns: cols, Needs: st.needs}
	pl.untyped = make([]bool, len(cols))
	for c := range cols {
		pl.untyped[c] = true
		for r := range untyped {
			pl.untyped[c] = pl.untyped[c] && untyped[r][c]
		}
	}
	return pl, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// isUntypedLiteral reports a string literal or NULL: its type comes from
// the other branches of a UNION or rows of a VALUES list.
func isUntypedLiteral(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && (c.Isnull || c.GetSval() != nil)
}

// castTo converts e to t unless it already has that type.
func castTo(e expr.Expr, t sqltypes.OID) expr.Expr {
	if e.Type() == t {
		return e
	}
	return &expr.Cast{Arg: e, To: t, Typmod: -1}
}

// commonType resolves the type of a UNION column or VALUES column like
// PostgreSQL's select_common_type: untyped literals take the others' type
// (text when all are untyped); numbers widen to the widest; the string
// types become text; anything else must match exactly.
func commonType(ts []sqltypes.OID, untyped []bool, what string) (sqltypes.OID, error) {
	var out sqltypes.OID
	rank := map[sqltypes.OID]int{sqltypes.Int2: 1, sqltypes.Int4: 2, sqltypes.Int8: 3, sqltypes.Numeric: 4, sqltypes.Float4: 5, sqltypes.Float8: 6}
	str := map[sqltypes.OID]bool{sqltypes.Text: true, sqltypes.Varchar: true, sqltypes.Name: true, sqltypes.Unknown: true, 1042: true}
	for i, t := range ts {
		if untyped[i] {
			continue
		}
		switch {
		case out == 0 || out == t:
			out = t
		case rank[out] > 0 && rank[t] > 0:
			if rank[t] > rank[out] {
				out = t
			}
		case str[out] && str[t]:
			out = sqltypes.Text
		default:
			return 0, pgerr.New(pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, typeName(out), typeName(t))
		}
	}
	if out == 0 || out == sqltypes.Unknown {
		out = sqltypes.Text
	}
	return out, nil
}

// finishOutput applies the ORDER BY and LIMIT of a VALUES list or set
// operation, whose ORDER BY may name only output columns.
func (st *selectState) finishOutput(root engine.Node, cols []sqltypes.Column, s *pg_query.SelectStmt) (engine.Node, error) {
	out := newEntry("", cols)
	sc := &relScope{entries: []*rangeEntry{out}, parent: st.outer}
	st.targets = nil
	for i, c := range cols {
		st.targets = append(st.targets, target{name: c.Name, e: &expr.ColRef{Index: i, Name: c.Name, T: c.Type}})
	}
	if err := st.bindOrder(s.SortClause, st.binder(sc, nil).Bind); err != nil {
		return nil, err
	}
	if len(st.order) > 0 {
		root = &engine.Sort{Input: root, Keys: st.order}
	}
	limit, err := st.bindLimit(s, st.order)
	if err != nil {
		return nil, err
	}
	if limit != nil {
		limit.Input = root
		root = limit
	}
	if len(st.subs) > 0 {
		root = &engine.SubPlans{Input: root, Subs: st.subs}
	}
	return root, nil
}

// planSetOp plans UNION / INTERSECT / EXCEPT [ALL]: both branches are cast to
// the columns' common types.
func (p *Planner) planSetOp(ctx context.Context, s *pg_query.SelectStmt, params *expr.ParamTypes, outer expr.Scope, ctes *cteEnv) (*Plan, error) {
	l, err := p.planSelectStmt(ctx, s.Larg, params, outer, ctes)
	if err != nil {
		return nil, err
	}
	r, err := p.planSelectStmt(ctx, s.Rarg, params, outer, ctes)
	if err != nil {
		return nil, err
	}
	var kind engine.SetOpKind
	switch s.Op {
	case pg_query.SetOperation_SETOP_UNION:
		kind = engine.Union
	case pg_query.SetOperation_SETOP_INTERSECT:
		kind = engine.Intersect
	default:
		kind = engine.Except
	}
	if len(l.Columns) != len(r.Columns) {
		return nil, pgerr.New(pgerr.SyntaxError, "each %s query must have the same number of columns", map[engine.SetOpKind]string{
			engine.Union: "UNION", engine.Intersect: "INTERSECT", engine.Except: "EXCEPT"}[kind])
	}
	cols := make([]sqltypes.Column, len(l.Columns))
	types := make([]sqltypes.OID, len(cols))
	untyped := make([]bool, len(cols))
	for i := range cols {
		t, err := commonType([]sqltypes.OID{l.Columns[i].Type, r.Columns[i].Type},
			[]bool{l.isUntyped(i), r.isUntyped(i)}, map[engine.SetOpKind]string{
				engine.Union: "UNION", engine.Intersect: "INTERSECT", engine.Except: "EXCEPT"}[kind])
		if err != nil {
			return nil, err
		}
		types[i], untyped[i] = t, l.isUntyped(i) && r.isUntyped(i)
		cols[i] = sqltypes.Column{Name: l.Columns[i].Name, Type: t, Typmod: -1}
	}
	node := &engine.SetOp{Kind: kind, All: s.All, Left: castBranch(l, types), Right: castBranch(r, types)}
	st := &selectState{p: p, params: params, outer: outer, ctes: ctes, ctx: ctx}
	root, err := st.finishOutput(node, cols, s)
	if err != nil {
		return nil, err
	}
	pl := &Plan{Root: root, Columns: cols, Needs: append(append(l.Needs, r.Needs...), st.needs...), untyped: untyped}
	return pl, nil
}

// castBranch makes a set-operation branch produce the common types.
func castBranch(pl *Plan, types []sqltypes.OID) engine.Node {
	same := true
	for i, c := range pl.Columns {
		same = same && c.Type == types[i]
	}
	if same {
		return pl.Root
	}
	exprs := make([]expr.Expr, len(types))
	cols := make([]sqltypes.Column, len(types))
	for i, c := range pl.Columns {
		exprs[i] = castTo(&expr.ColRef{Index: i, Name: c.Name, T: c.Type}, types[i])
		cols[i] = sqltypes.Column{Name: c.Name, Type: types[i], Typmod: -1}
	}
	return &engine.Project{Input: pl.Root, Exprs: exprs, Out: cols}
}
