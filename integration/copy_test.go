package integration

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// TestCopyFromUnderThrottling loads 20,000 rows with COPY FROM STDIN through
// a fazproxy whose DynamoDB answers every third BatchWriteItem with part of
// its items in UnprocessedItems (as a throttled table does). Every row must
// land: a direct Scan counts exactly 20,000 and the tag says COPY 20000.
func TestCopyFromUnderThrottling(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	const table = "copy_t"
	const rows = 20000
	api := harness.DynamoClient(env.endpoint)
	createKeyTable(ctx, t, api, table, "id")
	putItem(ctx, t, api, table, map[string]ddbtypes.AttributeValue{"id": avS("seed"), "n": avN("0"), "s": avS("seed")})
	rec, err := harness.StartRecorder(t, env.endpoint)
	if err != nil {
		t.Fatal(err)
	}
	rec.FaultBatchWrite(func(n int) bool { return n%3 == 1 })
	p := harness.StartFazproxyProcess(t, env.binary, harness.DemoConfig(rec.URL))
	conn := connect(ctx, t, p.DSN("demo", "demo"))

	var data bytes.Buffer
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&data, "row-%05d\t%d\ttext %d with \\t tab\n", i, i, i)
	}
	tag, err := conn.PgConn().CopyFrom(ctx, &data, "COPY "+table+" (id, n, s) FROM STDIN")
	if err != nil {
		t.Fatalf("COPY FROM: %v\n%s", err, p.LogTail(20))
	}
	if tag.String() != fmt.Sprintf("COPY %d", rows) {
		t.Errorf("tag = %q, want COPY %d", tag, rows)
	}
	if rec.Faults() == 0 {
		t.Errorf("no BatchWriteItem was throttled: the fault injection did not run (calls: %v)", summarize(rec))
	}
	if got := countItems(ctx, t, api, table, "row-"); got != rows {
		t.Errorf("DynamoDB holds %d copied items, want %d (%d BatchWriteItem requests throttled)", got, rows, rec.Faults())
	}
	t.Logf("%d BatchWriteItem requests answered with UnprocessedItems", rec.Faults())
	// One item checked field by field (the \t escape decoded).
	item := getItem(ctx, t, api, table, map[string]ddbtypes.AttributeValue{"id": avS("row-12345")})
	if got := itemString(item); got != `{"id":S:"row-12345", "n":N:12345, "s":S:"text 12345 with \t tab"}` {
		t.Errorf("row-12345 = %s", got)
	}
}

func summarize(rec *harness.Recorder) map[string]int {
	data, meta := rec.Counts()
	for k, v := range meta {
		data[k] = v
	}
	return data
}

// countItems counts the items whose key attribute begins with prefix with a
// consistent Scan (Select COUNT), following every page.
func countItems(ctx context.Context, t *testing.T, api *dynamodb.Client, table, prefix string) int {
	t.Helper()
	in := &dynamodb.ScanInput{
		TableName:                 aws.String(table),
		Select:                    ddbtypes.SelectCount,
		ConsistentRead:            aws.Bool(true),
		FilterExpression:          aws.String("begins_with(#k, :p)"),
		ExpressionAttributeNames:  map[string]string{"#k": "id"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": avS(prefix)},
	}
	total := 0
	for {
		out, err := api.Scan(ctx, in)
		if err != nil {
			t.Fatalf("Scan COUNT %s: %v", table, err)
		}
		total += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return total
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// TestCopyToMatchesPostgres: COPY TO of demo data through fazproxy is byte
// for byte what the reference PostgreSQL writes for the same query.
func TestCopyToMatchesPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	proxy := connect(ctx, t, proxyDSN())
	ref := connect(ctx, t, env.pgDSN)
	cases := []string{
		`COPY (SELECT customer_id, name, email, tier, balance, vip, notes FROM customers ORDER BY customer_id) TO STDOUT`,
		`COPY (SELECT sku, name, price, stock, weight_kg FROM products ORDER BY sku) TO STDOUT WITH (FORMAT csv, HEADER)`,
		`COPY (SELECT order_id, status, total FROM orders WHERE customer_id = 'C0005' ORDER BY order_id) TO STDOUT`,
	}
	for _, q := range cases {
		t.Run(q, func(t *testing.T) {
			got, err := copyTo(ctx, proxy.PgConn(), q)
			if err != nil {
				t.Fatalf("fazproxy: %v", err)
			}
			want, err := copyTo(ctx, ref.PgConn(), q)
			if err != nil {
				t.Fatalf("reference PostgreSQL: %v", err)
			}
			if got != want {
				t.Errorf("COPY TO differs from PostgreSQL:\n%s", firstLineDiff(got, want))
			}
			if strings.Count(want, "\n") < 2 {
				t.Errorf("the reference wrote %d lines; the case tests nothing", strings.Count(want, "\n"))
			}
		})
	}
}

func copyTo(ctx context.Context, c *pgconn.PgConn, q string) (string, error) {
	var b bytes.Buffer
	tag, err := c.CopyTo(ctx, &b, q)
	if err != nil {
		return "", err
	}
	if want := fmt.Sprintf("COPY %d", strings.Count(b.String(), "\n")-strings.Count(q, "HEADER")); tag.String() != want {
		return b.String(), fmt.Errorf("tag %q, want %q", tag, want)
	}
	return b.String(), nil
}

// firstLineDiff shows the first differing line.
func firstLineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\nfazproxy:   %q\npostgresql: %q\n(%d vs %d lines)", i+1, gl, wl, len(g), len(w))
		}
	}
	return "(no line differs)"
}
