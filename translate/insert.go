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

// planInsert plans INSERT (see engine.Put for the requests). It needs
// insert on the table; ON CONFLICT DO UPDATE also write (it may overwrite),
// and its RETURNING read (it returns the item as it was merged);
// INSERT ... SELECT also what the SELECT reads.
func (p *Planner) planInsert(ctx context.Context, ins *pg_query.InsertStmt, params *expr.ParamTypes) (*Plan, error) {
	if ins.WithClause != nil {
		return nil, pgerr.Unsupported("WITH in INSERT", "put the query in INSERT ... SELECT (FROM a subquery)")
	}
	st, err := p.writeTarget(ctx, ins.Relation, params, "INSERT")
	if err != nil {
		return nil, err
	}
	t := st.table
	target, err := insertTargets(t, ins.Cols)
	if err != nil {
		return nil, err
	}
	if err := keysProvided(t, target); err != nil {
		return nil, err
	}
	input, needs, err := p.insertSource(ctx, ins.SelectStmt, target, params)
	if err != nil {
		return nil, err
	}
	put := &engine.Put{Table: t.Name, PK: t.PartitionKey, SK: t.SortKey, Target: target, Input: input, Out: t.Columns}
	needs = addNeed(needs, t.Name, policy.Insert)
	if oc := ins.OnConflictClause; oc != nil {
		if needs, err = st.planConflict(oc, put, needs); err != nil {
			return nil, err
		}
	}
	if put.Returning, put.RetCols, err = st.bindReturning(ins.ReturningList); err != nil {
		return nil, err
	}
	if put.Returning != nil && put.OnConflict == engine.ConflictUpdate {
		needs = addNeed(needs, t.Name, policy.Read)
	}
	return &Plan{Root: put, Columns: put.RetCols, Needs: needs}, nil
}

// insertTargets resolves the column list; without one, every column but
// _item, in order.
func insertTargets(t *catalog.Table, cols []*pg_query.Node) ([]catalog.Column, error) {
	if len(cols) == 0 {
		var out []catalog.Column
		for _, c := range t.Columns {
			if c.Source != catalog.SourceItem {
				out = append(out, c)
			}
		}
		return out, nil
	}
	seen := map[string]bool{}
	out := make([]catalog.Column, 0, len(cols))
	for _, n := range cols {
		rt := n.GetResTarget()
		if rt == nil {
			return nil, pgerr.New(pgerr.SyntaxError, "unexpected INSERT column list item")
		}
		if len(rt.Indirection) > 0 {
			return nil, pgerr.Unsupported("INSERT into a part of a column", "write the whole column")
		}
		c, err := writeColumn(t, rt.Name)
		if err != nil {
			return nil, err
		}
		if seen[rt.Name] {
			return nil, pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", rt.Name)
		}
		seen[rt.Name] = true
		out = append(out, *c)
	}
	return out, nil
}

// keysProvided refuses at once an INSERT that can never give an item its
// key: neither the key columns nor _item are listed.
func keysProvided(t *catalog.Table, target []catalog.Column) error {
	has := map[string]bool{}
	for _, c := range target {
		if c.Source == catalog.SourceItem {
			return nil
		}
		has[c.Name] = true
	}
	for _, k := range []string{t.PartitionKey.Name, sortKeyName(t)} {
		if k != "" && !has[k] {
			return pgerr.New(pgerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", k, t.Name).
				WithHint("list the key column %q (or %s, the whole item) in the INSERT", k, catalog.ItemColumn)
		}
	}
	return nil
}

func sortKeyName(t *catalog.Table) string {
	if t.SortKey == nil {
		return ""
	}
	return t.SortKey.Name
}

// insertSource plans the rows: a VALUES list (each value cast to its
// column's type, as PostgreSQL's assignment does) or any query.
func (p *Planner) insertSource(ctx context.Context, src *pg_query.Node, target []catalog.Column, params *expr.ParamTypes) (engine.Node, []policy.Need, error) {
	sel := src.GetSelectStmt()
	if sel == nil {
		return nil, nil, pgerr.Unsupported("INSERT ... DEFAULT VALUES", "list the key columns and their values")
	}
	if len(sel.ValuesLists) > 0 && sel.WithClause == nil && len(sel.SortClause) == 0 && sel.LimitCount == nil && sel.LimitOffset == nil {
		n, err := p.insertValues(ctx, sel.ValuesLists, target, params)
		return n, nil, err
	}
	pl, err := p.planSelectStmt(ctx, sel, params, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	if err := arityCheck(len(pl.Columns), len(target)); err != nil {
		return nil, nil, err
	}
	exprs := make([]expr.Expr, len(target))
	cols := make([]sqltypes.Column, len(target))
	for i, c := range target {
		in := pl.Columns[i]
		exprs[i] = valueFor(c, castTo(&expr.ColRef{Index: i, Name: in.Name, T: in.Type}, c.Type))
		cols[i] = sqltypes.Column{Name: c.Name, Type: c.Type, Typmod: -1}
	}
	return &engine.Project{Input: pl.Root, Exprs: exprs, Out: cols}, pl.Needs, nil
}

func arityCheck(have, want int) error {
	switch {
	case have > want:
		return pgerr.New(pgerr.SyntaxError, "INSERT has more expressions than target columns")
	case have < want:
		return pgerr.New(pgerr.SyntaxError, "INSERT has more target columns than expressions")
	}
	return nil
}

// valueFor names the column in errors about a key value.
func valueFor(c catalog.Column, e expr.Expr) expr.Expr {
	if c.Source == catalog.SourceKey {
		return &engine.KeyValue{Arg: e, Column: c.Name}
	}
	return e
}

func (p *Planner) insertValues(ctx context.Context, lists []*pg_query.Node, target []catalog.Column, params *expr.ParamTypes) (engine.Node, error) {
	st := &selectState{p: p, params: params, ctx: ctx, scope: &relScope{}}
	rows := make([][]expr.Expr, len(lists))
	for r, l := range lists {
		items := l.GetList().GetItems()
		if err := arityCheck(len(items), len(target)); err != nil {
			return nil, err
		}
		row := make([]expr.Expr, len(items))
		for i, it := range items {
			c := target[i]
			if it.GetSetToDefault() != nil {
				row[i] = &expr.Const{Val: nil, T: c.Type} // no defaults: the attribute is not written
				continue
			}
			if hasSubLink(it) {
				return nil, pgerr.Unsupported("subqueries in INSERT ... VALUES", "use INSERT ... SELECT")
			}
			e, err := st.binder(st.scope, nil).Bind(castToColumn(it, c.Type))
			if err != nil && c.Source == catalog.SourceKey {
				return nil, pgerr.Wrap(err, pgerr.CodeOf(err), "invalid value for key column %q", c.Name)
			}
			if err != nil {
				return nil, err
			}
			row[i] = valueFor(c, e)
		}
		rows[r] = row
	}
	cols := make([]sqltypes.Column, len(target))
	for i, c := range target {
		cols[i] = sqltypes.Column{Name: c.Name, Type: c.Type, Typmod: -1}
	}
	return &engine.ValuesScan{Rows: rows, Out: cols}, nil
}

// planConflict plans ON CONFLICT. Its target must be the primary key (the
// only unique constraint a DynamoDB table has).
func (st *selectState) planConflict(oc *pg_query.OnConflictClause, put *engine.Put, needs []policy.Need) ([]policy.Need, error) {
	t := st.table
	if err := conflictTarget(t, oc.Infer); err != nil {
		return nil, err
	}
	switch oc.Action {
	case pg_query.OnConflictAction_ONCONFLICT_NOTHING:
		put.OnConflict = engine.ConflictNothing
		return needs, nil
	case pg_query.OnConflictAction_ONCONFLICT_UPDATE:
	default:
		return nil, pgerr.Unsupported("this ON CONFLICT action", "")
	}
	if oc.Infer == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
			WithHint("For example, ON CONFLICT (%s).", t.PartitionKey.Name)
	}
	put.OnConflict = engine.ConflictUpdate
	ex := newEntry("excluded", tableColumns(t))
	st.scope.parent = &relScope{entries: []*rangeEntry{ex}}
	for _, n := range oc.TargetList {
		s, local, err := st.setItem(n.GetResTarget())
		if err != nil {
			return nil, err
		}
		if local {
			return nil, pgerr.Unsupported("this SET expression in ON CONFLICT DO UPDATE",
				"use EXCLUDED values, constants, col + value or COALESCE(col, value): the existing item is not read")
		}
		put.Sets = append(put.Sets, s)
	}
	if oc.WhereClause != nil {
		cond, err := st.pushedOnly(oc.WhereClause, "ON CONFLICT ... WHERE")
		if err != nil {
			return nil, err
		}
		put.SetCond = cond
	}
	put.Upsert = upsertable(put, oc.WhereClause == nil)
	return addNeed(needs, t.Name, policy.Write), nil
}

// upsertable reports the one-UpdateItem upsert: every SET copies the
// EXCLUDED value of its own, inserted, column.
func upsertable(put *engine.Put, noWhere bool) bool {
	if !noWhere {
		return false
	}
	inserted := map[string]bool{}
	for _, c := range put.Target {
		inserted[c.Name] = c.Source != catalog.SourceItem
	}
	for _, s := range put.Sets {
		ref, ok := stripCast(s.Value).(*expr.ColRef)
		if s.Kind != engine.SetValue || !ok || ref.Depth != 1 || ref.Name != s.Attr || !inserted[s.Attr] {
			return false
		}
	}
	return true
}

// stripCast removes casts that do not change the type.
func stripCast(e expr.Expr) expr.Expr {
	for {
		c, ok := e.(*expr.Cast)
		if !ok || c.Arg.Type() != c.To {
			return e
		}
		e = c.Arg
	}
}

// conflictTarget accepts ON CONFLICT (pk[, sk]) in any order, ON CONFLICT
// ON CONSTRAINT <t>_pkey, or no target.
func conflictTarget(t *catalog.Table, infer *pg_query.InferClause) error {
	if infer == nil {
		return nil
	}
	noMatch := pgerr.New(pgerr.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification").
		WithHint("the only unique constraint of a DynamoDB table is its primary key (%s)", keyList(t))
	if infer.Conname != "" {
		if infer.Conname != t.Name+"_pkey" {
			return pgerr.New(pgerr.UndefinedObject, "constraint %q for table %q does not exist", infer.Conname, t.Name)
		}
		return nil
	}
	if infer.WhereClause != nil {
		return noMatch
	}
	want := map[string]bool{t.PartitionKey.Name: true}
	if t.SortKey != nil {
		want[t.SortKey.Name] = true
	}
	got := map[string]bool{}
	for _, n := range infer.IndexElems {
		ie := n.GetIndexElem()
		if ie == nil || ie.Name == "" || !want[ie.Name] {
			return noMatch
		}
		got[ie.Name] = true
	}
	if len(got) != len(want) {
		return noMatch
	}
	return nil
}

func keyList(t *catalog.Table) string {
	if t.SortKey == nil {
		return t.PartitionKey.Name
	}
	return t.PartitionKey.Name + ", " + t.SortKey.Name
}
