package sqltypes

import (
	"strconv"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Info describes a type as pg_type would (name, fixed length, array type).
type Info struct {
	Name     string // pg_type.typname, e.g. "int4", "_text"
	Len      int16  // pg_type.typlen: fixed size in bytes, -1 variable
	ArrayOID OID    // the array type whose elements are this type (0 if none)
	Elem     OID    // for an array type, its element type (0 otherwise)
	// Elem is pg_type.typelem, so name ("char"), int2vector (int2) and
	// oidvector (oid) have one too; ElemType tells array types apart.

	SQLName  string // format_type() spelling: "integer", "text[]"
	Category byte   // pg_type.typcategory: 'N' numeric, 'S' string, 'A' array ...
	Kind     byte   // pg_type.typtype: 'b' base, 'p' pseudo-type
}

// EncodeText renders v (of SQL type t) in PostgreSQL's text output format.
// nil (SQL NULL) is the caller's concern: it is never passed here. The
// result is never nil, so an empty string is not mistaken for NULL.
func EncodeText(v Value, t OID) ([]byte, error) {
	s, err := FormatText(v, t)
	if err != nil {
		return nil, err
	}
	return append(make([]byte, 0, len(s)), s...), nil
}

// DecodeText parses PostgreSQL's text input format for type t (a parameter
// or a COPY field); errors carry SQLSTATE 22P02 (or 22003 out of range).
func DecodeText(b []byte, t OID) (Value, error) {
	return ParseText(string(b), t)
}

// FormatText is EncodeText as a string. The output function is chosen by
// t; a Go value of another kind than t's (see the package comment) is
// printed by its own kind, so callers that carry loosely typed values (an
// int64 under numeric) still get PostgreSQL's text.
func FormatText(v Value, t OID) (string, error) {
	switch t {
	case Void:
		return "", nil
	case Char:
		if s, ok := v.(string); ok {
			return formatChar(s), nil
		}
	case Int2Vector, OidVector:
		if a, ok := asArray(v); ok {
			return formatVector(a, t)
		}
	case UUID:
		if raw, ok := v.([16]byte); ok {
			return formatUUID(raw), nil
		}
	case Date_:
		if tm, ok := v.(time.Time); ok {
			return FormatDate(DateOf(tm)), nil
		}
	case Timestamp, Timestamptz:
		if d, ok := v.(Date); ok {
			return FormatTimestamp(d.Time(), t == Timestamptz), nil
		}
	case Text, Varchar, Name, Bpchar, Unknown, Aclitem, PgNodeTree:
		if b, ok := v.([]byte); ok {
			return string(b), nil
		}
	}
	return formatByKind(v, t)
}

// formatByKind prints v by its Go type, using t only to pick between the
// variants of one kind (float4/float8, json/jsonb, timestamp/timestamptz).
func formatByKind(v Value, t OID) (string, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return "t", nil
		}
		return "f", nil
	case string:
		return x, nil
	case []byte:
		return FormatBytea(x), nil
	case float64:
		return FormatFloat(x, t), nil
	case float32:
		return FormatFloat(float64(x), Float4), nil
	case *apd.Decimal:
		return FormatNumeric(x), nil
	case apd.Decimal:
		return FormatNumeric(&x), nil
	case JSON:
		return FormatJSON(x, t), nil
	case *JSON:
		return FormatJSON(*x, t), nil
	case Date:
		return FormatDate(x), nil
	case time.Time:
		return FormatTimestamp(x, t == Timestamptz), nil
	case Array:
		return FormatArray(x)
	case *Array:
		return FormatArray(*x)
	}
	if n, ok := toInt64(v); ok {
		return intText(n), nil
	}
	return "", cannotRepresent(v, t)
}

func intText(n int64) string { return strconv.FormatInt(n, 10) }

// toInt64 accepts the Go integer kinds a caller may hold an integer in.
func toInt64(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint8:
		return int64(x), true
	}
	return 0, false
}

func asArray(v Value) (Array, bool) {
	switch x := v.(type) {
	case Array:
		return x, true
	case *Array:
		return *x, true
	}
	return Array{}, false
}

// ParseText is DecodeText for a string: PostgreSQL's input function of t.
// Typmods (varchar(n), numeric(p,s)) are the caller's: they belong to the
// column or cast, not to the type's input function.
func ParseText(s string, t OID) (Value, error) {
	switch t {
	case Text, Varchar, Bpchar, Unknown, Aclitem:
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return s, nil
	case Name:
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return parseName(s), nil
	case Char:
		return parseChar(s), nil
	case Bool:
		return ParseBool(s)
	case Int2, Int4, Int8, Oid, Xid, Regproc, Regclass, Regtype, Regnamespace:
		return ParseInt(s, t)
	case Float4, Float8:
		return ParseFloat(s, t)
	case Numeric:
		return ParseNumeric(s)
	case Bytea:
		return ParseBytea(s)
	case UUID:
		return ParseUUID(s)
	case JSON_, Jsonb:
		return ParseJSON(s, t == Jsonb)
	case Date_:
		return ParseDate(s)
	case Timestamp, Timestamptz:
		return ParseTimestamp(s, t)
	case Int2Vector, OidVector:
		return parseVector(s, t)
	case Void:
		return nil, nil
	}
	if elem, ok := ElemType(t); ok {
		return ParseArray(s, elem)
	}
	return nil, unsupportedIO(t, "input")
}

func unsupportedIO(t OID, what string) error {
	return pgerr.New(pgerr.FeatureNotSupported, "%s of type %s is not supported", what, TypeName(t))
}
