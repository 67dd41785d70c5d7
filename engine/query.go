package engine

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Query)(nil)

// SelectCount is the Select value of a Query or Scan that only counts: DynamoDB
// returns Count per page and no items, and the node yields one bigint row.
const SelectCount = "COUNT"

// Query reads the items of one partition (of the table or of the index
// Index) matching KeyCond, page by page.
type Query struct {
	Table string
	Index string // "" for the table itself
	// LocalIndex says Index is an LSI, which (unlike a GSI) can be read with
	// ConsistentRead.
	LocalIndex bool
	KeyCond    Cond // partition key equality, optionally AND a sort-key condition
	Filter     Cond // FilterExpression (nil: none)
	Projection []string
	// Forward is ScanIndexForward: ascending sort-key order when true.
	Forward bool
	// Limit is DynamoDB's page size (0: none); the planner sets it only when
	// every item read becomes an output row.
	Limit int64
	// LimitExpr is a page size known only at Open (LIMIT $1), used when
	// Limit is 0; NULL means none.
	LimitExpr expr.Expr
	Select    string // "" or SelectCount
	Out       []catalog.Column
}

func (n *Query) Columns() []sqltypes.Column {
	if n.Select == SelectCount {
		return countColumns()
	}
	return sqlColumns(n.Out)
}

func (n *Query) Describe() *Description {
	d := &Description{Op: "Query"}
	d.add("Table", n.Table).add("Index", n.Index).add("Calls", "paginated")
	d.add("Key Condition", condString(n.KeyCond)).add("Filter", condString(n.Filter))
	d.add("Projection", attrList(n.Projection))
	d.add("Limit", limitString(n.Limit, n.LimitExpr))
	switch {
	case n.Select == SelectCount:
		// a count has no order
	case n.Forward:
		d.add("Scan Direction", "forward")
	default:
		d.add("Scan Direction", "backward")
	}
	return d.add("Select", n.Select)
}

func (n *Query) Open(_ context.Context, env *Env) (Iter, error) {
	p, err := n.paged(env)
	if err != nil || p == nil {
		return noRows(n.Select == SelectCount), err
	}
	return p, nil
}

// paged builds the request and its page iterator; nil (and no error) when the
// conditions can hold for no item, so nothing is to be read.
func (n *Query) paged(env *Env) (*pagedIter, error) {
	count := n.Select == SelectCount
	b := newExprBuilder(env.evalCtx())
	b.keys = true
	key, never, err := renderCond(b, n.KeyCond)
	if err != nil || never {
		return nil, err
	}
	b.keys = false
	filter, never, err := renderCond(b, n.Filter)
	if err != nil || never {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(n.Table),
		IndexName:              optString(n.Index),
		KeyConditionExpression: aws.String(key),
		FilterExpression:       optString(filter),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	}
	if count {
		in.Select = types.SelectCount
	} else {
		in.ProjectionExpression = optString(b.projection(n.Projection))
		if in.Limit, err = pageLimit(env, n.Limit, n.LimitExpr); err != nil {
			return nil, err
		}
	}
	if !n.Forward {
		in.ScanIndexForward = aws.Bool(false)
	}
	// A GSI cannot be read consistently: DynamoDB rejects the request.
	if env.ConsistentRead && !n.globalIndex() {
		in.ConsistentRead = aws.Bool(true)
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = b.nameMap(), b.valueMap()
	fetch := func(ctx context.Context, _ int, start map[string]types.AttributeValue) (page, error) {
		req := *in
		req.ExclusiveStartKey = start
		out, err := env.DB.Query(ctx, &req)
		if err != nil {
			return page{}, dynamo.MapError(err, "Query", n.Table)
		}
		if out == nil {
			return page{}, nil
		}
		return page{items: out.Items, last: out.LastEvaluatedKey, count: int64(out.Count),
			scanned: int64(out.ScannedCount), cc: out.ConsumedCapacity}, nil
	}
	return newPagedIter("Query", 1, fetch, n.Out, count, env.Stats), nil
}

// globalIndex reports whether the Query reads a GSI.
func (n *Query) globalIndex() bool {
	if n.Index == "" {
		return false
	}
	return !n.LocalIndex
}
