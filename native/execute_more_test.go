package native

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/sqltypes"
)

func (f *fakeAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.calls = append(f.calls, in)
	out := &dynamodb.GetItemOutput{}
	if len(f.items) > 0 {
		out.Item = f.items[0]
	}
	return out, f.err
}

func (f *fakeAPI) TransactGetItems(_ context.Context, in *dynamodb.TransactGetItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	f.calls = append(f.calls, in)
	out := &dynamodb.TransactGetItemsOutput{}
	for i := range in.TransactItems {
		out.Responses = append(out.Responses, types.ItemResponse{Item: f.items[i%len(f.items)]})
	}
	return out, f.err
}

func (f *fakeAPI) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.UpdateItemOutput{Attributes: map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "2"}}}, f.err
}

func (f *fakeAPI) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.TransactWriteItemsOutput{}, f.err
}

func (f *fakeAPI) BatchExecuteStatement(_ context.Context, in *dynamodb.BatchExecuteStatementInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchExecuteStatementOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.BatchExecuteStatementOutput{Responses: []types.BatchStatementResponse{
		{TableName: aws.String("orders"), Item: f.items[0]},
		{Error: &types.BatchStatementError{Code: types.BatchStatementErrorCodeEnumConditionalCheckFailed, Message: aws.String("no")}},
	}}, f.err
}

func (f *fakeAPI) ExecuteTransaction(_ context.Context, in *dynamodb.ExecuteTransactionInput, _ ...func(*dynamodb.Options)) (*dynamodb.ExecuteTransactionOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.ExecuteTransactionOutput{Responses: []types.ItemResponse{{Item: f.items[1]}, {}}}, f.err
}

func (f *fakeAPI) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.CreateTableOutput{TableDescription: &types.TableDescription{TableName: in.TableName, TableStatus: types.TableStatusCreating}}, f.err
}

func (f *fakeAPI) UpdateTable(_ context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.UpdateTableOutput{TableDescription: &types.TableDescription{TableName: in.TableName}}, f.err
}

func TestExecuteMoreVerbs(t *testing.T) {
	cases := []struct {
		name, json   string
		tag, columns string
		rows         int
		check        func(t *testing.T, res *Result)
	}{
		{name: "GetItem", json: `{"verb":"GetItem","TableName":"orders","Key":{"pk":{"S":"a"}}}`, tag: "SELECT 1", columns: "pk,n,_item", rows: 1},
		{name: "TransactGetItems one table", json: `{"verb":"TransactGetItems","TransactItems":[{"Get":{"TableName":"orders","Key":{}}},
			{"Get":{"TableName":"orders","Key":{}}}]}`, tag: "SELECT 2", columns: "pk,n,_item", rows: 2},
		{name: "TransactGetItems two tables", json: `{"verb":"TransactGetItems","TransactItems":[{"Get":{"TableName":"orders","Key":{}}},
			{"Get":{"TableName":"users","Key":{}}}]}`, tag: "SELECT 2", columns: "_table,_item", rows: 2,
			check: func(t *testing.T, res *Result) {
				if res.Rows[0][0] != "orders" || res.Rows[1][0] != "users" {
					t.Errorf("rows = %v", res.Rows)
				}
			}},
		{name: "UpdateItem returning", json: `{"verb":"UpdateItem","TableName":"orders","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET n = n + :one",
			"ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"}`, tag: "UPDATE 1", columns: "pk,n,_item", rows: 1,
			check: func(t *testing.T, res *Result) {
				if res.Rows[0][0] != nil || sqltypes.FormatNumeric(res.Rows[0][1].(*sqltypes.Decimal)) != "2" {
					t.Errorf("rows = %v", res.Rows)
				}
			}},
		{name: "TransactWriteItems", json: `{"verb":"TransactWriteItems","TransactItems":[{"Delete":{"TableName":"orders","Key":{}}},
			{"Delete":{"TableName":"orders","Key":{}}}]}`, tag: "TRANSACTWRITEITEMS 2"},
		{name: "BatchExecuteStatement", json: `{"verb":"BatchExecuteStatement","Statements":[{"Statement":"SELECT * FROM orders WHERE pk = 'a'"},
			{"Statement":"UPDATE orders SET n = 1 WHERE pk = 'b'"}]}`, tag: "BATCHEXECUTESTATEMENT 2",
			columns: "statement,_table,error_code,error_message,_item", rows: 2,
			check: func(t *testing.T, res *Result) {
				if res.Rows[0][1] != "orders" || res.Rows[0][4] == nil || res.Rows[1][2] != "ConditionalCheckFailed" || res.Rows[1][3] != "no" {
					t.Errorf("rows = %v", res.Rows)
				}
			}},
		{name: "ExecuteTransaction", json: `{"verb":"ExecuteTransaction","TransactStatements":[{"Statement":"SELECT * FROM orders WHERE pk = 'b'"},
			{"Statement":"SELECT * FROM orders WHERE pk = 'c'"}]}`, tag: "EXECUTETRANSACTION 2", columns: "_item", rows: 1},
		{name: "PartiQL DELETE", json: `{"verb":"ExecuteStatement","Statement":"DELETE FROM orders WHERE pk = 'a'"}`,
			tag: "DELETE 1", columns: "pk,n,_item", rows: 2},
		{name: "CreateTable", json: `{"verb":"CreateTable","TableName":"fresh","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
			"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`, tag: "CREATE TABLE", columns: "table", rows: 1,
			check: func(t *testing.T, res *Result) {
				if got := sqltypes.FormatJSON(res.Rows[0][0].(sqltypes.JSON), sqltypes.Jsonb); got != `{"TableName": "fresh", "TableStatus": "CREATING"}` {
					t.Errorf("description = %s", got)
				}
			}},
		{name: "UpdateTable", json: `{"verb":"UpdateTable","TableName":"orders","BillingMode":"PAY_PER_REQUEST"}`, tag: "ALTER TABLE", columns: "table", rows: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseVerb(c.json)
			if err != nil {
				t.Fatal(err)
			}
			api := &fakeAPI{items: testItems()}
			cat := &fakeCatalog{}
			res, err := Execute(context.Background(), api, req, cat)
			if err != nil {
				t.Fatal(err)
			}
			if res.Tag != c.tag || columnNames(res.Columns) != c.columns || len(res.Rows) != c.rows {
				t.Errorf("got tag %q columns %q %d rows, want %q %q %d", res.Tag, columnNames(res.Columns), len(res.Rows), c.tag, c.columns, c.rows)
			}
			if len(api.calls) != 1 {
				t.Errorf("%d calls, want exactly one page", len(api.calls))
			}
			if c.check != nil {
				c.check(t, res)
			}
		})
	}
}

func TestDecodeItem(t *testing.T) {
	item, err := DecodeItem([]byte(`{"pk":{"S":"a"},"n":{"N":"1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := EncodeItem(item)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"n":{"N":"1"},"pk":{"S":"a"}}` {
		t.Errorf("round trip = %s", raw)
	}
	if _, err := DecodeItem([]byte(`{"pk":"a"}`)); err == nil {
		t.Error("bare string accepted as an attribute value")
	}
}
