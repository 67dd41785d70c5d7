package system

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// fakeEnv serves tables; hidden ones exist but the user may not see them.
type fakeEnv struct {
	tables []*catalog.Table
	hidden map[string]bool
	err    error
}

func (e *fakeEnv) Tables(context.Context) ([]*catalog.Table, error) {
	if e.err != nil {
		return nil, e.err
	}
	var out []*catalog.Table
	for _, t := range e.tables {
		if !e.hidden[t.Name] {
			out = append(out, t)
		}
	}
	return out, nil
}

func (e *fakeEnv) User() string          { return "alice" }
func (e *fakeEnv) Database() string      { return "shop" }
func (e *fakeEnv) Databases() []string   { return []string{"analytics", "shop"} }
func (e *fakeEnv) Functions() []Function { return testFunctions() }
func (e *fakeEnv) Settings() []Setting {
	return []Setting{
		{Name: "server_version", Setting: "15.8", Category: "Preset Options", VarType: "string",
			Context: "internal", Source: "default", BootVal: "15.8", ResetVal: "15.8"},
		{Name: "statement_timeout", Setting: "0", Unit: "ms", VarType: "integer", Context: "user",
			Source: "default", MinVal: "0", MaxVal: "2147483647", BootVal: "0", ResetVal: "0"},
		{Name: "DateStyle", Setting: "ISO, MDY", VarType: "string", Context: "user", Source: "session"},
		{Name: "bytea_output", Setting: "hex", VarType: "enum", EnumVals: []string{"escape", "hex"}},
	}
}

func testFunctions() []Function {
	return []Function{
		{OID: 89, Name: "version", ReturnType: sqltypes.Text, Volatility: 's'},
		{Name: "upper", ArgTypes: []sqltypes.OID{sqltypes.Text}, ReturnType: sqltypes.Text, Strict: true},
		{Name: "count", ArgTypes: []sqltypes.OID{sqltypes.Int8}, ReturnType: sqltypes.Int8, Kind: 'a'},
		{Name: "generate_series", ArgTypes: []sqltypes.OID{sqltypes.Int4, sqltypes.Int4},
			ReturnType: sqltypes.Int4, RetSet: true},
	}
}

// newFakeEnv has orders (sort key, GSI, LSI with INCLUDE), users (a hash key
// with a dash) and secret, which alice may not see.
func newFakeEnv() *fakeEnv {
	orders := &catalog.Table{
		Name:         "orders",
		OID:          catalog.TableOID("orders"),
		PartitionKey: catalog.KeyAttr{Name: "customer", Type: "S"},
		SortKey:      &catalog.KeyAttr{Name: "id", Type: "N"},
		Indexes: []catalog.Index{
			{Name: "byStatus", Global: true, PartitionKey: catalog.KeyAttr{Name: "status", Type: "S"},
				SortKey: &catalog.KeyAttr{Name: "created", Type: "N"}, Projection: "ALL"},
			{Name: "byDate", PartitionKey: catalog.KeyAttr{Name: "customer", Type: "S"},
				SortKey: &catalog.KeyAttr{Name: "date", Type: "S"}, Projection: "INCLUDE",
				NonKeyAttributes: []string{"note", "not_a_column"}},
		},
		Columns: []catalog.Column{
			{Name: "customer", Type: sqltypes.Text, AttNum: 1, Source: catalog.SourceKey, NotNull: true},
			{Name: "id", Type: sqltypes.Numeric, AttNum: 2, Source: catalog.SourceKey, NotNull: true},
			{Name: "status", Type: sqltypes.Text, AttNum: 3, Source: catalog.SourceIndexKey},
			{Name: "created", Type: sqltypes.Numeric, AttNum: 4, Source: catalog.SourceIndexKey},
			{Name: "date", Type: sqltypes.Text, AttNum: 5, Source: catalog.SourceIndexKey},
			{Name: "note", Type: sqltypes.Text, AttNum: 6, Source: catalog.SourceDeclared},
			{Name: "tags", Type: sqltypes.TextArray, AttNum: 7, Source: catalog.SourceSampled},
			{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, AttNum: 8, Source: catalog.SourceItem},
		},
		Status: "ACTIVE", ItemCount: 42, SizeBytes: 20000,
	}
	users := &catalog.Table{
		Name:         "users",
		PartitionKey: catalog.KeyAttr{Name: "user-id", Type: "B"},
		Columns: []catalog.Column{
			{Name: "user-id", Type: sqltypes.Bytea, AttNum: 1, Source: catalog.SourceKey, NotNull: true},
			{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, AttNum: 2, Source: catalog.SourceItem},
		},
		Status: "ACTIVE", ItemCount: 7,
	}
	secret := &catalog.Table{
		Name:         "secret",
		OID:          catalog.TableOID("secret"),
		PartitionKey: catalog.KeyAttr{Name: "k", Type: "S"},
		Columns: []catalog.Column{
			{Name: "k", Type: sqltypes.Text, AttNum: 1, Source: catalog.SourceKey, NotNull: true},
			{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, AttNum: 2, Source: catalog.SourceItem},
		},
		Status: "ACTIVE",
	}
	return &fakeEnv{tables: []*catalog.Table{orders, secret, users}, hidden: map[string]bool{"secret": true}}
}

// result is a relation's rows with named access, for assertions.
type result struct {
	rel  *Relation
	rows []sqltypes.Row
}

func scan(t *testing.T, c *Catalog, env Env, schema, name string) result {
	t.Helper()
	rel, ok := c.Lookup(schema, name)
	if !ok {
		t.Fatalf("no relation %s.%s", schema, name)
	}
	rows, err := rel.Rows(context.Background(), env)
	if err != nil {
		t.Fatalf("%s.%s: %v", schema, name, err)
	}
	return result{rel, rows}
}

func (r result) col(t *testing.T, name string) int {
	t.Helper()
	for i, c := range r.rel.Columns {
		if c.Name == name {
			return i
		}
	}
	t.Fatalf("%s has no column %s", r.rel.Name, name)
	return -1
}

// where returns the rows whose named columns equal the given values.
func (r result) where(t *testing.T, match map[string]any) []sqltypes.Row {
	t.Helper()
	var out []sqltypes.Row
	for _, row := range r.rows {
		ok := true
		for name, want := range match {
			if fmt.Sprint(row[r.col(t, name)]) != fmt.Sprint(want) {
				ok = false
			}
		}
		if ok {
			out = append(out, row)
		}
	}
	return out
}

// one returns the single row matching, failing otherwise.
func (r result) one(t *testing.T, match map[string]any) sqltypes.Row {
	t.Helper()
	rows := r.where(t, match)
	if len(rows) != 1 {
		t.Fatalf("%s where %v: %d rows, want 1", r.rel.Name, match, len(rows))
	}
	return rows[0]
}

// show renders a value for comparison: arrays as {a,b}, others with %v.
func show(v any) string {
	if a, ok := v.(sqltypes.Array); ok {
		parts := make([]string, len(a.Items))
		for i, x := range a.Items {
			parts[i] = show(x)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	if v == nil {
		return "NULL"
	}
	return fmt.Sprint(v)
}
