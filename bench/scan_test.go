package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/integration/harness"
)

const (
	scanTable = "bench_scan"
	scanItems = 100_000
	rssLimit  = 64 << 20 // the streaming target: fazproxy's peak RSS under 64 MB
)

// BenchmarkScan100k streams a 100k-item Scan through fazproxy with pgx and,
// in the same run, through a hand-written paginated SDK Scan. It reports
// fazproxy's peak resident memory (VmHWM) and the time ratio proxy/SDK, and
// fails if the peak RSS reaches 64 MB (rows must stream, not accumulate).
func BenchmarkScan100k(b *testing.B) {
	ctx := context.Background()
	var st harness.Stack
	defer st.Close()
	endpoint, err := harness.DynamoDBLocal(ctx, &st)
	if err != nil {
		b.Fatal(err)
	}
	db := harness.DynamoClient(endpoint)
	if err := loadScanTable(ctx, db); err != nil {
		b.Fatal(err)
	}
	bin, err := harness.Build(ctx)
	if err != nil {
		b.Fatal(err)
	}
	work := b.TempDir()
	proxy, err := harness.Fazproxy(ctx, &st, work, bin, harness.DemoConfig(endpoint))
	if err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, proxy.DSN("demo", "demo"))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)

	var proxyTime, sdkTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		n, err := scanThroughProxy(ctx, conn)
		if err != nil {
			b.Fatalf("%v\n%s", err, proxy.LogTail(20))
		}
		proxyTime += time.Since(t0)
		if n != scanItems {
			b.Fatalf("proxy returned %d rows, want %d", n, scanItems)
		}
		t1 := time.Now()
		m, err := scanWithSDK(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		sdkTime += time.Since(t1)
		if m != scanItems {
			b.Fatalf("SDK returned %d items, want %d", m, scanItems)
		}
	}
	b.StopTimer()
	peak, err := peakRSS(proxy.PID())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(proxyTime)/float64(sdkTime), "proxy/sdk-time")
	b.ReportMetric(float64(scanItems*b.N)/proxyTime.Seconds(), "proxy-rows/s")
	if peak >= rssLimit {
		b.Fatalf("fazproxy peak RSS %d MB while streaming %d rows: over the 64 MB target", peak>>20, scanItems)
	}
}

// scanThroughProxy reads every row of the table, decoding each value, as a
// client would.
func scanThroughProxy(ctx context.Context, conn *pgx.Conn) (int, error) {
	rows, err := conn.Query(ctx, "SELECT id, seq, payload, tags, price FROM "+scanTable)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if _, err := rows.Values(); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// scanWithSDK is the hand-written equivalent: a paginated Scan with the same
// projection.
func scanWithSDK(ctx context.Context, db *dynamodb.Client) (int, error) {
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
		TableName:                aws.String(scanTable),
		ProjectionExpression:     aws.String("#a, #b, #c, #d, #e"),
		ExpressionAttributeNames: map[string]string{"#a": "id", "#b": "seq", "#c": "payload", "#d": "tags", "#e": "price"},
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, err
		}
		n += len(page.Items)
	}
	return n, nil
}

// loadScanTable creates the 100k-item table (about 250 bytes an item) with
// parallel BatchWriteItem calls, retrying unprocessed items.
func loadScanTable(ctx context.Context, db *dynamodb.Client) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(scanTable),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		return fmt.Errorf("CreateTable: %w", err)
	}
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for start := w * 25; start < scanItems; start += workers * 25 {
				if err := writeBatch(ctx, db, start, min(start+25, scanItems)); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func writeBatch(ctx context.Context, db *dynamodb.Client, from, to int) error {
	var reqs []types.WriteRequest
	for i := from; i < to; i++ {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"id":      &types.AttributeValueMemberS{Value: fmt.Sprintf("item-%07d", i)},
			"seq":     &types.AttributeValueMemberN{Value: strconv.Itoa(i)},
			"payload": &types.AttributeValueMemberS{Value: strings.Repeat(strconv.Itoa(i%10), 160)},
			"tags":    &types.AttributeValueMemberSS{Value: []string{"a", "b" + strconv.Itoa(i%7)}},
			"price":   &types.AttributeValueMemberN{Value: strconv.Itoa(i%1000) + ".25"},
		}}})
	}
	pending := map[string][]types.WriteRequest{scanTable: reqs}
	for attempt := 0; len(pending[scanTable]) > 0; attempt++ {
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("BatchWriteItem: %w", err)
		}
		pending = out.UnprocessedItems
		if len(pending[scanTable]) > 0 {
			time.Sleep(time.Duration(1<<min(attempt, 6)) * 10 * time.Millisecond)
		}
	}
	return nil
}

// peakRSS reads a process's high-water resident set size (VmHWM) from /proc.
func peakRSS(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
