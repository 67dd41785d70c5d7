package translate

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// buildFrom plans the FROM clause with the WHERE terms. One DynamoDB table
// returns its access choice too (ORDER BY, LIMIT and count(*) may still be
// pushed into it).
func (st *selectState) buildFrom() (engine.Node, *accessChoice, error) {
	switch {
	case st.from == nil:
		acc := &accessChoice{node: &engine.OneRow{}, needLeft: conjExprs(st.conj)}
		return withLocalTerms(acc), acc, nil
	case st.table != nil:
		e := st.from.(*leafRel).e
		acc, err := chooseAccess(st.table, st.conj, entryProjection(e), st.p.AllowFullScan)
		if err != nil {
			return nil, nil, err
		}
		st.needs = append(st.needs, policy.Need{Table: st.table.Name, Class: policy.Read})
		return withLocalTerms(acc), acc, nil
	}
	root, err := st.planRel(st.from, st.terms)
	if err != nil {
		return nil, nil, err
	}
	var rest []expr.Expr
	for _, t := range st.terms {
		if !t.used {
			rest = append(rest, splitAnd(t.e)...)
		}
	}
	if len(rest) > 0 {
		root = &engine.Filter{Input: root, Pred: andOf(rest)}
	}
	return root, nil, nil
}

// plan wraps up a planned query.
func (st *selectState) plan(root engine.Node, cols []sqltypes.Column) *Plan {
	if len(st.subs) > 0 {
		root = &engine.SubPlans{Input: root, Subs: st.subs}
	}
	untyped := make([]bool, len(st.targets))
	for i, t := range st.targets {
		untyped[i] = t.untyped
	}
	return &Plan{Root: root, Columns: cols, Needs: dedupNeeds(st.needs), untyped: untyped}
}

// dedupNeeds drops repeated needs (a subquery bound twice records its needs
// twice).
func dedupNeeds(needs []policy.Need) []policy.Need {
	var out []policy.Need
	seen := map[policy.Need]bool{}
	for _, n := range needs {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// bindDistinct binds DISTINCT and DISTINCT ON (whose items are output
// column positions or names, or expressions over the input).
func (st *selectState) bindDistinct(s *pg_query.SelectStmt) error {
	if len(s.DistinctClause) == 0 {
		return nil
	}
	st.distinct = true
	for _, n := range s.DistinctClause {
		if n == nil || n.GetNode() == nil {
			continue // plain DISTINCT
		}
		if st.grouped {
			return pgerr.Unsupported("DISTINCT ON with GROUP BY", "")
		}
		e, err := st.orderExpr(n, st.binder(st.scope, nil).Bind)
		if err != nil {
			return err
		}
		st.distinctOn = append(st.distinctOn, e)
	}
	return nil
}

// buildDistinct finishes a SELECT DISTINCT [ON]: DISTINCT compares output
// rows, so its ORDER BY must name output columns (42P10 otherwise);
// DISTINCT ON keeps the first row of each group in ORDER BY order, so the
// input is sorted first and the ON values ride along as hidden columns.
func (st *selectState) buildDistinct(root engine.Node, s *pg_query.SelectStmt) (*Plan, error) {
	cols := st.outputColumns()
	exprs := make([]expr.Expr, len(st.targets))
	for i, t := range st.targets {
		exprs[i] = t.e
	}
	if st.distinctOn == nil {
		root = &engine.Distinct{Input: &engine.Project{Input: root, Exprs: exprs, Out: cols}}
		if len(st.order) > 0 {
			keys, err := st.outputSortKeys()
			if err != nil {
				return nil, err
			}
			root = &engine.Sort{Input: root, Keys: keys}
		}
	} else {
		for i, k := range st.order {
			if i >= len(st.distinctOn) {
				break
			}
			if !containsExpr(st.distinctOn, k.Expr) {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
			}
		}
		if len(st.order) > 0 {
			root = &engine.Sort{Input: root, Keys: st.order}
		}
		ext := append(append([]expr.Expr(nil), exprs...), st.distinctOn...)
		extCols := append([]sqltypes.Column(nil), cols...)
		on := make([]int, len(st.distinctOn))
		for i, e := range st.distinctOn {
			on[i] = len(cols) + i
			extCols = append(extCols, sqltypes.Column{Name: e.String(), Type: e.Type(), Typmod: -1})
		}
		root = &engine.Distinct{Input: &engine.Project{Input: root, Exprs: ext, Out: extCols}, On: on}
	}
	limit, err := st.bindLimit(s, nil)
	if err != nil {
		return nil, err
	}
	if limit != nil {
		limit.Input = root
		root = limit
	}
	if st.distinctOn != nil {
		trim := make([]expr.Expr, len(cols))
		for i, c := range cols {
			trim[i] = &expr.ColRef{Index: i, Name: c.Name, T: c.Type}
		}
		root = &engine.Project{Input: root, Exprs: trim, Out: cols}
	}
	return st.plan(root, cols), nil
}

// outputSortKeys maps ORDER BY keys to output columns.
func (st *selectState) outputSortKeys() ([]engine.SortKey, error) {
	keys := make([]engine.SortKey, len(st.order))
	for i, k := range st.order {
		pos := -1
		for j, t := range st.targets {
			if t.e == k.Expr || t.e.String() == k.Expr.String() {
				pos = j
				break
			}
		}
		if pos < 0 {
			return nil, pgerr.New(pgerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
		}
		k.Expr = &expr.ColRef{Index: pos, Name: st.targets[pos].name, T: st.targets[pos].e.Type()}
		keys[i] = k
	}
	return keys, nil
}

func containsExpr(es []expr.Expr, e expr.Expr) bool {
	for _, x := range es {
		if x == e || x.String() == e.String() {
			return true
		}
	}
	return false
}
