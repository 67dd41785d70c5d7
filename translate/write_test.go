package translate

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// writeCase is a golden write: its plan, the exact requests it sends, its
// command tag and the operation classes it needs (spec/rbac.md).
type writeCase struct {
	Comment  string   `json:"comment"`
	Query    string   `json:"query"`
	Params   []string `json:"params,omitempty"`
	NoScan   bool     `json:"no_scan,omitempty"`
	Items    bool     `json:"items,omitempty"`
	Plan     []string `json:"plan,omitempty"`
	Needs    []string `json:"needs,omitempty"`
	Requests []string `json:"requests,omitempty"`
	Tag      string   `json:"tag,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// sampleWriteDB is sampleDB that also accepts writes (answering empty).
type sampleWriteDB struct{ sampleDB }

// PutItem fails its condition when a sample item has the key: the
// conditional puts of INSERT see duplicates.
func (d sampleWriteDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	t := d.cat[*in.TableName]
	key := map[string]types.AttributeValue{t.PartitionKey.Name: in.Item[t.PartitionKey.Name]}
	if t.SortKey != nil {
		key[t.SortKey.Name] = in.Item[t.SortKey.Name]
	}
	if in.ConditionExpression != nil && len(d.matches(*in.TableName, key)) > 0 {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (sampleWriteDB) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{}, nil
}

func (sampleWriteDB) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return &dynamodb.DeleteItemOutput{}, nil
}

func (sampleWriteDB) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func TestWritePlans(t *testing.T) {
	cat := testCatalog()
	runGoldenFile(t, "testdata/write_cases.json", func(c *writeCase) (string, string) { return c.Comment, c.Query },
		func(c *writeCase) writeCase { return runWriteCase(t, cat, c) },
		func(want, got *writeCase) {
			if len(want.Plan) == 0 && want.Error == "" {
				t.Errorf("%s: no golden plan or error; run go test ./translate -run TestWritePlans -update and review the diff", want.Comment)
			}
			compareGolden(t, want.Comment, want.Query, []goldenField{
				{"plan", strings.Join(want.Plan, "\n"), strings.Join(got.Plan, "\n")},
				{"needs", strings.Join(want.Needs, "\n"), strings.Join(got.Needs, "\n")},
				{"requests", strings.Join(want.Requests, "\n"), strings.Join(got.Requests, "\n")},
				{"tag", want.Tag, got.Tag},
				{"error", want.Error, got.Error},
			})
		})
}

// runWriteCase plans and runs one write against a recorder (answering
// empty, or from sampleDB's items) and reports what happened.
func runWriteCase(t *testing.T, cat fakeCatalog, c *writeCase) writeCase {
	t.Helper()
	out := writeCase{Comment: c.Comment, Query: c.Query, Params: c.Params, NoScan: c.NoScan, Items: c.Items}
	stmts, err := Parse(c.Query)
	if err != nil {
		out.Error = errText(err)
		return out
	}
	p := &Planner{Catalog: cat, AllowFullScan: !c.NoScan, Funcs: expr.NewFuncs(), System: system.New()}
	pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
	if err != nil {
		out.Error = errText(err)
		return out
	}
	out.Plan = strings.Split(strings.TrimRight(pl.Root.Describe().String(), "\n"), "\n")
	out.Needs = needStrings(pl.Needs)
	params := make([]sqltypes.Value, len(pl.ParamTypes))
	for i := range params {
		if i < len(c.Params) {
			if params[i], err = sqltypes.DecodeText([]byte(c.Params[i]), pl.ParamTypes[i]); err != nil {
				out.Error = errText(err)
				return out
			}
		}
	}
	rec := dynamo.NewRecorder(nil)
	if c.Items {
		rec = dynamo.NewRecorder(sampleWriteDB{sampleDB{cat: cat}})
	}
	env := &engine.Env{Eval: &expr.Context{Params: params}, DB: rec, Stats: &engine.Stats{Requests: map[string]int{}},
		System: fakeSystem{cat: cat}}
	if w, ok := pl.Root.(engine.Writer); ok {
		it, err := w.OpenWrite(context.Background(), env, nil)
		if err == nil {
			err = drainIter(it)
			out.Tag = engine.CommandTag(w.Tag(), it.Affected())
		}
		if err != nil {
			out.Error = errText(err)
		}
	} else if err := drain(pl.Root, env); err != nil {
		out.Error = errText(err)
	}
	for _, call := range rec.Calls() {
		out.Requests = append(out.Requests, dynamo.FormatCall(call))
	}
	return out
}

func drainIter(it engine.Iter) error {
	defer it.Close()
	for {
		if _, err := it.Next(context.Background()); err != nil {
			if err.Error() == "EOF" {
				return nil
			}
			return err
		}
	}
}

func needStrings(needs []policy.Need) []string {
	out := make([]string, len(needs))
	for i, n := range needs {
		out[i] = n.Table + ": " + n.Class.String()
	}
	return out
}
