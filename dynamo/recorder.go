package dynamo

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Call is one recorded DynamoDB request: its operation name ("Query"), the
// input struct (e.g. *dynamodb.QueryInput) and what came back.
type Call struct {
	Op     string
	Input  any
	Output any
	Err    error
}

// Recorder is an API that records every call and forwards it to an inner
// API; with a nil inner API it answers every call with an empty output, so
// golden plan tests can record requests without a server. Safe for
// concurrent use.
type Recorder struct {
	inner API // nil: answer every call with an empty, valid output

	mu    sync.Mutex
	calls []Call // guarded by mu
}

var _ API = (*Recorder)(nil)

// NewRecorder records calls made through it and forwards them to inner (nil:
// answer empty).
func NewRecorder(inner API) *Recorder { return &Recorder{inner: inner} }

// Calls returns the calls recorded so far, in order.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

// Reset forgets the recorded calls.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// Count returns how many calls of operation op were recorded.
func (r *Recorder) Count(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

// record forwards one call (or answers it with empty() when there is no inner
// API) and appends it to the log. The input is copied first: paginating
// callers reuse one input and set ExclusiveStartKey on it, which would
// otherwise rewrite the earlier recorded requests.
func record[I, O any](r *Recorder, op string, in *I, forward func(API) (*O, error), empty func() *O) (*O, error) {
	var (
		out *O
		err error
	)
	if r.inner != nil {
		out, err = forward(r.inner)
	} else {
		out = empty()
	}
	var recorded *I
	if in != nil {
		cp := *in
		recorded = &cp
	}
	r.mu.Lock()
	r.calls = append(r.calls, Call{Op: op, Input: recorded, Output: out, Err: err})
	r.mu.Unlock()
	return out, err
}

// GetItem records and forwards; empty: no item.
func (r *Recorder) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return record(r, "GetItem", in, func(a API) (*dynamodb.GetItemOutput, error) { return a.GetItem(ctx, in, opts...) },
		func() *dynamodb.GetItemOutput { return &dynamodb.GetItemOutput{} })
}

// BatchGetItem records and forwards; empty: no items for each requested
// table and nothing unprocessed.
func (r *Recorder) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return record(r, "BatchGetItem", in, func(a API) (*dynamodb.BatchGetItemOutput, error) { return a.BatchGetItem(ctx, in, opts...) },
		func() *dynamodb.BatchGetItemOutput {
			out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
			if in != nil {
				for table := range in.RequestItems {
					out.Responses[table] = []map[string]types.AttributeValue{}
				}
			}
			return out
		})
}

// Query records and forwards; empty: one last page with no items.
func (r *Recorder) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return record(r, "Query", in, func(a API) (*dynamodb.QueryOutput, error) { return a.Query(ctx, in, opts...) },
		func() *dynamodb.QueryOutput { return &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{}} })
}

// Scan records and forwards; empty: one last page with no items.
func (r *Recorder) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return record(r, "Scan", in, func(a API) (*dynamodb.ScanOutput, error) { return a.Scan(ctx, in, opts...) },
		func() *dynamodb.ScanOutput { return &dynamodb.ScanOutput{Items: []map[string]types.AttributeValue{}} })
}

// PutItem records and forwards; empty: no old item.
func (r *Recorder) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return record(r, "PutItem", in, func(a API) (*dynamodb.PutItemOutput, error) { return a.PutItem(ctx, in, opts...) },
		func() *dynamodb.PutItemOutput { return &dynamodb.PutItemOutput{} })
}

// UpdateItem records and forwards; empty: no returned attributes.
func (r *Recorder) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return record(r, "UpdateItem", in, func(a API) (*dynamodb.UpdateItemOutput, error) { return a.UpdateItem(ctx, in, opts...) },
		func() *dynamodb.UpdateItemOutput { return &dynamodb.UpdateItemOutput{} })
}

// DeleteItem records and forwards; empty: no old item.
func (r *Recorder) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return record(r, "DeleteItem", in, func(a API) (*dynamodb.DeleteItemOutput, error) { return a.DeleteItem(ctx, in, opts...) },
		func() *dynamodb.DeleteItemOutput { return &dynamodb.DeleteItemOutput{} })
}

// BatchWriteItem records and forwards; empty: everything processed.
func (r *Recorder) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return record(r, "BatchWriteItem", in, func(a API) (*dynamodb.BatchWriteItemOutput, error) { return a.BatchWriteItem(ctx, in, opts...) },
		func() *dynamodb.BatchWriteItemOutput {
			return &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
		})
}

// TransactWriteItems records and forwards; empty: committed.
func (r *Recorder) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return record(r, "TransactWriteItems", in, func(a API) (*dynamodb.TransactWriteItemsOutput, error) { return a.TransactWriteItems(ctx, in, opts...) },
		func() *dynamodb.TransactWriteItemsOutput { return &dynamodb.TransactWriteItemsOutput{} })
}

// TransactGetItems records and forwards; empty: one "not found" response per
// requested item, as DynamoDB answers.
func (r *Recorder) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	return record(r, "TransactGetItems", in, func(a API) (*dynamodb.TransactGetItemsOutput, error) { return a.TransactGetItems(ctx, in, opts...) },
		func() *dynamodb.TransactGetItemsOutput {
			out := &dynamodb.TransactGetItemsOutput{}
			if in != nil {
				out.Responses = make([]types.ItemResponse, len(in.TransactItems))
			}
			return out
		})
}

// ExecuteStatement records and forwards; empty: one last page with no items.
func (r *Recorder) ExecuteStatement(ctx context.Context, in *dynamodb.ExecuteStatementInput, opts ...func(*dynamodb.Options)) (*dynamodb.ExecuteStatementOutput, error) {
	return record(r, "ExecuteStatement", in, func(a API) (*dynamodb.ExecuteStatementOutput, error) { return a.ExecuteStatement(ctx, in, opts...) },
		func() *dynamodb.ExecuteStatementOutput {
			return &dynamodb.ExecuteStatementOutput{Items: []map[string]types.AttributeValue{}}
		})
}

// BatchExecuteStatement records and forwards; empty: one empty response per
// statement.
func (r *Recorder) BatchExecuteStatement(ctx context.Context, in *dynamodb.BatchExecuteStatementInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchExecuteStatementOutput, error) {
	return record(r, "BatchExecuteStatement", in, func(a API) (*dynamodb.BatchExecuteStatementOutput, error) {
		return a.BatchExecuteStatement(ctx, in, opts...)
	},
		func() *dynamodb.BatchExecuteStatementOutput {
			out := &dynamodb.BatchExecuteStatementOutput{}
			if in != nil {
				out.Responses = make([]types.BatchStatementResponse, len(in.Statements))
			}
			return out
		})
}

// ExecuteTransaction records and forwards; empty: one empty response per
// statement.
func (r *Recorder) ExecuteTransaction(ctx context.Context, in *dynamodb.ExecuteTransactionInput, opts ...func(*dynamodb.Options)) (*dynamodb.ExecuteTransactionOutput, error) {
	return record(r, "ExecuteTransaction", in, func(a API) (*dynamodb.ExecuteTransactionOutput, error) { return a.ExecuteTransaction(ctx, in, opts...) },
		func() *dynamodb.ExecuteTransactionOutput {
			out := &dynamodb.ExecuteTransactionOutput{}
			if in != nil {
				out.Responses = make([]types.ItemResponse, len(in.TransactStatements))
			}
			return out
		})
}

// ListTables records and forwards; empty: no tables.
func (r *Recorder) ListTables(ctx context.Context, in *dynamodb.ListTablesInput, opts ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return record(r, "ListTables", in, func(a API) (*dynamodb.ListTablesOutput, error) { return a.ListTables(ctx, in, opts...) },
		func() *dynamodb.ListTablesOutput { return &dynamodb.ListTablesOutput{TableNames: []string{}} })
}

// DescribeTable records and forwards; empty: an ACTIVE table of that name
// with nothing else known, so wait-for-ACTIVE loops end.
func (r *Recorder) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return record(r, "DescribeTable", in, func(a API) (*dynamodb.DescribeTableOutput, error) { return a.DescribeTable(ctx, in, opts...) },
		func() *dynamodb.DescribeTableOutput {
			var name *string
			if in != nil {
				name = in.TableName
			}
			return &dynamodb.DescribeTableOutput{Table: activeTable(name)}
		})
}

// CreateTable records and forwards; empty: the table, already ACTIVE.
func (r *Recorder) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return record(r, "CreateTable", in, func(a API) (*dynamodb.CreateTableOutput, error) { return a.CreateTable(ctx, in, opts...) },
		func() *dynamodb.CreateTableOutput {
			var name *string
			if in != nil {
				name = in.TableName
			}
			return &dynamodb.CreateTableOutput{TableDescription: activeTable(name)}
		})
}

// DeleteTable records and forwards; empty: the table, DELETING.
func (r *Recorder) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	return record(r, "DeleteTable", in, func(a API) (*dynamodb.DeleteTableOutput, error) { return a.DeleteTable(ctx, in, opts...) },
		func() *dynamodb.DeleteTableOutput {
			desc := &types.TableDescription{TableStatus: types.TableStatusDeleting}
			if in != nil {
				desc.TableName = in.TableName
			}
			return &dynamodb.DeleteTableOutput{TableDescription: desc}
		})
}

// UpdateTable records and forwards; empty: the table, ACTIVE.
func (r *Recorder) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	return record(r, "UpdateTable", in, func(a API) (*dynamodb.UpdateTableOutput, error) { return a.UpdateTable(ctx, in, opts...) },
		func() *dynamodb.UpdateTableOutput {
			var name *string
			if in != nil {
				name = in.TableName
			}
			return &dynamodb.UpdateTableOutput{TableDescription: activeTable(name)}
		})
}

// UpdateTimeToLive records and forwards; empty: the requested specification
// echoed back, as DynamoDB does.
func (r *Recorder) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	return record(r, "UpdateTimeToLive", in, func(a API) (*dynamodb.UpdateTimeToLiveOutput, error) { return a.UpdateTimeToLive(ctx, in, opts...) },
		func() *dynamodb.UpdateTimeToLiveOutput {
			out := &dynamodb.UpdateTimeToLiveOutput{}
			if in != nil {
				out.TimeToLiveSpecification = in.TimeToLiveSpecification
			}
			return out
		})
}

func activeTable(name *string) *types.TableDescription {
	return &types.TableDescription{TableName: name, TableStatus: types.TableStatusActive}
}
