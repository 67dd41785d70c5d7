package dynamo

import (
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// One formatter per request type, fields in the order FormatCall documents.

func formatGetItem(in *dynamodb.GetItemInput) string {
	x := exprCtx{names: in.ExpressionAttributeNames}
	var f fields
	f.add("table", str(in.TableName))
	f.add("consistent", boolPtr(in.ConsistentRead))
	f.add("key", formatItem(in.Key))
	f.add("proj", x.bracket(in.ProjectionExpression))
	return f.String()
}

func formatBatchGetItem(in *dynamodb.BatchGetItemInput) string {
	tables := sortedKeys(in.RequestItems)
	parts := make([]string, len(tables))
	for i, t := range tables {
		ka := in.RequestItems[t]
		x := exprCtx{names: ka.ExpressionAttributeNames}
		var f fields
		f.add("table", t)
		f.add("consistent", boolPtr(ka.ConsistentRead))
		f.add("keys", formatKeys(ka.Keys))
		f.add("proj", x.bracket(ka.ProjectionExpression))
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}

func formatQuery(in *dynamodb.QueryInput) string {
	x := exprCtx{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	var f fields
	f.add("table", str(in.TableName))
	f.add("index", str(in.IndexName))
	f.add("consistent", boolPtr(in.ConsistentRead))
	f.add("key", x.bracket(in.KeyConditionExpression))
	f.add("filter", x.bracket(in.FilterExpression))
	f.add("proj", x.bracket(in.ProjectionExpression))
	f.add("limit", int32Ptr(in.Limit))
	f.add("forward", boolPtr(in.ScanIndexForward))
	f.add("select", string(in.Select))
	f.add("start", formatItem(in.ExclusiveStartKey))
	return f.String()
}

func formatScan(in *dynamodb.ScanInput) string {
	x := exprCtx{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	var f fields
	f.add("table", str(in.TableName))
	f.add("index", str(in.IndexName))
	f.add("consistent", boolPtr(in.ConsistentRead))
	if in.Segment != nil || in.TotalSegments != nil {
		f.add("segment", int32Ptr(in.Segment)+"/"+int32Ptr(in.TotalSegments))
	}
	f.add("filter", x.bracket(in.FilterExpression))
	f.add("proj", x.bracket(in.ProjectionExpression))
	f.add("limit", int32Ptr(in.Limit))
	f.add("select", string(in.Select))
	f.add("start", formatItem(in.ExclusiveStartKey))
	return f.String()
}

func formatPutItem(in *dynamodb.PutItemInput) string {
	x := exprCtx{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	var f fields
	f.add("table", str(in.TableName))
	f.add("item", formatItem(in.Item))
	f.add("cond", x.bracket(in.ConditionExpression))
	f.add("return", string(in.ReturnValues))
	f.add("return_on_fail", string(in.ReturnValuesOnConditionCheckFailure))
	return f.String()
}

func formatUpdateItem(in *dynamodb.UpdateItemInput) string {
	x := exprCtx{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	var f fields
	f.add("table", str(in.TableName))
	f.add("key", formatItem(in.Key))
	f.add("update", x.bracket(in.UpdateExpression))
	f.add("cond", x.bracket(in.ConditionExpression))
	f.add("return", string(in.ReturnValues))
	f.add("return_on_fail", string(in.ReturnValuesOnConditionCheckFailure))
	return f.String()
}

func formatDeleteItem(in *dynamodb.DeleteItemInput) string {
	x := exprCtx{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	var f fields
	f.add("table", str(in.TableName))
	f.add("key", formatItem(in.Key))
	f.add("cond", x.bracket(in.ConditionExpression))
	f.add("return", string(in.ReturnValues))
	f.add("return_on_fail", string(in.ReturnValuesOnConditionCheckFailure))
	return f.String()
}

// formatBatchWriteItem keeps each table's requests in the order sent: the
// order of writes is part of what a plan decides.
func formatBatchWriteItem(in *dynamodb.BatchWriteItemInput) string {
	tables := sortedKeys(in.RequestItems)
	parts := make([]string, len(tables))
	for i, t := range tables {
		var f fields
		f.add("table", t)
		for _, w := range in.RequestItems[t] {
			if w.PutRequest != nil {
				f.add("put", formatItem(w.PutRequest.Item))
			}
			if w.DeleteRequest != nil {
				f.add("delete", formatItem(w.DeleteRequest.Key))
			}
		}
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}

// formatTransactWriteItems prints each action as [Kind table=... ...] in
// request order (DynamoDB reports cancellation reasons by that position).
func formatTransactWriteItems(in *dynamodb.TransactWriteItemsInput) string {
	parts := make([]string, len(in.TransactItems))
	for i, it := range in.TransactItems {
		parts[i] = "[" + formatTransactWrite(it) + "]"
	}
	return strings.Join(parts, " ")
}

func formatTransactWrite(it types.TransactWriteItem) string {
	var f fields
	switch {
	case it.Put != nil:
		p := it.Put
		x := exprCtx{names: p.ExpressionAttributeNames, values: p.ExpressionAttributeValues}
		f.raw("Put")
		f.add("table", str(p.TableName))
		f.add("item", formatItem(p.Item))
		f.add("cond", x.bracket(p.ConditionExpression))
	case it.Update != nil:
		u := it.Update
		x := exprCtx{names: u.ExpressionAttributeNames, values: u.ExpressionAttributeValues}
		f.raw("Update")
		f.add("table", str(u.TableName))
		f.add("key", formatItem(u.Key))
		f.add("update", x.bracket(u.UpdateExpression))
		f.add("cond", x.bracket(u.ConditionExpression))
	case it.Delete != nil:
		d := it.Delete
		x := exprCtx{names: d.ExpressionAttributeNames, values: d.ExpressionAttributeValues}
		f.raw("Delete")
		f.add("table", str(d.TableName))
		f.add("key", formatItem(d.Key))
		f.add("cond", x.bracket(d.ConditionExpression))
	case it.ConditionCheck != nil:
		c := it.ConditionCheck
		x := exprCtx{names: c.ExpressionAttributeNames, values: c.ExpressionAttributeValues}
		f.raw("ConditionCheck")
		f.add("table", str(c.TableName))
		f.add("key", formatItem(c.Key))
		f.add("cond", x.bracket(c.ConditionExpression))
	default:
		f.raw("<empty>")
	}
	return f.String()
}

func formatTransactGetItems(in *dynamodb.TransactGetItemsInput) string {
	parts := make([]string, len(in.TransactItems))
	for i, it := range in.TransactItems {
		var f fields
		f.raw("Get")
		if g := it.Get; g != nil {
			x := exprCtx{names: g.ExpressionAttributeNames}
			f.add("table", str(g.TableName))
			f.add("key", formatItem(g.Key))
			f.add("proj", x.bracket(g.ProjectionExpression))
		}
		parts[i] = "[" + f.String() + "]"
	}
	return strings.Join(parts, " ")
}

func formatExecuteStatement(in *dynamodb.ExecuteStatementInput) string {
	var f fields
	f.add("stmt", quoted(in.Statement))
	f.add("params", formatParams(in.Parameters))
	f.add("consistent", boolPtr(in.ConsistentRead))
	f.add("limit", int32Ptr(in.Limit))
	f.add("next", quoted(in.NextToken))
	return f.String()
}

func formatBatchStatements(stmts []types.BatchStatementRequest) string {
	parts := make([]string, len(stmts))
	for i, s := range stmts {
		var f fields
		f.add("stmt", quoted(s.Statement))
		f.add("params", formatParams(s.Parameters))
		f.add("consistent", boolPtr(s.ConsistentRead))
		parts[i] = "[" + f.String() + "]"
	}
	return strings.Join(parts, " ")
}

func formatTransactStatements(stmts []types.ParameterizedStatement) string {
	parts := make([]string, len(stmts))
	for i, s := range stmts {
		var f fields
		f.add("stmt", quoted(s.Statement))
		f.add("params", formatParams(s.Parameters))
		parts[i] = "[" + f.String() + "]"
	}
	return strings.Join(parts, " ")
}

func formatParams(ps []types.AttributeValue) string {
	if len(ps) == 0 {
		return ""
	}
	return "[" + joinMapped(ps, formatValue) + "]"
}

func formatListTables(in *dynamodb.ListTablesInput) string {
	var f fields
	f.add("start", str(in.ExclusiveStartTableName))
	f.add("limit", int32Ptr(in.Limit))
	return f.String()
}

// formatCreateTable shows what decides a table's shape: key schema with
// attribute types, billing mode and secondary indexes.
func formatCreateTable(in *dynamodb.CreateTableInput) string {
	attrTypes := map[string]string{}
	for _, d := range in.AttributeDefinitions {
		attrTypes[str(d.AttributeName)] = string(d.AttributeType)
	}
	var f fields
	f.add("table", str(in.TableName))
	f.add("key", formatKeySchema(in.KeySchema, attrTypes))
	f.add("billing", string(in.BillingMode))
	for _, g := range in.GlobalSecondaryIndexes {
		f.add("gsi", formatIndex(str(g.IndexName), g.KeySchema, g.Projection, attrTypes))
	}
	for _, l := range in.LocalSecondaryIndexes {
		f.add("lsi", formatIndex(str(l.IndexName), l.KeySchema, l.Projection, attrTypes))
	}
	return f.String()
}

func formatKeySchema(ks []types.KeySchemaElement, attrTypes map[string]string) string {
	if len(ks) == 0 {
		return ""
	}
	return "[" + joinMapped(ks, func(k types.KeySchemaElement) string {
		s := formatName(str(k.AttributeName)) + " " + string(k.KeyType)
		if t := attrTypes[str(k.AttributeName)]; t != "" {
			s += " " + t
		}
		return s
	}) + "]"
}

func formatIndex(name string, ks []types.KeySchemaElement, p *types.Projection, attrTypes map[string]string) string {
	s := name + formatKeySchema(ks, attrTypes)
	if p != nil {
		s += "/" + string(p.ProjectionType)
		if len(p.NonKeyAttributes) > 0 {
			attrs := append([]string(nil), p.NonKeyAttributes...)
			sort.Strings(attrs)
			s += "(" + strings.Join(attrs, ",") + ")"
		}
	}
	return s
}

func formatUpdateTable(in *dynamodb.UpdateTableInput) string {
	var f fields
	f.add("table", str(in.TableName))
	f.add("billing", string(in.BillingMode))
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			f.add("create_gsi", str(u.Create.IndexName))
		case u.Delete != nil:
			f.add("delete_gsi", str(u.Delete.IndexName))
		case u.Update != nil:
			f.add("update_gsi", str(u.Update.IndexName))
		}
	}
	return f.String()
}

func formatUpdateTimeToLive(in *dynamodb.UpdateTimeToLiveInput) string {
	var f fields
	f.add("table", str(in.TableName))
	if s := in.TimeToLiveSpecification; s != nil {
		f.add("ttl", formatName(str(s.AttributeName)))
		f.add("enabled", boolPtr(s.Enabled))
	}
	return f.String()
}
