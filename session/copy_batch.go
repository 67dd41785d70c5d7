package session

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
)

// batchSize is BatchWriteItem's limit of write requests per call.
const batchSize = 25

// retryBase is the first wait before retrying unprocessed items; see
// dynamo.Backoff for how it grows.
const retryBase = 25 * time.Millisecond

// batchWriter puts items with BatchWriteItem, batchSize at a time, and
// retries unprocessed items until every one is written or ctx ends: an item
// is never dropped.
type batchWriter struct {
	api     dynamo.API
	table   string
	keys    []string
	pending []ddbtypes.WriteRequest
	inBatch map[string]bool // keys of the pending items
	written int64           // items DynamoDB has processed
}

func newBatchWriter(api dynamo.API, table string, keys []string) *batchWriter {
	return &batchWriter{api: api, table: table, keys: keys, inBatch: map[string]bool{}}
}

// put queues one item and writes a full batch. DynamoDB refuses a batch
// that names one key twice, so a repeated key first flushes the batch: the
// later row then overwrites the earlier, as one put after another would.
func (w *batchWriter) put(ctx context.Context, item map[string]ddbtypes.AttributeValue) error {
	k := keyID(item, w.keys)
	if w.inBatch[k] {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	w.inBatch[k] = true
	w.pending = append(w.pending, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: item}})
	if len(w.pending) == batchSize {
		return w.flush(ctx)
	}
	return nil
}

// flush writes the pending items, retrying the unprocessed ones.
func (w *batchWriter) flush(ctx context.Context) error {
	reqs := w.pending
	// A new slice per batch: the request may still be referenced (a
	// recorder keeps inputs), so it must not be overwritten.
	w.pending = nil
	clear(w.inBatch)
	for attempt := 0; len(reqs) > 0; attempt++ {
		if attempt > 0 {
			if err := dynamo.Sleep(ctx, dynamo.Backoff(retryBase, attempt)); err != nil {
				return err
			}
		}
		out, err := w.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]ddbtypes.WriteRequest{w.table: reqs},
		})
		if err != nil {
			return dynamo.MapError(err, "BatchWriteItem", w.table)
		}
		left := out.UnprocessedItems[w.table]
		w.written += int64(len(reqs) - len(left))
		reqs = left
	}
	return nil
}

// keyID identifies an item by its key attributes (length-prefixed, so no
// two keys share an ID).
func keyID(item map[string]ddbtypes.AttributeValue, keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		var kind, v string
		switch x := item[k].(type) {
		case *ddbtypes.AttributeValueMemberS:
			kind, v = "S", x.Value
		case *ddbtypes.AttributeValueMemberN:
			kind, v = "N", x.Value
		case *ddbtypes.AttributeValueMemberB:
			kind, v = "B", string(x.Value)
		}
		b.WriteString(kind)
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}
