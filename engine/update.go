package engine

import (
	"context"
	"errors"
	"io"
	"strings"

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

var _ Writer = (*Modify)(nil)

// Modify is UPDATE (Delete false) or DELETE. Every write is an UpdateItem
// or DeleteItem whose ConditionExpression holds attribute_exists(#pk), the
// WHERE terms DynamoDB evaluates (Cond) and, when some were evaluated here
// on an item read first, that the item still holds the values read
// (Checks): so a concurrent change can never make the write hit a row the
// WHERE excludes. A failed condition is zero rows, not an error.
//
// The rows come from one of:
//   - Key, the whole primary key fixed by the WHERE clause: no read, unless
//     ReadFirst (a WHERE term or SET DynamoDB cannot evaluate), then one
//     strongly consistent GetItem and Local evaluated on it;
//   - Input, the best read path (Query, Scan, BatchGetItem) with the local
//     terms already applied: every row is read before the first write, so
//     a write can never move an item into the part still to be read.
type Modify struct {
	Delete    bool
	Table     string
	PK        catalog.KeyAttr
	SK        *catalog.KeyAttr
	Key       []KeyPart
	ReadFirst bool
	Local     expr.Expr
	Input     Node
	Cond      Cond
	Checks    []string
	Sets      []SetItem
	Out       []catalog.Column
	Returning []expr.Expr
	RetCols   []sqltypes.Column
	// Subs are the subqueries of Local (shown by EXPLAIN).
	Subs []*Subquery
}

func (n *Modify) Columns() []sqltypes.Column { return n.RetCols }

func (n *Modify) Tag() string {
	if n.Delete {
		return "DELETE"
	}
	return "UPDATE"
}

func (n *Modify) op() string {
	if n.Delete {
		return "DeleteItem"
	}
	return "UpdateItem"
}

func (n *Modify) Describe() *Description {
	d := &Description{Op: map[bool]string{true: "Delete", false: "Update"}[n.Delete]}
	d.add("Table", n.Table)
	switch {
	case n.Key != nil && n.ReadFirst:
		d.add("Key", keyString(n.Key))
		d.add("Calls", "GetItem (consistent), then "+n.op())
	case n.Key != nil:
		d.add("Key", keyString(n.Key))
		d.add("Calls", n.op())
	default:
		d.add("Calls", n.op()+" per row read")
	}
	if !n.Delete {
		d.add("Set", setList(n.Sets))
	}
	d.add("Condition", n.condition(nil).String())
	if n.Local != nil {
		d.add("Local Filter", n.Local.String())
	}
	if len(n.Returning) > 0 {
		d.add("Returning", exprList(n.Returning))
	}
	if n.Input != nil {
		d.Children = []*Description{n.Input.Describe()}
	}
	for _, s := range n.Subs {
		d.Children = append(d.Children, s.Describe())
	}
	return d
}

// condition is the write's ConditionExpression: the item exists, the pushed
// WHERE terms hold, the attributes read are unchanged.
func (n *Modify) condition(checks []Cond) Cond {
	args := []Cond{&AttrExists{Attr: n.PK.Name}}
	if a, ok := n.Cond.(*And); ok {
		args = append(args, a.Args...)
	} else if n.Cond != nil {
		args = append(args, n.Cond)
	}
	if checks == nil && len(n.Checks) > 0 {
		for _, a := range n.Checks {
			checks = append(checks, &attrIs{Attr: a})
		}
	}
	args = append(args, checks...)
	if len(args) == 1 {
		return args[0]
	}
	return &And{Args: args}
}

func (n *Modify) Open(ctx context.Context, env *Env) (Iter, error) { return n.OpenWrite(ctx, env, nil) }

// OpenWrite runs the whole statement.
func (n *Modify) OpenWrite(ctx context.Context, env *Env, tx *TxnBuffer) (WriteIter, error) {
	if tx != nil && len(n.Returning) > 0 {
		return nil, pgerr.Unsupported(n.Tag()+" ... RETURNING inside a transaction block",
			"writes of a block are applied at COMMIT, when RETURNING can no longer answer")
	}
	out := &writeIter{}
	if n.Key != nil {
		return out, n.runKey(ctx, env, tx, out)
	}
	reads, err := n.readAll(ctx, env)
	if err != nil {
		return nil, err
	}
	for _, r := range reads {
		if err := n.writeKey(ctx, env, tx, r.key, r, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readItem is an item (or a row of it) read before writing it.
type readItem struct {
	key  map[string]types.AttributeValue
	row  sqltypes.Row
	item map[string]types.AttributeValue // the raw item, when read whole
}

// runKey writes the one item the WHERE clause names.
func (n *Modify) runKey(ctx context.Context, env *Env, tx *TxnBuffer, out *writeIter) error {
	key, ok, err := evalKey(env.evalCtx(), n.Key)
	if err != nil || !ok {
		return err // a NULL or empty key value matches no row
	}
	if !n.ReadFirst {
		return n.writeKey(ctx, env, tx, key, nil, out)
	}
	in := &dynamodb.GetItemInput{TableName: aws.String(n.Table), Key: key, ConsistentRead: aws.Bool(true),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
	res, err := env.DB.GetItem(ctx, in)
	if err != nil {
		return dynamo.MapError(err, "GetItem", n.Table)
	}
	if res == nil || res.Item == nil {
		env.Stats.request("GetItem", 0, 0)
		return nil
	}
	env.Stats.request("GetItem", 1, 1, res.ConsumedCapacity)
	row, err := itemRow(res.Item, n.Out)
	if err != nil {
		return err
	}
	if n.Local != nil {
		env.enter(ctx) // a subquery of Local runs under this ctx
		v, err := n.Local.Eval(env.evalCtx(), row)
		if err != nil || v != true {
			return err
		}
	}
	return n.writeKey(ctx, env, tx, key, &readItem{key: key, row: row, item: res.Item}, out)
}

// readAll reads every row Input finds, keeping keys and checked values.
func (n *Modify) readAll(ctx context.Context, env *Env) ([]*readItem, error) {
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	var reads []*readItem
	for {
		row, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return reads, nil
		}
		if err != nil {
			return nil, err
		}
		key, err := n.rowKey(row)
		if err != nil {
			return nil, err
		}
		reads = append(reads, &readItem{key: key, row: row})
	}
}

// rowKey rebuilds an item's key from a row of the table's columns.
func (n *Modify) rowKey(row sqltypes.Row) (map[string]types.AttributeValue, error) {
	key := map[string]types.AttributeValue{}
	attrs := []catalog.KeyAttr{n.PK}
	if n.SK != nil {
		attrs = append(attrs, *n.SK)
	}
	for _, k := range attrs {
		i := columnIndex(n.Out, k.Name)
		if i < 0 || row[i] == nil {
			return nil, pgerr.New(pgerr.InternalError, "row read from %q lacks key attribute %q", n.Table, k.Name)
		}
		av, err := writeAttr(row[i], n.Out[i].Type, k.Name)
		if err != nil {
			return nil, err
		}
		key[k.Name] = av
	}
	return key, nil
}

func columnIndex(cols []catalog.Column, name string) int {
	for i, c := range cols {
		if c.Name == name && c.Source != catalog.SourceItem {
			return i
		}
	}
	return -1
}

// checks are the optimistic conditions for an item read.
func (n *Modify) checks(r *readItem) ([]Cond, error) {
	if r == nil {
		return []Cond{}, nil
	}
	out := []Cond{}
	for _, a := range n.Checks {
		var av types.AttributeValue
		if r.item != nil {
			av = r.item[a]
			if _, null := av.(*types.AttributeValueMemberNULL); null {
				av = nil
			}
		} else if i := columnIndex(n.Out, a); i >= 0 {
			var err error
			if av, err = writeAttr(r.row[i], n.Out[i].Type, a); err != nil {
				return nil, err
			}
		}
		out = append(out, &attrIs{Attr: a, Value: av})
	}
	return out, nil
}

// writeKey writes one item (r: what was read of it, nil if nothing).
func (n *Modify) writeKey(ctx context.Context, env *Env, tx *TxnBuffer, key map[string]types.AttributeValue, r *readItem, out *writeIter) error {
	checks, err := n.checks(r)
	if err != nil {
		return err
	}
	attrs, ok, err := n.send(ctx, env, tx, key, r, checks, nil, out)
	var mo *missingOperand
	if errors.As(err, &mo) {
		// SET n = n + 1 on an item without n: NULL + 1 is NULL in SQL, but
		// DynamoDB refuses the expression. Read which operands are missing
		// and send again with those removed, conditioned on them still
		// being missing.
		attrs, ok, err = n.retryMissing(ctx, env, key, r, checks, out)
	}
	if err != nil || !ok || tx != nil {
		return err
	}
	out.affected++
	if len(n.Returning) == 0 {
		return nil
	}
	if attrs == nil && r != nil && r.item != nil && n.Delete {
		attrs = r.item
	}
	if attrs == nil {
		return nil // nothing came back (a fake or recorder DynamoDB)
	}
	res, err := returningRow(env, attrs, n.Out, n.Returning)
	if err != nil {
		return err
	}
	out.rows = append(out.rows, res)
	return nil
}

// send renders and sends (or queues) one write; ok is false when nothing
// was written (a NULL WHERE value, a failed condition).
func (n *Modify) send(ctx context.Context, env *Env, tx *TxnBuffer, key map[string]types.AttributeValue, r *readItem,
	checks []Cond, missing map[string]bool, out *writeIter) (map[string]types.AttributeValue, bool, error) {
	b := newExprBuilder(env.evalCtx())
	for _, s := range n.Sets {
		if missing[s.Attr] {
			checks = append(checks, &attrIs{Attr: s.Attr})
		}
	}
	cond, never, err := renderCond(b, n.condition(checks))
	if err != nil || never {
		return nil, false, err // a WHERE value is NULL: no row matches
	}
	var row sqltypes.Row
	if r != nil {
		row = r.row
	}
	var u updateParts
	if err := renderSets(b, n.Sets, row, missing, &u); err != nil {
		return nil, false, err
	}
	if tx != nil {
		return nil, true, n.queue(b, tx, key, cond, u.String(), out)
	}
	return n.call(ctx, env, b, key, cond, u.String())
}

// retryMissing reads the item (strongly consistent) and writes again with
// its missing arithmetic operands removed.
func (n *Modify) retryMissing(ctx context.Context, env *Env, key map[string]types.AttributeValue, r *readItem,
	checks []Cond, out *writeIter) (map[string]types.AttributeValue, bool, error) {
	res, err := env.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(n.Table), Key: key,
		ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		return nil, false, dynamo.MapError(err, "GetItem", n.Table)
	}
	if res == nil || res.Item == nil {
		env.Stats.request("GetItem", 0, 0)
		return nil, false, nil // gone meanwhile: zero rows
	}
	env.Stats.request("GetItem", 1, 1, res.ConsumedCapacity)
	missing := map[string]bool{}
	for _, s := range n.Sets {
		av, ok := res.Item[s.Attr]
		if _, null := av.(*types.AttributeValueMemberNULL); isArith(s.Kind) && (!ok || null) {
			missing[s.Attr] = true
		}
	}
	if len(missing) == 0 {
		return nil, false, pgerr.New(pgerr.DatatypeMismatch, "DynamoDB refused an arithmetic SET on table %q: an operand has another type", n.Table)
	}
	attrs, ok, err := n.send(ctx, env, nil, key, r, checks, missing, out)
	var mo *missingOperand
	if errors.As(err, &mo) {
		return nil, false, mo.err
	}
	return attrs, ok, err
}

// missingOperand is DynamoDB's refusal of an update expression that reads
// an attribute the item lacks.
type missingOperand struct{ err error }

func (m *missingOperand) Error() string { return m.err.Error() }
func (m *missingOperand) Unwrap() error { return m.err }

func isMissingOperand(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ValidationException" &&
		strings.Contains(api.ErrorMessage(), "attribute that does not exist")
}

// queue adds the write to a transaction block.
func (n *Modify) queue(b *exprBuilder, tx *TxnBuffer, key map[string]types.AttributeValue, cond, update string, out *writeIter) error {
	var it types.TransactWriteItem
	if n.Delete {
		it.Delete = &types.Delete{TableName: aws.String(n.Table), Key: key, ConditionExpression: optString(cond),
			ExpressionAttributeNames: b.nameMap(), ExpressionAttributeValues: b.valueMap()}
	} else {
		it.Update = &types.Update{TableName: aws.String(n.Table), Key: key, UpdateExpression: aws.String(update),
			ConditionExpression: optString(cond), ExpressionAttributeNames: b.nameMap(), ExpressionAttributeValues: b.valueMap()}
	}
	if err := tx.add(it, n.Tag(), n.Table, key); err != nil {
		return err
	}
	out.affected++
	return nil
}

// call sends the UpdateItem or DeleteItem; ok is false when the condition
// failed (zero rows).
func (n *Modify) call(ctx context.Context, env *Env, b *exprBuilder, key map[string]types.AttributeValue, cond, update string) (map[string]types.AttributeValue, bool, error) {
	var (
		attrs map[string]types.AttributeValue
		cc    *types.ConsumedCapacity
		err   error
	)
	if n.Delete {
		in := &dynamodb.DeleteItemInput{TableName: aws.String(n.Table), Key: key, ConditionExpression: optString(cond),
			ExpressionAttributeNames: b.nameMap(), ExpressionAttributeValues: b.valueMap(),
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
		if len(n.Returning) > 0 {
			in.ReturnValues = types.ReturnValueAllOld
		}
		var res *dynamodb.DeleteItemOutput
		if res, err = env.DB.DeleteItem(ctx, in); err == nil && res != nil {
			attrs, cc = res.Attributes, res.ConsumedCapacity
		}
	} else {
		if update == "" {
			// SET of nothing but NULLs to missing attributes cannot happen:
			// every SET item renders a SET or REMOVE clause.
			return nil, false, pgerr.New(pgerr.InternalError, "UPDATE with no assignments")
		}
		in := &dynamodb.UpdateItemInput{TableName: aws.String(n.Table), Key: key, UpdateExpression: aws.String(update),
			ConditionExpression: optString(cond), ExpressionAttributeNames: b.nameMap(),
			ExpressionAttributeValues: b.valueMap(), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
		if len(n.Returning) > 0 {
			in.ReturnValues = types.ReturnValueAllNew
		}
		var res *dynamodb.UpdateItemOutput
		if res, err = env.DB.UpdateItem(ctx, in); err == nil && res != nil {
			attrs, cc = res.Attributes, res.ConsumedCapacity
		}
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		env.Stats.request(n.op(), 0, 0)
		return nil, false, nil
	}
	if err != nil && !n.Delete && isMissingOperand(err) {
		return nil, false, &missingOperand{err: dynamo.MapError(err, n.op(), n.Table)}
	}
	if err != nil {
		return nil, false, dynamo.MapError(err, n.op(), n.Table)
	}
	env.Stats.request(n.op(), 0, 0, cc)
	return attrs, true, nil
}
