package native

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// execListTables returns one row per table of this page that visible lets
// the user see.
func execListTables(ctx context.Context, api dynamo.API, in *dynamodb.ListTablesInput, visible func(string) bool) (*Result, error) {
	out, err := api.ListTables(ctx, in)
	if err != nil {
		return nil, dynamo.MapError(err, "ListTables", "")
	}
	var rows []sqltypes.Row
	for _, t := range out.TableNames {
		if visible == nil || visible(t) {
			rows = append(rows, sqltypes.Row{t})
		}
	}
	res := &Result{
		Columns: []sqltypes.Column{{Name: "table_name", Type: sqltypes.Text, Typmod: -1}},
		Rows:    rows,
		Tag:     fmt.Sprintf("SELECT %d", len(rows)),
	}
	return res, res.setNextToken(out.LastEvaluatedTableName, "ExclusiveStartTableName")
}

// execTableVerb runs DescribeTable and the DDL verbs; each answers one jsonb
// row with the table's description. DDL drops the table's cached metadata.
func execTableVerb(ctx context.Context, api dynamo.API, in any, cat catalog.Source) (*Result, error) {
	var (
		desc  any
		table string
		op    string
		tag   string
		err   error
	)
	switch in := in.(type) {
	case *dynamodb.DescribeTableInput:
		table, op, tag = aws.ToString(in.TableName), "DescribeTable", "SELECT 1"
		var out *dynamodb.DescribeTableOutput
		if out, err = api.DescribeTable(ctx, in); err == nil {
			desc = out.Table
		}
	case *dynamodb.CreateTableInput:
		table, op, tag = aws.ToString(in.TableName), "CreateTable", "CREATE TABLE"
		var out *dynamodb.CreateTableOutput
		if out, err = api.CreateTable(ctx, in); err == nil {
			desc = out.TableDescription
		}
	case *dynamodb.DeleteTableInput:
		table, op, tag = aws.ToString(in.TableName), "DeleteTable", "DROP TABLE"
		var out *dynamodb.DeleteTableOutput
		if out, err = api.DeleteTable(ctx, in); err == nil {
			desc = out.TableDescription
		}
	case *dynamodb.UpdateTableInput:
		table, op, tag = aws.ToString(in.TableName), "UpdateTable", "ALTER TABLE"
		var out *dynamodb.UpdateTableOutput
		if out, err = api.UpdateTable(ctx, in); err == nil {
			desc = out.TableDescription
		}
	default:
		return nil, pgerr.New(pgerr.InternalError, "native: %T is not a table verb", in)
	}
	if err != nil {
		return nil, dynamo.MapError(err, op, table)
	}
	if cat != nil && op != "DescribeTable" {
		cat.Invalidate(table)
	}
	row, err := jsonRow(desc)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: []sqltypes.Column{{Name: "table", Type: sqltypes.Jsonb, Typmod: -1}}, Rows: []sqltypes.Row{row}, Tag: tag}, nil
}
