package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The client-compatibility tests (clients_*_test.go) run a real client
// library's program (integration/clients/<lang>) twice, against the reference
// PostgreSQL and against fazproxy, and diff the two outputs. Each program
// prints one line per fact: "section<TAB>field=value<TAB>...", sorted where the
// client leaves the order undefined and without OIDs.

// clientTools is where scripts/install-clients put the pinned client
// libraries.
type clientTools struct {
	pgjdbcJar string // the pgjdbc jar in ~/.m2
	python    string // the venv's python (psycopg 3, SQLAlchemy 2, pandas)
	nodeDir   string // integration/clients/node, with node_modules
}

// installClients runs scripts/install-clients --env, which installs what is
// missing (a no-op taking milliseconds when warm; `make deps` runs it first so
// the cold install is not charged to a test) and says where things are.
func installClients(t *testing.T) clientTools {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, repoFile("scripts", "install-clients"), "--env")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/install-clients --env: %v\n%s", err, stderr.String())
	}
	kv := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	tools := clientTools{pgjdbcJar: kv["PGJDBC_JAR"], python: kv["CLIENTS_PYTHON"], nodeDir: kv["CLIENTS_NODE_DIR"]}
	if tools.pgjdbcJar == "" || tools.python == "" || tools.nodeDir == "" {
		t.Fatalf("scripts/install-clients --env printed no PGJDBC_JAR, CLIENTS_PYTHON or CLIENTS_NODE_DIR:\n%s", out)
	}
	return tools
}

// endpoint is one server a client program connects to.
type endpoint struct {
	name string // "reference" or "fazproxy"
	host string
	port string
	user string
	db   string
}

// clientEndpoints returns the reference PostgreSQL (as postgres) and fazproxy
// (as demo), both serving database demo.
func clientEndpoints(t *testing.T) []endpoint {
	t.Helper()
	ref, err := pgx.ParseConfig(env.pgDSN)
	if err != nil {
		t.Fatalf("parsing the reference DSN: %v", err)
	}
	host, port, err := net.SplitHostPort(env.proxy.Addr)
	if err != nil {
		t.Fatalf("fazproxy address %q: %v", env.proxy.Addr, err)
	}
	return []endpoint{
		{name: "reference", host: ref.Host, port: fmt.Sprint(ref.Port), user: ref.User, db: ref.Database},
		{name: "fazproxy", host: host, port: port, user: "demo", db: "demo"},
	}
}

// url is a libpq URL for e (psycopg, node-postgres).
func (e endpoint) url() string {
	return fmt.Sprintf("postgresql://%s@%s:%s/%s?sslmode=disable", e.user, e.host, e.port, e.db)
}

// runClient runs a client program and returns its stdout. A program that
// exits non-zero fails the test: each program reports query errors as output
// lines (so one diff shows them all) and exits non-zero only when it could not
// run at all.
func runClient(ctx context.Context, t *testing.T, e endpoint, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "TZ=UTC", "PGTZ=UTC", "LC_ALL=C.UTF-8", "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := fmt.Sprintf("%s against %s: %v\n---- stderr\n%s\n---- stdout (last lines)\n%s",
			strings.Join(cmd.Args, " "), e.name, err, clientLastLines(stderr.String(), 30), clientLastLines(string(out), 10))
		if e.name == "fazproxy" {
			msg += "\n---- fazproxy log\n" + logTail()
		}
		t.Fatal(msg)
	}
	return string(out)
}

// allowedDiff is one documented, justified difference between the reference
// PostgreSQL and fazproxy, applied to both outputs before they are compared.
// With field "" every line of a matching section that contains match is
// dropped; otherwise that field's value is replaced by "<allowed>" in every
// line of a matching section.
type allowedDiff struct {
	section string // a line's section, or a prefix of it ending in "*"
	field   string
	match   string
	why     string
}

func (a allowedDiff) appliesTo(section string) bool {
	if p, ok := strings.CutSuffix(a.section, "*"); ok {
		return strings.HasPrefix(section, p)
	}
	return section == a.section
}

// applyAllowed applies the allowed differences to one program output.
func applyAllowed(out string, allowed []allowedDiff) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
lines:
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		for _, a := range allowed {
			if !a.appliesTo(fields[0]) {
				continue
			}
			if a.field == "" {
				if strings.Contains(sc.Text(), a.match) {
					continue lines
				}
				continue
			}
			for i := 1; i < len(fields); i++ {
				if strings.HasPrefix(fields[i], a.field+"=") {
					fields[i] = a.field + "=<allowed>"
				}
			}
		}
		lines = append(lines, strings.Join(fields, "\t"))
	}
	return lines
}

// compareClientOutputs fails t when the outputs differ after the allowed
// differences, showing the first differing lines. It also fails when the
// reference output is empty or reports errors: the check would compare
// nothing, or the program itself is wrong.
func compareClientOutputs(t *testing.T, client, ref, got string, allowed []allowedDiff) {
	t.Helper()
	for _, a := range allowed {
		if a.why == "" {
			t.Fatalf("%s: allowed difference %+v has no reason: every allowed difference must say why", client, a)
		}
	}
	want := applyAllowed(ref, allowed)
	have := applyAllowed(got, allowed)
	if len(want) < 3 {
		t.Fatalf("%s: the reference output has %d lines; the program checks nothing:\n%s", client, len(want), ref)
	}
	for _, l := range want {
		if strings.Contains(l, "\tERROR") {
			t.Fatalf("%s: the program fails against the reference PostgreSQL itself (fix the program):\n%s", client, l)
		}
	}
	if d := clientLineDiff(want, have, 25); d != "" {
		var errs []string
		for _, l := range have {
			if strings.Contains(l, "\tERROR") {
				errs = append(errs, "  "+clientTruncate(l, 300))
			}
		}
		if len(errs) > 0 {
			d = fmt.Sprintf("%d checks fail with an error through fazproxy:\n%s\n%s", len(errs), strings.Join(errs, "\n"), d)
		}
		t.Errorf("%s: output through fazproxy differs from the reference PostgreSQL (- reference, + fazproxy, ~ same row with other values):\n%s", client, d)
	}
}

// clientLineDiff returns a diff of a and b (a longest-common-subsequence diff,
// as the outputs are a few hundred lines) with at most max entries, or "" when
// they are equal. A removed and an added line of the same section with the
// same fields are shown as one "~" entry naming the fields that differ, so a
// wrong value in a wide metadata row is readable.
func clientLineDiff(a, b []string, max int) string {
	var sb strings.Builder
	entries := 0
	emit := func(s string) {
		entries++
		if entries <= max {
			sb.WriteString(clientTruncate(s, 600) + "\n")
		}
	}
	for _, h := range diffHunks(a, b) {
		// Pair lines while they are the same row with other values; show the
		// rest as a block of removals, then of additions.
		n := 0
		for ; n < len(h.del) && n < len(h.add); n++ {
			d, ok := fieldDiff(h.del[n], h.add[n])
			if !ok {
				break
			}
			emit("~ " + d)
		}
		for _, l := range h.del[n:] {
			emit("- " + l)
		}
		for _, l := range h.add[n:] {
			emit("+ " + l)
		}
	}
	if entries > max {
		fmt.Fprintf(&sb, "... and %d more differences\n", entries-max)
	}
	return sb.String()
}

// hunk is a run of lines removed from a and added in b between equal lines.
type hunk struct{ del, add []string }

func diffHunks(a, b []string) []hunk {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				lcs[i][j] = lcs[i+1][j+1] + 1
			case lcs[i+1][j] >= lcs[i][j+1]:
				lcs[i][j] = lcs[i+1][j]
			default:
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	var hunks []hunk
	var cur hunk
	flush := func() {
		if len(cur.del)+len(cur.add) > 0 {
			hunks = append(hunks, cur)
			cur = hunk{}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			flush()
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			cur.del = append(cur.del, a[i])
			i++
		default:
			cur.add = append(cur.add, b[j])
			j++
		}
	}
	flush()
	return hunks
}

// fieldDiff describes how line got differs from line want when both are of
// the same section and have the same field names: the section, the equal
// leading fields (which usually identify the row) and each differing field as
// "FIELD: reference → fazproxy".
func fieldDiff(want, got string) (string, bool) {
	wf, gf := strings.Split(want, "\t"), strings.Split(got, "\t")
	if len(wf) != len(gf) || wf[0] != gf[0] || len(wf) < 2 {
		return "", false
	}
	var ident, diffs []string
	for i := 1; i < len(wf); i++ {
		wk, wv, _ := strings.Cut(wf[i], "=")
		gk, gv, _ := strings.Cut(gf[i], "=")
		if wk != gk {
			return "", false
		}
		switch {
		case wv != gv:
			diffs = append(diffs, fmt.Sprintf("%s: %q → %q", wk, wv, gv))
		case len(diffs) == 0 && len(ident) < 4:
			ident = append(ident, wf[i])
		}
	}
	return fmt.Sprintf("%s [%s] %s", wf[0], strings.Join(ident, " "), strings.Join(diffs, "; ")), true
}

func clientTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func clientLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
