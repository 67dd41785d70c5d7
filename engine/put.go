package engine

import (
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// ConflictAction is an INSERT's ON CONFLICT clause.
type ConflictAction int

const (
	// ConflictError: no ON CONFLICT; a duplicate key is 23505.
	ConflictError ConflictAction = iota
	// ConflictNothing: ON CONFLICT DO NOTHING; a duplicate is skipped.
	ConflictNothing
	// ConflictUpdate: ON CONFLICT (key) DO UPDATE SET ...
	ConflictUpdate
)

var _ Writer = (*Put)(nil)

// Put is INSERT. Every put is conditioned on the key not existing, so an
// INSERT never overwrites (what spec/rbac.md's "insert" class promises):
//   - one row (or a last chunk of one) → PutItem with attribute_not_exists(#pk);
//   - several rows → one TransactWriteItems per 100 rows, each Put with the
//     same condition. Each chunk is atomic, the statement as a whole is not:
//     when chunk 3 finds a duplicate, chunks 1 and 2 stay written;
//   - ON CONFLICT DO NOTHING → one conditional PutItem per row, a failed
//     condition skipping the row (not counted);
//   - ON CONFLICT DO UPDATE whose SET only copies EXCLUDED values into the
//     same columns (Upsert) → one UpdateItem per row: SET for the columns
//     of the SET list, if_not_exists for the other inserted columns (kept
//     on conflict, set on insert);
//   - any other DO UPDATE → a conditional PutItem, and on conflict an
//     UpdateItem with Sets (EXCLUDED is the Depth-1 row) conditioned on the
//     item existing and on the ON CONFLICT ... WHERE (SetCond).
type Put struct {
	Table  string
	PK     catalog.KeyAttr
	SK     *catalog.KeyAttr
	Target []catalog.Column // the inserted columns, in Input's column order
	Input  Node

	OnConflict ConflictAction
	Upsert     bool
	Sets       []SetItem
	SetCond    Cond

	Out       []catalog.Column // the table's columns: RETURNING's row
	Returning []expr.Expr
	RetCols   []sqltypes.Column
}

func (n *Put) Columns() []sqltypes.Column { return n.RetCols }
func (n *Put) Tag() string                { return "INSERT" }

func (n *Put) Describe() *Description {
	d := &Description{Op: "Insert", Children: []*Description{n.Input.Describe()}}
	d.add("Table", n.Table)
	names := make([]string, len(n.Target))
	for i, c := range n.Target {
		names[i] = c.Name
	}
	d.add("Columns", attrList(names))
	switch n.OnConflict {
	case ConflictError:
		d.add("Calls", "PutItem (one row) or TransactWriteItems per 100 rows")
		d.add("Condition", "attribute_not_exists("+quoteName(n.PK.Name)+")")
	case ConflictNothing:
		d.add("Calls", "PutItem per row")
		d.add("Condition", "attribute_not_exists("+quoteName(n.PK.Name)+")")
		d.add("On Conflict", "do nothing")
	case ConflictUpdate:
		if n.Upsert {
			d.add("Calls", "UpdateItem per row (upsert)")
		} else {
			d.add("Calls", "PutItem per row, UpdateItem on conflict")
			d.add("Condition", "attribute_not_exists("+quoteName(n.PK.Name)+")")
		}
		d.add("On Conflict", "do update set "+setList(n.Sets))
		if n.SetCond != nil {
			d.add("Conflict Filter", n.SetCond.String())
		}
	}
	if len(n.Returning) > 0 {
		d.add("Returning", exprList(n.Returning))
	}
	return d
}

func (n *Put) Open(ctx context.Context, env *Env) (Iter, error) { return n.OpenWrite(ctx, env, nil) }

func (n *Put) shape() itemShape { return itemShape{table: n.Table, pk: n.PK, sk: n.SK} }

// OpenWrite runs the whole INSERT; RETURNING rows are kept until read.
func (n *Put) OpenWrite(ctx context.Context, env *Env, tx *TxnBuffer) (WriteIter, error) {
	if tx != nil && n.OnConflict != ConflictError && !n.Upsert {
		return nil, pgerr.Unsupported("INSERT ... ON CONFLICT inside a transaction block",
			"a conflict would cancel the whole DynamoDB transaction: run the statement outside BEGIN ... COMMIT")
	}
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out := &writeIter{}
	for {
		chunk, eof, err := n.readChunk(ctx, in)
		if err != nil {
			return nil, err
		}
		if len(chunk) > 0 {
			if err := n.writeChunk(ctx, env, tx, chunk, out); err != nil {
				return nil, err
			}
		}
		if eof {
			return out, nil
		}
	}
}

// readChunk reads up to MaxTxnItems rows and builds their items.
func (n *Put) readChunk(ctx context.Context, in Iter) ([]map[string]types.AttributeValue, bool, error) {
	var chunk []map[string]types.AttributeValue
	for len(chunk) < MaxTxnItems {
		row, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return chunk, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		item, err := n.shape().buildItem(n.Target, row)
		if err != nil {
			return nil, false, err
		}
		chunk = append(chunk, item)
	}
	return chunk, false, nil
}

func (n *Put) writeChunk(ctx context.Context, env *Env, tx *TxnBuffer, chunk []map[string]types.AttributeValue, out *writeIter) error {
	switch {
	case n.OnConflict == ConflictNothing:
		for _, item := range chunk {
			if err := n.putOne(ctx, env, item, true, out); err != nil {
				return err
			}
		}
		return nil
	case n.OnConflict == ConflictUpdate:
		for _, item := range chunk {
			if err := n.upsertOne(ctx, env, tx, item, out); err != nil {
				return err
			}
		}
		return nil
	case tx != nil:
		if err := n.uniqueKeys(chunk); err != nil {
			return err
		}
		for _, item := range chunk {
			b := newExprBuilder(env.evalCtx())
			cond := putCond(b, n.PK.Name)
			put := &types.Put{TableName: aws.String(n.Table), Item: item, ConditionExpression: aws.String(cond),
				ExpressionAttributeNames: b.nameMap()}
			if err := tx.add(types.TransactWriteItem{Put: put}, "INSERT", n.Table, n.shape().key(item)); err != nil {
				return err
			}
			if err := n.written(env, item, out); err != nil {
				return err
			}
		}
		return nil
	case len(chunk) == 1:
		// One item (or a last chunk of one) is atomic on its own: a
		// conditional PutItem costs half a transactional write.
		return n.putOne(ctx, env, chunk[0], false, out)
	}
	return n.putChunk(ctx, env, chunk, out)
}

// written counts a row and evaluates its RETURNING.
func (n *Put) written(env *Env, item map[string]types.AttributeValue, out *writeIter) error {
	out.affected++
	if len(n.Returning) == 0 {
		return nil
	}
	row, err := returningRow(env, item, n.Out, n.Returning)
	if err != nil {
		return err
	}
	out.rows = append(out.rows, row)
	return nil
}

// putOne is one conditional PutItem; skipDup makes a duplicate skip the
// row (ON CONFLICT DO NOTHING) rather than fail.
func (n *Put) putOne(ctx context.Context, env *Env, item map[string]types.AttributeValue, skipDup bool, out *writeIter) error {
	dup, err := n.conditionalPut(ctx, env, item)
	if err != nil {
		return err
	}
	if dup {
		if skipDup {
			return nil
		}
		return n.shape().duplicateKey(nil, n.shape().key(item))
	}
	return n.written(env, item, out)
}

// conditionalPut puts item unless its key exists (dup reports that).
func (n *Put) conditionalPut(ctx context.Context, env *Env, item map[string]types.AttributeValue) (dup bool, err error) {
	b := newExprBuilder(env.evalCtx())
	in := &dynamodb.PutItemInput{TableName: aws.String(n.Table), Item: item,
		ConditionExpression: aws.String(putCond(b, n.PK.Name)), ExpressionAttributeNames: b.nameMap(),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
	res, err := env.DB.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		env.Stats.request("PutItem", 0, 0)
		return true, nil
	}
	if err != nil {
		return false, dynamo.MapError(err, "PutItem", n.Table)
	}
	if res == nil {
		res = &dynamodb.PutItemOutput{}
	}
	env.Stats.request("PutItem", 0, 0, res.ConsumedCapacity)
	return false, nil
}

// putChunk writes up to 100 items atomically.
func (n *Put) putChunk(ctx context.Context, env *Env, chunk []map[string]types.AttributeValue, out *writeIter) error {
	if err := n.uniqueKeys(chunk); err != nil {
		return err
	}
	items := make([]types.TransactWriteItem, len(chunk))
	for i, item := range chunk {
		b := newExprBuilder(env.evalCtx())
		cond := putCond(b, n.PK.Name)
		items[i] = types.TransactWriteItem{Put: &types.Put{TableName: aws.String(n.Table), Item: item,
			ConditionExpression: aws.String(cond), ExpressionAttributeNames: b.nameMap()}}
	}
	res, err := env.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items,
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		return n.chunkError(err, chunk)
	}
	if res == nil {
		res = &dynamodb.TransactWriteItemsOutput{}
	}
	var cc []*types.ConsumedCapacity
	for i := range res.ConsumedCapacity {
		cc = append(cc, &res.ConsumedCapacity[i])
	}
	env.Stats.request("TransactWriteItems", 0, 0, cc...)
	for _, item := range chunk {
		if err := n.written(env, item, out); err != nil {
			return err
		}
	}
	return nil
}

// uniqueKeys refuses a chunk naming one key twice: DynamoDB refuses two
// actions on one item in a transaction, and PostgreSQL reports the second
// row as a duplicate.
func (n *Put) uniqueKeys(chunk []map[string]types.AttributeValue) error {
	seen := map[string]bool{}
	for _, item := range chunk {
		key := n.shape().key(item)
		id := itemKeyID(key)
		if seen[id] {
			return n.shape().duplicateKey(nil, key)
		}
		seen[id] = true
	}
	return nil
}

// chunkError maps a cancelled chunk: a failed condition names the
// duplicate key; other reasons are a conflict to retry (40001).
func (n *Put) chunkError(err error, chunk []map[string]types.AttributeValue) error {
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for i, r := range tc.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" && i < len(chunk) {
				return n.shape().duplicateKey(err, n.shape().key(chunk[i]))
			}
		}
	}
	return dynamo.MapError(err, "TransactWriteItems", n.Table)
}

// upsertOne runs ON CONFLICT DO UPDATE for one row.
func (n *Put) upsertOne(ctx context.Context, env *Env, tx *TxnBuffer, item map[string]types.AttributeValue, out *writeIter) error {
	if n.Upsert {
		return n.upsertItem(ctx, env, tx, item, out)
	}
	dup, err := n.conditionalPut(ctx, env, item)
	if err != nil || !dup {
		if err == nil {
			err = n.written(env, item, out)
		}
		return err
	}
	excluded, err := itemRow(item, n.Out)
	if err != nil {
		return err
	}
	m := &Modify{Table: n.Table, PK: n.PK, SK: n.SK, Cond: n.SetCond, Sets: n.Sets, Out: n.Out, Returning: n.Returning}
	return m.writeKey(ctx, env.withOuter(excluded), nil, n.shape().key(item), nil, out)
}

// upsertItem is the one-UpdateItem upsert: the SET-list columns take the
// new values either way; the other inserted columns only when the item is
// new (if_not_exists).
func (n *Put) upsertItem(ctx context.Context, env *Env, tx *TxnBuffer, item map[string]types.AttributeValue, out *writeIter) error {
	b := newExprBuilder(env.evalCtx())
	inSet := map[string]bool{}
	for _, s := range n.Sets {
		inSet[s.Attr] = true
	}
	key := n.shape().key(item)
	var u updateParts
	for _, c := range n.Target {
		if c.Source == catalog.SourceItem || key[c.Name] != nil {
			continue
		}
		av := item[c.Name]
		name := b.name(c.Name)
		switch {
		case inSet[c.Name] && av == nil:
			u.remove = append(u.remove, name)
		case inSet[c.Name]:
			u.set = append(u.set, name+" = "+b.add(av))
		case av != nil:
			u.set = append(u.set, name+" = if_not_exists("+name+", "+b.add(av)+")")
		}
	}
	ue := u.String()
	if tx != nil {
		up := &types.Update{TableName: aws.String(n.Table), Key: key, UpdateExpression: optString(ue),
			ExpressionAttributeNames: b.nameMap(), ExpressionAttributeValues: b.valueMap()}
		if err := tx.add(types.TransactWriteItem{Update: up}, "INSERT", n.Table, key); err != nil {
			return err
		}
		return n.written(env, item, out)
	}
	in := &dynamodb.UpdateItemInput{TableName: aws.String(n.Table), Key: key, UpdateExpression: optString(ue),
		ExpressionAttributeNames: b.nameMap(), ExpressionAttributeValues: b.valueMap(),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
	if len(n.Returning) > 0 {
		in.ReturnValues = types.ReturnValueAllNew
	}
	res, err := env.DB.UpdateItem(ctx, in)
	if err != nil {
		return dynamo.MapError(err, "UpdateItem", n.Table)
	}
	if res == nil {
		res = &dynamodb.UpdateItemOutput{}
	}
	env.Stats.request("UpdateItem", 0, 0, res.ConsumedCapacity)
	newItem := res.Attributes
	if newItem == nil {
		newItem = item // a recorder or fake answered nothing: what was sent
	}
	return n.written(env, newItem, out)
}
