package expr

import (
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var compareOps = map[string]CompareOp{"=": OpEQ, "<>": OpNE, "!=": OpNE, "<": OpLT, "<=": OpLE, ">": OpGT, ">=": OpGE}

func (b *Binder) bindAExpr(ae *pg_query.A_Expr) (Expr, error) {
	names := stringList(ae.Name)
	op := ""
	if len(names) > 0 {
		op = names[len(names)-1]
	}
	switch ae.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if ae.Lexpr == nil {
			arg, err := b.bind(ae.Rexpr)
			if err != nil {
				return nil, err
			}
			return b.unary(op, arg)
		}
		l, err := b.bind(ae.Lexpr)
		if err != nil {
			return nil, err
		}
		r, err := b.bind(ae.Rexpr)
		if err != nil {
			return nil, err
		}
		return b.binary(op, l, r)
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		return b.bindAnyAll(op, ae.Lexpr, ae.Rexpr, ae.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL)
	case pg_query.A_Expr_Kind_AEXPR_IN:
		return b.bindIn(op, ae.Lexpr, ae.Rexpr)
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		l, err := b.bind(ae.Lexpr)
		if err != nil {
			return nil, err
		}
		var escape *pg_query.Node
		patNode := ae.Rexpr
		if fc := ae.Rexpr.GetFuncCall(); fc != nil {
			if fn := stringList(fc.Funcname); len(fn) > 0 && fn[len(fn)-1] == "like_escape" && len(fc.Args) == 2 {
				patNode, escape = fc.Args[0], fc.Args[1]
			}
		}
		r, err := b.bind(patNode)
		if err != nil {
			return nil, err
		}
		e, err := b.binary(op, l, r)
		if err != nil {
			return nil, err
		}
		if escape != nil {
			lk, ok := e.(*Like)
			if !ok {
				return nil, pgerr.Unsupported("ESCAPE here", "")
			}
			esc, err := b.bind(escape)
			if err != nil {
				return nil, err
			}
			if lk.Escape, err = b.coerce(esc, sqltypes.Text, "ESCAPE"); err != nil {
				return nil, err
			}
		}
		return e, nil
	case pg_query.A_Expr_Kind_AEXPR_SIMILAR:
		return nil, pgerr.Unsupported("SIMILAR TO", "use a regular expression with ~")
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		bounds := ae.Rexpr.GetList()
		if bounds == nil || len(bounds.Items) != 2 {
			return nil, pgerr.New(pgerr.SyntaxError, "malformed BETWEEN")
		}
		es, ts, err := b.bindList([]*pg_query.Node{ae.Lexpr, bounds.Items[0], bounds.Items[1]})
		if err != nil {
			return nil, err
		}
		if err := b.unifyAll(es, ts, "BETWEEN"); err != nil {
			return nil, err
		}
		return &Between{Arg: es[0], Lo: es[1], Hi: es[2],
			Not:       ae.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || ae.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM,
			Symmetric: ae.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || ae.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM}, nil
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, err := b.bind(ae.Lexpr)
		if err != nil {
			return nil, err
		}
		r, err := b.bind(ae.Rexpr)
		if err != nil {
			return nil, err
		}
		if l, r, err = b.unify(l, r, "="); err != nil {
			return nil, err
		}
		return &distinctExpr{l: l, r: r, not: ae.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT}, nil
	case pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return b.bindNullIf(ae.Lexpr, ae.Rexpr)
	}
	return nil, pgerr.Unsupported("this operator form", "")
}

// unifyAll brings a list of operands to one comparable type.
func (b *Binder) unifyAll(es []Expr, ts []sqltypes.OID, what string) error {
	t, err := commonType(ts, what)
	if err != nil {
		return err
	}
	for i, e := range es {
		if isUnknown(e) {
			if es[i], err = b.coerce(e, t, what); err != nil {
				return err
			}
		} else if !comparable(e.Type(), t) {
			return operatorError("=", e.Type(), t)
		}
	}
	return nil
}

func (b *Binder) bindIn(op string, ln, rn *pg_query.Node) (Expr, error) {
	list := rn.GetList()
	if list == nil {
		return nil, pgerr.Unsupported("this IN form", "")
	}
	for _, it := range append([]*pg_query.Node{ln}, list.Items...) {
		if it.GetRowExpr() != nil {
			return nil, pgerr.Unsupported("row values in IN lists", "")
		}
	}
	es, ts, err := b.bindList(append([]*pg_query.Node{ln}, list.Items...))
	if err != nil {
		return nil, err
	}
	if err := b.unifyAll(es, ts, "IN"); err != nil {
		return nil, err
	}
	return &InList{Arg: es[0], List: es[1:], Not: op == "<>"}, nil
}

func (b *Binder) bindAnyAll(op string, ln, rn *pg_query.Node, all bool) (Expr, error) {
	cop, ok := compareOps[op]
	if !ok {
		return nil, pgerr.Unsupported("operator "+op+" with ANY/ALL", "")
	}
	l, err := b.bind(ln)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(rn)
	if err != nil {
		return nil, err
	}
	switch {
	case isUnknown(r):
		lt := sqltypes.OID(sqltypes.Text)
		if !isUnknown(l) {
			lt = l.Type()
		}
		at, ok := arrayType(lt)
		if !ok {
			return nil, pgerr.Unsupported("arrays of type "+typeName(lt), "")
		}
		if l, err = b.coerce(l, lt, ""); err != nil {
			return nil, err
		}
		if r, err = b.coerce(r, at, ""); err != nil {
			return nil, err
		}
	default:
		et, ok := arrayLikeElem(r.Type())
		if !ok {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "op ANY/ALL (array) requires array on right side")
		}
		if isUnknown(l) {
			if l, err = b.coerce(l, et, ""); err != nil {
				return nil, err
			}
		} else if !comparable(l.Type(), et) {
			return nil, operatorError(op, l.Type(), et)
		}
	}
	return &AnyCompare{Op: cop, L: l, R: r, All: all}, nil
}

func (b *Binder) unary(op string, arg Expr) (Expr, error) {
	if isUnknown(arg) && (op == "-" || op == "+" || op == "@" || op == "|/") {
		var err error
		if arg, err = b.coerce(arg, sqltypes.Numeric, ""); err != nil {
			return nil, err
		}
	}
	t := arg.Type()
	if c, ok := arg.(*Const); ok && op == "-" && c.Val != nil {
		v, err := negate(c.Val, t)
		if err != nil {
			return nil, err
		}
		return &Const{Val: v, T: t}, nil
	}
	switch op {
	case "-":
		if category(t) == catNumeric {
			return &unaryExpr{op: "-", arg: arg, t: t, fn: func(a sqltypes.Value) (sqltypes.Value, error) { return negate(a, t) }}, nil
		}
	case "+":
		if category(t) == catNumeric {
			return arg, nil
		}
	case "@":
		if category(t) == catNumeric {
			return b.call("abs", []Expr{arg}, []sqltypes.OID{t})
		}
	case "|/":
		return b.call("sqrt", []Expr{arg}, []sqltypes.OID{t})
	case "~":
		if isIntType(t) && category(t) == catNumeric {
			return &unaryExpr{op: "~", arg: arg, t: t, fn: func(a sqltypes.Value) (sqltypes.Value, error) { return ^a.(int64), nil }}, nil
		}
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s %s", op, typeName(t)).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

func negate(v sqltypes.Value, t sqltypes.OID) (sqltypes.Value, error) {
	switch x := v.(type) {
	case int64:
		if x == math.MinInt64 {
			return nil, outOfRange(t)
		}
		return checkedInt(-x, t)
	case float64:
		return -x, nil
	case *apd.Decimal:
		r := new(apd.Decimal).Neg(x)
		if r.IsZero() {
			r.Negative = false
		}
		return r, nil
	}
	return nil, pgerr.New(pgerr.InternalError, "cannot negate %T", v)
}

// binary binds l op r.
func (b *Binder) binary(op string, l, r Expr) (Expr, error) {
	var err error
	if cop, ok := compareOps[op]; ok {
		if l, r, err = b.unify(l, r, op); err != nil {
			return nil, err
		}
		return &Compare{Op: cop, L: l, R: r}, nil
	}
	switch op {
	case "~~", "!~~", "~~*", "!~~*", "~", "!~", "~*", "!~*":
		if isUnknown(l) {
			if l, err = b.coerce(l, sqltypes.Text, ""); err != nil {
				return nil, err
			}
		}
		if category(l.Type()) != catString {
			return nil, operatorError(op, l.Type(), typeOf(r))
		}
		if r, err = b.coerce(r, sqltypes.Text, ""); err != nil {
			return nil, err
		}
		if strings.Contains(op, "~~") {
			return &Like{Arg: l, Pattern: r, Not: op[0] == '!', CaseInsensitive: strings.HasSuffix(op, "*")}, nil
		}
		rn := &regexNode{arg: l, pat: r, not: op[0] == '!', fold: strings.HasSuffix(op, "*")}
		if c, ok := r.(*Const); ok && c.Val != nil {
			if rn.re, err = compileRegex(c.Val.(string), rn.fold); err != nil {
				return nil, err
			}
		}
		return rn, nil
	case "||":
		return b.concat(l, r)
	case "->", "->>", "#>", "#>>", "?", "?|", "?&":
		return b.jsonOp(op, l, r)
	case "@>", "<@", "&&":
		return b.containOp(op, l, r)
	}
	// Arithmetic and bitwise operators.
	lu, ru := isUnknown(l), isUnknown(r)
	switch {
	case lu && ru:
		return nil, pgerr.New(pgerr.AmbiguousFunction, "operator is not unique: unknown %s unknown", op).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
	case lu:
		t := r.Type()
		if category(t) == catDate || t == sqltypes.Jsonb {
			t = sqltypes.Int4
			if op == "-" && r.Type() != sqltypes.Jsonb {
				t = r.Type()
			}
			if r.Type() == sqltypes.Jsonb {
				t = sqltypes.Jsonb
			}
		}
		if l, err = b.coerce(l, t, ""); err != nil {
			return nil, err
		}
	case ru:
		t := l.Type()
		if category(t) == catDate && (op == "+" || op == "-") {
			t = sqltypes.Int4
		} else if t == sqltypes.Jsonb && op == "-" {
			t = sqltypes.Text
		}
		if r, err = b.coerce(r, t, ""); err != nil {
			return nil, err
		}
	}
	lt, rt := l.Type(), r.Type()
	if category(lt) == catOID {
		lt = sqltypes.Int8
	}
	if category(rt) == catOID {
		rt = sqltypes.Int8
	}
	if category(lt) == catNumeric && category(rt) == catNumeric {
		return arithmetic(op, l, r, lt, rt)
	}
	if lt == sqltypes.Date_ || rt == sqltypes.Date_ {
		if e := dateArith(op, l, r, lt, rt); e != nil {
			return e, nil
		}
	}
	if lt == sqltypes.Jsonb && op == "-" && (rt == sqltypes.Text || isIntType(rt)) {
		return &opExpr{op: op, l: l, r: r, t: sqltypes.Jsonb, fn: func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			return jsonDelete(a.(sqltypes.JSON), b)
		}}, nil
	}
	return nil, operatorError(op, l.Type(), r.Type())
}

func resultNumType(lt, rt sqltypes.OID) sqltypes.OID {
	if isFloatType(lt) || isFloatType(rt) {
		if lt == sqltypes.Float4 && rt == sqltypes.Float4 {
			return sqltypes.Float4
		}
		return sqltypes.Float8
	}
	if numRank(lt) >= numRank(rt) {
		return lt
	}
	return rt
}

func arithmetic(op string, l, r Expr, lt, rt sqltypes.OID) (Expr, error) {
	t := resultNumType(lt, rt)
	var fn func(*Context, sqltypes.Value, sqltypes.Value) (sqltypes.Value, error)
	switch op {
	case "+", "-", "*", "/", "%":
		fn = func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) { return arith(op, a, b, t) }
		if op == "%" && isFloatType(t) {
			return nil, operatorError(op, lt, rt)
		}
	case "^":
		if t != sqltypes.Numeric {
			t = sqltypes.Float8
		}
		fn = func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) { return power(a, b, t) }
	case "&", "|", "#", "<<", ">>":
		if t == sqltypes.Numeric || isFloatType(t) {
			return nil, operatorError(op, lt, rt)
		}
		if op == "<<" || op == ">>" {
			t = lt
		}
		fn = func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			x, y := a.(int64), b.(int64)
			switch op {
			case "&":
				return x & y, nil
			case "|":
				return x | y, nil
			case "#":
				return x ^ y, nil
			case "<<":
				return checkedShift(x<<(uint64(y)&63), t)
			}
			return x >> (uint64(y) & 63), nil
		}
	default:
		return nil, operatorError(op, lt, rt)
	}
	return &opExpr{op: op, l: l, r: r, t: t, fn: fn}, nil
}

func checkedShift(v int64, t sqltypes.OID) (sqltypes.Value, error) {
	switch t {
	case sqltypes.Int4:
		return int64(int32(v)), nil
	case sqltypes.Int2:
		return int64(int16(v)), nil
	}
	return v, nil
}

// arith computes a op b in result type t.
func arith(op string, a, b sqltypes.Value, t sqltypes.OID) (sqltypes.Value, error) {
	switch {
	case t == sqltypes.Numeric:
		x, err := asDecimal(a)
		if err != nil {
			return nil, err
		}
		y, err := asDecimal(b)
		if err != nil {
			return nil, err
		}
		switch op {
		case "+":
			return decAdd(x, y)
		case "-":
			return decSub(x, y)
		case "*":
			return decMul(x, y)
		case "/":
			return decDiv(x, y)
		}
		return decMod(x, y)
	case isFloatType(t):
		x, y := asFloat(a), asFloat(b)
		inf := math.IsInf(x, 0) || math.IsInf(y, 0)
		var r float64
		switch op {
		case "+":
			r = x + y
		case "-":
			r = x - y
		case "*":
			r = x * y
			if r == 0 && x != 0 && y != 0 {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: underflow")
			}
		case "/":
			if y == 0 {
				return nil, divByZero()
			}
			r = x / y
		}
		return checkFloat(r, inf, t)
	}
	x, y := a.(int64), b.(int64)
	switch op {
	case "+":
		return intAdd(x, y, t)
	case "-":
		return intSub(x, y, t)
	case "*":
		return intMul(x, y, t)
	case "/":
		return intDiv(x, y, t)
	}
	return intMod(x, y)
}

func power(a, b sqltypes.Value, t sqltypes.OID) (sqltypes.Value, error) {
	if t == sqltypes.Numeric {
		x, err := asDecimal(a)
		if err != nil {
			return nil, err
		}
		y, err := asDecimal(b)
		if err != nil {
			return nil, err
		}
		if x.IsZero() && y.Sign() < 0 {
			return nil, pgerr.New(codeInvalidArgForPower, "zero raised to a negative power is undefined")
		}
		if x.Sign() < 0 {
			var frac apd.Decimal
			var integ apd.Decimal
			y.Modf(&integ, &frac)
			if !frac.IsZero() {
				return nil, pgerr.New(codeInvalidArgForPower, "a negative number raised to a non-integer power yields a complex result")
			}
		}
		c := *decCtx
		c.Precision = 40
		r := new(apd.Decimal)
		if _, err := c.Pow(r, x, y); err != nil {
			return nil, numericOverflow()
		}
		msd := int32(0)
		if !r.IsZero() && r.Form == apd.Finite {
			msd = int32(r.NumDigits()) - 1 + r.Exponent
		}
		return roundScale(r, min(max(16-msd, dscale(x), dscale(y), 0), numericMaxDisplayScale))
	}
	x, y := asFloat(a), asFloat(b)
	if x == 0 && y < 0 {
		return nil, pgerr.New(codeInvalidArgForPower, "zero raised to a negative power is undefined")
	}
	if x < 0 && y != math.Trunc(y) {
		return nil, pgerr.New(codeInvalidArgForPower, "a negative number raised to a non-integer power yields a complex result")
	}
	return checkFloat(math.Pow(x, y), math.IsInf(x, 0) || math.IsInf(y, 0), sqltypes.Float8)
}

func dateArith(op string, l, r Expr, lt, rt sqltypes.OID) Expr {
	switch {
	case lt == sqltypes.Date_ && isIntType(rt) && (op == "+" || op == "-"):
		return &opExpr{op: op, l: l, r: r, t: sqltypes.Date_, fn: func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			d := int64(a.(sqltypes.Date))
			if op == "+" {
				return sqltypes.Date(d + b.(int64)), nil
			}
			return sqltypes.Date(d - b.(int64)), nil
		}}
	case isIntType(lt) && rt == sqltypes.Date_ && op == "+":
		return &opExpr{op: op, l: l, r: r, t: sqltypes.Date_, fn: func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			return sqltypes.Date(a.(int64) + int64(b.(sqltypes.Date))), nil
		}}
	case lt == sqltypes.Date_ && rt == sqltypes.Date_ && op == "-":
		return &opExpr{op: op, l: l, r: r, t: sqltypes.Int4, fn: func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			return int64(a.(sqltypes.Date)) - int64(b.(sqltypes.Date)), nil
		}}
	}
	return nil
}

// concat binds ||: text concatenation, array concatenation or jsonb merge.
func (b *Binder) concat(l, r Expr) (Expr, error) {
	var err error
	lt, rt := typeOf(l), typeOf(r)
	la, ra := category(lt) == catArray, category(rt) == catArray
	switch {
	case la || ra:
		at := lt
		if !la {
			at = rt
		}
		et, _ := elemType(at)
		if la && ra {
			if r, err = b.coerce(r, at, ""); err != nil {
				return nil, err
			}
		} else if la {
			if isUnknown(r) {
				r, err = b.coerce(r, at, "")
				ra = true
			} else {
				r, err = b.coerce(r, et, "")
			}
		} else {
			if isUnknown(l) {
				l, err = b.coerce(l, at, "")
				la = true
			} else {
				l, err = b.coerce(l, et, "")
			}
		}
		if err != nil {
			return nil, err
		}
		lArr, rArr := la, ra
		// PostgreSQL's array_cat, array_append and array_prepend are not
		// strict: a NULL array counts as empty (NULL || '{a}' is {a}) and a
		// NULL element is appended as an element; only two NULL arrays give
		// NULL. psql 15's \d+ relies on it (NULL::text[] || '{}').
		return &opExpr{op: "||", l: l, r: r, t: at, nonStrict: true, fn: func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			if lArr && rArr && a == nil && b == nil {
				return nil, nil
			}
			out := sqltypes.Array{Elem: et}
			out.Items = appendOperand(out.Items, a, lArr)
			out.Items = appendOperand(out.Items, b, rArr)
			return out, nil
		}}, nil
	case lt == sqltypes.Jsonb || rt == sqltypes.Jsonb:
		if l, err = b.coerce(l, sqltypes.Jsonb, ""); err != nil {
			return nil, err
		}
		if r, err = b.coerce(r, sqltypes.Jsonb, ""); err != nil {
			return nil, err
		}
		return &opExpr{op: "||", l: l, r: r, t: sqltypes.Jsonb, fn: func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			return jsonConcat(a.(sqltypes.JSON), b.(sqltypes.JSON)), nil
		}}, nil
	}
	if lt == sqltypes.Bytea && rt == sqltypes.Bytea {
		return &opExpr{op: "||", l: l, r: r, t: sqltypes.Bytea, fn: func(_ *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
			return append(append([]byte{}, a.([]byte)...), b.([]byte)...), nil
		}}, nil
	}
	if category(lt) != catString && category(rt) != catString {
		return nil, operatorError("||", lt, rt)
	}
	if isUnknown(l) {
		if l, err = b.coerce(l, sqltypes.Text, ""); err != nil {
			return nil, err
		}
	}
	if isUnknown(r) {
		if r, err = b.coerce(r, sqltypes.Text, ""); err != nil {
			return nil, err
		}
	}
	ltt, rtt := l.Type(), r.Type()
	return &opExpr{op: "||", l: l, r: r, t: sqltypes.Text, fn: func(ctx *Context, a, b sqltypes.Value) (sqltypes.Value, error) {
		x, err := textOf(ctx, a, ltt)
		if err != nil {
			return nil, err
		}
		y, err := textOf(ctx, b, rtt)
		if err != nil {
			return nil, err
		}
		return x + y, nil
	}}, nil
}

// textOf renders a value as text (reg* types by name when a resolver is set).
func textOf(ctx *Context, v sqltypes.Value, t sqltypes.OID) (string, error) {
	if s, ok := v.(string); ok && t != bpcharOID {
		return s, nil
	}
	s, err := castValue(ctx, v, t, sqltypes.Text, -1, true)
	if err != nil {
		return "", err
	}
	return s.(string), nil
}

// appendOperand adds one operand of an array ||: an array's elements (none
// for a NULL array), or one element (which may be NULL).
func appendOperand(items []sqltypes.Value, v sqltypes.Value, isArray bool) []sqltypes.Value {
	if !isArray {
		return append(items, v)
	}
	if v == nil {
		return items
	}
	return append(items, v.(sqltypes.Array).Items...)
}
