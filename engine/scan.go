package engine

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Scan)(nil)

// Scan reads a whole table page by page; with Segments > 1 it runs a parallel
// Scan (TotalSegments), fetching one page of each segment at a time.
type Scan struct {
	Table      string
	Filter     Cond // FilterExpression (nil: none)
	Projection []string
	// Limit is DynamoDB's page size (0: none); set only when every item read
	// becomes an output row and there is one segment.
	Limit int64
	// LimitExpr is a page size known only at Open (LIMIT $1), used when
	// Limit is 0; NULL means none.
	LimitExpr expr.Expr
	Segments  int    // parallel segments; 0 or 1 is a sequential Scan
	Select    string // "" or SelectCount
	Out       []catalog.Column
}

func (n *Scan) Columns() []sqltypes.Column {
	if n.Select == SelectCount {
		return countColumns()
	}
	return sqlColumns(n.Out)
}

func (n *Scan) Describe() *Description {
	d := &Description{Op: "Scan"}
	d.add("Table", n.Table)
	calls := "paginated"
	if n.Segments > 1 {
		calls += ", " + strconv.Itoa(n.Segments) + " parallel segments"
	}
	d.add("Calls", calls).add("Filter", condString(n.Filter)).add("Projection", attrList(n.Projection))
	d.add("Limit", limitString(n.Limit, n.LimitExpr))
	return d.add("Select", n.Select)
}

func (n *Scan) Open(_ context.Context, env *Env) (Iter, error) {
	count := n.Select == SelectCount
	b := newExprBuilder(env.evalCtx())
	filter, never, err := renderCond(b, n.Filter)
	if err != nil || never {
		return noRows(count), err
	}
	in := &dynamodb.ScanInput{
		TableName:              aws.String(n.Table),
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
	if env.ConsistentRead {
		in.ConsistentRead = aws.Bool(true)
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = b.nameMap(), b.valueMap()
	segments := max(n.Segments, 1)
	fetch := func(ctx context.Context, seg int, start map[string]types.AttributeValue) (page, error) {
		req := *in
		req.ExclusiveStartKey = start
		if segments > 1 {
			req.Segment, req.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(segments))
		}
		out, err := env.DB.Scan(ctx, &req)
		if err != nil {
			return page{}, dynamo.MapError(err, "Scan", n.Table)
		}
		if out == nil {
			return page{}, nil
		}
		return page{items: out.Items, last: out.LastEvaluatedKey, count: int64(out.Count),
			scanned: int64(out.ScannedCount), cc: out.ConsumedCapacity}, nil
	}
	return newPagedIter("Scan", segments, fetch, n.Out, count, env.Stats), nil
}
