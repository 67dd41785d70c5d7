package session

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/wire"
)

func TestSelectOneTextAndBinary(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	cases := []struct {
		name    string
		formats []int16
		want    []byte
	}{
		{"text", nil, []byte("1")},
		{"binary", []int16{1}, []byte{0, 0, 0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stmts, err := s.Prepare(ctx, "SELECT 1", nil)
			if err != nil || len(stmts) != 1 {
				t.Fatalf("Prepare: %v (%d statements)", err, len(stmts))
			}
			st := stmts[0]
			if fd := st.Fields(); len(fd) != 1 || fd[0].TypeOID != 23 || fd[0].Name != "?column?" || fd[0].Format != 0 {
				t.Fatalf("Fields = %+v", fd)
			}
			if pt := st.ParamTypes(); len(pt) != 0 {
				t.Fatalf("ParamTypes = %v", pt)
			}
			p, err := st.Bind(ctx, nil, nil, c.formats)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if fd := p.Fields(); fd[0].Format != int16(len(c.formats)) {
				t.Fatalf("portal format = %d", fd[0].Format)
			}
			out := &recorder{}
			tag, suspended, err := p.Execute(ctx, 0, out)
			if err != nil || suspended || tag != "SELECT 1" {
				t.Fatalf("Execute = %q, %v, %v", tag, suspended, err)
			}
			if len(out.rows) != 1 || string(out.rows[0][0]) != string(c.want) {
				t.Fatalf("rows = %v, want [[%v]]", out.rows, c.want)
			}
		})
	}
}

func TestBindParameters(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	stmts, err := s.Prepare(ctx, "SELECT $1::int4 + 1", []uint32{23})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		param   []byte
		formats []int16
		want    string
		code    string
	}{
		{"text", []byte("41"), nil, "42", ""},
		{"binary", []byte{0, 0, 0, 41}, []int16{1}, "42", ""},
		{"null", nil, nil, "NULL", ""},
		{"bad text", []byte("x"), nil, "", pgerr.InvalidTextRepresentation},
		{"bad binary", []byte{1}, []int16{1}, "", pgerr.InvalidBinaryRepresentation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := stmts[0].Bind(ctx, [][]byte{c.param}, c.formats, nil)
			if c.code != "" {
				if pgerr.CodeOf(err) != c.code {
					t.Fatalf("Bind: %v, want %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out := &recorder{}
			if _, _, err := p.Execute(ctx, 0, out); err != nil {
				t.Fatal(err)
			}
			if got := out.textRows(); len(got) != 1 || got[0][0] != c.want {
				t.Fatalf("rows = %v, want %s", got, c.want)
			}
		})
	}
}

func TestConstantQueries(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	cases := []struct {
		query      string
		wantPrefix string
		column     string
	}{
		{"SELECT version()", "PostgreSQL 15.8 ", "version"},
		{"select pg_catalog.version()", "PostgreSQL 15.8 ", "version"},
		{"SELECT current_database()", "shop", "current_database"},
		{"select current_schema()", "public", "current_schema"},
		{"SELECT current_user", "alice", "current_user"},
		{"SHOW transaction isolation level", "read committed", "transaction_isolation"},
		{"show standard_conforming_strings", "on", "standard_conforming_strings"},
		{"show timezone", "UTC", "TimeZone"},
		{"SELECT current_setting('server_version_num')::int / 100", "1500", "?column?"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			ctx := context.Background()
			stmts, err := s.Prepare(ctx, c.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fd := stmts[0].Fields(); len(fd) != 1 || fd[0].Name != c.column {
				t.Fatalf("Fields = %+v, want one column %q", fd, c.column)
			}
			r := simple(ctx, s, c.query)
			if r.err != nil {
				t.Fatal(r.err)
			}
			rows := r.out.textRows()
			if len(rows) != 1 || !strings.HasPrefix(rows[0][0], c.wantPrefix) {
				t.Fatalf("rows = %q, want one starting %q", rows, c.wantPrefix)
			}
		})
	}
	if n := len(f.calls.Calls()); n != 0 {
		t.Fatalf("constant queries made %d DynamoDB calls", n)
	}
}

func TestSetShow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		set, show string
		want      string
		code      string // error of the SET
		tag       string
	}{
		{"SET statement_timeout = 5000", "SHOW statement_timeout", "5s", "", "SET"},
		{"SET statement_timeout TO '1min'", "SHOW statement_timeout", "1min", "", "SET"},
		{`SET search_path TO "$user", public, "My App"`, "SHOW search_path", `"$user", public, "My App"`, "", "SET"},
		{"SET search_path = 'a, b'", "SHOW search_path", `"a, b"`, "", "SET"},
		{"SET SCHEMA 'app'", "SHOW search_path", "app", "", "SET"},
		{"SET TIME ZONE -7", "SHOW TIME ZONE", "<-07>+07", "", "SET"},
		{"SET TIME ZONE 'Europe/Berlin'", "SHOW timezone", "Europe/Berlin", "", "SET"},
		{"SET TIME ZONE LOCAL", "SHOW timezone", "UTC", "", "SET"},
		{"SET NAMES 'utf8'", "SHOW client_encoding", "UTF8", "", "SET"},
		{"SET datestyle = iso, mdy", "SHOW DateStyle", "ISO, MDY", "", "SET"},
		{"SET faz.consistent_read = on", "SHOW faz.consistent_read", "on", "", "SET"},
		{"SET myapp.tenant = 'acme'", "SHOW myapp.tenant", "acme", "", "SET"},
		{"RESET application_name", "SHOW application_name", "", "", "RESET"},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
			"SHOW default_transaction_isolation", "read uncommitted", "", "SET"},
		{"SET application_name = 'a', 'b'", "", "", pgerr.InvalidParameterValue, ""},
		{"SET nonsense = 1", "", "", pgerr.UndefinedObject, ""},
		{"SET faz.consistent_read = 'perhaps'", "", "", pgerr.InvalidParameterValue, ""},
		{"SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE", "", "", pgerr.FeatureNotSupported, ""},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", "", "", pgerr.FeatureNotSupported, ""},
	}
	for _, c := range cases {
		t.Run(c.set, func(t *testing.T) {
			s := f.session(t, nil)
			r := simple(ctx, s, c.set)
			if c.code != "" {
				if pgerr.CodeOf(r.err) != c.code {
					t.Fatalf("%s: %v, want %s", c.set, r.err, c.code)
				}
				return
			}
			if r.err != nil || !slices.Equal(r.tags, []string{c.tag}) {
				t.Fatalf("%s: tags %v, err %v", c.set, r.tags, r.err)
			}
			r = simple(ctx, s, c.show)
			if r.err != nil || !slices.Equal(r.tags, []string{"SHOW"}) {
				t.Fatalf("%s: tags %v, err %v", c.show, r.tags, r.err)
			}
			if got := r.out.textRows(); len(got) != 1 || got[0][0] != c.want {
				t.Fatalf("%s = %q, want %q", c.show, got, c.want)
			}
		})
	}
}

func TestShowUnknownAndAll(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	if r := simple(ctx, s, "SHOW no_such_setting"); pgerr.CodeOf(r.err) != pgerr.UndefinedObject ||
		!strings.Contains(r.err.Error(), `unrecognized configuration parameter "no_such_setting"`) {
		t.Fatalf("SHOW unknown: %v", r.err)
	}
	stmts, err := s.Prepare(ctx, "SHOW ALL", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fd := range stmts[0].Fields() {
		names = append(names, fd.Name)
	}
	if !slices.Equal(names, []string{"name", "setting", "description"}) {
		t.Fatalf("SHOW ALL columns %v", names)
	}
	r := simple(ctx, s, "SHOW ALL")
	found := false
	for _, row := range r.out.textRows() {
		if row[0] == "server_version" && row[1] == "15.8" {
			found = true
		}
	}
	if r.err != nil || !found || r.tags[0] != "SHOW" {
		t.Fatalf("SHOW ALL: %v, server_version found %v", r.err, found)
	}
}

func TestParameterStatus(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, map[string]string{"application_name": "psql", "options": "-c TimeZone=Asia/Tokyo"})
	ctx := context.Background()
	start := map[string]string{}
	for _, ps := range s.ParameterStatus() {
		start[ps.Name] = ps.Value
	}
	for name, want := range map[string]string{"server_version": "15.8", "client_encoding": "UTF8", "DateStyle": "ISO, MDY",
		"TimeZone": "Asia/Tokyo", "application_name": "psql", "session_authorization": "alice", "is_superuser": "off",
		"integer_datetimes": "on", "standard_conforming_strings": "on", "server_encoding": "UTF8", "IntervalStyle": "postgres"} {
		if start[name] != want {
			t.Errorf("startup ParameterStatus %s = %q, want %q", name, start[name], want)
		}
	}
	cases := []struct {
		query string
		want  []wire.ParamStatus
	}{
		{"SET application_name = 'etl'", []wire.ParamStatus{{Name: "application_name", Value: "etl"}}},
		{"SET application_name = 'etl'", nil}, // unchanged: nothing to report
		{"SET extra_float_digits = 3", nil},   // not a reported parameter
		{"SELECT set_config('application_name', 'fn', false)", []wire.ParamStatus{{Name: "application_name", Value: "fn"}}},
		{"BEGIN", nil},
		{"SET TimeZone = 'UTC'", []wire.ParamStatus{{Name: "TimeZone", Value: "UTC"}}},
		{"ROLLBACK", []wire.ParamStatus{{Name: "TimeZone", Value: "Asia/Tokyo"}}},
		{"RESET ALL", []wire.ParamStatus{{Name: "application_name", Value: "psql"}}},
	}
	for _, c := range cases {
		r := simple(ctx, s, c.query)
		if r.err != nil {
			t.Fatalf("%s: %v", c.query, r.err)
		}
		if !slices.Equal(r.out.params, c.want) {
			t.Errorf("%s: ParameterStatus %v, want %v", c.query, r.out.params, c.want)
		}
	}
}

func TestTransactionStatus(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	steps := []struct {
		query  string
		status byte
		code   string
		tag    string
	}{
		{"SELECT 1", 'I', "", "SELECT 1"},
		{"BEGIN", 'T', "", "BEGIN"},
		{"SELECT 1", 'T', "", "SELECT 1"},
		{"SET LOCAL application_name = 'inside'", 'T', "", "SET"},
		{"SELECT 1/0", 'E', pgerr.DivisionByZero, ""},
		{"SELECT 1", 'E', pgerr.InFailedSQLTransaction, ""},
		{"SHOW application_name", 'E', pgerr.InFailedSQLTransaction, ""},
		{"COMMIT", 'I', "", "ROLLBACK"},
		{"SHOW application_name", 'I', "", "SHOW"},
		{"START TRANSACTION READ ONLY", 'T', "", "START TRANSACTION"},
		{"SHOW transaction_read_only", 'T', "", "SHOW"},
		{"SELECT nosuchcolumn", 'E', pgerr.UndefinedColumn, ""},
		{"ROLLBACK", 'I', "", "ROLLBACK"},
		{"SELECT 1/0", 'I', pgerr.DivisionByZero, ""}, // outside a block an error changes nothing
		{"BEGIN", 'T', "", "BEGIN"},
		{"COMMIT", 'I', "", "COMMIT"},
		{"COMMIT", 'I', "", "COMMIT"}, // with a WARNING
		{"BEGIN; SELECT 1; COMMIT", 'I', "", "COMMIT"},
		{"BEGIN; SELECT 1/0; SELECT 2", 'E', pgerr.DivisionByZero, ""},
		{"ROLLBACK; SELECT 3", 'I', "", "SELECT 1"}, // ROLLBACK runs before SELECT is planned
		{"SAVEPOINT a", 'I', pgerr.NoActiveSQLTransaction, ""},
		{"BEGIN", 'T', "", "BEGIN"},
		{"SET application_name = 'before'", 'T', "", "SET"},
		{"SAVEPOINT a", 'T', "", "SAVEPOINT"},
		{"SET application_name = 'after'", 'T', "", "SET"},
		{"SELECT 1/0", 'E', pgerr.DivisionByZero, ""},
		{"RELEASE a", 'E', pgerr.InFailedSQLTransaction, ""},
		{"ROLLBACK TO b", 'E', invalidSavepoint, ""},
		{"ROLLBACK TO SAVEPOINT a", 'T', "", "ROLLBACK"},
		{"SHOW application_name", 'T', "", "SHOW"},
		{"RELEASE SAVEPOINT a", 'T', "", "RELEASE"},
		{"RELEASE a", 'E', invalidSavepoint, ""},
		{"ROLLBACK", 'I', "", "ROLLBACK"},
	}
	for i, st := range steps {
		r := simple(ctx, s, st.query)
		if st.code != "" {
			if pgerr.CodeOf(r.err) != st.code {
				t.Fatalf("step %d %q: error %v, want %s", i, st.query, r.err, st.code)
			}
		} else if r.err != nil || len(r.tags) == 0 || r.tags[len(r.tags)-1] != st.tag {
			t.Fatalf("step %d %q: tags %v err %v, want last tag %q", i, st.query, r.tags, r.err, st.tag)
		}
		if got := s.TxStatus(); got != st.status {
			t.Fatalf("step %d %q: status %c, want %c", i, st.query, got, st.status)
		}
		if st.query == "SHOW application_name" && st.status == 'T' {
			if got := r.out.textRows(); got[0][0] != "before" {
				t.Fatalf("ROLLBACK TO must restore settings: %q", got)
			}
		}
	}
	if v, _ := s.Setting("application_name"); v != "" {
		t.Fatalf("SET LOCAL in a rolled-back block leaked: %q", v)
	}
}

func TestTransactionWarnings(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	cases := []struct {
		query, warning string
	}{
		{"COMMIT", "there is no transaction in progress"},
		{"ROLLBACK", "there is no transaction in progress"},
		{"SET LOCAL application_name = 'x'", "SET LOCAL can only be used in transaction blocks"},
		{"BEGIN; BEGIN", "there is already a transaction in progress"},
	}
	for _, c := range cases {
		r := simple(ctx, s, c.query)
		if r.err != nil || len(r.out.notices) != 1 || r.out.notices[0].Message != c.warning ||
			r.out.notices[0].Severity != "WARNING" {
			t.Errorf("%s: err %v notices %v, want WARNING %q", c.query, r.err, r.out.notices, c.warning)
		}
		simple(ctx, s, "ROLLBACK")
	}
	simple(ctx, s, "SET client_min_messages = error")
	if r := simple(ctx, s, "COMMIT"); len(r.out.notices) != 0 {
		t.Fatalf("client_min_messages = error must hide warnings, got %v", r.out.notices)
	}
}

func TestPolicyRefusalMakesNoCalls(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	r := simple(ctx, s, "SELECT * FROM secrets")
	if pgerr.CodeOf(r.err) != pgerr.InsufficientPrivilege {
		t.Fatalf("SELECT from a none table: %v, want 42501", r.err)
	}
	for _, want := range []string{`"alice"`, `"secrets"`, "read", "none"} {
		if !strings.Contains(r.err.Error(), want) {
			t.Errorf("message %q lacks %s", r.err.Error(), want)
		}
	}
	if n := len(f.calls.Calls()); n != 0 {
		t.Fatalf("a refused statement made %d DynamoDB calls", n)
	}
}

func TestPolicyRecheckedAtExecute(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	stmts, err := s.Prepare(ctx, "SELECT id FROM items", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Permissions change (SIGHUP) between Parse and Execute.
	f.backend.SetSecurity(&Security{Method: wire.AuthTrust, Rules: rules(t, map[string]string{"items": "W"})})
	p, err := stmts[0].Bind(ctx, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.Execute(ctx, 0, &recorder{})
	if pgerr.CodeOf(err) != pgerr.InsufficientPrivilege {
		t.Fatalf("Execute after revocation: %v, want 42501", err)
	}
	if n := len(f.calls.Calls()); n != 0 {
		t.Fatalf("made %d DynamoDB calls", n)
	}
}

func TestPortalSuspension(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	stmts, err := s.Prepare(ctx, "SELECT id, n FROM items", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := stmts[0].Bind(ctx, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	steps := []struct {
		maxRows   int
		rows      int
		suspended bool
		tag       string
	}{
		{2, 2, true, ""},
		{2, 1, false, "SELECT 1"}, // the completing Execute counts its own rows, as PostgreSQL
	}
	var all [][]string
	for i, st := range steps {
		out := &recorder{}
		tag, suspended, err := p.Execute(ctx, st.maxRows, out)
		if err != nil || suspended != st.suspended || tag != st.tag || len(out.rows) != st.rows {
			t.Fatalf("Execute %d: tag %q suspended %v rows %d err %v", i, tag, suspended, len(out.rows), err)
		}
		all = append(all, out.textRows()...)
	}
	want := [][]string{{"a", "1"}, {"b", "2"}, {"c", "3"}}
	if !slices.EqualFunc(all, want, slices.Equal) {
		t.Fatalf("rows %v, want %v", all, want)
	}
	if n := f.calls.Count("Scan"); n != 1 {
		t.Fatalf("resuming must continue the same Scan: %d Scan calls", n)
	}
}

func TestStatementTimeoutAndCancel(t *testing.T) {
	f := newFixture(t)
	f.fake.block = true
	s := f.session(t, nil)
	ctx := context.Background()
	simple(ctx, s, "SET statement_timeout = '50ms'")
	begin := time.Now()
	r := simple(ctx, s, "SELECT id FROM items")
	if pgerr.CodeOf(r.err) != pgerr.QueryCanceled || pgerr.From(r.err).Message != "canceling statement due to statement timeout" {
		t.Fatalf("timeout: %v", r.err)
	}
	if time.Since(begin) > 5*time.Second {
		t.Fatal("statement_timeout did not stop the statement")
	}

	simple(ctx, s, "SET statement_timeout = 0")
	f.fake.started = make(chan struct{})
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		<-f.fake.started
		cancel() // what the server does on CancelRequest
	}()
	r = simple(cctx, s, "SELECT id FROM items")
	if pgerr.CodeOf(r.err) != pgerr.QueryCanceled || pgerr.From(r.err).Message != "canceling statement due to user request" {
		t.Fatalf("cancel: %v", r.err)
	}
}

func TestShowCapacity(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	if r := simple(ctx, s, "SELECT id FROM items"); r.err != nil || len(r.out.notices) != 0 {
		t.Fatalf("capacity notice without faz.show_capacity: %v %v", r.err, r.out.notices)
	}
	simple(ctx, s, "SET faz.show_capacity = on")
	r := simple(ctx, s, "SELECT id FROM items")
	if r.err != nil || len(r.out.notices) != 1 {
		t.Fatalf("want one notice: %v %v", r.err, r.out.notices)
	}
	n := r.out.notices[0]
	if n.Severity != "NOTICE" || !strings.Contains(n.Message, "0.5 capacity units in 1 requests") || !strings.Contains(n.Detail, "Scan=1") {
		t.Fatalf("notice = %+v", n)
	}
}

func TestUnsupportedStatements(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	cases := []struct {
		query, want string
	}{
		// INSERT, UPDATE, DELETE and table DDL run: see write_test.go.
		{"SELECT * INTO t2 FROM items", "SELECT INTO"},
		{"ALTER TABLE items ADD COLUMN x text", "ALTER TABLE"},
		{"TRUNCATE items", "TRUNCATE"},
	}
	for _, c := range cases {
		r := simple(ctx, s, c.query)
		e := pgerr.From(r.err)
		if pgerr.CodeOf(r.err) != pgerr.FeatureNotSupported || !strings.HasPrefix(e.Message, c.want+" ") ||
			!strings.Contains(e.Hint, "fazproxy writes with INSERT") {
			t.Errorf("%s: %v (hint %q), want 0A000 naming %s", c.query, r.err, e.Hint, c.want)
		}
	}
	if r := simple(ctx, s, "VACUUM items"); pgerr.CodeOf(r.err) != pgerr.FeatureNotSupported ||
		!strings.HasPrefix(pgerr.From(r.err).Message, "VACUUM") {
		t.Errorf("VACUUM: %v", r.err)
	}
	if n := len(f.calls.Calls()); n != 0 {
		t.Fatalf("made %d DynamoDB calls", n)
	}
}

func TestEmptyQueryAndMultiStatement(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	stmts, err := s.Prepare(ctx, "-- ping", nil)
	if err != nil || len(stmts) != 1 || !stmts[0].Empty() {
		t.Fatalf("empty query: %v %v", stmts, err)
	}
	// A later statement is planned after an earlier one ran.
	r := simple(ctx, s, "SET search_path = nowhere; SELECT current_schema(); SHOW search_path")
	if r.err != nil || !slices.Equal(r.tags, []string{"SET", "SELECT 1", "SHOW"}) {
		t.Fatalf("tags %v err %v", r.tags, r.err)
	}
	if got := r.out.textRows(); got[0][0] != "nowhere" || got[1][0] != "nowhere" {
		t.Fatalf("rows %v", got)
	}
}

func TestDiscardAndDeallocate(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	cases := []struct {
		query       string
		tag         string
		deallocated []string
	}{
		{"DEALLOCATE stmtcache_1", "DEALLOCATE", []string{"stmtcache_1"}},
		{"DEALLOCATE ALL", "DEALLOCATE ALL", []string{"ALL"}},
		{"DISCARD PLANS", "DISCARD PLANS", nil},
		{"DISCARD ALL", "DISCARD ALL", []string{"ALL"}},
	}
	for _, c := range cases {
		simple(ctx, s, "SET application_name = 'changed'")
		r := simple(ctx, s, c.query)
		if r.err != nil || !slices.Equal(r.tags, []string{c.tag}) || !slices.Equal(r.out.deallocated, c.deallocated) {
			t.Errorf("%s: tags %v deallocated %v err %v", c.query, r.tags, r.out.deallocated, r.err)
		}
	}
	if v, _ := s.Setting("application_name"); v != "" {
		t.Fatalf("DISCARD ALL must reset parameters, application_name = %q", v)
	}
	if r := simple(ctx, s, "BEGIN; DISCARD ALL"); pgerr.CodeOf(r.err) != pgerr.ActiveSQLTransaction {
		t.Fatalf("DISCARD ALL in a block: %v", r.err)
	}
}

func TestNewSessionErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		info wire.StartupInfo
		code string
	}{
		{wire.StartupInfo{User: "alice", Database: "nope"}, pgerr.InvalidCatalogName},
		{wire.StartupInfo{User: "mallory", Database: "shop"}, pgerr.InvalidAuthorizationSpec},
		{wire.StartupInfo{User: "alice", Database: "shop", Params: map[string]string{"client_encoding": "LATIN1"}}, pgerr.InvalidParameterValue},
		{wire.StartupInfo{User: "alice", Database: "shop", Params: map[string]string{"options": "-B 10"}}, pgerr.SyntaxError},
	}
	for _, c := range cases {
		if _, err := f.backend.NewSession(ctx, c.info); pgerr.CodeOf(err) != c.code {
			t.Errorf("%+v: %v, want %s", c.info, err, c.code)
		}
	}
}

func TestExplainAndBrokenPortal(t *testing.T) {
	f := newFixture(t)
	s := f.session(t, nil)
	ctx := context.Background()
	r := simple(ctx, s, "EXPLAIN SELECT id FROM items")
	if r.err != nil || !slices.Equal(r.tags, []string{"EXPLAIN"}) {
		t.Fatalf("EXPLAIN: tags %v err %v", r.tags, r.err)
	}
	var plan []string
	for _, row := range r.out.textRows() {
		plan = append(plan, row[0])
	}
	if rows := r.out.textRows(); !strings.Contains(strings.Join(plan, "\n"), "Scan") {
		t.Fatalf("EXPLAIN rows %q", rows)
	}
	if n := len(f.calls.Calls()); n != 0 {
		t.Fatalf("plain EXPLAIN made %d DynamoDB calls", n)
	}

	f.fake.block = true
	simple(ctx, s, "SET statement_timeout = '20ms'")
	stmts, err := s.Prepare(ctx, "SELECT id FROM items", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := stmts[0].Bind(ctx, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Execute(ctx, 1, &recorder{}); pgerr.CodeOf(err) != pgerr.QueryCanceled {
		t.Fatalf("first Execute: %v", err)
	}
	f.fake.block = false
	if _, _, err := p.Execute(ctx, 1, &recorder{}); pgerr.CodeOf(err) != pgerr.InvalidCursorState {
		t.Fatalf("Execute after an error must not rerun the plan: %v", err)
	}
}

// TestMultiStatementCheckedBeforeFirstRuns: a string of several statements
// is classified by every statement in it before any of them runs, so a read
// does not happen ahead of the write that gets the whole string refused.
func TestMultiStatementCheckedBeforeFirstRuns(t *testing.T) {
	cases := []struct {
		name, query string
	}{
		{"read then refused write", "SELECT id FROM items; INSERT INTO items (id) VALUES ('z')"},
		{"read then refused read", "SELECT id FROM items; SELECT id FROM secrets"},
		{"read then refused COPY FROM", "SELECT id FROM items; COPY items FROM STDIN"},
		{"read then refused COPY (query)", "SELECT id FROM items; COPY (SELECT id FROM secrets) TO STDOUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.backend.SetSecurity(&Security{Method: wire.AuthTrust,
				Rules: rules(t, map[string]string{"items": "R", "secrets": "none"})})
			s := f.session(t, nil)
			r := simple(context.Background(), s, c.query)
			if pgerr.CodeOf(r.err) != pgerr.InsufficientPrivilege {
				t.Fatalf("%s: %v, want 42501", c.query, r.err)
			}
			if n := len(f.calls.Calls()); n != 0 {
				t.Fatalf("%s: %d DynamoDB calls before the refusal, want 0", c.query, n)
			}
		})
	}
	// A statement that cannot be planned yet (its table is created by an
	// earlier one) is left to the check at its own turn.
	f := newFixture(t)
	s := f.session(t, nil)
	if r := simple(context.Background(), s, "SELECT id FROM items; SELECT 1"); r.err != nil {
		t.Fatalf("allowed string refused: %v", r.err)
	}
}
