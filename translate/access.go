package translate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
)

// keySpace is a key schema that can serve a read: the table's own or an index's.
type keySpace struct {
	index *catalog.Index // nil: the table itself
	pk    catalog.KeyAttr
	sk    *catalog.KeyAttr
	// fetch: the index lacks columns the statement uses, so the items are
	// read from the table by the keys the index returns.
	fetch bool
}

func (k keySpace) name() string {
	if k.index == nil {
		return ""
	}
	return k.index.Name
}

// keyTerms are the WHERE terms that constrain one key attribute.
type keyTerms struct {
	eq    expr.Expr   // attr = v
	eqAt  int         // conjunct index of eq
	set   []expr.Expr // attr IN (v, ...) or an OR of equalities
	each  bool        // set is one array whose elements are the values: attr = ANY($1)
	setAt int
	rng   engine.Cond // a sort-key range condition (=, <, <=, >, >=, BETWEEN, begins_with)
	rngAt []int
}

// findKeyTerms collects the terms on attribute attr (of DynamoDB type dt).
func findKeyTerms(conj []*conjunct, cols []catalog.Column, attr, dt string) keyTerms {
	kt := keyTerms{eqAt: -1, setAt: -1}
	var lower, upper *rangeBound
	for i, c := range conj {
		if col, op, val, ok := colCompare(c.e); ok && cols[col.Index].Name == attr && valueFits(dt, val.Type()) && !isNullConst(val) {
			switch op {
			case expr.OpEQ:
				if kt.eq == nil {
					kt.eq, kt.eqAt = val, i
				}
			case expr.OpGT, expr.OpGE:
				if lower == nil {
					lower = &rangeBound{op: op, val: val, at: i}
				}
			case expr.OpLT, expr.OpLE:
				if upper == nil {
					upper = &rangeBound{op: op, val: val, at: i}
				}
			}
			continue
		}
		if vals, each, ok := equalitySet(c.e, cols, attr, dt); ok && kt.set == nil {
			kt.set, kt.each, kt.setAt = vals, each, i
			continue
		}
		if kt.rng == nil {
			if r := sortKeyRange(c.e, cols, attr, dt); r != nil {
				kt.rng, kt.rngAt = r, []int{i}
			}
		}
	}
	switch {
	case kt.rng != nil:
		// BETWEEN or begins_with found: it already bounds both sides.
	case lower != nil && upper != nil && lower.op == expr.OpGE && upper.op == expr.OpLE:
		kt.rng = &engine.Between{Attr: attr, Lo: lower.val, Hi: upper.val, AttrType: dt}
		kt.rngAt = []int{lower.at, upper.at}
	case lower != nil:
		kt.rng = &engine.Cmp{Attr: attr, Op: lower.op, Value: lower.val, AttrType: dt}
		kt.rngAt = []int{lower.at}
	case upper != nil:
		kt.rng = &engine.Cmp{Attr: attr, Op: upper.op, Value: upper.val, AttrType: dt}
		kt.rngAt = []int{upper.at}
	}
	return kt
}

type rangeBound struct {
	op  expr.CompareOp
	val expr.Expr
	at  int
}

// sortKeyRange matches BETWEEN and LIKE 'prefix%' on attr.
func sortKeyRange(e expr.Expr, cols []catalog.Column, attr, dt string) engine.Cond {
	switch x := e.(type) {
	case *expr.Between:
		col, ok := columnRef(x.Arg)
		if !ok || cols[col.Index].Name != attr || x.Not || x.Symmetric ||
			!isRuntimeConst(x.Lo) || !isRuntimeConst(x.Hi) || !valueFits(dt, x.Lo.Type()) || !valueFits(dt, x.Hi.Type()) {
			return nil
		}
		return &engine.Between{Attr: attr, Lo: x.Lo, Hi: x.Hi, AttrType: dt}
	case *expr.Like:
		col, ok := columnRef(x.Arg)
		if !ok || cols[col.Index].Name != attr || dt != "S" || x.Not || x.CaseInsensitive || x.Escape != nil {
			return nil
		}
		prefix, ok := constLikePrefix(x.Pattern)
		if !ok {
			return nil
		}
		return &engine.BeginsWith{Attr: attr, Prefix: constText(prefix)}
	}
	return nil
}

// equalitySet matches attr IN (...), attr = ANY(array) and OR-ed equalities on
// attr, returning the candidate values (NULLs dropped: they never match). For
// = ANY the one value is the array itself (each=true), expanded at Open.
func equalitySet(e expr.Expr, cols []catalog.Column, attr, dt string) (vals []expr.Expr, each, ok bool) {
	isAttr := func(x expr.Expr) bool {
		c, ok := columnRef(x)
		return ok && cols[c.Index].Name == attr
	}
	switch x := e.(type) {
	case *expr.InList:
		if x.Not || !isAttr(x.Arg) {
			return nil, false, false
		}
		for _, v := range x.List {
			if isNullConst(v) {
				continue
			}
			if !isRuntimeConst(v) || !valueFits(dt, v.Type()) {
				return nil, false, false
			}
			vals = append(vals, v)
		}
		return vals, false, true
	case *expr.AnyCompare:
		if x.All || x.Op != expr.OpEQ || !isAttr(x.L) || !isRuntimeConst(x.R) || !valueFits(dt, arrayElem(x.R.Type())) {
			return nil, false, false
		}
		return []expr.Expr{x.R}, true, true
	case *expr.Or:
		for _, a := range x.Args {
			col, op, val, ok := colCompare(a)
			if !ok || op != expr.OpEQ || cols[col.Index].Name != attr || !valueFits(dt, val.Type()) {
				return nil, false, false
			}
			if !isNullConst(val) {
				vals = append(vals, val)
			}
		}
		return vals, false, true
	}
	return nil, false, false
}

// accessChoice is the read path chosen for one table reference.
type accessChoice struct {
	node     engine.Node
	query    *engine.Query      // set when the path is a Query (for ORDER BY / COUNT / Limit)
	scan     *engine.Scan       // set when the path is a Scan
	fetch    *engine.IndexFetch // set when the path reads an index, then the table
	sortKey  string             // the sort key a Query returns rows ordered by
	needLeft []expr.Expr        // terms still to evaluate locally
	// recheck are terms an index already matched that are evaluated again on
	// the items fetched from the table: a GSI is eventually consistent, so
	// the item may have changed since. They almost always hold, so unlike
	// needLeft they do not stop LIMIT from sizing pages.
	recheck []expr.Expr
}

// chooseAccess picks the best access path for table t given WHERE terms conj,
// following spec/translation.md's order of preference.
func chooseAccess(t *catalog.Table, conj []*conjunct, proj projection, allowScan bool) (*accessChoice, error) {
	cols := t.Columns
	for _, c := range conj {
		if neverTrue(c.e) {
			// WHERE x = NULL, WHERE false: no row can match, so read nothing.
			return &accessChoice{node: &engine.Empty{Out: cols}}, nil
		}
	}
	table := keySpace{pk: t.PartitionKey, sk: t.SortKey}
	pkT := findKeyTerms(conj, cols, table.pk.Name, table.pk.Type)
	var skT keyTerms
	if table.sk != nil {
		skT = findKeyTerms(conj, cols, table.sk.Name, table.sk.Type)
	}

	// 1. GetItem: the whole primary key by equality.
	if pkT.eq != nil && (table.sk == nil || skT.eq != nil) {
		key := []engine.KeyPart{{Attr: table.pk.Name, AttrType: table.pk.Type, Value: pkT.eq}}
		conj[pkT.eqAt].consumed = true
		if table.sk != nil {
			key = append(key, engine.KeyPart{Attr: table.sk.Name, AttrType: table.sk.Type, Value: skT.eq})
			conj[skT.eqAt].consumed = true
		}
		n := &engine.GetItem{Table: t.Name, Key: key, Projection: proj.attrs, Out: cols}
		return finish(&accessChoice{node: n}, conj), nil
	}

	// 2. BatchGetItem: the whole key from a set of values.
	if keys, used := batchKeys(table, pkT, skT); keys != nil {
		for _, i := range used {
			conj[i].consumed = true
		}
		n := &engine.BatchGetItem{Table: t.Name, Keys: keys, Projection: proj.attrs, Out: cols}
		return finish(&accessChoice{node: n}, conj), nil
	}

	// 3./4. Query on the table or on an index whose partition key is fixed.
	if q := bestQuery(t, conj, proj); q != nil {
		return q, nil
	}

	// 5. Scan.
	if !allowScan {
		return nil, fullScanRefused(t)
	}
	s := &engine.Scan{Table: t.Name, Projection: proj.attrs, Out: cols, Segments: scanSegments(t)}
	s.Filter = pushFilters(conj, cols, nil)
	return finish(&accessChoice{node: s, scan: s}, conj), nil
}

// batchKeys builds BatchGetItem keys when the partition key (and the sort key,
// if any) is fixed to a set of values with at least one side being a set.
func batchKeys(ks keySpace, pkT, skT keyTerms) ([][]engine.KeyPart, []int) {
	pkVals, pkAt := pkT.set, pkT.setAt
	if pkVals == nil && pkT.eq != nil {
		pkVals, pkAt = []expr.Expr{pkT.eq}, pkT.eqAt
	}
	if pkVals == nil {
		return nil, nil
	}
	used := []int{pkAt}
	if ks.sk == nil {
		if pkT.set == nil {
			return nil, nil
		}
		keys := make([][]engine.KeyPart, 0, len(pkVals))
		for _, v := range pkVals {
			keys = append(keys, []engine.KeyPart{{Attr: ks.pk.Name, AttrType: ks.pk.Type, Value: v, Each: pkT.each}})
		}
		return keys, used
	}
	skVals, skAt := skT.set, skT.setAt
	if skVals == nil && skT.eq != nil {
		skVals, skAt = []expr.Expr{skT.eq}, skT.eqAt
	}
	if skVals == nil || (pkT.set == nil && skT.set == nil) {
		return nil, nil
	}
	used = append(used, skAt)
	keys := make([][]engine.KeyPart, 0, len(pkVals)*len(skVals))
	for _, p := range pkVals {
		for _, s := range skVals {
			keys = append(keys, []engine.KeyPart{
				{Attr: ks.pk.Name, AttrType: ks.pk.Type, Value: p, Each: pkT.set != nil && pkT.each},
				{Attr: ks.sk.Name, AttrType: ks.sk.Type, Value: s, Each: skT.set != nil && skT.each},
			})
		}
	}
	return keys, used
}

// bestQuery considers the table and every index whose partition key is fixed
// by equality. An index with a sort key only holds items that have that
// attribute, so it may serve the statement only when the statement constrains
// the sort key too (otherwise rows lacking it would be missed). Among the
// candidates, one with a sort-key condition wins; at equal conditions an
// index that projects every used column beats one that needs a fetch from the
// table, and the table wins ties.
func bestQuery(t *catalog.Table, conj []*conjunct, proj projection) *accessChoice {
	spaces := []keySpace{{pk: t.PartitionKey, sk: t.SortKey}}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		spaces = append(spaces, keySpace{index: ix, pk: ix.PartitionKey, sk: ix.SortKey, fetch: !indexCovers(t, ix, proj)})
	}
	var best *keySpace
	var bestPK, bestSK keyTerms
	bestScore := 0
	for i := range spaces {
		ks := spaces[i]
		pkT := findKeyTerms(conj, t.Columns, ks.pk.Name, ks.pk.Type)
		if pkT.eq == nil {
			continue
		}
		var skT keyTerms
		score := 2
		if ks.sk != nil {
			skT = findKeyTerms(conj, t.Columns, ks.sk.Name, ks.sk.Type)
			switch {
			case skT.eq != nil:
				score = 6
			case skT.rng != nil:
				score = 4
			case ks.index != nil:
				continue // sparse index: items without the sort key are not in it
			}
		}
		if ks.fetch {
			score-- // reading the index, then the table, costs more than one read
		}
		if score > bestScore {
			best, bestPK, bestSK, bestScore = &spaces[i], pkT, skT, score
		}
	}
	if best == nil {
		return nil
	}
	keyCond := engine.Cond(&engine.Cmp{Attr: best.pk.Name, Op: expr.OpEQ, Value: bestPK.eq, AttrType: best.pk.Type})
	conj[bestPK.eqAt].consumed = true
	if best.sk != nil {
		var skCond engine.Cond
		switch {
		case bestSK.eq != nil:
			skCond = &engine.Cmp{Attr: best.sk.Name, Op: expr.OpEQ, Value: bestSK.eq, AttrType: best.sk.Type}
			conj[bestSK.eqAt].consumed = true
		case bestSK.rng != nil:
			skCond = bestSK.rng
			for _, i := range bestSK.rngAt {
				conj[i].consumed = true
			}
		}
		if skCond != nil {
			keyCond = &engine.And{Args: []engine.Cond{keyCond, skCond}}
		}
	}
	if best.fetch {
		return indexFetch(t, best, keyCond, conj, proj)
	}
	// A Query's FilterExpression may not name key attributes: those terms
	// stay local.
	keyAttrs := map[string]bool{t.PartitionKey.Name: true, best.pk.Name: true}
	if t.SortKey != nil {
		keyAttrs[t.SortKey.Name] = true
	}
	if best.sk != nil {
		keyAttrs[best.sk.Name] = true
	}
	q := &engine.Query{Table: t.Name, Index: best.name(), LocalIndex: best.index != nil && !best.index.Global,
		KeyCond: keyCond, Projection: proj.attrs, Forward: true, Out: t.Columns}
	q.Filter = pushFilters(conj, t.Columns, keyAttrs)
	ch := &accessChoice{node: q, query: q}
	if best.sk != nil {
		ch.sortKey = best.sk.Name
	}
	return finish(ch, conj)
}

// indexFetch reads an index that lacks used columns: the index Query
// returns the table keys of the matching items (nothing is filtered there, as
// the index may not hold the filtered attributes), BatchGetItem reads the
// items, and every term is evaluated locally: the remaining ones, and the key
// condition again on the fetched item.
func indexFetch(t *catalog.Table, ks *keySpace, keyCond engine.Cond, conj []*conjunct, proj projection) *accessChoice {
	key := []string{t.PartitionKey.Name}
	if t.SortKey != nil {
		key = append(key, t.SortKey.Name)
	}
	q := &engine.Query{Table: t.Name, Index: ks.name(), LocalIndex: !ks.index.Global, KeyCond: keyCond,
		Projection: key, Forward: true, Out: t.Columns}
	f := &engine.IndexFetch{Index: q, Key: key, Projection: proj.attrs, Out: t.Columns}
	ch := finish(&accessChoice{node: f, fetch: f}, conj)
	for _, c := range conj {
		if c.consumed {
			ch.recheck = append(ch.recheck, c.e)
		}
	}
	return ch
}

// indexCovers reports whether an index projects every attribute the statement
// uses (the table's keys are always projected into an index).
func indexCovers(t *catalog.Table, ix *catalog.Index, proj projection) bool {
	if ix.Projection == "ALL" {
		return true
	}
	if proj.whole {
		return false
	}
	have := map[string]bool{t.PartitionKey.Name: true, ix.PartitionKey.Name: true}
	if t.SortKey != nil {
		have[t.SortKey.Name] = true
	}
	if ix.SortKey != nil {
		have[ix.SortKey.Name] = true
	}
	for _, a := range ix.NonKeyAttributes {
		have[a] = true
	}
	for _, a := range proj.attrs {
		if !have[a] {
			return false
		}
	}
	return true
}

// pushFilters moves every remaining term that DynamoDB evaluates exactly into
// one FilterExpression.
func pushFilters(conj []*conjunct, cols []catalog.Column, keyAttrs map[string]bool) engine.Cond {
	var conds []engine.Cond
	for _, c := range conj {
		if c.consumed {
			continue
		}
		pc := pushdown(c.e, cols, keyAttrs)
		if pc == nil {
			continue
		}
		if and, ok := pc.(*engine.And); ok {
			conds = append(conds, and.Args...) // one flat AND reads best
		} else {
			conds = append(conds, pc)
		}
		c.consumed = true
	}
	switch len(conds) {
	case 0:
		return nil
	case 1:
		return conds[0]
	}
	return &engine.And{Args: conds}
}

func finish(ch *accessChoice, conj []*conjunct) *accessChoice {
	for _, c := range conj {
		if !c.consumed {
			ch.needLeft = append(ch.needLeft, c.e)
		}
	}
	return ch
}

// scanSegments chooses parallel Scan segments for large tables: one segment per
// 256 MiB of table, between 1 and 16.
func scanSegments(t *catalog.Table) int {
	const perSegment = 256 << 20
	n := int(t.SizeBytes / perSegment)
	if n < 1 {
		return 1
	}
	if n > 16 {
		return 16
	}
	return n
}

// fullScanRefused is the 54000 error for allow_full_scan: false, with a hint
// naming what would avoid the scan.
func fullScanRefused(t *catalog.Table) error {
	keys := t.PartitionKey.Name
	if t.SortKey != nil {
		keys += ", " + t.SortKey.Name
	}
	var ixs []string
	for _, ix := range t.Indexes {
		ixs = append(ixs, fmt.Sprintf("%s (%s)", ix.Name, ix.PartitionKey.Name))
	}
	sort.Strings(ixs)
	hint := fmt.Sprintf("constrain the partition key %q by equality (key: %s)", t.PartitionKey.Name, keys)
	if len(ixs) > 0 {
		hint += ", or the partition key of an index: " + strings.Join(ixs, ", ")
	}
	return pgerr.New(pgerr.ProgramLimitExceeded,
		"statement would scan the whole table %q and full scans are disabled for this database", t.Name).
		WithHint("%s; or set extra.allow_full_scan: true", hint)
}

// neverTrue reports a term that is false or NULL for every row: a constant
// false/NULL, or a comparison with a literal NULL.
func neverTrue(e expr.Expr) bool {
	switch x := e.(type) {
	case *expr.Const:
		return x.Val == nil || x.Val == false
	case *expr.Compare:
		return isNullConst(x.L) || isNullConst(x.R)
	}
	return false
}
