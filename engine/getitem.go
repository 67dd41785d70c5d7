package engine

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*GetItem)(nil)

// GetItem reads one item by its whole primary key: at most one row, one call.
type GetItem struct {
	Table      string
	Key        []KeyPart
	Projection []string // attributes to read; nil reads the whole item
	Out        []catalog.Column
}

func (n *GetItem) Columns() []sqltypes.Column { return sqlColumns(n.Out) }

func (n *GetItem) Describe() *Description {
	d := &Description{Op: "GetItem"}
	return d.add("Table", n.Table).add("Key", keyString(n.Key)).add("Projection", attrList(n.Projection))
}

func (n *GetItem) Open(_ context.Context, env *Env) (Iter, error) {
	key, ok, err := evalKey(env.evalCtx(), n.Key)
	if err != nil || !ok {
		return emptyIter{}, err // a NULL or empty key matches no item: no call
	}
	b := newExprBuilder(env.evalCtx())
	in := &dynamodb.GetItemInput{
		TableName:              aws.String(n.Table),
		Key:                    key,
		ProjectionExpression:   optString(b.projection(n.Projection)),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	}
	in.ExpressionAttributeNames = b.nameMap()
	if env.ConsistentRead {
		in.ConsistentRead = aws.Bool(true)
	}
	return &getItemIter{n: n, env: env, in: in}, nil
}

type getItemIter struct {
	n    *GetItem
	env  *Env
	in   *dynamodb.GetItemInput
	done bool
}

func (it *getItemIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if it.done {
		return nil, io.EOF
	}
	it.done = true
	out, err := it.env.DB.GetItem(ctx, it.in)
	if err != nil {
		return nil, dynamo.MapError(err, "GetItem", it.n.Table)
	}
	if out == nil {
		out = &dynamodb.GetItemOutput{}
	}
	found := int64(0)
	if out.Item != nil {
		found = 1
	}
	it.env.Stats.request("GetItem", found, found, out.ConsumedCapacity)
	if out.Item == nil {
		return nil, io.EOF
	}
	return itemRow(out.Item, it.n.Out)
}

func (it *getItemIter) Close() {}
