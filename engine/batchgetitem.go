package engine

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*BatchGetItem)(nil)

// batchGetMax is DynamoDB's limit of keys in one BatchGetItem request.
const batchGetMax = 100

// BatchGetItem reads a set of items by whole primary keys: keys are
// evaluated at Open (= ANY($1) parts expanded), duplicate and impossible keys
// (NULL, empty string) dropped, the rest are read
// 100 per request, one request at a time as rows are consumed.
// UnprocessedKeys are retried with exponential backoff until done, the
// statement's ctx ends, or maxNoProgress responses in a row return nothing.
type BatchGetItem struct {
	Table      string
	Keys       [][]KeyPart
	Projection []string // attributes to read; nil reads whole items
	Out        []catalog.Column
	// RetryBase is the first backoff before re-requesting UnprocessedKeys
	// (0 = 50ms); it doubles per retry up to retryMax.
	RetryBase time.Duration
}

const (
	defaultRetryBase = 50 * time.Millisecond
	retryMax         = 5 * time.Second
	maxNoProgress    = 12
)

func (n *BatchGetItem) Columns() []sqltypes.Column { return sqlColumns(n.Out) }

func (n *BatchGetItem) Describe() *Description {
	d := &Description{Op: "BatchGetItem"}
	d.add("Table", n.Table)
	if eachKeys(n.Keys) {
		// how many keys an array holds is known only at Open
		d.add("Calls", "one per 100 keys")
	} else {
		d.add("Calls", strconv.Itoa((len(n.Keys)+batchGetMax-1)/batchGetMax)+" (at most 100 keys each)")
		d.add("Keys", strconv.Itoa(len(n.Keys)))
	}
	const shown = 10
	for i, k := range n.Keys {
		if i == shown {
			d.add("Key", "... "+strconv.Itoa(len(n.Keys)-shown)+" more")
			break
		}
		d.add("Key", keyString(k))
	}
	return d.add("Projection", attrList(n.Projection))
}

// eachKeys reports whether the number of keys is only known at Open.
func eachKeys(keys [][]KeyPart) bool {
	for _, k := range keys {
		for _, p := range k {
			if p.Each {
				return true
			}
		}
	}
	return false
}

func (n *BatchGetItem) Open(_ context.Context, env *Env) (Iter, error) {
	ctx := env.evalCtx()
	seen := make(map[string]bool, len(n.Keys))
	var keys []map[string]types.AttributeValue
	for _, k := range n.Keys {
		ms, err := expandKey(ctx, k)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if id := keyID(k, m); !seen[id] {
				seen[id] = true
				keys = append(keys, m)
			}
		}
	}
	return n.iter(env, keys), nil
}

// iter reads the given keys (distinct, at most any number: they are sent 100
// at a time).
func (n *BatchGetItem) iter(env *Env, keys []map[string]types.AttributeValue) *batchGetIter {
	b := newExprBuilder(env.evalCtx())
	base := types.KeysAndAttributes{
		ProjectionExpression:     optString(b.projection(n.Projection)),
		ExpressionAttributeNames: b.nameMap(),
	}
	if env.ConsistentRead {
		base.ConsistentRead = aws.Bool(true)
	}
	retry := n.RetryBase
	if retry <= 0 {
		retry = defaultRetryBase
	}
	return &batchGetIter{n: n, env: env, keys: keys, base: base, retryBase: retry}
}

type batchGetIter struct {
	n         *BatchGetItem
	env       *Env
	keys      []map[string]types.AttributeValue // not yet requested
	base      types.KeysAndAttributes           // projection and consistency for every request
	retryBase time.Duration

	pending    []map[string]types.AttributeValue // keys of the current request
	retrying   bool                              // pending are UnprocessedKeys
	attempt    int                               // retries of the current chunk
	noProgress int                               // consecutive retries that returned nothing
	items      []map[string]types.AttributeValue
	pos        int
}

func (it *batchGetIter) Next(ctx context.Context) (sqltypes.Row, error) {
	item, err := it.nextItem(ctx)
	if err != nil {
		return nil, err
	}
	return itemRow(item, it.n.Out)
}

// nextItem returns the next item read (io.EOF after the last).
func (it *batchGetIter) nextItem(ctx context.Context) (map[string]types.AttributeValue, error) {
	for {
		if it.pos < len(it.items) {
			item := it.items[it.pos]
			it.pos++
			return item, nil
		}
		if it.pending == nil {
			if len(it.keys) == 0 {
				return nil, io.EOF
			}
			k := min(batchGetMax, len(it.keys))
			it.pending, it.keys = it.keys[:k], it.keys[k:]
			it.retrying, it.attempt = false, 0
		}
		if err := it.fetch(ctx); err != nil {
			return nil, err
		}
	}
}

// fetch sends one BatchGetItem for the pending keys, after a backoff when
// they are UnprocessedKeys of the previous call.
func (it *batchGetIter) fetch(ctx context.Context) error {
	if it.retrying {
		if it.noProgress >= maxNoProgress {
			return pgerr.New(pgerr.ConfigurationLimitExceeded,
				"BatchGetItem on %q: DynamoDB left %d keys unprocessed after %d retries", it.n.Table, len(it.pending), it.attempt).
				WithHint("the table is being throttled; retry later or raise its read capacity")
		}
		if err := dynamo.Sleep(ctx, dynamo.Backoff(it.retryBase, it.attempt+1)); err != nil {
			return err
		}
		it.attempt++
	}
	ka := it.base
	ka.Keys = it.pending
	in := &dynamodb.BatchGetItemInput{
		RequestItems:           map[string]types.KeysAndAttributes{it.n.Table: ka},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	}
	out, err := it.env.DB.BatchGetItem(ctx, in)
	if err != nil {
		return dynamo.MapError(err, "BatchGetItem", it.n.Table)
	}
	if out == nil {
		out = &dynamodb.BatchGetItemOutput{}
	}
	it.items, it.pos = out.Responses[it.n.Table], 0
	n := int64(len(it.items))
	cc := make([]*types.ConsumedCapacity, len(out.ConsumedCapacity))
	for i := range out.ConsumedCapacity {
		cc[i] = &out.ConsumedCapacity[i]
	}
	it.env.Stats.request("BatchGetItem", n, n, cc...)
	it.pending, it.retrying = nil, false
	if un, ok := out.UnprocessedKeys[it.n.Table]; ok && len(un.Keys) > 0 {
		it.pending, it.retrying = un.Keys, true
		if n == 0 {
			it.noProgress++
		} else {
			it.noProgress = 0
		}
	}
	return nil
}

func (it *batchGetIter) Close() { it.items, it.keys, it.pending = nil, nil, nil }
