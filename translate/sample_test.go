package translate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
)

// sampleDB answers reads from a few fixed items per table. It evaluates no
// condition: Scan and Query return every item of the table; GetItem and
// BatchGetItem return the items whose keys match.
type sampleDB struct {
	dynamo.API
	cat fakeCatalog
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func sampleItems(table string) []map[string]types.AttributeValue {
	switch table {
	case "customers":
		return []map[string]types.AttributeValue{
			{"customer_id": s("c1"), "name": s("Ann"), "tier": s("gold")},
			{"customer_id": s("c2"), "name": s("Bob"), "tier": s("silver")},
		}
	case "orders":
		return []map[string]types.AttributeValue{
			{"customer_id": s("c1"), "order_id": s("o1"), "status": s("open"), "total": n("5")},
			{"customer_id": s("c2"), "order_id": s("o2"), "status": s("open"), "total": n("20")},
		}
	}
	return []map[string]types.AttributeValue{{"sku": n("7"), "price": n("9"), "name": s("pen")}}
}

func (d sampleDB) matches(table string, key map[string]types.AttributeValue) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, it := range sampleItems(table) {
		ok := true
		for k, v := range key {
			ok = ok && scalarText(it[k]) == scalarText(v)
		}
		if ok {
			out = append(out, it)
		}
	}
	return out
}

func (d sampleDB) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	items := sampleItems(*in.TableName)
	return &dynamodb.ScanOutput{Items: items, Count: int32(len(items))}, nil
}

func (d sampleDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	items := sampleItems(*in.TableName)
	return &dynamodb.QueryOutput{Items: items, Count: int32(len(items))}, nil
}

func (d sampleDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out := &dynamodb.GetItemOutput{}
	if m := d.matches(*in.TableName, in.Key); len(m) > 0 {
		out.Item = m[0]
	}
	return out, nil
}

func (d sampleDB) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for table, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			out.Responses[table] = append(out.Responses[table], d.matches(table, k)...)
		}
	}
	return out, nil
}

func scalarText(av types.AttributeValue) string {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return "S" + x.Value
	case *types.AttributeValueMemberN:
		return "N" + x.Value
	}
	return "?"
}
