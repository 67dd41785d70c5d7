package metrics

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/prometheus/client_golang/prometheus"
)

// dynamoMetrics are the DynamoDB request metrics of every database.
type dynamoMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	capacity *prometheus.CounterVec
}

func newDynamoMetrics(reg prometheus.Registerer) *dynamoMetrics {
	d := &dynamoMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "dynamodb_requests_total",
			Help: "DynamoDB requests, by database, operation and outcome (ok or error); SDK retries count once.",
		}, []string{"database", "operation", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "dynamodb_request_duration_seconds",
			Help:    "DynamoDB request latency including SDK retries, by database and operation.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"database", "operation"}),
		capacity: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "dynamodb_consumed_capacity_units_total",
			Help: "Capacity units DynamoDB reported as consumed, by database and table.",
		}, []string{"database", "table"}),
	}
	reg.MustRegister(d.requests, d.duration, d.capacity)
	return d
}

// Database is the request observer of one configured database; it
// implements dynamo.RequestObserver (wrap the database's client with
// dynamo.NewInstrumented(api, reg.Database(name))).
type Database struct {
	requests *prometheus.CounterVec
	duration prometheus.ObserverVec
	capacity *prometheus.CounterVec
}

// Database returns the observer of database name (a faz.yaml name, never a
// client's).
func (r *Registry) Database(name string) *Database {
	db := prometheus.Labels{"database": name}
	return &Database{
		requests: r.dynamo.requests.MustCurryWith(db),
		duration: r.dynamo.duration.MustCurryWith(db),
		capacity: r.dynamo.capacity.MustCurryWith(db),
	}
}

// ObserveRequest implements dynamo.RequestObserver. Table names come from
// DynamoDB's responses, so they are real tables.
func (d *Database) ObserveRequest(op string, took time.Duration, err error, capacity []types.ConsumedCapacity) {
	d.requests.WithLabelValues(op, outcome(err)).Inc()
	d.duration.WithLabelValues(op).Observe(took.Seconds())
	for _, c := range capacity {
		if c.TableName == nil || aws.ToFloat64(c.CapacityUnits) <= 0 {
			continue
		}
		d.capacity.WithLabelValues(*c.TableName).Add(*c.CapacityUnits)
	}
}
