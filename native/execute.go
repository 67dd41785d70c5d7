package native

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Execute runs exactly one page of req (the caller checked its Needs first)
// and returns it as rows. Item columns come from cat (nil: only _item); the
// columns are read before any call, so a write never happens without a way
// to report it. SDK errors are mapped by dynamo.MapError.
func Execute(ctx context.Context, api dynamo.API, req *Request, cat catalog.Source) (*Result, error) {
	switch in := req.Input.(type) {
	case *dynamodb.QueryInput:
		return execQuery(ctx, api, in, cat)
	case *dynamodb.ScanInput:
		return execScan(ctx, api, in, cat)
	case *dynamodb.GetItemInput:
		return execGetItem(ctx, api, in, cat)
	case *dynamodb.BatchGetItemInput:
		return execBatchGetItem(ctx, api, in, cat)
	case *dynamodb.TransactGetItemsInput:
		return execTransactGetItems(ctx, api, in, cat)
	case *dynamodb.PutItemInput:
		return execPutItem(ctx, api, in, cat)
	case *dynamodb.UpdateItemInput:
		return execUpdateItem(ctx, api, in, cat)
	case *dynamodb.DeleteItemInput:
		return execDeleteItem(ctx, api, in, cat)
	case *dynamodb.BatchWriteItemInput:
		return execBatchWriteItem(ctx, api, in)
	case *dynamodb.TransactWriteItemsInput:
		return execTransactWriteItems(ctx, api, in)
	case *dynamodb.ExecuteStatementInput:
		return execStatement(ctx, api, in, req.Statements, cat)
	case *dynamodb.BatchExecuteStatementInput:
		return execBatchStatement(ctx, api, in)
	case *dynamodb.ExecuteTransactionInput:
		return execTransaction(ctx, api, in)
	case *dynamodb.ListTablesInput:
		return execListTables(ctx, api, in, req.opts.Visible)
	case *dynamodb.DescribeTableInput, *dynamodb.CreateTableInput, *dynamodb.DeleteTableInput, *dynamodb.UpdateTableInput:
		return execTableVerb(ctx, api, in, cat)
	}
	return nil, pgerr.New(pgerr.InternalError, "native: no executor for %T", req.Input)
}

// countResult answers Select=COUNT: DynamoDB returns counts, no items.
func countResult(count, scanned int32) *Result {
	return &Result{
		Columns: []sqltypes.Column{
			{Name: "count", Type: sqltypes.Int8, Typmod: -1},
			{Name: "scanned_count", Type: sqltypes.Int8, Typmod: -1},
		},
		Rows: []sqltypes.Row{{int64(count), int64(scanned)}},
		Tag:  "SELECT 1",
	}
}

func execQuery(ctx context.Context, api dynamo.API, in *dynamodb.QueryInput, cat catalog.Source) (*Result, error) {
	return execPage(ctx, "Query", aws.ToString(in.TableName), in.Select, cat, func() (page, error) {
		out, err := api.Query(ctx, in)
		if err != nil {
			return page{}, err
		}
		return page{out.Items, out.Count, out.ScannedCount, out.ConsumedCapacity, out.LastEvaluatedKey}, nil
	})
}

func execScan(ctx context.Context, api dynamo.API, in *dynamodb.ScanInput, cat catalog.Source) (*Result, error) {
	return execPage(ctx, "Scan", aws.ToString(in.TableName), in.Select, cat, func() (page, error) {
		out, err := api.Scan(ctx, in)
		if err != nil {
			return page{}, err
		}
		return page{out.Items, out.Count, out.ScannedCount, out.ConsumedCapacity, out.LastEvaluatedKey}, nil
	})
}

// page is what Query and Scan outputs have in common.
type page struct {
	items            []map[string]types.AttributeValue
	count, scanned   int32
	capacity         *types.ConsumedCapacity
	lastEvaluatedKey map[string]types.AttributeValue
}

// execPage runs one Query or Scan page (fetch) and makes it a Result: the
// items as rows of the table's shape, or the counts for Select=COUNT.
func execPage(ctx context.Context, op, table string, sel types.Select, cat catalog.Source, fetch func() (page, error)) (*Result, error) {
	var s *itemShape
	if sel != types.SelectCount {
		var err error
		if s, err = shapeFor(ctx, cat, table); err != nil {
			return nil, err
		}
	}
	out, err := fetch()
	if err != nil {
		return nil, dynamo.MapError(err, op, table)
	}
	res, err := pageResult(s, out.items, out.count, out.scanned)
	if err != nil {
		return nil, err
	}
	if out.capacity != nil {
		res.ConsumedCapacity = []types.ConsumedCapacity{*out.capacity}
	}
	return res, res.setLastKey(out.lastEvaluatedKey)
}

// pageResult is one Query or Scan page: items, or the counts when s is nil.
func pageResult(s *itemShape, items []map[string]types.AttributeValue, count, scanned int32) (*Result, error) {
	if s == nil {
		return countResult(count, scanned), nil
	}
	rows, err := s.rows(items)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: s.cols, Rows: rows, Tag: fmt.Sprintf("SELECT %d", len(rows))}, nil
}

func execGetItem(ctx context.Context, api dynamo.API, in *dynamodb.GetItemInput, cat catalog.Source) (*Result, error) {
	table := aws.ToString(in.TableName)
	s, err := shapeFor(ctx, cat, table)
	if err != nil {
		return nil, err
	}
	out, err := api.GetItem(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "GetItem", table)
	}
	var items []map[string]types.AttributeValue
	if out.Item != nil {
		items = append(items, out.Item)
	}
	rows, err := s.rows(items)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: s.cols, Rows: rows, Tag: fmt.Sprintf("SELECT %d", len(rows))}
	if out.ConsumedCapacity != nil {
		res.ConsumedCapacity = []types.ConsumedCapacity{*out.ConsumedCapacity}
	}
	return res, nil
}

func execBatchGetItem(ctx context.Context, api dynamo.API, in *dynamodb.BatchGetItemInput, cat catalog.Source) (*Result, error) {
	tables := sortedTables(in.RequestItems)
	if len(tables) == 1 {
		if _, err := shapeFor(ctx, cat, tables[0]); err != nil {
			return nil, err
		}
	}
	out, err := api.BatchGetItem(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "BatchGetItem", "")
	}
	var items []tableItem
	for _, t := range tables {
		for _, it := range out.Responses[t] {
			items = append(items, tableItem{t, it})
		}
	}
	cols, rows, err := multiTableRows(ctx, cat, items, tables)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: cols, Rows: rows, Tag: fmt.Sprintf("SELECT %d", len(rows)), ConsumedCapacity: out.ConsumedCapacity}
	return res, res.setUnprocessed(out.UnprocessedKeys, len(out.UnprocessedKeys))
}

func execTransactGetItems(ctx context.Context, api dynamo.API, in *dynamodb.TransactGetItemsInput, cat catalog.Source) (*Result, error) {
	names := make([]string, len(in.TransactItems))
	seen := map[string]bool{}
	var tables []string
	for i, it := range in.TransactItems {
		if it.Get != nil {
			names[i] = aws.ToString(it.Get.TableName)
		}
		if !seen[names[i]] {
			seen[names[i]] = true
			tables = append(tables, names[i])
		}
	}
	if len(tables) == 1 {
		if _, err := shapeFor(ctx, cat, tables[0]); err != nil {
			return nil, err
		}
	}
	out, err := api.TransactGetItems(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "TransactGetItems", "")
	}
	var items []tableItem
	for i, r := range out.Responses {
		if r.Item != nil && i < len(names) {
			items = append(items, tableItem{names[i], r.Item})
		}
	}
	cols, rows, err := multiTableRows(ctx, cat, items, tables)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: cols, Rows: rows, Tag: fmt.Sprintf("SELECT %d", len(rows)), ConsumedCapacity: out.ConsumedCapacity}, nil
}
