package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// cliConfig is a faz.yaml in the seed's shape for the suite's DynamoDB
// Local: "writer" may read and write, "reader" only read (R) and cannot
// see customers at all.
func cliConfig(t *testing.T, users, permissions string) string {
	t.Helper()
	text := `auth:
  method: trust
users:
` + users + `
databases:
  - name: demo
    type: dynamodb
    host: localhost
    port: 8000
    database: products
    username: local
    password: local
    extra:
      endpoint_url: ` + env.endpoint + `
      region: us-east-1
      allow_full_scan: true
permissions:
` + permissions
	path := filepath.Join(t.TempDir(), "faz.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCLI runs the built binary and returns its stdout, stderr and exit status.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.binary, args...)
	cmd.Env = append(os.Environ(), "USER=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", env.binary, err)
	}
	return out.String(), errOut.String(), code
}

// TestCLIQuery runs `fazproxy query`, `tables` and `describe` against
// DynamoDB Local, starting with the seed's own example.
func TestCLIQuery(t *testing.T) {
	cfg := cliConfig(t, "  - name: writer\n  - name: reader\n", `  - database: demo
    access: RW
    users: [writer]
  - database: demo
    access: R
    users: [reader]
    tables:
      customers: none
`)
	common := []string{"--config", cfg, "--database", "demo"}
	cases := []struct {
		name       string
		args       []string
		code       int
		wantOut    []string // substrings of stdout, in order
		wantStderr []string
		jsonRows   int // > 0: stdout is a JSON array of this many objects
	}{
		{name: "seed example", args: []string{"query", `{"verb":"Scan","TableName":"products","Limit":5}`, "--table", "products", "--language", "dynamo", "--user", "reader"},
			wantOut: []string{" sku ", "(5 rows)"}, wantStderr: []string{`NOTICE:  more items: add {"ExclusiveStartKey":{"sku":{"N":`}},
		{name: "seed example as json", args: []string{"query", `{"verb":"Scan","TableName":"products","Limit":5}`, "--table", "products", "--language", "dynamo", "--user", "reader", "--format", "json"},
			jsonRows: 5, wantStderr: []string{"ExclusiveStartKey"}},
		{name: "verb without TableName uses --table", args: []string{"query", `{"verb":"GetItem","Key":{"sku":{"N":"10001"}}}`, "--table", "products", "--language", "dynamo", "--user", "reader", "--format", "csv"},
			wantOut: []string{"sku,", "\r\n10001,"}},
		{name: "sql getitem", args: []string{"query", "SELECT customer_id, email FROM customers WHERE customer_id = 'C0001'", "--user", "writer"},
			wantOut: []string{"customer_id |", "C0001       | user0001@example.com", "(1 row)"}},
		{name: "sql json embeds jsonb", args: []string{"query", "SELECT sku, dims FROM products WHERE sku = 10001", "--user", "reader", "--format", "json"},
			jsonRows: 1, wantOut: []string{`"sku": 10001`, `"dims": {`}},
		{name: "partiql", args: []string{"query", `SELECT sku FROM "products" WHERE sku = 10001`, "--language", "partiql", "--user", "reader", "--format", "csv"},
			wantOut: []string{"sku,", "\r\n10001,"}},
		{name: "sql error", args: []string{"query", "SELECT nosuch FROM products", "--user", "reader"},
			code: 1, wantStderr: []string{`column "nosuch" does not exist`, "SQLSTATE 42703"}},
		{name: "hidden table", args: []string{"query", "SELECT * FROM customers", "--user", "reader"},
			code: 3, wantStderr: []string{"SQLSTATE 42501"}},
		{name: "tables as reader", args: []string{"tables", "--user", "reader"},
			wantOut: []string{"table_name | partition_key | sort_key", "orders", "customer_id", "order_id", "products", "sku", "(2 rows)"}},
		{name: "describe", args: []string{"describe", "orders", "--user", "writer"},
			wantOut: []string{`Table "public.orders"`, "customer_id", "partition key", "order_id", "sort key", "Indexes:", "status-created_at-index"}},
		{name: "describe hidden", args: []string{"describe", "customers", "--user", "reader"},
			code: 1, wantStderr: []string{`relation "customers" does not exist`}},
		{name: "unknown database", args: []string{"query", "SELECT 1", "--database", "nope"}, code: 2,
			wantStderr: []string{`database "nope" is not in faz.yaml`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, append(append([]string{c.args[0]}, common...), c.args[1:]...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errOut)
			}
			containsInOrder(t, "stdout", out, c.wantOut)
			containsInOrder(t, "stderr", errOut, c.wantStderr)
			if c.jsonRows > 0 {
				var rows []map[string]any
				if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != c.jsonRows {
					t.Errorf("stdout is not a JSON array of %d objects (%v): %s", c.jsonRows, err, out)
				}
			}
		})
	}
}

// TestCLIRefusedWrites: under R every kind of write (SQL, verb JSON,
// PartiQL) exits 3 with SQLSTATE 42501 and changes nothing in DynamoDB.
// The only user of the file is the default one.
func TestCLIRefusedWrites(t *testing.T) {
	cfg := cliConfig(t, "  - name: reader\n", "  - database: demo\n    access: R\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := harness.DynamoClient(env.endpoint)
	before := getProduct(ctx, t, db, "10001")
	if len(before) == 0 {
		t.Fatal("product 10001 is missing from the demo data")
	}
	cases := []struct{ name, text, language string }{
		{"sql update", "UPDATE products SET stock = 0 WHERE sku = 10001", "sql"},
		{"sql insert", "INSERT INTO products (sku, name) VALUES (99001, 'x')", "sql"},
		{"sql delete", "DELETE FROM products WHERE sku = 10001", "sql"},
		{"verb put", `{"verb":"PutItem","TableName":"products","Item":{"sku":{"N":"99001"},"name":{"S":"x"}}}`, "dynamo"},
		{"verb update", `{"verb":"UpdateItem","TableName":"products","Key":{"sku":{"N":"10001"}},"UpdateExpression":"SET stock = :z","ExpressionAttributeValues":{":z":{"N":"0"}}}`, "dynamo"},
		{"partiql delete", `DELETE FROM "products" WHERE sku = 10001`, "partiql"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, "query", c.text, "--config", cfg, "--language", c.language)
			if code != 3 || !strings.Contains(errOut, "SQLSTATE 42501") {
				t.Errorf("exit %d, want 3 with SQLSTATE 42501\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if !strings.Contains(errOut, `ran as user "reader"`) {
				t.Errorf("stderr does not say which user was chosen: %s", errOut)
			}
		})
	}
	if after := getProduct(ctx, t, db, "10001"); !reflect.DeepEqual(before, after) {
		t.Errorf("product 10001 changed:\nbefore %v\nafter  %v", before, after)
	}
	if got := getProduct(ctx, t, db, "99001"); len(got) != 0 {
		t.Errorf("product 99001 was created: %v", got)
	}
}

// getProduct reads a product (nil when absent); reflect.DeepEqual compares
// two reads attribute by attribute.
func getProduct(ctx context.Context, t *testing.T, db *dynamodb.Client, sku string) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String("products"),
		Key:            map[string]types.AttributeValue{"sku": &types.AttributeValueMemberN{Value: sku}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func containsInOrder(t *testing.T, what, got string, want []string) {
	t.Helper()
	rest := got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s lacks %q (in order):\n%s", what, w, got)
			return
		}
		rest = rest[i+len(w):]
	}
}
