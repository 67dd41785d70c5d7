package catalog

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// maxColumns is PostgreSQL's limit on a table's columns (MaxHeapAttributeNumber);
// attributes past it are still reachable through _item.
const maxColumns = 1600

// keyType is the SQL type of a key attribute's DynamoDB scalar type.
func keyType(dt string) sqltypes.OID {
	switch dt {
	case "N":
		return sqltypes.Numeric
	case "B":
		return sqltypes.Bytea
	default:
		return sqltypes.Text
	}
}

// columnBuilder appends columns in spec/types.md's order, skipping names
// already present so that an earlier source (a key) wins over a later one.
type columnBuilder struct {
	cols []Column
	seen map[string]bool
}

func (b *columnBuilder) add(name string, typ sqltypes.OID, src ColumnSource, notNull bool) {
	if b.seen[name] || len(b.cols) >= maxColumns-1 { // keep a place for _item
		return
	}
	b.seen[name] = true
	b.cols = append(b.cols, Column{Name: name, Type: typ, AttNum: int16(len(b.cols) + 1), Source: src, NotNull: notNull})
}

// buildColumns lists t's columns (spec/types.md), each attribute once, at
// its first place in this order:
//
//  1. the table's partition key, then its sort key (NOT NULL);
//  2. for each secondary index in name order (bytewise; global and local
//     indexes together, as t.Indexes holds them), its partition key, then
//     its sort key — so an LSI adds only its sort key;
//  3. the columns declared in faz.yaml, by name;
//  4. the attributes found by sampling, by name;
//  5. _item.
//
// declared and sampled may be nil.
func buildColumns(t *Table, declared map[string]sqltypes.OID, sampled map[string]sqltypes.OID) []Column {
	b := &columnBuilder{seen: map[string]bool{}}
	b.add(t.PartitionKey.Name, keyType(t.PartitionKey.Type), SourceKey, true)
	if t.SortKey != nil {
		b.add(t.SortKey.Name, keyType(t.SortKey.Type), SourceKey, true)
	}
	for _, ix := range t.Indexes {
		// Not NOT NULL: an item without an index key is simply not in the
		// (sparse) index.
		b.add(ix.PartitionKey.Name, keyType(ix.PartitionKey.Type), SourceIndexKey, false)
		if ix.SortKey != nil {
			b.add(ix.SortKey.Name, keyType(ix.SortKey.Type), SourceIndexKey, false)
		}
	}
	// A declared or sampled attribute named _item is reached as
	// _item->'_item' rather than shadowing the whole item. Only a key
	// attribute of that name (which must be a column) displaces the
	// whole-item column.
	itemCol := !b.seen[ItemColumn]
	b.seen[ItemColumn] = true
	for _, name := range slices.Sorted(maps.Keys(declared)) {
		b.add(name, declared[name], SourceDeclared, false)
	}
	for _, name := range slices.Sorted(maps.Keys(sampled)) {
		b.add(name, sampled[name], SourceSampled, false)
	}
	if itemCol {
		b.cols = append(b.cols, Column{Name: ItemColumn, Type: sqltypes.Jsonb, AttNum: int16(len(b.cols) + 1), Source: SourceItem})
	}
	return b.cols
}

// attrType is the SQL type of one DynamoDB value (spec/types.md); ok is false
// for NULL, which says nothing about the attribute's type.
func attrType(v types.AttributeValue) (typ sqltypes.OID, ok bool) {
	switch v.(type) {
	case *types.AttributeValueMemberS:
		return sqltypes.Text, true
	case *types.AttributeValueMemberN:
		return sqltypes.Numeric, true
	case *types.AttributeValueMemberB:
		return sqltypes.Bytea, true
	case *types.AttributeValueMemberBOOL:
		return sqltypes.Bool, true
	case *types.AttributeValueMemberSS:
		return sqltypes.TextArray, true
	case *types.AttributeValueMemberNS:
		return sqltypes.NumericArray, true
	case *types.AttributeValueMemberBS:
		return sqltypes.ByteaArray, true
	case *types.AttributeValueMemberNULL:
		return 0, false
	default: // M, L, and any member type newer than this code
		return sqltypes.Jsonb, true
	}
}

// InferTypes is sampling's typing of items' attributes: attribute → SQL type,
// an attribute seen with more than one DynamoDB type (NULL aside) being
// jsonb and one only ever NULL text. Describe takes its result as sampled.
func InferTypes(items []map[string]types.AttributeValue) map[string]sqltypes.OID {
	ti := newTypeInference()
	for _, it := range items {
		ti.observe(it)
	}
	return ti.result()
}

// typeInference accumulates the types seen per attribute over sampled items.
type typeInference struct {
	types map[string]sqltypes.OID // 0: only NULL seen so far
}

func newTypeInference() *typeInference {
	return &typeInference{types: make(map[string]sqltypes.OID)}
}

func (ti *typeInference) observe(item map[string]types.AttributeValue) {
	for name, v := range item {
		typ, ok := attrType(v)
		prev, seen := ti.types[name]
		switch {
		case !seen || prev == 0:
			ti.types[name] = typ // typ is 0 when v is NULL: still unknown
		case ok && typ != prev:
			ti.types[name] = sqltypes.Jsonb // jsonb holds every DynamoDB type
		}
	}
}

// result returns attribute → SQL type; an attribute only ever NULL is text.
func (ti *typeInference) result() map[string]sqltypes.OID {
	out := make(map[string]sqltypes.OID, len(ti.types))
	for name, typ := range ti.types {
		if typ == 0 {
			typ = sqltypes.Text
		}
		out[name] = typ
	}
	return out
}
