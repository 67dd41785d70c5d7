package native

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Verb is a DynamoDB API operation accepted as verb JSON.
type Verb int

// The verbs of spec/translation.md, "DynamoDB-native input".
const (
	Query Verb = iota
	Scan
	GetItem
	BatchGetItem
	PutItem
	UpdateItem
	DeleteItem
	BatchWriteItem
	ExecuteStatement
	BatchExecuteStatement
	ExecuteTransaction
	TransactGetItems
	TransactWriteItems
	DescribeTable
	ListTables
	CreateTable
	DeleteTable
	UpdateTable
	numVerbs
)

func (v Verb) String() string {
	switch v {
	case Query:
		return "Query"
	case Scan:
		return "Scan"
	case GetItem:
		return "GetItem"
	case BatchGetItem:
		return "BatchGetItem"
	case PutItem:
		return "PutItem"
	case UpdateItem:
		return "UpdateItem"
	case DeleteItem:
		return "DeleteItem"
	case BatchWriteItem:
		return "BatchWriteItem"
	case ExecuteStatement:
		return "ExecuteStatement"
	case BatchExecuteStatement:
		return "BatchExecuteStatement"
	case ExecuteTransaction:
		return "ExecuteTransaction"
	case TransactGetItems:
		return "TransactGetItems"
	case TransactWriteItems:
		return "TransactWriteItems"
	case DescribeTable:
		return "DescribeTable"
	case ListTables:
		return "ListTables"
	case CreateTable:
		return "CreateTable"
	case DeleteTable:
		return "DeleteTable"
	case UpdateTable:
		return "UpdateTable"
	}
	return fmt.Sprintf("Verb(%d)", int(v))
}

// verbNamed finds a verb by its exact (case-sensitive) API name.
func verbNamed(name string) (Verb, bool) {
	for v := Query; v < numVerbs; v++ {
		if v.String() == name {
			return v, true
		}
	}
	return 0, false
}

// newInput returns a new, empty SDK input struct for v.
func newInput(v Verb) any {
	switch v {
	case Query:
		return &dynamodb.QueryInput{}
	case Scan:
		return &dynamodb.ScanInput{}
	case GetItem:
		return &dynamodb.GetItemInput{}
	case BatchGetItem:
		return &dynamodb.BatchGetItemInput{}
	case PutItem:
		return &dynamodb.PutItemInput{}
	case UpdateItem:
		return &dynamodb.UpdateItemInput{}
	case DeleteItem:
		return &dynamodb.DeleteItemInput{}
	case BatchWriteItem:
		return &dynamodb.BatchWriteItemInput{}
	case ExecuteStatement:
		return &dynamodb.ExecuteStatementInput{}
	case BatchExecuteStatement:
		return &dynamodb.BatchExecuteStatementInput{}
	case ExecuteTransaction:
		return &dynamodb.ExecuteTransactionInput{}
	case TransactGetItems:
		return &dynamodb.TransactGetItemsInput{}
	case TransactWriteItems:
		return &dynamodb.TransactWriteItemsInput{}
	case DescribeTable:
		return &dynamodb.DescribeTableInput{}
	case ListTables:
		return &dynamodb.ListTablesInput{}
	case CreateTable:
		return &dynamodb.CreateTableInput{}
	case DeleteTable:
		return &dynamodb.DeleteTableInput{}
	case UpdateTable:
		return &dynamodb.UpdateTableInput{}
	}
	return nil
}

// Options carry what decoding and classification need from the caller.
type Options struct {
	// DefaultTable is used when a verb that names one table omits TableName
	// (the CLI's --table, or the database's `database:` in faz.yaml).
	DefaultTable string
	// KeyNames returns a table's key attribute names (partition key first),
	// or nil when unknown. Classification needs them to tell a PutItem that
	// cannot overwrite (insert) from one that may (write), and a condition
	// on the key from one that reads other attributes. Unknown keys
	// classify conservatively.
	KeyNames func(table string) []string
	// Visible filters ListTables results to the tables the user may see;
	// nil shows every table.
	Visible func(table string) bool
}

// Request is one decoded DynamoDB-native request.
type Request struct {
	Verb Verb
	// Input is the SDK input: *dynamodb.QueryInput for Query, and so on.
	Input any
	// Statements are the classified PartiQL statements of ExecuteStatement
	// (one), BatchExecuteStatement and ExecuteTransaction, in order.
	Statements []*Statement
	opts       Options
	// learnedKeys are key names given to EnforceAppendOnly, by table.
	learnedKeys map[string][]string
}

// ParseVerb decodes verb JSON strictly into a Request. At most one Options
// may be given (variadic only so that the options stay optional).
func ParseVerb(text string, opts ...Options) (*Request, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	raw, err := singleValue(text)
	if err != nil {
		return nil, err
	}
	members, err := objectMembers("verb request", raw)
	if err != nil {
		return nil, err
	}
	verb, rest, err := takeVerb(members)
	if err != nil {
		return nil, err
	}
	req := &Request{Verb: verb, Input: newInput(verb), opts: o}
	v := reflect.ValueOf(req.Input).Elem()
	for _, m := range rest {
		f, ok := v.Type().FieldByName(m.key)
		if !ok || !f.IsExported() || len(f.Index) != 1 {
			return nil, unknownKey(verb.String()+" request", m.key, v.Type())
		}
		if err := decodeShape(m.key, m.value, v.Field(f.Index[0])); err != nil {
			return nil, fmt.Errorf("%s: %w", verb, err)
		}
	}
	if err := req.complete(); err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	return req, nil
}

// takeVerb finds and checks the "verb" member and returns the others.
func takeVerb(members []member) (Verb, []member, error) {
	var rest []member
	var name *string
	for _, m := range members {
		if m.key != "verb" {
			rest = append(rest, m)
			continue
		}
		s, err := decodeString("verb", m.value)
		if err != nil {
			return 0, nil, err
		}
		name = &s
	}
	if name == nil {
		return 0, nil, pgerr.New(pgerr.SyntaxError, `verb request has no "verb" key`).
			WithHint(`write {"verb": "Query", "TableName": ...}`)
	}
	v, ok := verbNamed(*name)
	if !ok {
		return 0, nil, pgerr.New(pgerr.SyntaxError, "unknown verb %q", *name).
			WithHint("verbs are Query, Scan, GetItem, BatchGetItem, PutItem, UpdateItem, DeleteItem, BatchWriteItem, " +
				"ExecuteStatement, BatchExecuteStatement, ExecuteTransaction, TransactGetItems, TransactWriteItems, " +
				"DescribeTable, ListTables, CreateTable, DeleteTable, UpdateTable")
	}
	return v, rest, nil
}

// complete fills the default table, checks required members and classifies
// the PartiQL statements, so that a Request that exists can be classified.
func (r *Request) complete() error {
	if err := r.defaultTable(); err != nil {
		return err
	}
	stmts, err := r.partiQLStatements()
	if err != nil {
		return err
	}
	r.Statements = stmts
	if err := r.checkTableNames(); err != nil {
		return err
	}
	if err := r.checkConditions(); err != nil {
		return err
	}
	return r.checkClassified()
}

// defaultTable sets TableName from Options.DefaultTable when the verb names
// one table and the request did not. CreateTable is excluded: a new table's
// name must be written out.
func (r *Request) defaultTable() error {
	if r.Verb == CreateTable {
		return nil
	}
	f := reflect.ValueOf(r.Input).Elem().FieldByName("TableName")
	if !f.IsValid() {
		return nil
	}
	tn := f.Addr().Interface().(**string)
	if *tn != nil && **tn != "" {
		return nil
	}
	if r.opts.DefaultTable == "" {
		return pgerr.New(pgerr.SyntaxError, "TableName is required").
			WithHint("name the table in the request, or give a default table (--table)")
	}
	*tn = aws.String(r.opts.DefaultTable)
	return nil
}

// partiQLStatements classifies the statement text of the PartiQL verbs.
func (r *Request) partiQLStatements() ([]*Statement, error) {
	var stmts []pqInput
	inTxn := false
	switch in := r.Input.(type) {
	case *dynamodb.ExecuteStatementInput:
		stmts = append(stmts, pqInput{in.Statement, in.ReturnValuesOnConditionCheckFailure})
	case *dynamodb.BatchExecuteStatementInput:
		for _, s := range in.Statements {
			stmts = append(stmts, pqInput{s.Statement, s.ReturnValuesOnConditionCheckFailure})
		}
	case *dynamodb.ExecuteTransactionInput:
		inTxn = true
		for _, s := range in.TransactStatements {
			stmts = append(stmts, pqInput{s.Statement, s.ReturnValuesOnConditionCheckFailure})
		}
	default:
		return nil, nil
	}
	if len(stmts) == 0 {
		return nil, pgerr.New(pgerr.SyntaxError, "%s has no statements", r.Verb)
	}
	out := make([]*Statement, len(stmts))
	for i, s := range stmts {
		if s.text == nil {
			return nil, pgerr.New(pgerr.SyntaxError, "statement %d has no Statement text", i+1)
		}
		st, err := classifyPartiQL(*s.text, inTxn)
		if err != nil {
			return nil, err
		}
		st.ReturnOnFailure = s.onFail == types.ReturnValuesOnConditionCheckFailureAllOld
		out[i] = st
	}
	return out, nil
}

// pqInput is one PartiQL statement of a verb request.
type pqInput struct {
	text   *string
	onFail types.ReturnValuesOnConditionCheckFailure
}

// MarshalInput returns the request's input in DynamoDB's JSON wire shape
// (for logs and EXPLAIN-like output).
func (r *Request) MarshalInput() (json.RawMessage, error) {
	return encodeShape(reflect.ValueOf(r.Input))
}

// checkTableNames refuses table ARNs: access rules name tables, and an ARN
// would not match a per-table rule, so it could reach a table the user may
// not touch under the database-wide access.
func (r *Request) checkTableNames() error {
	for _, st := range r.Statements {
		if err := plainTableName(st.Table); err != nil {
			return err
		}
	}
	return walkTableNames(reflect.ValueOf(r.Input), plainTableName)
}

func plainTableName(name string) error {
	if strings.HasPrefix(strings.ToLower(name), "arn:") {
		return pgerr.Unsupported("a table ARN as table name", "name the table itself: "+
			"access rules apply to table names")
	}
	return nil
}

// walkTableNames calls check on every TableName member and every key of a
// RequestItems map anywhere in v.
func walkTableNames(v reflect.Value, check func(string) error) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkTableNames(v.Elem(), check)
	case reflect.Slice:
		for i := range v.Len() {
			if err := walkTableNames(v.Index(i), check); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return walkStructTableNames(v, check)
	}
	return nil
}

func walkStructTableNames(v reflect.Value, check func(string) error) error {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		switch {
		case f.Name == "TableName" && fv.Kind() == reflect.Pointer && !fv.IsNil() && fv.Elem().Kind() == reflect.String:
			if err := check(fv.Elem().String()); err != nil {
				return err
			}
		case f.Name == "RequestItems" && fv.Kind() == reflect.Map:
			for _, k := range fv.MapKeys() {
				if err := check(k.String()); err != nil {
					return err
				}
			}
		case fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice || fv.Kind() == reflect.Struct:
			if err := walkTableNames(fv, check); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkClassified refuses a request that would pass the policy check
// without naming a table to check (an empty BatchGetItem, a transaction item
// without TableName): DynamoDB would refuse most of them anyway, but only
// after the policy check was skipped.
func (r *Request) checkClassified() error {
	needs := r.Needs()
	if len(needs) == 0 && r.Verb != ListTables {
		return pgerr.New(pgerr.SyntaxError, "%s request names no table", r.Verb)
	}
	for _, n := range needs {
		if n.Table == "" {
			return pgerr.New(pgerr.SyntaxError, "%s request has an item without TableName", r.Verb)
		}
	}
	return nil
}
