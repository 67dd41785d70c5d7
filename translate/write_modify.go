package translate

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// setItem plans one SET assignment. local reports an expression that needs
// the item's current values (computed here from the item read).
func (st *selectState) setItem(rt *pg_query.ResTarget) (s engine.SetItem, local bool, err error) {
	t := st.table
	if rt == nil || rt.Val == nil {
		return s, false, pgerr.New(pgerr.SyntaxError, "unexpected SET item")
	}
	if rt.Val.GetMultiAssignRef() != nil {
		return s, false, pgerr.Unsupported("SET (a, b) = (...)", "assign each column on its own")
	}
	col, err := writeColumn(t, rt.Name)
	if err != nil {
		return s, false, err
	}
	switch {
	case len(rt.Indirection) > 0:
		return s, false, pgerr.Unsupported("assigning to a part of a column", "SET the whole column")
	case col.Source == catalog.SourceItem:
		return s, false, pgerr.Unsupported("SET "+catalog.ItemColumn, "SET the attributes as columns, or INSERT ... ON CONFLICT DO UPDATE")
	case isKeyColumn(t, col.Name):
		return s, false, keyChangeRefused(t, col.Name)
	}
	s = engine.SetItem{Attr: col.Name, T: col.Type}
	val := rt.Val
	if val.GetSetToDefault() != nil {
		s.Value = &expr.Const{Val: nil, T: col.Type} // no defaults: the attribute is removed
		return s, false, nil
	}
	if hasSubLink(val) {
		return s, false, pgerr.Unsupported("subqueries in SET", "")
	}
	if kind, arg, ok := st.nativeSet(val, col); ok {
		e, err := st.binder(st.scope, nil).Bind(castToColumn(arg, kind.t))
		if err != nil {
			return s, false, err
		}
		if st.rowFree(e, arg) && kind.accepts(e) {
			s.Kind, s.Value = kind.k, e
			return s, false, nil
		}
	}
	e, err := st.binder(st.scope, nil).Bind(castToColumn(val, col.Type))
	if err != nil {
		return s, false, err
	}
	s.Value = e
	if st.rowFree(e, val) {
		return s, false, nil
	}
	s.Kind = engine.SetLocal
	return s, true, nil
}

// nativeKind is a SET form DynamoDB evaluates itself.
type nativeKind struct {
	k       engine.SetKind
	t       sqltypes.OID // the type the operand is cast to
	accepts func(expr.Expr) bool
}

func anyValue(expr.Expr) bool { return true }

// nativeSet matches col + v, col - v, COALESCE(col, v) and col || v (jsonb
// array constant) on the parse tree; arg is v.
func (st *selectState) nativeSet(val *pg_query.Node, col *catalog.Column) (nativeKind, *pg_query.Node, bool) {
	numeric := col.Type == sqltypes.Numeric || col.Type == sqltypes.Int2 || col.Type == sqltypes.Int4 || col.Type == sqltypes.Int8
	if a := val.GetAExpr(); a != nil && a.Kind == pg_query.A_Expr_Kind_AEXPR_OP && len(a.Name) == 1 && st.isColumn(a.Lexpr, col.Name) {
		switch op := a.Name[0].GetString_().GetSval(); {
		case op == "+" && numeric:
			return nativeKind{k: engine.SetAdd, t: col.Type, accepts: anyValue}, a.Rexpr, true
		case op == "-" && numeric:
			return nativeKind{k: engine.SetSub, t: col.Type, accepts: anyValue}, a.Rexpr, true
		case op == "||" && col.Type == sqltypes.Jsonb:
			return nativeKind{k: engine.SetListAppend, t: sqltypes.Jsonb, accepts: isJSONArrayConst}, a.Rexpr, true
		}
	}
	if c := val.GetCoalesceExpr(); c != nil && len(c.Args) == 2 && st.isColumn(c.Args[0], col.Name) {
		return nativeKind{k: engine.SetIfNotExists, t: col.Type, accepts: anyValue}, c.Args[1], true
	}
	return nativeKind{}, nil, false
}

// isJSONArrayConst: list_append is exact only for a constant JSON array
// (jsonb || of anything else is not a list append).
func isJSONArrayConst(e expr.Expr) bool {
	c, ok := stripCast(e).(*expr.Const)
	if !ok {
		if cast, isCast := e.(*expr.Cast); isCast {
			c, ok = cast.Arg.(*expr.Const)
		}
	}
	if !ok || c.Val == nil {
		return false
	}
	switch j := c.Val.(type) {
	case sqltypes.JSON:
		_, arr := j.Node.([]any)
		return arr
	case string:
		v, err := sqltypes.DecodeText([]byte(j), sqltypes.Jsonb)
		if err != nil {
			return false
		}
		js, ok := v.(sqltypes.JSON)
		if !ok {
			return false
		}
		_, arr := js.Node.([]any)
		return arr
	}
	return false
}

// isColumn reports a reference to the target table's column name.
func (st *selectState) isColumn(n *pg_query.Node, name string) bool {
	cr := n.GetColumnRef()
	if cr == nil {
		return false
	}
	f := fieldNames(cr.Fields)
	e := st.scope.entries[0]
	switch len(f) {
	case 1:
		return f[0] == name
	case 2:
		return f[1] == name && f[0] == e.alias
	}
	return false
}

// rowFree reports whether a bound expression reads no column of the target
// row (it may read EXCLUDED, parameters, constants): it can be evaluated
// without reading the item. It re-binds n on a probe scope to see.
func (st *selectState) rowFree(e expr.Expr, n *pg_query.Node) bool {
	if isRuntimeConst(e) {
		return true
	}
	attrs, whole, err := st.refsOf(n)
	return err == nil && len(attrs) == 0 && !whole
}

// refsOf binds nodes on a probe copy of the target's scope and returns the
// attributes they read (whole: _item).
func (st *selectState) refsOf(nodes ...*pg_query.Node) (attrs []string, whole bool, err error) {
	main := st.scope.entries[0]
	probe := newEntry(main.alias, main.cols)
	probe.hasAlias, probe.schema, probe.relname, probe.table = main.hasAlias, main.schema, main.relname, main.table
	sc := &relScope{entries: []*rangeEntry{probe}, parent: st.scope.parent}
	// Subqueries bound again here are planned again: keep only the first
	// binding's plans and needs.
	subs, needs := len(st.subs), len(st.needs)
	defer func() { st.subs, st.needs = st.subs[:subs], st.needs[:needs] }()
	for _, n := range nodes {
		if _, err := st.binder(sc, nil).Bind(n); err != nil {
			return nil, false, err
		}
	}
	attrs, whole = probe.usedAttrs()
	return attrs, whole, nil
}

// pushedOnly binds a condition that DynamoDB must evaluate entirely.
func (st *selectState) pushedOnly(n *pg_query.Node, clause string) (engine.Cond, error) {
	var conds []engine.Cond
	for _, part := range andTerms(n) {
		t, err := st.classify(part, st.scope, clause)
		if err != nil {
			return nil, err
		}
		for _, e := range splitAnd(t.e) {
			c := pushdown(e, st.table.Columns, nil)
			if c == nil {
				return nil, pgerr.Unsupported("this condition in "+clause, "DynamoDB must evaluate it in the write's condition: compare columns with constants")
			}
			conds = append(conds, c)
		}
	}
	return andCond(conds), nil
}

func andCond(cs []engine.Cond) engine.Cond {
	switch len(cs) {
	case 0:
		return nil
	case 1:
		return cs[0]
	}
	var flat []engine.Cond
	for _, c := range cs {
		if a, ok := c.(*engine.And); ok {
			flat = append(flat, a.Args...)
		} else {
			flat = append(flat, c)
		}
	}
	return &engine.And{Args: flat}
}

// modifySpec is what UPDATE and DELETE share.
type modifySpec struct {
	del       bool
	where     *pg_query.Node
	sets      []*pg_query.Node // UPDATE's SET list
	returning []*pg_query.Node
}

// planModify plans UPDATE or DELETE (see engine.Modify). It needs write or
// delete, and read unless the WHERE clause is exactly the whole key by
// equality with nothing to compute from the item and no RETURNING.
func (st *selectState) planModify(spec modifySpec) (*Plan, error) {
	t := st.table
	m := &engine.Modify{Delete: spec.del, Table: t.Name, PK: t.PartitionKey, SK: t.SortKey, Out: t.Columns}
	checks := map[string]bool{}
	var localNodes []*pg_query.Node
	assigned := map[string]bool{}
	for _, n := range spec.sets {
		s, local, err := st.setItem(n.GetResTarget())
		if err != nil {
			return nil, err
		}
		if assigned[s.Attr] {
			return nil, pgerr.New(pgerr.SyntaxError, "multiple assignments to same column %q", s.Attr)
		}
		assigned[s.Attr] = true
		if local {
			localNodes = append(localNodes, n.GetResTarget().Val)
		}
		m.Sets = append(m.Sets, s)
	}
	needLocalSet := len(localNodes) > 0
	conj, owners, err := st.whereConjuncts(spec.where)
	if err != nil {
		return nil, err
	}
	pkT := findKeyTerms(conj, t.Columns, t.PartitionKey.Name, t.PartitionKey.Type)
	var skT keyTerms
	if t.SortKey != nil {
		skT = findKeyTerms(conj, t.Columns, t.SortKey.Name, t.SortKey.Type)
	}
	keyed := pkT.eq != nil && (t.SortKey == nil || skT.eq != nil)
	exactKey := keyed
	var pushed []engine.Cond
	var local []expr.Expr
	if keyed {
		m.Key = []engine.KeyPart{{Attr: t.PartitionKey.Name, AttrType: t.PartitionKey.Type, Value: pkT.eq}}
		conj[pkT.eqAt].consumed = true
		if t.SortKey != nil {
			m.Key = append(m.Key, engine.KeyPart{Attr: t.SortKey.Name, AttrType: t.SortKey.Type, Value: skT.eq})
			conj[skT.eqAt].consumed = true
		}
	}
	for i, c := range conj {
		if c.consumed {
			continue
		}
		exactKey = false
		refs, whole, err := st.refsOf(owners[i])
		if err != nil {
			return nil, err
		}
		if !keyed && !whole && onlyKeys(t, refs) {
			continue // the read path evaluates it, and keys never change
		}
		if pc := pushdown(c.e, t.Columns, nil); pc != nil {
			pushed = append(pushed, pc)
			continue
		}
		local = append(local, c.e)
		localNodes = append(localNodes, owners[i])
	}
	refs, _, err := st.refsOf(localNodes...)
	if err != nil {
		return nil, err
	}
	for _, a := range refs {
		if !isKeyColumn(t, a) {
			checks[a] = true
		}
	}
	for _, c := range t.Columns {
		if checks[c.Name] {
			m.Checks = append(m.Checks, c.Name)
		}
	}
	m.Cond = andCond(pushed)
	if keyed {
		m.ReadFirst = len(local) > 0 || needLocalSet
		if len(local) > 0 {
			m.Local = andOf(local)
		}
		m.Subs = st.subs
	} else {
		if m.Input, err = st.modifyInput(conj, owners, localNodes); err != nil {
			return nil, err
		}
		if len(st.subs) > 0 {
			m.Input = &engine.SubPlans{Input: m.Input, Subs: st.subs}
		}
	}
	if m.Returning, m.RetCols, err = st.bindReturning(spec.returning); err != nil {
		return nil, err
	}
	needs := []policy.Need{{Table: t.Name, Class: policy.Write}}
	if spec.del {
		needs[0].Class = policy.Delete
	}
	if !exactKey || needLocalSet || m.Returning != nil {
		needs = append(needs, policy.Need{Table: t.Name, Class: policy.Read})
	}
	for _, n := range st.needs { // what subqueries of the WHERE clause read
		needs = addNeed(needs, n.Table, n.Class)
	}
	return &Plan{Root: m, Columns: m.RetCols, Needs: needs}, nil
}

// whereConjuncts binds WHERE into AND terms, each with the parse node of
// the top-level term it came from (to find the columns it reads).
func (st *selectState) whereConjuncts(where *pg_query.Node) ([]*conjunct, []*pg_query.Node, error) {
	if where == nil {
		return nil, nil, nil
	}
	var conj []*conjunct
	var owners []*pg_query.Node
	for _, n := range andTerms(where) {
		t, err := st.classify(n, st.scope, "WHERE")
		if err != nil {
			return nil, nil, err
		}
		for _, part := range splitAnd(t.e) {
			conj = append(conj, &conjunct{e: part})
			owners = append(owners, n)
		}
	}
	return conj, owners, nil
}

func onlyKeys(t *catalog.Table, attrs []string) bool {
	if len(attrs) == 0 {
		return false
	}
	for _, a := range attrs {
		if !isKeyColumn(t, a) {
			return false
		}
	}
	return true
}

// modifyInput chooses the read path that finds the rows. It is chosen
// twice: first to learn which WHERE terms the path leaves to evaluate
// locally, then with a projection of exactly the keys and the attributes
// those terms and the local SETs read.
func (st *selectState) modifyInput(conj []*conjunct, owners, localSets []*pg_query.Node) (engine.Node, error) {
	reset := func() {
		for _, c := range conj {
			c.consumed = false
		}
	}
	reset()
	if _, err := chooseAccess(st.table, conj, st.modifyProjection(nil), st.p.AllowFullScan); err != nil {
		return nil, err
	}
	nodes := append([]*pg_query.Node(nil), localSets...)
	for i, c := range conj {
		if !c.consumed {
			nodes = append(nodes, owners[i])
		}
	}
	reset()
	acc, err := chooseAccess(st.table, conj, st.modifyProjection(nodes), st.p.AllowFullScan)
	if err != nil {
		return nil, err
	}
	return withLocalTerms(acc), nil
}

// modifyProjection is what the read that finds rows fetches: the keys and
// the attributes the nodes (local terms and SETs) read.
func (st *selectState) modifyProjection(local []*pg_query.Node) projection {
	t := st.table
	attrs, whole, _ := st.refsOf(local...)
	if whole {
		return projection{whole: true}
	}
	want := map[string]bool{t.PartitionKey.Name: true}
	if t.SortKey != nil {
		want[t.SortKey.Name] = true
	}
	for _, a := range attrs {
		want[a] = true
	}
	var out []string
	for _, c := range t.Columns {
		if want[c.Name] {
			out = append(out, c.Name)
		}
	}
	return projection{attrs: out}
}
