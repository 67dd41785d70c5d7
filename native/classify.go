package native

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/policy"
)

// Needs returns the operation classes the request needs on each table
// (spec/rbac.md), without duplicates, in a stable order. ListTables needs
// nothing: its results are filtered to the visible tables instead.
func (r *Request) Needs() []policy.Need {
	var n needs
	switch in := r.Input.(type) {
	case *dynamodb.QueryInput:
		n.add(in.TableName, policy.Read)
	case *dynamodb.ScanInput:
		n.add(in.TableName, policy.Read)
	case *dynamodb.GetItemInput:
		n.add(in.TableName, policy.Read)
	case *dynamodb.DescribeTableInput:
		n.add(in.TableName, policy.Read)
	case *dynamodb.BatchGetItemInput:
		for t := range in.RequestItems {
			n.add(&t, policy.Read)
		}
	case *dynamodb.TransactGetItemsInput:
		for _, it := range in.TransactItems {
			if it.Get != nil {
				n.add(it.Get.TableName, policy.Read)
			}
		}
	case *dynamodb.PutItemInput:
		r.putNeeds(&n, writeOf(in))
	case *dynamodb.UpdateItemInput:
		r.writeNeeds(&n, policy.Write, updateOf(in))
	case *dynamodb.DeleteItemInput:
		r.writeNeeds(&n, policy.Delete, deleteOf(in))
	case *dynamodb.BatchWriteItemInput:
		r.batchWriteNeeds(&n, in)
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			r.transactWriteNeeds(&n, it)
		}
	case *dynamodb.CreateTableInput:
		n.add(in.TableName, policy.Admin)
	case *dynamodb.DeleteTableInput:
		n.add(in.TableName, policy.Admin)
	case *dynamodb.UpdateTableInput:
		n.add(in.TableName, policy.Admin)
	}
	for _, st := range r.Statements {
		r.statementNeeds(&n, st)
	}
	return n.list
}

// needs collects (table, class) pairs once each, in first-seen order, then
// sorted by table and class so results compare in tests and logs.
type needs struct{ list []policy.Need }

func (n *needs) add(table *string, c policy.Class) {
	need := policy.Need{Table: aws.ToString(table), Class: c}
	if slices.Contains(n.list, need) {
		return
	}
	n.list = append(n.list, need)
	slices.SortStableFunc(n.list, func(a, b policy.Need) int {
		if a.Table != b.Table {
			if a.Table < b.Table {
				return -1
			}
			return 1
		}
		return int(a.Class) - int(b.Class)
	})
}

// write is what classification reads from any single-item write.
type write struct {
	table        *string
	cond         *string
	names        map[string]string
	expected     map[string]types.ExpectedAttributeValue
	condOp       types.ConditionalOperator
	returnValues string
	returnOnFail types.ReturnValuesOnConditionCheckFailure
}

func writeOf(in *dynamodb.PutItemInput) write {
	return write{in.TableName, in.ConditionExpression, in.ExpressionAttributeNames, in.Expected,
		in.ConditionalOperator, string(in.ReturnValues), in.ReturnValuesOnConditionCheckFailure}
}

func updateOf(in *dynamodb.UpdateItemInput) write {
	return write{in.TableName, in.ConditionExpression, in.ExpressionAttributeNames, in.Expected,
		in.ConditionalOperator, string(in.ReturnValues), in.ReturnValuesOnConditionCheckFailure}
}

func deleteOf(in *dynamodb.DeleteItemInput) write {
	return write{in.TableName, in.ConditionExpression, in.ExpressionAttributeNames, in.Expected,
		in.ConditionalOperator, string(in.ReturnValues), in.ReturnValuesOnConditionCheckFailure}
}

// putNeeds: insert when the put cannot overwrite, else write.
func (r *Request) putNeeds(n *needs, w write) {
	class := policy.Write
	if insertOnly(w, r.keyNames(aws.ToString(w.table))) {
		class = policy.Insert
	}
	r.writeNeeds(n, class, w)
}

// writeNeeds adds class, and read when the write returns item data or its
// condition looks at attributes beyond the key (whether it holds tells the
// caller something about them).
func (r *Request) writeNeeds(n *needs, class policy.Class, w write) {
	n.add(w.table, class)
	if r.writeReads(w) {
		n.add(w.table, policy.Read)
	}
}

func (r *Request) writeReads(w write) bool {
	if w.returnValues != "" && w.returnValues != string(types.ReturnValueNone) {
		return true
	}
	if w.returnOnFail == types.ReturnValuesOnConditionCheckFailureAllOld {
		return true
	}
	keys := r.keyNames(aws.ToString(w.table))
	for a := range w.expected {
		if !slices.Contains(keys, a) {
			return true
		}
	}
	if w.cond == nil {
		return false
	}
	c, err := analyzeCondition(*w.cond, w.names)
	if err != nil {
		return true // unreadable: assume the worst (ParseVerb refuses these anyway)
	}
	for _, a := range c.attrs {
		if !slices.Contains(keys, a) {
			return true
		}
	}
	return false
}

// insertOnly reports whether a put is conditioned on one of its key
// attributes not existing.
func insertOnly(w write, keys []string) bool {
	if len(keys) == 0 {
		return false
	}
	if w.cond != nil {
		c, err := analyzeCondition(*w.cond, w.names)
		return err == nil && slices.ContainsFunc(c.absent, func(a string) bool { return slices.Contains(keys, a) })
	}
	if w.condOp == types.ConditionalOperatorOr && len(w.expected) > 1 {
		return false
	}
	for _, k := range keys {
		if e, ok := w.expected[k]; ok && e.Exists != nil && !*e.Exists {
			return true
		}
	}
	return false
}

// keyNames are table's key attributes: from Options.KeyNames, else as
// given to EnforceAppendOnly; nil when unknown.
func (r *Request) keyNames(table string) []string {
	if table == "" {
		return nil
	}
	if r.opts.KeyNames != nil {
		if keys := r.opts.KeyNames(table); len(keys) > 0 {
			return keys
		}
	}
	return r.learnedKeys[table]
}

func (r *Request) learnKeys(table string, keys []string) {
	if r.learnedKeys == nil {
		r.learnedKeys = map[string][]string{}
	}
	r.learnedKeys[table] = keys
}

// batchWriteNeeds: a batch put has no condition, so it may overwrite.
func (r *Request) batchWriteNeeds(n *needs, in *dynamodb.BatchWriteItemInput) {
	for t, reqs := range in.RequestItems {
		for _, wr := range reqs {
			if wr.PutRequest != nil {
				n.add(&t, policy.Write)
			}
			if wr.DeleteRequest != nil {
				n.add(&t, policy.Delete)
			}
		}
	}
}

func (r *Request) transactWriteNeeds(n *needs, it types.TransactWriteItem) {
	if p := it.Put; p != nil {
		r.putNeeds(n, write{p.TableName, p.ConditionExpression, p.ExpressionAttributeNames, nil, "", "", p.ReturnValuesOnConditionCheckFailure})
	}
	if u := it.Update; u != nil {
		r.writeNeeds(n, policy.Write, write{u.TableName, u.ConditionExpression, u.ExpressionAttributeNames, nil, "", "", u.ReturnValuesOnConditionCheckFailure})
	}
	if d := it.Delete; d != nil {
		r.writeNeeds(n, policy.Delete, write{d.TableName, d.ConditionExpression, d.ExpressionAttributeNames, nil, "", "", d.ReturnValuesOnConditionCheckFailure})
	}
	if c := it.ConditionCheck; c != nil {
		n.add(c.TableName, policy.Read)
	}
}

// statementNeeds classifies one PartiQL statement.
func (r *Request) statementNeeds(n *needs, st *Statement) {
	table := &st.Table
	switch st.Kind {
	case Select, Exists:
		n.add(table, policy.Read)
		return
	case Insert:
		n.add(table, policy.Insert)
		if st.ReturnOnFailure {
			n.add(table, policy.Read)
		}
		return
	case Update:
		n.add(table, policy.Write)
	case Delete:
		n.add(table, policy.Delete)
	}
	keys := r.keyNames(st.Table)
	beyondKey := slices.ContainsFunc(st.WhereAttrs, func(a string) bool { return !slices.Contains(keys, a) })
	if st.Returning || st.ReturnOnFailure || beyondKey {
		n.add(table, policy.Read)
	}
}

// checkConditions refuses write conditions the classifier cannot read, so
// that Needs never has to guess about a request that was accepted.
func (r *Request) checkConditions() error {
	check := func(cond *string, names map[string]string) error {
		if cond == nil {
			return nil
		}
		_, err := analyzeCondition(*cond, names)
		return err
	}
	switch in := r.Input.(type) {
	case *dynamodb.PutItemInput:
		return check(in.ConditionExpression, in.ExpressionAttributeNames)
	case *dynamodb.UpdateItemInput:
		return check(in.ConditionExpression, in.ExpressionAttributeNames)
	case *dynamodb.DeleteItemInput:
		return check(in.ConditionExpression, in.ExpressionAttributeNames)
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			var err error
			switch {
			case it.Put != nil:
				err = check(it.Put.ConditionExpression, it.Put.ExpressionAttributeNames)
			case it.Update != nil:
				err = check(it.Update.ConditionExpression, it.Update.ExpressionAttributeNames)
			case it.Delete != nil:
				err = check(it.Delete.ConditionExpression, it.Delete.ExpressionAttributeNames)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}
