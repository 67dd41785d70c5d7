package harness

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/goccy/go-yaml"
	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/demo"
)

// suite holds what TestMain starts once for the whole test binary (as
// integration suites should: a JVM start costs seconds). Tests reach it through
// FAZ_HARNESS_TEST_ENDPOINT, so no package variable is needed.
type suite struct{ endpoint string }

func newSuite(ctx context.Context, st *Stack) (*suite, error) {
	endpoint, err := DynamoDBLocal(ctx, st)
	if err != nil {
		return nil, err
	}
	return &suite{endpoint: endpoint}, nil
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var st Stack
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	s, err := newSuite(ctx, &st)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("harness: DynamoDB Local at %s started in %s\n", s.endpoint, time.Since(start).Round(time.Millisecond))
	os.Setenv("FAZ_HARNESS_TEST_ENDPOINT", s.endpoint)
	return m.Run()
}

func sharedEndpoint(t *testing.T) string {
	e := os.Getenv("FAZ_HARNESS_TEST_ENDPOINT")
	if e == "" {
		t.Fatal("TestMain did not start DynamoDB Local")
	}
	return e
}

// TestDemoInDynamoDBLocal loads the demo data into a fresh DynamoDB Local and
// reads every item back: DynamoDB must store exactly what the demo package
// generates (numbers already canonical, sets, nested values), and Create and
// Load must be idempotent.
func TestDemoInDynamoDBLocal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	api := DynamoClient(sharedEndpoint(t))
	if err := demo.Reset(ctx, api); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := demo.Create(ctx, api); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, api); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo created and loaded in %s", time.Since(start).Round(time.Millisecond))
	// again: idempotent
	if err := demo.Create(ctx, api); err != nil {
		t.Fatalf("second Create: %v", err)
	}
	if err := demo.Load(ctx, api); err != nil {
		t.Fatalf("second Load: %v", err)
	}
	for _, tb := range demo.Tables() {
		n, err := demo.Count(ctx, api, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(tb.Items) {
			t.Errorf("%s: %d items in DynamoDB Local, want %d", tb.Name, n, len(tb.Items))
		}
		got := scanAll(ctx, t, api, tb.Name)
		want := map[string]string{}
		for _, it := range tb.Items {
			want[itemKey(tb, it)] = demo.ItemJSON(it)
		}
		for _, it := range got {
			k := itemKey(tb, it)
			if g := demo.ItemJSON(sortSets(it)); g != want[k] {
				t.Errorf("%s %s read back differs:\n got %s\nwant %s", tb.Name, k, g, want[k])
				break
			}
		}
		desc, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tb.Name)})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := len(desc.Table.GlobalSecondaryIndexes)+len(desc.Table.LocalSecondaryIndexes), len(tb.Indexes); g != w {
			t.Errorf("%s: %d indexes, want %d", tb.Name, g, w)
		}
	}
	// The GSI answers a Query by status.
	out, err := api.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String("orders"),
		IndexName:                 aws.String("status-created_at-index"),
		KeyConditionExpression:    aws.String("#s = :s"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "PENDING"}},
		Select:                    types.SelectCount,
	})
	if err != nil || out.Count == 0 {
		t.Errorf("GSI query: count %v, err %v", out, err)
	}
}

func scanAll(ctx context.Context, t *testing.T, api *dynamodb.Client, table string) []demo.Item {
	t.Helper()
	var items []demo.Item
	p := dynamodb.NewScanPaginator(api, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, page.Items...)
	}
	return items
}

func itemKey(tb demo.Table, it demo.Item) string {
	k := demo.AttrJSON(it[tb.PartitionKey.Name])
	if tb.SortKey != nil {
		k += "/" + demo.AttrJSON(it[tb.SortKey.Name])
	}
	return k
}

// sortSets orders set members as the demo package does (DynamoDB does not
// promise an order).
func sortSets(it demo.Item) demo.Item {
	out := demo.Item{}
	for k, v := range it {
		out[k] = sortSetsAV(v)
	}
	return out
}

func sortSetsAV(av types.AttributeValue) types.AttributeValue {
	switch v := av.(type) {
	case *types.AttributeValueMemberSS:
		s := slices.Clone(v.Value)
		slices.Sort(s)
		return &types.AttributeValueMemberSS{Value: s}
	case *types.AttributeValueMemberNS:
		s := slices.Clone(v.Value)
		slices.SortFunc(s, func(a, b string) int {
			x, _ := new(big.Rat).SetString(a)
			y, _ := new(big.Rat).SetString(b)
			return x.Cmp(y)
		})
		return &types.AttributeValueMemberNS{Value: s}
	case *types.AttributeValueMemberBS:
		s := slices.Clone(v.Value)
		slices.SortFunc(s, func(a, b []byte) int { return strings.Compare(string(a), string(b)) })
		return &types.AttributeValueMemberBS{Value: s}
	case *types.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: sortSets(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = sortSetsAV(x)
		}
		return &types.AttributeValueMemberL{Value: l}
	}
	return av
}

// TestReferencePostgres starts the reference PostgreSQL with the demo data and
// checks row counts, bytewise text order, and that exact numbers survive.
func TestReferencePostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	dsn := StartReferencePostgres(ctx, t)
	t.Logf("reference PostgreSQL %s started and loaded in %s", dsn, time.Since(start).Round(time.Millisecond))
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, tb := range demo.Tables() {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+tb.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(tb.Items) {
			t.Errorf("%s: %d rows, want %d", tb.Name, n, len(tb.Items))
		}
		var cols []string
		rows, err := conn.Query(ctx, `SELECT column_name || ' ' || format_type(atttypid, atttypmod)
			FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = c.table_name::regclass AND a.attname = c.column_name
			WHERE table_name = $1 ORDER BY ordinal_position`, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, s)
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		var want []string
		for _, c := range tb.Columns() {
			want = append(want, c.Name+" "+c.Type)
		}
		if !slices.Equal(cols, want) {
			t.Errorf("%s columns:\n got %v\nwant %v", tb.Name, cols, want)
		}
	}
	var lessUpper bool
	if err := conn.QueryRow(ctx, "SELECT 'B' < 'a'").Scan(&lessUpper); err != nil || !lessUpper {
		t.Errorf("text order is not bytewise (C locale): 'B' < 'a' = %v, %v", lessUpper, err)
	}
	// Every number, in columns and in _item, keeps DynamoDB's exact text.
	var bad int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM customers
		WHERE lifetime_value::text <> (_item->>'lifetime_value')`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("numbers differ between column and _item: %d, %v", bad, err)
	}
	var n38 int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM customers
		WHERE length(replace(replace(ltrim(replace(lifetime_value::text, '-', ''), '0.'), '.', ''), '-', '')) >= 38`).Scan(&n38); err != nil || n38 == 0 {
		t.Errorf("no 38-digit lifetime_value survived: %d, %v", n38, err)
	}
}

func TestStackOrder(t *testing.T) {
	var st Stack
	var got []int
	for i := range 3 {
		st.Cleanup(func() { got = append(got, i) })
	}
	st.Close()
	st.Close()
	if !slices.Equal(got, []int{2, 1, 0}) {
		t.Errorf("cleanup order %v", got)
	}
}

// TestConfigsParse checks that the YAML files we ship and generate parse, and
// that the compose file has the services the README promises. (The config
// package validates faz.yaml semantics; this only guards syntax and shape.)
func TestConfigsParse(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"DemoConfig": DemoConfig("http://127.0.0.1:8000")}
	for _, f := range []string{"examples/demo.faz.yaml", "examples/compose.faz.yaml", "docker-compose.yml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(b)
	}
	for name, text := range files {
		var v map[string]any
		if err := yaml.Unmarshal([]byte(text), &v); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if name == "docker-compose.yml" {
			services, _ := v["services"].(map[string]any)
			for _, s := range []string{"dynamodb", "fazproxy", "demo-loader"} {
				if services[s] == nil {
					t.Errorf("docker-compose.yml: no service %q", s)
				}
			}
			continue
		}
		for _, k := range []string{"listen", "auth", "users", "databases", "permissions"} {
			if _, ok := v[k]; !ok {
				t.Errorf("%s: no %q section", name, k)
			}
		}
	}
}

// TestBinaryDemoAndServe runs the real binary: `fazproxy demo load` into
// DynamoDB Local, then `fazproxy serve` with DemoConfig, and a pgx connection
// through it.
func TestBinaryDemoAndServe(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := BuildFazproxy(t)
	endpoint := sharedEndpoint(t)
	out, err := exec.CommandContext(ctx, bin, "demo", "load", "--fresh", "--endpoint", endpoint, "--region", "us-east-1").CombinedOutput()
	if err != nil {
		t.Fatalf("fazproxy demo load: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	want := fmt.Sprintf("customers %d, orders %d, products %d items", demo.NumCustomers, demo.NumOrders, demo.NumProducts)
	if !strings.Contains(string(out), want) {
		t.Errorf("demo load output lacks %q", want)
	}
	p := StartFazproxyProcess(t, bin, DemoConfig(endpoint))
	conn, err := pgx.Connect(ctx, p.DSN("demo", "demo"))
	if err != nil {
		t.Fatalf("connecting to fazproxy at %s: %v", p.Addr, err)
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 through fazproxy: %v, %v", one, err)
	}
	if err := p.Stop(10 * time.Second); err != nil {
		t.Errorf("stopping fazproxy with SIGTERM: %v", err)
	}
}
