package engine

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// fakeDB is a scripted dynamo.API: Query and Scan answer from pages (Scan by
// segment), BatchGetItem from a function. Every input is recorded. Methods
// not overridden panic through the nil embedded API.
type fakeDB struct {
	dynamo.API

	mu         sync.Mutex
	queryPages []*dynamodb.QueryOutput
	scanPages  map[int32][]*dynamodb.ScanOutput
	batchGet   func(n int, in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error)
	getItem    map[string]types.AttributeValue
	err        error // when set, Query and Scan fail with it

	queries []*dynamodb.QueryInput
	scans   []*dynamodb.ScanInput
	batches []*dynamodb.BatchGetItemInput
	gets    []*dynamodb.GetItemInput
}

func (f *fakeDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, in)
	if f.err != nil {
		return nil, f.err
	}
	// the page to answer is the one after the page whose last key we got
	i := 0
	if in.ExclusiveStartKey != nil {
		fmt.Sscan(in.ExclusiveStartKey["page"].(*types.AttributeValueMemberN).Value, &i)
	}
	return f.queryPages[i], nil
}

func (f *fakeDB) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans = append(f.scans, in)
	if f.err != nil {
		return nil, f.err
	}
	seg := aws.ToInt32(in.Segment)
	i := 0
	if in.ExclusiveStartKey != nil {
		fmt.Sscan(in.ExclusiveStartKey["page"].(*types.AttributeValueMemberN).Value, &i)
	}
	return f.scanPages[seg][i], nil
}

func (f *fakeDB) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, in)
	return f.batchGet(len(f.batches)-1, in)
}

func (f *fakeDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets = append(f.gets, in)
	return &dynamodb.GetItemOutput{Item: f.getItem, ConsumedCapacity: capacity(0.5)}, nil
}

func (f *fakeDB) queryCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queries)
}

func capacity(units float64) *types.ConsumedCapacity {
	return &types.ConsumedCapacity{CapacityUnits: aws.Float64(units)}
}

// items makes n items {id: S "<prefix><i>"}.
func items(prefix string, from, n int) []map[string]types.AttributeValue {
	out := make([]map[string]types.AttributeValue, n)
	for i := range out {
		out[i] = map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprintf("%s%d", prefix, from+i)}}
	}
	return out
}

// pageKey is the LastEvaluatedKey pointing at page next.
func pageKey(next int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"page": &types.AttributeValueMemberN{Value: fmt.Sprint(next)}}
}

// queryPages makes len(sizes) pages of items, each but the last with a
// LastEvaluatedKey.
func queryPages(sizes ...int) []*dynamodb.QueryOutput {
	var out []*dynamodb.QueryOutput
	n := 0
	for i, s := range sizes {
		p := &dynamodb.QueryOutput{Items: items("i", n, s), Count: int32(s), ScannedCount: int32(s), ConsumedCapacity: capacity(1)}
		if i < len(sizes)-1 {
			p.LastEvaluatedKey = pageKey(i + 1)
		}
		n += s
		out = append(out, p)
	}
	return out
}

var idCols = []catalog.Column{{Name: "id", Type: sqltypes.Text, AttNum: 1}}

func idKey() Cond {
	return &Cmp{Attr: "pk", Op: expr.OpEQ, Value: &expr.Const{Val: "p1", T: sqltypes.Text}, AttrType: "S"}
}

// rowsNode is a test input yielding fixed rows.
type rowsNode struct {
	cols []sqltypes.Column
	rows []sqltypes.Row
}

var _ Node = (*rowsNode)(nil)

func (n *rowsNode) Columns() []sqltypes.Column { return n.cols }
func (n *rowsNode) Describe() *Description     { return &Description{Op: "Rows"} }
func (n *rowsNode) Open(context.Context, *Env) (Iter, error) {
	return &rowsIter{rows: n.rows}, nil
}

type rowsIter struct {
	rows []sqltypes.Row
	pos  int
}

func (it *rowsIter) Next(context.Context) (sqltypes.Row, error) {
	if it.pos >= len(it.rows) {
		return nil, io.EOF
	}
	it.pos++
	return it.rows[it.pos-1], nil
}
func (it *rowsIter) Close() {}

// collect runs n and returns all rows.
func collect(t *testing.T, n Node, env *Env) []sqltypes.Row {
	t.Helper()
	rows, err := tryCollect(n, env)
	if err != nil {
		t.Fatalf("run %s: %v", n.Describe().Op, err)
	}
	return rows
}

func tryCollect(n Node, env *Env) ([]sqltypes.Row, error) {
	ctx := context.Background()
	it, err := n.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows []sqltypes.Row
	for {
		r, err := it.Next(ctx)
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, r)
	}
}

func newEnv(db dynamo.API) *Env {
	return &Env{Eval: &expr.Context{}, DB: db, Stats: &Stats{}}
}
