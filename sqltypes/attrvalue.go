package sqltypes

import (
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

// FromAttribute converts a DynamoDB attribute value to a SQL value of column
// type want (spec/types.md): S→text, N→numeric (exact), B→bytea, BOOL→bool,
// NULL→nil, M/L→jsonb, SS→text[], NS→numeric[], BS→bytea[]. When want is
// jsonb any attribute converts (a scalar becomes a JSON scalar). A missing
// attribute (av == nil) is nil. An attribute whose kind does not fit want is
// converted as PostgreSQL would cast its text (e.g. an N read as text gives
// its digits), or fails with 22P02; the caller wraps the error with the
// attribute's name (pgerr.Wrap keeps the code).
func FromAttribute(av types.AttributeValue, want OID) (Value, error) {
	if av == nil {
		return nil, nil
	}
	if _, ok := av.(*types.AttributeValueMemberNULL); ok {
		return nil, nil
	}
	if want == Jsonb || want == JSON_ {
		return JSON{Node: attrToJSONNode(av)}, nil
	}
	v, natural, err := naturalValue(av)
	if err != nil || natural == want || want == 0 {
		return v, err
	}
	return castValue(v, natural, want)
}

// naturalValue is the attribute in the SQL type spec/types.md gives its kind.
func naturalValue(av types.AttributeValue) (Value, OID, error) {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return x.Value, Text, nil
	case *types.AttributeValueMemberN:
		d, err := ParseNumeric(x.Value)
		return d, Numeric, err
	case *types.AttributeValueMemberB:
		return x.Value, Bytea, nil
	case *types.AttributeValueMemberBOOL:
		return x.Value, Bool, nil
	case *types.AttributeValueMemberM, *types.AttributeValueMemberL:
		return JSON{Node: attrToJSONNode(av)}, Jsonb, nil
	case *types.AttributeValueMemberSS:
		ss := sortedStrings(x.Value)
		return setArray(Text, len(ss), func(i int) (Value, error) { return ss[i], nil })
	case *types.AttributeValueMemberNS:
		ns, err := sortedNumbers(x.Value)
		if err != nil {
			return nil, 0, err
		}
		return setArray(Numeric, len(ns), func(i int) (Value, error) { return ns[i], nil })
	case *types.AttributeValueMemberBS:
		bs := sortedBytes(x.Value)
		return setArray(Bytea, len(bs), func(i int) (Value, error) { return bs[i], nil })
	}
	return nil, 0, pgerr.New(pgerr.InvalidTextRepresentation, "unknown DynamoDB attribute value %T", av)
}

func setArray(elem OID, n int, item func(int) (Value, error)) (Value, OID, error) {
	a := Array{Elem: elem, Items: make([]Value, n)}
	for i := range a.Items {
		v, err := item(i)
		if err != nil {
			return nil, 0, err
		}
		a.Items[i] = v
	}
	t, _ := ArrayType(elem)
	return a, t, nil
}

// ItemToJSON is the whole item as jsonb (the _item column): M→object,
// L→array, S→string, N→number keeping DynamoDB's exact text, BOOL, NULL→null,
// B→base64 string, SS→array of strings, NS→array of numbers, BS→array of
// base64 strings.
func ItemToJSON(item map[string]types.AttributeValue) JSON {
	return JSON{Node: attrToJSONNode(&types.AttributeValueMemberM{Value: item})}
}

// attrToJSONNode converts one attribute to a jsonb node. Object keys take
// jsonb's order; numbers keep their digits (jsonb's numeric_in only folds
// an exponent, which DynamoDB never returns).
func attrToJSONNode(av types.AttributeValue) any {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return x.Value
	case *types.AttributeValueMemberN:
		return jsonNumber(x.Value)
	case *types.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(x.Value)
	case *types.AttributeValueMemberBOOL:
		return x.Value
	case *types.AttributeValueMemberM:
		keys := make([]string, 0, len(x.Value))
		vals := make([]any, 0, len(x.Value))
		for k, v := range x.Value {
			keys, vals = append(keys, k), append(vals, attrToJSONNode(v))
		}
		return NewJSONObject(keys, vals, true)
	case *types.AttributeValueMemberL:
		out := make([]any, len(x.Value))
		for i, v := range x.Value {
			out[i] = attrToJSONNode(v)
		}
		return out
	case *types.AttributeValueMemberSS:
		return mapAny(sortedStrings(x.Value), func(s string) any { return s })
	case *types.AttributeValueMemberNS:
		if ns, err := sortedNumbers(x.Value); err == nil {
			return mapAny(ns, func(d *Decimal) any { return JSONNumber(FormatNumeric(d)) })
		}
		return mapAny(x.Value, func(s string) any { return jsonNumber(s) })
	case *types.AttributeValueMemberBS:
		return mapAny(sortedBytes(x.Value), func(b []byte) any { return base64.StdEncoding.EncodeToString(b) })
	}
	return nil // NULL, and kinds a newer SDK may add
}

func mapAny[T any](xs []T, f func(T) any) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// jsonNumber is a DynamoDB number as jsonb holds it.
func jsonNumber(s string) JSONNumber {
	if d, err := ParseNumeric(s); err == nil {
		return JSONNumber(FormatNumeric(d))
	}
	return JSONNumber(s)
}

// AttributeKind is an attribute value's DynamoDB type name as the API
// spells it ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"); a
// member type newer than this code is named by its Go type.
func AttributeKind(av types.AttributeValue) string {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return "S"
	case *types.AttributeValueMemberN:
		return "N"
	case *types.AttributeValueMemberB:
		return "B"
	case *types.AttributeValueMemberBOOL:
		return "BOOL"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberM:
		return "M"
	case *types.AttributeValueMemberL:
		return "L"
	case *types.AttributeValueMemberSS:
		return "SS"
	case *types.AttributeValueMemberNS:
		return "NS"
	case *types.AttributeValueMemberBS:
		return "BS"
	}
	return fmt.Sprintf("%T", av)
}
