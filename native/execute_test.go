package native

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// fakeAPI answers the calls Execute makes with canned outputs and records
// what it was sent. Other calls panic (the embedded nil API).
type fakeAPI struct {
	dynamo.API
	err   error
	calls []any
	items []map[string]types.AttributeValue
	last  map[string]types.AttributeValue
}

func (f *fakeAPI) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	n := int32(len(f.items))
	return &dynamodb.ScanOutput{Items: f.items, Count: n, ScannedCount: n + 1, LastEvaluatedKey: f.last,
		ConsumedCapacity: &types.ConsumedCapacity{TableName: in.TableName, CapacityUnits: aws.Float64(0.5)}}, nil
}

func (f *fakeAPI) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.QueryOutput{Count: 3, ScannedCount: 7}, f.err
}

func (f *fakeAPI) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.PutItemOutput{}, f.err
}

func (f *fakeAPI) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	f.calls = append(f.calls, in)
	var out dynamodb.DeleteItemOutput
	if len(f.items) > 0 {
		out.Attributes = f.items[0]
	}
	return &out, f.err
}

func (f *fakeAPI) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	f.calls = append(f.calls, in)
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for t := range in.RequestItems {
		out.Responses[t] = f.items
	}
	return out, f.err
}

func (f *fakeAPI) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.calls = append(f.calls, in)
	out := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
	for t, reqs := range in.RequestItems {
		out.UnprocessedItems[t] = reqs[len(reqs)-1:]
	}
	return out, f.err
}

func (f *fakeAPI) ExecuteStatement(_ context.Context, in *dynamodb.ExecuteStatementInput, _ ...func(*dynamodb.Options)) (*dynamodb.ExecuteStatementOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.ExecuteStatementOutput{Items: f.items, NextToken: aws.String("tok"), LastEvaluatedKey: f.last}, f.err
}

func (f *fakeAPI) ListTables(_ context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.ListTablesOutput{TableNames: []string{"orders", "secret", "users"}, LastEvaluatedTableName: aws.String("users")}, f.err
}

func (f *fakeAPI) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.DescribeTableOutput{Table: &types.TableDescription{
		TableName: in.TableName, TableStatus: types.TableStatusActive, ItemCount: aws.Int64(2),
		KeySchema:        []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		CreationDateTime: aws.Time(time.Unix(1700000000, 0)),
	}}, f.err
}

func (f *fakeAPI) DeleteTable(_ context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	f.calls = append(f.calls, in)
	return &dynamodb.DeleteTableOutput{TableDescription: &types.TableDescription{TableName: in.TableName}}, f.err
}

// fakeCatalog serves orders(pk text, n numeric, _item jsonb).
type fakeCatalog struct{ invalidated []string }

func (c *fakeCatalog) TableNames(context.Context) ([]string, error) { return []string{"orders"}, nil }

func (c *fakeCatalog) Table(_ context.Context, name string) (*catalog.Table, error) {
	if name != "orders" {
		return nil, pgerr.New(pgerr.UndefinedTable, `relation "%s" does not exist`, name)
	}
	return &catalog.Table{Name: "orders", OID: 16500, Columns: []catalog.Column{
		{Name: "pk", Type: sqltypes.Text, AttNum: 1, Source: catalog.SourceKey, NotNull: true},
		{Name: "n", Type: sqltypes.Numeric, AttNum: 2, Source: catalog.SourceSampled},
		{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, AttNum: 3, Source: catalog.SourceItem},
	}}, nil
}

func (c *fakeCatalog) Invalidate(name string) { c.invalidated = append(c.invalidated, name) }

func testItems() []map[string]types.AttributeValue {
	return []map[string]types.AttributeValue{
		{"pk": sValue("a"), "n": &types.AttributeValueMemberN{Value: "1.50"}},
		{"pk": sValue("b"), "x": &types.AttributeValueMemberBOOL{Value: true}},
	}
}

func columnNames(cols []sqltypes.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ",")
}

func TestExecute(t *testing.T) {
	cases := []struct {
		name, json   string
		opts         Options
		tag, columns string
		rows         int
		check        func(t *testing.T, res *Result, api *fakeAPI)
	}{
		{name: "seed Scan", json: `{"verb":"Scan","TableName":"orders","Limit":5}`, tag: "SELECT 2", columns: "pk,n,_item", rows: 2,
			check: func(t *testing.T, res *Result, api *fakeAPI) {
				if aws.ToInt32(api.calls[0].(*dynamodb.ScanInput).Limit) != 5 {
					t.Error("Limit not sent")
				}
				if res.Rows[0][0] != "a" || sqltypes.FormatNumeric(res.Rows[0][1].(*sqltypes.Decimal)) != "1.50" || res.Rows[1][1] != nil {
					t.Errorf("rows = %v", res.Rows)
				}
				if res.LastEvaluatedKey != `{"pk":{"S":"b"}}` || res.Continuation != `{"ExclusiveStartKey":{"pk":{"S":"b"}}}` {
					t.Errorf("continuation = %q / %q", res.LastEvaluatedKey, res.Continuation)
				}
				if len(res.ConsumedCapacity) != 1 || res.Columns[0].TableOID != 16500 || res.Columns[0].AttNum != 1 {
					t.Errorf("result = %+v", res)
				}
			}},
		{name: "Scan of a table the catalog does not know", json: `{"verb":"Scan","TableName":"nope"}`},
		{name: "Query COUNT", json: `{"verb":"Query","TableName":"orders","Select":"COUNT","KeyConditionExpression":"pk = :p",
			"ExpressionAttributeValues":{":p":{"S":"a"}}}`, tag: "SELECT 1", columns: "count,scanned_count", rows: 1,
			check: func(t *testing.T, res *Result, _ *fakeAPI) {
				if res.Rows[0][0] != int64(3) || res.Rows[0][1] != int64(7) {
					t.Errorf("rows = %v", res.Rows)
				}
			}},
		{name: "PutItem", json: `{"verb":"PutItem","TableName":"orders","Item":{"pk":{"S":"c"}}}`, tag: "INSERT 0 1", columns: "pk,n,_item"},
		{name: "DeleteItem ALL_OLD found", json: `{"verb":"DeleteItem","TableName":"orders","Key":{"pk":{"S":"a"}},"ReturnValues":"ALL_OLD"}`,
			tag: "DELETE 1", columns: "pk,n,_item", rows: 1},
		{name: "BatchGetItem one table", json: `{"verb":"BatchGetItem","RequestItems":{"orders":{"Keys":[{"pk":{"S":"a"}}]}}}`,
			tag: "SELECT 2", columns: "pk,n,_item", rows: 2},
		{name: "BatchGetItem two tables", json: `{"verb":"BatchGetItem","RequestItems":{"orders":{"Keys":[]},"users":{"Keys":[]}}}`,
			tag: "SELECT 4", columns: "_table,_item", rows: 4},
		{name: "BatchWriteItem with unprocessed", json: `{"verb":"BatchWriteItem","RequestItems":{"orders":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},
			{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}}`, tag: "BATCHWRITEITEM 1",
			check: func(t *testing.T, res *Result, _ *fakeAPI) {
				if res.Unprocessed != `{"orders":[{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}` {
					t.Errorf("unprocessed = %s", res.Unprocessed)
				}
			}},
		{name: "PartiQL SELECT", json: `{"verb":"ExecuteStatement","Statement":"SELECT * FROM \"orders\""}`, tag: "SELECT 2", columns: "pk,n,_item", rows: 2,
			check: func(t *testing.T, res *Result, _ *fakeAPI) {
				if res.NextToken != "tok" || res.Continuation != `{"NextToken":"tok"}` || res.LastEvaluatedKey != `{"pk":{"S":"b"}}` {
					t.Errorf("continuation = %q", res.Continuation)
				}
			}},
		{name: "ListTables filtered", json: `{"verb":"ListTables"}`, opts: Options{Visible: func(t string) bool { return t != "secret" }},
			tag: "SELECT 2", columns: "table_name", rows: 2,
			check: func(t *testing.T, res *Result, _ *fakeAPI) {
				if res.Rows[0][0] != "orders" || res.Rows[1][0] != "users" || res.Continuation != `{"ExclusiveStartTableName":"users"}` {
					t.Errorf("rows = %v, continuation %s", res.Rows, res.Continuation)
				}
			}},
		{name: "DescribeTable", json: `{"verb":"DescribeTable","TableName":"orders"}`, tag: "SELECT 1", columns: "table", rows: 1,
			check: func(t *testing.T, res *Result, _ *fakeAPI) {
				got := sqltypes.FormatJSON(res.Rows[0][0].(sqltypes.JSON), sqltypes.Jsonb)
				for _, want := range []string{`"TableName": "orders"`, `"ItemCount": 2`, `"CreationDateTime": 1700000000`, `"KeyType": "HASH"`} {
					if !strings.Contains(got, want) {
						t.Errorf("description %s lacks %s", got, want)
					}
				}
			}},
		{name: "DeleteTable", json: `{"verb":"DeleteTable","TableName":"orders"}`, tag: "DROP TABLE", columns: "table", rows: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseVerb(c.json, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			api := &fakeAPI{items: testItems(), last: map[string]types.AttributeValue{"pk": sValue("b")}}
			res, err := Execute(context.Background(), api, req, &fakeCatalog{})
			if c.tag == "" {
				if pgerr.CodeOf(err) != pgerr.UndefinedTable || len(api.calls) != 0 {
					t.Fatalf("err = %v after %d calls, want 42P01 before any call", err, len(api.calls))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Tag != c.tag || columnNames(res.Columns) != c.columns || len(res.Rows) != c.rows {
				t.Errorf("got tag %q columns %q %d rows, want %q %q %d", res.Tag, columnNames(res.Columns), len(res.Rows), c.tag, c.columns, c.rows)
			}
			if c.check != nil {
				c.check(t, res, api)
			}
		})
	}
}

func TestExecuteMapsErrors(t *testing.T) {
	req, err := ParseVerb(`{"verb":"Scan","TableName":"orders"}`)
	if err != nil {
		t.Fatal(err)
	}
	api := &fakeAPI{err: &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "no table"}}
	_, err = Execute(context.Background(), api, req, nil)
	if pgerr.CodeOf(err) != pgerr.UndefinedTable {
		t.Errorf("err = %v (%s), want 42P01", err, pgerr.CodeOf(err))
	}
}

func TestExecuteDDLInvalidatesCatalog(t *testing.T) {
	req, err := ParseVerb(`{"verb":"DeleteTable","TableName":"orders"}`)
	if err != nil {
		t.Fatal(err)
	}
	cat := &fakeCatalog{}
	if _, err := Execute(context.Background(), &fakeAPI{}, req, cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.invalidated) != 1 || cat.invalidated[0] != "orders" {
		t.Errorf("invalidated = %v", cat.invalidated)
	}
}

func TestExecutePartiQLSendsTextUnchanged(t *testing.T) {
	stmt := "SELECT * FROM \"orders\" WHERE pk = ? -- it's 'fine'"
	req, err := ParsePartiQL(stmt, []types.AttributeValue{sValue("x' OR '1'='1")})
	if err != nil {
		t.Fatal(err)
	}
	api := &fakeAPI{}
	if _, err := Execute(context.Background(), api, req, nil); err != nil {
		t.Fatal(err)
	}
	in := api.calls[0].(*dynamodb.ExecuteStatementInput)
	if aws.ToString(in.Statement) != stmt || in.Parameters[0].(*types.AttributeValueMemberS).Value != "x' OR '1'='1" {
		t.Errorf("sent %q %v", aws.ToString(in.Statement), in.Parameters)
	}
}
