package native

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
)

// writeResult is a single-item write: the tag, and the returned attributes
// (ReturnValues) as a row when there are any.
func writeResult(s *itemShape, tag string, attrs map[string]types.AttributeValue, cc *types.ConsumedCapacity) (*Result, error) {
	var items []map[string]types.AttributeValue
	if len(attrs) > 0 {
		items = append(items, attrs)
	}
	rows, err := s.rows(items)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: s.cols, Rows: rows, Tag: tag}
	if cc != nil {
		res.ConsumedCapacity = []types.ConsumedCapacity{*cc}
	}
	return res, nil
}

func execPutItem(ctx context.Context, api dynamo.API, in *dynamodb.PutItemInput, cat catalog.Source) (*Result, error) {
	table := aws.ToString(in.TableName)
	s, err := shapeFor(ctx, cat, table)
	if err != nil {
		return nil, err
	}
	out, err := api.PutItem(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "PutItem", table)
	}
	return writeResult(s, "INSERT 0 1", out.Attributes, out.ConsumedCapacity)
}

func execUpdateItem(ctx context.Context, api dynamo.API, in *dynamodb.UpdateItemInput, cat catalog.Source) (*Result, error) {
	table := aws.ToString(in.TableName)
	s, err := shapeFor(ctx, cat, table)
	if err != nil {
		return nil, err
	}
	out, err := api.UpdateItem(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "UpdateItem", table)
	}
	return writeResult(s, "UPDATE 1", out.Attributes, out.ConsumedCapacity)
}

func execDeleteItem(ctx context.Context, api dynamo.API, in *dynamodb.DeleteItemInput, cat catalog.Source) (*Result, error) {
	table := aws.ToString(in.TableName)
	s, err := shapeFor(ctx, cat, table)
	if err != nil {
		return nil, err
	}
	out, err := api.DeleteItem(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "DeleteItem", table)
	}
	// Only ALL_OLD tells whether an item was there; without it DynamoDB
	// answers the same either way, and the tag says one delete was done.
	tag := "DELETE 1"
	if in.ReturnValues == types.ReturnValueAllOld && len(out.Attributes) == 0 {
		tag = "DELETE 0"
	}
	return writeResult(s, tag, out.Attributes, out.ConsumedCapacity)
}

// execBatchWriteItem reports the writes sent; those DynamoDB did not process
// are in Unprocessed for the client to retry.
func execBatchWriteItem(ctx context.Context, api dynamo.API, in *dynamodb.BatchWriteItemInput) (*Result, error) {
	out, err := api.BatchWriteItem(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "BatchWriteItem", "")
	}
	puts, deletes := countWrites(in.RequestItems)
	unPuts, unDeletes := countWrites(out.UnprocessedItems)
	puts, deletes = puts-unPuts, deletes-unDeletes
	tag := fmt.Sprintf("BATCHWRITEITEM %d", puts+deletes)
	switch {
	case unPuts+unDeletes > 0:
	case deletes == 0:
		tag = fmt.Sprintf("INSERT 0 %d", puts)
	case puts == 0:
		tag = fmt.Sprintf("DELETE %d", deletes)
	}
	res := &Result{Tag: tag, ConsumedCapacity: out.ConsumedCapacity}
	return res, res.setUnprocessed(out.UnprocessedItems, unPuts+unDeletes)
}

func countWrites(items map[string][]types.WriteRequest) (puts, deletes int) {
	for _, reqs := range items {
		for _, r := range reqs {
			if r.PutRequest != nil {
				puts++
			}
			if r.DeleteRequest != nil {
				deletes++
			}
		}
	}
	return puts, deletes
}

func execTransactWriteItems(ctx context.Context, api dynamo.API, in *dynamodb.TransactWriteItemsInput) (*Result, error) {
	out, err := api.TransactWriteItems(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "TransactWriteItems", "")
	}
	return &Result{Tag: fmt.Sprintf("TRANSACTWRITEITEMS %d", len(in.TransactItems)), ConsumedCapacity: out.ConsumedCapacity}, nil
}
