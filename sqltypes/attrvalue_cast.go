package sqltypes

import (
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// castValue converts v from its natural type to the column type want the
// way PostgreSQL's cast would: to a string type through the output
// function, from text through want's input function, numeric to the
// integer and float types with numeric's rounding and range checks, and
// arrays element by element.
func castValue(v Value, from, want OID) (Value, error) {
	if from == want {
		return v, nil
	}
	if isStringType(want) {
		return castToString(v, from, want)
	}
	if isStringType(from) {
		s, _ := v.(string)
		return ParseText(s, want)
	}
	switch {
	case from == Numeric:
		return castNumeric(v.(*apd.Decimal), want)
	case from == Bool && want == Int4:
		if v.(bool) {
			return int64(1), nil
		}
		return int64(0), nil
	}
	fromElem, ok1 := ElemType(from)
	wantElem, ok2 := ElemType(want)
	if ok1 && ok2 {
		return castArray(v.(Array), fromElem, wantElem)
	}
	return nil, pgerr.New(pgerr.InvalidTextRepresentation, "cannot read a DynamoDB %s value as type %s",
		dynamoKind(from), TypeName(want))
}

func isStringType(t OID) bool {
	switch t {
	case Text, Varchar, Name, Bpchar, Char, Unknown:
		return true
	}
	return false
}

// dynamoKind names the attribute kind a natural type came from.
func dynamoKind(t OID) string {
	switch t {
	case Text:
		return "S"
	case Numeric:
		return "N"
	case Bytea:
		return "B"
	case Bool:
		return "BOOL"
	case Jsonb:
		return "M or L"
	case TextArray:
		return "SS"
	case NumericArray:
		return "NS"
	case ByteaArray:
		return "BS"
	}
	return TypeName(t)
}

// castToString is a cast to text, varchar, name or "char": boolean gives
// true/false (booltext), everything else its output text.
func castToString(v Value, from, want OID) (Value, error) {
	var s string
	if b, ok := v.(bool); ok {
		s = strconv.FormatBool(b)
	} else {
		var err error
		if s, err = FormatText(v, from); err != nil {
			return nil, err
		}
	}
	switch want {
	case Name:
		return parseName(s), nil
	case Char:
		if s == "" {
			return "", nil
		}
		return s[:1], nil
	}
	return s, nil
}

// castNumeric is numeric → int2/int4/int8/oid (rounded half away from
// zero, 22003 when out of range) and numeric → float4/float8.
func castNumeric(d *apd.Decimal, want OID) (Value, error) {
	switch want {
	case Float4, Float8:
		bits := 64
		if want == Float4 {
			bits = 32
		}
		f, err := strconv.ParseFloat(FormatNumeric(d), bits)
		if err != nil {
			return nil, typeOutOfRange(want)
		}
		return f, nil
	case Int2, Int4, Int8, Oid, Xid, Regproc, Regclass, Regtype, Regnamespace:
		return numericToInt(d, want)
	}
	return nil, pgerr.New(pgerr.InvalidTextRepresentation, "cannot read a DynamoDB N value as type %s", TypeName(want))
}

func numericToInt(d *apd.Decimal, want OID) (Value, error) {
	if d.Form != apd.Finite {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot convert %s to %s", FormatNumeric(d), TypeName(want))
	}
	if d.NumDigits()+int64(d.Exponent) > 20 {
		return nil, typeOutOfRange(want)
	}
	ctx := apd.Context{Precision: 60, Rounding: apd.RoundHalfUp, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent}
	var r apd.Decimal
	if _, err := ctx.Quantize(&r, d, 0); err != nil {
		return nil, pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "%s out of range", TypeName(want))
	}
	n, err := r.Int64()
	if err != nil {
		return nil, typeOutOfRange(want)
	}
	if lo, hi := IntRange(want); n < lo || n > hi {
		return nil, typeOutOfRange(want)
	}
	return n, nil
}

func castArray(a Array, fromElem, wantElem OID) (Value, error) {
	out := Array{Elem: wantElem, Items: make([]Value, len(a.Items))}
	for i, it := range a.Items {
		if it == nil {
			continue
		}
		v, err := castValue(it, fromElem, wantElem)
		if err != nil {
			return nil, err
		}
		out.Items[i] = v
	}
	return out, nil
}
