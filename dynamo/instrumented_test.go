package dynamo

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// capacityAPI reports capacity like DynamoDB does when asked with
// ReturnConsumedCapacity: one entry for single-table calls, one per table for
// batches. GetItem and Query come from fakeAPI (recorder_test.go).
type capacityAPI struct{ fakeAPI }

func (capacityAPI) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{ConsumedCapacity: &types.ConsumedCapacity{TableName: aws.String("t"), CapacityUnits: aws.Float64(1)}}, nil
}

func (capacityAPI) BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return &dynamodb.BatchGetItemOutput{ConsumedCapacity: []types.ConsumedCapacity{
		{TableName: aws.String("a"), CapacityUnits: aws.Float64(0.5)},
		{TableName: aws.String("b"), CapacityUnits: aws.Float64(2)},
	}}, nil
}

type observed struct {
	op       string
	took     time.Duration
	failed   bool
	capacity []types.ConsumedCapacity
}

type fakeObserver struct {
	mu   sync.Mutex
	seen []observed
}

func (o *fakeObserver) ObserveRequest(op string, took time.Duration, err error, capacity []types.ConsumedCapacity) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, observed{op: op, took: took, failed: err != nil, capacity: capacity})
}

func TestInstrumentedReportsEveryCall(t *testing.T) {
	cases := []struct {
		name       string
		call       func(context.Context, API) error
		wantOp     string
		wantFailed bool
		wantTables map[string]float64
	}{
		{"query ok", func(ctx context.Context, a API) error {
			_, err := a.Query(ctx, &dynamodb.QueryInput{})
			return err
		}, "Query", false, nil},
		{"get item fails", func(ctx context.Context, a API) error {
			_, err := a.GetItem(ctx, &dynamodb.GetItemInput{})
			return err
		}, "GetItem", true, nil},
		{"put item capacity", func(ctx context.Context, a API) error {
			_, err := a.PutItem(ctx, &dynamodb.PutItemInput{})
			return err
		}, "PutItem", false, map[string]float64{"t": 1}},
		{"batch capacity per table", func(ctx context.Context, a API) error {
			_, err := a.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{})
			return err
		}, "BatchGetItem", false, map[string]float64{"a": 0.5, "b": 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obs := &fakeObserver{}
			api := NewInstrumented(capacityAPI{}, obs)
			tick := time.Unix(0, 0)
			api.now = func() time.Time { tick = tick.Add(time.Millisecond); return tick }
			err := c.call(context.Background(), api)
			if (err != nil) != c.wantFailed {
				t.Fatalf("err = %v, want failure %v", err, c.wantFailed)
			}
			if c.wantFailed && !errors.Is(err, errFake) {
				t.Errorf("err = %v, want the inner API's error unchanged", err)
			}
			if len(obs.seen) != 1 {
				t.Fatalf("observed %d calls, want 1", len(obs.seen))
			}
			got := obs.seen[0]
			if got.op != c.wantOp || got.failed != c.wantFailed || got.took != time.Millisecond {
				t.Errorf("observed %+v, want op %s failed %v took 1ms", got, c.wantOp, c.wantFailed)
			}
			tables := map[string]float64{}
			for _, cc := range got.capacity {
				tables[aws.ToString(cc.TableName)] += aws.ToFloat64(cc.CapacityUnits)
			}
			if len(tables) != len(c.wantTables) {
				t.Fatalf("capacity = %v, want %v", tables, c.wantTables)
			}
			for tbl, units := range c.wantTables {
				if tables[tbl] != units {
					t.Errorf("capacity[%s] = %v, want %v", tbl, tables[tbl], units)
				}
			}
		})
	}
}
