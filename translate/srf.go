package translate

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// builtinSRFs are the set-returning functions the engine runs itself; the
// expr registry's (Funcs.SetFunc) are the others.
var builtinSRFs = map[string]bool{
	"generate_series": true, "unnest": true, "generate_subscripts": true, "_pg_expandarray": true,
}

// isSRF reports whether fc calls a set-returning function.
func (st *selectState) isSRF(fc *pg_query.FuncCall) bool {
	if fc.Over != nil || len(fc.Funcname) == 0 {
		return false
	}
	name := funcName(fc)
	if builtinSRFs[name] {
		return true
	}
	if st.p.Funcs == nil {
		return false
	}
	_, ok := st.p.Funcs.SetFunc(name)
	return ok
}

// expandRecordBase marks the type OIDs this planner gives the records of
// _pg_expandarray (x elem, n int4): the base plus the element type. The
// field types are thus known from the type wherever the record goes
// (subqueries, joins); clients see record (see formatRecords).
const expandRecordBase sqltypes.OID = 0x7e000000

// recordFields returns the fields of a composite type.
func recordFields(t sqltypes.OID) ([]sqltypes.Column, bool) {
	if t&0xff000000 != expandRecordBase {
		return nil, false
	}
	return []sqltypes.Column{
		{Name: "x", Type: t &^ expandRecordBase, Typmod: -1},
		{Name: "n", Type: sqltypes.Int4, Typmod: -1},
	}, true
}

// formatRecords makes a top-level plan send its record columns as
// PostgreSQL's record_out text, (5,1), typed record: the values are rows
// inside the plan, which the wire codecs do not know.
func formatRecords(pl *Plan) {
	if _, isWrite := pl.Root.(engine.Writer); isWrite {
		return
	}
	var exprs []expr.Expr
	for i, c := range pl.Columns {
		fields, ok := recordFields(c.Type)
		if !ok && c.Type != sqltypes.Record {
			continue
		}
		if exprs == nil {
			exprs = make([]expr.Expr, len(pl.Columns))
			for j, col := range pl.Columns {
				exprs[j] = &expr.ColRef{Index: j, Name: col.Name, T: col.Type}
			}
		}
		exprs[i] = &recordText{arg: exprs[i], fields: fields}
		pl.Columns[i].Type = sqltypes.Record
	}
	if exprs != nil {
		pl.Root = &engine.Project{Input: pl.Root, Exprs: exprs, Out: pl.Columns}
	}
}

// recordText formats a record value as record_out does: fields separated by
// commas, NULL as nothing, quoted when empty or holding a special character.
type recordText struct {
	arg    expr.Expr
	fields []sqltypes.Column // nil: format each value by its Go kind as text
}

func (r *recordText) Type() sqltypes.OID { return sqltypes.Record }
func (r *recordText) String() string     { return r.arg.String() }

func (r *recordText) Eval(ctx *expr.Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := r.arg.Eval(ctx, row)
	rec, ok := v.(sqltypes.Row)
	if err != nil || !ok {
		return v, err
	}
	parts := make([]string, len(rec))
	for i, f := range rec {
		if f == nil {
			continue
		}
		t := sqltypes.OID(sqltypes.Text)
		if i < len(r.fields) {
			t = r.fields[i].Type
		}
		s, err := sqltypes.FormatText(f, t)
		if err != nil {
			return nil, err
		}
		if s == "" || strings.ContainsAny(s, "(),\" \t\n\r\\") {
			s = `"` + strings.NewReplacer(`"`, `""`, `\`, `\\`).Replace(s) + `"`
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, ",") + ")", nil
}

// fieldExpr is (arg).field over a record value (a sqltypes.Row).
type fieldExpr struct {
	arg  expr.Expr
	idx  int
	name string
	t    sqltypes.OID
}

func (f *fieldExpr) Type() sqltypes.OID { return f.t }
func (f *fieldExpr) String() string     { return "(" + f.arg.String() + ")." + f.name }

func (f *fieldExpr) Eval(ctx *expr.Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := f.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	rec, ok := v.(sqltypes.Row)
	if !ok || f.idx >= len(rec) {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "record value expected for field %s", f.name)
	}
	return rec[f.idx], nil
}

// selectField binds (arg).field (the binder's FieldHook).
func selectField(arg expr.Expr, field string) (expr.Expr, error) {
	fields, ok := recordFields(arg.Type())
	if !ok {
		return nil, pgerr.New(pgerr.WrongObjectType, "column notation .%s applied to type %s, which is not a composite type", field, typeName(arg.Type()))
	}
	for i, c := range fields {
		if c.Name == field {
			return &fieldExpr{arg: arg, idx: i, name: field, t: c.Type}, nil
		}
	}
	return nil, pgerr.New(pgerr.UndefinedColumn, "could not identify column %q in record data type", field)
}

// vectorElem is the element type of an array, int2vector or oidvector, and
// whether its subscripts start at 0.
func vectorElem(t sqltypes.OID) (elem sqltypes.OID, zero bool, ok bool) {
	switch t {
	case sqltypes.Int2Vector:
		return sqltypes.Int2, true, true
	case sqltypes.OidVector:
		return sqltypes.Oid, true, true
	}
	info, found := sqltypes.TypeInfo(t)
	if !found || info.Category != 'A' {
		return 0, false, false
	}
	return info.Elem, false, true
}

// bindSRF binds a set-returning function call over b's scope.
func (st *selectState) bindSRF(fc *pg_query.FuncCall, b *expr.Binder) (*engine.SRFCall, error) {
	name := funcName(fc)
	if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil || fc.FuncVariadic {
		return nil, pgerr.New(pgerr.WrongObjectType, "%s is not an aggregate function", name)
	}
	args := make([]expr.Expr, len(fc.Args))
	for i, a := range fc.Args {
		e, err := b.Bind(a)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	call := &engine.SRFCall{Name: name, Args: args}
	var err error
	switch name {
	case "generate_series":
		err = bindSeries(call)
	case "unnest":
		err = bindUnnest(call)
	case "generate_subscripts":
		err = bindSubscripts(call)
	case "_pg_expandarray":
		err = bindExpandArray(call)
	default:
		sf, _ := st.p.Funcs.SetFunc(name)
		err = bindRegistered(call, sf)
	}
	if err != nil {
		return nil, err
	}
	return call, nil
}

func noSuchFunction(name string, args []expr.Expr) error {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = typeName(a.Type())
	}
	return pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

func bindSeries(c *engine.SRFCall) error {
	if len(c.Args) < 2 || len(c.Args) > 3 {
		return noSuchFunction(c.Name, c.Args)
	}
	t := sqltypes.OID(sqltypes.Int4)
	for i, e := range c.Args {
		switch e.Type() {
		case sqltypes.Int2, sqltypes.Int4:
		case sqltypes.Unknown:
			c.Args[i] = castTo(e, sqltypes.Int4)
		case sqltypes.Int8:
			if t == sqltypes.Int4 {
				t = sqltypes.Int8
			}
		case sqltypes.Numeric:
			t = sqltypes.Numeric
		default:
			return pgerr.Unsupported("generate_series over "+typeName(e.Type()), "use integer or numeric bounds")
		}
	}
	c.Func = engine.FuncSeries
	c.Out = []sqltypes.Column{{Name: c.Name, Type: t, Typmod: -1}}
	return nil
}

func bindUnnest(c *engine.SRFCall) error {
	if len(c.Args) == 0 {
		return noSuchFunction(c.Name, c.Args)
	}
	for _, e := range c.Args {
		elem, _, ok := vectorElem(e.Type())
		if !ok {
			return noSuchFunction(c.Name, c.Args)
		}
		c.Out = append(c.Out, sqltypes.Column{Name: c.Name, Type: elem, Typmod: -1})
	}
	c.Func = engine.FuncUnnest
	return nil
}

func bindSubscripts(c *engine.SRFCall) error {
	if len(c.Args) < 2 || len(c.Args) > 3 {
		return noSuchFunction(c.Name, c.Args)
	}
	_, zero, ok := vectorElem(c.Args[0].Type())
	if !ok {
		return noSuchFunction(c.Name, c.Args)
	}
	c.Args[1] = castTo(c.Args[1], sqltypes.Int4)
	if len(c.Args) == 3 {
		c.Args[2] = castTo(c.Args[2], sqltypes.Bool)
	}
	c.Func, c.ZeroBased = engine.FuncSubscripts, zero
	c.Out = []sqltypes.Column{{Name: c.Name, Type: sqltypes.Int4, Typmod: -1}}
	return nil
}

func bindExpandArray(c *engine.SRFCall) error {
	if len(c.Args) != 1 {
		return noSuchFunction(c.Name, c.Args)
	}
	elem, _, ok := vectorElem(c.Args[0].Type())
	if !ok {
		return noSuchFunction(c.Name, c.Args)
	}
	c.Func = engine.FuncExpandArray
	c.Out, _ = recordFields(expandRecordBase | elem)
	return nil
}

func bindRegistered(c *engine.SRFCall, sf *expr.SetFunc) error {
	if len(c.Args) != len(sf.Args) {
		return noSuchFunction(c.Name, c.Args)
	}
	for i, e := range c.Args {
		if e.Type() != sf.Args[i] {
			c.Args[i] = castTo(e, sf.Args[i])
		}
	}
	c.Func, c.Set = engine.FuncRegistered, sf
	c.Out = append([]sqltypes.Column(nil), sf.Columns...)
	return nil
}

// srfPrefix names the placeholder column references that stand for the
// set-returning calls of a select list; no SQL identifier holds a NUL.
const srfPrefix = "\x00srf"

// srfList is the set-returning calls of one select list, evaluated by a
// ProjectSet over the FROM row (base columns wide).
type srfList struct {
	calls []*engine.SRFCall
	base  int
	cols  []sqltypes.Column // the columns each placeholder stands for
}

// srfScope resolves the placeholders, other names through inner.
type srfScope struct {
	expr.Scope
	l *srfList
}

func (s *srfScope) ResolveColumn(names []string) (*expr.ColRef, error) {
	if len(names) == 1 && strings.HasPrefix(names[0], srfPrefix) {
		i, err := strconv.Atoi(strings.TrimPrefix(names[0], srfPrefix))
		if err == nil && i < len(s.l.cols) {
			c := s.l.cols[i]
			return &expr.ColRef{Index: s.l.base + i, Name: c.Name, T: c.Type}, nil
		}
	}
	return s.Scope.ResolveColumn(names)
}

// extractSRFs replaces the set-returning calls in a select list (outside
// sub-selects) by placeholders, binding each call over scope. It works on a
// copy: a prepared statement's parse tree may be planned again.
func (st *selectState) extractSRFs(list []*pg_query.Node, scope expr.Scope) ([]*pg_query.Node, *srfList, error) {
	l := &srfList{base: st.width}
	out := make([]*pg_query.Node, len(list))
	var err error
	for i, n := range list {
		out[i] = proto.Clone(n).(*pg_query.Node)
		if rt := out[i].GetResTarget(); rt != nil && rt.Name == "" && rt.Val != nil {
			rt.Name = figureColname(rt.Val) // before the calls become placeholders
		}
		walkNodes(out[i], func(x *pg_query.Node) bool {
			if err != nil {
				return false
			}
			var ok bool
			ok, err = st.replaceSRF(x, l, scope)
			return !ok && err == nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return out, l, nil
}

// replaceSRF replaces x by a placeholder when it is a set-returning call,
// or a field of one, (f(...)).field, which reads that column directly.
func (st *selectState) replaceSRF(x *pg_query.Node, l *srfList, scope expr.Scope) (bool, error) {
	fc, field := x.GetFuncCall(), ""
	var rest []*pg_query.Node
	if ind := x.GetAIndirection(); ind != nil && ind.Arg.GetFuncCall() != nil && len(ind.Indirection) > 0 && ind.Indirection[0].GetString_() != nil {
		fc, field, rest = ind.Arg.GetFuncCall(), ind.Indirection[0].GetString_().Sval, ind.Indirection[1:]
	}
	if fc == nil || !st.isSRF(fc) {
		return false, nil
	}
	call, err := st.bindSRF(fc, st.binder(scope, nil))
	if err != nil {
		return false, err
	}
	first := len(l.cols)
	pos := l.add(call)
	if field != "" {
		pos = -1
		for i, c := range call.Out {
			if c.Name == field && !(call.Record && i == len(call.Out)-1) {
				pos = first + i
			}
		}
		if pos < 0 || len(call.Out) == 1 {
			return false, pgerr.New(pgerr.UndefinedColumn, "could not identify column %q in record data type", field)
		}
	}
	ref := &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{Fields: []*pg_query.Node{
		{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: srfPrefix + strconv.Itoa(pos)}}},
	}}}}
	if len(rest) > 0 {
		x.Node = &pg_query.Node_AIndirection{AIndirection: &pg_query.A_Indirection{Arg: ref, Indirection: rest}}
	} else {
		x.Node = ref.Node
	}
	return true, nil
}

// add appends a call and returns the placeholder index of its value: its
// one column, or for several columns a record of them.
func (l *srfList) add(c *engine.SRFCall) int {
	l.calls = append(l.calls, c)
	if len(c.Out) > 1 {
		rt := sqltypes.OID(sqltypes.Record)
		if c.Func == engine.FuncExpandArray {
			rt = expandRecordBase | c.Out[0].Type
		}
		c.Record = true
		c.Out = append(c.Out, sqltypes.Column{Name: c.Name, Type: rt, Typmod: -1})
	}
	l.cols = append(l.cols, c.Out...)
	return len(l.cols) - 1
}

// walkNodes visits every node of a parse tree before its children, not
// descending into sub-selects (their calls are their own) nor below a node
// for which visit returns false.
func walkNodes(n *pg_query.Node, visit func(*pg_query.Node) bool) {
	if n == nil || n.GetSubLink() != nil || !visit(n) {
		return
	}
	walkMessage(n.ProtoReflect(), visit)
}

func walkMessage(m protoreflect.Message, visit func(*pg_query.Node) bool) {
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := val.List()
			for i := 0; i < l.Len(); i++ {
				walkChild(l.Get(i).Message(), visit)
			}
		case fd.Message() != nil && !fd.IsMap():
			walkChild(val.Message(), visit)
		}
		return true
	})
}

func walkChild(m protoreflect.Message, visit func(*pg_query.Node) bool) {
	if n, ok := m.Interface().(*pg_query.Node); ok {
		walkNodes(n, visit)
		return
	}
	if _, ok := m.Interface().(*pg_query.SubLink); ok {
		return
	}
	walkMessage(m, visit)
}

// hasSRF reports whether a select list calls a set-returning function
// outside its sub-selects.
func (st *selectState) hasSRF(list []*pg_query.Node) bool {
	found := false
	for _, n := range list {
		walkNodes(n, func(x *pg_query.Node) bool {
			if fc := x.GetFuncCall(); fc != nil && st.isSRF(fc) {
				found = true
			}
			return !found
		})
	}
	return found
}

// hasWindowCall reports whether a select list calls a window function.
func hasWindowCall(list []*pg_query.Node) bool {
	for _, n := range list {
		if n != nil && windowIn(n.ProtoReflect()) {
			return true
		}
	}
	return false
}
