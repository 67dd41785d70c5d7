package translate

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// update rewrites the golden files: go test ./translate -run TestPlans -update
var update = flag.Bool("update", false, "rewrite testdata golden files from the current planner")

// planCase is one golden case: a statement, and either its plan and the exact
// DynamoDB requests running it sends, or its error.
type planCase struct {
	Comment string   `json:"comment"`
	Query   string   `json:"query"`
	Params  []string `json:"params,omitempty"` // text values of $1..$n (null: JSON null not used)
	NoScan  bool     `json:"no_scan,omitempty"`
	// Items makes DynamoDB answer with the sample items of sampleDB instead
	// of nothing, so that reads made per row (key lookup joins, correlated
	// subqueries) show in the requests.
	Items    bool     `json:"items,omitempty"`
	Plan     []string `json:"plan,omitempty"`
	Requests []string `json:"requests,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// fakeCatalog serves fixed tables, shaped like the demo data set.
type fakeCatalog map[string]*catalog.Table

func (f fakeCatalog) TableNames(context.Context) ([]string, error) {
	var out []string
	for n := range f {
		out = append(out, n)
	}
	return out, nil
}

func (f fakeCatalog) Table(_ context.Context, name string) (*catalog.Table, error) {
	if t, ok := f[name]; ok {
		return t, nil
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

func (f fakeCatalog) Invalidate(string) {}

func table(name string, oid uint32, pk catalog.KeyAttr, sk *catalog.KeyAttr, idx []catalog.Index, cols ...catalog.Column) *catalog.Table {
	cols = append(cols, catalog.Column{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, Source: catalog.SourceItem})
	for i := range cols {
		cols[i].AttNum = int16(i + 1)
	}
	return &catalog.Table{Name: name, OID: oid, PartitionKey: pk, SortKey: sk, Indexes: idx, Columns: cols, Status: "ACTIVE"}
}

func col(name string, t sqltypes.OID, src catalog.ColumnSource) catalog.Column {
	return catalog.Column{Name: name, Type: t, Source: src, NotNull: src == catalog.SourceKey}
}

func testCatalog() fakeCatalog {
	k, ik, s := catalog.SourceKey, catalog.SourceIndexKey, catalog.SourceSampled
	return fakeCatalog{
		"customers": table("customers", 20001, catalog.KeyAttr{Name: "customer_id", Type: "S"}, nil,
			[]catalog.Index{{Name: "tier-index", Global: true, PartitionKey: catalog.KeyAttr{Name: "tier", Type: "S"}, Projection: "KEYS_ONLY"}},
			col("customer_id", sqltypes.Text, k), col("address", sqltypes.Jsonb, s), col("balance", sqltypes.Numeric, s),
			col("email", sqltypes.Text, s), col("name", sqltypes.Text, s), col("tier", sqltypes.Text, s),
			col("vip", sqltypes.Bool, s)),
		"orders": table("orders", 20002, catalog.KeyAttr{Name: "customer_id", Type: "S"}, &catalog.KeyAttr{Name: "order_id", Type: "S"},
			[]catalog.Index{
				{Name: "status-created_at-index", Global: true, PartitionKey: catalog.KeyAttr{Name: "status", Type: "S"},
					SortKey: &catalog.KeyAttr{Name: "created_at", Type: "S"}, Projection: "ALL"},
				{Name: "customer_id-total-index", PartitionKey: catalog.KeyAttr{Name: "customer_id", Type: "S"},
					SortKey: &catalog.KeyAttr{Name: "total", Type: "N"}, Projection: "INCLUDE", NonKeyAttributes: []string{"status"}},
			},
			col("customer_id", sqltypes.Text, k), col("order_id", sqltypes.Text, k), col("status", sqltypes.Text, ik),
			col("created_at", sqltypes.Text, ik), col("total", sqltypes.Numeric, ik), col("items", sqltypes.Jsonb, s),
			col("note", sqltypes.Text, s), col("paid", sqltypes.Bool, s), col("tags", sqltypes.TextArray, s)),
		"products": table("products", 20003, catalog.KeyAttr{Name: "sku", Type: "N"}, nil, nil,
			col("sku", sqltypes.Numeric, k), col("colors", sqltypes.TextArray, s), col("image", sqltypes.Bytea, s),
			col("name", sqltypes.Text, s), col("price", sqltypes.Numeric, s), col("sizes", sqltypes.NumericArray, s)),
	}
}

func TestPlans(t *testing.T) {
	runGolden(t, "testdata/select_cases.json")
}

func TestJoinPlans(t *testing.T) {
	runGolden(t, "testdata/joins_cases.json")
}

// fakeSystem is the session's side of the system catalogs: the test tables,
// user alice in database shop.
type fakeSystem struct{ cat fakeCatalog }

func (f fakeSystem) Tables(context.Context) ([]*catalog.Table, error) {
	var out []*catalog.Table
	for _, n := range []string{"customers", "orders", "products"} {
		out = append(out, f.cat[n])
	}
	return out, nil
}
func (fakeSystem) User() string                 { return "alice" }
func (fakeSystem) Database() string             { return "shop" }
func (fakeSystem) Databases() []string          { return []string{"shop"} }
func (fakeSystem) Settings() []system.Setting   { return nil }
func (fakeSystem) Functions() []system.Function { return nil }

func runGolden(t *testing.T, path string) {
	cat := testCatalog()
	runGoldenFile(t, path, func(c *planCase) (string, string) { return c.Comment, c.Query },
		func(c *planCase) planCase { return runPlanCase(t, cat, c) },
		func(want, got *planCase) {
			if len(want.Plan) == 0 && want.Error == "" {
				t.Errorf("%s: no golden plan or error; run go test ./translate -run TestPlans -update and review the diff", want.Comment)
			}
			compareGolden(t, want.Comment, want.Query, []goldenField{
				{"plan", strings.Join(want.Plan, "\n"), strings.Join(got.Plan, "\n")},
				{"requests", strings.Join(want.Requests, "\n"), strings.Join(got.Requests, "\n")},
				{"error", want.Error, got.Error},
			})
		})
}

// runGoldenFile is the driver of every golden file: it reads path strictly
// (unknown fields are errors), requires each case to have a query and a
// unique comment, runs each case, and compares it with its golden answer —
// or, with -update, writes the fresh answers back for review as a diff.
func runGoldenFile[C any](t *testing.T, path string, ident func(*C) (comment, query string), run func(*C) C, compare func(want, got *C)) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var cases []C
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	seen := map[string]bool{}
	for i := range cases {
		c := &cases[i]
		comment, query := ident(c)
		if comment == "" || query == "" || seen[comment] {
			t.Errorf("case %d: every case needs a unique comment and a query (%q)", i, comment)
		}
		seen[comment] = true
		got := run(c)
		if *update {
			*c = got
			continue
		}
		compare(c, &got)
	}
	if *update {
		out, err := json.MarshalIndent(cases, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goldenField is one compared part of a case's answer.
type goldenField struct{ name, want, have string }

// compareGolden reports every field whose answer differs from the golden one.
func compareGolden(t *testing.T, comment, query string, fields []goldenField) {
	t.Helper()
	for _, f := range fields {
		if f.want != f.have {
			t.Errorf("%s\n%s\n%s:\n%s\nwant:\n%s", comment, query, f.name, f.have, f.want)
		}
	}
}

// runPlanCase plans the query, runs it against a recorder whose DynamoDB
// answers every call with an empty result, and reports plan, requests or error.
func runPlanCase(t *testing.T, cat fakeCatalog, c *planCase) planCase {
	t.Helper()
	out := planCase{Comment: c.Comment, Query: c.Query, Params: c.Params, NoScan: c.NoScan, Items: c.Items}
	stmts, err := Parse(c.Query)
	if err != nil {
		out.Error = errText(err)
		return out
	}
	if len(stmts) != 1 {
		t.Fatalf("%s: want one statement", c.Query)
	}
	p := &Planner{Catalog: cat, AllowFullScan: !c.NoScan, Funcs: expr.NewFuncs(), System: system.New()}
	pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
	if err != nil {
		out.Error = errText(err)
		return out
	}
	out.Plan = strings.Split(strings.TrimRight(pl.Root.Describe().String(), "\n"), "\n")
	params := make([]sqltypes.Value, len(pl.ParamTypes))
	for i := range params {
		if i < len(c.Params) {
			v, err := sqltypes.DecodeText([]byte(c.Params[i]), pl.ParamTypes[i])
			if err != nil {
				out.Error = errText(err)
				return out
			}
			params[i] = v
		}
	}
	rec := dynamo.NewRecorder(nil)
	if c.Items {
		rec = dynamo.NewRecorder(sampleDB{cat: cat})
	}
	env := &engine.Env{Eval: &expr.Context{Params: params}, DB: rec, Stats: &engine.Stats{Requests: map[string]int{}},
		System: fakeSystem{cat: cat}}
	if err := drain(pl.Root, env); err != nil {
		out.Error = errText(err)
	}
	for _, call := range rec.Calls() {
		out.Requests = append(out.Requests, dynamo.FormatCall(call))
	}
	return out
}

func drain(n engine.Node, env *engine.Env) error {
	ctx := context.Background()
	it, err := n.Open(ctx, env)
	if err != nil {
		return err
	}
	defer it.Close()
	for {
		if _, err := it.Next(ctx); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// errText is the golden form of an error: SQLSTATE, message and hint.
func errText(err error) string {
	e := pgerr.From(err)
	s := pgerr.CodeOf(err) + ": " + e.Message
	if e.Hint != "" {
		s += " HINT: " + e.Hint
	}
	return s
}
