package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestDynamoDBRequests(t *testing.T) {
	type req struct {
		db, op string
		err    error
		cap    []types.ConsumedCapacity
	}
	units := func(table string, n float64) types.ConsumedCapacity {
		return types.ConsumedCapacity{TableName: aws.String(table), CapacityUnits: aws.Float64(n)}
	}
	cases := []struct {
		name          string
		reqs          []req
		db, op        string
		ok, fail      float64
		table         string
		capacity      float64
		latencyCounts uint64
	}{
		{"get items", []req{{"shop", "GetItem", nil, []types.ConsumedCapacity{units("users", 0.5)}}, {"shop", "GetItem", errors.New("x"), nil}},
			"shop", "GetItem", 1, 1, "users", 0.5, 2},
		{"databases apart", []req{{"shop", "Query", nil, []types.ConsumedCapacity{units("orders", 3)}}, {"crm", "Query", nil, []types.ConsumedCapacity{units("orders", 5)}}},
			"crm", "Query", 1, 0, "orders", 5, 1},
		{"batch capacity adds up", []req{{"shop", "BatchGetItem", nil, []types.ConsumedCapacity{units("a", 1), units("a", 2), {TableName: aws.String("b")}}}},
			"shop", "BatchGetItem", 1, 0, "a", 3, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := New()
			for _, q := range c.reqs {
				r.Database(q.db).ObserveRequest(q.op, 5*time.Millisecond, q.err, q.cap)
			}
			if got := testutil.ToFloat64(r.dynamo.requests.WithLabelValues(c.db, c.op, "ok")); got != c.ok {
				t.Errorf("requests ok = %v, want %v", got, c.ok)
			}
			if got := testutil.ToFloat64(r.dynamo.requests.WithLabelValues(c.db, c.op, "error")); got != c.fail {
				t.Errorf("requests error = %v, want %v", got, c.fail)
			}
			if got := testutil.ToFloat64(r.dynamo.capacity.WithLabelValues(c.db, c.table)); got != c.capacity {
				t.Errorf("capacity = %v, want %v", got, c.capacity)
			}
			if got := histogramCount(t, r, "fazproxy_dynamodb_request_duration_seconds", "database", c.db); got != c.latencyCounts {
				t.Errorf("latency samples = %d, want %d", got, c.latencyCounts)
			}
		})
	}
}
