package translate

import (
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// conjunct is one top-level AND term of a WHERE clause.
type conjunct struct {
	e expr.Expr
	// consumed is set when an access path (key condition, GetItem key) or the
	// FilterExpression evaluates the term exactly, so no local check is needed.
	consumed bool
}

// splitAnd flattens a predicate into its AND terms.
func splitAnd(e expr.Expr) []expr.Expr {
	if a, ok := e.(*expr.And); ok {
		var out []expr.Expr
		for _, arg := range a.Args {
			out = append(out, splitAnd(arg)...)
		}
		return out
	}
	return []expr.Expr{e}
}

// isRuntimeConst reports whether e's value is fixed for one execution: a
// constant, a parameter or an outer column, possibly cast. Such a value can become a DynamoDB
// expression value (:v) at Open.
func isRuntimeConst(e expr.Expr) bool {
	switch x := e.(type) {
	case *expr.Const, *expr.Param:
		return true
	case *expr.Cast:
		return isRuntimeConst(x.Arg)
	case *expr.ColRef:
		// A column of an enclosing query, or of the left side of a key
		// lookup join, is fixed while this read runs (it is reopened per
		// outer row), so it can key a GetItem or Query like a parameter.
		return x.Depth > 0
	case *engine.Subquery:
		// an uncorrelated subquery runs once per statement
		return !x.Correlated
	}
	return false
}

// isNullConst reports a literal NULL.
func isNullConst(e expr.Expr) bool {
	c, ok := e.(*expr.Const)
	return ok && c.Val == nil
}

// columnRef returns the column a term compares, when the term's operand is a
// plain column of the table being scanned.
func columnRef(e expr.Expr) (*expr.ColRef, bool) {
	c, ok := e.(*expr.ColRef)
	if !ok || c.Depth != 0 {
		return nil, false
	}
	return c, true
}

// flip mirrors a comparison so the column is on the left: 5 < x is x > 5.
func flip(op expr.CompareOp) expr.CompareOp {
	switch op {
	case expr.OpLT:
		return expr.OpGT
	case expr.OpLE:
		return expr.OpGE
	case expr.OpGT:
		return expr.OpLT
	case expr.OpGE:
		return expr.OpLE
	}
	return op
}

// colCompare matches "column op value" in either order.
func colCompare(e expr.Expr) (col *expr.ColRef, op expr.CompareOp, val expr.Expr, ok bool) {
	c, isCmp := e.(*expr.Compare)
	if !isCmp {
		return nil, 0, nil, false
	}
	if col, ok := columnRef(c.L); ok && isRuntimeConst(c.R) {
		return col, c.Op, c.R, true
	}
	if col, ok := columnRef(c.R); ok && isRuntimeConst(c.L) {
		return col, flip(c.Op), c.L, true
	}
	return nil, 0, nil, false
}

// dynamoTypeOf is the DynamoDB scalar type whose comparisons agree exactly with
// PostgreSQL's for a column of SQL type t, or "" when there is none. Text
// compares bytewise in both (fazproxy behaves as collation "C"); numbers are
// exact in both; binary compares as unsigned bytes in both.
func dynamoTypeOf(t sqltypes.OID) string {
	switch t {
	case sqltypes.Text, sqltypes.Varchar:
		return "S"
	case sqltypes.Numeric:
		return "N"
	case sqltypes.Bytea:
		return "B"
	}
	return ""
}

// storedTypeOf is the DynamoDB type an attribute of column type t is written
// as, or "" for jsonb (any type) and types fazproxy does not store.
func storedTypeOf(t sqltypes.OID) string {
	switch t {
	case sqltypes.Bool:
		return "BOOL"
	case sqltypes.TextArray:
		return "SS"
	case sqltypes.NumericArray:
		return "NS"
	case sqltypes.ByteaArray:
		return "BS"
	}
	return dynamoTypeOf(t)
}

// valueFits reports whether a value of type v compares with a column of
// DynamoDB type dt without a cast PostgreSQL would apply differently.
func valueFits(dt string, v sqltypes.OID) bool {
	switch dt {
	case "S":
		return v == sqltypes.Text || v == sqltypes.Varchar || v == sqltypes.Unknown || v == sqltypes.Name
	case "N":
		return v == sqltypes.Numeric || v == sqltypes.Int2 || v == sqltypes.Int4 || v == sqltypes.Int8
	case "B":
		return v == sqltypes.Bytea
	}
	return false
}

// arrayElem is the element type of array type t (0 when t is not an array
// fazproxy compares with keys).
func arrayElem(t sqltypes.OID) sqltypes.OID {
	switch t {
	case sqltypes.TextArray:
		return sqltypes.Text
	case sqltypes.VarcharArray:
		return sqltypes.Varchar
	case sqltypes.NumericArray:
		return sqltypes.Numeric
	case sqltypes.Int2Array:
		return sqltypes.Int2
	case sqltypes.Int4Array:
		return sqltypes.Int4
	case sqltypes.Int8Array:
		return sqltypes.Int8
	case sqltypes.ByteaArray:
		return sqltypes.Bytea
	}
	return 0
}

// likePrefix returns the literal prefix of a LIKE pattern of the form
// 'prefix%' (with backslash escapes), or ok=false when the pattern has any
// other wildcard, in which case begins_with would not be exact.
func likePrefix(pattern string) (prefix string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch ch {
		case '\\':
			if i+1 >= len(pattern) {
				return "", false
			}
			i++
			b.WriteByte(pattern[i])
		case '_':
			return "", false
		case '%':
			for j := i; j < len(pattern); j++ {
				if pattern[j] != '%' {
					return "", false
				}
			}
			return b.String(), b.Len() > 0
		default:
			b.WriteByte(ch)
		}
	}
	return "", false // no trailing %: an equality, handled as such by the caller if at all
}

// pushdown converts a term to a DynamoDB condition that selects exactly the
// items for which PostgreSQL would find the term true, or returns nil.
// keyAttrs are attributes a Query's FilterExpression may not name.
func pushdown(e expr.Expr, cols []catalog.Column, keyAttrs map[string]bool) engine.Cond {
	attrOf := func(c *expr.ColRef) (string, bool) {
		col := cols[c.Index]
		if col.Source == catalog.SourceItem || keyAttrs[col.Name] {
			return "", false
		}
		return col.Name, true
	}
	switch x := e.(type) {
	case *expr.Compare:
		col, op, val, ok := colCompare(x)
		if !ok || isNullConst(val) {
			return nil
		}
		attr, ok := attrOf(col)
		if !ok {
			return nil
		}
		if col.T == sqltypes.Bool && op == expr.OpEQ && val.Type() == sqltypes.Bool {
			return &engine.Cmp{Attr: attr, Op: op, Value: val}
		}
		dt := dynamoTypeOf(col.T)
		// <> is not pushed: DynamoDB finds a missing attribute unequal to
		// anything, where SQL's NULL <> x is not true.
		if dt == "" || op == expr.OpNE || !valueFits(dt, val.Type()) {
			return nil
		}
		return &engine.Cmp{Attr: attr, Op: op, Value: val, AttrType: dt}
	case *expr.Between:
		col, ok := columnRef(x.Arg)
		if !ok || x.Not || x.Symmetric || !isRuntimeConst(x.Lo) || !isRuntimeConst(x.Hi) {
			return nil
		}
		attr, ok := attrOf(col)
		dt := dynamoTypeOf(col.T)
		if !ok || dt == "" || !valueFits(dt, x.Lo.Type()) || !valueFits(dt, x.Hi.Type()) {
			return nil
		}
		return &engine.Between{Attr: attr, Lo: x.Lo, Hi: x.Hi, AttrType: dt}
	case *expr.Like:
		col, ok := columnRef(x.Arg)
		if !ok || x.Not || x.CaseInsensitive || x.Escape != nil || dynamoTypeOf(col.T) != "S" {
			return nil
		}
		attr, ok := attrOf(col)
		if !ok {
			return nil
		}
		prefix, ok := constLikePrefix(x.Pattern)
		if !ok {
			return nil
		}
		return &engine.BeginsWith{Attr: attr, Prefix: &expr.Const{Val: prefix, T: sqltypes.Text}}
	case *expr.InList:
		col, ok := columnRef(x.Arg)
		if !ok || x.Not || len(x.List) > 100 {
			return nil
		}
		attr, ok := attrOf(col)
		dt := dynamoTypeOf(col.T)
		if !ok || dt == "" {
			return nil
		}
		var vals []expr.Expr
		for _, v := range x.List {
			if isNullConst(v) {
				continue // x IN (.., NULL) is never true through the NULL
			}
			if !isRuntimeConst(v) || !valueFits(dt, v.Type()) {
				return nil
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return nil
		}
		return &engine.In{Attr: attr, Values: vals, AttrType: dt}
	case *expr.IsNull:
		col, ok := columnRef(x.Arg)
		if !ok {
			return nil
		}
		attr, ok := attrOf(col)
		if !ok || storedTypeOf(col.T) == "" {
			return nil // jsonb: how a DynamoDB NULL reads (SQL or JSON null) is the converter's choice
		}
		// A scalar or set column is SQL NULL exactly when its attribute is
		// missing or of type NULL; an attribute of another type still reads
		// as a value (sqltypes.FromAttribute casts its text), so the test is
		// on existence, not on the column's usual type.
		if x.Not {
			return &engine.And{Args: []engine.Cond{
				&engine.AttrExists{Attr: attr},
				&engine.AttrTypeIs{Attr: attr, DynamoType: "NULL", Not: true},
			}}
		}
		return &engine.Or{Args: []engine.Cond{
			&engine.AttrExists{Attr: attr, Not: true},
			&engine.AttrTypeIs{Attr: attr, DynamoType: "NULL"},
		}}
	case *expr.Or:
		var args []engine.Cond
		for _, a := range x.Args {
			c := pushdown(a, cols, keyAttrs)
			if c == nil {
				return nil
			}
			args = append(args, c)
		}
		return &engine.Or{Args: args}
	case *expr.And:
		var args []engine.Cond
		for _, a := range x.Args {
			c := pushdown(a, cols, keyAttrs)
			if c == nil {
				return nil
			}
			args = append(args, c)
		}
		return &engine.And{Args: args}
	}
	return nil
}

// constLikePrefix extracts the prefix of a constant 'prefix%' pattern.
func constLikePrefix(p expr.Expr) (string, bool) {
	c, ok := p.(*expr.Const)
	if !ok {
		return "", false
	}
	s, ok := c.Val.(string)
	if !ok {
		return "", false
	}
	return likePrefix(s)
}
