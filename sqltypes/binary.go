package sqltypes

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// EncodeBinary renders v in PostgreSQL's binary send format for type t.
// The result is never nil (an empty bytea is an empty, non-NULL value).
func EncodeBinary(v Value, t OID) ([]byte, error) {
	return appendBinary(make([]byte, 0, 16), v, t)
}

// appendBinary appends the send format of v (type t) to buf.
func appendBinary(buf []byte, v Value, t OID) ([]byte, error) {
	switch t {
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		if b {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case Int2, Int4, Int8, Oid, Xid, Regproc, Regclass, Regtype, Regnamespace:
		return appendBinaryInt(buf, v, t)
	case Float4, Float8:
		return appendBinaryFloat(buf, v, t)
	case Numeric:
		d, err := toDecimal(v)
		if err != nil {
			return nil, err
		}
		return appendNumeric(buf, d)
	case Char:
		s, ok := v.(string)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		if s == "" {
			return append(buf, 0), nil
		}
		return append(buf, s[0]), nil
	case Date_:
		return appendBinaryDate(buf, v)
	case Timestamp, Timestamptz:
		tm, ok := v.(time.Time)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		return binary.BigEndian.AppendUint64(buf, uint64(timestampMicros(tm))), nil
	case UUID:
		return appendBinaryUUID(buf, v)
	case Jsonb:
		s, err := FormatText(v, t)
		return append(append(buf, 1), s...), err
	case Int2Vector, OidVector:
		return appendVector(buf, v, t)
	case Void:
		return buf, nil
	case Aclitem, Record, Interval:
		return nil, unsupportedIO(t, "binary output")
	}
	if elem, ok := ElemType(t); ok {
		a, ok := asArray(v)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		return appendArray(buf, a, elem, 1, true)
	}
	// bytea, text and the other string types send their bytes (json too).
	s, err := FormatText(v, t)
	if b, ok := v.([]byte); ok && t == Bytea {
		return append(buf, b...), nil
	}
	return append(buf, s...), err
}

func appendBinaryInt(buf []byte, v Value, t OID) ([]byte, error) {
	n, ok := toInt64(v)
	if !ok {
		return nil, cannotRepresent(v, t)
	}
	if lo, hi := IntRange(t); n < lo || n > hi {
		return nil, typeOutOfRange(t)
	}
	switch t {
	case Int2:
		return binary.BigEndian.AppendUint16(buf, uint16(n)), nil
	case Int8:
		return binary.BigEndian.AppendUint64(buf, uint64(n)), nil
	}
	return binary.BigEndian.AppendUint32(buf, uint32(n)), nil
}

func appendBinaryFloat(buf []byte, v Value, t OID) ([]byte, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	default:
		n, ok := toInt64(v)
		if !ok {
			return nil, cannotRepresent(v, t)
		}
		f = float64(n)
	}
	if t == Float4 {
		bits := math.Float32bits(float32(f))
		if f != f {
			bits = 0x7fc00000 // the NaN PostgreSQL sends (get_float4_nan)
		}
		return binary.BigEndian.AppendUint32(buf, bits), nil
	}
	bits := math.Float64bits(f)
	if f != f {
		bits = 0x7ff8000000000000 // get_float8_nan
	}
	return binary.BigEndian.AppendUint64(buf, bits), nil
}

func appendBinaryDate(buf []byte, v Value) ([]byte, error) {
	var d Date
	switch x := v.(type) {
	case Date:
		d = x
	case time.Time:
		d = DateOf(x)
	default:
		return nil, cannotRepresent(v, Date_)
	}
	return binary.BigEndian.AppendUint32(buf, uint32(int32(d))), nil
}

func appendBinaryUUID(buf []byte, v Value) ([]byte, error) {
	switch x := v.(type) {
	case [16]byte:
		return append(buf, x[:]...), nil
	case string:
		raw, err := uuidBytes(x)
		if err != nil {
			return nil, err
		}
		return append(buf, raw[:]...), nil
	}
	return nil, cannotRepresent(v, UUID)
}

// toDecimal accepts the Go kinds a numeric may be carried in.
func toDecimal(v Value) (*apd.Decimal, error) {
	switch x := v.(type) {
	case *apd.Decimal:
		return x, nil
	case apd.Decimal:
		return &x, nil
	case float64:
		return decimalFromFloat(x)
	}
	if n, ok := toInt64(v); ok {
		return apd.New(n, 0), nil
	}
	return nil, cannotRepresent(v, Numeric)
}

// decimalFromFloat is float8 → numeric: PostgreSQL keeps 15 significant
// digits (DBL_DIG).
func decimalFromFloat(f float64) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(f):
		return &apd.Decimal{Form: apd.NaN}, nil
	case math.IsInf(f, 0):
		return &apd.Decimal{Form: apd.Infinite, Negative: f < 0}, nil
	}
	return ParseNumeric(strconv.FormatFloat(f, 'g', 15, 64))
}

// DecodeBinary parses PostgreSQL's binary receive format for type t;
// errors carry SQLSTATE 22P03.
func DecodeBinary(b []byte, t OID) (Value, error) {
	switch t {
	case Bool:
		if len(b) != 1 {
			return nil, invalidBinary(t, "expected 1 byte, got %d", len(b))
		}
		return b[0] != 0, nil
	case Int2, Int4, Int8, Oid, Xid, Regproc, Regclass, Regtype, Regnamespace:
		return decodeBinaryInt(b, t)
	case Float4, Float8:
		return decodeBinaryFloat(b, t)
	case Numeric:
		return decodeNumeric(b)
	case Char:
		if len(b) != 1 {
			return nil, invalidBinary(t, "expected 1 byte, got %d", len(b))
		}
		if b[0] == 0 {
			return "", nil
		}
		return string(b), nil
	case Bytea:
		return append([]byte{}, b...), nil
	case Date_:
		return decodeBinaryDate(b)
	case Timestamp, Timestamptz:
		return decodeBinaryTimestamp(b, t)
	case UUID:
		if len(b) != 16 {
			return nil, invalidBinary(t, "expected 16 bytes, got %d", len(b))
		}
		return formatUUID([16]byte(b)), nil
	case Jsonb:
		if len(b) == 0 || b[0] != 1 {
			return nil, invalidBinary(t, "unsupported jsonb version number")
		}
		return decodeTextPayload(b[1:], t)
	case Int2Vector, OidVector:
		return decodeVector(b, t)
	case Void:
		return nil, nil
	case Text, Varchar, Bpchar, Name, Unknown, JSON_:
		return decodeTextPayload(b, t)
	}
	if elem, ok := ElemType(t); ok {
		return decodeArray(b, elem)
	}
	return nil, unsupportedIO(t, "binary input")
}

// decodeTextPayload handles the types whose binary form is their text.
func decodeTextPayload(b []byte, t OID) (Value, error) {
	if err := checkUTF8(string(b)); err != nil {
		return nil, err
	}
	return ParseText(string(b), t)
}

func decodeBinaryInt(b []byte, t OID) (Value, error) {
	switch {
	case t == Int2 && len(b) == 2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case t == Int4 && len(b) == 4:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case t == Int8 && len(b) == 8:
		return int64(binary.BigEndian.Uint64(b)), nil
	case isOIDType(t) && len(b) == 4:
		return int64(binary.BigEndian.Uint32(b)), nil
	}
	return nil, invalidBinary(t, "unexpected length %d", len(b))
}

func decodeBinaryFloat(b []byte, t OID) (Value, error) {
	switch {
	case t == Float4 && len(b) == 4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case t == Float8 && len(b) == 8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	}
	return nil, invalidBinary(t, "unexpected length %d", len(b))
}

func decodeBinaryDate(b []byte) (Value, error) {
	if len(b) != 4 {
		return nil, invalidBinary(Date_, "expected 4 bytes, got %d", len(b))
	}
	d := Date(int32(binary.BigEndian.Uint32(b)))
	if d != DateInfinity && d != DateNegInfinity && (d < minDate || d >= endDate) {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range")
	}
	return d, nil
}

func decodeBinaryTimestamp(b []byte, t OID) (Value, error) {
	if len(b) != 8 {
		return nil, invalidBinary(t, "expected 8 bytes, got %d", len(b))
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return nil, pgerr.Unsupported("infinite timestamps", "")
	}
	if us < minTimestamp || us >= endTimestamp {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range")
	}
	return timestampFromMicros(us), nil
}
