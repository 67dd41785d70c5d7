package sqltypes

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

type (
	avS    = types.AttributeValueMemberS
	avN    = types.AttributeValueMemberN
	avB    = types.AttributeValueMemberB
	avBOOL = types.AttributeValueMemberBOOL
	avNULL = types.AttributeValueMemberNULL
	avM    = types.AttributeValueMemberM
	avL    = types.AttributeValueMemberL
	avSS   = types.AttributeValueMemberSS
	avNS   = types.AttributeValueMemberNS
	avBS   = types.AttributeValueMemberBS
)

// avString renders an attribute deterministically for comparisons.
func avString(av types.AttributeValue) string {
	switch x := av.(type) {
	case nil:
		return "<none>"
	case *avS:
		return fmt.Sprintf("S(%q)", x.Value)
	case *avN:
		return "N(" + x.Value + ")"
	case *avB:
		return fmt.Sprintf("B(%x)", x.Value)
	case *avBOOL:
		return fmt.Sprintf("BOOL(%v)", x.Value)
	case *avNULL:
		return "NULL"
	case *avSS:
		return fmt.Sprintf("SS%q", x.Value)
	case *avNS:
		return fmt.Sprintf("NS%v", x.Value)
	case *avBS:
		return fmt.Sprintf("BS%x", x.Value)
	case *avL:
		parts := make([]string, len(x.Value))
		for i, e := range x.Value {
			parts[i] = avString(e)
		}
		return "L[" + strings.Join(parts, " ") + "]"
	case *avM:
		keys := make([]string, 0, len(x.Value))
		for k := range x.Value {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + avString(x.Value[k])
		}
		return "M{" + strings.Join(parts, " ") + "}"
	}
	return fmt.Sprintf("%T", av)
}

var nestedM = &avM{Value: map[string]types.AttributeValue{
	"b": &avN{Value: "1.50"},
	"a": &avL{Value: []types.AttributeValue{&avS{Value: "x"}, &avBOOL{Value: true}, &avNULL{Value: true},
		&avB{Value: []byte{1}}, &avM{Value: map[string]types.AttributeValue{}}}},
	"cc": &avN{Value: "12345678901234567890123456789012345678"},
}}

func TestFromAttribute(t *testing.T) {
	cases := []struct {
		av   types.AttributeValue
		want OID
		out  string // FormatText of the result as want; "<nil>" for SQL NULL
		code string
	}{
		{nil, Text, "<nil>", ""},
		{&avNULL{Value: true}, Int4, "<nil>", ""},
		{&avS{Value: "abc"}, Text, "abc", ""},
		{&avN{Value: "70.30"}, Numeric, "70.30", ""},
		{&avN{Value: "-12345678901234567890123456789012345678"}, Numeric, "-12345678901234567890123456789012345678", ""},
		{&avN{Value: "1E-130"}, Numeric, "0." + strings.Repeat("0", 129) + "1", ""},
		{&avB{Value: []byte{0, 0xff}}, Bytea, `\x00ff`, ""},
		{&avBOOL{Value: true}, Bool, "t", ""},
		{nestedM, Jsonb, `{"a": ["x", true, null, "AQ==", {}], "b": 1.50, "cc": 12345678901234567890123456789012345678}`, ""},
		{&avL{Value: []types.AttributeValue{&avN{Value: "1"}, &avS{Value: "2"}}}, Jsonb, `[1, "2"]`, ""},
		{&avSS{Value: []string{"a", "b c"}}, TextArray, `{a,"b c"}`, ""},
		{&avNS{Value: []string{"1", "2.5"}}, NumericArray, `{1,2.5}`, ""},
		{&avBS{Value: [][]byte{{1}}}, ByteaArray, `{"\\x01"}`, ""},
		{&avS{Value: "abc"}, Jsonb, `"abc"`, ""},
		{&avN{Value: "5"}, Jsonb, `5`, ""},
		{&avSS{Value: []string{"a"}}, Jsonb, `["a"]`, ""},
		{&avB{Value: []byte("hi")}, Jsonb, `"aGk="`, ""},
		{&avN{Value: "12.5"}, Int8, "13", ""},
		{&avN{Value: "-12.5"}, Int8, "-13", ""},
		{&avN{Value: "3.4"}, Int4, "3", ""},
		{&avN{Value: "1e20"}, Int8, "", "22003"},
		{&avN{Value: "40000"}, Int2, "", "22003"},
		{&avN{Value: "0.1"}, Float8, "0.1", ""},
		{&avN{Value: "70.30"}, Text, "70.30", ""},
		{&avN{Value: "7"}, Varchar, "7", ""},
		{&avS{Value: "42"}, Int4, "42", ""},
		{&avS{Value: "abc"}, Int4, "", "22P02"},
		{&avS{Value: "2024-01-02T03:04:05Z"}, Timestamptz, "2024-01-02 03:04:05+00", ""},
		{&avS{Value: "2024-01-02"}, Date_, "2024-01-02", ""},
		{&avS{Value: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}, UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", ""},
		{&avBOOL{Value: false}, Text, "false", ""},
		{&avBOOL{Value: true}, Int4, "1", ""},
		{&avB{Value: []byte{1}}, Text, `\x01`, ""},
		{&avM{Value: map[string]types.AttributeValue{"a": &avN{Value: "1"}}}, Text, `{"a": 1}`, ""},
		{&avSS{Value: []string{"1", "2"}}, Int4Array, "{1,2}", ""},
		{&avNS{Value: []string{"1.5", "-2"}}, Int8Array, "{-2,2}", ""},
		{&avBOOL{Value: true}, Date_, "", "22P02"},
		{&avN{Value: "1"}, Bool, "", "22P02"},
		{&avN{Value: "abc"}, Numeric, "", "22P02"},
		{&avNS{Value: []string{"x"}}, NumericArray, "", "22P02"},
	}
	for _, c := range cases {
		name := avString(c.av) + " as " + TypeName(c.want)
		v, err := FromAttribute(c.av, c.want)
		if c.code != "" {
			if got := pgerr.CodeOf(err); err == nil || got != c.code {
				t.Errorf("%s: got %#v, %v; want code %s", name, v, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := "<nil>"
		if v != nil {
			if got, err = FormatText(v, c.want); err != nil {
				t.Errorf("%s: format %#v: %v", name, v, err)
				continue
			}
		}
		if got != c.out {
			t.Errorf("%s: got %q, want %q", name, got, c.out)
		}
	}
}

func TestToAttribute(t *testing.T) {
	js := func(s string) Value {
		j, err := ParseJSON(s, true)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	n := func(s string) Value { return mustNumeric(t, s) }
	arr := func(elem OID, items ...Value) Value { return Array{Elem: elem, Items: items} }
	ts, _ := ParseTimestamp("2024-01-02 03:04:05.5+00", Timestamptz)
	cases := []struct {
		v    Value
		t    OID
		out  string
		code string
	}{
		{nil, Text, "<none>", ""},
		{"x", Text, `S("x")`, ""},
		{"", Varchar, `S("")`, ""},
		{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", UUID, `S("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")`, ""},
		{int64(5), Int4, "N(5)", ""},
		{int64(-9223372036854775808), Int8, "N(-9223372036854775808)", ""},
		{n("70.30"), Numeric, "N(70.3)", ""},
		{n("-0.00"), Numeric, "N(0)", ""},
		{n("12345678901234567890123456789012345678"), Numeric, "N(12345678901234567890123456789012345678)", ""},
		{n("0.00000000000000000000000000000000000001234"), Numeric, "N(0.00000000000000000000000000000000000001234)", ""},
		{n("-1e125"), Numeric, "N(-1" + strings.Repeat("0", 125) + ")", ""},
		{n("1e-130"), Numeric, "N(0." + strings.Repeat("0", 129) + "1)", ""},
		{n("123456789012345678901234567890123456789"), Numeric, "", "22003"},
		{n("1e126"), Numeric, "", "22003"},
		{n("1e-131"), Numeric, "", "22003"},
		{n("NaN"), Numeric, "", "22003"},
		{n("-Infinity"), Numeric, "", "22003"},
		{0.1, Float8, "N(0.1)", ""},
		{0.1, Float4, "N(0.1)", ""},
		{1e300, Float8, "", "22003"},
		{float64(0) / zero(), Float8, "", "22003"},
		{true, Bool, "BOOL(true)", ""},
		{[]byte{1, 2}, Bytea, "B(0102)", ""},
		{js(`{"a": [1.50, "x", null, true], "b": {"c": 12345678901234567890123456789012345678}}`), Jsonb,
			`M{a:L[N(1.5) S("x") NULL BOOL(true)] b:M{c:N(12345678901234567890123456789012345678)}}`, ""},
		{js(`[]`), Jsonb, "L[]", ""},
		{js(`"s"`), Jsonb, `S("s")`, ""},
		{js(`-2.50`), Jsonb, "N(-2.5)", ""},
		{js(`null`), Jsonb, "NULL", ""},
		{js(`[1e200]`), Jsonb, "", "22003"},
		{arr(Text, "a", "b", "a"), TextArray, `SS["a" "b"]`, ""},
		{arr(Varchar, "v"), VarcharArray, `SS["v"]`, ""},
		{arr(Text), TextArray, "<none>", ""},
		{arr(Text, "a", nil), TextArray, "", "22004"},
		{arr(Numeric, n("1"), n("1.0"), n("2")), NumericArray, "NS[1 2]", ""},
		{arr(Int4, int64(3), int64(3)), Int4Array, "NS[3]", ""},
		{arr(Numeric), NumericArray, "<none>", ""},
		{arr(Numeric, n("NaN")), NumericArray, "", "22003"},
		{arr(Bytea, []byte{1}, []byte{1}, []byte{2}), ByteaArray, "BS[01 02]", ""},
		{arr(Bool, true, nil), BoolArray, "L[BOOL(true) NULL]", ""},
		{Date(0), Date_, `S("2000-01-01")`, ""},
		{ts, Timestamptz, `S("2024-01-02T03:04:05.5Z")`, ""},
		{ts, Timestamp, `S("2024-01-02T03:04:05.5")`, ""},
		{"x", Interval, "", "0A000"},
		{"x", Int4, "", "XX000"},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s %v", TypeName(c.t), c.v)
		av, err := ToAttribute(c.v, c.t)
		if c.code != "" {
			if got := pgerr.CodeOf(err); err == nil || got != c.code {
				t.Errorf("%s: got %s, %v; want code %s", name, avString(av), err, c.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := avString(av); got != c.out {
			t.Errorf("%s: got %s, want %s", name, got, c.out)
		}
	}
}

func zero() float64 { return 0 }

// TestAttributeRoundTrip: what we write reads back as the same SQL value.
func TestAttributeRoundTrip(t *testing.T) {
	cases := []struct {
		t    OID
		text string
	}{
		{Text, "héllo"},
		{Numeric, "-0.00000000000000000000000000000000000001234"},
		{Numeric, "12345678901234567890123456789012345678"},
		{Int8, "-42"},
		{Bool, "t"},
		{Bytea, `\x00ff`},
		{Jsonb, `{"a": [1, 2.5, "x", null, false, {"b": []}], "bb": {}}`},
		{Jsonb, `[{"k": 1}]`},
		{TextArray, `{a,"b c"}`},
		{NumericArray, `{-3,1,2.5}`}, // a set: read back sorted
		{ByteaArray, `{"\\x01","\\x02"}`},
		{Timestamptz, "2024-01-02 03:04:05.123456+00"},
		{Date_, "1999-12-31"},
		{UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
	}
	for _, c := range cases {
		v, err := DecodeText([]byte(c.text), c.t)
		if err != nil {
			t.Fatalf("%s %q: %v", TypeName(c.t), c.text, err)
		}
		av, err := ToAttribute(v, c.t)
		if err != nil {
			t.Errorf("%s %q: %v", TypeName(c.t), c.text, err)
			continue
		}
		back, err := FromAttribute(av, c.t)
		if err != nil {
			t.Errorf("%s %q via %s: %v", TypeName(c.t), c.text, avString(av), err)
			continue
		}
		if got, _ := FormatText(back, c.t); got != c.text {
			t.Errorf("%s: %q came back as %q via %s", TypeName(c.t), c.text, got, avString(av))
		}
	}
}

func TestItemToJSON(t *testing.T) {
	item := map[string]types.AttributeValue{
		"pk":  &avS{Value: "user#1"},
		"b":   &avN{Value: "70.3"},
		"aa":  &avB{Value: []byte("hi")},
		"a":   &avBOOL{Value: true},
		"nul": &avNULL{Value: true},
		"ss":  &avSS{Value: []string{"x", "y"}},
		"ns":  &avNS{Value: []string{"1", "12345678901234567890123456789012345678"}},
		"bs":  &avBS{Value: [][]byte{{0xff}}},
		"m":   nestedM,
	}
	want := `{"a": true, "b": 70.3, "m": {"a": ["x", true, null, "AQ==", {}], "b": 1.50, "cc": 12345678901234567890123456789012345678}, ` +
		`"aa": "aGk=", "bs": ["/w=="], "ns": [1, 12345678901234567890123456789012345678], "pk": "user#1", "ss": ["x", "y"], "nul": null}`
	if got := FormatJSON(ItemToJSON(item), Jsonb); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := FormatJSON(ItemToJSON(nil), Jsonb); got != "{}" {
		t.Errorf("empty item: %s", got)
	}
	// The _item column of a written item reads back to the same attributes.
	av, err := ToAttribute(ItemToJSON(map[string]types.AttributeValue{"n": &avN{Value: "1.5"}}), Jsonb)
	if err != nil || avString(av) != "M{n:N(1.5)}" {
		t.Errorf("jsonb back to M: %s %v", avString(av), err)
	}
}
