package engine

import (
	"context"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*IndexFetch)(nil)

// IndexFetch reads through a secondary index that does not project every
// column the statement uses: the Query on the index (whose Projection names
// the table's key attributes) finds the matching items' keys, and the items
// are then read from the table with BatchGetItem, one request per index page
// (at most 100 keys each) as rows are consumed. Rows come in no particular
// order.
type IndexFetch struct {
	Index      *Query
	Key        []string // the table's key attribute names
	Projection []string // attributes read from the table; nil reads whole items
	Out        []catalog.Column
	RetryBase  time.Duration // see BatchGetItem
}

func (n *IndexFetch) Columns() []sqltypes.Column { return sqlColumns(n.Out) }

func (n *IndexFetch) Describe() *Description {
	d := &Description{Op: "IndexFetch", Children: []*Description{n.Index.Describe()}}
	d.add("Table", n.Index.Table).add("Calls", "BatchGetItem per index page, at most 100 keys each")
	return d.add("Projection", attrList(n.Projection))
}

func (n *IndexFetch) Open(_ context.Context, env *Env) (Iter, error) {
	keys, err := n.Index.paged(env)
	if err != nil || keys == nil {
		return emptyIter{}, err
	}
	get := &BatchGetItem{Table: n.Index.Table, Projection: n.Projection, Out: n.Out, RetryBase: n.RetryBase}
	return &fetchIter{n: n, env: env, keys: keys, get: get}, nil
}

type fetchIter struct {
	n    *IndexFetch
	env  *Env
	keys *pagedIter // the index read
	get  *BatchGetItem
	cur  *batchGetIter // the items of the keys taken last; nil between batches
}

func (it *fetchIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for {
		if it.cur != nil {
			row, err := it.cur.Next(ctx)
			if err != io.EOF {
				return row, err
			}
			it.cur = nil
		}
		items, err := it.keys.take(ctx, batchGetMax)
		if err != nil {
			return nil, err // io.EOF once the index is read
		}
		keys := make([]map[string]types.AttributeValue, 0, len(items))
		for _, item := range items {
			key := make(map[string]types.AttributeValue, len(it.n.Key))
			for _, k := range it.n.Key {
				key[k] = item[k]
			}
			keys = append(keys, key)
		}
		it.cur = it.get.iter(it.env, keys)
	}
}

func (it *fetchIter) Close() {
	it.keys.Close()
	if it.cur != nil {
		it.cur.Close()
	}
}
