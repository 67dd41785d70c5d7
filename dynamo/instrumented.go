package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// RequestObserver is told about every request an Instrumented API makes:
// the operation name ("GetItem"), how long it took, its error (nil on
// success) and the consumed capacity the output reported (nil when the
// request did not ask for it or failed). Called concurrently; must not block.
type RequestObserver interface {
	ObserveRequest(op string, took time.Duration, err error, capacity []types.ConsumedCapacity)
}

// Instrumented is an API that forwards every call to an inner API and
// reports it to a RequestObserver (package metrics counts requests,
// latency and capacity per database with it). Safe for concurrent use when
// inner and the observer are.
type Instrumented struct {
	inner API
	obs   RequestObserver
	now   func() time.Time // time.Now; a field so tests need not sleep
}

var _ API = (*Instrumented)(nil)

// NewInstrumented wraps inner so that obs sees every request.
func NewInstrumented(inner API, obs RequestObserver) *Instrumented {
	return &Instrumented{inner: inner, obs: obs, now: time.Now}
}

// instrument runs one call and reports it; capOf extracts the consumed
// capacity from a non-nil output.
func instrument[O any](a *Instrumented, op string, call func() (*O, error), capOf func(*O) []types.ConsumedCapacity) (*O, error) {
	start := a.now()
	out, err := call()
	took := a.now().Sub(start)
	var capacity []types.ConsumedCapacity
	if err == nil && out != nil {
		capacity = capOf(out)
	}
	a.obs.ObserveRequest(op, took, err, capacity)
	return out, err
}

// one turns a single-table output's capacity into a slice.
func one(c *types.ConsumedCapacity) []types.ConsumedCapacity {
	if c == nil {
		return nil
	}
	return []types.ConsumedCapacity{*c}
}

func noCapacity[O any](*O) []types.ConsumedCapacity { return nil }

func (a *Instrumented) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return instrument(a, "GetItem", func() (*dynamodb.GetItemOutput, error) { return a.inner.GetItem(ctx, in, opts...) },
		func(o *dynamodb.GetItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (a *Instrumented) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return instrument(a, "BatchGetItem", func() (*dynamodb.BatchGetItemOutput, error) { return a.inner.BatchGetItem(ctx, in, opts...) },
		func(o *dynamodb.BatchGetItemOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (a *Instrumented) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return instrument(a, "Query", func() (*dynamodb.QueryOutput, error) { return a.inner.Query(ctx, in, opts...) },
		func(o *dynamodb.QueryOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (a *Instrumented) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return instrument(a, "Scan", func() (*dynamodb.ScanOutput, error) { return a.inner.Scan(ctx, in, opts...) },
		func(o *dynamodb.ScanOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (a *Instrumented) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return instrument(a, "PutItem", func() (*dynamodb.PutItemOutput, error) { return a.inner.PutItem(ctx, in, opts...) },
		func(o *dynamodb.PutItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (a *Instrumented) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return instrument(a, "UpdateItem", func() (*dynamodb.UpdateItemOutput, error) { return a.inner.UpdateItem(ctx, in, opts...) },
		func(o *dynamodb.UpdateItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (a *Instrumented) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return instrument(a, "DeleteItem", func() (*dynamodb.DeleteItemOutput, error) { return a.inner.DeleteItem(ctx, in, opts...) },
		func(o *dynamodb.DeleteItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (a *Instrumented) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return instrument(a, "BatchWriteItem", func() (*dynamodb.BatchWriteItemOutput, error) { return a.inner.BatchWriteItem(ctx, in, opts...) },
		func(o *dynamodb.BatchWriteItemOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (a *Instrumented) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return instrument(a, "TransactWriteItems", func() (*dynamodb.TransactWriteItemsOutput, error) {
		return a.inner.TransactWriteItems(ctx, in, opts...)
	},
		func(o *dynamodb.TransactWriteItemsOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (a *Instrumented) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	return instrument(a, "TransactGetItems", func() (*dynamodb.TransactGetItemsOutput, error) { return a.inner.TransactGetItems(ctx, in, opts...) },
		func(o *dynamodb.TransactGetItemsOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (a *Instrumented) ExecuteStatement(ctx context.Context, in *dynamodb.ExecuteStatementInput, opts ...func(*dynamodb.Options)) (*dynamodb.ExecuteStatementOutput, error) {
	return instrument(a, "ExecuteStatement", func() (*dynamodb.ExecuteStatementOutput, error) { return a.inner.ExecuteStatement(ctx, in, opts...) },
		func(o *dynamodb.ExecuteStatementOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (a *Instrumented) BatchExecuteStatement(ctx context.Context, in *dynamodb.BatchExecuteStatementInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchExecuteStatementOutput, error) {
	return instrument(a, "BatchExecuteStatement", func() (*dynamodb.BatchExecuteStatementOutput, error) {
		return a.inner.BatchExecuteStatement(ctx, in, opts...)
	},
		func(o *dynamodb.BatchExecuteStatementOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (a *Instrumented) ExecuteTransaction(ctx context.Context, in *dynamodb.ExecuteTransactionInput, opts ...func(*dynamodb.Options)) (*dynamodb.ExecuteTransactionOutput, error) {
	return instrument(a, "ExecuteTransaction", func() (*dynamodb.ExecuteTransactionOutput, error) {
		return a.inner.ExecuteTransaction(ctx, in, opts...)
	},
		func(o *dynamodb.ExecuteTransactionOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (a *Instrumented) ListTables(ctx context.Context, in *dynamodb.ListTablesInput, opts ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return instrument(a, "ListTables", func() (*dynamodb.ListTablesOutput, error) { return a.inner.ListTables(ctx, in, opts...) },
		noCapacity[dynamodb.ListTablesOutput])
}

func (a *Instrumented) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return instrument(a, "DescribeTable", func() (*dynamodb.DescribeTableOutput, error) { return a.inner.DescribeTable(ctx, in, opts...) },
		noCapacity[dynamodb.DescribeTableOutput])
}

func (a *Instrumented) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return instrument(a, "CreateTable", func() (*dynamodb.CreateTableOutput, error) { return a.inner.CreateTable(ctx, in, opts...) },
		noCapacity[dynamodb.CreateTableOutput])
}

func (a *Instrumented) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	return instrument(a, "DeleteTable", func() (*dynamodb.DeleteTableOutput, error) { return a.inner.DeleteTable(ctx, in, opts...) },
		noCapacity[dynamodb.DeleteTableOutput])
}

func (a *Instrumented) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	return instrument(a, "UpdateTable", func() (*dynamodb.UpdateTableOutput, error) { return a.inner.UpdateTable(ctx, in, opts...) },
		noCapacity[dynamodb.UpdateTableOutput])
}

func (a *Instrumented) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	return instrument(a, "UpdateTimeToLive", func() (*dynamodb.UpdateTimeToLiveOutput, error) { return a.inner.UpdateTimeToLive(ctx, in, opts...) },
		noCapacity[dynamodb.UpdateTimeToLiveOutput])
}
