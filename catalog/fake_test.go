package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
)

// fakeAPI is an in-memory DynamoDB with just the three calls catalog makes.
// Calling any other method panics (the embedded nil API).
type fakeAPI struct {
	dynamo.API

	mu        sync.Mutex
	order     []string // table names in creation order (ListTables pages follow it)
	tables    map[string]*types.TableDescription
	items     map[string][]map[string]types.AttributeValue
	listPage  int           // ListTables page size (0 = 100)
	scanPage  int           // items per Scan page before Limit (0 = unlimited), as the 1 MB cap does
	failNext  error         // returned once by the next DescribeTable
	scanErr   error         // returned by every Scan
	listErr   error         // returned by every ListTables
	descErr   error         // returned by every DescribeTable
	gate      chan struct{} // when set, DescribeTable waits for it (or ctx)
	entered   chan struct{} // when set, DescribeTable sends on it when entered
	describes int
	lists     int
	scans     []*dynamodb.ScanInput
}

func newFake() *fakeAPI {
	return &fakeAPI{tables: map[string]*types.TableDescription{}, items: map[string][]map[string]types.AttributeValue{}}
}

func (f *fakeAPI) create(d *types.TableDescription, items ...map[string]types.AttributeValue) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(d.TableName)
	if d.TableStatus == "" {
		d.TableStatus = types.TableStatusActive
	}
	f.order = append(f.order, name)
	f.tables[name] = d
	f.items[name] = items
}

func (f *fakeAPI) drop(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = slices.DeleteFunc(f.order, func(n string) bool { return n == name })
	delete(f.tables, name)
	delete(f.items, name)
}

func (f *fakeAPI) counts() (describes, lists, scans int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.describes, f.lists, len(f.scans)
}

func notFound(name string) error {
	// The SDK wraps service errors in an OperationError; %w keeps errors.As working.
	return fmt.Errorf("operation error DynamoDB: DescribeTable: %w",
		&types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: " + name + " not found")})
}

func (f *fakeAPI) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	f.mu.Lock()
	f.describes++
	gate, entered := f.gate, f.entered
	f.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failNext; err != nil {
		f.failNext = nil
		return nil, err
	}
	if f.descErr != nil {
		return nil, f.descErr
	}
	d, ok := f.tables[aws.ToString(in.TableName)]
	if !ok {
		return nil, notFound(aws.ToString(in.TableName))
	}
	return &dynamodb.DescribeTableOutput{Table: d}, nil
}

func (f *fakeAPI) ListTables(_ context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if f.listErr != nil {
		return nil, f.listErr
	}
	start := 0
	if in.ExclusiveStartTableName != nil {
		start = slices.Index(f.order, *in.ExclusiveStartTableName) + 1
	}
	page := f.listPage
	if page == 0 {
		page = 100
	}
	end := min(start+page, len(f.order))
	out := &dynamodb.ListTablesOutput{TableNames: slices.Clone(f.order[start:end])}
	if end < len(f.order) {
		out.LastEvaluatedTableName = aws.String(f.order[end-1])
	}
	return out, nil
}

func (f *fakeAPI) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans = append(f.scans, in)
	if f.scanErr != nil {
		return nil, f.scanErr
	}
	name := aws.ToString(in.TableName)
	if _, ok := f.tables[name]; !ok {
		return nil, notFound(name)
	}
	items := f.items[name]
	start := 0
	if k, ok := in.ExclusiveStartKey["pos"].(*types.AttributeValueMemberN); ok {
		start, _ = strconv.Atoi(k.Value)
	}
	n := int(aws.ToInt32(in.Limit))
	if f.scanPage > 0 {
		n = min(n, f.scanPage)
	}
	end := min(start+n, len(items))
	out := &dynamodb.ScanOutput{
		Items:            items[start:end],
		ConsumedCapacity: &types.ConsumedCapacity{TableName: in.TableName, CapacityUnits: aws.Float64(0.5)},
	}
	if end < len(items) {
		out.LastEvaluatedKey = map[string]types.AttributeValue{"pos": &types.AttributeValueMemberN{Value: strconv.Itoa(end)}}
	}
	return out, nil
}

// clock is a settable time source for TTL tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Helpers to write table descriptions and items briefly.

func attrDefs(kv ...string) []types.AttributeDefinition {
	var out []types.AttributeDefinition
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.AttributeDefinition{AttributeName: aws.String(kv[i]), AttributeType: types.ScalarAttributeType(kv[i+1])})
	}
	return out
}

func keys(pk, sk string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}}
	if sk != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
	}
	return ks
}

func simpleTable(name, pk, pkType string) *types.TableDescription {
	return &types.TableDescription{
		TableName:            aws.String(name),
		AttributeDefinitions: attrDefs(pk, pkType),
		KeySchema:            keys(pk, ""),
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

var null types.AttributeValue = &types.AttributeValueMemberNULL{Value: true}

type item = map[string]types.AttributeValue
