package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// update rewrites the golden files of this package instead of comparing:
// testdata/psql/*.out (psql's output through fazproxy) and
// testdata/replay/psql15.sql (the SQL psql 15 sends, captured from the
// reference PostgreSQL's log).
var update = flag.Bool("update", false, "rewrite testdata/psql/*.out and testdata/replay/psql15.sql")

// metaCommand is one psql meta-command. compare says which parts of its
// output must agree with the reference PostgreSQL holding the same tables
// (the rest differs legitimately: owners, sizes, other databases and roles).
type metaCommand struct {
	file    string // testdata/psql/<file>.out
	command string
	compare metaCompare
}

type metaCompare struct {
	columns []string // these columns, as a set of rows, must be equal
	keep    func(row map[string]string) bool
	header  bool // the column headers must be equal
	footer  bool // the index lines under "Indexes:" must be equal
}

func metaCommands() []metaCommand {
	relations := metaCompare{columns: []string{"Schema", "Name", "Type"}, header: true}
	describe := metaCompare{columns: []string{"Column", "Type", "Nullable"}, header: true, footer: true}
	cmds := []metaCommand{
		// \l: the reference also has postgres, template0 and template1.
		{"l", `\l`, metaCompare{columns: []string{"Name", "Encoding"}, header: true,
			keep: func(r map[string]string) bool { return r["Name"] == "demo" }}},
		{"dn", `\dn`, metaCompare{columns: []string{"Name"}, header: true}},
		{"dt", `\dt`, relations},
		{"dt_plus", `\dt+`, relations},
		{"d", `\d`, relations},
		{"di", `\di`, metaCompare{columns: []string{"Schema", "Name", "Type", "Table"}, header: true}},
		// \du: the reference's only role is the superuser postgres, fazproxy's
		// roles are the users of faz.yaml; only the shape can agree.
		{"du", `\du`, metaCompare{header: true}},
		{"df", `\df`, metaCompare{columns: []string{"Schema", "Name"}, header: true}},
	}
	for _, table := range []string{"customers", "orders", "products"} {
		cmds = append(cmds,
			metaCommand{"d_" + table, `\d ` + table, describe},
			metaCommand{"d_plus_" + table, `\d+ ` + table, describe})
	}
	return cmds
}

// runPsql runs one meta-command with psql against dsn. extraEnv is added to
// the environment (PGOPTIONS for the capture).
func runPsql(ctx context.Context, dsn, command string, extraEnv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// No psqlrc (-X), no pager, quiet, stop at the first error, and the
	// default aligned format, which is what a user sees.
	args := []string{"-X", "-q", "-P", "pager=off", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", command}
	cmd := exec.CommandContext(ctx, "psql", args...)
	// A fixed locale and encoding: psql translates its headers and picks its
	// line-drawing characters from them.
	cmd.Env = append(cmd.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "PGCLIENTENCODING=UTF8",
		"PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PGTZ=UTC", "COLUMNS=200")
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.CombinedOutput()
	if err == nil && strings.Contains(string(out), "ERROR:") {
		err = fmt.Errorf("psql printed an error")
	}
	return string(out), err
}

var (
	sizeRe   = regexp.MustCompile(`\b\d+ (bytes|kB|MB|GB|TB)\b`)
	spacesRe = regexp.MustCompile(` {2,}`)
	dashesRe = regexp.MustCompile(`-{2,}`)
)

// filterPsql is the documented filter applied to psql output before it is
// compared with a golden file: table sizes (DescribeTable's TableSizeBytes,
// which DynamoDB updates every few hours) become <size>, and because the
// width of an aligned column depends on its widest value, an output that had
// a size also has its runs of spaces and dashes collapsed. Nothing else is
// changed: owners, types, keys and indexes are compared byte for byte.
func filterPsql(out string) string {
	filtered := sizeRe.ReplaceAllString(out, "<size>")
	if filtered == out {
		return out
	}
	lines := strings.Split(filtered, "\n")
	for i, l := range lines {
		l = spacesRe.ReplaceAllString(l, " ")
		lines[i] = strings.TrimRight(dashesRe.ReplaceAllString(l, "--"), " ")
	}
	return strings.Join(lines, "\n")
}

// TestPsqlMetaGolden runs psql 15's meta-commands against fazproxy and
// compares the output with testdata/psql/*.out (-update rewrites them).
func TestPsqlMetaGolden(t *testing.T) {
	ctx := context.Background()
	dir := repoFile("integration", "testdata", "psql")
	for _, mc := range metaCommands() {
		t.Run(mc.file, func(t *testing.T) {
			out, err := runPsql(ctx, proxyDSN(), mc.command)
			if err != nil {
				t.Fatalf("psql %s through fazproxy: %v\n%s\n%s", mc.command, err, out, logTail())
			}
			got := filterPsql(out)
			path := filepath.Join(dir, mc.file+".out")
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("psql %s differs from %s\n--- got\n%s\n--- want\n%s", mc.command, path, got, want)
			}
		})
	}
}

// TestPsqlMetaMatchesPostgres runs the same meta-commands against the
// reference PostgreSQL holding the same tables and requires the structural
// parts to agree: relation names and kinds, column names, types and
// nullability, and the PRIMARY KEY and index lines of \d. With -update it
// also records the SQL psql sent into testdata/replay/psql15.sql.
func TestPsqlMetaMatchesPostgres(t *testing.T) {
	ctx := context.Background()
	var capture *logCapture
	if *update {
		var err error
		if capture, err = startLogCapture(ctx, env.pgDSN); err != nil {
			t.Fatal(err)
		}
	}
	var captured []capturedStatement
	for _, mc := range metaCommands() {
		t.Run(mc.file, func(t *testing.T) {
			var extra []string
			if capture != nil {
				// log_statement is superuser-only; the reference connects as
				// the superuser postgres, so only these sessions are logged.
				extra = []string{"PGOPTIONS=-c log_statement=all"}
			}
			refOut, err := runPsql(ctx, env.pgDSN, mc.command, extra...)
			if err != nil {
				t.Fatalf("psql %s on the reference PostgreSQL: %v\n%s", mc.command, err, refOut)
			}
			if capture != nil {
				stmts, err := capture.next()
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range stmts {
					captured = append(captured, capturedStatement{command: mc.command, sql: s})
				}
			}
			out, err := runPsql(ctx, proxyDSN(), mc.command)
			if err != nil {
				t.Fatalf("psql %s through fazproxy: %v\n%s\n%s", mc.command, err, out, logTail())
			}
			got, want := parsePsqlTable(out), parsePsqlTable(refOut)
			for _, problem := range compareMeta(mc.compare, got, want) {
				t.Errorf("psql %s: %s\n--- fazproxy\n%s\n--- reference PostgreSQL\n%s", mc.command, problem, out, refOut)
			}
			if mc.compare.footer && !hasPrimaryKeyLine(got) {
				t.Errorf("psql %s through fazproxy shows no PRIMARY KEY index:\n%s", mc.command, out)
			}
		})
	}
	// The capture comes from the reference alone, so it is written even when
	// fazproxy fails some commands.
	if capture != nil {
		if err := writePsqlReplay(ctx, env.pgDSN, captured); err != nil {
			t.Fatal(err)
		}
	}
}

func hasPrimaryKeyLine(tb psqlTable) bool {
	for _, l := range tb.footer {
		if strings.Contains(l, "PRIMARY KEY, btree (") {
			return true
		}
	}
	return false
}

// psqlTable is psql's aligned output taken apart.
type psqlTable struct {
	title  string
	header []string
	rows   []map[string]string
	footer []string // lines after the rows, trimmed ("Indexes:", index lines, ...)
}

var dashLine = regexp.MustCompile(`^-+(\+-+)*$`)
var rowCount = regexp.MustCompile(`^\(\d+ rows?\)$`)

func parsePsqlTable(out string) psqlTable {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var tb psqlTable
	sep := slices.IndexFunc(lines, func(l string) bool { return dashLine.MatchString(l) })
	if sep < 1 {
		return tb
	}
	for _, l := range lines[:sep-1] {
		tb.title += strings.TrimSpace(l)
	}
	tb.header = splitCells(lines[sep-1])
	i := sep + 1
	for ; i < len(lines); i++ {
		l := lines[i]
		if l == "" || rowCount.MatchString(l) || !strings.Contains(l, "|") && len(tb.header) > 1 {
			break
		}
		cells := splitCells(l)
		if cells[0] == "" && len(tb.rows) > 0 {
			continue // the continuation of a multi-line cell
		}
		row := map[string]string{}
		for j, h := range tb.header {
			if j < len(cells) {
				row[h] = strings.TrimSuffix(cells[j], " +")
			}
		}
		tb.rows = append(tb.rows, row)
	}
	for ; i < len(lines); i++ {
		if l := strings.TrimSpace(lines[i]); l != "" && !rowCount.MatchString(l) {
			tb.footer = append(tb.footer, l)
		}
	}
	return tb
}

func splitCells(line string) []string {
	cells := strings.Split(line, "|")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

// compareMeta lists how got (fazproxy) differs from want (PostgreSQL) in the
// parts c names.
func compareMeta(c metaCompare, got, want psqlTable) []string {
	var problems []string
	if c.header && !slices.Equal(got.header, want.header) {
		problems = append(problems, fmt.Sprintf("headers %q, PostgreSQL has %q", got.header, want.header))
	}
	if c.footer && got.title != want.title {
		problems = append(problems, fmt.Sprintf("title %q, PostgreSQL has %q", got.title, want.title))
	}
	if len(c.columns) > 0 {
		g, w := projectRows(got.rows, c), projectRows(want.rows, c)
		if !slices.Equal(g, w) {
			problems = append(problems, fmt.Sprintf("rows (%s) %q, PostgreSQL has %q", strings.Join(c.columns, ", "), g, w))
		}
	}
	if c.footer {
		g, w := indexLines(got.footer), indexLines(want.footer)
		if !slices.Equal(g, w) {
			problems = append(problems, fmt.Sprintf("index lines %q, PostgreSQL has %q", g, w))
		}
	}
	return problems
}

func projectRows(rows []map[string]string, c metaCompare) []string {
	var out []string
	for _, r := range rows {
		if c.keep != nil && !c.keep(r) {
			continue
		}
		var cells []string
		for _, col := range c.columns {
			cells = append(cells, r[col])
		}
		out = append(out, strings.Join(cells, " | "))
	}
	slices.Sort(out)
	return out
}

// indexLines are the lines under "Indexes:" (each starts with the quoted
// index name), sorted.
func indexLines(footer []string) []string {
	var out []string
	in := false
	for _, l := range footer {
		switch {
		case l == "Indexes:":
			in = true
		case strings.HasSuffix(l, ":") || strings.Contains(l, ": "):
			in = false
		case in:
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// logCapture reads the statements the reference PostgreSQL logged since the
// last call. The harness starts it with its log on stderr in
// <data_directory>/../postgres.log and the default log_line_prefix '%m [%p] '.
type logCapture struct {
	path   string
	offset int64
}

type capturedStatement struct {
	command string // the psql meta-command that sent it
	sql     string
}

func startLogCapture(ctx context.Context, dsn string) (*logCapture, error) {
	conn, err := pgxConnect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var dataDir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	c := &logCapture{path: filepath.Join(filepath.Dir(dataDir), "postgres.log")}
	st, err := os.Stat(c.path)
	if err != nil {
		return nil, fmt.Errorf("capture: the reference PostgreSQL's log: %w", err)
	}
	c.offset = st.Size()
	return c, nil
}

var logStatementRe = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[\d+\] LOG:  statement: (.*)$`)

func (c *logCapture) next() ([]string, error) {
	b, err := os.ReadFile(c.path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if int64(len(b)) < c.offset {
		return nil, fmt.Errorf("capture: %s shrank", c.path)
	}
	chunk := string(b[c.offset:])
	c.offset = int64(len(b))
	return parseLoggedStatements(chunk), nil
}

// parseLoggedStatements: the server writes a multi-line message with a tab
// after each newline, so a statement runs on as long as lines start with a tab.
func parseLoggedStatements(log string) []string {
	var out []string
	var cur []string
	flush := func() {
		if cur != nil {
			out = append(out, strings.TrimSpace(strings.Join(cur, "\n")))
			cur = nil
		}
	}
	for _, l := range strings.Split(log, "\n") {
		if m := logStatementRe.FindStringSubmatch(l); m != nil {
			flush()
			cur = []string{m[2]}
			continue
		}
		if cur != nil && strings.HasPrefix(l, "\t") {
			cur = append(cur, l[1:])
			continue
		}
		flush()
	}
	flush()
	return out
}

func TestParsePsqlTableAndFilter(t *testing.T) {
	out := `                 Table "public.orders"
   Column    |  Type   | Collation | Nullable | Default 
-------------+---------+-----------+----------+---------
 customer_id | text    |           | not null | 
 total       | numeric |           |          | 
Indexes:
    "orders_pkey" PRIMARY KEY, btree (customer_id, order_id)
    "by_total" btree (customer_id, total)
Access method: heap
`
	tb := parsePsqlTable(out)
	if tb.title != `Table "public.orders"` || len(tb.rows) != 2 || tb.rows[1]["Type"] != "numeric" || tb.rows[0]["Nullable"] != "not null" {
		t.Fatalf("parsed %+v", tb)
	}
	if got := indexLines(tb.footer); len(got) != 2 || got[0] != `"by_total" btree (customer_id, total)` {
		t.Errorf("indexLines = %q", got)
	}
	if !hasPrimaryKeyLine(tb) {
		t.Error("no PRIMARY KEY line found")
	}
	other := parsePsqlTable(strings.Replace(out, " not null ", "          ", 1))
	if p := compareMeta(metaCompare{columns: []string{"Column", "Nullable"}, footer: true}, tb, other); len(p) != 1 {
		t.Errorf("compareMeta found %q, want one difference", p)
	}
	sized := " public | orders | 841 kB   | x\n--------+--------+----------+--\n"
	if got, want := filterPsql(sized), " public | orders | <size> | x\n--+--+--+--\n"; got != want {
		t.Errorf("filterPsql = %q, want %q", got, want)
	}
	if filterPsql(out) != out {
		t.Error("filterPsql changed an output without sizes")
	}
}
