package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

func TestQueryStreamsPages(t *testing.T) {
	db := &fakeDB{queryPages: queryPages(2, 2, 1)}
	env := newEnv(db)
	q := &Query{Table: "t", KeyCond: idKey(), Forward: true, Out: idCols}
	ctx := context.Background()
	it, err := q.Open(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if n := db.queryCalls(); n != 0 {
		t.Fatalf("Open made %d calls, want 0", n)
	}
	// calls expected after each Next: a page is fetched only when the rows of
	// the previous one are consumed.
	wantCalls := []int{1, 1, 2, 2, 3}
	for i, want := range wantCalls {
		row, err := it.Next(ctx)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if got := row[0]; got != fmt.Sprintf("i%d", i) {
			t.Errorf("row %d = %v", i, got)
		}
		if got := db.queryCalls(); got != want {
			t.Errorf("after row %d: %d Query calls, want %d", i, got, want)
		}
	}
	if _, err := it.Next(ctx); err == nil {
		t.Fatal("want EOF after the last page")
	}
	if k := db.queries[1].ExclusiveStartKey; k == nil || k["page"].(*types.AttributeValueMemberN).Value != "1" {
		t.Errorf("second call ExclusiveStartKey = %v, want page 1's LastEvaluatedKey", k)
	}
	if env.Stats.Pages != 3 || env.Stats.Requests["Query"] != 3 || env.Stats.ItemsReturned != 5 || env.Stats.ConsumedCapacity != 3 {
		t.Errorf("stats = %+v", *env.Stats)
	}
	for _, in := range db.queries {
		if in.ReturnConsumedCapacity != types.ReturnConsumedCapacityTotal {
			t.Errorf("ReturnConsumedCapacity = %q", in.ReturnConsumedCapacity)
		}
	}
}

func TestLimitStopsReading(t *testing.T) {
	tests := []struct {
		name          string
		count, offset int64
		pages         []int
		wantRows      int
		wantCalls     int
	}{
		{"LIMIT within the first page", 5, 0, []int{5, 5, 5}, 5, 1},
		{"LIMIT spanning two pages", 7, 0, []int{5, 5, 5}, 7, 2},
		{"OFFSET then LIMIT", 2, 5, []int{5, 5, 5}, 2, 2},
		{"LIMIT 0 reads nothing", 0, 0, []int{5}, 0, 0},
		{"LIMIT past the end", 100, 0, []int{5, 5}, 10, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := &fakeDB{queryPages: queryPages(tc.pages...)}
			lim := &Limit{
				Input:  &Query{Table: "t", KeyCond: idKey(), Forward: true, Out: idCols},
				Count:  &expr.Const{Val: tc.count, T: sqltypes.Int8},
				Offset: &expr.Const{Val: tc.offset, T: sqltypes.Int8},
			}
			rows := collect(t, lim, newEnv(db))
			if len(rows) != tc.wantRows {
				t.Errorf("rows = %d, want %d", len(rows), tc.wantRows)
			}
			if got := db.queryCalls(); got != tc.wantCalls {
				t.Errorf("Query calls = %d, want %d", got, tc.wantCalls)
			}
		})
	}
}

func TestLimitNegative(t *testing.T) {
	lim := &Limit{Input: &rowsNode{}, Count: &expr.Const{Val: int64(-1), T: sqltypes.Int8}}
	_, err := tryCollect(lim, newEnv(nil))
	if code := pgerr.CodeOf(err); code != "2201W" {
		t.Fatalf("error %v (code %s), want 2201W", err, code)
	}
}

func TestSelectCountSumsPages(t *testing.T) {
	pages := queryPages(0, 0, 0)
	for i, c := range []int32{3, 4, 5} {
		pages[i].Count, pages[i].ScannedCount, pages[i].Items = c, c+1, nil
	}
	db := &fakeDB{queryPages: pages}
	env := newEnv(db)
	q := &Query{Table: "t", KeyCond: idKey(), Forward: true, Select: SelectCount, Projection: nil, Out: idCols}
	rows := collect(t, q, env)
	if len(rows) != 1 || rows[0][0] != int64(12) {
		t.Fatalf("rows = %v, want [[12]]", rows)
	}
	if got := q.Columns(); len(got) != 1 || got[0].Type != sqltypes.Int8 {
		t.Errorf("columns = %+v, want one int8", got)
	}
	for _, in := range db.queries {
		if in.Select != types.SelectCount || in.ProjectionExpression != nil {
			t.Errorf("request Select=%q projection=%v, want COUNT and none", in.Select, in.ProjectionExpression)
		}
	}
	if env.Stats.ItemsScanned != 15 || env.Stats.Pages != 3 {
		t.Errorf("stats = %+v", *env.Stats)
	}
}

func TestNeverTrueConditionReadsNothing(t *testing.T) {
	null := &expr.Const{Val: nil, T: sqltypes.Text}
	for _, sel := range []string{"", SelectCount} {
		db := &fakeDB{}
		q := &Query{Table: "t", KeyCond: &Cmp{Attr: "pk", Op: expr.OpEQ, Value: null, AttrType: "S"}, Select: sel, Out: idCols}
		rows := collect(t, q, newEnv(db))
		if len(db.queries) != 0 {
			t.Errorf("select %q: %d calls for a NULL key", sel, len(db.queries))
		}
		want := 0
		if sel == SelectCount {
			want = 1 // count(*) is still one row: 0
		}
		if len(rows) != want {
			t.Errorf("select %q: rows = %v", sel, rows)
		}
	}
}

func TestExpressionsUsePlaceholdersOnly(t *testing.T) {
	hostile := `#n0 :v0 "x) OR (a = b`
	db := &fakeDB{scanPages: map[int32][]*dynamodb.ScanOutput{0: {{}}}}
	filter := &Or{Args: []Cond{
		&Cmp{Attr: hostile, Op: expr.OpEQ, Value: &expr.Const{Val: hostile, T: sqltypes.Text}, AttrType: "S"},
		&And{Args: []Cond{
			&BeginsWith{Attr: "a.b", Prefix: &expr.Const{Val: "x", T: sqltypes.Text}},
			&AttrTypeIs{Attr: "n", DynamoType: "N", Not: true},
			&In{Attr: "n", Values: []expr.Expr{&expr.Const{Val: int64(1), T: sqltypes.Int4}, &expr.Const{Val: nil, T: sqltypes.Int4}}, AttrType: "N"},
		}},
	}}
	s := &Scan{Table: "t", Filter: filter, Projection: []string{hostile, "a.b"}, Out: idCols}
	collect(t, s, newEnv(db))
	in := db.scans[0]
	wantFilter := "#n0 = :v0 OR (begins_with(#n1, :v1) AND NOT attribute_type(#n2, :v2) AND #n2 IN (:v3))"
	if got := aws.ToString(in.FilterExpression); got != wantFilter {
		t.Errorf("FilterExpression = %q\nwant %q", got, wantFilter)
	}
	if got := aws.ToString(in.ProjectionExpression); got != "#n0, #n1" {
		t.Errorf("ProjectionExpression = %q", got)
	}
	wantNames := map[string]string{"#n0": hostile, "#n1": "a.b", "#n2": "n"}
	if fmt.Sprint(in.ExpressionAttributeNames) != fmt.Sprint(wantNames) {
		t.Errorf("names = %v, want %v", in.ExpressionAttributeNames, wantNames)
	}
	if v := in.ExpressionAttributeValues[":v0"].(*types.AttributeValueMemberS).Value; v != hostile {
		t.Errorf(":v0 = %q", v)
	}
	if v := in.ExpressionAttributeValues[":v2"].(*types.AttributeValueMemberS).Value; v != "N" {
		t.Errorf(":v2 = %q, want the type name N", v)
	}
	if len(in.ExpressionAttributeValues) != 4 {
		t.Errorf("values = %v (the NULL IN value must be dropped)", in.ExpressionAttributeValues)
	}
}

func TestParallelScanSegments(t *testing.T) {
	pages := map[int32][]*dynamodb.ScanOutput{}
	for seg := int32(0); seg < 3; seg++ {
		pages[seg] = []*dynamodb.ScanOutput{
			{Items: items(fmt.Sprintf("s%d-", seg), 0, 2), Count: 2, LastEvaluatedKey: pageKey(1)},
			{Items: items(fmt.Sprintf("s%d-", seg), 2, 1), Count: 1},
		}
	}
	db := &fakeDB{scanPages: pages}
	s := &Scan{Table: "t", Segments: 3, Out: idCols}
	ctx := context.Background()
	it, err := s.Open(ctx, newEnv(db))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if _, err := it.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if len(db.scans) != 3 {
		t.Errorf("after the first row: %d Scan calls, want one per segment (3)", len(db.scans))
	}
	got := []string{}
	for {
		row, err := it.Next(ctx)
		if err != nil {
			break
		}
		got = append(got, row[0].(string))
	}
	if len(got) != 8 || len(db.scans) != 6 {
		t.Errorf("rows after the first = %v, calls = %d; want 8 rows, 6 calls", got, len(db.scans))
	}
	segs := map[int32]int{}
	for _, in := range db.scans {
		if aws.ToInt32(in.TotalSegments) != 3 {
			t.Errorf("TotalSegments = %v", in.TotalSegments)
		}
		segs[aws.ToInt32(in.Segment)]++
	}
	if segs[0] != 2 || segs[1] != 2 || segs[2] != 2 {
		t.Errorf("calls per segment = %v", segs)
	}
}

func batchKeys(n int) [][]KeyPart {
	keys := make([][]KeyPart, n)
	for i := range keys {
		keys[i] = []KeyPart{{Attr: "id", AttrType: "S", Value: &expr.Const{Val: fmt.Sprintf("k%03d", i), T: sqltypes.Text}}}
	}
	return keys
}

// echoBatch answers every requested key with its item, leaving the keys
// listed by unprocessed(call) unprocessed.
func echoBatch(unprocessed func(call int, keys []map[string]types.AttributeValue) int) func(int, *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
	return func(call int, in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
		keys := in.RequestItems["t"].Keys
		skip := unprocessed(call, keys)
		out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{},
			ConsumedCapacity: []types.ConsumedCapacity{{CapacityUnits: aws.Float64(1)}}}
		out.Responses["t"] = keys[skip:]
		if skip > 0 {
			out.UnprocessedKeys = map[string]types.KeysAndAttributes{"t": {Keys: keys[:skip]}}
		}
		return out, nil
	}
}

func TestBatchGetItemChunksAndRetries(t *testing.T) {
	db := &fakeDB{batchGet: echoBatch(func(call int, keys []map[string]types.AttributeValue) int {
		if call == 0 {
			return 30 // DynamoDB leaves 30 keys of the first chunk unprocessed
		}
		return 0
	})}
	keys := append(batchKeys(250), batchKeys(3)...) // 3 duplicates
	keys = append(keys, []KeyPart{{Attr: "id", AttrType: "S", Value: &expr.Const{Val: nil, T: sqltypes.Text}}})
	b := &BatchGetItem{Table: "t", Keys: keys, Projection: []string{"id"}, Out: idCols, RetryBase: time.Millisecond}
	env := newEnv(db)
	rows := collect(t, b, env)
	var got []string
	for _, r := range rows {
		got = append(got, r[0].(string))
	}
	sort.Strings(got)
	if len(got) != 250 || got[0] != "k000" || got[249] != "k249" {
		t.Fatalf("got %d rows (%v ... ), want the 250 distinct keys", len(got), got[:min(3, len(got))])
	}
	var sizes []int
	for _, in := range db.batches {
		ka := in.RequestItems["t"]
		sizes = append(sizes, len(ka.Keys))
		if aws.ToString(ka.ProjectionExpression) != "#n0" || ka.ExpressionAttributeNames["#n0"] != "id" {
			t.Errorf("projection %v %v", ka.ProjectionExpression, ka.ExpressionAttributeNames)
		}
	}
	if fmt.Sprint(sizes) != "[100 30 100 50]" {
		t.Errorf("request sizes = %v, want [100 30 100 50] (chunk, retry of the unprocessed, chunks)", sizes)
	}
	if env.Stats.Requests["BatchGetItem"] != 4 || env.Stats.ConsumedCapacity != 4 {
		t.Errorf("stats = %+v", *env.Stats)
	}
}

func TestBatchGetItemRetryBoundedByContext(t *testing.T) {
	db := &fakeDB{batchGet: echoBatch(func(int, []map[string]types.AttributeValue) int { return 1 })}
	b := &BatchGetItem{Table: "t", Keys: batchKeys(1), Out: idCols, RetryBase: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	it, err := b.Open(ctx, newEnv(db))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	start := time.Now()
	_, err = it.Next(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v, want the deadline, promptly", err, time.Since(start))
	}
}

func TestBatchGetItemGivesUpWithoutProgress(t *testing.T) {
	db := &fakeDB{batchGet: echoBatch(func(int, []map[string]types.AttributeValue) int { return 1 })}
	b := &BatchGetItem{Table: "t", Keys: batchKeys(1), Out: idCols, RetryBase: time.Microsecond}
	_, err := tryCollect(b, newEnv(db))
	if code := pgerr.CodeOf(err); code != pgerr.ConfigurationLimitExceeded {
		t.Fatalf("err = %v (%s), want 53400", err, code)
	}
	if len(db.batches) != maxNoProgress { // every response made no progress
		t.Errorf("%d calls, want %d", len(db.batches), maxNoProgress)
	}
}

func TestGetItem(t *testing.T) {
	tests := []struct {
		name      string
		key       sqltypes.Value
		wantCalls int
	}{
		{"key found", "k1", 1},
		{"NULL key reads nothing", nil, 0},
		{"empty string key reads nothing", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := &fakeDB{getItem: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "k1"}}}
			g := &GetItem{Table: "t", Key: []KeyPart{{Attr: "id", AttrType: "S", Value: &expr.Const{Val: tc.key, T: sqltypes.Text}}},
				Projection: []string{"id"}, Out: idCols}
			env := newEnv(db)
			env.ConsistentRead = true
			rows := collect(t, g, env)
			if len(db.gets) != tc.wantCalls || len(rows) != tc.wantCalls {
				t.Fatalf("calls %d rows %v, want %d", len(db.gets), rows, tc.wantCalls)
			}
			if tc.wantCalls == 1 && (!aws.ToBool(db.gets[0].ConsistentRead) || aws.ToString(db.gets[0].ProjectionExpression) != "#n0") {
				t.Errorf("input = %+v", db.gets[0])
			}
		})
	}
}

func TestKeyValueOfWrongTypeFails(t *testing.T) {
	g := &GetItem{Table: "t", Key: []KeyPart{{Attr: "id", AttrType: "N", Value: &expr.Const{Val: "x", T: sqltypes.Text}}}, Out: idCols}
	_, err := tryCollect(g, newEnv(&fakeDB{}))
	if err == nil || !strings.Contains(err.Error(), "id") || pgerr.CodeOf(err) != pgerr.DatatypeMismatch {
		t.Fatalf("err = %v, want 42804 naming the attribute", err)
	}
}

func TestServiceErrorsAreMapped(t *testing.T) {
	notFound := &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	tests := []struct {
		name string
		node Node
		want string
	}{
		{"Query", &Query{Table: "gone", KeyCond: idKey(), Out: idCols}, pgerr.UndefinedTable},
		{"parallel Scan", &Scan{Table: "gone", Segments: 4, Out: idCols}, pgerr.UndefinedTable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tryCollect(tc.node, newEnv(&fakeDB{err: notFound}))
			if code := pgerr.CodeOf(err); code != tc.want || !errors.As(err, &notFound) {
				t.Fatalf("err = %v (%s), want %s keeping the cause", err, code, tc.want)
			}
		})
	}
}

func TestEmptyStringKeyConditions(t *testing.T) {
	text := func(s string) expr.Expr { return &expr.Const{Val: s, T: sqltypes.Text} }
	sk := func(c Cond) Cond { return &And{Args: []Cond{idKey(), c}} }
	tests := []struct {
		name    string
		key     Cond
		wantKey string // "" = no call
	}{
		{"partition key = ''", &Cmp{Attr: "pk", Op: expr.OpEQ, Value: text(""), AttrType: "S"}, ""},
		{"sort key > '' holds for every key", sk(&Cmp{Attr: "sk", Op: expr.OpGT, Value: text(""), AttrType: "S"}), "#n0 = :v0"},
		{"sort key <= '' holds for none", sk(&Cmp{Attr: "sk", Op: expr.OpLE, Value: text(""), AttrType: "S"}), ""},
		{"BETWEEN '' AND x is <= x", sk(&Between{Attr: "sk", Lo: text(""), Hi: text("m"), AttrType: "S"}), "#n0 = :v0 AND #n1 <= :v1"},
		{"BETWEEN x AND '' holds for none", sk(&Between{Attr: "sk", Lo: text("a"), Hi: text(""), AttrType: "S"}), ""},
		{"begins_with '' holds for every key", sk(&BeginsWith{Attr: "sk", Prefix: text("")}), "#n0 = :v0"},
		{"non-empty values are sent", sk(&Cmp{Attr: "sk", Op: expr.OpLT, Value: text("b"), AttrType: "S"}), "#n0 = :v0 AND #n1 < :v1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := &fakeDB{queryPages: queryPages(1)}
			collect(t, &Query{Table: "t", KeyCond: tc.key, Out: idCols}, newEnv(db))
			got := ""
			if len(db.queries) > 0 {
				got = aws.ToString(db.queries[0].KeyConditionExpression)
			}
			if got != tc.wantKey {
				t.Errorf("KeyConditionExpression = %q, want %q", got, tc.wantKey)
			}
		})
	}
}

func TestIndexFetchReadsItemsPerIndexPage(t *testing.T) {
	db := &fakeDB{
		queryPages: queryPages(3, 150, 2),
		batchGet:   echoBatch(func(int, []map[string]types.AttributeValue) int { return 0 }),
	}
	idx := &Query{Table: "t", Index: "by-x", KeyCond: idKey(), Projection: []string{"id"}, Forward: true, Out: idCols}
	f := &IndexFetch{Index: idx, Key: []string{"id"}, Projection: []string{"id", "x"}, Out: idCols}
	ctx := context.Background()
	it, err := f.Open(ctx, newEnv(db))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if _, err := it.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if len(db.queries) != 1 || len(db.batches) != 1 {
		t.Errorf("after one row: %d Query and %d BatchGetItem calls, want 1 and 1", len(db.queries), len(db.batches))
	}
	rows := 1
	for {
		if _, err := it.Next(ctx); err != nil {
			break
		}
		rows++
	}
	var sizes []int
	for _, in := range db.batches {
		sizes = append(sizes, len(in.RequestItems["t"].Keys))
		if aws.ToString(in.RequestItems["t"].ProjectionExpression) != "#n0, #n1" {
			t.Errorf("table projection = %v", in.RequestItems["t"].ProjectionExpression)
		}
	}
	if rows != 155 || fmt.Sprint(sizes) != "[3 100 50 2]" {
		t.Errorf("rows = %d, BatchGetItem sizes = %v; want 155 rows in [3 100 50 2]", rows, sizes)
	}
	if aws.ToString(db.queries[0].IndexName) != "by-x" || aws.ToString(db.queries[0].ProjectionExpression) != "#n1" {
		t.Errorf("index query = %+v", db.queries[0])
	}
}
