package guc

import (
	"slices"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
)

func newSettings(t *testing.T, startup map[string]string) *Settings {
	t.Helper()
	if startup == nil {
		startup = map[string]string{}
	}
	if _, ok := startup["user"]; !ok {
		startup["user"] = "alice"
	}
	s, err := New(startup, Defaults{ServerVersion: "15.8", StatementTimeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func mustGet(t *testing.T, s *Settings, name string) string {
	t.Helper()
	v, ok := s.Get(name)
	if !ok {
		t.Fatalf("Get(%q): unknown", name)
	}
	return v
}

func TestDefaults(t *testing.T) {
	s := newSettings(t, nil)
	for name, want := range map[string]string{
		"server_version":                      "15.8",
		"server_version_num":                  "150008",
		"server_encoding":                     "UTF8",
		"client_encoding":                     "UTF8",
		"DateStyle":                           "ISO, MDY",
		"datestyle":                           "ISO, MDY",
		"TimeZone":                            "UTC",
		"integer_datetimes":                   "on",
		"standard_conforming_strings":         "on",
		"application_name":                    "",
		"is_superuser":                        "off",
		"session_authorization":               "alice",
		"IntervalStyle":                       "postgres",
		"search_path":                         `"$user", public`,
		"extra_float_digits":                  "1",
		"statement_timeout":                   "30s",
		"client_min_messages":                 "notice",
		"default_transaction_isolation":       "read committed",
		"transaction_isolation":               "read committed",
		"transaction_read_only":               "off",
		"lock_timeout":                        "0",
		"idle_in_transaction_session_timeout": "0",
		"max_identifier_length":               "63",
		"faz.consistent_read":                 "off",
		"faz.show_capacity":                   "off",
		"faz.language":                        "sql",
	} {
		if got := mustGet(t, s, name); got != want {
			t.Errorf("SHOW %s = %q, want %q", name, got, want)
		}
	}
	if got := s.StatementTimeout(); got != 30*time.Second {
		t.Errorf("StatementTimeout = %v", got)
	}
}

func TestSetShow(t *testing.T) {
	cases := []struct {
		name, value string
		want        string // SHOW after SET; "" with code set means an error
		code        string
	}{
		{"application_name", "psql", "psql", ""},
		{"APPLICATION_NAME", "x y", "x y", ""},
		{"client_encoding", "utf8", "UTF8", ""},
		{"client_encoding", "UTF-8", "UTF8", ""},
		{"client_encoding", "unicode", "UTF8", ""},
		{"client_encoding", "SQL_ASCII", "SQL_ASCII", ""},
		{"client_encoding", "LATIN1", "", pgerr.InvalidParameterValue},
		{"DateStyle", "ISO", "ISO, MDY", ""},
		{"datestyle", "iso, mdy", "ISO, MDY", ""},
		{"DateStyle", "US", "ISO, MDY", ""},
		{"DateStyle", "SQL, DMY", "", pgerr.FeatureNotSupported},
		{"DateStyle", "ISO, YMD", "", pgerr.FeatureNotSupported},
		{"DateStyle", "banana", "", pgerr.InvalidParameterValue},
		{"DateStyle", "ISO, MDY, US, ISO", "ISO, MDY", ""},
		{"TimeZone", "Europe/Berlin", "Europe/Berlin", ""},
		{"timezone", "europe/berlin", "Europe/Berlin", ""},
		{"timezone", "utc", "UTC", ""},
		{"timezone", "America/Port_of_Spain", "America/Port_of_Spain", ""},
		{"timezone", "-7", "<-07>+07", ""},
		{"timezone", "5.5", "<+05:30>-05:30", ""},
		{"timezone", "UTC+3", "UTC+3", ""},
		{"timezone", "Mars/Olympus", "", pgerr.InvalidParameterValue},
		{"statement_timeout", "5000", "5s", ""},
		{"statement_timeout", "5s", "5s", ""},
		{"statement_timeout", "1500", "1500ms", ""},
		{"statement_timeout", "1.5s", "1500ms", ""},
		{"statement_timeout", "2 min", "2min", ""},
		{"statement_timeout", "1h", "1h", ""},
		{"statement_timeout", "2d", "2d", ""},
		{"statement_timeout", "0", "0", ""},
		{"statement_timeout", "500us", "0", ""},
		{"statement_timeout", "5S", "", pgerr.InvalidParameterValue},
		{"statement_timeout", "abc", "", pgerr.InvalidParameterValue},
		{"statement_timeout", "-1", "", pgerr.InvalidParameterValue},
		{"lock_timeout", "10s", "10s", ""},
		{"idle_in_transaction_session_timeout", "60000", "1min", ""},
		{"extra_float_digits", "3", "3", ""},
		{"extra_float_digits", "2.5", "2", ""},
		{"extra_float_digits", "4", "", pgerr.InvalidParameterValue},
		{"extra_float_digits", "x", "", pgerr.InvalidParameterValue},
		{"client_min_messages", "WARNING", "warning", ""},
		{"client_min_messages", "debug", "debug2", ""},
		{"client_min_messages", "loud", "", pgerr.InvalidParameterValue},
		{"faz.consistent_read", "on", "on", ""},
		{"faz.consistent_read", "TRUE", "on", ""},
		{"faz.consistent_read", "y", "on", ""},
		{"faz.consistent_read", "of", "off", ""},
		{"faz.consistent_read", "0", "off", ""},
		{"faz.consistent_read", "o", "", pgerr.InvalidParameterValue},
		{"faz.consistent_read", "maybe", "", pgerr.InvalidParameterValue},
		{"faz.show_capacity", "yes", "on", ""},
		{"faz.language", "PartiQL", "partiql", ""},
		{"faz.language", "dynamo", "dynamo", ""},
		{"faz.language", "cobol", "", pgerr.InvalidParameterValue},
		{"faz.nonsense", "1", "", pgerr.UndefinedObject},
		{"search_path", `public, "My Schema"`, `public, "My Schema"`, ""},
		{"search_path", `"unterminated`, "", pgerr.InvalidParameterValue},
		{"IntervalStyle", "postgres", "postgres", ""},
		{"IntervalStyle", "iso_8601", "", pgerr.FeatureNotSupported},
		{"IntervalStyle", "klingon", "", pgerr.InvalidParameterValue},
		{"standard_conforming_strings", "on", "on", ""},
		{"standard_conforming_strings", "off", "", pgerr.FeatureNotSupported},
		{"default_transaction_isolation", "READ UNCOMMITTED", "read uncommitted", ""},
		{"default_transaction_isolation", "serializable", "", pgerr.FeatureNotSupported},
		{"default_transaction_isolation", "chaos", "", pgerr.InvalidParameterValue},
		{"bytea_output", "escape", "", pgerr.FeatureNotSupported},
		{"session_authorization", "alice", "alice", ""},
		{"session_authorization", "bob", "", pgerr.InsufficientPrivilege},
		{"role", "NONE", "none", ""},
		{"role", "alice", "alice", ""},
		{"role", "bob", "", pgerr.InsufficientPrivilege},
		{"server_version", "16.0", "", cantChangeRuntimeParam},
		{"is_superuser", "on", "", cantChangeRuntimeParam},
		{"integer_datetimes", "off", "", cantChangeRuntimeParam},
		{"no_such_thing", "1", "", pgerr.UndefinedObject},
		{"myapp.user_id", "42", "42", ""},
		{"MyApp.Tenant", "acme", "acme", ""},
		{"a..b", "1", "", invalidName},
		{"1a.b", "1", "", invalidName},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			s := newSettings(t, nil)
			err := s.Set(c.name, c.value, false)
			if c.code != "" {
				if err == nil {
					got, _ := s.Get(c.name)
					t.Fatalf("SET %s = %q succeeded (SHOW %q), want %s", c.name, c.value, got, c.code)
				}
				if pgerr.CodeOf(err) != c.code {
					t.Fatalf("SET %s = %q: %v (code %s), want %s", c.name, c.value, err, pgerr.CodeOf(err), c.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("SET %s = %q: %v", c.name, c.value, err)
			}
			if got := mustGet(t, s, c.name); got != c.want {
				t.Fatalf("SHOW %s = %q, want %q", c.name, got, c.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	s := newSettings(t, nil)
	cases := []struct {
		name, value, msg string
	}{
		{"nope", "1", `unrecognized configuration parameter "nope"`},
		{"faz.consistent_read", "maybe", `parameter "faz.consistent_read" requires a Boolean value`},
		{"statement_timeout", "abc", `invalid value for parameter "statement_timeout": "abc"`},
		{"statement_timeout", "-1", `-1 is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)`},
		{"server_version", "1", `parameter "server_version" cannot be changed`},
	}
	for _, c := range cases {
		err := s.Set(c.name, c.value, false)
		if err == nil || err.Error() != c.msg {
			t.Errorf("SET %s = %q: got %v, want %q", c.name, c.value, err, c.msg)
		}
	}
}

func TestCustomParameters(t *testing.T) {
	s := newSettings(t, nil)
	if _, ok := s.Get("my.setting"); ok {
		t.Fatal("an unset custom parameter must be unknown")
	}
	if err := s.Set("My.Setting", "v", false); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, s, "my.setting"); v != "v" {
		t.Fatalf("SHOW my.setting = %q", v)
	}
	if n, _ := s.Name("MY.SETTING"); n != "my.setting" {
		t.Fatalf("Name = %q", n)
	}
	if err := s.Reset("my.setting"); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, s, "my.setting"); v != "" {
		t.Fatalf("after RESET: %q, want empty", v)
	}
	if err := s.Reset("plainname"); pgerr.CodeOf(err) != pgerr.UndefinedObject {
		t.Fatalf("RESET plainname: %v", err)
	}
	for _, r := range s.ShowAll() {
		if r.Name == "my.setting" {
			t.Fatal("SHOW ALL lists a custom parameter")
		}
	}
}

func TestReset(t *testing.T) {
	s := newSettings(t, map[string]string{"application_name": "start", "search_path": "app"})
	must(t, s.Set("application_name", "later", false))
	must(t, s.Set("search_path", "other", false))
	must(t, s.Set("extra_float_digits", "3", false))
	must(t, s.Reset("application_name"))
	if v := mustGet(t, s, "application_name"); v != "start" {
		t.Fatalf("RESET application_name: %q, want the startup value", v)
	}
	if err := s.Reset("server_version"); pgerr.CodeOf(err) != cantChangeRuntimeParam {
		t.Fatalf("RESET server_version: %v", err)
	}
	s.ResetAll()
	for name, want := range map[string]string{"search_path": "app", "extra_float_digits": "1",
		"session_authorization": "alice", "server_version": "15.8"} {
		if v := mustGet(t, s, name); v != want {
			t.Errorf("after RESET ALL %s = %q, want %q", name, v, want)
		}
	}
}

func TestTransactions(t *testing.T) {
	type step struct {
		op          string // set, local, reset, begin, commit, rollback
		name, value string
	}
	cases := []struct {
		name  string
		steps []step
		want  string // SHOW application_name at the end
	}{
		{"set in committed block persists", []step{{op: "begin"}, {"set", "application_name", "a"}, {op: "commit"}}, "a"},
		{"set in rolled-back block reverts", []step{{"set", "application_name", "before"}, {op: "begin"},
			{"set", "application_name", "a"}, {op: "rollback"}}, "before"},
		{"set local ends at commit", []step{{op: "begin"}, {"local", "application_name", "a"}, {op: "commit"}}, ""},
		{"set local ends at rollback", []step{{op: "begin"}, {"local", "application_name", "a"}, {op: "rollback"}}, ""},
		{"set local visible inside", []step{{op: "begin"}, {"local", "application_name", "a"}}, "a"},
		{"set local outside block has no effect", []step{{"local", "application_name", "a"}}, ""},
		{"set after set local wins at commit", []step{{op: "begin"}, {"local", "application_name", "l"},
			{"set", "application_name", "s"}, {op: "commit"}}, "s"},
		{"set then set local: set survives", []step{{op: "begin"}, {"set", "application_name", "s"},
			{"local", "application_name", "l"}, {op: "commit"}}, "s"},
		{"reset in rolled-back block reverts", []step{{"set", "application_name", "x"}, {op: "begin"},
			{"reset", "application_name", ""}, {op: "rollback"}}, "x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSettings(t, nil)
			for _, st := range c.steps {
				switch st.op {
				case "set":
					must(t, s.Set(st.name, st.value, false))
				case "local":
					must(t, s.Set(st.name, st.value, true))
				case "reset":
					must(t, s.Reset(st.name))
				case "begin":
					s.BeginTx()
				case "commit":
					s.EndTx(true)
				case "rollback":
					s.EndTx(false)
				}
			}
			if v := mustGet(t, s, "application_name"); v != c.want {
				t.Fatalf("application_name = %q, want %q", v, c.want)
			}
		})
	}
}

func TestSavepoints(t *testing.T) {
	s := newSettings(t, nil)
	s.BeginTx()
	must(t, s.Set("application_name", "one", false))
	s.Savepoint("a")
	must(t, s.Set("application_name", "two", false))
	must(t, s.Set("extra_float_digits", "3", true))
	s.Savepoint("b")
	must(t, s.Set("application_name", "three", false))
	steps := []struct {
		op, name string
		ok       bool
		app, efd string
	}{
		{"rollback", "b", true, "two", "3"},
		{"rollback", "b", true, "two", "3"}, // the savepoint remains after ROLLBACK TO
		{"rollback", "a", true, "one", "1"}, // SET LOCAL after the savepoint is undone too
		{"release", "b", false, "one", "1"}, // dropped by the ROLLBACK TO a
		{"release", "a", true, "one", "1"},
		{"rollback", "a", false, "one", "1"},
	}
	for i, st := range steps {
		var ok bool
		if st.op == "rollback" {
			ok = s.RollbackTo(st.name)
		} else {
			ok = s.Release(st.name)
		}
		if ok != st.ok || mustGet(t, s, "application_name") != st.app || mustGet(t, s, "extra_float_digits") != st.efd {
			t.Fatalf("step %d %s %s: ok %v app %q efd %q", i, st.op, st.name, ok,
				mustGet(t, s, "application_name"), mustGet(t, s, "extra_float_digits"))
		}
	}
	s.EndTx(false)
	if s.RollbackTo("a") {
		t.Fatal("savepoints must end with the block")
	}
}

func TestCustomRolledBack(t *testing.T) {
	s := newSettings(t, nil)
	s.BeginTx()
	must(t, s.Set("app.x", "1", false))
	s.EndTx(false)
	if v, ok := s.Get("app.x"); ok {
		t.Fatalf("custom parameter survived rollback: %q", v)
	}
}

func TestTransactionScoped(t *testing.T) {
	s := newSettings(t, nil)
	must(t, s.Set("transaction_isolation", "read uncommitted", false))
	if v := mustGet(t, s, "transaction_isolation"); v != "read committed" {
		t.Fatalf("outside a block SET transaction_isolation must not stick: %q", v)
	}
	must(t, s.Set("default_transaction_isolation", "read uncommitted", false))
	if v := mustGet(t, s, "transaction_isolation"); v != "read uncommitted" {
		t.Fatalf("transaction_isolation must start from the default: %q", v)
	}
	s.BeginTx()
	must(t, s.Set("transaction_read_only", "on", false))
	if !s.Bool("transaction_read_only") {
		t.Fatal("transaction_read_only inside the block")
	}
	s.EndTx(true)
	if s.Bool("transaction_read_only") {
		t.Fatal("transaction_read_only must end with the block")
	}
}

func TestStartup(t *testing.T) {
	cases := []struct {
		name    string
		startup map[string]string
		want    map[string]string
		code    string
	}{
		{"jdbc", map[string]string{"user": "u", "database": "d", "DateStyle": "ISO", "TimeZone": "Europe/Paris",
			"extra_float_digits": "3", "client_encoding": "UTF8", "application_name": "PostgreSQL JDBC Driver"},
			map[string]string{"DateStyle": "ISO, MDY", "TimeZone": "Europe/Paris", "extra_float_digits": "3",
				"application_name": "PostgreSQL JDBC Driver", "session_authorization": "u"}, ""},
		{"options -c", map[string]string{"options": "-c search_path=app -c statement_timeout=5s"},
			map[string]string{"search_path": "app", "statement_timeout": "5s"}, ""},
		{"options --name and dashes", map[string]string{"options": "--statement-timeout=1min  -cfaz.consistent_read=on"},
			map[string]string{"statement_timeout": "1min", "faz.consistent_read": "on"}, ""},
		{"custom parameter in options", map[string]string{"options": "-c myapp.tenant=acme"},
			map[string]string{"myapp.tenant": "acme"}, ""},
		{"options escaped space", map[string]string{"options": `-c application_name=my\ app`},
			map[string]string{"application_name": "my app"}, ""},
		{"packet parameter beats options", map[string]string{"options": "-c application_name=opt", "application_name": "pkt"},
			map[string]string{"application_name": "pkt"}, ""},
		{"bad switch", map[string]string{"options": "-B 100"}, nil, pgerr.SyntaxError},
		{"switch without value", map[string]string{"options": "-c statement_timeout"}, nil, pgerr.SyntaxError},
		{"unknown parameter", map[string]string{"bogus": "1"}, nil, pgerr.UndefinedObject},
		{"latin1", map[string]string{"client_encoding": "LATIN1"}, nil, pgerr.InvalidParameterValue},
		{"read-only", map[string]string{"options": "-c server_version=9.6"}, nil, cantChangeRuntimeParam},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, ok := c.startup["user"]; !ok {
				c.startup["user"] = "alice"
			}
			s, err := New(c.startup, Defaults{})
			if c.code != "" {
				if pgerr.CodeOf(err) != c.code {
					t.Fatalf("New: %v, want %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range c.want {
				if v := mustGet(t, s, name); v != want {
					t.Errorf("%s = %q, want %q", name, v, want)
				}
			}
			// Startup values are what RESET returns to.
			s.ResetAll()
			for name, want := range c.want {
				if v := mustGet(t, s, name); v != want {
					t.Errorf("after RESET ALL %s = %q, want %q", name, v, want)
				}
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	got, err := ParseOptions(`  -c a=1 -cb=2 --c-d=x\ y  -c "e=3"`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"a", "1"}, {"b", "2"}, {"c_d", "x y"}, {`"e`, `3"`}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestReports(t *testing.T) {
	s := newSettings(t, map[string]string{"application_name": "app"})
	wantNames := []string{"server_version", "server_encoding", "client_encoding", "application_name", "DateStyle",
		"TimeZone", "integer_datetimes", "standard_conforming_strings", "IntervalStyle", "is_superuser",
		"session_authorization"}
	if got := s.ReportableNames(); !slices.Equal(got, wantNames) {
		t.Fatalf("ReportableNames = %q", got)
	}
	if r := s.PendingReports(); len(r) != 0 {
		t.Fatalf("nothing changed since startup, got %v", r)
	}
	must(t, s.Set("application_name", "app", false))
	if r := s.PendingReports(); len(r) != 0 {
		t.Fatalf("SET to the same value reports nothing, got %v", r)
	}
	must(t, s.Set("application_name", "other", false))
	must(t, s.Set("extra_float_digits", "2", false))
	if r := s.PendingReports(); !slices.Equal(r, []Report{{"application_name", "other"}}) {
		t.Fatalf("got %v", r)
	}
	s.BeginTx()
	must(t, s.Set("TimeZone", "Asia/Tokyo", false))
	if r := s.PendingReports(); !slices.Equal(r, []Report{{"TimeZone", "Asia/Tokyo"}}) {
		t.Fatalf("got %v", r)
	}
	s.EndTx(false)
	if r := s.PendingReports(); !slices.Equal(r, []Report{{"TimeZone", "UTC"}}) {
		t.Fatalf("rollback must report the reverted value, got %v", r)
	}
}

func TestShowAll(t *testing.T) {
	s := newSettings(t, nil)
	rows := s.ShowAll()
	if !slices.IsSortedFunc(rows, func(a, b Row) int {
		return cmpLower(a.Name, b.Name)
	}) {
		t.Fatal("SHOW ALL is not sorted by name")
	}
	found := map[string]string{}
	for _, r := range rows {
		if r.Description == "" {
			t.Errorf("%s has no description", r.Name)
		}
		found[r.Name] = r.Setting
	}
	if found["DateStyle"] != "ISO, MDY" || found["faz.language"] != "sql" || found["statement_timeout"] != "30s" {
		t.Fatalf("SHOW ALL rows wrong: %v", found)
	}
}

func cmpLower(a, b string) int {
	la, lb := []byte(a), []byte(b)
	for i := range la {
		if la[i] >= 'A' && la[i] <= 'Z' {
			la[i] += 'a' - 'A'
		}
	}
	for i := range lb {
		if lb[i] >= 'A' && lb[i] <= 'Z' {
			lb[i] += 'a' - 'A'
		}
	}
	return slices.Compare(la, lb)
}

func TestListParameters(t *testing.T) {
	if !QuotesList("SEARCH_PATH") || QuotesList("application_name") {
		t.Fatal("only search_path quotes its list items")
	}
	if !ListInput("datestyle") || !ListInput("search_path") || ListInput("TimeZone") {
		t.Fatal("DateStyle and search_path take lists; TimeZone does not")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
