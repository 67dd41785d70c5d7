package engine

import (
	"context"
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// page is one Query or Scan response.
type page struct {
	items   []map[string]types.AttributeValue
	last    map[string]types.AttributeValue // LastEvaluatedKey; nil on the last page
	count   int64                           // Count: items after the filter
	scanned int64                           // ScannedCount: items read
	cc      *types.ConsumedCapacity
}

// pageFetcher requests the page of segment seg that starts after start (nil:
// the first page).
type pageFetcher func(ctx context.Context, seg int, start map[string]types.AttributeValue) (page, error)

// cursor is one segment's position in a paginated read.
type cursor struct {
	start map[string]types.AttributeValue
	done  bool
}

// pagedIter streams a paginated Query or Scan. It requests the next page of
// each unfinished segment (in parallel when there are several) only when every
// row already fetched has been consumed, so it holds at most one page per
// segment; a consumer that stops early (LIMIT, a suspended portal) stops the
// reading. In count mode (Select=COUNT) it sums Count over all pages and
// yields one row.
type pagedIter struct {
	op    string // "Query" or "Scan", for stats
	fetch pageFetcher
	out   []catalog.Column
	count bool
	stats *Stats

	segs    []cursor
	queue   [][]map[string]types.AttributeValue // fetched pages not yet consumed
	items   []map[string]types.AttributeValue
	pos     int
	counted bool
}

func newPagedIter(op string, segments int, fetch pageFetcher, out []catalog.Column, count bool, stats *Stats) *pagedIter {
	return &pagedIter{op: op, fetch: fetch, out: out, count: count, stats: stats, segs: make([]cursor, max(segments, 1))}
}

func (it *pagedIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if it.count {
		return it.nextCount(ctx)
	}
	items, err := it.take(ctx, 1)
	if err != nil {
		return nil, err
	}
	return itemRow(items[0], it.out)
}

// take returns up to n items not yet consumed, all from one page: the next
// page is requested only when the current one is used up. io.EOF at the end.
func (it *pagedIter) take(ctx context.Context, n int) ([]map[string]types.AttributeValue, error) {
	for {
		if it.pos < len(it.items) {
			end := min(len(it.items), it.pos+n)
			items := it.items[it.pos:end]
			it.pos = end
			return items, nil
		}
		if len(it.queue) > 0 {
			it.items, it.pos, it.queue = it.queue[0], 0, it.queue[1:]
			continue
		}
		if it.finished() {
			return nil, io.EOF
		}
		if _, err := it.round(ctx); err != nil {
			return nil, err
		}
	}
}

func (it *pagedIter) nextCount(ctx context.Context) (sqltypes.Row, error) {
	if it.counted {
		return nil, io.EOF
	}
	var total int64
	for !it.finished() {
		n, err := it.round(ctx)
		if err != nil {
			return nil, err
		}
		total += n
		it.queue = nil // COUNT pages carry no items
	}
	it.counted = true
	return sqltypes.Row{total}, nil
}

func (it *pagedIter) finished() bool {
	for _, c := range it.segs {
		if !c.done {
			return false
		}
	}
	return true
}

// round fetches the next page of every unfinished segment, queues their items
// and returns the sum of their Counts. Stats are recorded here, after the
// parallel calls have returned, so they need no lock.
func (it *pagedIter) round(ctx context.Context) (int64, error) {
	var live []int
	for i, c := range it.segs {
		if !c.done {
			live = append(live, i)
		}
	}
	pages := make([]page, len(live))
	errs := make([]error, len(live))
	if len(live) == 1 {
		pages[0], errs[0] = it.fetch(ctx, live[0], it.segs[live[0]].start)
	} else {
		rctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for j, seg := range live {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pages[j], errs[j] = it.fetch(rctx, seg, it.segs[seg].start)
				if errs[j] != nil {
					cancel() // one failed segment fails the statement: stop the others
				}
			}()
		}
		wg.Wait()
		cancel()
	}
	var total int64
	for j, seg := range live {
		if errs[j] != nil {
			return 0, errs[j]
		}
		p := pages[j]
		it.stats.request(it.op, p.scanned, p.count, p.cc)
		it.segs[seg] = cursor{start: p.last, done: len(p.last) == 0}
		total += p.count
		if len(p.items) > 0 {
			it.queue = append(it.queue, p.items)
		}
	}
	return total, nil
}

func (it *pagedIter) Close() { it.items, it.queue = nil, nil }

// pageLimit is the DynamoDB Limit of a read: the constant n, else the value
// of e evaluated now; nil for none.
func pageLimit(env *Env, n int64, e expr.Expr) (*int32, error) {
	if n <= 0 && e != nil {
		v, err := e.Eval(env.evalCtx(), nil)
		if err != nil {
			return nil, err
		}
		n, _ = v.(int64) // NULL (no limit) or a negative count the Limit operator rejects
	}
	if n <= 0 {
		return nil, nil
	}
	return aws.Int32(int32(min(n, math.MaxInt32))), nil
}

// limitString renders a page size for EXPLAIN.
func limitString(n int64, e expr.Expr) string {
	switch {
	case n > 0:
		return strconv.FormatInt(n, 10)
	case e != nil:
		return e.String()
	}
	return ""
}

// countRow yields the single row of a COUNT whose condition can never hold.
type countRow struct{ done bool }

func (it *countRow) Next(context.Context) (sqltypes.Row, error) {
	if it.done {
		return nil, io.EOF
	}
	it.done = true
	return sqltypes.Row{int64(0)}, nil
}

func (it *countRow) Close() {}

// noRows is the iterator of a read whose condition can never hold: no call is
// made; a COUNT still answers 0.
func noRows(count bool) Iter {
	if count {
		return &countRow{}
	}
	return emptyIter{}
}
