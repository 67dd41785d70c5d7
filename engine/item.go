package engine

import (
	"bytes"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// KeyPart is one attribute of a primary key fixed to a value (a literal or a
// parameter evaluated at Open). AttrType is its DynamoDB type: "S", "N" or "B".
// With Each, Value is an array and the key takes each of its elements (SQL's
// attr = ANY($1)); only BatchGetItem accepts such parts.
type KeyPart struct {
	Attr     string
	AttrType string
	Value    expr.Expr
	Each     bool
}

func (k KeyPart) String() string {
	if k.Each {
		return quoteName(k.Attr) + " = ANY(" + k.Value.String() + ")"
	}
	return quoteName(k.Attr) + " = " + k.Value.String()
}

func keyString(key []KeyPart) string {
	parts := make([]string, len(key))
	for i, k := range key {
		parts[i] = k.String()
	}
	return strings.Join(parts, " AND ")
}

// evalKey builds the DynamoDB key of a GetItem. ok is false when no item can
// have this key: a part is SQL NULL (the SQL equality is never true) or an
// empty string or binary (DynamoDB stores no such key, and would reject the
// request).
func evalKey(ctx *expr.Context, key []KeyPart) (m map[string]types.AttributeValue, ok bool, err error) {
	keys, err := expandKey(ctx, key)
	if err != nil || len(keys) != 1 {
		return nil, false, err
	}
	return keys[0], true, nil
}

// expandKey evaluates a key template into the keys it stands for: one, none
// (a NULL or empty part) or, with Each parts, the product of their elements.
func expandKey(ctx *expr.Context, key []KeyPart) ([]map[string]types.AttributeValue, error) {
	out := []map[string]types.AttributeValue{{}}
	for _, k := range key {
		avs, err := k.values(ctx)
		if err != nil {
			return nil, fmt.Errorf("key attribute %s: %w", k.Attr, err)
		}
		next := make([]map[string]types.AttributeValue, 0, len(out)*len(avs))
		for _, m := range out {
			for _, av := range avs {
				c := maps.Clone(m)
				c[k.Attr] = av
				next = append(next, c)
			}
		}
		out = next
	}
	return out, nil
}

// values are the AttributeValues a key part can take, impossible ones dropped.
func (k KeyPart) values(ctx *expr.Context) ([]types.AttributeValue, error) {
	if !k.Each {
		av, err := evalAttr(ctx, k.Value, k.AttrType)
		if err != nil || av == nil || emptyKeyValue(av) {
			return nil, err
		}
		return []types.AttributeValue{av}, nil
	}
	v, err := k.Value.Eval(ctx, nil)
	if err != nil || v == nil {
		return nil, err
	}
	arr, ok := v.(sqltypes.Array)
	if !ok {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "ANY(%s) needs an array", k.Value.String())
	}
	var out []types.AttributeValue
	for _, item := range arr.Items {
		if item == nil {
			continue // NULL = x is never true
		}
		av, err := toAttr(item, arr.Elem, k.AttrType, k.Value)
		if err != nil {
			return nil, err
		}
		if !emptyKeyValue(av) {
			out = append(out, av)
		}
	}
	return out, nil
}

// keyID is a canonical text of a key, to find duplicates (BatchGetItem rejects
// a request that names one key twice).
func keyID(key []KeyPart, m map[string]types.AttributeValue) string {
	var b bytes.Buffer
	for _, k := range key {
		b.WriteString(sqltypes.AttributeKind(m[k.Attr]))
		b.WriteByte(':')
		switch x := m[k.Attr].(type) {
		case *types.AttributeValueMemberS:
			fmt.Fprintf(&b, "%q", x.Value)
		case *types.AttributeValueMemberN:
			fmt.Fprintf(&b, "%q", canonicalNumber(x.Value))
		case *types.AttributeValueMemberB:
			fmt.Fprintf(&b, "%x", x.Value)
		}
		b.WriteByte(';')
	}
	return b.String()
}

// canonicalNumber normalizes DynamoDB number text so 1.0 and 1 compare equal.
func canonicalNumber(s string) string {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return s
	}
	d.Reduce(d)
	return d.String()
}

// itemRow converts an item to a row of cols: each column from its attribute
// (missing → NULL), and the _item column from the whole item.
func itemRow(item map[string]types.AttributeValue, cols []catalog.Column) (sqltypes.Row, error) {
	row := make(sqltypes.Row, len(cols))
	for i, c := range cols {
		if c.Source == catalog.SourceItem {
			row[i] = sqltypes.ItemToJSON(item)
			continue
		}
		av, ok := item[c.Name]
		if !ok {
			continue
		}
		v, err := sqltypes.FromAttribute(av, c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		row[i] = v
	}
	return row, nil
}

// sqlColumns is the output schema of a table read.
func sqlColumns(cols []catalog.Column) []sqltypes.Column {
	out := make([]sqltypes.Column, len(cols))
	for i, c := range cols {
		out[i] = sqltypes.Column{Name: c.Name, Type: c.Type, Typmod: -1, AttNum: c.AttNum}
	}
	return out
}

// countColumns is the schema of a Select=COUNT read: one bigint.
func countColumns() []sqltypes.Column {
	return []sqltypes.Column{{Name: "count", Type: sqltypes.Int8, Typmod: -1}}
}

// emptyKeyValue reports an empty string or binary, which DynamoDB never
// stores as a key attribute.
func emptyKeyValue(av types.AttributeValue) bool {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return x.Value == ""
	case *types.AttributeValueMemberB:
		return len(x.Value) == 0
	}
	return false
}
