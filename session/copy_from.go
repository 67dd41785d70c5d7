package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// prepareCopyFrom resolves the table and columns of COPY t FROM STDIN.
func (s *Session) prepareCopyFrom(ctx context.Context, c *pg_query.CopyStmt, opts *copyOptions) (wire.Statement, error) {
	name, err := copyTableName(c.Relation)
	if err != nil {
		return nil, err
	}
	t, err := s.db.Catalog.Table(ctx, name)
	if err != nil {
		return nil, err
	}
	target, err := newCopyTarget(t, copyColumnNames(c.Attlist))
	if err != nil {
		return nil, err
	}
	return &copyStatement{s: s, run: func(ctx context.Context, cw wire.CopyWriter, _ wire.ResultWriter) (int64, error) {
		return s.copyIn(ctx, target, opts, cw)
	}}, nil
}

// copyTarget maps COPY FROM records to items of one table.
type copyTarget struct {
	table string
	cols  []catalog.Column // in the order of the data's fields
	item  int              // index of _item in cols, -1 if absent
	keys  []string         // key attribute names, partition key first
}

func newCopyTarget(t *catalog.Table, names []string) (*copyTarget, error) {
	ct := &copyTarget{table: t.Name, item: -1, keys: []string{t.PartitionKey.Name}}
	if t.SortKey != nil {
		ct.keys = append(ct.keys, t.SortKey.Name)
	}
	if len(names) == 0 {
		for _, c := range t.Columns {
			if c.Name != catalog.ItemColumn {
				ct.cols = append(ct.cols, c)
			}
		}
		return ct, nil
	}
	for i, n := range names {
		if slices.Contains(names[:i], n) {
			return nil, pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", n)
		}
		c := t.Column(n)
		if c == nil {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", n, t.Name).
				WithHint("load attributes the catalog does not know through the %s column (one JSON object per row)", catalog.ItemColumn)
		}
		if c.Name == catalog.ItemColumn {
			ct.item = i
		}
		ct.cols = append(ct.cols, *c)
	}
	return ct, nil
}

// copyIn checks the user may write the table, then reads the data and
// writes it in batches. It returns the number of rows written.
func (s *Session) copyIn(ctx context.Context, t *copyTarget, opts *copyOptions, cw wire.CopyWriter) (int64, error) {
	if s.tx != txIdle {
		return 0, pgerr.New(pgerr.ActiveSQLTransaction, "COPY FROM cannot run inside a transaction block").
			WithHint("its batches are written as they arrive; run it after COMMIT or ROLLBACK")
	}
	if err := s.authorizeCopyFrom(t.table); err != nil {
		return 0, err
	}
	in, err := cw.CopyIn(0, make([]int16, len(t.cols)))
	if err != nil {
		return 0, err
	}
	r := newCopyReader(in, opts)
	if opts.header {
		if err := t.readHeader(r, opts.match); err != nil {
			return 0, copyContext(err, t.table, 1, "", 0) // the header is line 1
		}
	}
	w := newBatchWriter(s.db.API, t.table, t.keys)
	for {
		if err := ctx.Err(); err != nil {
			return w.written, err
		}
		fields, err := r.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return w.written, copyContext(err, t.table, r.line+1, "", w.written)
		}
		item, col, err := t.itemOf(fields)
		if err != nil {
			return w.written, copyContext(err, t.table, r.line, col, w.written)
		}
		if err := w.put(ctx, item); err != nil {
			return w.written, copyContext(err, t.table, r.line, "", w.written)
		}
	}
	if err := w.flush(ctx); err != nil {
		return w.written, copyContext(err, t.table, r.line, "", w.written)
	}
	return w.written, nil
}

// authorizeCopyFrom checks write access: BatchWriteItem's puts overwrite
// an existing item, so COPY FROM is not an append (spec/rbac.md).
func (s *Session) authorizeCopyFrom(table string) error {
	rules := s.backend.security.Load().Rules
	err := policy.Decide(rules, s.user, s.db.Name, []policy.Need{{Table: table, Class: policy.Write}})
	if err == nil {
		return nil
	}
	if a := rules.AccessFor(s.user, s.db.Name, table); a.Allows(policy.Insert) {
		var pe *pgerr.Error
		if errors.As(err, &pe) {
			pe.Hint = "COPY FROM writes with BatchWriteItem, whose puts may overwrite items; " +
				"with append-only access use INSERT, which cannot"
		}
	}
	return err
}

// readHeader skips the header line, or with HEADER MATCH checks that it
// names the columns, as PostgreSQL 15 does.
func (t *copyTarget) readHeader(r *copyReader, match bool) error {
	fields, err := r.next()
	if errors.Is(err, io.EOF) || err != nil || !match {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	if len(fields) != len(t.cols) {
		return pgerr.New(badCopyFileFormat, "wrong number of fields in header line: got %d, expected %d", len(fields), len(t.cols))
	}
	for i, f := range fields {
		if f == nil || string(f) != t.cols[i].Name {
			got := "null"
			if f != nil {
				got = string(f)
			}
			return pgerr.New(badCopyFileFormat, "column name mismatch in header line field %d: got %q, expected %q",
				i+1, got, t.cols[i].Name)
		}
	}
	return nil
}

// itemOf converts one record: _item first (the whole item as a JSON
// object), then each column, a NULL removing the attribute. It returns the
// column a conversion failed on with its value, for the error's context.
func (t *copyTarget) itemOf(fields [][]byte) (map[string]ddbtypes.AttributeValue, string, error) {
	if len(fields) > len(t.cols) {
		return nil, "", pgerr.New(badCopyFileFormat, "extra data after last expected column")
	}
	if len(fields) < len(t.cols) {
		return nil, "", pgerr.New(badCopyFileFormat, "missing data for column %q", t.cols[len(fields)].Name)
	}
	item := map[string]ddbtypes.AttributeValue{}
	if t.item >= 0 && fields[t.item] != nil {
		if err := mergeItemColumn(item, fields[t.item]); err != nil {
			return nil, columnContext(catalog.ItemColumn, fields[t.item]), err
		}
	}
	for i, c := range t.cols {
		if i == t.item {
			continue
		}
		if fields[i] == nil {
			delete(item, c.Name)
			continue
		}
		av, err := fieldAttribute(fields[i], c.Type)
		if err != nil {
			return nil, columnContext(c.Name, fields[i]), err
		}
		if av == nil {
			delete(item, c.Name)
		} else {
			item[c.Name] = av
		}
	}
	return item, "", t.checkKeys(item)
}

func fieldAttribute(b []byte, typ sqltypes.OID) (ddbtypes.AttributeValue, error) {
	v, err := sqltypes.DecodeText(b, typ)
	if err != nil {
		return nil, err
	}
	return sqltypes.ToAttribute(v, typ)
}

// mergeItemColumn adds the attributes of an _item value, which must be a
// JSON object.
func mergeItemColumn(item map[string]ddbtypes.AttributeValue, b []byte) error {
	av, err := fieldAttribute(b, sqltypes.Jsonb)
	if err != nil {
		return err
	}
	m, ok := av.(*ddbtypes.AttributeValueMemberM)
	if !ok {
		return pgerr.New(pgerr.DatatypeMismatch, "%s must be a JSON object holding the item's attributes", catalog.ItemColumn)
	}
	for k, v := range m.Value {
		item[k] = v
	}
	return nil
}

// checkKeys refuses an item without its key attributes (23502), or with an
// empty string or binary key, which DynamoDB cannot store (22023).
func (t *copyTarget) checkKeys(item map[string]ddbtypes.AttributeValue) error {
	for _, k := range t.keys {
		av, ok := item[k]
		if _, null := av.(*ddbtypes.AttributeValueMemberNULL); !ok || null {
			return pgerr.New(pgerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", k, t.table)
		}
		switch v := av.(type) {
		case *ddbtypes.AttributeValueMemberS:
			if v.Value == "" {
				return pgerr.New(pgerr.InvalidParameterValue, "key column %q of relation %q cannot be an empty string", k, t.table)
			}
		case *ddbtypes.AttributeValueMemberB:
			if len(v.Value) == 0 {
				return pgerr.New(pgerr.InvalidParameterValue, "key column %q of relation %q cannot be empty", k, t.table)
			}
		}
	}
	return nil
}

// columnContext is PostgreSQL's `column n: "value"` part of a COPY error
// context (the value cut at 30 characters, as pg_mbcliplen does here).
func columnContext(col string, val []byte) string {
	v := []rune(string(val))
	if len(v) > 30 {
		v = append(v[:30], []rune("...")...)
	}
	return fmt.Sprintf("column %s: %q", col, string(v))
}

// copyContext adds PostgreSQL's COPY error context ("COPY t, line n[,
// column c: "v"]") to err as its detail, since pgerr has no CONTEXT field;
// when rows were already written it says so in the hint, because unlike
// PostgreSQL's COPY a DynamoDB COPY is not atomic.
func copyContext(err error, table string, line int64, col string, written int64) error {
	if pgerr.CodeOf(err) == pgerr.QueryCanceled {
		return err
	}
	pe := pgerr.From(err)
	where := fmt.Sprintf("COPY %s, line %d", table, line)
	if col != "" {
		where += ", " + col
	}
	pe.Detail = strings.TrimPrefix(pe.Detail+"\n"+where, "\n")
	if written > 0 {
		hint := fmt.Sprintf("%d rows had been written before the error: COPY to DynamoDB is not atomic", written)
		pe.Hint = strings.TrimPrefix(pe.Hint+"\n"+hint, "\n")
	}
	return pe
}
