package expr

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Resolver looks up catalog objects for the reg* types ('pg_class'::regclass)
// and names them for output. Implemented by the catalog; optional.
type Resolver interface {
	// RegClass resolves a (possibly qualified) relation name to its OID (42P01 if none).
	RegClass(name string) (int64, error)
	// RegType resolves a type name to its OID (42704 if none).
	RegType(name string) (int64, error)
	// RegNamespace resolves a schema name (3F000 if none).
	RegNamespace(name string) (int64, error)
	// RegProc resolves a function name (42883 if none).
	RegProc(name string) (int64, error)
	// RegName names an object of reg* type t for output; ok=false prints the number.
	RegName(t sqltypes.OID, oid int64) (name string, ok bool)
}

// implicitCast reports whether PostgreSQL would coerce from → to implicitly.
func implicitCast(from, to sqltypes.OID) bool {
	if from == to || from == sqltypes.Unknown || from == 0 || to == AnyOID {
		return true
	}
	fc, tc := category(from), category(to)
	switch {
	case fc == catNumeric && tc == catNumeric:
		return numRank(from) < numRank(to)
	case fc == catString && tc == catString:
		return to != sqltypes.Char && to != sqltypes.Unknown
	case fc == catOID && tc == catOID:
		return true
	case isIntType(from) && fc == catNumeric && tc == catOID:
		return true
	case fc == catDate && tc == catDate:
		return dateRank(from) < dateRank(to)
	case fc == catArray && tc == catArray:
		fe, _ := elemType(from)
		te, _ := elemType(to)
		return te == AnyElementOID || implicitCast(fe, te)
	case tc == catArray:
		// int2vector → int2[] is binary coercible, and → int4[] an array
		// coercion over int2 → int4, as for any array.
		fe, ok := vectorElem(from)
		te, _ := elemType(to)
		return ok && (te == AnyElementOID || implicitCast(fe, te))
	}
	return false
}

func dateRank(t sqltypes.OID) int {
	switch t {
	case sqltypes.Date_:
		return 1
	case sqltypes.Timestamp:
		return 2
	}
	return 3
}

// explicitCastAllowed reports whether a CAST from → to exists.
func explicitCastAllowed(from, to sqltypes.OID) bool {
	if implicitCast(from, to) {
		return true
	}
	fc, tc := category(from), category(to)
	switch {
	case fc == catString || tc == catString:
		return true // I/O conversion casts
	case fc == catNumeric && tc == catNumeric, fc == catOID && tc == catNumeric:
		return true
	case fc == catBool && (to == sqltypes.Int4 || to == sqltypes.Int8 || to == sqltypes.Int2):
		return true
	case tc == catBool && (from == sqltypes.Int4 || from == sqltypes.Int8 || from == sqltypes.Int2):
		return true
	case fc == catJSON && tc == catJSON:
		return true
	case from == sqltypes.Jsonb && (tc == catNumeric || tc == catBool):
		return true
	case fc == catDate && tc == catDate:
		return true
	case fc == catArray && tc == catArray:
		fe, _ := elemType(from)
		te, _ := elemType(to)
		return explicitCastAllowed(fe, te)
	case tc == catArray:
		// A vector casts to any array its elements cast to; the reverse
		// (int2[] → int2vector) does not exist in PostgreSQL either.
		fe, ok := vectorElem(from)
		te, _ := elemType(to)
		return ok && explicitCastAllowed(fe, te)
	}
	return false
}

func cannotCast(from, to sqltypes.OID) error {
	return pgerr.New(codeCannotCoerce, "cannot cast type %s to %s", typeName(from), typeName(to))
}

// castValue converts non-NULL v from type from to type to.
func castValue(ctx *Context, v sqltypes.Value, from, to sqltypes.OID, typmod int32, explicit bool) (sqltypes.Value, error) {
	if v == nil {
		return nil, nil
	}
	if from == to && typmod < 0 {
		return v, nil
	}
	fc, tc := category(from), category(to)
	// reg* input and output need the catalog.
	if fc == catString && tc == catOID && to != sqltypes.Oid {
		return regIn(ctx, v.(string), to)
	}
	if fc == catOID && from != sqltypes.Oid && tc == catString {
		n := v.(int64)
		if ctx != nil && ctx.Resolver != nil {
			if name, ok := ctx.Resolver.RegName(from, n); ok {
				return applyStringTypmod(name, to, typmod, explicit)
			}
		}
		if from == sqltypes.Regtype {
			if name := typeName(sqltypes.OID(n)); name != "unknown" || n == int64(sqltypes.Unknown) {
				return applyStringTypmod(name, to, typmod, explicit)
			}
		}
		if n == 0 {
			return applyStringTypmod("-", to, typmod, explicit)
		}
		return applyStringTypmod(strconv.FormatInt(n, 10), to, typmod, explicit)
	}
	switch tc {
	case catString:
		s, err := formatText(v, from)
		if err != nil {
			return nil, err
		}
		if from == bpcharOID && to != bpcharOID {
			s = strings.TrimRight(s, " ")
		}
		if to == sqltypes.UUID {
			return parseUUID(s)
		}
		return applyStringTypmod(s, to, typmod, explicit)
	case catNumeric, catOID:
		return castToNumber(v, from, to, typmod)
	case catBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			return parseBool(x)
		case sqltypes.JSON:
			if b, ok := x.Node.(bool); ok {
				return b, nil
			}
			return nil, jsonCastErr(x.Node, to)
		}
	case catJSON:
		switch x := v.(type) {
		case string:
			return parseJSON(x, to == sqltypes.Jsonb)
		case sqltypes.JSON:
			if to == sqltypes.Jsonb && from == sqltypes.JSON_ {
				return parseJSON(formatJSON(x.Node, false), true)
			}
			return x, nil
		}
	case catDate:
		switch x := v.(type) {
		case string:
			return parseText(x, to, typmod)
		case sqltypes.Date:
			if to == sqltypes.Date_ {
				return x, nil
			}
			return dateTime(x), nil
		case time.Time:
			if to == sqltypes.Date_ {
				return dateOf(x), nil
			}
			return x, nil
		}
	case catBytea:
		if s, ok := v.(string); ok {
			return parseBytea(s)
		}
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	case catArray:
		te, _ := elemType(to)
		switch x := v.(type) {
		case string:
			return parseArray(x, te, to)
		case sqltypes.Array:
			out := sqltypes.Array{Elem: te, Items: make([]sqltypes.Value, len(x.Items))}
			for i, it := range x.Items {
				c, err := castValue(ctx, it, x.Elem, te, typmod, explicit)
				if err != nil {
					return nil, err
				}
				out.Items[i] = c
			}
			return out, nil
		}
	}
	if fc == catString {
		if s, ok := v.(string); ok {
			return parseText(s, to, typmod)
		}
	}
	return nil, cannotCast(from, to)
}

func jsonCastErr(n any, to sqltypes.OID) error {
	kind := "null"
	switch n.(type) {
	case string:
		kind = "string"
	case sqltypes.JSONNumber:
		kind = "numeric"
	case bool:
		kind = "boolean"
	case []any:
		kind = "array"
	case *sqltypes.JSONObject:
		kind = "object"
	}
	return pgerr.New(pgerr.InvalidParameterValue, "cannot cast jsonb %s to type %s", kind, typeName(to))
}

func castToNumber(v sqltypes.Value, from, to sqltypes.OID, typmod int32) (sqltypes.Value, error) {
	switch x := v.(type) {
	case string:
		return parseText(x, to, typmod)
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case sqltypes.JSON:
		num, ok := x.Node.(sqltypes.JSONNumber)
		if !ok {
			return nil, jsonCastErr(x.Node, to)
		}
		d, err := parseDecimal(string(num))
		if err != nil {
			return nil, err
		}
		return castToNumber(d, sqltypes.Numeric, to, typmod)
	case int64:
		switch {
		case to == sqltypes.Numeric:
			return applyNumericTypmod(decFromInt(x), typmod)
		case isFloatType(to):
			return checkFloat(float64(x), false, to)
		}
		return checkedInt(x, to)
	case float64:
		switch {
		case to == sqltypes.Numeric:
			bits := 64
			if from == sqltypes.Float4 {
				bits = 32
			}
			d, err := decFromFloat(x, bits)
			if err != nil {
				return nil, err
			}
			return applyNumericTypmod(d, typmod)
		case isFloatType(to):
			return checkFloat(x, math.IsInf(x, 0), to)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, outOfRange(to)
		}
		r := math.RoundToEven(x)
		if r < -9.223372036854775808e18 || r >= 9.223372036854775808e18 {
			return nil, outOfRange(to)
		}
		return checkedInt(int64(r), to)
	case *apd.Decimal:
		switch {
		case to == sqltypes.Numeric:
			return applyNumericTypmod(x, typmod)
		case isFloatType(to):
			return checkFloat(decToFloat(x), x.Form == apd.Infinite, to)
		}
		return decToInt(x, to)
	}
	return nil, cannotCast(from, to)
}

// regIn resolves a name to an OID for a reg* type.
func regIn(ctx *Context, s string, to sqltypes.OID) (sqltypes.Value, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if s == "-" {
		return int64(0), nil
	}
	if ctx == nil || ctx.Resolver == nil {
		return nil, pgerr.Unsupported("type "+typeName(to)+" without a catalog", "")
	}
	r := ctx.Resolver
	switch to {
	case sqltypes.Regclass:
		return r.RegClass(s)
	case sqltypes.Regtype:
		return r.RegType(s)
	case sqltypes.Regnamespace:
		return r.RegNamespace(s)
	case sqltypes.Regproc:
		return r.RegProc(s)
	}
	return nil, cannotCast(sqltypes.Text, to)
}

// SQLSTATEs not (yet) in package pgerr.
const (
	codeCannotCoerce        = "42846"
	codeInvalidArgForLog    = "2201E"
	codeInvalidArgForPower  = "2201F"
	codeArraySubscriptError = "2202E"
)
