package system

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// readGolden reads a '|'-separated capture from testdata.
func readGolden(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			out = append(out, strings.Split(line, "|"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRelationsMatchPostgres15 compares every relation's OID, kind and
// columns (name, type, typmod, in order) with PostgreSQL 15's.
func TestRelationsMatchPostgres15(t *testing.T) {
	c := New()
	wantCols := map[string][]string{}
	for _, f := range readGolden(t, "pg15_columns.txt") {
		key := f[0] + "." + f[1]
		wantCols[key] = append(wantCols[key], f[3]+" "+f[4]+" "+f[5]+" "+f[7])
	}
	rels := readGolden(t, "pg15_relations.txt")
	if len(rels) != len(c.All()) {
		t.Errorf("%d relations, PostgreSQL capture has %d", len(c.All()), len(rels))
	}
	for _, f := range rels {
		key := f[0] + "." + f[1]
		r, ok := c.Lookup(f[0], f[1])
		if !ok {
			t.Errorf("%s missing", key)
			continue
		}
		if got := fmt.Sprint(r.OID); got != f[2] {
			t.Errorf("%s oid %s, want %s", key, got, f[2])
		}
		if string(r.Kind) != f[3] {
			t.Errorf("%s relkind %c, want %s", key, r.Kind, f[3])
		}
		var got []string
		for i, col := range r.Columns {
			notNull := map[bool]string{true: "t", false: "f"}[r.NotNull(i)]
			got = append(got, fmt.Sprintf("%s %d %d %s", col.Name, col.Type, col.Typmod, notNull))
			if col.TableOID != r.OID || int(col.AttNum) != i+1 {
				t.Errorf("%s.%s: TableOID %d AttNum %d", key, col.Name, col.TableOID, col.AttNum)
			}
		}
		if !reflect.DeepEqual(got, wantCols[key]) {
			t.Errorf("%s columns\n got %v\nwant %v", key, got, wantCols[key])
		}
	}
}

// TestEveryRelationRows runs every relation and checks row width and value
// types (checkRows), and that hidden tables appear nowhere.
func TestEveryRelationRows(t *testing.T) {
	c, env := New(), newFakeEnv()
	for _, r := range c.All() {
		rows, err := r.Rows(context.Background(), env)
		if err != nil {
			t.Errorf("%s.%s: %v", r.Schema, r.Name, err)
			continue
		}
		if err := checkRows(r, rows); err != nil {
			t.Error(err)
		}
		for _, row := range rows {
			for i, v := range row {
				if s, ok := v.(string); ok && strings.Contains(s, "secret") {
					t.Errorf("%s.%s.%s shows hidden table: %q", r.Schema, r.Name, r.Columns[i].Name, s)
				}
			}
		}
	}
}

func TestTableRows(t *testing.T) {
	c, env := New(), newFakeEnv()
	orders := catalog.TableOID("orders")
	users := catalog.TableOID("users") // no OID in its metadata: derived from the name
	pkey := hashOID("index", "orders/#pkey")
	tests := []struct {
		rel   string
		match map[string]any
		want  map[string]string
	}{
		{"pg_class", map[string]any{"relname": "orders"}, map[string]string{
			"oid": fmt.Sprint(orders), "relkind": "r", "relnamespace": "2200", "relnatts": "8",
			"reltuples": "42", "relhasindex": "true", "relam": "2", "relpages": "3", "relowner": "10",
			"relfrozenxid": "716", "relminmxid": "1"}},
		{"pg_class", map[string]any{"relname": "orders_pkey"}, map[string]string{
			"oid": fmt.Sprint(pkey), "relkind": "i", "relam": "403", "relnatts": "2"}},
		{"pg_class", map[string]any{"relname": "byStatus"}, map[string]string{"relkind": "i", "relnatts": "2"}},
		{"pg_class", map[string]any{"relname": "byDate"}, map[string]string{"relkind": "i", "relnatts": "2",
			"relfrozenxid": "0"}},
		{"pg_class", map[string]any{"relname": "pg_indexes"}, map[string]string{"relkind": "v", "relfrozenxid": "0",
			"relminmxid": "0"}},
		{"pg_class", map[string]any{"relname": "pg_database"}, map[string]string{"relfrozenxid": "716", "relminmxid": "1"}},
		{"pg_class", map[string]any{"relname": "users"}, map[string]string{"oid": fmt.Sprint(users)}},
		{"pg_class", map[string]any{"relname": "pg_class"}, map[string]string{
			"oid": "1259", "relnamespace": "11", "relkind": "r", "relnatts": "33"}},
		{"pg_class", map[string]any{"relname": "columns"}, map[string]string{
			"oid": "13295", "relnamespace": "13207", "relkind": "v"}},
		{"pg_type", map[string]any{"typname": "_record"}, map[string]string{
			"oid": "2287", "typelem": "2249", "typinput": "750", "typoutput": "751", "typreceive": "2400",
			"typsend": "2401", "typanalyze": "3816", "typsubscript": "6179", "typalign": "d", "typtype": "p"}},
		{"pg_type", map[string]any{"typname": "xid"}, map[string]string{
			"oid": "28", "typarray": "1011", "typlen": "4", "typbyval": "true", "typinput": "50"}},
		{"pg_index", map[string]any{"indexrelid": pkey}, map[string]string{
			"indrelid": fmt.Sprint(orders), "indisprimary": "true", "indisunique": "true",
			"indkey": "{1,2}", "indnatts": "2", "indnkeyatts": "2", "indclass": "{3126,3125}",
			"indcollation": "{100,0}", "indoption": "{0,0}", "indexprs": "NULL"}},
		// Secondary indexes are btrees over their key attributes only (a GSI
		// on (gsi_pk, gsi_sk), an LSI on (table pk, lsi_sk)): no INCLUDE.
		{"pg_index", map[string]any{"indexrelid": hashOID("index", "orders/byStatus")}, map[string]string{
			"indisprimary": "false", "indisunique": "false", "indkey": "{3,4}", "indnatts": "2", "indnkeyatts": "2"}},
		{"pg_index", map[string]any{"indexrelid": hashOID("index", "orders/byDate")}, map[string]string{
			"indkey": "{1,5}", "indnatts": "2", "indnkeyatts": "2", "indclass": "{3126,3126}",
			"indcollation": "{100,100}", "indoption": "{0,0}"}},
		{"pg_index", map[string]any{"indrelid": users}, map[string]string{
			"indkey": "{1}", "indclass": "{10006}", "indisprimary": "true"}},
		{"pg_constraint", map[string]any{"conrelid": orders}, map[string]string{
			"conname": "orders_pkey", "contype": "p", "conkey": "{1,2}", "conindid": fmt.Sprint(pkey),
			"connamespace": "2200", "confkey": "NULL"}},
		{"pg_attribute", map[string]any{"attrelid": orders, "attname": "id"}, map[string]string{
			"atttypid": "1700", "attnum": "2", "attnotnull": "true", "atttypmod": "-1", "attlen": "-1",
			"attisdropped": "false", "attidentity": "", "attcollation": "0"}},
		{"pg_attribute", map[string]any{"attrelid": orders, "attname": "tags"}, map[string]string{
			"atttypid": "1009", "attndims": "1", "attnotnull": "false", "attcollation": "100"}},
		{"pg_attribute", map[string]any{"attrelid": pkey, "attnum": 2}, map[string]string{"attname": "id"}},
		{"pg_attribute", map[string]any{"attrelid": orders, "attname": "ctid"}, map[string]string{
			"atttypid": "27", "attnum": "-1", "attlen": "6", "attbyval": "false", "attalign": "s",
			"attnotnull": "true", "attstattarget": "0", "attcollation": "0"}},
		{"pg_attribute", map[string]any{"attrelid": orders, "attname": "xmin"}, map[string]string{
			"atttypid": "28", "attnum": "-2", "attlen": "4", "attbyval": "true", "attalign": "i"}},
		{"pg_attribute", map[string]any{"attrelid": 1259, "attname": "cmax"}, map[string]string{
			"atttypid": "29", "attnum": "-5"}},
		{"pg_attribute", map[string]any{"attrelid": 1259, "attname": "relname"}, map[string]string{
			"atttypid": "19", "attnum": "2", "attlen": "64", "attcollation": "950", "attnotnull": "true"}},
		{"pg_attribute", map[string]any{"attrelid": 1259, "attname": "reloptions"}, map[string]string{
			"atttypid": "1009", "attcollation": "950", "attndims": "1", "attnotnull": "false", "attstorage": "x"}},
		{"pg_attribute", map[string]any{"attrelid": 1259, "attname": "relacl"}, map[string]string{
			"atttypid": "1034", "attcollation": "0", "attndims": "1", "attalign": "i"}},
		{"pg_attribute", map[string]any{"attrelid": 1259, "attname": "reltuples"}, map[string]string{
			"attbyval": "true", "attlen": "4", "attalign": "i", "attstorage": "p"}},
		{"pg_type", map[string]any{"typname": "int4"}, map[string]string{
			"oid": "23", "typlen": "4", "typbyval": "true", "typarray": "1007", "typinput": "42",
			"typcategory": "N", "typnamespace": "11", "typtype": "b", "typbasetype": "0", "typtypmod": "-1"}},
		{"pg_type", map[string]any{"typname": "_text"}, map[string]string{
			"oid": "1009", "typelem": "25", "typinput": "750", "typcategory": "A", "typcollation": "100"}},
		{"pg_proc", map[string]any{"proname": "array_in"}, map[string]string{"oid": "750"}},
		{"pg_proc", map[string]any{"proname": "generate_series"}, map[string]string{
			"proretset": "true", "proargtypes": "{23,23}", "prorettype": "23", "prorows": "1000"}},
		{"pg_proc", map[string]any{"proname": "count"}, map[string]string{"prokind": "a"}},
		{"pg_proc", map[string]any{"proname": "version"}, map[string]string{"oid": "89", "provolatile": "s"}},
		{"pg_namespace", map[string]any{"nspname": "public"}, map[string]string{"oid": "2200"}},
		{"pg_database", map[string]any{"datname": "shop"}, map[string]string{
			"oid": fmt.Sprint(DatabaseOID("shop")), "datdba": "10", "encoding": "6", "datcollate": "C",
			"datctype": "C.UTF-8", "datacl": "NULL", "datallowconn": "true", "datfrozenxid": "716", "datminmxid": "1"}},
		{"pg_roles", map[string]any{"rolname": "alice"}, map[string]string{
			"oid": "10", "rolsuper": "false", "rolcanlogin": "true"}},
		{"pg_settings", map[string]any{"name": "statement_timeout"}, map[string]string{
			"unit": "ms", "vartype": "integer", "enumvals": "NULL"}},
		{"pg_settings", map[string]any{"name": "bytea_output"}, map[string]string{"enumvals": "{escape,hex}", "unit": "NULL"}},
		{"pg_description", map[string]any{"objoid": orders, "objsubid": 0}, map[string]string{
			"classoid": "1259", "description": "DynamoDB table orders, status ACTIVE"}},
		{"pg_description", map[string]any{"objoid": orders, "objsubid": 2}, map[string]string{"description": "sort key (N)"}},
		{"pg_description", map[string]any{"objoid": orders, "objsubid": 5}, map[string]string{"description": "key of index byDate"}},
		{"pg_description", map[string]any{"objoid": orders, "objsubid": 1}, map[string]string{"description": "partition key (S)"}},
		{"pg_description", map[string]any{"objoid": orders, "objsubid": 8}, map[string]string{"description": "the whole DynamoDB item"}},
		{"pg_indexes", map[string]any{"indexname": "byDate"}, map[string]string{
			"indexdef": `CREATE INDEX "byDate" ON public.orders USING btree (customer, date)`}},
		{"pg_description", map[string]any{"objoid": hashOID("index", "orders/byDate")}, map[string]string{
			"description": "DynamoDB local secondary index, projection INCLUDE (note, not_a_column)"}},
		{"pg_description", map[string]any{"objoid": hashOID("index", "orders/byStatus")}, map[string]string{
			"description": "DynamoDB global secondary index, projection ALL"}},
		{"pg_indexes", map[string]any{"tablename": "users"}, map[string]string{
			"indexdef": `CREATE UNIQUE INDEX users_pkey ON public.users USING btree ("user-id")`}},
		{"pg_tables", map[string]any{"tablename": "orders"}, map[string]string{"schemaname": "public", "tableowner": "alice"}},
		{"pg_stat_user_tables", map[string]any{"relname": "orders"}, map[string]string{"n_live_tup": "42", "seq_scan": "0"}},
		{"pg_am", map[string]any{"amname": "btree"}, map[string]string{"oid": "403", "amtype": "i"}},
		{"pg_tablespace", map[string]any{"spcname": "pg_global"}, map[string]string{"oid": "1664"}},
		{"pg_collation", map[string]any{"collname": "C"}, map[string]string{"oid": "950"}},
		{"pg_extension", map[string]any{"extname": "plpgsql"}, map[string]string{"extversion": "1.0"}},
		{"information_schema.columns", map[string]any{"table_name": "orders", "column_name": "customer"}, map[string]string{
			"table_catalog": "shop", "table_schema": "public", "data_type": "text", "udt_name": "text",
			"is_nullable": "NO", "ordinal_position": "1", "character_octet_length": "1073741824"}},
		{"information_schema.columns", map[string]any{"table_name": "orders", "column_name": "_item"}, map[string]string{
			"data_type": "jsonb", "is_nullable": "YES", "ordinal_position": "8"}},
		{"information_schema.columns", map[string]any{"table_name": "orders", "column_name": "tags"}, map[string]string{
			"data_type": "ARRAY", "udt_name": "_text"}},
		{"information_schema.columns", map[string]any{"table_name": "users", "column_name": "user-id"}, map[string]string{
			"data_type": "bytea"}},
		{"information_schema.columns", map[string]any{"table_name": "pg_class", "column_name": "relname"}, map[string]string{
			"data_type": "name", "collation_name": "C", "table_schema": "pg_catalog"}},
		{"information_schema.columns", map[string]any{"table_name": "pg_class", "column_name": "relpages"}, map[string]string{
			"data_type": "integer", "numeric_precision": "32", "numeric_precision_radix": "2"}},
		{"information_schema.tables", map[string]any{"table_name": "orders"}, map[string]string{
			"table_type": "BASE TABLE", "table_catalog": "shop"}},
		{"information_schema.tables", map[string]any{"table_name": "pg_tables"}, map[string]string{"table_type": "VIEW"}},
		{"information_schema.table_constraints", map[string]any{"table_name": "orders"}, map[string]string{
			"constraint_name": "orders_pkey", "constraint_type": "PRIMARY KEY"}},
		{"information_schema.key_column_usage", map[string]any{"table_name": "orders", "ordinal_position": 2}, map[string]string{
			"column_name": "id", "constraint_name": "orders_pkey"}},
		{"information_schema.schemata", map[string]any{"schema_name": "public"}, map[string]string{"catalog_name": "shop"}},
		{"information_schema.character_sets", nil, map[string]string{"character_set_name": "UTF8",
			"default_collate_catalog": "shop", "default_collate_schema": "NULL", "default_collate_name": "NULL"}},
		{"information_schema.routines", map[string]any{"routine_name": "upper"}, map[string]string{
			"data_type": "text", "routine_type": "FUNCTION", "is_null_call": "YES"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.rel, tc.match), func(t *testing.T) {
			schema, name := "", tc.rel
			if i := strings.IndexByte(tc.rel, '.'); i >= 0 {
				schema, name = tc.rel[:i], tc.rel[i+1:]
			}
			r := scan(t, c, env, schema, name)
			row := r.one(t, tc.match)
			for col, want := range tc.want {
				if got := show(row[r.col(t, col)]); got != want {
					t.Errorf("%s = %s, want %s", col, got, want)
				}
			}
		})
	}
}

// TestRowCounts checks what must be absent or present as a whole.
func TestRowCounts(t *testing.T) {
	c, env := New(), newFakeEnv()
	tests := []struct {
		rel   string
		match map[string]any
		want  int
	}{
		{"pg_class", map[string]any{"relnamespace": 2200}, 2 + 3 + 1}, // 2 tables, 3 + 1 indexes
		{"pg_index", nil, 4},
		{"pg_constraint", nil, 2},
		{"pg_attribute", map[string]any{"attrelid": catalog.TableOID("orders")}, 8 + 6}, // + system columns
		{"pg_attribute", map[string]any{"attrelid": 2615}, 4 + 6},                       // pg_namespace's columns
		{"pg_attribute", map[string]any{"attrelid": 12043}, 5},                          // a view has no system columns
		{"pg_attribute", map[string]any{"attrelid": hashOID("index", "orders/byDate")}, 2},
		{"pg_database", nil, 2},
		{"pg_roles", nil, 1},
		{"pg_inherits", nil, 0},
		{"pg_trigger", nil, 0},
		{"pg_attrdef", nil, 0},
		{"pg_matviews", nil, 0},
		{"pg_proc", map[string]any{"proname": "upper"}, 1},
		{"information_schema.columns", map[string]any{"table_schema": "public"}, 8 + 2},
		{"information_schema.key_column_usage", nil, 3},
		{"information_schema.referential_constraints", nil, 0},
		{"information_schema.constraint_column_usage", nil, 3},
		{"information_schema.schemata", nil, 3},
	}
	for _, tc := range tests {
		schema, name := "", tc.rel
		if i := strings.IndexByte(tc.rel, '.'); i >= 0 {
			schema, name = tc.rel[:i], tc.rel[i+1:]
		}
		r := scan(t, c, env, schema, name)
		if got := len(r.where(t, tc.match)); got != tc.want {
			t.Errorf("%s where %v: %d rows, want %d", tc.rel, tc.match, got, tc.want)
		}
	}
}

// TestStableOIDs: two catalogs (two processes) give every object the same OID.
func TestStableOIDs(t *testing.T) {
	oids := func() []string {
		var out []string
		r := scan(t, New(), newFakeEnv(), pgCatalog, "pg_class")
		for _, row := range r.rows {
			out = append(out, show(row[r.col(t, "relname")])+"="+show(row[r.col(t, "oid")]))
		}
		return out
	}
	a, b := oids(), oids()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("OIDs differ between catalogs:\n%v\n%v", a, b)
	}
	seen := map[string]string{}
	for _, kv := range a {
		name, o, _ := strings.Cut(kv, "=")
		if prev, dup := seen[o]; dup {
			t.Errorf("OID %s shared by %s and %s", o, prev, name)
		}
		seen[o] = name
	}
}

// TestBuildersAreDeclared catches a builder registered under a misspelt name,
// which would leave its relation silently empty.
func TestBuildersAreDeclared(t *testing.T) {
	c := New()
	for key := range rowBuilders() {
		schema, name, _ := strings.Cut(key, ".")
		if _, ok := c.Lookup(schema, name); !ok {
			t.Errorf("builder for undeclared relation %s", key)
		}
	}
}

func TestLookup(t *testing.T) {
	c := New()
	tests := []struct {
		schema, name string
		want         string // "schema.name" found, or "" for none
	}{
		{"", "pg_class", "pg_catalog.pg_class"},
		{"pg_catalog", "pg_type", "pg_catalog.pg_type"},
		{"", "columns", ""}, // information_schema is not on the default search_path
		{"information_schema", "tables", "information_schema.tables"},
		{"public", "pg_class", ""},
		{"pg_catalog", "columns", ""},
		{"", "PG_CLASS", ""},
		{"", "nope", ""},
	}
	for _, tc := range tests {
		r, ok := c.Lookup(tc.schema, tc.name)
		got := ""
		if ok {
			got = r.Schema + "." + r.Name
		}
		if got != tc.want {
			t.Errorf("Lookup(%q, %q) = %q, want %q", tc.schema, tc.name, got, tc.want)
		}
	}
}

// TestTypesAgreeWithSqltypes keeps the captured pg_type rows and sqltypes'
// own table from drifting apart.
func TestTypesAgreeWithSqltypes(t *testing.T) {
	d := newStaticData()
	for _, want := range []sqltypes.OID{sqltypes.Bool, sqltypes.Int4, sqltypes.Text, sqltypes.Jsonb,
		sqltypes.Numeric, sqltypes.TextArray, sqltypes.Int2Vector, sqltypes.Record} {
		if _, ok := d.typeByOID[want]; !ok {
			t.Errorf("pg_type lacks %d", want)
		}
	}
	for _, pt := range d.types {
		info, ok := sqltypes.TypeInfo(pt.oid)
		if !ok {
			continue // inet, anyarray: catalog column types only
		}
		got := fmt.Sprint(pt.name, pt.len, string(pt.category), pt.array, string(pt.typtype))
		want := fmt.Sprint(info.Name, info.Len, string(info.Category), info.ArrayOID, string(info.Kind))
		if got != want {
			t.Errorf("type %d: pg_type %s, sqltypes %s", pt.oid, got, want)
		}
	}
	procs := map[uint32]bool{}
	for _, p := range d.procs {
		procs[p.oid] = true
	}
	for _, pt := range d.types {
		for _, f := range []uint32{pt.input, pt.output, pt.receive, pt.send} {
			if f != 0 && !procs[f] {
				t.Errorf("type %s: I/O function %d not in pg_proc", pt.name, f)
			}
		}
	}
}

func TestRowSetRejectsMisuse(t *testing.T) {
	c := New()
	rel, _ := c.Lookup(pgCatalog, "pg_namespace")
	tests := []struct {
		name string
		row  vals
		ok   bool
	}{
		{"fine", vals{"oid": int64(1), "nspname": "x"}, true},
		{"unknown column", vals{"oid": int64(1), "nsp": "x"}, false},
		{"int as string", vals{"oid": "1"}, false},
		{"uint32 oid", vals{"oid": uint32(1)}, false},
		{"wrong array element", vals{"nspacl": textArray("a")}, false},
		{"aclitem array", vals{"nspacl": sqltypes.Array{Elem: sqltypes.Aclitem, Items: []any{"a=U/a"}}}, true},
	}
	for _, tc := range tests {
		rs := newShape(rel).rowSet()
		rs.add(tc.row)
		_, err := rs.result()
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && pgerr.CodeOf(err) != pgerr.InternalError {
			t.Errorf("%s: code %s", tc.name, pgerr.CodeOf(err))
		}
	}
}

func TestEnvErrorKeepsCode(t *testing.T) {
	env := newFakeEnv()
	env.err = pgerr.New(pgerr.ConnectionFailure, "endpoint unreachable")
	r, _ := New().Lookup(pgCatalog, "pg_class")
	_, err := r.Rows(context.Background(), env)
	if pgerr.CodeOf(err) != pgerr.ConnectionFailure {
		t.Fatalf("err %v (code %s), want 08006", err, pgerr.CodeOf(err))
	}
}

func TestQuoteIdent(t *testing.T) {
	tests := map[string]string{
		"orders": "orders", "byDate": `"byDate"`, "user-id": `"user-id"`, "a1_$": "a1_$",
		"1a": `"1a"`, `x"y`: `"x""y"`, "": `""`, "é": `"é"`,
	}
	for in, want := range tests {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestIndexAndConstraintDef(t *testing.T) {
	orders := newFakeEnv().tables[0]
	tests := []struct {
		oid  uint32
		fn   func(*catalog.Table, uint32) (string, bool)
		want string
	}{
		{hashOID("index", "orders/#pkey"), IndexDef, "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (customer, id)"},
		{hashOID("index", "orders/byStatus"), IndexDef, `CREATE INDEX "byStatus" ON public.orders USING btree (status, created)`},
		{hashOID("constraint", "orders/pkey"), ConstraintDef, "PRIMARY KEY (customer, id)"},
		{12345, IndexDef, ""},
		{12345, ConstraintDef, ""},
	}
	for _, tc := range tests {
		got, ok := tc.fn(orders, tc.oid)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("oid %d: %q %v, want %q", tc.oid, got, ok, tc.want)
		}
	}
}

func TestFunctionOID(t *testing.T) {
	a := FunctionOID(Function{Name: "upper", ArgTypes: []sqltypes.OID{sqltypes.Text}})
	b := FunctionOID(Function{Name: "upper", ArgTypes: []sqltypes.OID{sqltypes.Varchar}})
	if a == b || a < catalog.FirstTableOID {
		t.Errorf("overloads share or misplace OIDs: %d %d", a, b)
	}
	if got := FunctionOID(Function{OID: 871, Name: "upper"}); got != 871 {
		t.Errorf("explicit OID lost: %d", got)
	}
	if got := strconv.Itoa(int(a)); got != strconv.Itoa(int(FunctionOID(Function{Name: "upper", ArgTypes: []sqltypes.OID{25}}))) {
		t.Errorf("OID not stable")
	}
}
