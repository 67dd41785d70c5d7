package translate

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
)

// replayStmt is one captured client statement of integration/testdata/replay.
type replayStmt struct {
	name, sql string
	args      []string // "type:value"
}

// readReplay splits a replay file into its statements: each starts with a
// "-- name:" header, may carry "-- args:" and ends with a line ending in ";".
func readReplay(t *testing.T, path string) []replayStmt {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out []replayStmt
		cur *replayStmt
		buf []string
	)
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(line, "-- name:"):
			out = append(out, replayStmt{name: strings.TrimSpace(strings.TrimPrefix(line, "-- name:"))})
			cur, buf = &out[len(out)-1], nil
		case cur == nil:
		case strings.HasPrefix(line, "-- args:"):
			cur.args = strings.Fields(strings.TrimPrefix(line, "-- args:"))
		case strings.HasPrefix(line, "--") && len(buf) == 0:
		default:
			buf = append(buf, line)
			if strings.HasSuffix(strings.TrimSpace(line), ";") {
				cur.sql = strings.Join(buf, "\n")
				cur = nil
			}
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`\{\{(reloid|nspoid):([a-z_]+)\}\}`)

// inline puts the statement's arguments and OID placeholders into its text,
// so that it runs as one simple query over the fake catalog.
func (r replayStmt) inline() string {
	oids := map[string]string{"reloid:customers": "20001", "reloid:orders": "20002", "reloid:products": "20003",
		"nspoid:public": "2200", "nspoid:pg_catalog": "11", "nspoid:information_schema": "13000"}
	sql := r.sql
	for i := len(r.args) - 1; i >= 0; i-- {
		typ, val, _ := strings.Cut(r.args[i], ":")
		sql = strings.ReplaceAll(sql, fmt.Sprintf("$%d", i+1), "'"+strings.ReplaceAll(val, "'", "''")+"'::"+typ)
	}
	return placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		k := strings.Trim(m, "{}")
		if v, ok := oids[k]; ok {
			return v
		}
		return "0"
	})
}

// runAll plans and runs a statement over the fake catalog, returning the
// number of rows.
func runAll(query string) (int, error) {
	stmts, err := Parse(query)
	if err != nil {
		return 0, err
	}
	cat := testCatalog()
	p := &Planner{Catalog: cat, AllowFullScan: true, Funcs: expr.NewFuncs(), System: system.New()}
	n := 0
	for _, s := range stmts {
		if s.Node.GetSelectStmt() == nil {
			continue // SET, SHOW ... are the session's
		}
		pl, err := p.PlanQuery(context.Background(), s.Node, nil)
		if err != nil {
			return 0, err
		}
		ctx := context.Background()
		it, err := pl.Root.Open(ctx, replayEnv(cat))
		if err != nil {
			return 0, err
		}
		for {
			_, err := it.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				it.Close()
				return 0, err
			}
			n++
		}
		it.Close()
	}
	return n, nil
}

// replaySkips are the statements this fake catalog cannot run, and why.
var replaySkips = map[string]string{
	"metabase/sample of orders": "the test catalog's orders has no currency column",
}

// TestReplayClientCatalogQueries runs the catalog SQL captured from psql 15,
// DBeaver, Metabase and Grafana through the planner and executor: each must
// plan and run (the integration tests compare the answers with PostgreSQL).
func TestReplayClientCatalogQueries(t *testing.T) {
	for _, file := range []string{"psql15", "dbeaver", "metabase", "grafana"} {
		for _, r := range readReplay(t, "../integration/testdata/replay/"+file+".sql") {
			t.Run(file+"/"+r.name, func(t *testing.T) {
				if why := replaySkips[file+"/"+r.name]; why != "" {
					t.Skip(why)
				}
				if r.sql == "" {
					t.Fatal("no statement")
				}
				if _, err := runAll(r.inline()); err != nil {
					t.Errorf("%v\n%s", err, r.inline())
				}
			})
		}
	}
}

// replayCatalog answers the catalog functions for the replays: the fake
// tables are visible in public; other objects are unknown.
type replayCatalog struct{ visibleCatalog }

func (replayCatalog) TypeByOID(uint32) (expr.TypeInfo, bool, error) {
	return expr.TypeInfo{}, false, nil
}
func (replayCatalog) TypeByName(string) (expr.TypeInfo, bool, error) {
	return expr.TypeInfo{}, false, nil
}
func (replayCatalog) FunctionByOID(uint32) (expr.FunctionInfo, bool, error) {
	return expr.FunctionInfo{}, false, nil
}
func (replayCatalog) FunctionsByName(string) ([]expr.FunctionInfo, error) { return nil, nil }
func (replayCatalog) Namespaces() []expr.NamespaceInfo {
	return []expr.NamespaceInfo{{OID: 11, Name: "pg_catalog"}, {OID: 2200, Name: "public"}, {OID: 13000, Name: "information_schema"}}
}

func (c replayCatalog) RelationByName(schema, name string) (expr.RelationInfo, bool, error) {
	if r, ok := system.New().Lookup(schema, name); ok {
		return expr.RelationInfo{OID: r.OID, Schema: r.Schema, Name: r.Name, Kind: r.Kind}, true, nil
	}
	if t, ok := testCatalog()[name]; ok && schema == "public" {
		return expr.RelationInfo{OID: t.OID, Schema: schema, Name: name, Kind: 'r'}, true, nil
	}
	return c.visibleCatalog.RelationByName(schema, name)
}
func (replayCatalog) IndexDef(uint32) (expr.IndexInfo, bool, error) {
	return expr.IndexInfo{}, false, nil
}
func (replayCatalog) ConstraintDef(uint32) (string, bool, error) { return "", false, nil }
func (replayCatalog) Description(uint32, uint32, int32, bool) (string, bool, error) {
	return "", false, nil
}
func (replayCatalog) TablePrivilege(expr.RelationInfo, string) bool { return true }
func (replayCatalog) Databases() []expr.DatabaseInfo                { return nil }
func (replayCatalog) StartTime() time.Time                          { return time.Time{} }

// replaySession is a session as psql's after connecting.
type replaySession struct{}

func (replaySession) User() string     { return "alice" }
func (replaySession) Database() string { return "shop" }
func (replaySession) Setting(name string) (string, bool) {
	v, ok := map[string]string{"search_path": `"$user", public`, "server_version_num": "150000",
		"server_version": "15.0"}[name]
	return v, ok
}
func (replaySession) SetSetting(string, string, bool) error { return nil }
func (replaySession) TxStart() time.Time                    { return time.Unix(0, 0) }
func (replaySession) BackendPID() int32                     { return 1 }

// runReplayQuery runs one SELECT over the fake catalog like runQuery, with
// the replays' session and catalog functions.
func runReplayQuery(query string) (string, error) {
	return runSQL(query, replayEnv)
}

func replayEnv(cat fakeCatalog) *engine.Env {
	return &engine.Env{Eval: &expr.Context{Catalog: replayCatalog{}, Resolver: expr.NewCatalogResolver(replayCatalog{}, replaySession{}),
		Session: replaySession{}}, DB: shopDB(), System: fakeSystem{cat: cat}}
}
