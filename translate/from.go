package translate

import (
	"context"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// fromNode is a planned-to-be FROM item: a leaf relation or a join.
type fromNode interface {
	// span is the range of the FROM row its rows occupy.
	span() (start, end int)
	// entries are its range entries (USING ones included).
	entries() []*rangeEntry
}

// leafRel is one relation of FROM.
type leafRel struct {
	e    *rangeEntry
	node engine.Node // nil for a DynamoDB table: its access path is chosen at build
	// parent resolves names outside the item: the query's enclosing scope,
	// or for a lateral item the items to its left (one Depth further out).
	parent  expr.Scope
	lateral bool
}

func (l *leafRel) span() (int, int)       { return l.e.off, l.e.off + len(l.e.cols) }
func (l *leafRel) entries() []*rangeEntry { return []*rangeEntry{l.e} }

// joinRel is a join of two FROM items.
type joinRel struct {
	kind        engine.JoinKind
	left, right fromNode
	quals       []*term // ON and USING conditions
	merged      *rangeEntry
}

func (j *joinRel) span() (int, int) {
	s, _ := j.left.span()
	_, e := j.right.span()
	if m := j.merged; m != nil && m.full != nil {
		e = m.off + len(m.cols) // FULL JOIN USING columns have their own place
	}
	return s, e
}

func (j *joinRel) entries() []*rangeEntry {
	out := append(append([]*rangeEntry(nil), j.left.entries()...), j.right.entries()...)
	if j.merged != nil {
		out = append(out, j.merged)
	}
	return out
}

// levelScope is the scope of a FROM item's own row.
func (st *selectState) levelScope(n fromNode, parent expr.Scope) *relScope {
	start, _ := n.span()
	return &relScope{entries: n.entries(), shift: start, parent: parent}
}

// bindFrom binds the FROM clause: its items become range entries of
// st.scope (comma-separated items are inner joins, left to right).
func (st *selectState) bindFrom(ctx context.Context, from []*pg_query.Node) error {
	st.scope = &relScope{parent: st.outer}
	var root fromNode
	for _, item := range reassociateFrom(from) {
		n, err := st.bindFromItem(ctx, item, root)
		if err != nil {
			return err
		}
		if root == nil {
			root = n
		} else {
			root = &joinRel{kind: engine.JoinInner, left: root, right: n}
		}
	}
	seen := map[string]bool{}
	for _, e := range st.scope.entries {
		if e.merged {
			continue
		}
		if seen[e.alias] {
			return pgerr.New("42712", "table name %q specified more than once", e.alias)
		}
		seen[e.alias] = true
	}
	st.from = root
	if l, ok := root.(*leafRel); ok && l.e.table != nil {
		// One DynamoDB table: the planner of its access path does it all.
		st.table = l.e.table
	}
	return nil
}

// reassociateFrom rewrites "A, F JOIN P ON q" as "(A CROSS JOIN F) JOIN P
// ON q" when F is a function or LATERAL subquery at the left end of a
// later comma item's join tree: PostgreSQL lets F read A (every earlier
// FROM item is visible to a LATERAL item), and the join planner runs a
// LATERAL item only as the right side of the join with what it reads.
// Only INNER and LEFT joins with ON (no USING, NATURAL or alias) are
// rotated, for which A x (F join P) = (A x F) join P, columns in the same
// order.
func reassociateFrom(from []*pg_query.Node) []*pg_query.Node {
	if len(from) < 2 {
		return from
	}
	out := []*pg_query.Node{from[0]}
	for _, item := range from[1:] {
		prev := out[len(out)-1]
		if rotated, ok := crossIntoLeftmost(prev, item); ok {
			out[len(out)-1] = rotated
			continue
		}
		out = append(out, item)
	}
	return out
}

// crossIntoLeftmost returns item with its leftmost lateral-capable leaf
// replaced by "left CROSS JOIN leaf", when every join on the way down may
// be re-associated.
func crossIntoLeftmost(left, item *pg_query.Node) (*pg_query.Node, bool) {
	je := item.GetJoinExpr()
	if je == nil {
		return nil, false
	}
	if je.Alias != nil || je.IsNatural || len(je.UsingClause) > 0 ||
		(je.Jointype != pg_query.JoinType_JOIN_INNER && je.Jointype != pg_query.JoinType_JOIN_LEFT) {
		return nil, false
	}
	var larg *pg_query.Node
	switch l := je.Larg; {
	case l.GetJoinExpr() != nil:
		var ok bool
		if larg, ok = crossIntoLeftmost(left, l); !ok {
			return nil, false
		}
	case l.GetRangeFunction() != nil || l.GetRangeSubselect().GetLateral():
		larg = &pg_query.Node{Node: &pg_query.Node_JoinExpr{JoinExpr: &pg_query.JoinExpr{
			Jointype: pg_query.JoinType_JOIN_INNER, Larg: left, Rarg: l}}}
	default:
		return nil, false
	}
	rotated := &pg_query.JoinExpr{Jointype: je.Jointype, Larg: larg, Rarg: je.Rarg, Quals: je.Quals}
	return &pg_query.Node{Node: &pg_query.Node_JoinExpr{JoinExpr: rotated}}, true
}

func (st *selectState) addEntry(e *rangeEntry) {
	e.off = st.width
	st.width += len(e.cols)
	st.scope.entries = append(st.scope.entries, e)
}

// bindFromItem binds one FROM item; left is what precedes it (for LATERAL).
func (st *selectState) bindFromItem(ctx context.Context, n *pg_query.Node, left fromNode) (fromNode, error) {
	switch {
	case n.GetRangeVar() != nil:
		return st.bindRangeVar(ctx, n.GetRangeVar())
	case n.GetRangeSubselect() != nil:
		return st.bindRangeSubselect(ctx, n.GetRangeSubselect(), left)
	case n.GetRangeFunction() != nil:
		return st.bindRangeFunction(n.GetRangeFunction(), left)
	case n.GetJoinExpr() != nil:
		return st.bindJoin(ctx, n.GetJoinExpr(), left)
	}
	return nil, pgerr.Unsupported("this kind of FROM item", "")
}

func (st *selectState) bindRangeVar(ctx context.Context, rv *pg_query.RangeVar) (fromNode, error) {
	if rv.Catalogname != "" {
		return nil, pgerr.Unsupported("cross-database references", "")
	}
	var leaf *leafRel
	switch rv.Schemaname {
	case "":
		if c := st.ctes.lookup(rv.Relname); c != nil {
			e := newEntry(rv.Relname, c.cols)
			leaf = &leafRel{e: e, node: c.plan.Root}
			break
		}
		// search_path: pg_catalog first, then public
		if st.p.System != nil {
			if rel, ok := st.p.System.Lookup("pg_catalog", rv.Relname); ok {
				leaf = st.virtualLeaf(rel.Schema, rel.Name, &engine.VirtualScan{Rel: rel})
				break
			}
		}
		fallthrough
	case "public":
		t, err := st.p.Catalog.Table(ctx, rv.Relname)
		if err != nil {
			return nil, err
		}
		e := newEntry(t.Name, make([]sqltypes.Column, len(t.Columns)))
		for i, c := range t.Columns {
			e.cols[i] = sqltypes.Column{Name: c.Name, Type: c.Type, Typmod: -1, TableOID: t.OID, AttNum: c.AttNum}
		}
		e.schema, e.relname, e.table = "public", t.Name, t
		leaf = &leafRel{e: e}
	case "pg_catalog", "information_schema":
		if st.p.System == nil {
			return nil, pgerr.Unsupported("catalog relation "+rv.Schemaname+"."+rv.Relname, "")
		}
		rel, ok := st.p.System.Lookup(rv.Schemaname, rv.Relname)
		if !ok {
			return nil, pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname)
		}
		leaf = st.virtualLeaf(rel.Schema, rel.Name, &engine.VirtualScan{Rel: rel})
	default:
		return nil, pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname).
			WithHint("DynamoDB tables are in schema public")
	}
	leaf.parent = st.outer
	if err := applyAlias(leaf.e, rv.Alias); err != nil {
		return nil, err
	}
	st.addEntry(leaf.e)
	return leaf, nil
}

func (st *selectState) virtualLeaf(schema, name string, n *engine.VirtualScan) *leafRel {
	e := newEntry(name, n.Columns())
	e.schema, e.relname = schema, name
	return &leafRel{e: e, node: n}
}

// applyAlias renames an entry (AS a) and its first columns (AS a(x, y)).
func applyAlias(e *rangeEntry, a *pg_query.Alias) error {
	if a == nil {
		return nil
	}
	if a.Aliasname != "" {
		e.alias, e.hasAlias = a.Aliasname, true
	}
	names := fieldNames(a.Colnames)
	if len(names) > len(e.cols) {
		return pgerr.New(pgerr.InvalidColumnReference, "table %q has %d columns available but %d columns specified",
			e.alias, len(e.cols), len(names))
	}
	if len(names) > 0 {
		e.cols = append([]sqltypes.Column(nil), e.cols...)
		for i, n := range names {
			e.cols[i].Name = n
		}
	}
	return nil
}

// lateral binds a FROM item that may refer to the items to its left: first
// with those in scope; when it turns out not to use them, again without, so
// that it runs once rather than once per left row.
func (st *selectState) lateral(left fromNode, allowed bool, bind func(parent expr.Scope) error) (bool, error) {
	if left == nil || !allowed {
		return false, bind(st.outer)
	}
	hit := false
	sc := &hitScope{Scope: st.levelScope(left, st.outer), hit: &hit}
	if err := bind(sc); err != nil {
		return false, err
	}
	if hit {
		return true, nil
	}
	return false, bind(st.outer)
}

func (st *selectState) bindRangeSubselect(ctx context.Context, rs *pg_query.RangeSubselect, left fromNode) (fromNode, error) {
	if rs.Alias == nil || rs.Alias.Aliasname == "" {
		return nil, pgerr.New(pgerr.SyntaxError, "subquery in FROM must have an alias").
			WithHint("For example, FROM (SELECT ...) [AS] foo.")
	}
	var (
		pl     *Plan
		parent expr.Scope
	)
	lat, err := st.lateral(left, rs.Lateral, func(sc expr.Scope) error {
		var err error
		pl, err = st.p.planQuery(ctx, rs.Subquery, st.params, sc, st.ctes)
		parent = sc
		return err
	})
	if err != nil {
		return nil, err
	}
	st.needs = append(st.needs, pl.Needs...)
	e := newEntry(rs.Alias.Aliasname, pl.Columns)
	if err := applyAlias(e, rs.Alias); err != nil {
		return nil, err
	}
	st.addEntry(e)
	return &leafRel{e: e, node: pl.Root, parent: parent, lateral: lat}, nil
}

func (st *selectState) bindJoin(ctx context.Context, je *pg_query.JoinExpr, left fromNode) (fromNode, error) {
	if je.Alias != nil {
		return nil, pgerr.Unsupported("aliases of a whole JOIN", "alias the joined tables instead")
	}
	var kind engine.JoinKind
	switch je.Jointype {
	case pg_query.JoinType_JOIN_INNER:
		kind = engine.JoinInner
	case pg_query.JoinType_JOIN_LEFT:
		kind = engine.JoinLeft
	case pg_query.JoinType_JOIN_RIGHT:
		kind = engine.JoinRight
	case pg_query.JoinType_JOIN_FULL:
		kind = engine.JoinFull
	default:
		return nil, pgerr.Unsupported("this join type", "")
	}
	l, err := st.bindFromItem(ctx, je.Larg, nil)
	if err != nil {
		return nil, err
	}
	r, err := st.bindFromItem(ctx, je.Rarg, l)
	if err != nil {
		return nil, err
	}
	if rl, ok := r.(*leafRel); ok && rl.lateral && kind != engine.JoinInner && kind != engine.JoinLeft {
		return nil, pgerr.New(pgerr.InvalidColumnReference,
			"the combining JOIN type must be INNER or LEFT for a LATERAL reference")
	}
	j := &joinRel{kind: kind, left: l, right: r}
	using := fieldNames(je.UsingClause)
	if je.IsNatural {
		using = naturalColumns(st.levelScope(l, nil), st.levelScope(r, nil))
	}
	if len(using) > 0 {
		if err := st.bindUsing(j, using); err != nil {
			return nil, err
		}
	}
	if je.Quals != nil {
		sc := st.levelScope(j, st.outer)
		sc.shift = 0
		for _, n := range andTerms(je.Quals) {
			t, err := st.classify(n, sc, "JOIN/ON")
			if err != nil {
				return nil, err
			}
			j.quals = append(j.quals, t)
		}
	}
	return j, nil
}

// naturalColumns are the column names both sides have, in the left's order.
func naturalColumns(l, r *relScope) []string {
	ls, _ := l.star(nil)
	rs, _ := r.star(nil)
	var out []string
	for _, a := range ls {
		for _, b := range rs {
			if a.name == b.name {
				out = append(out, a.name)
				break
			}
		}
	}
	return out
}

// bindUsing adds the merged columns of JOIN ... USING and their equalities.
func (st *selectState) bindUsing(j *joinRel, names []string) error {
	m := &rangeEntry{merged: true, covers: map[*rangeEntry]bool{}, used: map[int]bool{}}
	for _, e := range j.entries() {
		m.covers[e] = true
	}
	for _, name := range names {
		lr, le, err := usingSide(st.levelScope(j.left, nil), name, "left")
		if err != nil {
			return err
		}
		rr, re, err := usingSide(st.levelScope(j.right, nil), name, "right")
		if err != nil {
			return err
		}
		src, srcE := lr, le
		if j.kind == engine.JoinRight {
			src, srcE = rr, re
		}
		m.cols = append(m.cols, sqltypes.Column{Name: name, Type: src.T, Typmod: -1})
		m.aliasIdx = append(m.aliasIdx, src.Index)
		m.aliasOf = append(m.aliasOf, srcE)
		j.quals = append(j.quals, usingTerm(lr, le, rr, re, name))
		if j.kind == engine.JoinFull {
			m.full = append(m.full, [2]*expr.ColRef{lr, rr})
		}
	}
	if m.full != nil {
		// Either side may be NULL-padded: the column is COALESCE(l, r),
		// computed after the join into places of its own.
		m.off = st.width
		st.width += len(m.cols)
		for i := range m.cols {
			m.aliasIdx[i], m.aliasOf[i] = m.off+i, m
		}
	}
	j.merged = m
	st.scope.entries = append(st.scope.entries, m)
	return nil
}

// usingSide resolves a USING column on one side; the ColRef's Index is the
// column's place in the FROM row.
func usingSide(sc *relScope, name, side string) (*expr.ColRef, *rangeEntry, error) {
	sc.shift = 0
	sc.refs = map[*rangeEntry]bool{}
	ref, err := sc.resolveUnqualified(name)
	if err != nil {
		return nil, nil, err
	}
	if ref == nil {
		return nil, nil, pgerr.New(pgerr.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, side)
	}
	for e := range sc.refs {
		return ref, e, nil
	}
	return ref, nil, nil
}

// usingTerm is the equality of a USING column. It has a parse tree only when
// both sides are columns of named items (it can then be pushed to a key
// lookup like any ON condition).
func usingTerm(l *expr.ColRef, le *rangeEntry, r *expr.ColRef, re *rangeEntry, name string) *term {
	t := &term{refs: map[*rangeEntry]bool{le: true, re: true}}
	t.fixed = func(sc *relScope) expr.Expr {
		return &expr.Compare{Op: expr.OpEQ,
			L: &expr.ColRef{Index: l.Index - sc.shift, Table: l.Table, Name: name, T: l.T},
			R: &expr.ColRef{Index: r.Index - sc.shift, Table: r.Table, Name: name, T: r.T}}
	}
	if !le.merged && !re.merged {
		col := func(e *rangeEntry) *pg_query.Node {
			return &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{Fields: []*pg_query.Node{
				pg_query.MakeStrNode(e.alias), pg_query.MakeStrNode(name)}}}}
		}
		t.node = &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{
			Kind: pg_query.A_Expr_Kind_AEXPR_OP, Name: []*pg_query.Node{pg_query.MakeStrNode("=")},
			Lexpr: col(le), Rexpr: col(re)}}}
	}
	t.e = t.fixed(&relScope{})
	return t
}

// funcName is a function call's name, which also names it in FROM.
func funcName(fc *pg_query.FuncCall) string {
	names := fieldNames(fc.Funcname)
	return strings.ToLower(names[len(names)-1])
}
