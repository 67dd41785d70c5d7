package sqltypes

import (
	"encoding/hex"
	"math"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
)

func mustNumeric(t testing.TB, s string) *apd.Decimal {
	t.Helper()
	d, err := ParseNumeric(s)
	if err != nil {
		t.Fatalf("ParseNumeric(%q): %v", s, err)
	}
	return d
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := ParseTimestamp(s, Timestamptz)
	if err != nil {
		t.Fatalf("ParseTimestamp(%q): %v", s, err)
	}
	return tm
}

// binaryValues are values of every type with a binary form, NULL array
// elements included; each must survive EncodeBinary → DecodeBinary.
func binaryValues(t testing.TB) []struct {
	t OID
	v Value
} {
	n := func(s string) Value { return mustNumeric(t, s) }
	return []struct {
		t OID
		v Value
	}{
		{Bool, true}, {Bool, false},
		{Int2, int64(math.MinInt16)}, {Int2, int64(math.MaxInt16)},
		{Int4, int64(math.MinInt32)}, {Int4, int64(-1)},
		{Int8, int64(math.MinInt64)}, {Int8, int64(math.MaxInt64)},
		{Oid, int64(math.MaxUint32)}, {Regclass, int64(1259)},
		{Xid, int64(722)}, {Xid, int64(math.MaxUint32)},
		{Float4, 0.1}, {Float4, math.Inf(-1)}, {Float4, math.NaN()},
		{Float8, 0.1}, {Float8, math.Copysign(0, -1)}, {Float8, 5e-324}, {Float8, math.NaN()},
		{Numeric, n("12345678901234567890123456789012345678")},
		{Numeric, n("0.00000000000000000000000000000000000001234")},
		{Numeric, n("-70.30")}, {Numeric, n("0.000")}, {Numeric, n("-12345.6789")},
		{Numeric, n("1e100")}, {Numeric, n("NaN")}, {Numeric, n("-Infinity")},
		{Bytea, []byte{}}, {Bytea, []byte{0, 1, 0xff}},
		{Char, "a"}, {Char, ""}, {Name, "pg_class"}, {Text, "héllo"}, {Varchar, ""},
		{Bpchar, "ab "}, {Unknown, "u"},
		{Date_, Date(0)}, {Date_, Date(-800000)}, {Date_, DateInfinity}, {Date_, DateNegInfinity},
		{Timestamp, mustTime(t, "2024-01-02 03:04:05.123456")},
		{Timestamptz, mustTime(t, "0044-03-15 12:00:00 BC")},
		{Timestamptz, mustTime(t, "294276-12-31 23:59:59.999999")},
		{UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{JSON_, JSON{Node: []any{JSONNumber("1")}, Raw: `[1]`}},
		{Jsonb, ItemToJSON(nil)},
		{Int2Vector, Array{Elem: Int2, Items: []Value{int64(1), int64(2)}}},
		{OidVector, Array{Elem: Oid, Items: []Value{}}},
		{Int4Array, Array{Elem: Int4, Items: []Value{int64(1), nil, int64(3)}}},
		{Int4Array, Array{Elem: Int4, Items: []Value{}}},
		{TextArray, Array{Elem: Text, Items: []Value{"a", nil, "b c", ""}}},
		{NumericArray, Array{Elem: Numeric, Items: []Value{n("1.50"), nil, n("-1e-20")}}},
		{ByteaArray, Array{Elem: Bytea, Items: []Value{[]byte{1}, nil, []byte{}}}},
		{BoolArray, Array{Elem: Bool, Items: []Value{true, nil}}},
		{DateArray, Array{Elem: Date_, Items: []Value{Date(1), nil}}},
		{TimestamptzArr, Array{Elem: Timestamptz, Items: []Value{mustTime(t, "2024-01-02 03:04:05+00"), nil}}},
		{UUIDArray, Array{Elem: UUID, Items: []Value{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", nil}}},
		{JsonbArray, Array{Elem: Jsonb, Items: []Value{JSON{Node: "x"}, nil}}},
		{Float8Array, Array{Elem: Float8, Items: []Value{1.5, nil}}},
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	for _, c := range binaryValues(t) {
		want, err := FormatText(c.v, c.t)
		if err != nil {
			t.Fatalf("%s %#v: %v", TypeName(c.t), c.v, err)
		}
		b, err := EncodeBinary(c.v, c.t)
		if err != nil {
			t.Errorf("%s %s: encode: %v", TypeName(c.t), want, err)
			continue
		}
		if b == nil {
			t.Errorf("%s %s: EncodeBinary returned nil (reads as NULL)", TypeName(c.t), want)
		}
		v, err := DecodeBinary(b, c.t)
		if err != nil {
			t.Errorf("%s %s: decode %x: %v", TypeName(c.t), want, b, err)
			continue
		}
		if got, _ := FormatText(v, c.t); got != want {
			t.Errorf("%s: %q came back as %q (%x)", TypeName(c.t), want, got, b)
		}
	}
}

// TestBinaryBytes pins exact encodings (from PostgreSQL's send functions).
func TestBinaryBytes(t *testing.T) {
	cases := []struct {
		t    OID
		text string
		hex  string
	}{
		{Numeric, "12345.678", "000300010000000300010929" + "1a7c"},
		{Numeric, "0.00000000000000000000000000000000000001234", "0002fff600000029007b0fa0"},
		{Numeric, "-1", "0001000040000000" + "0001"},
		{Numeric, "0.00", "0000000000000002"},
		{Numeric, "NaN", "00000000c0000000"},
		{Int4Array, "{1,NULL}", "00000001000000010000001700000002000000010000000400000001ffffffff"},
		{Int4Array, "{}", "000000000000000000000017"},
		{Date_, "2000-01-02", "00000001"},
		{Timestamptz, "2000-01-01 00:00:01+00", "00000000000f4240"},
		{Jsonb, `{"a":1}`, "01" + hex.EncodeToString([]byte(`{"a": 1}`))},
		{UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc999c0b4ef8bb6d6bb9bd380a11"},
		{Int2Vector, "1 2", "000000010000000000000015000000020000000000000002000100000002" + "0002"},
		{Xid, "4294967295", "ffffffff"},
		{XidArray, "{722}", "0000000100000000" + "0000001c" + "0000000100000001" + "00000004000002d2"},
	}
	for _, c := range cases {
		v, err := DecodeText([]byte(c.text), c.t)
		if err != nil {
			t.Fatalf("%s %q: %v", TypeName(c.t), c.text, err)
		}
		b, err := EncodeBinary(v, c.t)
		if err != nil {
			t.Fatalf("%s %q: %v", TypeName(c.t), c.text, err)
		}
		if got := hex.EncodeToString(b); got != c.hex {
			t.Errorf("%s %q: got %s, want %s", TypeName(c.t), c.text, got, c.hex)
		}
	}
}

func TestBinaryErrors(t *testing.T) {
	h := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		t    OID
		b    []byte
		code string
	}{
		{Int4, h("0001"), "22P03"},
		{Int8, h("00000000000000000000"), "22P03"},
		{Bool, h(""), "22P03"},
		{Float8, h("00"), "22P03"},
		{Numeric, h("000100000000000027"), "22P03"},   // truncated digit
		{Numeric, h("00010000000000002710"), "22P03"}, // digit 10000
		{Numeric, h("0000000012340000"), "22P03"},     // bad sign
		{Numeric, h("000000000000ffff"), "22P03"},     // bad scale
		{UUID, h("00"), "22P03"},
		{Jsonb, h("027b7d"), "22P03"},                                               // version 2
		{Jsonb, h("017b"), "22P02"},                                                 // bad JSON text
		{Text, h("ff"), "22021"},                                                    // not UTF-8
		{Date_, h("7ffffff0"), "22008"},                                             // beyond the date range
		{Timestamp, h("7fffffffffffffff"), "0A000"},                                 // infinity
		{Int4Array, h("000000010000000000000019"), "42804"},                         // text elements
		{Int4Array, h("00000001000000000000001700000002"), "22P03"},                 // truncated header
		{Int4Array, h("000000010000000000000017000000010000000100000008"), "22P03"}, // truncated element
		{Int4Array, h("000000020000000000000017000000010000000100000001"), "0A000"}, // 2-D
		{Int4Array, h("000000010000000200000017000000000000000100"), "22P03"},       // bad flags
	}
	for _, c := range cases {
		v, err := DecodeBinary(c.b, c.t)
		if err == nil {
			t.Errorf("%s %x: decoded to %#v, want %s", TypeName(c.t), c.b, v, c.code)
			continue
		}
		if got := pgerr.CodeOf(err); got != c.code {
			t.Errorf("%s %x: %v has code %s, want %s", TypeName(c.t), c.b, err, got, c.code)
		}
	}
}

func TestEncodeBinaryRefusesWrongGoType(t *testing.T) {
	for _, c := range []struct {
		t OID
		v Value
	}{{Int4, "1"}, {Bool, int64(1)}, {Int2, int64(1 << 20)}, {Timestamptz, "now"}, {Int4Array, int64(1)}} {
		if _, err := EncodeBinary(c.v, c.t); err == nil {
			t.Errorf("%s %#v: no error", TypeName(c.t), c.v)
		}
	}
}
