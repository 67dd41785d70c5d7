package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/wire"
)

// writeDynamo is fakeDynamo that accepts writes; TransactWriteItems fails
// its first action's condition when cancel is set.
type writeDynamo struct {
	*fakeDynamo
	cancel bool
}

func (w *writeDynamo) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

func (w *writeDynamo) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{}, nil
}

func (w *writeDynamo) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return &dynamodb.DeleteItemOutput{}, nil
}

func (w *writeDynamo) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if w.cancel {
		rs := make([]types.CancellationReason, len(in.TransactItems))
		for i := range rs {
			rs[i].Code = aws.String("None")
		}
		rs[0].Code = aws.String("ConditionalCheckFailed")
		return nil, &types.TransactionCanceledException{Message: aws.String("canceled"), CancellationReasons: rs}
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

// writeFixture is a session over writeDynamo with alice's access to items.
func writeFixture(t *testing.T, access string) (*Session, *dynamo.Recorder, *writeDynamo) {
	t.Helper()
	fake := &writeDynamo{fakeDynamo: &fakeDynamo{items: []map[string]types.AttributeValue{item("a", "1")}}}
	rec := dynamo.NewRecorder(fake)
	b := NewBackend([]*Database{{Name: "shop", API: rec, Catalog: testCatalog(), AllowFullScan: true}},
		&Security{Method: wire.AuthTrust, Rules: rules(t, map[string]string{"items": access})},
		guc.Defaults{ServerVersion: "15.8"}, nil)
	ws, err := b.NewSession(context.Background(), wire.StartupInfo{User: "alice", Database: "shop", ProcessID: 7})
	if err != nil {
		t.Fatal(err)
	}
	return ws.(*Session), rec, fake
}

func ops(rec *dynamo.Recorder) string {
	var out []string
	for _, c := range rec.Calls() {
		out = append(out, c.Op)
	}
	return strings.Join(out, ",")
}

func TestTransactionBlockCommitsOnce(t *testing.T) {
	s, rec, _ := writeFixture(t, "RW")
	ctx := context.Background()
	r := simple(ctx, s, "BEGIN; INSERT INTO items (id, n) VALUES ('x', 1); INSERT INTO items (id) VALUES ('y'); UPDATE items SET n = n + 1 WHERE id = 'a'")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := strings.Join(r.tags, "|"); got != "BEGIN|INSERT 0 1|INSERT 0 1|UPDATE 1" {
		t.Errorf("tags %s", got)
	}
	if n := len(rec.Calls()); n != 0 || s.TxStatus() != 'T' {
		t.Fatalf("writes inside a block wait for COMMIT: %d calls, status %c", n, s.TxStatus())
	}
	if r := simple(ctx, s, "COMMIT"); r.err != nil || r.tags[0] != "COMMIT" {
		t.Fatalf("COMMIT: %v", r.err)
	}
	calls := rec.Calls()
	if len(calls) != 1 || calls[0].Op != "TransactWriteItems" {
		t.Fatalf("want one TransactWriteItems, got %s", ops(rec))
	}
	in := calls[0].Input.(*dynamodb.TransactWriteItemsInput)
	if len(in.TransactItems) != 3 || len(aws.ToString(in.ClientRequestToken)) < 16 {
		t.Fatalf("items %d, token %q", len(in.TransactItems), aws.ToString(in.ClientRequestToken))
	}
	// A second block gets a fresh token: a retry is idempotent, a new COMMIT is not a retry.
	first := aws.ToString(in.ClientRequestToken)
	simple(ctx, s, "BEGIN; DELETE FROM items WHERE id = 'x'; COMMIT")
	if c := rec.Calls(); len(c) != 2 || aws.ToString(c[1].Input.(*dynamodb.TransactWriteItemsInput).ClientRequestToken) == first {
		t.Fatalf("second COMMIT: %s", ops(rec))
	}
}

func TestTransactionBlockRollbackAndLimits(t *testing.T) {
	s, rec, fake := writeFixture(t, "RW")
	ctx := context.Background()
	simple(ctx, s, "BEGIN; INSERT INTO items (id) VALUES ('x'); ROLLBACK")
	simple(ctx, s, "COMMIT") // nothing to commit: a warning, no call
	if n := len(rec.Calls()); n != 0 {
		t.Fatalf("ROLLBACK must discard the writes: %s", ops(rec))
	}

	var vals []string
	for i := 0; i < 100; i++ {
		vals = append(vals, fmt.Sprintf("('k%d')", i))
	}
	r := simple(ctx, s, "BEGIN; INSERT INTO items (id) VALUES "+strings.Join(vals, ", ")+"; INSERT INTO items (id) VALUES ('k100')")
	if pgerr.CodeOf(r.err) != pgerr.ProgramLimitExceeded || len(r.tags) != 2 {
		t.Fatalf("101st write: %v after %v, want 54000 at the statement that exceeds", r.err, r.tags)
	}
	if s.TxStatus() != 'E' {
		t.Errorf("the block must be aborted, status %c", s.TxStatus())
	}
	if r := simple(ctx, s, "COMMIT"); r.err != nil || r.tags[0] != "ROLLBACK" || len(rec.Calls()) != 0 {
		t.Fatalf("COMMIT of a failed block rolls back: %v %v %s", r.err, r.tags, ops(rec))
	}

	fake.cancel = true
	r = simple(ctx, s, "BEGIN; INSERT INTO items (id) VALUES ('a'); COMMIT")
	if pgerr.CodeOf(r.err) != pgerr.UniqueViolation || s.TxStatus() != 'I' {
		t.Fatalf("duplicate at COMMIT: %v (status %c), want 23505 and the block over", r.err, s.TxStatus())
	}
	r = simple(ctx, s, "BEGIN; UPDATE items SET n = 2 WHERE id = 'zz'; COMMIT")
	if pgerr.CodeOf(r.err) != pgerr.SerializationFailure {
		t.Fatalf("failed update condition at COMMIT: %v, want 40001", r.err)
	}
}

func TestWritesAreClassified(t *testing.T) {
	cases := []struct {
		access, query string
		code          string
		calls         string
	}{
		{"RW", "INSERT INTO items (id, n) VALUES ('x', 1)", "", "PutItem"},
		{"R", "INSERT INTO items (id, n) VALUES ('x', 1)", pgerr.InsufficientPrivilege, ""},
		{"RA", "INSERT INTO items (id, n) VALUES ('x', 1)", "", "PutItem"},
		{"RA", "INSERT INTO items (id) VALUES ('x') ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n", pgerr.InsufficientPrivilege, ""},
		{"W", "UPDATE items SET n = 1 WHERE id = 'a'", "", "UpdateItem"},
		{"W", "UPDATE items SET n = 1 WHERE n = 3", pgerr.InsufficientPrivilege, ""},
		{"W", "UPDATE items SET n = 1 WHERE id = 'a' RETURNING n", pgerr.InsufficientPrivilege, ""},
		{"RWA", "DELETE FROM items WHERE id = 'a'", pgerr.InsufficientPrivilege, ""},
		{"RW", "DELETE FROM items WHERE id = 'a'", "", "DeleteItem"},
		{"RW", "DROP TABLE items", pgerr.InsufficientPrivilege, ""},
		{"R", "WITH d AS (DELETE FROM items WHERE id = 'a' RETURNING *) SELECT * FROM d", pgerr.InsufficientPrivilege, ""},
		{"RW", "WITH d AS (DELETE FROM items WHERE id = 'a' RETURNING *) SELECT * FROM d", pgerr.FeatureNotSupported, ""},
	}
	for _, c := range cases {
		s, rec, _ := writeFixture(t, c.access)
		r := simple(context.Background(), s, c.query)
		if pgerr.CodeOf(r.err) != c.code && (r.err != nil || c.code != "") {
			t.Errorf("%s under %s: %v, want %q", c.query, c.access, r.err, c.code)
		}
		if got := ops(rec); got != c.calls {
			t.Errorf("%s under %s: calls %q, want %q", c.query, c.access, got, c.calls)
		}
	}
}

func TestIsolationLevels(t *testing.T) {
	s, _, _ := writeFixture(t, "RW")
	ctx := context.Background()
	if r := simple(ctx, s, "BEGIN ISOLATION LEVEL READ COMMITTED; ROLLBACK"); r.err != nil {
		t.Errorf("READ COMMITTED: %v", r.err)
	}
	for _, lvl := range []string{"SERIALIZABLE", "REPEATABLE READ"} {
		r := simple(ctx, s, "BEGIN ISOLATION LEVEL "+lvl)
		if pgerr.CodeOf(r.err) != pgerr.FeatureNotSupported {
			t.Errorf("%s: %v, want 0A000", lvl, r.err)
		}
		simple(ctx, s, "ROLLBACK")
	}
}

func TestWriteReturningAndNotices(t *testing.T) {
	s, _, _ := writeFixture(t, "RW")
	ctx := context.Background()
	r := simple(ctx, s, "INSERT INTO items (id, n) VALUES ('x', 2), ('y', NULL) RETURNING id, n + 1")
	if r.err != nil || len(r.tags) != 1 || r.tags[0] != "INSERT 0 2" {
		t.Fatalf("%v %v", r.err, r.tags)
	}
	if got := fmt.Sprint(r.out.textRows()); got != "[[x 3] [y NULL]]" {
		t.Errorf("RETURNING rows %s", got)
	}
	stmts, err := s.Prepare(ctx, "UPDATE items SET n = 1 WHERE id = 'a'", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := stmts[0].Fields(); f != nil {
		t.Errorf("a write without RETURNING has no row description: %v", f)
	}
}
