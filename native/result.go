package native

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Result is one page of a native request's answer, as rows.
type Result struct {
	Columns []sqltypes.Column
	Rows    []sqltypes.Row
	// Tag is the command tag: "SELECT 5", "INSERT 0 1", "DROP TABLE" ...
	Tag string
	// LastEvaluatedKey is the key to continue a Query or Scan from, in
	// DynamoDB's JSON wire shape; "" when this was the last page.
	LastEvaluatedKey string
	// NextToken continues ExecuteStatement (NextToken) or ListTables
	// (LastEvaluatedTableName); "" when this was the last page.
	NextToken string
	// Continuation is the JSON object of the members to add to the same
	// request to read the next page, e.g. {"ExclusiveStartKey": {...}};
	// "" when there is none. The caller reports it (NOTICE, CLI output).
	Continuation string
	// Unprocessed holds UnprocessedKeys or UnprocessedItems in DynamoDB's
	// JSON wire shape ("" when everything was processed): the caller reports
	// them so the client can retry them.
	Unprocessed      string
	ConsumedCapacity []types.ConsumedCapacity
}

// itemShape maps items to rows with a table's catalog columns.
type itemShape struct {
	cols  []sqltypes.Column
	types []sqltypes.OID
	item  int // index of the _item column, -1 if none
}

// shapeFor returns the row shape of items of table: its catalog columns
// (which end with _item), or just _item without a catalog or table.
func shapeFor(ctx context.Context, cat catalog.Source, table string) (*itemShape, error) {
	if cat == nil || table == "" {
		return jsonShape(catalog.ItemColumn), nil
	}
	t, err := cat.Table(ctx, table)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %q: %w", table, err)
	}
	s := &itemShape{item: -1}
	for _, c := range t.Columns {
		if c.Name == catalog.ItemColumn {
			s.item = len(s.cols)
		}
		s.cols = append(s.cols, sqltypes.Column{Name: c.Name, Type: c.Type, Typmod: -1, TableOID: t.OID, AttNum: c.AttNum})
		s.types = append(s.types, c.Type)
	}
	if s.item < 0 {
		s.item = len(s.cols)
		s.cols = append(s.cols, sqltypes.Column{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, Typmod: -1})
		s.types = append(s.types, sqltypes.Jsonb)
	}
	return s, nil
}

// jsonShape is a single jsonb column holding the whole item.
func jsonShape(name string) *itemShape {
	return &itemShape{
		cols:  []sqltypes.Column{{Name: name, Type: sqltypes.Jsonb, Typmod: -1}},
		types: []sqltypes.OID{sqltypes.Jsonb},
		item:  0,
	}
}

func (s *itemShape) row(item map[string]types.AttributeValue) (sqltypes.Row, error) {
	row := make(sqltypes.Row, len(s.cols))
	for i, c := range s.cols {
		if i == s.item {
			row[i] = sqltypes.ItemToJSON(item)
			continue
		}
		v, err := sqltypes.FromAttribute(item[c.Name], s.types[i])
		if err != nil {
			return nil, pgerr.Wrap(err, pgerr.CodeOf(err), "attribute %q", c.Name)
		}
		row[i] = v
	}
	return row, nil
}

func (s *itemShape) rows(items []map[string]types.AttributeValue) ([]sqltypes.Row, error) {
	out := make([]sqltypes.Row, 0, len(items))
	for _, it := range items {
		r, err := s.row(it)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// tableItem is an item with the table it came from, for answers that span
// tables (BatchGetItem, TransactGetItems).
type tableItem struct {
	table string
	item  map[string]types.AttributeValue
}

// multiTableRows: with one table, its catalog columns; with several, a
// _table text column and _item.
func multiTableRows(ctx context.Context, cat catalog.Source, items []tableItem, tables []string) ([]sqltypes.Column, []sqltypes.Row, error) {
	if len(tables) == 1 {
		s, err := shapeFor(ctx, cat, tables[0])
		if err != nil {
			return nil, nil, err
		}
		rows := make([]sqltypes.Row, 0, len(items))
		for _, ti := range items {
			r, err := s.row(ti.item)
			if err != nil {
				return nil, nil, err
			}
			rows = append(rows, r)
		}
		return s.cols, rows, nil
	}
	cols := []sqltypes.Column{
		{Name: "_table", Type: sqltypes.Text, Typmod: -1},
		{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, Typmod: -1},
	}
	rows := make([]sqltypes.Row, 0, len(items))
	for _, ti := range items {
		rows = append(rows, sqltypes.Row{ti.table, sqltypes.ItemToJSON(ti.item)})
	}
	return cols, rows, nil
}

// jsonRow turns an SDK output struct into one jsonb value.
func jsonRow(v any) (sqltypes.Row, error) {
	if v == nil || reflect.ValueOf(v).IsNil() {
		return sqltypes.Row{nil}, nil
	}
	raw, err := encodeShape(reflect.ValueOf(v))
	if err != nil {
		return nil, err
	}
	j, err := sqltypes.ParseJSON(string(raw), true)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.InternalError, "encoding a DynamoDB answer as jsonb")
	}
	return sqltypes.Row{j}, nil
}

// continuation builds Result.Continuation from one member.
func continuation(member string, value json.RawMessage) (string, error) {
	out, err := json.Marshal(map[string]json.RawMessage{member: value})
	if err != nil {
		return "", pgerr.Wrap(err, pgerr.InternalError, "encoding the continuation")
	}
	return string(out), nil
}

// setLastKey records a Query or Scan continuation key.
func (res *Result) setLastKey(key map[string]types.AttributeValue) error {
	return res.setLastKeyAs(key, "ExclusiveStartKey")
}

// setLastKeyAs records the last evaluated key; with member set it is also
// the continuation (ExecuteStatement continues by NextToken instead).
func (res *Result) setLastKeyAs(key map[string]types.AttributeValue, member string) error {
	if len(key) == 0 {
		return nil
	}
	raw, err := EncodeItem(key)
	if err != nil {
		return err
	}
	res.LastEvaluatedKey = string(raw)
	if member == "" {
		return nil
	}
	res.Continuation, err = continuation(member, raw)
	return err
}

// setNextToken records a token continuation under member.
func (res *Result) setNextToken(token *string, member string) error {
	if token == nil || *token == "" {
		return nil
	}
	res.NextToken = *token
	raw, err := json.Marshal(*token)
	if err != nil {
		return pgerr.Wrap(err, pgerr.InternalError, "encoding the continuation")
	}
	res.Continuation, err = continuation(member, raw)
	return err
}

// setUnprocessed records unprocessed keys or items, if any.
func (res *Result) setUnprocessed(v any, n int) error {
	if n == 0 {
		return nil
	}
	raw, err := encodeShape(reflect.ValueOf(v))
	res.Unprocessed = string(raw)
	return err
}

func sortedTables[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
