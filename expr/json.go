package expr

import (
	"strconv"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// jsonOp binds -> ->> #> #>> ? ?| ?&.
func (b *Binder) jsonOp(op string, l, r Expr) (Expr, error) {
	var err error
	if isUnknown(l) {
		if l, err = b.coerce(l, sqltypes.Jsonb, ""); err != nil {
			return nil, err
		}
	}
	lt := l.Type()
	if lt != sqltypes.Jsonb && lt != sqltypes.JSON_ {
		return nil, operatorError(op, lt, typeOf(r))
	}
	if (op == "?" || op == "?|" || op == "?&") && lt != sqltypes.Jsonb {
		return nil, operatorError(op, lt, typeOf(r))
	}
	orig := r
	switch op {
	case "->", "->>":
		if isUnknown(r) {
			r, err = b.coerce(r, sqltypes.Text, "")
		} else if !isIntType(r.Type()) {
			r, err = b.coerce(r, sqltypes.Text, "")
		}
	case "#>", "#>>", "?|", "?&":
		r, err = b.coerce(r, sqltypes.TextArray, "")
	case "?":
		r, err = b.coerce(r, sqltypes.Text, "")
	}
	if err != nil {
		if pgerr.CodeOf(err) == pgerr.DatatypeMismatch {
			return nil, operatorError(op, lt, typeOf(orig))
		}
		return nil, err
	}
	t := lt
	switch op {
	case "->>", "#>>":
		t = sqltypes.Text
	case "?", "?|", "?&":
		t = sqltypes.Bool
	}
	return &opExpr{op: op, l: l, r: r, t: t, fn: func(_ *Context, a, bv sqltypes.Value) (sqltypes.Value, error) {
		j := a.(sqltypes.JSON)
		switch op {
		case "->":
			return jsonGet(j, bv)
		case "->>":
			v, err := jsonGet(j, bv)
			if v == nil || err != nil {
				return nil, err
			}
			return jsonText(v.(sqltypes.JSON)), nil
		case "#>", "#>>":
			cur := j
			for _, k := range bv.(sqltypes.Array).Items {
				if k == nil {
					return nil, nil
				}
				v, err := jsonGetPath(cur, k.(string))
				if v == nil || err != nil {
					return nil, err
				}
				cur = v.(sqltypes.JSON)
			}
			if op == "#>>" {
				return jsonText(cur), nil
			}
			return cur, nil
		case "?":
			return jsonHasKey(j.Node, bv.(string)), nil
		}
		all := op == "?&"
		for _, k := range bv.(sqltypes.Array).Items {
			if k == nil {
				continue
			}
			has := jsonHasKey(j.Node, k.(string))
			if has && !all {
				return true, nil
			}
			if !has && all {
				return false, nil
			}
		}
		return all, nil
	}}, nil
}

// jsonText is ->>'s text of a JSON value (strings unquoted, null is NULL).
func jsonText(j sqltypes.JSON) sqltypes.Value {
	switch x := j.Node.(type) {
	case nil:
		return nil
	case string:
		return x
	}
	return formatJSON(j.Node, false)
}

func jsonGet(j sqltypes.JSON, key sqltypes.Value) (sqltypes.Value, error) {
	switch k := key.(type) {
	case string:
		if obj, ok := j.Node.(*sqltypes.JSONObject); ok {
			if v, ok := obj.Values[k]; ok {
				return sqltypes.JSON{Node: v}, nil
			}
		}
		return nil, nil
	case int64:
		if arr, ok := j.Node.([]any); ok {
			if k < 0 {
				k += int64(len(arr))
			}
			if k >= 0 && k < int64(len(arr)) {
				return sqltypes.JSON{Node: arr[k]}, nil
			}
		}
		return nil, nil
	}
	return nil, nil
}

// jsonGetPath follows one path step: an object key, or an array index given as text.
func jsonGetPath(j sqltypes.JSON, k string) (sqltypes.Value, error) {
	if _, ok := j.Node.([]any); ok {
		n, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, nil
		}
		return jsonGet(j, n)
	}
	return jsonGet(j, k)
}

func jsonHasKey(n any, k string) bool {
	switch x := n.(type) {
	case *sqltypes.JSONObject:
		_, ok := x.Values[k]
		return ok
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == k {
				return true
			}
		}
	case string:
		return x == k
	}
	return false
}

// jsonContains is jsonb @>: a contains b.
func jsonContains(a, b any, top bool) bool {
	switch y := b.(type) {
	case *sqltypes.JSONObject:
		x, ok := a.(*sqltypes.JSONObject)
		if !ok {
			return false
		}
		for _, k := range y.Keys {
			xv, ok := x.Values[k]
			if !ok || !jsonContains(xv, y.Values[k], false) {
				return false
			}
		}
		return true
	case []any:
		x, ok := a.([]any)
		if !ok {
			return false
		}
		for _, ye := range y {
			found := false
			for _, xe := range x {
				if jsonContains(xe, ye, false) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	default:
		if x, ok := a.([]any); ok && top {
			for _, xe := range x {
				if jsonEqual(xe, b) {
					return true
				}
			}
			return false
		}
		return jsonEqual(a, b)
	}
}

func jsonConcat(a, b sqltypes.JSON) sqltypes.JSON {
	ao, aok := a.Node.(*sqltypes.JSONObject)
	bo, bok := b.Node.(*sqltypes.JSONObject)
	if aok && bok {
		keys := append(append([]string{}, ao.Keys...), bo.Keys...)
		vals := make([]any, 0, len(keys))
		for _, k := range ao.Keys {
			vals = append(vals, ao.Values[k])
		}
		for _, k := range bo.Keys {
			vals = append(vals, bo.Values[k])
		}
		return sqltypes.JSON{Node: newJSONObject(keys, vals, true)}
	}
	var out []any
	if arr, ok := a.Node.([]any); ok {
		out = append(out, arr...)
	} else {
		out = append(out, a.Node)
	}
	if arr, ok := b.Node.([]any); ok {
		out = append(out, arr...)
	} else {
		out = append(out, b.Node)
	}
	return sqltypes.JSON{Node: out}
}

func jsonDelete(j sqltypes.JSON, key sqltypes.Value) (sqltypes.Value, error) {
	switch x := j.Node.(type) {
	case *sqltypes.JSONObject:
		k, ok := key.(string)
		if !ok {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot delete from object using integer index")
		}
		var keys []string
		var vals []any
		for _, kk := range x.Keys {
			if kk != k {
				keys = append(keys, kk)
				vals = append(vals, x.Values[kk])
			}
		}
		return sqltypes.JSON{Node: newJSONObject(keys, vals, true)}, nil
	case []any:
		out := []any{}
		switch k := key.(type) {
		case string:
			for _, e := range x {
				if s, ok := e.(string); !ok || s != k {
					out = append(out, e)
				}
			}
		case int64:
			if k < 0 {
				k += int64(len(x))
			}
			for i, e := range x {
				if int64(i) != k {
					out = append(out, e)
				}
			}
		}
		return sqltypes.JSON{Node: out}, nil
	}
	return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot delete from scalar")
}

// containOp binds @> <@ && for jsonb and arrays.
func (b *Binder) containOp(op string, l, r Expr) (Expr, error) {
	var err error
	lt, rt := typeOf(l), typeOf(r)
	if lt == sqltypes.Unknown {
		lt = rt
	}
	if rt == sqltypes.Unknown {
		rt = lt
	}
	if lt == sqltypes.Unknown {
		return nil, operatorError(op, lt, rt)
	}
	if l, err = b.coerce(l, lt, ""); err != nil {
		return nil, err
	}
	if r, err = b.coerce(r, rt, ""); err != nil {
		return nil, err
	}
	if lt == sqltypes.Jsonb && rt == sqltypes.Jsonb && op != "&&" {
		return &opExpr{op: op, l: l, r: r, t: sqltypes.Bool, fn: func(_ *Context, a, bv sqltypes.Value) (sqltypes.Value, error) {
			x, y := a.(sqltypes.JSON).Node, bv.(sqltypes.JSON).Node
			if op == "<@" {
				x, y = y, x
			}
			return jsonContains(x, y, true), nil
		}}, nil
	}
	if category(lt) == catArray && category(rt) == catArray && comparable(lt, rt) {
		et, _ := elemType(lt)
		return &opExpr{op: op, l: l, r: r, t: sqltypes.Bool, fn: func(_ *Context, a, bv sqltypes.Value) (sqltypes.Value, error) {
			x, y := a.(sqltypes.Array), bv.(sqltypes.Array)
			if op == "<@" {
				x, y = y, x
			}
			has := func(arr sqltypes.Array, v sqltypes.Value) (bool, error) {
				for _, it := range arr.Items {
					if it == nil {
						continue
					}
					c, err := compareValues(it, v, et)
					if err != nil {
						return false, err
					}
					if c == 0 {
						return true, nil
					}
				}
				return false, nil
			}
			for _, v := range y.Items {
				if v == nil {
					if op == "&&" {
						continue
					}
					return false, nil
				}
				h, err := has(x, v)
				if err != nil {
					return nil, err
				}
				if op == "&&" && h {
					return true, nil
				}
				if op != "&&" && !h {
					return false, nil
				}
			}
			return op != "&&", nil
		}}, nil
	}
	return nil, operatorError(op, lt, rt)
}

// toJSONNode converts a SQL value of type t to a JSON node (to_jsonb).
func toJSONNode(v sqltypes.Value, t sqltypes.OID) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return x, nil
	case int64:
		if category(t) == catOID && t != sqltypes.Oid {
			return strconv.FormatInt(x, 10), nil
		}
		return sqltypes.JSONNumber(strconv.FormatInt(x, 10)), nil
	case float64:
		s := formatFloat(x, t)
		if s == "NaN" || s == "Infinity" || s == "-Infinity" {
			return s, nil
		}
		return sqltypes.JSONNumber(s), nil
	case *apd.Decimal:
		s := formatDecimal(x)
		if x.Form != apd.Finite {
			return s, nil
		}
		return sqltypes.JSONNumber(s), nil
	case string:
		return x, nil
	case sqltypes.JSON:
		return x.Node, nil
	case sqltypes.Array:
		out := make([]any, len(x.Items))
		for i, it := range x.Items {
			n, err := toJSONNode(it, x.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case time.Time:
		if t == sqltypes.Timestamptz {
			return x.UTC().Format("2006-01-02T15:04:05.999999") + "+00:00", nil
		}
		return x.Format("2006-01-02T15:04:05.999999"), nil
	}
	s, err := formatText(v, t)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func jsonTypeof(n any) string {
	switch n.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case sqltypes.JSONNumber:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

func addJSONFuncs(f *Funcs) {
	jb := sqltypes.OID(sqltypes.Jsonb)
	for _, jt := range []sqltypes.OID{sqltypes.Jsonb, sqltypes.JSON_} {
		prefix := "jsonb_"
		if jt == sqltypes.JSON_ {
			prefix = "json_"
		}
		f.Add(prefix+"typeof", fixed(sqltypes.Text, args(jt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			return jsonTypeof(a[0].(sqltypes.JSON).Node), nil
		}))
		f.Add(prefix+"array_length", fixed(sqltypes.Int4, args(jt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			arr, ok := a[0].(sqltypes.JSON).Node.([]any)
			if !ok {
				return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot get array length of a non-array")
			}
			return int64(len(arr)), nil
		}))
		for _, text := range []bool{false, true} {
			name, rt := prefix+"extract_path", jt
			if text {
				name, rt = name+"_text", sqltypes.Text
			}
			f.Add(name, FuncDef{MinArgs: 1, MaxArgs: -1, Resolve: VariadicSig(rt, jt, sqltypes.Text),
				Eval: func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
					cur := a[0].(sqltypes.JSON)
					for _, k := range a[1:] {
						v, err := jsonGetPath(cur, k.(string))
						if v == nil || err != nil {
							return nil, err
						}
						cur = v.(sqltypes.JSON)
					}
					if text {
						return jsonText(cur), nil
					}
					return cur, nil
				}})
		}
		binary := jt == sqltypes.Jsonb
		f.Add(prefix+"build_object", FuncDef{MinArgs: 0, MaxArgs: -1, NonStrict: true, Resolve: VariadicSig(jt, AnyOID),
			Eval: func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
				if len(a)%2 != 0 {
					return nil, pgerr.New(pgerr.InvalidParameterValue, "argument list must have even number of elements").
						WithHint("The arguments of %sbuild_object() must consist of alternating keys and values.", prefix)
				}
				var keys []string
				var vals []any
				for i := 0; i < len(a); i += 2 {
					if a[i] == nil {
						return nil, pgerr.New(pgerr.NullValueNotAllowed, "argument %d cannot be null", i+1).WithHint("Object keys should be text.")
					}
					k, err := formatText(a[i], ts[i])
					if err != nil {
						return nil, err
					}
					v, err := toJSONNode(a[i+1], ts[i+1])
					if err != nil {
						return nil, err
					}
					keys, vals = append(keys, k), append(vals, v)
				}
				return sqltypes.JSON{Node: newJSONObject(keys, vals, binary)}, nil
			}})
		f.Add(prefix+"build_array", FuncDef{MinArgs: 0, MaxArgs: -1, NonStrict: true, Resolve: VariadicSig(jt, AnyOID),
			Eval: func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
				out := make([]any, len(a))
				for i := range a {
					n, err := toJSONNode(a[i], ts[i])
					if err != nil {
						return nil, err
					}
					out[i] = n
				}
				return sqltypes.JSON{Node: out}, nil
			}})
	}
	f.Add("to_jsonb", fixed(jb, args(AnyOID), func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
		n, err := toJSONNode(a[0], ts[0])
		return sqltypes.JSON{Node: n}, err
	}))
	f.Add("to_json", fixed(sqltypes.JSON_, args(AnyOID), func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
		n, err := toJSONNode(a[0], ts[0])
		return sqltypes.JSON{Node: n}, err
	}))
}
