package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// MaxTxnItems is DynamoDB's limit of actions in one TransactWriteItems.
const MaxTxnItems = 100

// Writer is a plan node that changes DynamoDB: INSERT, UPDATE, DELETE and
// DDL. Open runs it in autocommit mode; OpenWrite with a TxnBuffer queues
// its item writes there instead, to be applied at COMMIT (reads it needs to
// find rows still happen at once, and see committed data only).
type Writer interface {
	Node
	// Tag is the command tag's verb: INSERT, UPDATE, DELETE, CREATE TABLE ...
	Tag() string
	// OpenWrite runs the write (tx nil: at once). The iterator yields the
	// RETURNING rows; Affected is final once it returned io.EOF.
	OpenWrite(ctx context.Context, env *Env, tx *TxnBuffer) (WriteIter, error)
}

// WriteIter is the iterator of a Writer.
type WriteIter interface {
	Iter
	// Affected counts the rows really written (queued, inside a block).
	Affected() int64
}

// CommandTag renders the completion tag of a write that affected n rows:
// INSERT 0 n, UPDATE n, DELETE n, or the bare tag of DDL.
func CommandTag(tag string, n int64) string {
	switch tag {
	case "INSERT":
		return fmt.Sprintf("INSERT 0 %d", n)
	case "UPDATE", "DELETE":
		return fmt.Sprintf("%s %d", tag, n)
	}
	return tag
}

// TxnBuffer holds the item writes of a transaction block until COMMIT, which
// applies them all at once with one TransactWriteItems: DynamoDB's limit is
// 100 actions, and two actions may not touch the same item. A statement that
// would exceed either fails (54000 / 0A000) and, as any error in a block,
// aborts it.
type TxnBuffer struct {
	items []types.TransactWriteItem
	by    []txnOrigin         // per item: the statement that queued it
	ids   []string            // per item: table + key
	keys  map[string]struct{} // table + key of every queued item
	stmt  int                 // statements begun so far
	text  string              // the current statement's text, for errors
	marks []txnMark           // savepoints, oldest first
}

// txnMark is a savepoint: how many writes were queued when it was set.
type txnMark struct {
	name string
	n    int
}

// Savepoint records a savepoint (SAVEPOINT name).
func (b *TxnBuffer) Savepoint(name string) {
	b.marks = append(b.marks, txnMark{name: name, n: len(b.items)})
}

// RollbackTo drops the writes queued since the latest savepoint name and
// the savepoints set after it (ROLLBACK TO SAVEPOINT name); false when
// there is no such savepoint.
func (b *TxnBuffer) RollbackTo(name string) bool {
	for i := len(b.marks) - 1; i >= 0; i-- {
		if b.marks[i].name != name {
			continue
		}
		n := b.marks[i].n
		for _, id := range b.ids[n:] {
			delete(b.keys, id)
		}
		b.items, b.by, b.ids = b.items[:n], b.by[:n], b.ids[:n]
		b.marks = b.marks[:i+1]
		return true
	}
	return false
}

// Release forgets the latest savepoint name and those after it, keeping
// their writes (RELEASE SAVEPOINT name).
func (b *TxnBuffer) Release(name string) bool {
	for i := len(b.marks) - 1; i >= 0; i-- {
		if b.marks[i].name == name {
			b.marks = b.marks[:i]
			return true
		}
	}
	return false
}

type txnOrigin struct {
	stmt  int
	text  string
	kind  string // INSERT, UPDATE, DELETE
	table string
}

// NewTxnBuffer starts an empty block.
func NewTxnBuffer() *TxnBuffer { return &TxnBuffer{keys: map[string]struct{}{}} }

// BeginStatement marks the start of the block's next statement (for the
// error that names which statement's write failed at COMMIT).
func (b *TxnBuffer) BeginStatement(text string) {
	b.stmt++
	b.text = text
}

// Len is the number of queued writes.
func (b *TxnBuffer) Len() int { return len(b.items) }

// Items returns the queued writes in order.
func (b *TxnBuffer) Items() []types.TransactWriteItem { return b.items }

// add queues one write of an item whose key is key.
func (b *TxnBuffer) add(it types.TransactWriteItem, kind, table string, key map[string]types.AttributeValue) error {
	if len(b.items) >= MaxTxnItems {
		return pgerr.New(pgerr.ProgramLimitExceeded,
			"transaction block would write more than %d items", MaxTxnItems).
			WithDetail("DynamoDB applies at most %d writes in one TransactWriteItems.", MaxTxnItems).
			WithHint("COMMIT in smaller blocks, or run the statement outside a transaction block.")
	}
	id := table + "\x00" + itemKeyID(key)
	if _, dup := b.keys[id]; dup {
		return pgerr.Unsupported("writing the same item twice in one transaction block",
			"DynamoDB transactions touch each item at most once: combine the changes into one statement")
	}
	b.keys[id] = struct{}{}
	b.items = append(b.items, it)
	b.by = append(b.by, txnOrigin{stmt: b.stmt, text: b.text, kind: kind, table: table})
	b.ids = append(b.ids, id)
	return nil
}

// NewClientToken is a random ClientRequestToken: one per COMMIT, so an SDK
// retry of the same TransactWriteItems is applied at most once.
func NewClientToken() (string, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", pgerr.Wrap(err, pgerr.InternalError, "cannot make a transaction token")
	}
	return hex.EncodeToString(raw[:]), nil
}

// Commit applies the queued writes atomically. Nothing queued: no call. A
// cancelled transaction is reported for the first statement whose write
// failed: a failed condition of an INSERT is a duplicate key (23505), any
// other reason a serialization failure (40001) to retry.
func (b *TxnBuffer) Commit(ctx context.Context, db dynamo.API, token string) error {
	if len(b.items) == 0 {
		return nil
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: b.items,
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	_, err := db.TransactWriteItems(ctx, in)
	if err == nil {
		return nil
	}
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		if e := b.canceled(err, tc.CancellationReasons); e != nil {
			return e
		}
	}
	return dynamo.MapError(err, "TransactWriteItems", "")
}

// canceled maps the first failing reason to its statement.
func (b *TxnBuffer) canceled(err error, reasons []types.CancellationReason) error {
	for i, r := range reasons {
		code := aws.ToString(r.Code)
		if code == "" || code == "None" || i >= len(b.by) {
			continue
		}
		o := b.by[i]
		if code == "ConditionalCheckFailed" && o.kind == "INSERT" {
			return pgerr.Wrap(err, pgerr.UniqueViolation, "duplicate key value violates unique constraint \"%s_pkey\"", o.table).
				WithDetail("COMMIT failed: statement %d of the transaction block (%s) inserts a key that already exists.", o.stmt, o.text).
				WithHint("The whole transaction block was rolled back.")
		}
		return pgerr.Wrap(err, pgerr.SerializationFailure, "could not commit the transaction block: %s of statement %d failed (%s)",
			o.kind, o.stmt, code).
			WithDetail("statement %d: %s", o.stmt, o.text).
			WithHint("A condition no longer held or a concurrent write conflicted; the whole block was rolled back. Retry it.")
	}
	return nil
}

// writeIter yields RETURNING rows collected while writing.
type writeIter struct {
	rows     []sqltypes.Row
	pos      int
	affected int64
}

func (it *writeIter) Next(context.Context) (sqltypes.Row, error) {
	if it.pos >= len(it.rows) {
		return nil, io.EOF
	}
	it.pos++
	return it.rows[it.pos-1], nil
}

func (it *writeIter) Close()          {}
func (it *writeIter) Affected() int64 { return it.affected }

var _ Node = (*Refused)(nil)

// Refused is the plan of a statement fazproxy classifies but does not run
// (a data-modifying WITH): policy checks its needs first, then Open fails
// with Err.
type Refused struct {
	Err error
	Out []sqltypes.Column
}

func (n *Refused) Columns() []sqltypes.Column { return n.Out }

func (n *Refused) Describe() *Description {
	d := &Description{Op: "Refused"}
	return d.add("Reason", n.Err.Error())
}

func (n *Refused) Open(context.Context, *Env) (Iter, error) { return nil, n.Err }
