package dynamo

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FormatCall renders a call's request as one stable line for golden files,
// e.g. `Query table=orders index=by_status key=[status = S "shipped"]
// filter=[total > N 100] proj=[order_id, total] limit=25 forward=false
// select=COUNT`: operation, table, index, consistency, key condition,
// filter, projection, limit, scan direction, select, with the expression
// name/value maps resolved inline in a fixed order so a plan change shows as
// a readable diff. Keys of GetItem, BatchGetItem and DeleteItem and the
// tables of batch requests are sorted; attributes of an item or key are
// sorted by name. Values use a short DynamoDB JSON form: S "x", N 12,
// BOOL true, NULL, B 0x00ff, SS ["a"], NS [1], L [...], M {...}. Opaque
// client tokens and ReturnConsumedCapacity are left out: they are either
// random or the same on every call.
func FormatCall(c Call) string {
	body := formatInput(c.Input)
	if body == "" {
		return c.Op
	}
	return c.Op + " " + body
}

// formatInput dispatches on the input type; the operation name is not
// trusted so a mislabelled call still prints what was sent.
func formatInput(in any) string {
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		return formatGetItem(in)
	case *dynamodb.BatchGetItemInput:
		return formatBatchGetItem(in)
	case *dynamodb.QueryInput:
		return formatQuery(in)
	case *dynamodb.ScanInput:
		return formatScan(in)
	case *dynamodb.PutItemInput:
		return formatPutItem(in)
	case *dynamodb.UpdateItemInput:
		return formatUpdateItem(in)
	case *dynamodb.DeleteItemInput:
		return formatDeleteItem(in)
	case *dynamodb.BatchWriteItemInput:
		return formatBatchWriteItem(in)
	case *dynamodb.TransactWriteItemsInput:
		return formatTransactWriteItems(in)
	case *dynamodb.TransactGetItemsInput:
		return formatTransactGetItems(in)
	case *dynamodb.ExecuteStatementInput:
		return formatExecuteStatement(in)
	case *dynamodb.BatchExecuteStatementInput:
		return formatBatchStatements(in.Statements)
	case *dynamodb.ExecuteTransactionInput:
		return formatTransactStatements(in.TransactStatements)
	case *dynamodb.ListTablesInput:
		return formatListTables(in)
	case *dynamodb.DescribeTableInput:
		return formatTableOnly(in.TableName)
	case *dynamodb.DeleteTableInput:
		return formatTableOnly(in.TableName)
	case *dynamodb.CreateTableInput:
		return formatCreateTable(in)
	case *dynamodb.UpdateTableInput:
		return formatUpdateTable(in)
	case *dynamodb.UpdateTimeToLiveInput:
		return formatUpdateTimeToLive(in)
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("<%T>", in)
}

// fields builds "k=v k=v", skipping empty values, so optional request
// fields simply do not appear.
type fields []string

func (f *fields) add(key, value string) {
	if value != "" {
		*f = append(*f, key+"="+value)
	}
}

func (f *fields) raw(s string) {
	if s != "" {
		*f = append(*f, s)
	}
}

func (f fields) String() string { return strings.Join(f, " ") }

// exprCtx resolves #name and :value placeholders of one request's
// expressions.
type exprCtx struct {
	names  map[string]string
	values map[string]types.AttributeValue
}

// bracket renders an expression resolved, in [brackets]; "" when absent.
func (x exprCtx) bracket(e *string) string {
	if e == nil || *e == "" {
		return ""
	}
	return "[" + x.resolve(*e) + "]"
}

// resolve replaces each #name and :value token by the attribute name or the
// rendered value; unknown placeholders stay as written, so a request that
// forgot to define one shows it.
func (x exprCtx) resolve(e string) string {
	var b strings.Builder
	for i := 0; i < len(e); {
		c := e[i]
		if c != '#' && c != ':' {
			b.WriteByte(c)
			i++
			continue
		}
		j := i + 1
		for j < len(e) && isWordByte(e[j]) {
			j++
		}
		tok := e[i:j]
		b.WriteString(x.placeholder(tok))
		i = j
	}
	return b.String()
}

func (x exprCtx) placeholder(tok string) string {
	if len(tok) < 2 {
		return tok
	}
	if tok[0] == '#' {
		if n, ok := x.names[tok]; ok {
			return formatName(n)
		}
		return tok
	}
	if v, ok := x.values[tok]; ok {
		return formatValue(v)
	}
	return tok
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// formatName prints an attribute name bare when it reads as an identifier
// and quoted otherwise, so `order date` cannot be mistaken for two tokens.
func formatName(n string) string {
	if n == "" {
		return `""`
	}
	for i := 0; i < len(n); i++ {
		if !isWordByte(n[i]) || i == 0 && n[i] >= '0' && n[i] <= '9' {
			return strconv.Quote(n)
		}
	}
	return n
}

// formatValue renders one attribute value in the short DynamoDB JSON form.
func formatValue(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S " + strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return "N " + v.Value
	case *types.AttributeValueMemberB:
		return "B 0x" + hex.EncodeToString(v.Value)
	case *types.AttributeValueMemberBOOL:
		return "BOOL " + strconv.FormatBool(v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS:
		return "SS [" + joinMapped(v.Value, strconv.Quote) + "]"
	case *types.AttributeValueMemberNS:
		return "NS [" + strings.Join(v.Value, ", ") + "]"
	case *types.AttributeValueMemberBS:
		return "BS [" + joinMapped(v.Value, func(b []byte) string { return "0x" + hex.EncodeToString(b) }) + "]"
	case *types.AttributeValueMemberL:
		return "L [" + joinMapped(v.Value, formatValue) + "]"
	case *types.AttributeValueMemberM:
		return "M " + formatItem(v.Value)
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("<%T>", v)
}

func joinMapped[T any](xs []T, f func(T) string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = f(x)
	}
	return strings.Join(parts, ", ")
}

// formatItem renders an item or key as {a: S "x", b: N 1}, attributes in
// name order (Go maps have none).
func formatItem(m map[string]types.AttributeValue) string {
	if m == nil {
		return ""
	}
	names := sortedKeys(m)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = formatName(n) + ": " + formatValue(m[n])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// formatKeys renders a list of keys sorted by their rendering, so the order
// a planner happened to collect them in does not churn golden files.
func formatKeys(keys []map[string]types.AttributeValue) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = formatItem(k)
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, ", ") + "]"
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func quoted(s *string) string {
	if s == nil {
		return ""
	}
	return strconv.Quote(*s)
}

func boolPtr(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func int32Ptr(n *int32) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(int64(*n), 10)
}

func formatTableOnly(table *string) string {
	var f fields
	f.add("table", str(table))
	return f.String()
}
