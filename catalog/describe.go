package catalog

import (
	"cmp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Describe builds the Table that DescribeTable's answer d describes, with its
// columns laid out from declared (faz.yaml) and sampled (InferTypes) attribute
// types; FetchedAt stays zero. It is what Source.Table does once DynamoDB
// has answered, exported so that anything else presenting a DynamoDB table
// as SQL — the demo data set's reference PostgreSQL DDL — lays out the same
// columns in the same order.
func Describe(name string, d *types.TableDescription, declared, sampled map[string]sqltypes.OID) (*Table, error) {
	t, err := fromDescription(name, d)
	if err != nil {
		return nil, err
	}
	t.Columns = buildColumns(t, declared, sampled)
	return t, nil
}

// fromDescription converts DescribeTable's answer into a Table without
// columns (see buildColumns) and without FetchedAt.
func fromDescription(name string, d *types.TableDescription) (*Table, error) {
	defs := attrTypes(d.AttributeDefinitions)
	pk, sk, err := keySchema(name, "", d.KeySchema, defs)
	if err != nil {
		return nil, err
	}
	t := &Table{
		Name:         name,
		OID:          TableOID(name),
		PartitionKey: pk,
		SortKey:      sk,
		Status:       string(d.TableStatus),
		ItemCount:    aws.ToInt64(d.ItemCount),
		SizeBytes:    aws.ToInt64(d.TableSizeBytes),
		CreatedAt:    aws.ToTime(d.CreationDateTime),
	}
	for _, g := range d.GlobalSecondaryIndexes {
		ix, err := index(name, aws.ToString(g.IndexName), true, g.KeySchema, g.Projection, defs)
		if err != nil {
			return nil, err
		}
		t.Indexes = append(t.Indexes, ix)
	}
	for _, l := range d.LocalSecondaryIndexes {
		ix, err := index(name, aws.ToString(l.IndexName), false, l.KeySchema, l.Projection, defs)
		if err != nil {
			return nil, err
		}
		t.Indexes = append(t.Indexes, ix)
	}
	// DynamoDB does not promise an order; by name (bytewise, GSIs and LSIs
	// together), plans and column order (index keys come from here) are the
	// same on every replica.
	slices.SortFunc(t.Indexes, func(a, b Index) int { return cmp.Compare(a.Name, b.Name) })
	return t, nil
}

// attrTypes maps attribute name → "S", "N" or "B" from AttributeDefinitions.
func attrTypes(defs []types.AttributeDefinition) map[string]string {
	m := make(map[string]string, len(defs))
	for _, d := range defs {
		m[aws.ToString(d.AttributeName)] = string(d.AttributeType)
	}
	return m
}

// keySchema returns the HASH and (optional) RANGE attributes of a key schema.
// index is "" for the table's own key.
func keySchema(table, index string, ks []types.KeySchemaElement, defs map[string]string) (KeyAttr, *KeyAttr, error) {
	var pk KeyAttr
	var sk *KeyAttr
	for _, e := range ks {
		name := aws.ToString(e.AttributeName)
		typ, ok := defs[name]
		if !ok {
			return KeyAttr{}, nil, pgerr.New(pgerr.InternalError,
				"table %q%s: key attribute %q has no attribute definition", table, indexSuffix(index), name)
		}
		switch e.KeyType {
		case types.KeyTypeHash:
			pk = KeyAttr{Name: name, Type: typ}
		case types.KeyTypeRange:
			sk = &KeyAttr{Name: name, Type: typ}
		}
	}
	if pk.Name == "" {
		return KeyAttr{}, nil, pgerr.New(pgerr.InternalError,
			"table %q%s: key schema has no partition (HASH) key", table, indexSuffix(index))
	}
	return pk, sk, nil
}

func index(table, name string, global bool, ks []types.KeySchemaElement, p *types.Projection, defs map[string]string) (Index, error) {
	pk, sk, err := keySchema(table, name, ks, defs)
	if err != nil {
		return Index{}, err
	}
	// Without a stated projection assume the least (KEYS_ONLY), so the planner
	// never reads an attribute from an index that does not hold it.
	ix := Index{Name: name, Global: global, PartitionKey: pk, SortKey: sk, Projection: string(types.ProjectionTypeKeysOnly)}
	if p != nil {
		if p.ProjectionType != "" {
			ix.Projection = string(p.ProjectionType)
		}
		ix.NonKeyAttributes = slices.Clone(p.NonKeyAttributes)
	}
	return ix, nil
}

func indexSuffix(index string) string {
	if index == "" {
		return ""
	}
	return " index " + index
}
