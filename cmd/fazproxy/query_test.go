package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/pgerr"
)

// writeConfig writes a faz.yaml whose DynamoDB endpoint refuses
// connections: the statements these tests run never reach DynamoDB (no
// FROM, SET/SHOW, or refused by policy first), and one that did would fail.
func writeConfig(t *testing.T, users, permissions string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "faz.yaml")
	text := `auth: {method: trust}
users:
` + users + `
databases:
  - name: shop
    username: a
    password: b
    extra: {endpoint_url: "http://127.0.0.1:1"}
  - name: other
    username: a
    password: b
    extra: {endpoint_url: "http://127.0.0.1:1"}
permissions:
` + permissions
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCLICommands(t *testing.T) {
	two := writeConfig(t, "  - name: ro\n  - name: rw",
		"  - {database: shop, access: R, users: [ro]}\n  - {database: shop, access: RW, users: [rw]}\n")
	one := writeConfig(t, "  - name: ro", "  - {database: shop, access: R}\n")
	put := `{"verb":"PutItem","TableName":"t","Item":{"k":{"S":"1"}}}`
	cases := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		wantOut    string // the whole of stdout, unless contains
		contains   bool
		wantStderr string
	}{
		{name: "sql json", args: []string{"query", "SELECT 1 AS a, 'x' AS b", "--config", two, "--database", "shop", "--user", "ro", "--format", "json"},
			wantOut: `[` + "\n" + `  {"a": 1, "b": "x"}` + "\n]\n"},
		{name: "flags before the text", args: []string{"query", "--config", one, "--database", "shop", "--format", "csv", "SELECT 2 AS n"},
			wantOut: "n\r\n2\r\n"},
		{name: "text from stdin", args: []string{"query", "-", "--config", one, "--database", "shop"}, stdin: "SELECT 3 AS n",
			wantOut: " n \n---\n 3\n(1 row)\n"},
		{name: "language is set in the session", args: []string{"query", "SHOW faz.language", "--config", one, "--database", "shop", "--language", "dynamo", "--format", "csv"},
			wantOut: "faz.language\r\ndynamo\r\n"},
		{name: "several statements", args: []string{"query", "SET application_name = 'x'; SHOW application_name", "--config", one, "--database", "shop"},
			wantOut: "SET\n application_name \n------------------\n x\n(1 row)\n"},
		{name: "write refused under R", args: []string{"query", put, "--config", one, "--database", "shop", "--language", "dynamo"},
			code: exitPermission, wantStderr: "(SQLSTATE 42501)"},
		{name: "default user is named on refusal", args: []string{"query", put, "--config", one, "--database", "shop", "--language", "dynamo"},
			code: exitPermission, wantStderr: `ran as user "ro" (chosen by default)`},
		{name: "no permission entry for the database", args: []string{"query", "SELECT 1", "--config", one, "--database", "other"},
			code: exitPermission, wantStderr: "(SQLSTATE 28000)"},
		{name: "SQL error", args: []string{"query", "SELECT 1/0", "--config", one, "--database", "shop"},
			code: exitSQL, wantStderr: "(SQLSTATE 22012)"},
		{name: "syntax error", args: []string{"query", "SELEC 1", "--config", one, "--database", "shop"},
			code: exitSQL, wantStderr: "(SQLSTATE 42601)"},
		{name: "database required", args: []string{"query", "SELECT 1", "--config", one},
			code: exitUsage, wantStderr: `--database is required: faz.yaml has databases "shop", "other"`},
		{name: "unknown database", args: []string{"query", "SELECT 1", "--config", one, "--database", "nope"},
			code: exitUsage, wantStderr: `database "nope" is not in faz.yaml`},
		{name: "unknown user", args: []string{"query", "SELECT 1", "--config", one, "--database", "shop", "--user", "eve"},
			code: exitUsage, wantStderr: `user "eve" is not in faz.yaml (users: "ro")`},
		{name: "bad format", args: []string{"query", "SELECT 1", "--format", "xml"}, code: exitUsage, wantStderr: `--format "xml"`},
		{name: "bad language", args: []string{"query", "SELECT 1", "--language", "cql"}, code: exitUsage, wantStderr: `--language "cql"`},
		{name: "no text", args: []string{"query", "--config", one}, code: exitUsage, wantStderr: "usage: fazproxy query TEXT"},
		{name: "two texts", args: []string{"query", "a", "b"}, code: exitUsage, wantStderr: "usage: fazproxy query TEXT"},
		{name: "bad flag", args: []string{"query", "x", "--nope"}, code: exitUsage, wantStderr: "flag provided but not defined"},
		{name: "missing file", args: []string{"query", "SELECT 1", "--config", filepath.Join(t.TempDir(), "no.yaml")},
			code: exitUsage, wantStderr: "no.yaml"},
		{name: "tables usage", args: []string{"tables", "extra"}, code: exitUsage, wantStderr: "usage: fazproxy tables"},
		{name: "describe usage", args: []string{"describe"}, code: exitUsage, wantStderr: "usage: fazproxy describe TABLE"},
		{name: "help lists query", args: []string{"help"}, wantOut: "fazproxy query TEXT", contains: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("USER", "")
			var out, errOut bytes.Buffer
			code := run(context.Background(), c.args, strings.NewReader(c.stdin), &out, &errOut)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out.String(), errOut.String())
			}
			if c.wantOut != "" && out.String() != c.wantOut && !(c.contains && strings.Contains(out.String(), c.wantOut)) {
				t.Errorf("stdout %q, want %q", out.String(), c.wantOut)
			}
			if !strings.Contains(errOut.String(), c.wantStderr) {
				t.Errorf("stderr lacks %q: %s", c.wantStderr, errOut.String())
			}
		})
	}
}

func TestPickUser(t *testing.T) {
	cfg := func(names ...string) *config.Config {
		c := &config.Config{}
		for _, n := range names {
			c.Users = append(c.Users, config.User{Name: n})
		}
		return c
	}
	cases := []struct {
		name          string
		cfg           *config.Config
		flag, envUser string
		want          string
		wantErr       bool
	}{
		{"flag wins", cfg("a", "b"), "b", "a", "b", false},
		{"only user", cfg("a"), "", "b", "a", false},
		{"$USER among several", cfg("a", "b"), "", "b", "b", false},
		{"$USER unknown", cfg("a", "b"), "", "c", "", true},
		{"flag unknown", cfg("a"), "c", "", "", true},
		{"no users section: $USER", cfg(), "", "c", "c", false},
		{"nobody", cfg("a", "b"), "", "", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := pickUser(c.cfg, c.flag, c.envUser)
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("pickUser = %q, %v; want %q (error %v)", got, err, c.want, c.wantErr)
			}
			if err != nil && exitCodeOf(err) != exitUsage {
				t.Errorf("error %v exits %d, want %d", err, exitCodeOf(err), exitUsage)
			}
		})
	}
}

func TestParseInterleaved(t *testing.T) {
	cases := []struct {
		args    []string
		wantPos []string
		wantDB  string
	}{
		{[]string{"text", "--database", "d"}, []string{"text"}, "d"},
		{[]string{"--database", "d", "text"}, []string{"text"}, "d"},
		{[]string{"a", "--database", "d", "b"}, []string{"a", "b"}, "d"},
		{[]string{"--database", "d", "--", "-x"}, []string{"-x"}, "d"},
		{nil, nil, ""},
	}
	for _, c := range cases {
		var o cliOptions
		fs := newCLIFlags("t", io.Discard, &o)
		pos, err := parseInterleaved(fs, c.args)
		if err != nil || !slices.Equal(pos, c.wantPos) || o.database != c.wantDB {
			t.Errorf("%q: pos %q database %q err %v; want %q %q", c.args, pos, o.database, err, c.wantPos, c.wantDB)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := parseInterleaved(fs, []string{"x", "--nope"}); !errors.Is(err, errUsage) {
		t.Errorf("unknown flag: err %v, want errUsage", err)
	}
}

func TestExitCodeOf(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{pgerr.New(pgerr.InsufficientPrivilege, "x"), exitPermission},
		{pgerr.New(pgerr.InvalidAuthorizationSpec, "x"), exitPermission},
		{pgerr.New(pgerr.ConfigFileError, "x"), exitUsage},
		{pgerr.New(pgerr.InvalidCatalogName, "x"), exitUsage},
		{pgerr.New(pgerr.UndefinedTable, "x"), exitSQL},
		{errors.New("plain"), exitSQL},
	}
	for _, c := range cases {
		if got := exitCodeOf(c.err); got != c.want {
			t.Errorf("exitCodeOf(%s) = %d, want %d", pgerr.CodeOf(c.err), got, c.want)
		}
	}
}

func TestDescribeColumnsAndTables(t *testing.T) {
	row := func(vals ...string) [][]byte {
		out := make([][]byte, len(vals))
		for i, v := range vals {
			if v != "<null>" {
				out[i] = []byte(v)
			}
		}
		return out
	}
	cols := &resultSet{rows: [][][]byte{
		row("pk", "text", "text", "NO"), row("sk", "numeric", "numeric", "NO"),
		row("tags", "ARRAY", "_text", "YES"), row("_item", "jsonb", "jsonb", "YES"),
	}}
	keys := &resultSet{rows: [][][]byte{row("pk", "1"), row("sk", "2")}}
	got := describeColumns(cols, keys)
	want := [][]string{
		{"pk", "text", "not null", "partition key"}, {"sk", "numeric", "not null", "sort key"},
		{"tags", "text[]", "", ""}, {"_item", "jsonb", "", ""},
	}
	for i, w := range want {
		for j := range w {
			if cellText(got.rows[i], j) != w[j] {
				t.Errorf("row %d col %d = %q, want %q", i, j, cellText(got.rows[i], j), w[j])
			}
		}
	}
	names := &resultSet{rows: [][][]byte{row("a"), row("b")}}
	tkeys := &resultSet{rows: [][][]byte{row("a", "pa", "1"), row("a", "sa", "2"), row("b", "pb", "1")}}
	tr := tablesResult(names, tkeys)
	if tr.tag != "SELECT 2" || cellText(tr.rows[0], 2) != "sa" || cellText(tr.rows[1], 1) != "pb" || tr.rows[1][2] != nil {
		t.Errorf("tables result %q", tr.rows)
	}
	if s := indexSummary(`CREATE UNIQUE INDEX t_pkey ON public.t USING btree (pk, sk)`); s != "UNIQUE, btree (pk, sk)" {
		t.Errorf("indexSummary = %q", s)
	}
}
