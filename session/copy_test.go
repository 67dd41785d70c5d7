package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// copyWriter is a wire.ResultWriter that also speaks the copy
// sub-protocol: CopyIn serves in, CopyData collects the output.
type copyWriter struct {
	recorder
	in        io.Reader
	inCalls   int
	outFormat []int16
	out       bytes.Buffer
	messages  int
}

func (c *copyWriter) CopyIn(format int16, cols []int16) (io.Reader, error) {
	c.inCalls++
	if format != 0 || len(cols) == 0 {
		return nil, fmt.Errorf("CopyIn(%d, %v)", format, cols)
	}
	return c.in, nil
}

func (c *copyWriter) CopyOut(format int16, cols []int16) error {
	if c.outFormat != nil {
		return fmt.Errorf("CopyOut twice")
	}
	c.outFormat = append([]int16{format}, cols...)
	return nil
}

func (c *copyWriter) CopyData(b []byte) error {
	if c.outFormat == nil {
		return fmt.Errorf("CopyData before CopyOut")
	}
	c.messages++
	c.out.Write(b)
	return nil
}

// copyFake stores BatchWriteItem puts by id and answers Scan with scan.
// The first failFirst calls leave every other request unprocessed.
type copyFake struct {
	dynamo.API
	failFirst int
	scan      []map[string]ddbtypes.AttributeValue

	mu     sync.Mutex
	calls  int
	stored map[string]map[string]ddbtypes.AttributeValue
	puts   map[string]int
	bad    []string // batches DynamoDB would refuse
}

func newCopyFake() *copyFake {
	return &copyFake{stored: map[string]map[string]ddbtypes.AttributeValue{}, puts: map[string]int{}}
}

func (f *copyFake) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	reqs := in.RequestItems["things"]
	if len(reqs) == 0 || len(reqs) > 25 || len(in.RequestItems) != 1 {
		f.bad = append(f.bad, fmt.Sprintf("call %d: %d tables, %d requests", f.calls, len(in.RequestItems), len(reqs)))
	}
	seen := map[string]bool{}
	var left []ddbtypes.WriteRequest
	for i, r := range reqs {
		id := r.PutRequest.Item["id"].(*ddbtypes.AttributeValueMemberS).Value
		if seen[id] {
			f.bad = append(f.bad, fmt.Sprintf("call %d: key %q twice", f.calls, id))
		}
		seen[id] = true
		if f.calls <= f.failFirst && i%2 == 0 {
			left = append(left, r)
			continue
		}
		f.stored[id] = r.PutRequest.Item
		f.puts[id]++
	}
	out := &dynamodb.BatchWriteItemOutput{}
	if len(left) > 0 {
		out.UnprocessedItems = map[string][]ddbtypes.WriteRequest{"things": left}
	}
	return out, nil
}

func (f *copyFake) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return &dynamodb.ScanOutput{Items: f.scan, Count: int32(len(f.scan)), ScannedCount: int32(len(f.scan))}, nil
}

// copyCatalog adds things (id text key, note text, num numeric, ok bool)
// to the test catalog.
func copyCatalog() fakeCatalog {
	cat := testCatalog()
	cat["things"] = &catalog.Table{Name: "things", OID: 30003, Status: "ACTIVE",
		PartitionKey: catalog.KeyAttr{Name: "id", Type: "S"},
		Columns: []catalog.Column{
			{Name: "id", Type: sqltypes.Text, AttNum: 1, Source: catalog.SourceKey, NotNull: true},
			{Name: "note", Type: sqltypes.Text, AttNum: 2, Source: catalog.SourceSampled},
			{Name: "num", Type: sqltypes.Numeric, AttNum: 3, Source: catalog.SourceSampled},
			{Name: "ok", Type: sqltypes.Bool, AttNum: 4, Source: catalog.SourceSampled},
			{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, AttNum: 5, Source: catalog.SourceItem},
		}}
	return cat
}

func copySession(t *testing.T, fake *copyFake, access map[string]string) (*Session, *dynamo.Recorder) {
	t.Helper()
	rec := dynamo.NewRecorder(fake)
	b := NewBackend([]*Database{{Name: "shop", API: rec, Catalog: copyCatalog(), AllowFullScan: true}},
		&Security{Method: wire.AuthTrust, Rules: rules(t, access)}, guc.Defaults{ServerVersion: "15.8"}, nil)
	return newSession(t, b), rec
}

// runCopy runs one COPY statement with input as the client's data.
func runCopy(ctx context.Context, s *Session, text, input string) (string, *copyWriter, error) {
	w := &copyWriter{in: strings.NewReader(input)}
	stmts, err := s.Prepare(ctx, text, nil)
	if err != nil {
		return "", w, err
	}
	if fd := stmts[0].Fields(); fd != nil {
		return "", w, fmt.Errorf("COPY describes fields %v, want NoData", fd)
	}
	p, err := stmts[0].Bind(ctx, nil, nil, nil)
	if err != nil {
		return "", w, err
	}
	defer p.Close()
	tag, suspended, err := p.Execute(ctx, 1, w) // max rows does not apply to COPY
	if suspended {
		return "", w, fmt.Errorf("COPY suspended")
	}
	return tag, w, err
}

func avS(v string) ddbtypes.AttributeValue  { return &ddbtypes.AttributeValueMemberS{Value: v} }
func avN(v string) ddbtypes.AttributeValue  { return &ddbtypes.AttributeValueMemberN{Value: v} }
func avBool(v bool) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberBOOL{Value: v} }
func attrs(kv ...any) map[string]ddbtypes.AttributeValue {
	m := map[string]ddbtypes.AttributeValue{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(ddbtypes.AttributeValue)
	}
	return m
}

// The expected items are what PostgreSQL 15 stores for the same input
// (checked with psql: COPY t2 FROM STDIN ..., then SELECT).
func TestCopyFrom(t *testing.T) {
	cases := []struct {
		name, stmt, input string
		want              map[string]map[string]ddbtypes.AttributeValue
	}{
		{"text", "COPY things FROM STDIN WITH (HEADER)",
			"id\tnote\tnum\tok\n" +
				"a\tx\\ty\\\\z\t1.50\tt\n" +
				"b\t\\N\t\\N\tf\n" +
				"c\t\\101\\x42\\x4a\\n\\q\\\\N\t-2\t\\N\n" +
				"d\tback\\\nslash\t3\ttrue\n" +
				"e\t\t0\toff\n" +
				"f\tlast\t1\tt\\.\n" +
				"ignored\n",
			map[string]map[string]ddbtypes.AttributeValue{
				"a": attrs("id", avS("a"), "note", avS("x\ty\\z"), "num", avN("1.5"), "ok", avBool(true)),
				"b": attrs("id", avS("b"), "ok", avBool(false)),
				"c": attrs("id", avS("c"), "note", avS("ABJ\nq\\N"), "num", avN("-2")),
				"d": attrs("id", avS("d"), "note", avS("back\nslash"), "num", avN("3"), "ok", avBool(true)),
				"e": attrs("id", avS("e"), "note", avS(""), "num", avN("0"), "ok", avBool(false)),
				"f": attrs("id", avS("f"), "note", avS("last"), "num", avN("1"), "ok", avBool(true)),
			}},
		{"csv", "COPY things FROM STDIN WITH (FORMAT csv, HEADER)",
			"id,note,num,ok\n" +
				"a,\"x,y \"\"q\"\"\",1.50,t\n" +
				"b,,,f\n" +
				"c,\"\",-2,\n" +
				"d,\"multi\nline\",3,true\n" +
				"e,\\N,0,off\n" +
				"\"f\",\"\\.\",1,t\n" +
				"\\.\n" +
				"ignored\n",
			map[string]map[string]ddbtypes.AttributeValue{
				"a": attrs("id", avS("a"), "note", avS(`x,y "q"`), "num", avN("1.5"), "ok", avBool(true)),
				"b": attrs("id", avS("b"), "ok", avBool(false)),
				"c": attrs("id", avS("c"), "note", avS(""), "num", avN("-2")),
				"d": attrs("id", avS("d"), "note", avS("multi\nline"), "num", avN("3"), "ok", avBool(true)),
				"e": attrs("id", avS("e"), "note", avS(`\N`), "num", avN("0"), "ok", avBool(false)),
				"f": attrs("id", avS("f"), "note", avS(`\.`), "num", avN("1"), "ok", avBool(true)),
			}},
		{"csv options and column list", "COPY things (ok, id, note) FROM STDIN (FORMAT csv, DELIMITER ';', NULL 'NULL', QUOTE '''', ESCAPE '\\')",
			"t;a;'it\\'s; ok'\nNULL;b;NULL\nf;c;''\n",
			map[string]map[string]ddbtypes.AttributeValue{
				"a": attrs("id", avS("a"), "note", avS("it's; ok"), "ok", avBool(true)),
				"b": attrs("id", avS("b")),
				"c": attrs("id", avS("c"), "note", avS(""), "ok", avBool(false)),
			}},
		{"legacy syntax, no final newline", "COPY things (id, num) FROM STDIN CSV", "a,1e3\nb,-0.50", map[string]map[string]ddbtypes.AttributeValue{
			"a": attrs("id", avS("a"), "num", avN("1000")),
			"b": attrs("id", avS("b"), "num", avN("-0.5")),
		}},
		{"whole items through _item", "COPY things (id, _item, note) FROM STDIN",
			"a\t{\"note\": \"old\", \"tags\": [\"x\", 1], \"deep\": {\"k\": true}}\tnew\nb\t\\N\t\\N\n",
			map[string]map[string]ddbtypes.AttributeValue{
				"a": attrs("id", avS("a"), "note", avS("new"), "deep", &ddbtypes.AttributeValueMemberM{Value: attrs("k", avBool(true))},
					"tags", &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{avS("x"), avN("1")}}),
				"b": attrs("id", avS("b")),
			}},
		{"CRLF line ends", "COPY things (id, num) FROM STDIN", "a\t1\r\nb\t2\r\n\\.\r\nc\t3\r\n", map[string]map[string]ddbtypes.AttributeValue{
			"a": attrs("id", avS("a"), "num", avN("1")),
			"b": attrs("id", avS("b"), "num", avN("2")),
		}},
		{"repeated key: the last row wins", "COPY things (id, num) FROM STDIN", "a\t1\nb\t2\na\t3\n", map[string]map[string]ddbtypes.AttributeValue{
			"a": attrs("id", avS("a"), "num", avN("3")),
			"b": attrs("id", avS("b"), "num", avN("2")),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := newCopyFake()
			sess, _ := copySession(t, fake, nil)
			tag, _, err := runCopy(context.Background(), sess, c.stmt, c.input)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			for _, p := range fake.puts {
				n += p
			}
			if want := fmt.Sprintf("COPY %d", n); tag != want {
				t.Errorf("tag = %q, want %q (puts made)", tag, want)
			}
			if !reflect.DeepEqual(fake.stored, c.want) {
				t.Errorf("stored:\n%s\nwant:\n%s", dumpItems(fake.stored), dumpItems(c.want))
			}
			if len(fake.bad) > 0 {
				t.Errorf("bad batches: %v", fake.bad)
			}
		})
	}
}

func dumpItems(m map[string]map[string]ddbtypes.AttributeValue) string {
	var b strings.Builder
	for id, it := range m {
		fmt.Fprintf(&b, "%s: %s\n", id, sqltypes.FormatJSON(sqltypes.ItemToJSON(it), sqltypes.Jsonb))
	}
	return b.String()
}

func TestCopyFromErrors(t *testing.T) {
	cases := []struct {
		name, stmt, input string
		access            map[string]string
		code, detail      string
		calls             int  // BatchWriteItem calls made before the error
		read              bool // the data was asked for
	}{
		{"missing key", "COPY things FROM STDIN", "a\tx\t1\tt\n\\N\ty\t2\tf\n", nil, pgerr.NotNullViolation, "COPY things, line 2", 0, true},
		{"key not in the list", "COPY things (note) FROM STDIN", "x\n", nil, pgerr.NotNullViolation, "COPY things, line 1", 0, true},
		{"empty key", "COPY things (id) FROM STDIN CSV", "\"\"\n", nil, pgerr.InvalidParameterValue, "COPY things, line 1", 0, true},
		{"bad number", "COPY things (id, num) FROM STDIN", "a\t1\nb\tabc\n", nil, pgerr.InvalidTextRepresentation,
			`COPY things, line 2, column num: "abc"`, 0, true},
		{"extra data", "COPY things (id) FROM STDIN", "a\tb\n", nil, badCopyFileFormat, "COPY things, line 1", 0, true},
		{"missing data", "COPY things (id, num) FROM STDIN", "a\n", nil, badCopyFileFormat, "COPY things, line 1", 0, true},
		{"unterminated quote", "COPY things (id) FROM STDIN CSV", "a\n\"b\n", nil, badCopyFileFormat, "COPY things, line 2", 0, true},
		{"marker corrupt", "COPY things (id) FROM STDIN", "a\\.b\n", nil, badCopyFileFormat, "COPY things, line 1", 0, true},
		{"mixed line ends", "COPY things (id, note) FROM STDIN", "a\tx\ry\n", nil, badCopyFileFormat, "COPY things, line 2", 0, true},
		{"header mismatch", "COPY things (id, num) FROM STDIN (HEADER MATCH)", "id\tnumber\n", nil, badCopyFileFormat, "COPY things, line 1", 0, true},
		{"written before the error", "COPY things (id) FROM STDIN", strings.Repeat("k\n", 0) + rowsOf(30) + "\\N\n", nil,
			pgerr.NotNullViolation, "COPY things, line 31", 1, true},
		{"append only", "COPY things FROM STDIN", "a\tx\t1\tt\n", map[string]string{"things": "RA"}, pgerr.InsufficientPrivilege, "", 0, false},
		{"read only", "COPY things FROM STDIN", "a\tx\t1\tt\n", map[string]string{"things": "R"}, pgerr.InsufficientPrivilege, "", 0, false},
		{"unknown column", "COPY things (id, nope) FROM STDIN", "", nil, pgerr.UndefinedColumn, "", 0, false},
		{"duplicate column", "COPY things (id, id) FROM STDIN", "", nil, pgerr.DuplicateColumn, "", 0, false},
		{"file", "COPY things FROM '/etc/passwd'", "", nil, pgerr.FeatureNotSupported, "", 0, false},
		{"binary", "COPY things FROM STDIN (FORMAT binary)", "", nil, pgerr.FeatureNotSupported, "", 0, false},
		{"unknown table", "COPY nothing FROM STDIN", "", nil, pgerr.UndefinedTable, "", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := newCopyFake()
			sess, rec := copySession(t, fake, c.access)
			_, w, err := runCopy(context.Background(), sess, c.stmt, c.input)
			if pgerr.CodeOf(err) != c.code {
				t.Fatalf("err = %v, want %s", err, c.code)
			}
			e := pgerr.From(err)
			if c.detail != "" && !strings.HasSuffix(e.Detail, c.detail) {
				t.Errorf("detail = %q, want it to end with %q", e.Detail, c.detail)
			}
			if c.code == pgerr.InsufficientPrivilege && c.access["things"] == "RA" && !strings.Contains(e.Hint, "INSERT") {
				t.Errorf("hint = %q, want it to suggest INSERT", e.Hint)
			}
			if n := rec.Count("BatchWriteItem"); n != c.calls || len(rec.Calls()) != c.calls {
				t.Errorf("%d BatchWriteItem calls (%d in all), want %d", n, len(rec.Calls()), c.calls)
			}
			if (w.inCalls > 0) != c.read {
				t.Errorf("CopyIn called %d times, want data read = %v", w.inCalls, c.read)
			}
		})
	}
}

func rowsOf(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%05d\n", i)
	}
	return b.String()
}

// TestCopyFromUnprocessed: DynamoDB leaves half of each of the first three
// calls unprocessed; every row is still stored exactly once and counted.
func TestCopyFromUnprocessed(t *testing.T) {
	const rows = 20000
	fake := newCopyFake()
	fake.failFirst = 3
	sess, _ := copySession(t, fake, nil)
	var in strings.Builder
	for i := range rows {
		fmt.Fprintf(&in, "k%05d,%d\n", i, i)
	}
	tag, _, err := runCopy(context.Background(), sess, "COPY things (id, num) FROM STDIN (FORMAT csv)", in.String())
	if err != nil {
		t.Fatal(err)
	}
	if tag != fmt.Sprintf("COPY %d", rows) {
		t.Fatalf("tag = %q", tag)
	}
	if len(fake.stored) != rows {
		t.Fatalf("%d items stored, want %d", len(fake.stored), rows)
	}
	for id, n := range fake.puts {
		if n != 1 {
			t.Fatalf("%s stored %d times", id, n)
		}
	}
	if got := fake.stored["k12345"]["num"]; !reflect.DeepEqual(got, avN("12345")) {
		t.Fatalf("k12345 num = %#v", got)
	}
	if want := rows/25 + 3; fake.calls != want {
		t.Fatalf("%d calls, want %d (one per batch and one retry for each of the first three)", fake.calls, want)
	}
	if len(fake.bad) > 0 {
		t.Fatalf("bad batches: %v", fake.bad[:min(5, len(fake.bad))])
	}
}

// thingsItems are the rows of testdata/copy/things.sql as DynamoDB items.
func thingsItems() []map[string]ddbtypes.AttributeValue {
	return []map[string]ddbtypes.AttributeValue{
		attrs("id", avS("a"), "note", avS("tab\there"), "num", avN("1.5"), "ok", avBool(true)),
		attrs("id", avS("b"), "note", avS("line1\nline2 back\\slash"), "ok", avBool(false)),
		attrs("id", avS("c"), "note", avS(""), "num", avN("-0.001")),
		attrs("id", avS("d"), "note", avS(`quote "x", comma`), "num", avN("100"), "ok", avBool(true)),
		attrs("id", avS("e"), "num", avN("100000000000000000000"), "ok", avBool(false)),
		attrs("id", avS("f"), "note", avS(`\.`), "num", avN("0"), "ok", avBool(true)),
		attrs("id", avS("g"), "note", avS(`\N`), "num", avN("7"), "ok", avBool(true)),
		attrs("id", avS("h"), "note", avS("cr\rhere|pipe"), "num", avN("2"), "ok", avBool(false)),
		attrs("id", avS("i"), "note", avS("héllo ☃"), "num", avN("3"), "ok", avBool(true)),
		attrs("id", avS("j"), "note", avS("bell\x07 vt\x0b ff\x0c bs\x08"), "num", avN("4"), "ok", avBool(true)),
	}
}

// TestCopyTo compares with what PostgreSQL 15 printed for the same rows
// (testdata/copy/README).
func TestCopyTo(t *testing.T) {
	cases := []struct {
		stmt, golden string
		messages     int
	}{
		{"COPY things TO STDOUT", "out_text.txt", 10},
		{"COPY things TO STDOUT WITH (DELIMITER '|', HEADER)", "out_text2.txt", 11},
		{"COPY things TO STDOUT WITH (FORMAT csv, HEADER)", "out_csv.txt", 11},
		{"COPY (SELECT id, note, num, ok FROM things) TO STDOUT WITH (FORMAT csv, DELIMITER '|', NULL 'NULL', FORCE_QUOTE (note))", "out_csv2.txt", 10},
		{"COPY things (note) TO STDOUT (FORMAT csv)", "out_csv1.txt", 10},
		{"COPY (SELECT note FROM things) TO STDOUT CSV", "out_csv1.txt", 10},
	}
	for _, c := range cases {
		t.Run(c.stmt, func(t *testing.T) {
			want, err := os.ReadFile("testdata/copy/" + c.golden)
			if err != nil {
				t.Fatal(err)
			}
			fake := newCopyFake()
			fake.scan = thingsItems()
			sess, rec := copySession(t, fake, nil)
			tag, w, err := runCopy(context.Background(), sess, c.stmt, "")
			if err != nil {
				t.Fatal(err)
			}
			if tag != "COPY 10" {
				t.Errorf("tag = %q, want COPY 10", tag)
			}
			if got := w.out.String(); got != string(want) {
				t.Errorf("output differs from PostgreSQL's:\n got %q\nwant %q", got, want)
			}
			if w.messages != c.messages {
				t.Errorf("%d CopyData messages, want %d (one per line)", w.messages, c.messages)
			}
			if w.outFormat[0] != 0 {
				t.Errorf("CopyOut format %v", w.outFormat)
			}
			if n := rec.Count("Scan"); n != 1 {
				t.Errorf("%d Scans", n)
			}
		})
	}
}

func TestCopyToRefusedAndEmpty(t *testing.T) {
	fake := newCopyFake()
	sess, rec := copySession(t, fake, map[string]string{"things": "none"})
	_, w, err := runCopy(context.Background(), sess, "COPY things TO STDOUT", "")
	if pgerr.CodeOf(err) != pgerr.InsufficientPrivilege || len(rec.Calls()) != 0 || w.outFormat != nil {
		t.Fatalf("hidden table: err %v, %d calls, copy started %v", err, len(rec.Calls()), w.outFormat)
	}
	sess, _ = copySession(t, fake, nil)
	tag, w, err := runCopy(context.Background(), sess, "COPY things (id, ok) TO STDOUT WITH (FORMAT csv, HEADER)", "")
	if err != nil || tag != "COPY 0" || w.out.String() != "id,ok\n" || !reflect.DeepEqual(w.outFormat, []int16{0, 0, 0}) {
		t.Fatalf("empty table: %q, %q, %v, formats %v", tag, w.out.String(), err, w.outFormat)
	}
	for _, stmt := range []string{
		"COPY (DELETE FROM things) TO STDOUT",
		"COPY things TO STDOUT (FORCE_QUOTE (nope), FORMAT csv)",
		"COPY things TO STDOUT (HEADER MATCH)",
		"COPY things TO STDOUT (FORMAT text, QUOTE '\"')",
		"COPY things TO STDOUT (FORMAT csv, FORMAT text)",
	} {
		if _, _, err := runCopy(context.Background(), sess, stmt, ""); err == nil {
			t.Errorf("%s: no error", stmt)
		}
	}
}
