package native

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// execStatement runs one PartiQL statement page; items come back with the
// statement's table's columns.
func execStatement(ctx context.Context, api dynamo.API, in *dynamodb.ExecuteStatementInput, stmts []*Statement, cat catalog.Source) (*Result, error) {
	if len(stmts) != 1 {
		return nil, pgerr.New(pgerr.InternalError, "native: ExecuteStatement request was not classified")
	}
	st := stmts[0]
	s, err := shapeFor(ctx, cat, st.Table)
	if err != nil {
		return nil, err
	}
	out, err := api.ExecuteStatement(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "ExecuteStatement", st.Table)
	}
	rows, err := s.rows(out.Items)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: s.cols, Rows: rows, Tag: statementTag(st, len(rows))}
	if out.ConsumedCapacity != nil {
		res.ConsumedCapacity = []types.ConsumedCapacity{*out.ConsumedCapacity}
	}
	if err := res.setNextToken(out.NextToken, "NextToken"); err != nil {
		return nil, err
	}
	return res, res.setLastKeyAs(out.LastEvaluatedKey, "")
}

// statementTag: a write that succeeded changed exactly one item (PartiQL
// writes address one item by its key and fail when they cannot).
func statementTag(st *Statement, rows int) string {
	switch st.Kind {
	case Insert:
		return "INSERT 0 1"
	case Update:
		return "UPDATE 1"
	case Delete:
		return "DELETE 1"
	}
	return fmt.Sprintf("SELECT %d", rows)
}

// batchColumns are BatchExecuteStatement's answer: one row per statement.
func batchColumns() []sqltypes.Column {
	return []sqltypes.Column{
		{Name: "statement", Type: sqltypes.Int4, Typmod: -1},
		{Name: "_table", Type: sqltypes.Text, Typmod: -1},
		{Name: "error_code", Type: sqltypes.Text, Typmod: -1},
		{Name: "error_message", Type: sqltypes.Text, Typmod: -1},
		{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, Typmod: -1},
	}
}

func execBatchStatement(ctx context.Context, api dynamo.API, in *dynamodb.BatchExecuteStatementInput) (*Result, error) {
	out, err := api.BatchExecuteStatement(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "BatchExecuteStatement", "")
	}
	rows := make([]sqltypes.Row, 0, len(out.Responses))
	for i, r := range out.Responses {
		row := sqltypes.Row{int64(i + 1), nullable(r.TableName), nil, nil, nil}
		if r.Error != nil {
			row[2], row[3] = string(r.Error.Code), nullable(r.Error.Message)
		}
		if r.Item != nil {
			row[4] = sqltypes.ItemToJSON(r.Item)
		}
		rows = append(rows, row)
	}
	return &Result{Columns: batchColumns(), Rows: rows, Tag: fmt.Sprintf("BATCHEXECUTESTATEMENT %d", len(rows)),
		ConsumedCapacity: out.ConsumedCapacity}, nil
}

func execTransaction(ctx context.Context, api dynamo.API, in *dynamodb.ExecuteTransactionInput) (*Result, error) {
	out, err := api.ExecuteTransaction(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "ExecuteTransaction", "")
	}
	s := jsonShape(catalog.ItemColumn)
	var items []map[string]types.AttributeValue
	for _, r := range out.Responses {
		if r.Item != nil {
			items = append(items, r.Item)
		}
	}
	rows, err := s.rows(items)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: s.cols, Rows: rows, Tag: fmt.Sprintf("EXECUTETRANSACTION %d", len(in.TransactStatements)),
		ConsumedCapacity: out.ConsumedCapacity}, nil
}

func nullable(s *string) sqltypes.Value {
	if s == nil {
		return nil
	}
	return *s
}
