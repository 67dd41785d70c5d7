package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
)

// tableWait bounds how long Create waits for a table to become ACTIVE or gone.
const tableWait = 2 * time.Minute

// batchSize is BatchWriteItem's limit of requests per call.
const batchSize = 25

// loadWorkers is how many BatchWriteItem calls Load keeps in flight.
const loadWorkers = 4

// CreateInput returns the CreateTable request for a demo table
// (on-demand capacity, with its GSIs and LSIs).
func (t Table) CreateInput() *dynamodb.CreateTableInput {
	defs := map[string]types.ScalarAttributeType{}
	var order []string
	def := func(k KeyAttr) {
		if _, ok := defs[k.Name]; !ok {
			order = append(order, k.Name)
		}
		defs[k.Name] = k.Type
	}
	keySchema := func(pk KeyAttr, sk *KeyAttr) []types.KeySchemaElement {
		def(pk)
		ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
		if sk != nil {
			def(*sk)
			ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
		}
		return ks
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.Name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(t.PartitionKey, t.SortKey),
	}
	for _, ix := range t.Indexes {
		proj := &types.Projection{ProjectionType: ix.Projection}
		if ix.Projection == types.ProjectionTypeInclude {
			proj.NonKeyAttributes = slices.Clone(ix.NonKeyAttributes)
		}
		ks := keySchema(ix.PartitionKey, ix.SortKey)
		if ix.Local {
			in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
				IndexName: aws.String(ix.Name), KeySchema: ks, Projection: proj,
			})
		} else {
			in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
				IndexName: aws.String(ix.Name), KeySchema: ks, Projection: proj,
			})
		}
	}
	for _, name := range order {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(name), AttributeType: defs[name],
		})
	}
	return in
}

// Create creates the demo tables and waits until they are ACTIVE. It is
// idempotent: a table that already exists with the same keys and indexes is
// kept as it is (Load then overwrites its demo items); one that exists with a
// different schema is deleted and created again.
func Create(ctx context.Context, api dynamo.API) error {
	for _, t := range Tables() {
		if err := createTable(ctx, api, t); err != nil {
			return fmt.Errorf("demo: table %s: %w", t.Name, err)
		}
	}
	return nil
}

func createTable(ctx context.Context, api dynamo.API, t Table) error {
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	var nf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		// create below
	case err != nil:
		return fmt.Errorf("DescribeTable: %w", err)
	case sameSchema(out.Table, t):
		if out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		return waitActive(ctx, api, t.Name)
	default:
		if err := deleteTable(ctx, api, t.Name); err != nil {
			return err
		}
	}
	if _, err := api.CreateTable(ctx, t.CreateInput()); err != nil {
		return fmt.Errorf("CreateTable: %w", err)
	}
	return waitActive(ctx, api, t.Name)
}

func waitActive(ctx context.Context, api dynamo.API, name string) error {
	w := dynamodb.NewTableExistsWaiter(api, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 2 * time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWait); err != nil {
		return fmt.Errorf("waiting for ACTIVE: %w", err)
	}
	return nil
}

func deleteTable(ctx context.Context, api dynamo.API, name string) error {
	if _, err := api.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("DeleteTable: %w", err)
	}
	w := dynamodb.NewTableNotExistsWaiter(api, func(o *dynamodb.TableNotExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 2 * time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWait); err != nil {
		return fmt.Errorf("waiting for deletion: %w", err)
	}
	return nil
}

// Reset deletes the demo tables that exist (and waits until they are gone).
func Reset(ctx context.Context, api dynamo.API) error {
	for _, t := range Tables() {
		if err := deleteTable(ctx, api, t.Name); err != nil {
			return fmt.Errorf("demo: table %s: %w", t.Name, err)
		}
	}
	return nil
}

// sameSchema reports whether an existing table has the demo table's keys and
// index names.
func sameSchema(d *types.TableDescription, t Table) bool {
	if d == nil {
		return false
	}
	want := t.CreateInput()
	if !sameKeys(d.KeySchema, want.KeySchema) {
		return false
	}
	var have, need []string
	for _, g := range d.GlobalSecondaryIndexes {
		have = append(have, "G:"+aws.ToString(g.IndexName))
	}
	for _, l := range d.LocalSecondaryIndexes {
		have = append(have, "L:"+aws.ToString(l.IndexName))
	}
	for _, g := range want.GlobalSecondaryIndexes {
		need = append(need, "G:"+aws.ToString(g.IndexName))
	}
	for _, l := range want.LocalSecondaryIndexes {
		need = append(need, "L:"+aws.ToString(l.IndexName))
	}
	slices.Sort(have)
	slices.Sort(need)
	if !slices.Equal(have, need) {
		return false
	}
	defTypes := map[string]types.ScalarAttributeType{}
	for _, a := range d.AttributeDefinitions {
		defTypes[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	for _, a := range want.AttributeDefinitions {
		if defTypes[aws.ToString(a.AttributeName)] != a.AttributeType {
			return false
		}
	}
	return true
}

func sameKeys(a, b []types.KeySchemaElement) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if aws.ToString(a[i].AttributeName) != aws.ToString(b[i].AttributeName) || a[i].KeyType != b[i].KeyType {
			return false
		}
	}
	return true
}

// Load writes every demo item with BatchWriteItem (25 items a call, a few
// calls in flight), retrying UnprocessedItems with exponential backoff until
// all are written or ctx ends. Existing items with the same keys are replaced.
func Load(ctx context.Context, api dynamo.API) error {
	type batch struct {
		table string
		reqs  []types.WriteRequest
	}
	var batches []batch
	for _, t := range Tables() {
		for start := 0; start < len(t.Items); start += batchSize {
			end := min(start+batchSize, len(t.Items))
			reqs := make([]types.WriteRequest, 0, end-start)
			for _, it := range t.Items[start:end] {
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
			}
			batches = append(batches, batch{t.Name, reqs})
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan batch)
	errs := make(chan error, loadWorkers)
	var wg sync.WaitGroup
	for range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if err := writeBatch(ctx, api, b.table, b.reqs); err != nil {
					errs <- fmt.Errorf("demo: loading %s: %w", b.table, err)
					cancel()
					return
				}
			}
		}()
	}
	func() {
		defer close(work)
		for _, b := range batches {
			select {
			case work <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// writeBatch sends one BatchWriteItem and resends its UnprocessedItems until
// none are left.
func writeBatch(ctx context.Context, api dynamo.API, table string, reqs []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{table: reqs}
	delay := 20 * time.Millisecond
	for {
		out, err := api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("BatchWriteItem: %w", err)
		}
		if len(out.UnprocessedItems) == 0 {
			return nil
		}
		pending = out.UnprocessedItems
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// Count returns the number of items in a table (a paginated Scan with
// Select=COUNT).
func Count(ctx context.Context, api dynamo.API, table string) (int, error) {
	in := &dynamodb.ScanInput{TableName: aws.String(table), Select: types.SelectCount}
	n := 0
	for {
		out, err := api.Scan(ctx, in)
		if err != nil {
			return n, fmt.Errorf("demo: counting %s: %w", table, err)
		}
		n += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// LocalClient returns a DynamoDB client for an explicit endpoint such as
// DynamoDB Local (http://127.0.0.1:8000). Credentials come from
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) when set,
// else the dummy pair local/local, which DynamoDB Local accepts. No shared
// config or profile is read. region defaults to us-east-1.
func LocalClient(endpoint, region string) *dynamodb.Client {
	if region == "" {
		region = "us-east-1"
	}
	id, secret, token := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")
	if id == "" || secret == "" {
		id, secret, token = "local", "local", ""
	}
	return dynamodb.New(dynamodb.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, token)),
	})
}
