package catalog

import (
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/sqltypes"
)

func TestTypeInference(t *testing.T) {
	boolean := &types.AttributeValueMemberBOOL{Value: true}
	m := &types.AttributeValueMemberM{Value: item{}}
	tests := []struct {
		name  string
		items []item
		want  map[string]sqltypes.OID
	}{
		{"no items", nil, map[string]sqltypes.OID{}},
		{"one type", []item{{"a": s("x")}, {"a": s("y")}}, map[string]sqltypes.OID{"a": sqltypes.Text}},
		{"S then N is jsonb", []item{{"a": s("x")}, {"a": n("1")}}, map[string]sqltypes.OID{"a": sqltypes.Jsonb}},
		{"N, BOOL, N is jsonb", []item{{"a": n("1")}, {"a": boolean}, {"a": n("2")}}, map[string]sqltypes.OID{"a": sqltypes.Jsonb}},
		{"M and L both jsonb", []item{{"a": m}, {"a": &types.AttributeValueMemberL{}}}, map[string]sqltypes.OID{"a": sqltypes.Jsonb}},
		{"NULL alone is text", []item{{"a": null}, {"a": null}}, map[string]sqltypes.OID{"a": sqltypes.Text}},
		{"NULL then N is numeric", []item{{"a": null}, {"a": n("1")}}, map[string]sqltypes.OID{"a": sqltypes.Numeric}},
		{"N then NULL is numeric", []item{{"a": n("1")}, {"a": null}}, map[string]sqltypes.OID{"a": sqltypes.Numeric}},
		{"sets", []item{{
			"ss": &types.AttributeValueMemberSS{Value: []string{"a"}},
			"ns": &types.AttributeValueMemberNS{Value: []string{"1"}},
			"bs": &types.AttributeValueMemberBS{Value: [][]byte{{1}}},
			"b":  &types.AttributeValueMemberB{Value: []byte{1}},
			"t":  boolean,
		}}, map[string]sqltypes.OID{"ss": sqltypes.TextArray, "ns": sqltypes.NumericArray, "bs": sqltypes.ByteaArray,
			"b": sqltypes.Bytea, "t": sqltypes.Bool}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti := newTypeInference()
			for _, it := range tc.items {
				ti.observe(it)
			}
			if got := ti.result(); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestColumnLimit(t *testing.T) {
	sampled := map[string]sqltypes.OID{}
	for i := range 2000 {
		sampled[string(rune(0x4e00+i))] = sqltypes.Text
	}
	tbl := &Table{PartitionKey: KeyAttr{Name: "id", Type: "S"}}
	cols := buildColumns(tbl, nil, sampled)
	if len(cols) != maxColumns {
		t.Fatalf("%d columns, want %d", len(cols), maxColumns)
	}
	if last := cols[len(cols)-1]; last.Name != ItemColumn || int(last.AttNum) != maxColumns {
		t.Errorf("last column %+v, want _item at %d", last, maxColumns)
	}
}
