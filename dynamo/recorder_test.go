package dynamo

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// fakeAPI answers Query with two pages and fails GetItem; every other call
// falls through to the embedded nil API and would panic, which the tests
// never reach.
type fakeAPI struct {
	API
}

func (fakeAPI) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if in.ExclusiveStartKey == nil {
		return &dynamodb.QueryOutput{
			Items:            []map[string]types.AttributeValue{key("id", s("1"))},
			Count:            1,
			LastEvaluatedKey: key("id", s("1")),
		}, nil
	}
	return &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{key("id", s("2"))}, Count: 1}, nil
}

var errFake = errors.New("fake failure")

func (fakeAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, errFake
}

// paginate reads a Query to the end the way the executor does: one input,
// ExclusiveStartKey moved forward.
func paginate(ctx context.Context, api API, in *dynamodb.QueryInput) (int, error) {
	n := 0
	for {
		out, err := api.Query(ctx, in)
		if err != nil {
			return n, err
		}
		n += len(out.Items)
		if out.LastEvaluatedKey == nil {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func TestRecorderForwards(t *testing.T) {
	ctx := context.Background()
	rec := NewRecorder(fakeAPI{})
	items, err := paginate(ctx, rec, &dynamodb.QueryInput{TableName: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	if items != 2 {
		t.Fatalf("items = %d, want 2 over two pages", items)
	}
	if _, err := rec.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key("id", s("1"))}); !errors.Is(err, errFake) {
		t.Fatalf("GetItem error = %v, want the inner error", err)
	}
	calls := rec.Calls()
	want := []string{
		`Query table=t`,
		`Query table=t start={id: S "1"}`, // the first call was not rewritten by the second
		`GetItem table=t key={id: S "1"}`,
	}
	if len(calls) != len(want) {
		t.Fatalf("%d calls, want %d", len(calls), len(want))
	}
	for i, c := range calls {
		if got := FormatCall(c); got != want[i] {
			t.Errorf("call %d = %s, want %s", i, got, want[i])
		}
	}
	if calls[0].Output.(*dynamodb.QueryOutput).Count != 1 || calls[2].Err != errFake {
		t.Errorf("outputs and errors not recorded: %+v", calls)
	}
	if rec.Count("Query") != 2 || rec.Count("GetItem") != 1 || rec.Count("Scan") != 0 {
		t.Errorf("Count: Query %d GetItem %d Scan %d", rec.Count("Query"), rec.Count("GetItem"), rec.Count("Scan"))
	}
	rec.Reset()
	if len(rec.Calls()) != 0 || rec.Count("Query") != 0 {
		t.Error("Reset kept calls")
	}
}

// TestRecorderEmpty: with no inner API every operation answers an empty,
// valid output, and a paginating caller sees exactly one page.
func TestRecorderEmpty(t *testing.T) {
	ctx := context.Background()
	rec := NewRecorder(nil)
	tbl := aws.String("t")
	cases := []struct {
		op   string
		call func() (any, error)
		ok   func(any) bool
	}{
		{"GetItem", func() (any, error) { return rec.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl}) },
			func(o any) bool { return o.(*dynamodb.GetItemOutput).Item == nil }},
		{"BatchGetItem", func() (any, error) {
			return rec.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"t": {}}})
		}, func(o any) bool {
			out := o.(*dynamodb.BatchGetItemOutput)
			r, ok := out.Responses["t"]
			return ok && len(r) == 0 && len(out.UnprocessedKeys) == 0
		}},
		{"Query", func() (any, error) { return rec.Query(ctx, &dynamodb.QueryInput{TableName: tbl}) },
			func(o any) bool {
				out := o.(*dynamodb.QueryOutput)
				return out.LastEvaluatedKey == nil && out.Count == 0
			}},
		{"Scan", func() (any, error) { return rec.Scan(ctx, &dynamodb.ScanInput{TableName: tbl}) },
			func(o any) bool { return o.(*dynamodb.ScanOutput).LastEvaluatedKey == nil }},
		{"PutItem", func() (any, error) { return rec.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl}) },
			func(o any) bool { return o.(*dynamodb.PutItemOutput).Attributes == nil }},
		{"UpdateItem", func() (any, error) { return rec.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl}) },
			func(o any) bool { return o.(*dynamodb.UpdateItemOutput).Attributes == nil }},
		{"DeleteItem", func() (any, error) { return rec.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl}) },
			func(o any) bool { return o.(*dynamodb.DeleteItemOutput).Attributes == nil }},
		{"BatchWriteItem", func() (any, error) { return rec.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{}) },
			func(o any) bool { return len(o.(*dynamodb.BatchWriteItemOutput).UnprocessedItems) == 0 }},
		{"TransactWriteItems", func() (any, error) { return rec.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{}) },
			func(o any) bool { return o.(*dynamodb.TransactWriteItemsOutput) != nil }},
		{"TransactGetItems", func() (any, error) {
			return rec.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: make([]types.TransactGetItem, 2)})
		}, func(o any) bool { return len(o.(*dynamodb.TransactGetItemsOutput).Responses) == 2 }},
		{"ExecuteStatement", func() (any, error) { return rec.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{}) },
			func(o any) bool { return o.(*dynamodb.ExecuteStatementOutput).NextToken == nil }},
		{"BatchExecuteStatement", func() (any, error) {
			return rec.BatchExecuteStatement(ctx, &dynamodb.BatchExecuteStatementInput{Statements: make([]types.BatchStatementRequest, 3)})
		}, func(o any) bool { return len(o.(*dynamodb.BatchExecuteStatementOutput).Responses) == 3 }},
		{"ExecuteTransaction", func() (any, error) {
			return rec.ExecuteTransaction(ctx, &dynamodb.ExecuteTransactionInput{TransactStatements: make([]types.ParameterizedStatement, 1)})
		}, func(o any) bool { return len(o.(*dynamodb.ExecuteTransactionOutput).Responses) == 1 }},
		{"ListTables", func() (any, error) { return rec.ListTables(ctx, &dynamodb.ListTablesInput{}) },
			func(o any) bool {
				out := o.(*dynamodb.ListTablesOutput)
				return out.LastEvaluatedTableName == nil && len(out.TableNames) == 0
			}},
		{"DescribeTable", func() (any, error) { return rec.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: tbl}) },
			func(o any) bool {
				d := o.(*dynamodb.DescribeTableOutput).Table
				return d != nil && *d.TableName == "t" && d.TableStatus == types.TableStatusActive
			}},
		{"CreateTable", func() (any, error) { return rec.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: tbl}) },
			func(o any) bool {
				return o.(*dynamodb.CreateTableOutput).TableDescription.TableStatus == types.TableStatusActive
			}},
		{"DeleteTable", func() (any, error) { return rec.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: tbl}) },
			func(o any) bool { return o.(*dynamodb.DeleteTableOutput).TableDescription != nil }},
		{"UpdateTable", func() (any, error) { return rec.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: tbl}) },
			func(o any) bool { return o.(*dynamodb.UpdateTableOutput).TableDescription != nil }},
		{"UpdateTimeToLive", func() (any, error) {
			return rec.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: tbl,
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}})
		}, func(o any) bool {
			return *o.(*dynamodb.UpdateTimeToLiveOutput).TimeToLiveSpecification.AttributeName == "exp"
		}},
	}
	for i, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			out, err := c.call()
			if err != nil {
				t.Fatal(err)
			}
			if !c.ok(out) {
				t.Fatalf("unexpected empty output %+v", out)
			}
			calls := rec.Calls()
			if len(calls) != i+1 || calls[i].Op != c.op {
				t.Fatalf("recorded %d calls, last %+v", len(calls), calls[len(calls)-1])
			}
		})
	}
	pages := NewRecorder(nil)
	if _, err := paginate(ctx, pages, &dynamodb.QueryInput{TableName: tbl}); err != nil {
		t.Fatal(err)
	}
	if pages.Count("Query") != 1 {
		t.Fatalf("a nil-inner Query paginated %d times", pages.Count("Query"))
	}
}

func TestRecorderConcurrent(t *testing.T) {
	rec := NewRecorder(nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				_, _ = rec.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("t")})
				_ = rec.Count("Scan")
			}
		})
	}
	wg.Wait()
	if got := rec.Count("Scan"); got != 400 {
		t.Fatalf("Count = %d, want 400", got)
	}
}
