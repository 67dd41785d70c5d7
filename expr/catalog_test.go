package expr

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/sqltypes"
)

const (
	ordersOID  = 16500
	ordersPkey = 16501
	ordersCon  = 16502
	secretOID  = 16600 // exists, but the user may only insert into it
)

// fakeCatalog is a tiny visible catalog: pg_class, the information_schema
// view columns, and the DynamoDB table orders with its primary key index.
type fakeCatalog struct{}

func (fakeCatalog) relations() []RelationInfo {
	return []RelationInfo{
		{OID: 1259, Schema: "pg_catalog", Name: "pg_class", Kind: 'r', Columns: []string{"oid", "relname"}},
		{OID: 2609, Schema: "pg_catalog", Name: "pg_description", Kind: 'r'},
		{OID: 1260, Schema: "pg_catalog", Name: "pg_authid", Kind: 'r'},
		{OID: 13295, Schema: "information_schema", Name: "columns", Kind: 'v'},
		{OID: ordersOID, Schema: "public", Name: "orders", Kind: 'r', Columns: []string{"customer_id", "order_id", "total"},
			Size: 123456789, IndexesSize: 1000},
		{OID: ordersPkey, Schema: "public", Name: "orders_pkey", Kind: 'i', Columns: []string{"customer_id", "order_id"}},
		{OID: secretOID, Schema: "public", Name: "Secret", Kind: 'r', Columns: []string{"k"}},
	}
}

func (c fakeCatalog) RelationByOID(oid uint32) (RelationInfo, bool, error) {
	for _, r := range c.relations() {
		if r.OID == oid {
			return r, true, nil
		}
	}
	return RelationInfo{}, false, nil
}

func (c fakeCatalog) RelationByName(schema, name string) (RelationInfo, bool, error) {
	for _, r := range c.relations() {
		if r.Schema == schema && r.Name == name {
			return r, true, nil
		}
	}
	return RelationInfo{}, false, nil
}

func (fakeCatalog) types() []TypeInfo {
	return []TypeInfo{
		{OID: 23, Name: "int4", ArrayType: 1007}, {OID: 1007, Name: "_int4", Elem: 23},
		{OID: 28, Name: "xid", ArrayType: 1011}, {OID: 1011, Name: "_xid", Elem: 28},
		{OID: 869, Name: "inet", ArrayType: 1041}, {OID: 25, Name: "text", ArrayType: 1009},
		{OID: 19, Name: "name", ArrayType: 1003},
	}
}

func (c fakeCatalog) TypeByOID(oid uint32) (TypeInfo, bool, error) {
	for _, t := range c.types() {
		if t.OID == oid {
			return t, true, nil
		}
	}
	return TypeInfo{}, false, nil
}

func (c fakeCatalog) TypeByName(name string) (TypeInfo, bool, error) {
	for _, t := range c.types() {
		if t.Name == name {
			return t, true, nil
		}
	}
	return TypeInfo{}, false, nil
}

func (fakeCatalog) functions() []FunctionInfo {
	return []FunctionInfo{
		{OID: 750, Name: "array_in", Args: []sqltypes.OID{2275, 26, 23}},
		{OID: 871, Name: "upper", Args: []sqltypes.OID{25}},
		{OID: 1317, Name: "length", Args: []sqltypes.OID{25}},
		{OID: 1318, Name: "length", Args: []sqltypes.OID{1042}},
	}
}

func (c fakeCatalog) FunctionByOID(oid uint32) (FunctionInfo, bool, error) {
	for _, f := range c.functions() {
		if f.OID == oid {
			return f, true, nil
		}
	}
	return FunctionInfo{}, false, nil
}

func (c fakeCatalog) FunctionsByName(name string) ([]FunctionInfo, error) {
	var out []FunctionInfo
	for _, f := range c.functions() {
		if f.Name == name {
			out = append(out, f)
		}
	}
	return out, nil
}

func (fakeCatalog) Namespaces() []NamespaceInfo {
	return []NamespaceInfo{{11, "pg_catalog"}, {2200, "public"}, {13207, "information_schema"}}
}

func (fakeCatalog) IndexDef(oid uint32) (IndexInfo, bool, error) {
	if oid != ordersPkey {
		return IndexInfo{}, false, nil
	}
	return IndexInfo{Def: "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (customer_id, order_id)",
		Columns: []string{"customer_id", "order_id"}}, true, nil
}

func (fakeCatalog) ConstraintDef(oid uint32) (string, bool, error) {
	if oid != ordersCon {
		return "", false, nil
	}
	return "PRIMARY KEY (customer_id, order_id)", true, nil
}

func (fakeCatalog) Description(objoid, classoid uint32, subid int32, shared bool) (string, bool, error) {
	if shared || classoid != 1259 || objoid != ordersOID {
		return "", false, nil
	}
	switch subid {
	case 0:
		return "DynamoDB table orders", true, nil
	case 1:
		return "partition key (S)", true, nil
	}
	return "", false, nil
}

// TablePrivilege: system relations SELECT only; orders read-only (R);
// Secret insert-only.
func (fakeCatalog) TablePrivilege(rel RelationInfo, priv string) bool {
	switch {
	case rel.Schema != "public":
		return priv == "SELECT"
	case rel.Name == "orders":
		return priv == "SELECT"
	case rel.Name == "Secret":
		return priv == "INSERT"
	}
	return false
}

func (fakeCatalog) Databases() []DatabaseInfo {
	return []DatabaseInfo{{OID: 20000, Name: "shop"}, {OID: 20001, Name: "analytics"}}
}

func (fakeCatalog) StartTime() time.Time { return time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC) }

// evalCatalog binds and evaluates text with the fake catalog; "NULL" for NULL.
func evalCatalog(t *testing.T, text string, withCatalog bool) (string, error) {
	n, err := parseExpr(t, text)
	if err != nil {
		return "", err
	}
	sess := newSession()
	ctx := &Context{Session: sess}
	b := &Binder{Scope: fakeScope{}, Funcs: NewFuncs(), Session: sess}
	if withCatalog {
		ctx.Catalog = fakeCatalog{}
		ctx.Resolver = NewCatalogResolver(fakeCatalog{}, sess)
		b.Resolver = ctx.Resolver
	}
	e, err := b.Bind(n)
	if err != nil {
		return "", err
	}
	v, err := e.Eval(ctx, testRow(t))
	if err != nil || v == nil {
		return "NULL", err
	}
	s, err := castValue(ctx, v, e.Type(), sqltypes.Text, -1, true)
	if err != nil {
		return "", err
	}
	return s.(string), nil
}

func TestCatalogFunctions(t *testing.T) {
	cases := []evalCase{
		// format_type: PostgreSQL 15's text for each type.
		{"format_type(23, NULL)", "integer"}, {"format_type(25, -1)", "text"}, {"format_type(1700, -1)", "numeric"},
		{"format_type(1700, 655366)", "numeric(10,2)"}, {"format_type(3802, NULL)", "jsonb"},
		{"format_type(1009, NULL)", "text[]"}, {"format_type(1043, 14)", "character varying(10)"},
		{"format_type(1043, -1)", "character varying"}, {"format_type(1015, 14)", "character varying(10)[]"},
		{"format_type(16, NULL)", "boolean"}, {"format_type(17, NULL)", "bytea"},
		{"format_type(1184, NULL)", "timestamp with time zone"}, {"format_type(1114, 3)", "timestamp(3) without time zone"},
		{"format_type(1042, NULL)", "character"}, {"format_type(1042, -1)", "bpchar"}, {"format_type(1042, 9)", "character(5)"},
		{"format_type(18, NULL)", `"char"`}, {"format_type(20, NULL)", "bigint"}, {"format_type(701, NULL)", "double precision"},
		{"format_type(28, NULL)", "xid"}, {"format_type(1011, NULL)", "xid[]"}, {"format_type(19, NULL)", "name"},
		{"format_type(0, NULL)", "-"}, {"format_type(99999, NULL)", "???"}, {"format_type(NULL, 1)", "NULL"},
		// definitions
		{"pg_get_indexdef(16501)", "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (customer_id, order_id)"},
		{"pg_get_indexdef(16501, 0, false)", "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (customer_id, order_id)"},
		// Pretty (psql's \d): the table unqualified when the search path finds it.
		{"pg_get_indexdef(16501, 0, true)", "CREATE UNIQUE INDEX orders_pkey ON orders USING btree (customer_id, order_id)"},
		{"pg_get_indexdef(16501, 2, false)", "order_id"}, {"pg_get_indexdef(16501, 3, true)", ""},
		{"pg_get_indexdef(1)", "NULL"}, {"pg_get_indexdef(NULL)", "NULL"},
		{"pg_get_constraintdef(16502)", "PRIMARY KEY (customer_id, order_id)"},
		{"pg_get_constraintdef(16502, true)", "PRIMARY KEY (customer_id, order_id)"}, {"pg_get_constraintdef(7)", "NULL"},
		{"pg_get_expr(NULL, 16500)", "NULL"}, {"pg_get_expr(NULL, 16500, true)", "NULL"},
		{"pg_get_userbyid(10)", "alice"}, {"pg_get_userbyid(77)", "unknown (OID=77)"},
		{"pg_get_viewdef(13295)", "NULL"}, {"pg_get_viewdef('orders', true)", "NULL"}, {"pg_get_triggerdef(1)", "NULL"},
		{"pg_get_serial_sequence('orders', 'order_id')", "NULL"}, {"pg_get_partkeydef(16500)", "NULL"},
		{"pg_get_ruledef(1, true)", "NULL"}, {"pg_tablespace_location(1663)", ""}, {"pg_stat_get_numscans(16501)", "0"},
		// reg* types
		{"'orders'::regclass::oid", "16500"}, {"'public.orders'::regclass", "orders"}, {"16500::regclass", "orders"},
		{"'pg_class'::regclass::oid", "1259"}, {"'pg_catalog.pg_class'::regclass", "pg_class"},
		{"'information_schema.columns'::regclass", "information_schema.columns"},
		{`'"Secret"'::regclass`, `"Secret"`}, {"'nosuch'::regclass", "ERROR 42P01"}, {"'Secret'::regclass", "ERROR 42P01"},
		{"'a.b.c.d'::regclass", "ERROR 42602"}, {"'integer'::regtype::oid", "23"}, {"'int4'::regtype", "integer"},
		{"'text[]'::regtype::oid", "1009"}, {"'character varying'::regtype::oid", "1043"}, {"'varchar(10)'::regtype", "character varying"},
		{"'xid'::regtype::oid", "28"}, {"'xid[]'::regtype::oid", "1011"}, {"'nosuch'::regtype", "ERROR 42704"},
		{"'int4 AS x'::regtype", "ERROR 42601"}, {"'int4 LIMIT 1'::regtype", "ERROR 42601"}, {"'int4; SELECT 1'::regtype", "ERROR 42601"},
		{"'pg_catalog.array_in'::regproc::oid", "750"}, {"750::regproc", "array_in"}, {"'length'::regproc", "ERROR 42725"},
		{"'nosuch'::regproc", "ERROR 42883"}, {"'public'::regnamespace::oid", "2200"}, {"11::regnamespace", "pg_catalog"},
		{"'nosuch'::regnamespace", "ERROR 3F000"},
		{"to_regclass('orders')::oid", "16500"}, {"to_regclass('nosuch')", "NULL"}, {"to_regtype('integer')", "integer"},
		{"to_regtype('nosuch')", "NULL"}, {"to_regproc('upper')::oid", "871"}, {"to_regproc('nosuch')", "NULL"},
		{"to_regnamespace('nosuch')", "NULL"},
		// visibility
		{"pg_table_is_visible(16500)", "t"}, {"pg_table_is_visible(13295)", "f"}, {"pg_table_is_visible(1259)", "t"},
		{"pg_table_is_visible(1)", "NULL"}, {"pg_type_is_visible(23)", "t"}, {"pg_type_is_visible(1)", "NULL"},
		{"pg_function_is_visible(871)", "t"}, {"pg_function_is_visible(5)", "NULL"},
		{"pg_relation_is_publishable(16500)", "t"}, {"pg_relation_is_publishable(1259)", "f"},
		{"pg_relation_is_publishable(13295)", "f"}, {"pg_relation_is_publishable(1)", "NULL"},
		{"pg_my_temp_schema()", "0"}, {"pg_is_other_temp_schema(2200)", "f"},
		// descriptions
		{"obj_description(16500, 'pg_class')", "DynamoDB table orders"}, {"obj_description(16500)", "DynamoDB table orders"},
		{"obj_description(16500, 'pg_nosuch')", "NULL"}, {"col_description(16500, 1)", "partition key (S)"},
		{"col_description(16500, 9)", "NULL"}, {"shobj_description(20000, 'pg_database')", "NULL"},
		{"col_description(format('%I.%I', 'public', 'orders')::regclass::oid, 1)", "partition key (S)"},
		// privileges: orders is R, Secret insert-only, catalogs SELECT.
		{"has_table_privilege('orders', 'SELECT')", "t"}, {"has_table_privilege('orders', 'select, insert')", "t"},
		{"has_table_privilege('orders', 'INSERT')", "f"}, {"has_table_privilege('orders', 'UPDATE')", "f"},
		{"has_table_privilege('orders', 'DELETE')", "f"}, {"has_table_privilege(16500, 'SELECT WITH GRANT OPTION')", "t"},
		{`has_table_privilege('"Secret"', 'SELECT')`, "f"}, {`has_table_privilege('"Secret"', 'INSERT')`, "t"},
		{"has_table_privilege('pg_class', 'SELECT')", "t"}, {"has_table_privilege('pg_class', 'UPDATE')", "f"},
		{"has_table_privilege('alice', 'orders', 'SELECT')", "t"}, {"has_table_privilege(10, 16500, 'SELECT')", "t"},
		{"has_table_privilege('bob', 'orders', 'SELECT')", "ERROR 42704"}, {"has_table_privilege(1, 'SELECT')", "NULL"},
		{"has_table_privilege('nosuch', 'SELECT')", "ERROR 42P01"}, {"has_table_privilege('orders', 'FLY')", "ERROR 22023"},
		{"has_any_column_privilege('orders', 'SELECT')", "t"}, {"has_any_column_privilege('orders', 'TRUNCATE')", "ERROR 22023"},
		{"has_column_privilege('orders', 'total', 'SELECT')", "t"}, {"has_column_privilege('orders', 'nope', 'SELECT')", "ERROR 42703"},
		{"has_column_privilege(16500, 3::int2, 'UPDATE')", "f"}, {"has_column_privilege(16500, 9::int2, 'SELECT')", "NULL"},
		{"has_schema_privilege('public', 'USAGE')", "t"}, {"has_schema_privilege('public', 'CREATE')", "f"},
		{"has_schema_privilege('alice', 'pg_catalog', 'USAGE')", "t"}, {"has_schema_privilege('nosuch', 'USAGE')", "ERROR 3F000"},
		{"has_schema_privilege(2200, 'usage')", "t"}, {"has_schema_privilege(5, 'usage')", "NULL"},
		{"has_database_privilege('shop', 'CONNECT')", "t"}, {"has_database_privilege('shop', 'CREATE')", "f"},
		{"has_database_privilege('shop', 'TEMP')", "f"}, {"has_database_privilege('nosuch', 'CONNECT')", "ERROR 3D000"},
		{"has_database_privilege(20001, 'CONNECT')", "t"},
		// sizes
		{"pg_relation_size('orders')", "123456789"}, {"pg_relation_size('orders', 'fsm')", "0"},
		{"pg_total_relation_size(16500)", "123457789"}, {"pg_table_size('orders')", "123456789"},
		{"pg_indexes_size('orders')", "1000"}, {"pg_relation_size(1)", "NULL"},
		{"pg_size_pretty(pg_relation_size('orders'))", "118 MB"}, {"pg_size_pretty(10239::int8)", "10239 bytes"},
		{"pg_size_pretty(10240::int8)", "10 kB"}, {"pg_size_pretty(-10240::int8)", "-10 kB"},
		{"pg_size_pretty(1073741824::int8)", "1024 MB"}, {"pg_size_pretty(1099511627776::int8)", "1024 GB"},
		{"pg_size_pretty(10.5::numeric)", "10.5 bytes"}, {"pg_size_pretty(1048576::numeric)", "1024 kB"},
		// server
		{"pg_postmaster_start_time()", "2024-05-01 08:00:00+00"}, {"pg_is_in_recovery()", "f"},
		{"txid_current() > 0", "t"}, {"inet_server_addr() IS NULL", "t"}, {"inet_server_port()", "NULL"},
		{"parse_ident('public.\"Orders\"')", "{public,Orders}"}, {"parse_ident('A.b')", "{a,b}"},
		{"parse_ident('a.b(x)', false)", "{a,b}"}, {"parse_ident('a.b(x)')", "ERROR 22023"},
		{"format('%I.%I', 'public', 'Orders')", `public."Orders"`}, {"quote_ident('select')", `"select"`},
		{"array_to_string(ARRAY['a','b'], ', ')", "a, b"}, {"current_schemas(false)", "{public}"},
		{"pg_encoding_to_char(6)", "UTF8"}, {"pg_char_to_encoding('UTF8')", "6"},
		{"current_setting('nosuch', true)", "NULL"}, {"version() LIKE 'PostgreSQL 15.%'", "t"},
	}
	for _, c := range cases {
		got, err := evalCatalog(t, c.expr, true)
		checkCase(t, c, got, err)
	}
}

// Without a catalog the functions that need one say so (0A000) rather than
// answer as if nothing existed; format_type still names the types it knows.
func TestCatalogFunctionsWithoutCatalog(t *testing.T) {
	for _, c := range []evalCase{
		{"pg_get_indexdef(16501)", "ERROR 0A000"}, {"has_table_privilege('orders', 'SELECT')", "ERROR 0A000"},
		{"pg_relation_size(16500)", "ERROR 0A000"}, {"format_type(1043, 14)", "character varying(10)"},
		{"format_type(28, NULL)", "xid"}, {"format_type(869, NULL)", "???"}, {"to_regclass('orders')", "ERROR 0A000"},
	} {
		got, err := evalCatalog(t, c.expr, false)
		checkCase(t, c, got, err)
	}
}

func TestSizePretty(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{
		{0, "0 bytes"}, {10239, "10239 bytes"}, {10240, "10 kB"}, {10485247, "10239 kB"}, {20971519, "20 MB"},
		{-20971520, "-20 MB"}, {1 << 50, "1024 TB"}, {1 << 62, "4096 PB"},
	} {
		if got := SizePretty(big.NewInt(c.in)); got != c.want {
			t.Errorf("SizePretty(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseQualifiedName(t *testing.T) {
	for _, c := range []struct {
		in, want string // want: parts joined by "|", or "ERROR"
	}{
		{"orders", "orders"}, {"Public.Orders", "public|orders"}, {`"Orders"`, "Orders"},
		{`public."a.b"`, "public|a.b"}, {`"say ""hi"""`, `say "hi"`}, {" a . b ", "a|b"},
		{"a..b", "ERROR"}, {`"unterminated`, "ERROR"}, {`""`, "ERROR"}, {"", "ERROR"}, {"a b", "ERROR"},
	} {
		parts, err := ParseQualifiedName(c.in)
		got := strings.Join(parts, "|")
		if err != nil {
			got = "ERROR"
		}
		if got != c.want {
			t.Errorf("ParseQualifiedName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestKeywordsAndList(t *testing.T) {
	f := NewFuncs()
	sf, ok := f.SetFunc("PG_GET_KEYWORDS")
	if !ok {
		t.Fatal("pg_get_keywords is not registered")
	}
	rows, err := sf.Rows(&Context{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]sqltypes.Row{
		"select":  {"select", "R", true, "reserved", "can be bare label"},
		"abort":   {"abort", "U", true, "unreserved", "can be bare label"},
		"between": {"between", "C", true, "unreserved (cannot be function or type name)", "can be bare label"},
		"left":    {"left", "T", true, "reserved (can be function or type name)", "can be bare label"},
		"year":    {"year", "U", false, "unreserved", "requires AS"},
	}
	// PostgreSQL 15's list: newer parsers' keywords are not in it.
	newer := map[string]bool{"absent": true, "json_table": true, "system_user": true, "merge_action": true}
	for _, r := range rows {
		if len(r) != len(sf.Columns) {
			t.Fatalf("row %v has %d values for %d columns", r, len(r), len(sf.Columns))
		}
		if newer[r[0].(string)] {
			t.Errorf("keyword %s is not PostgreSQL 15's", r[0])
		}
		if w, ok := want[r[0].(string)]; ok {
			for i := range w {
				if r[i] != w[i] {
					t.Errorf("keyword %s: column %s = %v, want %v", w[0], sf.Columns[i].Name, r[i], w[i])
				}
			}
			delete(want, r[0].(string))
		}
	}
	if len(want) > 0 {
		t.Errorf("keywords missing: %v", want)
	}
	sigs := map[string]Signature{}
	for _, s := range f.List() {
		key := s.Name + "/" + sqlTypes(s.Args)
		if _, dup := sigs[key]; dup {
			t.Errorf("List has %s twice (pg_proc OIDs are hashed from the signature)", key)
		}
		sigs[key] = s
	}
	for key, result := range map[string]sqltypes.OID{
		"upper/text": sqltypes.Text, "array_position/anyarray,anyelement": tInt,
		"has_table_privilege/text,text": tBool, "pg_get_keywords/": sqltypes.Record, "count/anyelement": AnyElementOID,
		"format_type/oid,integer": tText, "concat/\"any\"": tText,
	} {
		s, ok := sigs[key]
		if !ok || s.Result != result {
			t.Errorf("List: %s = %+v (found %v), want result %d", key, s, ok, result)
		}
	}
	if s := sigs["concat/\"any\""]; s.Variadic != AnyOID || s.Strict {
		t.Errorf("concat: %+v, want variadic \"any\", not strict", s)
	}
}

func sqlTypes(ts []sqltypes.OID) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = typeName(t)
	}
	return strings.Join(names, ",")
}
