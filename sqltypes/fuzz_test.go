package sqltypes

import (
	"testing"
)

// fuzzOIDs are the types the fuzz targets pick from (by index, so the
// fuzzer does not waste time on unknown OIDs).
var fuzzOIDs = []OID{
	Bool, Bytea, Char, Name, Int8, Int2, Int2Vector, Int4, Text, Oid, OidVector, JSON_, Float4, Float8,
	Varchar, Date_, Timestamp, Timestamptz, Numeric, UUID, Jsonb, Int4Array, TextArray, NumericArray,
	ByteaArray, JsonbArray, TimestamptzArr, DateArray, Float8Array, BoolArray, UUIDArray,
}

func fuzzOID(i uint8) OID { return fuzzOIDs[int(i)%len(fuzzOIDs)] }

func oidIndex(t OID) uint8 {
	for i, o := range fuzzOIDs {
		if o == t {
			return uint8(i)
		}
	}
	return 0
}

// FuzzDecodeText: DecodeText never panics, and whatever it accepts prints
// as text that reads back to the same text.
func FuzzDecodeText(f *testing.F) {
	for _, c := range textCases {
		f.Add(oidIndex(c.t), []byte(c.in))
	}
	f.Fuzz(func(t *testing.T, i uint8, data []byte) {
		typ := fuzzOID(i)
		v, err := DecodeText(data, typ)
		if err != nil || v == nil {
			return
		}
		out, err := EncodeText(v, typ)
		if err != nil {
			t.Fatalf("%s %q decoded but does not encode: %v", TypeName(typ), data, err)
		}
		v2, err := DecodeText(out, typ)
		if err != nil {
			t.Fatalf("%s %q printed as %q, which does not read back: %v", TypeName(typ), data, out, err)
		}
		if out2, _ := EncodeText(v2, typ); string(out2) != string(out) && typ != Char {
			t.Fatalf("%s %q printed as %q then %q", TypeName(typ), data, out, out2)
		}
	})
}

// FuzzDecodeBinary: DecodeBinary never panics, and whatever it accepts
// encodes to bytes that decode to the same value.
func FuzzDecodeBinary(f *testing.F) {
	for _, c := range binaryValues(f) {
		if b, err := EncodeBinary(c.v, c.t); err == nil {
			f.Add(oidIndex(c.t), b)
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, data []byte) {
		typ := fuzzOID(i)
		v, err := DecodeBinary(data, typ)
		if err != nil || v == nil {
			return
		}
		want, err := FormatText(v, typ)
		if err != nil {
			t.Fatalf("%s %x decoded to %#v, which does not print: %v", TypeName(typ), data, v, err)
		}
		b, err := EncodeBinary(v, typ)
		if err != nil {
			t.Fatalf("%s %x decoded to %q, which does not encode: %v", TypeName(typ), data, want, err)
		}
		v2, err := DecodeBinary(b, typ)
		if err != nil {
			t.Fatalf("%s %x re-encoded as %x, which does not decode: %v", TypeName(typ), data, b, err)
		}
		if got, _ := FormatText(v2, typ); got != want {
			t.Fatalf("%s %x: %q came back as %q", TypeName(typ), data, want, got)
		}
	})
}
