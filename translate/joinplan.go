package translate

import (
	"strings"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// planRel plans a FROM item. pool holds the WHERE terms that may be
// evaluated inside it (it is not on the NULL-padded side of an outer join);
// those it evaluates are marked used.
func (st *selectState) planRel(n fromNode, pool []*term) (engine.Node, error) {
	switch x := n.(type) {
	case *leafRel:
		return st.planLeaf(x, pool, x.parent)
	case *joinRel:
		return st.planJoin(x, pool)
	}
	return nil, nil
}

// planLeaf plans one relation with the terms of pool that read only it,
// bound over its own row: for a DynamoDB table they choose the access path.
func (st *selectState) planLeaf(l *leafRel, pool []*term, parent expr.Scope) (engine.Node, error) {
	sc := &relScope{entries: []*rangeEntry{l.e}, shift: l.e.off, parent: parent}
	own := map[*rangeEntry]bool{l.e: true}
	var conj []*conjunct
	for _, t := range pool {
		if t.used || t.hasSub || !t.within(own) {
			continue
		}
		e, err := st.bindAt(t, sc)
		if err != nil {
			return nil, err
		}
		t.used = true
		for _, part := range splitAnd(e) {
			conj = append(conj, &conjunct{e: part})
		}
	}
	if l.e.table == nil {
		if len(conj) == 0 {
			return l.node, nil
		}
		return &engine.Filter{Input: l.node, Pred: andOf(conjExprs(conj))}, nil
	}
	acc, err := chooseAccess(l.e.table, conj, entryProjection(l.e), st.p.AllowFullScan)
	if err != nil {
		return nil, err
	}
	st.needs = append(st.needs, policy.Need{Table: l.e.table.Name, Class: policy.Read})
	return withLocalTerms(acc), nil
}

func conjExprs(conj []*conjunct) []expr.Expr {
	out := make([]expr.Expr, len(conj))
	for i, c := range conj {
		out[i] = c.e
	}
	return out
}

// withLocalTerms puts the terms an access path left over in a Filter above it.
func withLocalTerms(acc *accessChoice) engine.Node {
	left := append(append([]expr.Expr(nil), acc.recheck...), acc.needLeft...)
	if len(left) == 0 {
		return acc.node
	}
	return &engine.Filter{Input: acc.node, Pred: andOf(left)}
}

// entryProjection is what a table read must fetch for the columns used.
func entryProjection(e *rangeEntry) projection {
	attrs, whole := e.usedAttrs()
	proj := projection{attrs: attrs, whole: whole}
	switch {
	case whole:
		proj.attrs = nil
	case len(attrs) == 0:
		proj.attrs = []string{e.table.PartitionKey.Name}
	}
	return proj
}

// planJoin plans a join: WHERE and ON terms that read one side only go to
// that side when the join type allows; a DynamoDB table on the right whose
// key the condition fixes from the left row is read by key per left row;
// otherwise equalities between the sides make a hash join, and anything else
// a nested loop.
func (st *selectState) planJoin(j *joinRel, pool []*term) (engine.Node, error) {
	L, R := entrySet(j.left), entrySet(j.right)
	inner := j.kind == engine.JoinInner
	leftOK := inner || j.kind == engine.JoinLeft
	rightOK := inner || j.kind == engine.JoinRight
	var leftPool, rightPool, conds []*term
	both := entrySet(j)
	for _, t := range pool {
		switch {
		case t.used || t.hasSub:
		case t.within(L) && leftOK:
			leftPool = append(leftPool, t)
		case t.within(R) && rightOK:
			rightPool = append(rightPool, t)
		case inner && t.within(both):
			t.used = true
			conds = append(conds, t)
		}
	}
	var ownQuals []*term
	for _, t := range j.quals {
		switch {
		case !t.hasSub && inner && t.within(L):
			leftPool = append(leftPool, t)
			ownQuals = append(ownQuals, t)
		case !t.hasSub && (inner || j.kind == engine.JoinLeft) && t.within(R):
			rightPool = append(rightPool, t)
			ownQuals = append(ownQuals, t)
		default:
			t.used = true
			conds = append(conds, t)
		}
	}
	if rl, ok := j.right.(*leafRel); ok && rl.e.table != nil && !rl.lateral && (inner || j.kind == engine.JoinLeft) {
		right, err := st.tryLookup(j.left, rl, rightPool, conds)
		if err != nil {
			return nil, err
		}
		if right != nil {
			return st.finishLookup(j, right, leftPool, conds, ownQuals)
		}
	}
	if ll, ok := j.left.(*leafRel); ok && inner && ll.e.table != nil && st.cheapDriver(j.right, rightPool) {
		// The left table would be scanned, the right side is read by key:
		// drive the join from the right and look the left table up.
		left, err := st.tryLookup(j.right, ll, leftPool, conds)
		if err != nil {
			return nil, err
		}
		if left != nil {
			return st.finishSwapped(j, left, rightPool, conds, ownQuals)
		}
	}
	leftNode, err := st.planRel(j.left, leftPool)
	if err != nil {
		return nil, err
	}
	var rightNode engine.Node
	lateral := false
	if rl, ok := j.right.(*leafRel); ok && rl.lateral {
		lateral = true
		rightNode, err = st.planLeaf(rl, rightPool, rl.parent)
	} else {
		rightNode, err = st.planRel(j.right, rightPool)
	}
	if err != nil {
		return nil, err
	}
	for _, t := range ownQuals {
		if !t.used { // not evaluable below (e.g. under an outer join there)
			t.used = true
			conds = append(conds, t)
		}
	}
	node, err := st.joinNode(j, leftNode, rightNode, conds, lateral)
	if err != nil || j.merged == nil || j.merged.full == nil {
		return node, err
	}
	return fullUsing(j, node), nil
}

// fullUsing appends the COALESCE columns of FULL JOIN ... USING.
func fullUsing(j *joinRel, node engine.Node) engine.Node {
	start, _ := j.span()
	cols := node.Columns()
	exprs := make([]expr.Expr, 0, len(cols)+len(j.merged.full))
	for i, c := range cols {
		exprs = append(exprs, &expr.ColRef{Index: i, Name: c.Name, T: c.Type})
	}
	for _, p := range j.merged.full {
		l, r := *p[0], *p[1]
		l.Index -= start
		r.Index -= start
		exprs = append(exprs, &coalesce{args: []expr.Expr{&l, &r}})
	}
	return &engine.Project{Input: node, Exprs: exprs, Out: append(append([]sqltypes.Column(nil), cols...), j.merged.cols...)}
}

// coalesce is COALESCE over already bound arguments of one type.
type coalesce struct{ args []expr.Expr }

var _ expr.Expr = (*coalesce)(nil)

func (c *coalesce) Type() sqltypes.OID { return c.args[0].Type() }

func (c *coalesce) Eval(ctx *expr.Context, row sqltypes.Row) (sqltypes.Value, error) {
	for _, a := range c.args {
		v, err := a.Eval(ctx, row)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

func (c *coalesce) String() string {
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	return "COALESCE(" + strings.Join(parts, ", ") + ")"
}

// joinNode builds the join operator for conds bound over the join's row.
func (st *selectState) joinNode(j *joinRel, left, right engine.Node, conds []*term, lateral bool) (engine.Node, error) {
	sc := st.levelScope(j, st.outer)
	lw := len(left.Columns())
	var (
		lkeys, rkeys []expr.Expr
		rest         []expr.Expr
	)
	for _, t := range conds {
		e, err := st.bindAt(t, sc)
		if err != nil {
			return nil, err
		}
		for _, part := range splitAnd(e) {
			if l, r, ok := hashPair(part, lw); ok && !lateral {
				lkeys, rkeys = append(lkeys, l), append(rkeys, r)
				continue
			}
			rest = append(rest, part)
		}
	}
	var pred expr.Expr
	if len(rest) > 0 {
		pred = andOf(rest)
	}
	switch {
	case lateral:
		return &engine.Apply{Kind: j.kind, Left: left, Right: right, Pred: pred}, nil
	case len(lkeys) > 0:
		return &engine.HashJoin{Kind: j.kind, Left: left, Right: right, LeftKeys: lkeys, RightKeys: rkeys, Pred: pred}, nil
	}
	return &engine.NestedLoopJoin{Kind: j.kind, Left: left, Right: right, Pred: pred}, nil
}

// hashPair matches left.col = right.col (either order) between the sides of
// a join whose left row is lw wide, returning the keys over each side's row.
func hashPair(e expr.Expr, lw int) (l, r expr.Expr, ok bool) {
	c, isCmp := e.(*expr.Compare)
	if !isCmp || c.Op != expr.OpEQ {
		return nil, nil, false
	}
	a, aok := c.L.(*expr.ColRef)
	b, bok := c.R.(*expr.ColRef)
	if !aok || !bok || a.Depth != 0 || b.Depth != 0 || !hashCompatible(a.T, b.T) {
		return nil, nil, false
	}
	if a.Index >= lw {
		a, b = b, a
	}
	if a.Index >= lw || b.Index < lw {
		return nil, nil, false
	}
	rb := *b
	rb.Index -= lw
	return a, &rb, true
}

// hashCompatible reports types whose equal values have equal hash keys.
func hashCompatible(a, b sqltypes.OID) bool {
	family := func(t sqltypes.OID) int {
		switch t {
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric, sqltypes.Oid:
			return 1
		case sqltypes.Text, sqltypes.Varchar, sqltypes.Name:
			return 2
		}
		return 0
	}
	if fa := family(a); fa != 0 {
		return fa == family(b)
	}
	return a == b && a != 1042 && a != sqltypes.Float4 && a != sqltypes.Float8
}

// accessRank orders access paths from cheapest (one GetItem) to a Scan.
func accessRank(acc *accessChoice) int {
	switch acc.node.(type) {
	case *engine.Empty:
		return 0
	case *engine.GetItem:
		return 1
	case *engine.BatchGetItem:
		return 2
	case *engine.Query:
		return 3
	case *engine.IndexFetch:
		return 4
	}
	return 5
}

// tryLookup plans the right table of a join as a read keyed by the left
// row: the ON/WHERE terms are bound with the left side one level out
// (Depth 1), so the access-path planner sees its columns as values fixed per
// execution, like parameters. It returns nil when that is no better than
// reading the table once.
func (st *selectState) tryLookup(driver fromNode, rl *leafRel, rightPool, conds []*term) (*accessChoice, error) {
	outer := st.levelScope(driver, st.outer)
	dep := &relScope{entries: []*rangeEntry{rl.e}, shift: rl.e.off, parent: outer}
	var depConj []*conjunct
	for _, t := range append(append([]*term(nil), rightPool...), conds...) {
		if t.hasSub {
			continue
		}
		e, err := st.bindAt(t, dep)
		if err != nil {
			return nil, err
		}
		for _, part := range splitAnd(e) {
			depConj = append(depConj, &conjunct{e: part})
		}
	}
	proj := entryProjection(rl.e)
	depAcc, err := chooseAccess(rl.e.table, depConj, proj, true)
	if err != nil || depAcc.scan != nil {
		return nil, err
	}
	own := &relScope{entries: []*rangeEntry{rl.e}, shift: rl.e.off, parent: rl.parent}
	var ownConj []*conjunct
	for _, t := range rightPool {
		e, err := st.bindAt(t, own)
		if err != nil {
			return nil, err
		}
		for _, part := range splitAnd(e) {
			ownConj = append(ownConj, &conjunct{e: part})
		}
	}
	if acc, err := chooseAccess(rl.e.table, ownConj, proj, st.p.AllowFullScan); err == nil && accessRank(acc) <= accessRank(depAcc) {
		return nil, nil
	}
	for _, t := range rightPool {
		t.used = true
	}
	st.needs = append(st.needs, policy.Need{Table: rl.e.table.Name, Class: policy.Read})
	return depAcc, nil
}

// finishLookup completes a key-lookup join: the left side as usual, the
// conditions with sub-selects (not part of the lookup) as a join filter. A
// whole-key lookup batches the keys of 100 left rows per BatchGetItem; other
// lookups (Query) run once per left row.
func (st *selectState) finishLookup(j *joinRel, acc *accessChoice, leftPool, conds, ownQuals []*term) (engine.Node, error) {
	left, err := st.planRel(j.left, leftPool)
	if err != nil {
		return nil, err
	}
	var rest []*term
	for _, t := range conds {
		if t.hasSub {
			rest = append(rest, t)
		}
	}
	for _, t := range ownQuals {
		if !t.used { // a left-side term the left side could not take
			t.used = true
			rest = append(rest, t)
		}
	}
	var pred expr.Expr
	if len(rest) > 0 {
		sc := st.levelScope(j, st.outer)
		var es []expr.Expr
		for _, t := range rest {
			e, err := st.bindAt(t, sc)
			if err != nil {
				return nil, err
			}
			es = append(es, e)
		}
		pred = andOf(es)
	}
	if get, ok := acc.node.(*engine.GetItem); ok && pred == nil {
		lj := &engine.LookupJoin{Kind: j.kind, Left: left, Get: get}
		if local := append(append([]expr.Expr(nil), acc.recheck...), acc.needLeft...); len(local) > 0 {
			lj.Filter = andOf(local)
		}
		return lj, nil
	}
	return &engine.Apply{Kind: j.kind, Left: left, Right: withLocalTerms(acc), Pred: pred}, nil
}

// cheapDriver reports whether n can drive a lookup join without a full
// scan: a DynamoDB table read by key, or a relation that is not a table.
func (st *selectState) cheapDriver(n fromNode, pool []*term) bool {
	l, ok := n.(*leafRel)
	if !ok || l.lateral {
		return false
	}
	if l.e.table == nil {
		return true
	}
	sc := &relScope{entries: []*rangeEntry{l.e}, shift: l.e.off, parent: l.parent}
	own := map[*rangeEntry]bool{l.e: true}
	var conj []*conjunct
	for _, t := range pool {
		if t.used || t.hasSub || !t.within(own) {
			continue
		}
		e, err := st.bindAt(t, sc)
		if err != nil {
			return false
		}
		for _, part := range splitAnd(e) {
			conj = append(conj, &conjunct{e: part})
		}
	}
	acc, err := chooseAccess(l.e.table, conj, entryProjection(l.e), true)
	return err == nil && acc.scan == nil
}

// finishSwapped completes an inner join driven from its right side: the
// lookup yields right||left rows, which a projection puts back in FROM order.
func (st *selectState) finishSwapped(j *joinRel, acc *accessChoice, rightPool, conds, ownQuals []*term) (engine.Node, error) {
	driver, err := st.planRel(j.right, rightPool)
	if err != nil {
		return nil, err
	}
	var rest []*term
	for _, t := range conds {
		if t.hasSub {
			rest = append(rest, t)
		}
	}
	for _, t := range ownQuals {
		if !t.used {
			t.used = true
			rest = append(rest, t)
		}
	}
	var node engine.Node
	if get, ok := acc.node.(*engine.GetItem); ok {
		lj := &engine.LookupJoin{Kind: engine.JoinInner, Left: driver, Get: get}
		if local := append(append([]expr.Expr(nil), acc.recheck...), acc.needLeft...); len(local) > 0 {
			lj.Filter = andOf(local)
		}
		node = lj
	} else {
		node = &engine.Apply{Kind: engine.JoinInner, Left: driver, Right: withLocalTerms(acc)}
	}
	cols := node.Columns()
	rw := len(driver.Columns())
	order := append(allIdx(rw, len(cols)), allIdx(0, rw)...)
	exprs := make([]expr.Expr, len(order))
	out := make([]sqltypes.Column, len(order))
	for i, k := range order {
		exprs[i] = &expr.ColRef{Index: k, Name: cols[k].Name, T: cols[k].Type}
		out[i] = cols[k]
	}
	node = &engine.Project{Input: node, Exprs: exprs, Out: out}
	if len(rest) == 0 {
		return node, nil
	}
	sc := st.levelScope(j, st.outer)
	var es []expr.Expr
	for _, t := range rest {
		e, err := st.bindAt(t, sc)
		if err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return &engine.Filter{Input: node, Pred: andOf(es)}, nil
}

func allIdx(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}
