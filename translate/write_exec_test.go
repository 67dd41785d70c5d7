package translate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// writeFakeDB is a fake DynamoDB whose conditional writes fail on demand: every
// PutItem, UpdateItem or DeleteItem fails its condition when failWrites is
// set; GetItem, Query and Scan answer from items.
type writeFakeDB struct {
	dynamo.API
	items      []map[string]types.AttributeValue
	failWrites bool
}

func condFailed() error {
	return &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
}

func (d *writeFakeDB) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if d.failWrites {
		return nil, condFailed()
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (d *writeFakeDB) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if d.failWrites {
		return nil, condFailed()
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (d *writeFakeDB) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if d.failWrites {
		return nil, condFailed()
	}
	return &dynamodb.DeleteItemOutput{}, nil
}

func (d *writeFakeDB) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if d.failWrites {
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i].Code = aws.String("None")
		}
		reasons[len(reasons)-1].Code = aws.String("ConditionalCheckFailed")
		return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func (d *writeFakeDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out := &dynamodb.GetItemOutput{}
	if len(d.items) > 0 {
		out.Item = d.items[0]
	}
	return out, nil
}

func (d *writeFakeDB) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{Items: d.items, Count: int32(len(d.items))}, nil
}

func (d *writeFakeDB) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return &dynamodb.ScanOutput{Items: d.items, Count: int32(len(d.items))}, nil
}

// runWrite plans and runs one write on db, returning the tag and calls.
func runWrite(t *testing.T, db dynamo.API, query string, params ...sqltypes.Value) (string, *dynamo.Recorder, error) {
	t.Helper()
	stmts, err := Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	p := &Planner{Catalog: testCatalog(), AllowFullScan: true, Funcs: expr.NewFuncs(), System: system.New()}
	pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
	if err != nil {
		return "", nil, err
	}
	rec := dynamo.NewRecorder(db)
	env := &engine.Env{Eval: &expr.Context{Params: params}, DB: rec}
	w := pl.Root.(engine.Writer)
	it, err := w.OpenWrite(context.Background(), env, nil)
	if err != nil {
		return "", rec, err
	}
	if err := drainIter(it); err != nil {
		return "", rec, err
	}
	return engine.CommandTag(w.Tag(), it.Affected()), rec, nil
}

func TestWriteOutcomes(t *testing.T) {
	ann := map[string]types.AttributeValue{"customer_id": s("c1"), "name": s("Ann"), "tier": s("gold")}
	cases := []struct {
		name, query string
		db          *writeFakeDB
		tag, code   string
		detail      string
		calls       []string // operations, in order
	}{
		{name: "duplicate key is 23505 with the key in DETAIL",
			query: "INSERT INTO customers (customer_id, name) VALUES ('c1', 'Ann')", db: &writeFakeDB{failWrites: true},
			code: pgerr.UniqueViolation, detail: "Key (customer_id)=(c1) already exists.", calls: []string{"PutItem"}},
		{name: "duplicate in a multi-row chunk names that row's key",
			query: "INSERT INTO customers (customer_id) VALUES ('c1'), ('c2')", db: &writeFakeDB{failWrites: true},
			code: pgerr.UniqueViolation, detail: "Key (customer_id)=(c2) already exists.", calls: []string{"TransactWriteItems"}},
		{name: "failed UPDATE condition is UPDATE 0, not an error",
			query: "UPDATE customers SET name = 'x' WHERE customer_id = 'c1' AND tier = 'gold'", db: &writeFakeDB{failWrites: true},
			tag: "UPDATE 0", calls: []string{"UpdateItem"}},
		{name: "failed DELETE condition is DELETE 0",
			query: "DELETE FROM customers WHERE customer_id = 'c1'", db: &writeFakeDB{failWrites: true},
			tag: "DELETE 0", calls: []string{"DeleteItem"}},
		{name: "non-key WHERE reads first, then writes conditioned on what it read",
			query: "DELETE FROM customers WHERE customer_id = 'c1' AND upper(name) = 'ANN'", db: &writeFakeDB{items: []map[string]types.AttributeValue{ann}},
			tag: "DELETE 1", calls: []string{"GetItem", "DeleteItem"}},
		{name: "non-key WHERE that the item read fails writes nothing",
			query: "DELETE FROM customers WHERE customer_id = 'c1' AND upper(name) = 'BOB'", db: &writeFakeDB{items: []map[string]types.AttributeValue{ann}},
			tag: "DELETE 0", calls: []string{"GetItem"}},
		{name: "a concurrent change between read and write is UPDATE 0",
			query: "UPDATE customers SET tier = 'x' WHERE customer_id = 'c1' AND upper(name) = 'ANN'",
			db:    &writeFakeDB{items: []map[string]types.AttributeValue{ann}, failWrites: true},
			tag:   "UPDATE 0", calls: []string{"GetItem", "UpdateItem"}},
		{name: "missing item is UPDATE 0 without a write",
			query: "UPDATE customers SET tier = 'x' WHERE customer_id = 'c1' AND upper(name) = 'ANN'", db: &writeFakeDB{},
			tag: "UPDATE 0", calls: []string{"GetItem"}},
		{name: "ON CONFLICT DO NOTHING counts only what was inserted",
			query: "INSERT INTO customers (customer_id) VALUES ('c1') ON CONFLICT DO NOTHING", db: &writeFakeDB{failWrites: true},
			tag: "INSERT 0 0", calls: []string{"PutItem"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tag, rec, err := runWrite(t, c.db, c.query)
			if got := pgerr.CodeOf(err); (err != nil || c.code != "") && got != c.code {
				t.Fatalf("error %v (%s), want %s", err, got, c.code)
			}
			if c.detail != "" && pgerr.From(err).Detail != c.detail {
				t.Errorf("detail %q, want %q", pgerr.From(err).Detail, c.detail)
			}
			if tag != c.tag {
				t.Errorf("tag %q, want %q", tag, c.tag)
			}
			var ops []string
			for _, call := range rec.Calls() {
				ops = append(ops, call.Op)
			}
			if strings.Join(ops, ",") != strings.Join(c.calls, ",") {
				t.Errorf("calls %v, want %v", ops, c.calls)
			}
		})
	}
}

func TestReadThenWriteChecksEveryPushedTerm(t *testing.T) {
	ann := map[string]types.AttributeValue{"customer_id": s("c1"), "name": s("Ann"), "tier": s("gold")}
	_, rec, err := runWrite(t, &writeFakeDB{items: []map[string]types.AttributeValue{ann}},
		"UPDATE customers SET vip = true WHERE customer_id = 'c1' AND tier = 'gold' AND upper(name) = 'ANN'")
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls: %v", calls)
	}
	get := calls[0].Input.(*dynamodb.GetItemInput)
	if !aws.ToBool(get.ConsistentRead) {
		t.Error("the read before a write must be strongly consistent")
	}
	want := `UpdateItem table=customers key={customer_id: S "c1"} update=[SET vip = BOOL true] cond=[attribute_exists(customer_id) AND tier = S "gold" AND name = S "Ann"]`
	if got := dynamo.FormatCall(calls[1]); got != want {
		t.Errorf("write:\n%s\nwant:\n%s", got, want)
	}
}

func TestInsertChunksBy100(t *testing.T) {
	var vals []string
	for i := 0; i < 250; i++ {
		vals = append(vals, fmt.Sprintf("('k%03d')", i))
	}
	tag, rec, err := runWrite(t, &writeFakeDB{}, "INSERT INTO customers (customer_id) VALUES "+strings.Join(vals, ", "))
	if err != nil {
		t.Fatal(err)
	}
	if tag != "INSERT 0 250" {
		t.Errorf("tag %q", tag)
	}
	calls := rec.Calls()
	if len(calls) != 3 {
		t.Fatalf("want 3 TransactWriteItems, got %d calls", len(calls))
	}
	for i, want := range []int{100, 100, 50} {
		in, ok := calls[i].Input.(*dynamodb.TransactWriteItemsInput)
		if !ok || len(in.TransactItems) != want {
			t.Fatalf("call %d: %s, want %d items", i, calls[i].Op, want)
		}
		for _, it := range in.TransactItems {
			if it.Put == nil || aws.ToString(it.Put.ConditionExpression) != "attribute_not_exists(#n0)" {
				t.Fatalf("call %d: every put must be conditioned on the key not existing", i)
			}
		}
	}
}

// TestHostileValuesArePlaceholders: values that look like expression syntax
// reach DynamoDB only as :v values, names only as #n names.
func TestHostileValuesArePlaceholders(t *testing.T) {
	hostile := []sqltypes.Value{"c1) OR attribute_exists(#n0", "#name :v0 $1 'x'"}
	for _, q := range []string{
		"UPDATE customers SET name = $2 WHERE customer_id = $1 AND tier = $2",
		"DELETE FROM customers WHERE customer_id = $1 AND email = $2",
		"INSERT INTO customers (customer_id, name) VALUES ($1, $2) ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name",
	} {
		_, rec, err := runWrite(t, &writeFakeDB{}, q, hostile...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, call := range rec.Calls() {
			var exprs []*string
			switch in := call.Input.(type) {
			case *dynamodb.UpdateItemInput:
				exprs = []*string{in.UpdateExpression, in.ConditionExpression}
			case *dynamodb.DeleteItemInput:
				exprs = []*string{in.ConditionExpression}
			}
			for _, e := range exprs {
				if strings.Contains(aws.ToString(e), "name") || strings.Contains(aws.ToString(e), "'") ||
					strings.Contains(aws.ToString(e), "$1") || strings.Contains(aws.ToString(e), "OR") {
					t.Errorf("%s: value or name spliced into %q", q, aws.ToString(e))
				}
			}
		}
		if len(rec.Calls()) == 0 {
			t.Errorf("%s: no call", q)
		}
	}
}
