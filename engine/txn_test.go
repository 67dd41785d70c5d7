package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// txnDB answers TransactWriteItems with err (nil: success) and records the
// inputs; DDL calls walk through the statuses in describe.
type txnDB struct {
	dynamo.API
	err      error
	inputs   []*dynamodb.TransactWriteItemsInput
	describe []*dynamodb.DescribeTableOutput // answered in order; past the end: not found
	calls    []string
}

func (d *txnDB) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	d.inputs = append(d.inputs, in)
	return &dynamodb.TransactWriteItemsOutput{}, d.err
}

func (d *txnDB) CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	d.calls = append(d.calls, "CreateTable")
	return &dynamodb.CreateTableOutput{}, nil
}

func (d *txnDB) DeleteTable(context.Context, *dynamodb.DeleteTableInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	d.calls = append(d.calls, "DeleteTable")
	if d.err != nil {
		return nil, d.err
	}
	return &dynamodb.DeleteTableOutput{}, nil
}

func (d *txnDB) UpdateTable(context.Context, *dynamodb.UpdateTableInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	d.calls = append(d.calls, "UpdateTable")
	return &dynamodb.UpdateTableOutput{}, nil
}

func (d *txnDB) DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	d.calls = append(d.calls, "DescribeTable")
	if len(d.describe) == 0 {
		return nil, &types.ResourceNotFoundException{Message: aws.String("not found")}
	}
	out := d.describe[0]
	d.describe = d.describe[1:]
	return out, nil
}

var txnTable = []catalog.Column{
	{Name: "id", Type: sqltypes.Text, Source: catalog.SourceKey},
	{Name: "n", Type: sqltypes.Numeric, Source: catalog.SourceSampled},
}

func insertNode(ids ...string) *Put {
	rows := make([][]expr.Expr, len(ids))
	for i, id := range ids {
		rows[i] = []expr.Expr{&expr.Const{Val: id, T: sqltypes.Text}, &expr.Const{Val: nil, T: sqltypes.Numeric}}
	}
	return &Put{Table: "t", PK: catalog.KeyAttr{Name: "id", Type: "S"}, Target: txnTable, Out: txnTable,
		Input: &ValuesScan{Rows: rows, Out: sqlColumns(txnTable)}}
}

func TestTxnBufferQueuesUntilCommit(t *testing.T) {
	db := &txnDB{}
	env := newEnv(db)
	tx := NewTxnBuffer()
	tx.BeginStatement("INSERT a")
	if _, err := insertNode("a").OpenWrite(context.Background(), env, tx); err != nil {
		t.Fatal(err)
	}
	tx.BeginStatement("DELETE b")
	del := &Modify{Delete: true, Table: "t", PK: catalog.KeyAttr{Name: "id", Type: "S"}, Out: txnTable,
		Key: []KeyPart{{Attr: "id", AttrType: "S", Value: &expr.Const{Val: "b", T: sqltypes.Text}}}}
	it, err := del.OpenWrite(context.Background(), env, tx)
	if err != nil || it.Affected() != 1 {
		t.Fatalf("delete queued: %v", err)
	}
	if len(db.inputs) != 0 {
		t.Fatal("a block must not write before COMMIT")
	}
	if err := tx.Commit(context.Background(), db, "tok"); err != nil {
		t.Fatal(err)
	}
	if len(db.inputs) != 1 || len(db.inputs[0].TransactItems) != 2 || aws.ToString(db.inputs[0].ClientRequestToken) != "tok" {
		t.Fatalf("want one TransactWriteItems of 2 with the token, got %+v", db.inputs)
	}
	got := dynamo.FormatCall(dynamo.Call{Op: "TransactWriteItems", Input: db.inputs[0]})
	want := `TransactWriteItems [Put table=t item={id: S "a"} cond=[attribute_not_exists(id)]] [Delete table=t key={id: S "b"} cond=[attribute_exists(id)]]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestTxnBufferLimits(t *testing.T) {
	env := newEnv(&txnDB{})
	tx := NewTxnBuffer()
	ids := make([]string, MaxTxnItems)
	for i := range ids {
		ids[i] = "k" + string(rune('A'+i/26)) + string(rune('a'+i%26))
	}
	if _, err := insertNode(ids...).OpenWrite(context.Background(), env, tx); err != nil {
		t.Fatal(err)
	}
	_, err := insertNode("one-more").OpenWrite(context.Background(), env, tx)
	if pgerr.CodeOf(err) != pgerr.ProgramLimitExceeded {
		t.Fatalf("101st write: %v, want 54000", err)
	}
	tx2 := NewTxnBuffer()
	if _, err := insertNode("x").OpenWrite(context.Background(), env, tx2); err != nil {
		t.Fatal(err)
	}
	if _, err := insertNode("x").OpenWrite(context.Background(), env, tx2); pgerr.CodeOf(err) != pgerr.FeatureNotSupported {
		t.Fatalf("same item twice: %v, want 0A000", err)
	}
}

func TestTxnSavepoints(t *testing.T) {
	env := newEnv(&txnDB{})
	tx := NewTxnBuffer()
	for _, step := range []struct {
		do   func() bool
		want int
	}{
		{func() bool { _, err := insertNode("a").OpenWrite(context.Background(), env, tx); return err == nil }, 1},
		{func() bool { tx.Savepoint("s1"); return true }, 1},
		{func() bool {
			_, err := insertNode("b", "c").OpenWrite(context.Background(), env, tx)
			return err == nil
		}, 3},
		{func() bool { return tx.RollbackTo("s1") }, 1},
		{func() bool { _, err := insertNode("b").OpenWrite(context.Background(), env, tx); return err == nil }, 2},
		{func() bool { return tx.Release("s1") }, 2},
		{func() bool { return !tx.RollbackTo("s1") }, 2},
	} {
		if !step.do() || tx.Len() != step.want {
			t.Fatalf("after a step: %d writes queued, want %d", tx.Len(), step.want)
		}
	}
}

func TestTxnCommitMapsReasons(t *testing.T) {
	canceled := func(codes ...string) error {
		rs := make([]types.CancellationReason, len(codes))
		for i, c := range codes {
			rs[i].Code = aws.String(c)
		}
		return &types.TransactionCanceledException{Message: aws.String("canceled"), CancellationReasons: rs}
	}
	cases := []struct {
		err       error
		code, msg string
	}{
		{canceled("None", "ConditionalCheckFailed"), pgerr.UniqueViolation, `"t_pkey"`},
		{canceled("ConditionalCheckFailed", "None"), pgerr.SerializationFailure, "UPDATE of statement 1"},
		{canceled("TransactionConflict", "None"), pgerr.SerializationFailure, "TransactionConflict"},
	}
	for _, c := range cases {
		db := &txnDB{err: c.err}
		env := newEnv(db)
		tx := NewTxnBuffer()
		tx.BeginStatement("UPDATE t SET n = 1 WHERE id = 'u'")
		upd := &Modify{Table: "t", PK: catalog.KeyAttr{Name: "id", Type: "S"}, Out: txnTable,
			Key:  []KeyPart{{Attr: "id", AttrType: "S", Value: &expr.Const{Val: "u", T: sqltypes.Text}}},
			Sets: []SetItem{{Attr: "n", Value: &expr.Const{Val: int64(1), T: sqltypes.Int8}, T: sqltypes.Int8}}}
		if _, err := upd.OpenWrite(context.Background(), env, tx); err != nil {
			t.Fatal(err)
		}
		tx.BeginStatement("INSERT INTO t VALUES ('v')")
		if _, err := insertNode("v").OpenWrite(context.Background(), env, tx); err != nil {
			t.Fatal(err)
		}
		err := tx.Commit(context.Background(), db, "tok")
		if pgerr.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: got %v, want %s mentioning %s", c.err, err, c.code, c.msg)
		}
	}
}

func TestDDLWaits(t *testing.T) {
	active := &dynamodb.DescribeTableOutput{Table: &types.TableDescription{TableStatus: types.TableStatusActive}}
	creating := &dynamodb.DescribeTableOutput{Table: &types.TableDescription{TableStatus: types.TableStatusCreating}}
	withIndex := func(s types.IndexStatus) *dynamodb.DescribeTableOutput {
		return &dynamodb.DescribeTableOutput{Table: &types.TableDescription{TableStatus: types.TableStatusActive,
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{IndexName: aws.String("ix"), IndexStatus: s}}}}
	}
	pk := &catalog.KeyAttr{Name: "id", Type: "S"}
	cases := []struct {
		n        *DDL
		describe []*dynamodb.DescribeTableOutput
		err      error
		calls    string
		notice   string
	}{
		{n: &DDL{Kind: "CREATE TABLE", Table: "t", PK: pk, Ignored: []string{"x"}}, describe: []*dynamodb.DescribeTableOutput{creating, active},
			calls: "CreateTable,DescribeTable,DescribeTable", notice: "schemaless"},
		{n: &DDL{Kind: "CREATE INDEX", Table: "t", Index: "ix", PK: pk},
			describe: []*dynamodb.DescribeTableOutput{active, withIndex(types.IndexStatusCreating), withIndex(types.IndexStatusActive)},
			calls:    "DescribeTable,UpdateTable,DescribeTable,DescribeTable"},
		{n: &DDL{Kind: "DROP TABLE", Table: "t"}, describe: []*dynamodb.DescribeTableOutput{active},
			calls: "DeleteTable,DescribeTable,DescribeTable"},
		{n: &DDL{Kind: "DROP TABLE", Table: "t", IfExists: true}, err: &types.ResourceNotFoundException{Message: aws.String("x")},
			calls: "DeleteTable", notice: "does not exist, skipping"},
	}
	for _, c := range cases {
		db := &txnDB{describe: c.describe, err: c.err}
		invalidated := ""
		c.n.Invalidate = func(name string) { invalidated = name }
		c.n.Poll = 1
		it, err := c.n.OpenWrite(context.Background(), newEnv(db), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.n.Kind, err)
		}
		if got := strings.Join(db.calls, ","); got != c.calls {
			t.Errorf("%s: calls %s, want %s", c.n.Kind, got, c.calls)
		}
		if invalidated != "t" {
			t.Errorf("%s: catalog not invalidated", c.n.Kind)
		}
		var notices []string
		for _, n := range it.(Noticer).Notices() {
			notices = append(notices, n.Message)
		}
		if c.notice != "" && !strings.Contains(strings.Join(notices, ";"), c.notice) {
			t.Errorf("%s: notices %v, want %q", c.n.Kind, notices, c.notice)
		}
	}
	// DDL in a block is refused; DROP of a missing table without IF EXISTS is 42P01.
	if _, err := (&DDL{Kind: "DROP TABLE", Table: "t"}).OpenWrite(context.Background(), newEnv(&txnDB{}), NewTxnBuffer()); pgerr.CodeOf(err) != pgerr.ActiveSQLTransaction {
		t.Errorf("DDL in a block: %v", err)
	}
	db := &txnDB{err: &types.ResourceNotFoundException{Message: aws.String("x")}}
	if _, err := (&DDL{Kind: "DROP TABLE", Table: "t"}).OpenWrite(context.Background(), newEnv(db), nil); pgerr.CodeOf(err) != pgerr.UndefinedTable {
		t.Errorf("DROP of a missing table: %v", err)
	}
	var nf *types.ResourceNotFoundException
	if !errors.As(db.err, &nf) {
		t.Fatal("fixture")
	}
}

func TestItemChecks(t *testing.T) {
	shape := itemShape{table: "t", pk: catalog.KeyAttr{Name: "id", Type: "S"}}
	cols := []catalog.Column{{Name: "id", Type: sqltypes.Text, Source: catalog.SourceKey},
		{Name: "big", Type: sqltypes.Text}, {Name: "tags", Type: sqltypes.TextArray}}
	cases := []struct {
		row  sqltypes.Row
		code string
	}{
		{sqltypes.Row{nil, "x", nil}, pgerr.NotNullViolation},
		{sqltypes.Row{"", "x", nil}, pgerr.InvalidParameterValue},
		{sqltypes.Row{"a", strings.Repeat("x", 410*1024), nil}, pgerr.ProgramLimitExceeded},
		{sqltypes.Row{"a", nil, sqltypes.Array{Elem: sqltypes.Text}}, ""},
	}
	for i, c := range cases {
		item, err := shape.buildItem(cols, c.row)
		if pgerr.CodeOf(err) != c.code && (err != nil || c.code != "") {
			t.Errorf("case %d: %v, want %s", i, err, c.code)
		}
		if err == nil && len(item) != 1 {
			t.Errorf("case %d: NULL and an empty set are not written: %v", i, item)
		}
	}
	kindMismatch := map[string]types.AttributeValue{"id": &types.AttributeValueMemberN{Value: "1"}}
	if err := shape.checkKey(kindMismatch); pgerr.CodeOf(err) != pgerr.InvalidTextRepresentation || !strings.Contains(err.Error(), `"id"`) {
		t.Errorf("key of the wrong kind: %v", err)
	}
}

// missingDB refuses an arithmetic update on a missing attribute, as
// DynamoDB does, and serves an item without n.
type missingDB struct {
	dynamo.API
	updates []string
}

func (d *missingDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	d.updates = append(d.updates, dynamo.FormatCall(dynamo.Call{Op: "UpdateItem", Input: in}))
	if strings.Contains(aws.ToString(in.UpdateExpression), "+") {
		return nil, &smithy.GenericAPIError{Code: "ValidationException",
			Message: "The provided expression refers to an attribute that does not exist in the item"}
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (d *missingDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "u"}}}, nil
}

// TestArithmeticOnMissingAttribute: SET n = n + 1 on an item without n is
// UPDATE 1 leaving n NULL (SQL), not DynamoDB's validation error.
func TestArithmeticOnMissingAttribute(t *testing.T) {
	db := &missingDB{}
	upd := &Modify{Table: "t", PK: catalog.KeyAttr{Name: "id", Type: "S"}, Out: txnTable,
		Key:  []KeyPart{{Attr: "id", AttrType: "S", Value: &expr.Const{Val: "u", T: sqltypes.Text}}},
		Sets: []SetItem{{Attr: "n", Kind: SetAdd, Value: &expr.Const{Val: int64(1), T: sqltypes.Int8}, T: sqltypes.Numeric}}}
	it, err := upd.OpenWrite(context.Background(), newEnv(db), nil)
	if err != nil {
		t.Fatal(err)
	}
	if it.Affected() != 1 || len(db.updates) != 2 {
		t.Fatalf("affected %d, updates %v", it.Affected(), db.updates)
	}
	want := `UpdateItem table=t key={id: S "u"} update=[REMOVE n] cond=[attribute_exists(id) AND (attribute_not_exists(n) OR attribute_type(n, S "NULL"))]`
	if db.updates[1] != want {
		t.Errorf("retry:\n%s\nwant:\n%s", db.updates[1], want)
	}
}
