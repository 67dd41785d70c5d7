package translate

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
)

// itemsDB answers every Scan and Query with the same items, in one page. It
// does not evaluate conditions, so the queries below push none: they test
// that plans and the executor agree on rows, columns and local operators.
type itemsDB struct {
	dynamo.API
	items []map[string]types.AttributeValue
}

func (d *itemsDB) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return &dynamodb.ScanOutput{Items: d.items, Count: int32(len(d.items))}, nil
}

func (d *itemsDB) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{Items: d.items, Count: int32(len(d.items))}, nil
}

// BatchGetItem answers from items by customer_id (the customers table's key).
func (d *itemsDB) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for table, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			for _, it := range d.items {
				if it["customer_id"].(*types.AttributeValueMemberS).Value == k["customer_id"].(*types.AttributeValueMemberS).Value {
					out.Responses[table] = append(out.Responses[table], it)
				}
			}
		}
	}
	return out, nil
}

// staleIndexDB is itemsDB whose index Query returns keys from an older state.
type staleIndexDB struct {
	*itemsDB
	indexKeys []map[string]types.AttributeValue
}

func (d *staleIndexDB) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{Items: d.indexKeys, Count: int32(len(d.indexKeys))}, nil
}

func TestIndexFetchRechecksTheKeyCondition(t *testing.T) {
	table := &itemsDB{items: []map[string]types.AttributeValue{
		customer("c1", "gold", "1"), customer("c2", "silver", "2"), customer("c3", "gold", "3"),
	}}
	// the GSI still lists c2 as gold, and c4, deleted since
	db := &staleIndexDB{itemsDB: table, indexKeys: []map[string]types.AttributeValue{
		customer("c1", "", ""), customer("c2", "", ""), customer("c3", "", ""), customer("c4", "", ""),
	}}
	got, err := execute("SELECT customer_id, balance FROM customers WHERE tier = 'gold' ORDER BY 1", db)
	if err != nil {
		t.Fatal(err)
	}
	if want := "c1, 1; c3, 3"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func customer(id, tier, balance string) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{"customer_id": &types.AttributeValueMemberS{Value: id}}
	if tier != "" {
		it["tier"] = &types.AttributeValueMemberS{Value: tier}
	}
	if balance != "" {
		it["balance"] = &types.AttributeValueMemberN{Value: balance}
	}
	return it
}

func TestExecuteLocalOperators(t *testing.T) {
	db := &itemsDB{items: []map[string]types.AttributeValue{
		customer("c1", "gold", "10.5"), customer("c2", "silver", "3"), customer("c3", "gold", "1.5"),
		customer("c4", "", "7"), customer("c5", "silver", ""),
	}}
	tests := []struct {
		query string
		want  string // rows separated by "; ", values by ", "
	}{
		{"SELECT tier, count(*), sum(balance) FROM customers GROUP BY tier ORDER BY tier",
			"gold, 2, 12.0; silver, 2, 3; <nil>, 1, 7"},
		{"SELECT customer_id FROM customers WHERE lower(tier) = 'gold' ORDER BY balance DESC",
			"c1; c3"},
		{"SELECT customer_id, balance FROM customers ORDER BY balance NULLS FIRST, customer_id LIMIT 3",
			"c5, <nil>; c3, 1.5; c2, 3"},
		{"SELECT count(*) FROM customers WHERE tier <> 'gold'", "2"},
		{"SELECT max(balance), min(tier) FROM customers", "10.5, gold"},
		{"SELECT customer_id FROM customers ORDER BY customer_id OFFSET 3", "c4; c5"},
		{"SELECT tier FROM customers GROUP BY tier HAVING count(*) > 1 ORDER BY 1", "gold; silver"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			got, err := execute(tc.query, db)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func execute(query string, db dynamo.API) (string, error) {
	return runSQL(query, func(cat fakeCatalog) *engine.Env {
		return &engine.Env{Eval: &expr.Context{}, DB: db, System: fakeSystem{cat: cat}}
	})
}
