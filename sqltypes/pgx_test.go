package sqltypes

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgx/v5/pgtype"
)

// numericFromPgx turns pgx's Numeric into a decimal for comparison.
func numericFromPgx(t *testing.T, n pgtype.Numeric) *apd.Decimal {
	t.Helper()
	switch {
	case n.NaN:
		return &apd.Decimal{Form: apd.NaN}
	case n.InfinityModifier != pgtype.Finite:
		return &apd.Decimal{Form: apd.Infinite, Negative: n.InfinityModifier == pgtype.NegativeInfinity}
	}
	var c apd.BigInt
	c.SetMathBigInt(n.Int)
	return apd.NewWithBigInt(&c, n.Exp)
}

func sameDecimal(a, b *apd.Decimal) bool {
	if a.Form != apd.Finite || b.Form != apd.Finite {
		return a.Form == b.Form && a.Negative == b.Negative
	}
	return a.Cmp(b) == 0
}

// TestOurBinaryReadByPgx encodes with EncodeBinary and scans with pgx's
// codecs (what a Go client of fazproxy runs).
func TestOurBinaryReadByPgx(t *testing.T) {
	m := pgtype.NewMap()
	scan := func(oid OID, v Value, dst any) {
		t.Helper()
		b, err := EncodeBinary(v, oid)
		if err != nil {
			t.Fatalf("%s: %v", TypeName(oid), err)
		}
		if err := m.Scan(oid, pgtype.BinaryFormatCode, b, dst); err != nil {
			t.Fatalf("%s %x: pgx: %v", TypeName(oid), b, err)
		}
	}
	var i8 int64
	scan(Int8, int64(-9223372036854775808), &i8)
	var i4 int32
	scan(Int4, int64(-7), &i4)
	var i2 int16
	scan(Int2, int64(300), &i2)
	var f8 float64
	scan(Float8, 0.1, &f8)
	var f4 float32
	scan(Float4, 0.1, &f4)
	if i8 != -9223372036854775808 || i4 != -7 || i2 != 300 || f8 != 0.1 || f4 != float32(0.1) {
		t.Errorf("ints/floats: %d %d %d %v %v", i8, i4, i2, f8, f4)
	}
	for _, s := range []string{"12345678901234567890123456789012345678", "0.00000000000000000000000000000000000001234",
		"-70.30", "-0.5", "0", "1e30", "NaN", "Infinity", "-Infinity"} {
		want := mustNumeric(t, s)
		var n pgtype.Numeric
		scan(Numeric, want, &n)
		if got := numericFromPgx(t, n); !sameDecimal(got, want) {
			t.Errorf("numeric %s: pgx read %s", s, FormatNumeric(got))
		}
	}
	for _, d := range []Date{0, -1, 9000, DateInfinity, DateNegInfinity} {
		var pd pgtype.Date
		scan(Date_, d, &pd)
		switch d {
		case DateInfinity:
			if pd.InfinityModifier != pgtype.Infinity {
				t.Errorf("date infinity: %+v", pd)
			}
		case DateNegInfinity:
			if pd.InfinityModifier != pgtype.NegativeInfinity {
				t.Errorf("date -infinity: %+v", pd)
			}
		default:
			if !pd.Time.Equal(d.Time()) {
				t.Errorf("date %s: pgx read %s", FormatDate(d), pd.Time)
			}
		}
	}
	ts := mustTime(t, "2024-02-29 12:34:56.789012+00")
	var tz time.Time
	scan(Timestamptz, ts, &tz)
	if !tz.Equal(ts) {
		t.Errorf("timestamptz: pgx read %s", tz)
	}
	var u pgtype.UUID
	scan(UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", &u)
	if formatUUID(u.Bytes) != "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" {
		t.Errorf("uuid: %x", u.Bytes)
	}
	var ints []*int32
	scan(Int4Array, Array{Elem: Int4, Items: []Value{int64(1), nil, int64(3)}}, &ints)
	if len(ints) != 3 || *ints[0] != 1 || ints[1] != nil || *ints[2] != 3 {
		t.Errorf("int4[]: %v", ints)
	}
	var strs []*string
	scan(TextArray, Array{Elem: Text, Items: []Value{"a b", nil}}, &strs)
	if len(strs) != 2 || *strs[0] != "a b" || strs[1] != nil {
		t.Errorf("text[]: %v", strs)
	}
	var nums []pgtype.Numeric
	scan(NumericArray, Array{Elem: Numeric, Items: []Value{mustNumeric(t, "1.50"), mustNumeric(t, "-2")}}, &nums)
	if len(nums) != 2 || !sameDecimal(numericFromPgx(t, nums[0]), mustNumeric(t, "1.5")) {
		t.Errorf("numeric[]: %v", nums)
	}
	var js map[string]any
	j, _ := ParseJSON(`{"b": [1, 2], "a": "x"}`, true)
	scan(Jsonb, j, &js)
	if js["a"] != "x" || len(js["b"].([]any)) != 2 {
		t.Errorf("jsonb: %v", js)
	}
}

// TestPgxBinaryReadByUs encodes with pgx and decodes with DecodeBinary
// (what a Go client sends as parameters), checking the text we print.
func TestPgxBinaryReadByUs(t *testing.T) {
	m := pgtype.NewMap()
	big38, _ := new(big.Int).SetString("12345678901234567890123456789012345678", 10)
	cases := []struct {
		oid  OID
		v    any
		want string
	}{
		{Int8, int64(-42), "-42"},
		{Int4, int32(2147483647), "2147483647"},
		{Int2, int16(-5), "-5"},
		{Float8, 1e100, "1e+100"},
		{Float4, float32(1.5), "1.5"},
		{Numeric, pgtype.Numeric{Int: big38, Exp: 0, Valid: true}, "12345678901234567890123456789012345678"},
		{Numeric, pgtype.Numeric{Int: big38, Exp: -80, Valid: true},
			"0." + strings.Repeat("0", 42) + "12345678901234567890123456789012345678"},
		{Numeric, pgtype.Numeric{Int: big.NewInt(-7030), Exp: -2, Valid: true}, "-70.30"},
		{Numeric, pgtype.Numeric{Int: big.NewInt(5), Exp: 3, Valid: true}, "5000"},
		{Numeric, pgtype.Numeric{NaN: true, Valid: true}, "NaN"},
		{Date_, pgtype.Date{Time: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), Valid: true}, "1999-12-31"},
		{Date_, pgtype.Date{InfinityModifier: pgtype.Infinity, Valid: true}, "infinity"},
		{Timestamptz, time.Date(2024, 2, 29, 12, 0, 0, 1000, time.FixedZone("x", 3600)), "2024-02-29 11:00:00.000001+00"},
		{Timestamp, pgtype.Timestamp{Time: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Valid: true}, "0001-01-01 00:00:00"},
		{UUID, pgtype.UUID{Bytes: [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}, Valid: true},
			"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{Int4Array, []*int32{ptr(int32(1)), nil}, "{1,NULL}"},
		{TextArray, []string{"a", "b c", ""}, `{a,"b c",""}`},
		{Int8Array, []int64{}, "{}"},
		{Float8Array, []float64{0.5}, "{0.5}"},
		{Jsonb, map[string]any{"b": []any{1, 2}, "a": 1}, `{"a": 1, "b": [1, 2]}`},
		{JSON_, map[string]any{"a": 1}, `{"a":1}`},
		{Bytea, []byte{1, 2}, `\x0102`},
		{Bool, true, "t"},
	}
	for _, c := range cases {
		b, err := m.Encode(c.oid, pgtype.BinaryFormatCode, c.v, nil)
		if err != nil {
			t.Fatalf("%s %v: pgx encode: %v", TypeName(c.oid), c.v, err)
		}
		v, err := DecodeBinary(b, c.oid)
		if err != nil {
			t.Errorf("%s %x: %v", TypeName(c.oid), b, err)
			continue
		}
		if got, _ := FormatText(v, c.oid); got != c.want {
			t.Errorf("%s: got %q, want %q", TypeName(c.oid), got, c.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
