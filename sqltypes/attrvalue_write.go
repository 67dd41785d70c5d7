package sqltypes

import (
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// DynamoDB's number limits: 38 significant digits, magnitudes from 1E-130
// up to 9.9999999999999999999999999999999999999E+125.
const (
	dynamoMaxDigits = 38
	dynamoMinAdjExp = -130
	dynamoMaxAdjExp = 125
)

// ToAttribute converts a SQL value of type t to the attribute DynamoDB
// stores (spec/types.md "Writing"); nil (SQL NULL) returns (nil, nil): the
// caller removes the attribute. An empty set also returns (nil, nil), since
// DynamoDB rejects empty sets, and duplicates in a set are dropped. Dates
// and timestamps become S in ISO 8601 ("2024-01-02T03:04:05.5Z"), which
// FromAttribute reads back; other arrays become L.
func ToAttribute(v Value, t OID) (types.AttributeValue, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case Text, Varchar, Name, Bpchar, Char, Unknown, UUID, Aclitem:
		s, err := FormatText(v, t)
		return &types.AttributeValueMemberS{Value: s}, err
	case Int2, Int4, Int8, Oid, Xid, Regproc, Regclass, Regtype, Regnamespace, Numeric, Float4, Float8:
		s, err := dynamoNumber(v, t)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberN{Value: s}, nil
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		return &types.AttributeValueMemberBOOL{Value: b}, nil
	case Bytea:
		b, ok := v.([]byte)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		return &types.AttributeValueMemberB{Value: b}, nil
	case JSON_, Jsonb:
		return jsonToAttribute(v)
	case Date_, Timestamp, Timestamptz:
		s, err := isoText(v, t)
		return &types.AttributeValueMemberS{Value: s}, err
	}
	if elem, ok := ElemType(t); ok {
		a, ok := asArray(v)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		return arrayToAttribute(a, elem)
	}
	return nil, pgerr.Unsupported("storing a value of type "+TypeName(t)+" in DynamoDB", "Cast it to text.")
}

// dynamoNumber is the N text of a numeric value, refused (22003) when
// DynamoDB cannot store it: NaN, infinities, more than 38 significant digits
// or a magnitude outside 1E-130 .. 1E+126.
func dynamoNumber(v Value, t OID) (string, error) {
	var d *apd.Decimal
	var err error
	if f, ok := v.(float64); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
		bits := 64
		if t == Float4 {
			bits = 32
		}
		d, err = ParseNumeric(strconv.FormatFloat(f, 'g', -1, bits))
	} else {
		d, err = toDecimal(v)
	}
	if err != nil {
		return "", err
	}
	return DynamoNumberText(d)
}

// DynamoNumberText checks that DynamoDB can store d and returns its N text
// (trailing fractional zeros dropped, as DynamoDB would).
func DynamoNumberText(d *apd.Decimal) (string, error) {
	if d.Form != apd.Finite {
		return "", pgerr.New(pgerr.NumericValueOutOfRange, "DynamoDB cannot store %s", FormatNumeric(d))
	}
	if d.IsZero() {
		return "0", nil
	}
	var r apd.Decimal
	r.Reduce(d)
	if r.NumDigits() > dynamoMaxDigits {
		return "", pgerr.New(pgerr.NumericValueOutOfRange,
			"number has more than %d significant digits, which DynamoDB cannot store", dynamoMaxDigits)
	}
	if adj := r.NumDigits() + int64(r.Exponent) - 1; adj < dynamoMinAdjExp || adj > dynamoMaxAdjExp {
		return "", pgerr.New(pgerr.NumericValueOutOfRange, "number is outside DynamoDB's range (1E-130 to 1E+126)")
	}
	c, err := canonicalNumeric(&r)
	if err != nil {
		return "", err
	}
	return FormatNumeric(c), nil
}

// isoText is a date or timestamp in ISO 8601, the convention of DynamoDB
// applications.
func isoText(v Value, t OID) (string, error) {
	var tm time.Time
	switch x := v.(type) {
	case Date:
		if x == DateInfinity || x == DateNegInfinity {
			return FormatDate(x), nil
		}
		tm = x.Time()
	case time.Time:
		tm = x.UTC()
	default:
		return "", cannotRepresent(v, t)
	}
	if tm.Year() < 1 || tm.Year() > 9999 {
		return FormatText(v, t) // outside ISO 8601's plain years: PostgreSQL's text
	}
	switch t {
	case Date_:
		return tm.Format("2006-01-02"), nil
	case Timestamp:
		return tm.Format("2006-01-02T15:04:05.999999"), nil
	}
	return tm.Format("2006-01-02T15:04:05.999999Z"), nil
}

// jsonToAttribute maps a json value: object→M, array→L, string→S,
// number→N (exact text), bool→BOOL, null→NULL.
func jsonToAttribute(v Value) (types.AttributeValue, error) {
	switch x := v.(type) {
	case JSON:
		return jsonNodeToAttribute(x.Node, 0)
	case *JSON:
		return jsonNodeToAttribute(x.Node, 0)
	}
	return nil, cannotRepresent(v, Jsonb)
}

func jsonNodeToAttribute(n any, depth int) (types.AttributeValue, error) {
	if depth > maxJSONDepth {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded, "stack depth limit exceeded")
	}
	switch x := n.(type) {
	case nil:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case bool:
		return &types.AttributeValueMemberBOOL{Value: x}, nil
	case string:
		return &types.AttributeValueMemberS{Value: x}, nil
	case JSONNumber:
		d, err := ParseNumeric(string(x))
		if err != nil {
			return nil, err
		}
		s, err := DynamoNumberText(d)
		return &types.AttributeValueMemberN{Value: s}, err
	case []any:
		out := make([]types.AttributeValue, len(x))
		for i, e := range x {
			av, err := jsonNodeToAttribute(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = av
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case *JSONObject:
		out := make(map[string]types.AttributeValue, len(x.Keys))
		for _, k := range x.Keys {
			av, err := jsonNodeToAttribute(x.Values[k], depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = av
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	case JSON:
		return jsonNodeToAttribute(x.Node, depth)
	case map[string]any:
		keys := make([]string, 0, len(x))
		vals := make([]any, 0, len(x))
		for k, e := range x {
			keys, vals = append(keys, k), append(vals, e)
		}
		return jsonNodeToAttribute(NewJSONObject(keys, vals, true), depth)
	}
	s, err := dynamoNumber(n, Numeric)
	if err != nil {
		return nil, err
	}
	return &types.AttributeValueMemberN{Value: s}, nil
}

// arrayToAttribute: text arrays → SS, numeric arrays → NS, bytea[] → BS
// (deduplicated; NULL elements refused with 22004; empty → removed); any
// other array → L.
func arrayToAttribute(a Array, elem OID) (types.AttributeValue, error) {
	kind := setKind(elem)
	if kind == 0 {
		return listAttribute(a, elem)
	}
	if len(a.Items) == 0 {
		return nil, nil
	}
	seen := make(map[string]bool, len(a.Items))
	var strs []string
	var bins [][]byte
	for _, it := range a.Items {
		if it == nil {
			return nil, pgerr.New(pgerr.NullValueNotAllowed, "DynamoDB sets cannot hold NULL elements")
		}
		av, err := ToAttribute(it, elem)
		if err != nil {
			return nil, err
		}
		key, b := setMemberKey(av)
		if seen[key] {
			continue
		}
		seen[key] = true
		strs, bins = append(strs, key), append(bins, b)
	}
	switch kind {
	case 'S':
		return &types.AttributeValueMemberSS{Value: strs}, nil
	case 'N':
		return &types.AttributeValueMemberNS{Value: strs}, nil
	}
	return &types.AttributeValueMemberBS{Value: bins}, nil
}

func setKind(elem OID) byte {
	switch elem {
	case Text, Varchar, Name, Bpchar, Char, UUID:
		return 'S'
	case Int2, Int4, Int8, Oid, Numeric, Float4, Float8:
		return 'N'
	case Bytea:
		return 'B'
	}
	return 0
}

// setMemberKey is the identity DynamoDB uses for set members (numbers are
// already in their reduced text, so 1.0 and 1 collide as they do there).
func setMemberKey(av types.AttributeValue) (string, []byte) {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return x.Value, nil
	case *types.AttributeValueMemberN:
		return x.Value, nil
	case *types.AttributeValueMemberB:
		return string(x.Value), x.Value
	}
	return "", nil
}

func listAttribute(a Array, elem OID) (types.AttributeValue, error) {
	out := make([]types.AttributeValue, len(a.Items))
	for i, it := range a.Items {
		av, err := ToAttribute(it, elem)
		if err != nil {
			return nil, err
		}
		if av == nil {
			av = &types.AttributeValueMemberNULL{Value: true}
		}
		out[i] = av
	}
	return &types.AttributeValueMemberL{Value: out}, nil
}
