package session

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/native"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/wire"
)

// nativeFake answers the calls verb requests make: Scan (one page with a
// continuation key), GetItem (item "a"), PutItem and ExecuteStatement (no
// items). Anything else panics through the nil embedded API.
type nativeFake struct {
	dynamo.API
}

func (nativeFake) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return &dynamodb.ScanOutput{Items: []map[string]ddbtypes.AttributeValue{item("a", "1"), item("b", "2")},
		Count: 2, ScannedCount: 2, LastEvaluatedKey: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "b"}}}, nil
}

func (nativeFake) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if k, ok := in.Key["id"].(*ddbtypes.AttributeValueMemberS); ok && k.Value == "a" {
		return &dynamodb.GetItemOutput{Item: item("a", "1")}, nil
	}
	return &dynamodb.GetItemOutput{}, nil
}

func (nativeFake) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

func (nativeFake) ExecuteStatement(context.Context, *dynamodb.ExecuteStatementInput, ...func(*dynamodb.Options)) (*dynamodb.ExecuteStatementOutput, error) {
	return &dynamodb.ExecuteStatementOutput{Items: []map[string]ddbtypes.AttributeValue{item("a", "1")}}, nil
}

// nativeFixture is a backend whose default table is items; access gives
// alice's per-table access codes (RW elsewhere).
func nativeFixture(t *testing.T, api dynamo.API, access map[string]string) (*Backend, *dynamo.Recorder) {
	t.Helper()
	rec := dynamo.NewRecorder(api)
	b := NewBackend([]*Database{{Name: "shop", API: rec, Catalog: testCatalog(), AllowFullScan: true, DefaultTable: "items"}},
		&Security{Method: wire.AuthTrust, Rules: rules(t, access)}, guc.Defaults{ServerVersion: "15.8"}, nil)
	return b, rec
}

func newSession(t *testing.T, b *Backend) *Session {
	t.Helper()
	ws, err := b.NewSession(context.Background(), wire.StartupInfo{User: "alice", Database: "shop", ProcessID: 7})
	if err != nil {
		t.Fatal(err)
	}
	return ws.(*Session)
}

// extended runs text through Parse, Bind (text parameters) and Execute.
func extended(ctx context.Context, s *Session, text string, types []uint32, params ...string) (wire.Statement, string, *recorder, error) {
	out := &recorder{}
	stmts, err := s.Prepare(ctx, text, types)
	if err != nil {
		return nil, "", out, err
	}
	raw := make([][]byte, len(params))
	for i, p := range params {
		if p != "NULL" {
			raw[i] = []byte(p)
		}
	}
	p, err := stmts[0].Bind(ctx, raw, nil, nil)
	if err != nil {
		return stmts[0], "", out, err
	}
	defer p.Close()
	tag, _, err := p.Execute(ctx, 0, out)
	return stmts[0], tag, out, err
}

func fieldNames(fd []wire.FieldDesc) []string {
	var out []string
	for _, f := range fd {
		out = append(out, f.Name)
	}
	return out
}

func TestVerbRequests(t *testing.T) {
	cases := []struct {
		name      string
		text      string
		wantOp    string
		wantTag   string
		wantCols  []string
		wantRows  [][]string
		wantTable string
		notice    string
	}{
		{"scan", `{"verb": "Scan", "TableName": "items", "Limit": 2}`, "Scan", "SELECT 2",
			[]string{"id", "n", "_item"}, [][]string{{"a", "1", `{"n": 1, "id": "a"}`}, {"b", "2", `{"n": 2, "id": "b"}`}},
			"items", `more items: add {"ExclusiveStartKey":{"id":{"S":"b"}}} to continue`},
		{"get item, default table", ` {"verb": "GetItem", "Key": {"id": {"S": "a"}}}`, "GetItem", "SELECT 1",
			[]string{"id", "n", "_item"}, [][]string{{"a", "1", `{"n": 1, "id": "a"}`}}, "items", ""},
		{"get item, none", `{"verb": "GetItem", "Key": {"id": {"S": "zz"}}}`, "GetItem", "SELECT 0",
			[]string{"id", "n", "_item"}, nil, "items", ""},
		{"put item", `{"verb": "PutItem", "Item": {"id": {"S": "c"}, "n": {"N": "3"}}}`, "PutItem", "INSERT 0 1",
			[]string{"id", "n", "_item"}, nil, "items", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, rec := nativeFixture(t, nativeFake{}, nil)
			s := newSession(t, b)
			st, tag, out, err := extended(context.Background(), s, c.text, nil)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if got := fieldNames(st.Fields()); !reflect.DeepEqual(got, c.wantCols) {
				t.Errorf("Describe fields = %v, want %v", got, c.wantCols)
			}
			if tag != c.wantTag {
				t.Errorf("tag = %q, want %q", tag, c.wantTag)
			}
			if got := out.textRows(); len(got) != len(c.wantRows) || len(got) > 0 && !reflect.DeepEqual(got, c.wantRows) {
				t.Errorf("rows = %q, want %q", got, c.wantRows)
			}
			calls := rec.Calls()
			if len(calls) != 1 || calls[0].Op != c.wantOp {
				t.Fatalf("calls = %+v, want one %s", calls, c.wantOp)
			}
			if tn := reflect.ValueOf(calls[0].Input).Elem().FieldByName("TableName").Interface().(*string); aws.ToString(tn) != c.wantTable {
				t.Errorf("TableName = %q, want %q", aws.ToString(tn), c.wantTable)
			}
			var notices []string
			for _, n := range out.notices {
				notices = append(notices, n.Message)
			}
			if c.notice != "" && (len(notices) != 1 || notices[0] != c.notice) {
				t.Errorf("notices = %q, want %q", notices, c.notice)
			}
			if c.notice == "" && len(notices) != 0 {
				t.Errorf("unexpected notices %q", notices)
			}
		})
	}
}

func TestVerbSuspendedPortal(t *testing.T) {
	b, rec := nativeFixture(t, nativeFake{}, nil)
	s := newSession(t, b)
	ctx := context.Background()
	stmts, err := s.Prepare(ctx, `{"verb": "Scan", "TableName": "items"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := stmts[0].Bind(ctx, nil, nil, []int16{0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	out := &recorder{}
	if tag, suspended, err := p.Execute(ctx, 1, out); err != nil || !suspended || tag != "" {
		t.Fatalf("first Execute = %q, %v, %v; want suspended", tag, suspended, err)
	}
	if tag, suspended, err := p.Execute(ctx, 1, out); err != nil || suspended || tag != "SELECT 2" {
		t.Fatalf("second Execute = %q, %v, %v; want SELECT 2", tag, suspended, err)
	}
	if len(out.rows) != 2 || string(out.rows[1][0]) != "b" || len(out.rows[1][1]) < 8 {
		t.Fatalf("rows = %q (n must be binary numeric)", out.rows)
	}
	if n := rec.Count("Scan"); n != 1 {
		t.Fatalf("%d Scans for one portal, want 1", n)
	}
}

func TestVerbPolicy(t *testing.T) {
	const put = `{"verb": "PutItem", "TableName": "items", "Item": {"id": {"S": "c"}}}`
	cases := []struct {
		name   string
		access map[string]string
		text   string
		code   string
		guard  bool // the PutItem must carry attribute_not_exists on the key
	}{
		{"hidden table", map[string]string{"secrets": "none"}, `{"verb": "Scan", "TableName": "secrets"}`, pgerr.InsufficientPrivilege, false},
		{"read only put", map[string]string{"items": "R"}, put, pgerr.InsufficientPrivilege, false},
		{"append only delete", map[string]string{"items": "RA"},
			`{"verb": "DeleteItem", "TableName": "items", "Key": {"id": {"S": "a"}}}`, pgerr.InsufficientPrivilege, false},
		{"append only batch write", map[string]string{"items": "RA"},
			`{"verb": "BatchWriteItem", "RequestItems": {"items": [{"PutRequest": {"Item": {"id": {"S": "a"}}}}]}}`, pgerr.InsufficientPrivilege, false},
		{"unknown verb", nil, `{"verb": "Scann", "TableName": "items"}`, pgerr.SyntaxError, false},
		{"unknown key", nil, `{"verb": "Scan", "TableName": "items", "Limt": 1}`, pgerr.SyntaxError, false},
		{"append only put", map[string]string{"items": "RA"}, put, "", true},
		{"read write put", nil, put, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, rec := nativeFixture(t, nativeFake{}, c.access)
			s := newSession(t, b)
			_, _, _, err := extended(context.Background(), s, c.text, nil)
			if pgerr.CodeOf(err) != c.code && !(c.code == "" && err == nil) {
				t.Fatalf("err = %v, want %q", err, c.code)
			}
			calls := rec.Calls()
			if c.code != "" {
				if len(calls) != 0 {
					t.Fatalf("a refused request made %d calls: %+v", len(calls), calls)
				}
				return
			}
			in := calls[0].Input.(*dynamodb.PutItemInput)
			guarded := aws.ToString(in.ConditionExpression) == "attribute_not_exists(#faz_key)" && in.ExpressionAttributeNames["#faz_key"] == "id"
			if guarded != c.guard {
				t.Fatalf("ConditionExpression = %q, names %v; guarded = %v, want %v",
					aws.ToString(in.ConditionExpression), in.ExpressionAttributeNames, guarded, c.guard)
			}
		})
	}
}

// TestVerbRecheckedAtExecute: a statement prepared under RW is refused at
// Execute once the rules say R, with no DynamoDB call.
func TestVerbRecheckedAtExecute(t *testing.T) {
	b, rec := nativeFixture(t, nativeFake{}, nil)
	s := newSession(t, b)
	ctx := context.Background()
	stmts, err := s.Prepare(ctx, `{"verb": "PutItem", "TableName": "items", "Item": {"id": {"S": "c"}}}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := func() error {
		p, err := stmts[0].Bind(ctx, nil, nil, nil)
		if err != nil {
			return err
		}
		defer p.Close()
		_, _, err = p.Execute(ctx, 0, &recorder{})
		return err
	}
	if err := run(); err != nil {
		t.Fatalf("first Execute: %v", err)
	}
	b.SetSecurity(&Security{Method: wire.AuthTrust, Rules: rules(t, map[string]string{"items": "R"})})
	if err := run(); pgerr.CodeOf(err) != pgerr.InsufficientPrivilege {
		t.Fatalf("Execute after the rules changed: %v, want 42501", err)
	}
	if n := len(rec.Calls()); n != 1 {
		t.Fatalf("%d calls, want only the first PutItem", n)
	}
}

func TestPartiQLLanguage(t *testing.T) {
	cases := []struct {
		name   string
		text   string
		types  []uint32
		params []string
		want   []ddbtypes.AttributeValue
		code   string
	}{
		{"untyped text parameter", `SELECT * FROM "items" WHERE id = ?`, nil, []string{"a"},
			[]ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberS{Value: "a"}}, ""},
		{"typed parameters", `SELECT * FROM "items" WHERE id = ? AND n = ?`, []uint32{25, 23}, []string{"a", "42"},
			[]ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberS{Value: "a"}, &ddbtypes.AttributeValueMemberN{Value: "42"}}, ""},
		{"null and bool", `SELECT * FROM "items" WHERE id = ? AND n = ?`, []uint32{25, 16}, []string{"NULL", "t"},
			[]ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberNULL{Value: true}, &ddbtypes.AttributeValueMemberBOOL{Value: true}}, ""},
		{"no parameters", `SELECT * FROM "items"`, nil, nil, nil, ""},
		{"dollar parameter", `SELECT * FROM "items" WHERE id = $1`, nil, []string{"a"}, nil, pgerr.UndefinedParameter},
		{"dollar in a literal is text", `SELECT * FROM "items" WHERE id = '$1' AND n = ?`, []uint32{1700}, []string{"1.50"},
			[]ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberN{Value: "1.5"}}, ""},
		{"hidden table", `SELECT * FROM "secrets"`, nil, nil, nil, pgerr.InsufficientPrivilege},
		{"unclassifiable", `EXPLAIN SELECT * FROM "items"`, nil, nil, nil, pgerr.SyntaxError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, rec := nativeFixture(t, nativeFake{}, map[string]string{"secrets": "none"})
			s := newSession(t, b)
			ctx := context.Background()
			if r := simple(ctx, s, "SET faz.language = 'partiql'"); r.err != nil {
				t.Fatal(r.err)
			}
			st, tag, out, err := extended(ctx, s, c.text, c.types, c.params...)
			if c.code != "" {
				if pgerr.CodeOf(err) != c.code || len(rec.Calls()) != 0 {
					t.Fatalf("err = %v (%d calls), want %s and no call", err, len(rec.Calls()), c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(st.ParamTypes()) != len(c.params) {
				t.Errorf("ParamTypes = %v for %d parameters", st.ParamTypes(), len(c.params))
			}
			if tag != "SELECT 1" || len(out.rows) != 1 {
				t.Errorf("tag %q, rows %q", tag, out.textRows())
			}
			in := rec.Calls()[0].Input.(*dynamodb.ExecuteStatementInput)
			if aws.ToString(in.Statement) != c.text {
				t.Errorf("statement sent as %q, want it unchanged", aws.ToString(in.Statement))
			}
			if !reflect.DeepEqual(in.Parameters, c.want) {
				t.Errorf("Parameters = %#v, want %#v", in.Parameters, c.want)
			}
		})
	}
}

func TestLanguageSwitching(t *testing.T) {
	b, rec := nativeFixture(t, nativeFake{}, nil)
	s := newSession(t, b)
	ctx := context.Background()
	steps := []struct {
		text string
		tag  string
		code string
	}{
		{`{"verb": "GetItem", "Key": {"id": {"S": "a"}}}`, "SELECT 1", ""}, // verb JSON in SQL mode
		{"SET faz.language = 'dynamo'", "SET", ""},
		{"SHOW faz.language", "SHOW", ""},
		{"-- ping", "", ""},                 // the empty query stays empty
		{"SELECT 1", "", pgerr.SyntaxError}, // not verb JSON
		{`{"verb": "GetItem", "Key": {"id": {"S": "a"}}}`, "SELECT 1", ""},
		{"SET faz.language = 'partiql'", "SET", ""},
		{`SELECT * FROM "items"`, "SELECT 1", ""}, // PartiQL: goes to ExecuteStatement
		{"RESET faz.language", "RESET", ""},
		{"SELECT 1", "SELECT 1", ""},
		{"BEGIN", "BEGIN", ""},
		{`{"verb": "PutItem", "Item": {"id": {"S": "z"}}}`, "", pgerr.ActiveSQLTransaction},
		{"ROLLBACK", "ROLLBACK", ""},
	}
	for _, st := range steps {
		r := simple(ctx, s, st.text)
		if pgerr.CodeOf(r.err) != st.code && !(st.code == "" && r.err == nil) {
			t.Fatalf("%s: err = %v, want %q", st.text, r.err, st.code)
		}
		if st.code == "" && st.tag == "" && len(r.tags) != 0 {
			t.Fatalf("%s: tags = %v, want the empty query", st.text, r.tags)
		}
		if st.code == "" && st.tag != "" && (len(r.tags) != 1 || r.tags[0] != st.tag) {
			t.Fatalf("%s: tags = %v, want %s", st.text, r.tags, st.tag)
		}
	}
	want := []string{"GetItem", "GetItem", "ExecuteStatement"}
	var got []string
	for _, c := range rec.Calls() {
		got = append(got, c.Op)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("calls = %v, want %v", got, want)
	}
}

func TestDollarParam(t *testing.T) {
	cases := []struct {
		text string
		want string
	}{
		{`SELECT * FROM t WHERE a = $1`, "1"},
		{`SELECT * FROM t WHERE a = '$1' AND b = "$2" AND c = ?`, ""},
		{`SELECT * FROM t -- $1` + "\n" + `WHERE a = $12`, "12"},
		{`SELECT * FROM t /* $3 */ WHERE a = 'it''s $4'`, ""},
		{"SELECT * FROM t WHERE a = `$5`", ""},
	}
	for _, c := range cases {
		got, _ := dollarParam(c.text)
		if got != c.want {
			t.Errorf("dollarParam(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestResultNotices(t *testing.T) {
	ns := resultNotices(&native.Result{Unprocessed: `{"items":[]}`}, false)
	if len(ns) != 1 || ns[0].Severity != "WARNING" || !strings.Contains(ns[0].Message, `{"RequestItems": {"items":[]}}`) {
		t.Fatalf("notices = %+v", ns)
	}
}

func TestAppendOnlyKeys(t *testing.T) {
	r, err := policy.Compile([]policy.Entry{{Database: "shop", Access: "RW", Users: []string{"alice"},
		Tables: map[string]string{"log": "RA", "ro": "R"}}})
	if err != nil {
		t.Fatal(err)
	}
	keys := appendOnlyKeys(r, "alice", "shop", func(string) []string { return []string{"pk"} })
	for table, want := range map[string]bool{"log": true, "ro": false, "items": false} {
		if got := keys(table) != nil; got != want {
			t.Errorf("%s: guarded = %v, want %v", table, got, want)
		}
	}
}
