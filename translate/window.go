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

// PostgreSQL's FRAMEOPTION_* bits of WindowDef.FrameOptions (parsenodes.h).
const (
	frameNonDefault         = 0x00001
	frameRange              = 0x00002
	frameRows               = 0x00004
	frameGroups             = 0x00008
	frameStartUnboundedPrec = 0x00020
	frameEndUnboundedFollow = 0x00100
	frameStartCurrentRow    = 0x00200
	frameEndCurrentRow      = 0x00400
	frameStartOffsetPrec    = 0x00800
	frameEndOffsetPrec      = 0x01000
	frameStartOffsetFollow  = 0x02000
	frameEndOffsetFollow    = 0x04000
	frameExcludeCurrentRow  = 0x08000
	frameExcludeGroup       = 0x10000
	frameExcludeTies        = 0x20000
	frameStartOffset        = frameStartOffsetPrec | frameStartOffsetFollow
	frameEndOffset          = frameEndOffsetPrec | frameEndOffsetFollow
	frameOffsets            = frameStartOffset | frameEndOffset
)

// windowPlanner collects a SELECT's window function calls, grouped by
// window spec: each distinct spec becomes one Sort + engine.Window above the
// aggregation (PostgreSQL computes windows after WHERE, GROUP BY and HAVING,
// before DISTINCT, ORDER BY and LIMIT).
type windowPlanner struct {
	named map[string]*pg_query.WindowDef // the WINDOW clause
	nodes []*windowNode
	refs  []*windowRef
	order []string // after plan: the order the last Window emits rows in
}

// windowNode is one Window operator being planned.
type windowNode struct {
	spec  engine.WindowSpec
	key   string
	funcs []engine.WindowFunc
}

// windowRef is a window function's value in the rows above the Window
// operators: its column index is known only once every call is bound (the
// width of the aggregate row below them grows while binding), so plan sets it.
type windowRef struct {
	node, fn int
	index    int
	text     string
	t        sqltypes.OID
}

var _ expr.Expr = (*windowRef)(nil)

func (r *windowRef) Type() sqltypes.OID { return r.t }
func (r *windowRef) String() string     { return r.text }

func (r *windowRef) Eval(_ *expr.Context, row sqltypes.Row) (sqltypes.Value, error) {
	if r.index < 0 || r.index >= len(row) {
		return nil, pgerr.New(pgerr.InternalError, "window function %s has no column in the row", r.text)
	}
	return row[r.index], nil
}

// newWindowPlanner reads the WINDOW clause.
func newWindowPlanner(clause []*pg_query.Node) (*windowPlanner, error) {
	w := &windowPlanner{named: map[string]*pg_query.WindowDef{}}
	for _, n := range clause {
		def := n.GetWindowDef()
		if def == nil {
			continue
		}
		if err := checkWindowDef(def); err != nil {
			return nil, err
		}
		if w.named[def.Name] != nil {
			return nil, pgerr.New(pgerr.WindowingError, "window \"%s\" is already defined", def.Name)
		}
		// a definition may build on an earlier one
		resolved, err := w.resolve(def, false)
		if err != nil {
			return nil, err
		}
		w.named[def.Name] = resolved
	}
	return w, nil
}

// any reports whether the query calls window functions.
func (w *windowPlanner) any() bool { return w != nil && len(w.nodes) > 0 }

// resolve applies a reference to a named window: OVER w is w itself; OVER
// (w ORDER BY ...) copies w's partitioning and adds what w lacks.
func (w *windowPlanner) resolve(def *pg_query.WindowDef, over bool) (*pg_query.WindowDef, error) {
	plain := len(def.PartitionClause) == 0 && len(def.OrderClause) == 0 && def.FrameOptions&frameNonDefault == 0
	if over && def.Name != "" && def.Refname == "" && plain {
		base := w.named[def.Name]
		if base == nil {
			return nil, pgerr.New(pgerr.UndefinedObject, "window \"%s\" does not exist", def.Name)
		}
		return base, nil
	}
	if def.Refname == "" {
		return def, nil
	}
	base := w.named[def.Refname]
	switch {
	case base == nil:
		return nil, pgerr.New(pgerr.UndefinedObject, "window \"%s\" does not exist", def.Refname)
	case len(def.PartitionClause) > 0:
		return nil, pgerr.New(pgerr.WindowingError, "cannot override PARTITION BY clause of window \"%s\"", def.Refname)
	case len(def.OrderClause) > 0 && len(base.OrderClause) > 0:
		return nil, pgerr.New(pgerr.WindowingError, "cannot override ORDER BY clause of window \"%s\"", def.Refname)
	case base.FrameOptions&frameNonDefault != 0:
		e := pgerr.New(pgerr.WindowingError, "cannot copy window \"%s\" because it has a frame clause", def.Refname)
		if over {
			e = e.WithHint("Omit the parentheses in this OVER clause.")
		}
		return nil, e
	}
	out := &pg_query.WindowDef{
		Name: def.Name, PartitionClause: base.PartitionClause, OrderClause: base.OrderClause,
		FrameOptions: def.FrameOptions, StartOffset: def.StartOffset, EndOffset: def.EndOffset,
	}
	if len(def.OrderClause) > 0 {
		out.OrderClause = def.OrderClause
	}
	return out, nil
}

// hook is the binder's WindowHook; bind binds arguments, partition and order
// expressions over the rows the windows read (the table's, or the
// aggregate's in a grouped query).
func (w *windowPlanner) hook(st *selectState, bind bindFunc) func(*pg_query.FuncCall) (expr.Expr, error) {
	return func(fc *pg_query.FuncCall) (expr.Expr, error) {
		if w == nil {
			return nil, pgerr.Unsupported("window functions in this context", "")
		}
		if containsWindow(fc.Args...) || containsWindow(fc.AggFilter) {
			return nil, pgerr.New(pgerr.WindowingError, "window function calls cannot be nested")
		}
		if err := checkWindowDef(fc.Over); err != nil {
			return nil, err
		}
		def, err := w.resolve(fc.Over, true)
		if err != nil {
			return nil, err
		}
		spec, err := st.bindWindowSpec(def, bind)
		if err != nil {
			return nil, err
		}
		f, err := st.bindWindowFunc(fc, bind)
		if err != nil {
			return nil, err
		}
		if spec.Frame.Mode == engine.FrameGroups && len(spec.OrderBy) == 0 {
			return nil, pgerr.New(pgerr.WindowingError, "GROUPS mode requires an ORDER BY clause")
		}
		return w.add(spec, f), nil
	}
}

// add records a call, sharing the Window node of an equal spec and the
// column of an equal call.
func (w *windowPlanner) add(spec engine.WindowSpec, f engine.WindowFunc) *windowRef {
	key := spec.String()
	ni := -1
	for i, n := range w.nodes {
		if n.key == key {
			ni = i
		}
	}
	if ni < 0 {
		w.nodes = append(w.nodes, &windowNode{spec: spec, key: key})
		ni = len(w.nodes) - 1
	}
	node := w.nodes[ni]
	fi := -1
	for i, g := range node.funcs {
		if g.String() == f.String() {
			fi = i
		}
	}
	if fi < 0 {
		node.funcs = append(node.funcs, f)
		fi = len(node.funcs) - 1
	}
	ref := &windowRef{node: ni, fn: fi, index: -1, text: f.String() + " OVER (" + key + ")", t: f.T}
	w.refs = append(w.refs, ref)
	return ref
}

// plan stacks a Window per spec on root, each over a Sort unless the rows
// are already in an order the spec needs (a Window keeps its input's order),
// and places every reference in the resulting row.
func (w *windowPlanner) plan(root engine.Node) engine.Node {
	if !w.any() {
		return root
	}
	offsets := make([]int, len(w.nodes))
	base := len(root.Columns())
	for i, n := range w.nodes {
		if keys := n.spec.SortKeys(); len(keys) > 0 && !w.sortedBy(keys) {
			root = &engine.Sort{Input: root, Keys: keys}
			w.order = keyTexts(keys)
		}
		root = &engine.Window{Input: root, Spec: n.spec, Funcs: n.funcs, Out: engine.WindowColumns(root.Columns(), n.funcs)}
		offsets[i] = base
		base += len(n.funcs)
	}
	for _, r := range w.refs {
		r.index = offsets[r.node] + r.fn
	}
	return root
}

// sortedBy reports whether the rows the windows emit are already ordered
// by keys (a prefix of the last Sort's keys).
func (w *windowPlanner) sortedBy(keys []engine.SortKey) bool {
	if w == nil || len(keys) > len(w.order) {
		return false
	}
	for i, k := range keyTexts(keys) {
		if w.order[i] != k {
			return false
		}
	}
	return true
}

func keyTexts(keys []engine.SortKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.String()
	}
	return out
}

// checkWindowDef refuses window calls inside a window definition.
func checkWindowDef(def *pg_query.WindowDef) error {
	if containsWindow(def.PartitionClause...) || containsWindow(def.OrderClause...) ||
		containsWindow(def.StartOffset, def.EndOffset) {
		return pgerr.New(pgerr.WindowingError, "window functions are not allowed in window definitions")
	}
	return nil
}

// checkWindowPlacement refuses window functions where PostgreSQL does:
// WHERE, GROUP BY and HAVING are evaluated before windows.
func checkWindowPlacement(s *pg_query.SelectStmt) error {
	for _, c := range []struct {
		clause string
		nodes  []*pg_query.Node
	}{{"WHERE", []*pg_query.Node{s.WhereClause}}, {"GROUP BY", s.GroupClause}, {"HAVING", []*pg_query.Node{s.HavingClause}}} {
		if containsWindow(c.nodes...) {
			return pgerr.New(pgerr.WindowingError, "window functions are not allowed in %s", c.clause)
		}
	}
	return nil
}

// containsWindow reports a call with OVER in the trees, outside subqueries.
func containsWindow(nodes ...*pg_query.Node) bool {
	for _, n := range nodes {
		if n != nil && windowIn(n.ProtoReflect()) {
			return true
		}
	}
	return false
}

func windowIn(m protoreflect.Message) bool {
	switch v := m.Interface().(type) {
	case *pg_query.FuncCall:
		if v.Over != nil {
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
				found = windowIn(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			found = windowIn(val.Message())
		}
		return !found
	})
	return found
}

// bindWindowSpec binds a resolved window definition.
func (st *selectState) bindWindowSpec(def *pg_query.WindowDef, bind bindFunc) (engine.WindowSpec, error) {
	var spec engine.WindowSpec
	for _, n := range def.PartitionClause {
		e, err := bind(n)
		if err != nil {
			return spec, err
		}
		spec.PartitionBy = append(spec.PartitionBy, e)
	}
	for _, n := range def.OrderClause {
		sb := n.GetSortBy()
		if sb == nil {
			continue
		}
		if len(sb.UseOp) > 0 {
			return spec, pgerr.Unsupported("ORDER BY ... USING", "use ASC or DESC")
		}
		e, err := bind(sb.Node)
		if err != nil {
			return spec, err
		}
		spec.OrderBy = append(spec.OrderBy, sortKeyOf(sb, e))
	}
	var err error
	spec.Frame, err = st.bindFrame(def, spec.OrderBy)
	return spec, err
}

// sortKeyOf applies ASC/DESC and NULLS FIRST/LAST (PostgreSQL's default:
// NULLs sort as larger than any value).
func sortKeyOf(sb *pg_query.SortBy, e expr.Expr) engine.SortKey {
	desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
	nullsFirst := desc
	switch sb.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		nullsFirst = true
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		nullsFirst = false
	}
	return engine.SortKey{Expr: e, Desc: desc, NullsFirst: nullsFirst}
}

// bindFrame reads the frame clause; without one the frame is PostgreSQL's
// default (RANGE UNBOUNDED PRECEDING to CURRENT ROW).
func (st *selectState) bindFrame(def *pg_query.WindowDef, order []engine.SortKey) (engine.Frame, error) {
	opts := def.FrameOptions
	if opts&frameNonDefault == 0 {
		return engine.DefaultFrame(), nil
	}
	f := engine.Frame{Mode: engine.FrameRange}
	mode := "RANGE"
	switch {
	case opts&frameRows != 0:
		f.Mode, mode = engine.FrameRows, "ROWS"
	case opts&frameGroups != 0:
		f.Mode, mode = engine.FrameGroups, "GROUPS"
	}
	if f.Mode == engine.FrameRange && opts&frameOffsets != 0 && len(order) != 1 {
		return f, pgerr.New(pgerr.WindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
	}
	var err error
	switch {
	case opts&frameStartUnboundedPrec != 0:
		f.Start.Kind = engine.UnboundedPreceding
	case opts&frameStartCurrentRow != 0:
		f.Start.Kind = engine.CurrentRow
	case opts&frameStartOffset != 0:
		f.Start.Kind = engine.OffsetPreceding
		if opts&frameStartOffsetFollow != 0 {
			f.Start.Kind = engine.OffsetFollowing
		}
		if f.Start.Offset, err = st.bindFrameOffset(def.StartOffset, mode, order); err != nil {
			return f, err
		}
	}
	switch {
	case opts&frameEndUnboundedFollow != 0:
		f.End.Kind = engine.UnboundedFollowing
	case opts&frameEndOffset != 0:
		f.End.Kind = engine.OffsetPreceding
		if opts&frameEndOffsetFollow != 0 {
			f.End.Kind = engine.OffsetFollowing
		}
		if f.End.Offset, err = st.bindFrameOffset(def.EndOffset, mode, order); err != nil {
			return f, err
		}
	default: // CURRENT ROW, also when only a start was given
		f.End.Kind = engine.CurrentRow
	}
	switch {
	case opts&frameExcludeCurrentRow != 0:
		f.Exclude = engine.ExcludeCurrentRow
	case opts&frameExcludeGroup != 0:
		f.Exclude = engine.ExcludeGroup
	case opts&frameExcludeTies != 0:
		f.Exclude = engine.ExcludeTies
	}
	return f, nil
}

// bindFrameOffset binds a ROWS/GROUPS offset as bigint, a RANGE offset in
// the type of the ORDER BY column. It may use parameters but no columns
// (42P10), as in PostgreSQL.
func (st *selectState) bindFrameOffset(n *pg_query.Node, mode string, order []engine.SortKey) (expr.Expr, error) {
	if n == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "missing frame offset")
	}
	b := st.binder(noColumnScope{clause: mode}, nil)
	if mode != "RANGE" {
		return b.Bind(castNode(n, "int8"))
	}
	kt := order[0].Expr.Type()
	if _, numeric := numericRank[kt]; !numeric {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s", typeNameOf(kt))
	}
	if n.GetParamRef() != nil {
		n = castNode(n, typeNameOf(kt))
	}
	off, err := b.Bind(n)
	if err != nil {
		return nil, err
	}
	ot := off.Type()
	rk, ro := numericRank[kt], numericRank[ot]
	// integer columns take integer offsets, numeric ones integer or numeric
	// offsets, float ones any number (PostgreSQL's in_range functions)
	intCol, intOff := rk <= numericRank[sqltypes.Int8], ro > 0 && ro <= numericRank[sqltypes.Int8]
	switch {
	case ro == 0, intCol && !intOff, kt == sqltypes.Numeric && ro > numericRank[sqltypes.Numeric]:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and offset type %s",
			typeNameOf(kt), typeNameOf(ot))
	case ot == kt || intCol:
		return off, nil
	}
	return &expr.Cast{Arg: off, To: kt, Typmod: -1}, nil
}

// noColumnScope refuses column references (frame offsets).
type noColumnScope struct{ clause string }

func (s noColumnScope) ResolveColumn([]string) (*expr.ColRef, error) {
	return nil, pgerr.New(pgerr.InvalidColumnReference, "argument of %s must not contain variables", s.clause)
}

// windowResultTypes are the result types of the functions that exist only
// as window functions.
func windowResultType(name string) (sqltypes.OID, bool) {
	switch name {
	case "row_number", "rank", "dense_rank":
		return sqltypes.Int8, true
	case "percent_rank", "cume_dist":
		return sqltypes.Float8, true
	case "ntile":
		return sqltypes.Int4, true
	}
	return 0, false
}

// bindWindowFunc binds the function part of a call with OVER.
func (st *selectState) bindWindowFunc(fc *pg_query.FuncCall, bind bindFunc) (engine.WindowFunc, error) {
	names := fieldNames(fc.Funcname)
	name := strings.ToLower(names[len(names)-1])
	if len(names) == 2 && names[0] != "pg_catalog" {
		name = strings.Join(names, ".")
	}
	if isAggregateName(name) {
		return st.bindWindowAggregate(name, fc, bind)
	}
	switch {
	case fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0:
		return engine.WindowFunc{}, pgerr.New(pgerr.WrongObjectType, "%s is not an aggregate function", name)
	case fc.AggFilter != nil:
		return engine.WindowFunc{}, pgerr.New(pgerr.FeatureNotSupported, "FILTER is not implemented for non-aggregate window functions")
	}
	args := make([]expr.Expr, len(fc.Args))
	types := make([]sqltypes.OID, len(fc.Args))
	for i, a := range fc.Args {
		e, err := bind(typedParam(name, i, a, types))
		if err != nil {
			return engine.WindowFunc{}, err
		}
		args[i], types[i] = e, e.Type()
	}
	f := engine.WindowFunc{Func: name, Args: args}
	ok := false
	switch name {
	case "row_number", "rank", "dense_rank", "percent_rank", "cume_dist":
		f.T, ok = windowResultType(name)
		ok = ok && len(args) == 0
	case "ntile":
		f.T = sqltypes.Int4
		ok = len(args) == 1 && castInteger(args, 0)
	case "first_value", "last_value":
		ok = len(args) == 1
		f.T = firstType(types)
	case "nth_value":
		ok = len(args) == 2 && castInteger(args, 1)
		f.T = firstType(types)
	case "lag", "lead":
		ok = len(args) >= 1 && len(args) <= 3 && (len(args) < 2 || castInteger(args, 1))
		if ok && len(args) == 3 {
			ok = unifyDefault(args)
		}
		f.T = firstType(args2types(args))
	default:
		if f.T == 0 && st.p.Funcs != nil && st.p.Funcs.Has(name) {
			return f, pgerr.New(pgerr.WrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", name)
		}
	}
	if !ok {
		return f, undefinedWindowFunc(name, types)
	}
	return f, nil
}

// typedParam gives a $n argument the type PostgreSQL would infer for it,
// rather than the text a bare parameter becomes: integer for the counts and
// offsets, the value's type for lag/lead's default.
func typedParam(fn string, i int, n *pg_query.Node, bound []sqltypes.OID) *pg_query.Node {
	if n.GetParamRef() == nil {
		return n
	}
	typ := ""
	switch {
	case fn == "ntile" && i == 0, fn == "nth_value" && i == 1, (fn == "lag" || fn == "lead") && i == 1:
		typ = "int4"
	case (fn == "lag" || fn == "lead") && i == 2:
		if info, ok := sqltypes.TypeInfo(bound[0]); ok {
			typ = info.Name
		}
	}
	if typ == "" {
		return n
	}
	return castNode(n, typ)
}

// castNode is n::pg_catalog.typ.
func castNode(n *pg_query.Node, typ string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg:      n,
		TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(typ)}, Typemod: -1},
	}}}
}

func args2types(args []expr.Expr) []sqltypes.OID {
	ts := make([]sqltypes.OID, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return ts
}

func firstType(ts []sqltypes.OID) sqltypes.OID {
	if len(ts) == 0 {
		return 0
	}
	return ts[0]
}

func undefinedWindowFunc(name string, ts []sqltypes.OID) error {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = typeNameOf(t)
	}
	return pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

func typeNameOf(t sqltypes.OID) string {
	if info, ok := sqltypes.TypeInfo(t); ok && info.Name != "" {
		return info.Name
	}
	return "unknown"
}

// castInteger makes args[i] an integer argument (int4 parameters of
// ntile, nth_value, lag and lead), reporting false for other types.
func castInteger(args []expr.Expr, i int) bool {
	switch args[i].Type() {
	case sqltypes.Int4:
		return true
	case sqltypes.Int2:
		args[i] = &expr.Cast{Arg: args[i], To: sqltypes.Int4, Typmod: -1}
		return true
	}
	return false
}

// numericRank orders the numeric types by PostgreSQL's implicit promotion.
var numericRank = map[sqltypes.OID]int{
	sqltypes.Int2: 1, sqltypes.Int4: 2, sqltypes.Int8: 3, sqltypes.Numeric: 4, sqltypes.Float4: 5, sqltypes.Float8: 6,
}

// unifyDefault gives lag/lead's value and default one type (anycompatible
// since PostgreSQL 14): the wider numeric type, or the value's type for a
// text literal default.
func unifyDefault(args []expr.Expr) bool {
	vt, dt := args[0].Type(), args[2].Type()
	if vt == dt {
		return true
	}
	if c, ok := args[2].(*expr.Const); ok && (dt == sqltypes.Text || dt == sqltypes.Unknown || c.Val == nil) {
		args[2] = &expr.Cast{Arg: args[2], To: vt, Typmod: -1}
		return true
	}
	rv, okv := numericRank[vt]
	rd, okd := numericRank[dt]
	switch {
	case !okv || !okd:
		return false
	case rv > rd:
		args[2] = &expr.Cast{Arg: args[2], To: vt, Typmod: -1}
	default:
		args[0] = &expr.Cast{Arg: args[0], To: dt, Typmod: -1}
	}
	return true
}

// bindWindowAggregate binds an aggregate over a window.
func (st *selectState) bindWindowAggregate(name string, fc *pg_query.FuncCall, bind bindFunc) (engine.WindowFunc, error) {
	f := engine.WindowFunc{Func: name}
	switch {
	case fc.AggDistinct:
		return f, pgerr.New(pgerr.FeatureNotSupported, "DISTINCT is not implemented for window functions")
	case len(fc.AggOrder) > 0:
		return f, pgerr.New(pgerr.FeatureNotSupported, "aggregate ORDER BY is not implemented for window functions")
	case name == "every":
		f.Func = "bool_and"
	}
	if fc.AggStar {
		if name != "count" {
			return f, pgerr.New(pgerr.SyntaxError, "%s(*) is not valid", name)
		}
		f.Func = "count_star"
	} else {
		want := 1
		if name == "string_agg" {
			want = 2
		}
		if len(fc.Args) != want {
			return f, pgerr.New(pgerr.UndefinedFunction, "function %s takes %d argument(s)", name, want)
		}
		for _, a := range fc.Args {
			e, err := bind(a)
			if err != nil {
				return f, err
			}
			f.Args = append(f.Args, e)
		}
	}
	if fc.AggFilter != nil {
		e, err := bind(fc.AggFilter)
		if err != nil {
			return f, err
		}
		if err := requireBool(e, "FILTER"); err != nil {
			return f, err
		}
		f.Filter = e
	}
	argType := sqltypes.OID(0)
	if len(f.Args) > 0 {
		argType = f.Args[0].Type()
	}
	t, err := aggResultType(f.Func, argType)
	f.T = t
	return f, err
}
