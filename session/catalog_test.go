package session

import (
	"context"
	"errors"
	"slices"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// catalogFixture: alice holds RW on shop by default, R on orders, W on
// audit, RA on events and none on secrets; she may connect to shop and
// analytics but not to hr.
func catalogFixture(t *testing.T) *Session {
	t.Helper()
	cat := testCatalog()
	mk := func(name string) *catalog.Table {
		tb := *cat["items"]
		tb.Name, tb.OID, tb.SizeBytes = name, catalog.TableOID(name), 2048
		return &tb
	}
	for _, n := range []string{"orders", "audit", "events"} {
		cat[n] = mk(n)
	}
	rules, err := policy.Compile([]policy.Entry{
		{Database: "shop", Access: "RW", Users: []string{"alice"},
			Tables: map[string]string{"orders": "R", "audit": "W", "events": "RA", "secrets": "none"}},
		{Database: "analytics", Access: "R"},
		{Database: "hr", Access: "R", Users: []string{"bob"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var dbs []*Database
	for _, name := range []string{"shop", "analytics", "hr"} {
		dbs = append(dbs, &Database{Name: name, API: &fakeDynamo{}, Catalog: cat})
	}
	b := NewBackend(dbs, &Security{Method: wire.AuthTrust, Rules: rules}, guc.Defaults{ServerVersion: "15.8"}, nil)
	ws, err := b.NewSession(context.Background(), wire.StartupInfo{User: "alice", Database: "shop", ProcessID: 7})
	if err != nil {
		t.Fatal(err)
	}
	return ws.(*Session)
}

func TestSystemEnvHidesTables(t *testing.T) {
	s := catalogFixture(t)
	ctx := context.Background()
	cat := s.newStmtCatalog(ctx)
	tables, err := cat.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	if want := []string{"audit", "events", "items", "orders"}; !slices.Equal(names, want) {
		t.Errorf("Tables = %v, want %v (secrets is under none)", names, want)
	}
	if got := cat.Databases(); !slices.Equal(got, []string{"analytics", "shop"}) {
		t.Errorf("Databases = %v, want [analytics shop]", got)
	}
	if cat.User() != "alice" || cat.Database() != "shop" {
		t.Errorf("User, Database = %q, %q", cat.User(), cat.Database())
	}
	// The hidden table is absent from the relations clients query too.
	rel, _ := s.backend.system.Lookup("pg_catalog", "pg_class")
	rows, err := rel.Rows(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	relname := slices.IndexFunc(rel.Columns, func(c sqltypes.Column) bool { return c.Name == "relname" })
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r[relname].(string)] = true
	}
	if seen["secrets"] || !seen["items"] || !seen["pg_class"] {
		t.Errorf("pg_class: secrets %v, items %v, pg_class %v; want only the visible ones",
			seen["secrets"], seen["items"], seen["pg_class"])
	}
}

func TestSystemEnvSettingsAndFunctions(t *testing.T) {
	s := catalogFixture(t)
	if err := s.settings.Set("statement_timeout", "30s", false); err != nil {
		t.Fatal(err)
	}
	cat := s.newStmtCatalog(context.Background())
	found := false
	for _, st := range cat.Settings() {
		if st.Name == "statement_timeout" {
			found = true
			if st.Setting != "30000" || st.Unit != "ms" || st.VarType != "integer" || st.Source != "session" || st.Context != "user" {
				t.Errorf("statement_timeout = %+v", st)
			}
		}
		if st.Name == "server_version" && (st.Context != "internal" || st.Setting != "15.8") {
			t.Errorf("server_version = %+v", st)
		}
		if st.Name == "bytea_output" && !slices.Equal(st.EnumVals, []string{"escape", "hex"}) {
			t.Errorf("bytea_output enumvals = %v", st.EnumVals)
		}
	}
	if !found {
		t.Error("pg_settings lacks statement_timeout")
	}
	kinds := map[string]byte{}
	for _, f := range cat.Functions() {
		kinds[f.Name] = f.Kind
	}
	for name, kind := range map[string]byte{"upper": 'f', "has_table_privilege": 'f', "count": 'a', "pg_get_keywords": 'f'} {
		if kinds[name] != kind {
			t.Errorf("Functions: %s kind %q, want %q", name, kinds[name], kind)
		}
	}
}

// evalIn binds and evaluates one expression with the session's catalog as a
// running statement would see it.
func evalIn(t *testing.T, s *Session, text string) (sqltypes.Value, error) {
	t.Helper()
	tree, err := pg_query.Parse("SELECT " + text)
	if err != nil {
		t.Fatal(err)
	}
	node := tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	env, _ := s.env(context.Background(), nil, nil)
	b := &expr.Binder{Funcs: s.backend.funcs, Session: s, Resolver: env.Eval.Resolver}
	e, err := b.Bind(node)
	if err != nil {
		return nil, err
	}
	return e.Eval(env.Eval, nil)
}

func TestCatalogFunctionsFollowPolicy(t *testing.T) {
	s := catalogFixture(t)
	cases := []struct {
		expr string
		want any // a value, or a SQLSTATE string prefixed by "ERROR "
	}{
		{"has_table_privilege('orders', 'SELECT')", true}, {"has_table_privilege('orders', 'INSERT')", false},
		{"has_table_privilege('orders', 'UPDATE')", false}, {"has_table_privilege('orders', 'DELETE')", false},
		{"has_table_privilege('audit', 'SELECT')", false}, {"has_table_privilege('audit', 'INSERT')", true},
		{"has_table_privilege('audit', 'UPDATE')", true}, {"has_table_privilege('audit', 'DELETE')", true},
		{"has_table_privilege('events', 'INSERT')", true}, {"has_table_privilege('events', 'UPDATE')", false},
		{"has_table_privilege('items', 'TRUNCATE')", true}, {"has_table_privilege('pg_class', 'SELECT')", true},
		{"has_table_privilege('pg_class', 'INSERT')", false},
		{"has_table_privilege('secrets', 'SELECT')", "ERROR 42P01"}, // hidden: it does not exist
		{"to_regclass('secrets')", nil}, {"'items'::regclass::oid", int64(30001)},
		{"'items'::regclass::text", "items"}, {"'pg_catalog.pg_class'::regclass::oid", int64(1259)},
		{"has_database_privilege('analytics', 'CONNECT')", true}, {"has_database_privilege('hr', 'CONNECT')", "ERROR 3D000"},
		{"pg_get_indexdef('items_pkey'::regclass::oid)", "CREATE UNIQUE INDEX items_pkey ON public.items USING btree (id)"},
		{"pg_get_indexdef('items_pkey'::regclass::oid, 1, false)", "id"},
		{"pg_relation_size('orders')", int64(2048)}, {"format_type('text[]'::regtype::oid, NULL)", "text[]"},
		{"format_type(28, NULL)", "xid"}, {"'pg_catalog.array_in'::regproc::oid", int64(750)},
		{"col_description('items'::regclass::oid, 1)", "partition key (S)"},
		{"pg_get_userbyid(10)", "alice"}, {"pg_table_is_visible('items'::regclass::oid)", true},
	}
	for _, c := range cases {
		got, err := evalIn(t, s, c.expr)
		if want, isErr := c.want.(string); isErr && len(want) > 6 && want[:6] == "ERROR " {
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code != want[6:] {
				t.Errorf("%s: got %v, %v; want %s", c.expr, got, err, want)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s = %#v, %v; want %#v", c.expr, got, err, c.want)
		}
	}
}

// A DynamoDB failure while reading the catalog reaches the client as an
// error, never as a missing object.
func TestCatalogReadErrorsPropagate(t *testing.T) {
	s := catalogFixture(t)
	s.db = &Database{Name: "shop", API: &fakeDynamo{}, Catalog: failingCatalog{}}
	_, err := evalIn(t, s, "has_table_privilege('items', 'SELECT')")
	if pgerr.CodeOf(err) != pgerr.ConnectionFailure {
		t.Errorf("error = %v, want the catalog's %s", err, pgerr.ConnectionFailure)
	}
}

type failingCatalog struct{ fakeCatalog }

func (failingCatalog) TableNames(context.Context) ([]string, error) {
	return nil, pgerr.New(pgerr.ConnectionFailure, "ListTables: connection refused")
}

// Types, functions and schemas are static: naming them reads no table, so
// it works (and costs nothing) even when DynamoDB cannot be reached.
func TestStaticLookupsNeedNoTables(t *testing.T) {
	s := catalogFixture(t)
	s.db = &Database{Name: "shop", API: &fakeDynamo{}, Catalog: failingCatalog{}}
	for text, want := range map[string]any{
		"'integer'::regtype::text": "integer", "to_regtype('text[]')::oid": int64(1009),
		"'pg_catalog.array_in'::regproc::oid": int64(750), "'public'::regnamespace::oid": int64(2200),
		"pg_type_is_visible(23)": true,
	} {
		got, err := evalIn(t, s, text)
		if err != nil || got != want {
			t.Errorf("%s = %#v, %v; want %#v", text, got, err, want)
		}
	}
}

func TestEncodeRowNamesRegValues(t *testing.T) {
	s := catalogFixture(t)
	names := expr.NewCatalogResolver(exprCatalog{s.newStmtCatalog(context.Background())}, s)
	cols := []sqltypes.Column{{Name: "c", Type: sqltypes.Regclass}, {Name: "t", Type: sqltypes.Regtype},
		{Name: "p", Type: sqltypes.Regproc}, {Name: "gone", Type: sqltypes.Regclass}, {Name: "n", Type: sqltypes.Oid},
		{Name: "bin", Type: sqltypes.Regclass}}
	row := sqltypes.Row{int64(1259), int64(1043), int64(0), int64(99999), int64(1259), int64(1259)}
	out, err := encodeRow(row, cols, []int16{0, 0, 0, 0, 0, 1}, names)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"pg_class", "character varying", "-", "99999", "1259", "\x00\x00\x04\xeb"} {
		if string(out[i]) != want {
			t.Errorf("column %s = %q, want %q", cols[i].Name, out[i], want)
		}
	}
}

// Clients' catalog SQL, end to end through the planner: the hidden table is
// absent, privileges follow the access codes, reg* values print by name.
func TestCatalogQueries(t *testing.T) {
	s := catalogFixture(t)
	cases := []struct {
		sql  string
		want [][]string
	}{
		{"SELECT c.relname, has_table_privilege(c.oid, 'INSERT'), has_table_privilege(c.oid, 'SELECT') " +
			"FROM pg_catalog.pg_class c WHERE c.relnamespace = 2200 AND c.relkind = 'r' ORDER BY 1",
			[][]string{{"audit", "t", "f"}, {"events", "t", "t"}, {"items", "t", "t"}, {"orders", "f", "t"}}},
		{"SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
			[][]string{{"audit"}, {"events"}, {"items"}, {"orders"}}},
		{"SELECT name, setting, unit FROM pg_settings WHERE name = 'statement_timeout'",
			[][]string{{"statement_timeout", "0", "ms"}}},
		{"SELECT datname FROM pg_database ORDER BY 1", [][]string{{"analytics"}, {"shop"}}},
		{"SELECT typname, typinput FROM pg_type WHERE oid = 1007", [][]string{{"_int4", "array_in"}}},
		{"SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a " +
			"WHERE a.attrelid = 'items'::regclass AND a.attnum > 0 ORDER BY a.attnum",
			[][]string{{"text"}, {"numeric"}, {"jsonb"}}},
		{"SELECT i.indexrelid::regclass, pg_get_indexdef(i.indexrelid), pg_get_constraintdef(c.oid) " +
			"FROM pg_index i JOIN pg_constraint c ON c.conindid = i.indexrelid WHERE i.indrelid = 'items'::regclass",
			[][]string{{"items_pkey", "CREATE UNIQUE INDEX items_pkey ON public.items USING btree (id)", "PRIMARY KEY (id)"}}},
		{"SELECT proname FROM pg_proc WHERE oid = 'pg_catalog.array_in'::regproc", [][]string{{"array_in"}}},
		{"SELECT 'orders'::regclass, 'int4'::regtype, to_regclass('secrets')", [][]string{{"orders", "integer", "NULL"}}},
	}
	for _, c := range cases {
		r := simple(context.Background(), s, c.sql)
		if r.err != nil {
			t.Errorf("%s: %v", c.sql, r.err)
			continue
		}
		if got := r.out.textRows(); !slices.EqualFunc(got, c.want, slices.Equal[[]string]) {
			t.Errorf("%s:\n got %v\nwant %v", c.sql, got, c.want)
		}
	}
}
