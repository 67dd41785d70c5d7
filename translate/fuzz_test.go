package translate

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
)

// FuzzPlan: any text goes through the SQL front end — parse, bind, plan
// (reads, writes, DDL, EXPLAIN) — and, when it plans as a query, runs over
// the fake shop tables. Nothing may panic, and bad input must get a
// SQLSTATE that names the problem: an internal error (XX000) from what a
// client sent is a bug.
func FuzzPlan(f *testing.F) {
	for _, path := range []string{"testdata/select_cases.json", "testdata/joins_cases.json", "testdata/write_cases.json"} {
		for _, q := range goldenQueries(f, path) {
			f.Add(q)
		}
	}
	f.Add("SELECT 1; SELECT * FROM nosuch")
	f.Add(`SELECT "a""b" FROM customers WHERE name = '#n0 :v0 $1'`)
	f.Fuzz(func(t *testing.T, text string) {
		stmts, err := Parse(text)
		if err != nil {
			requireCode(t, text, err)
			return
		}
		cat := testCatalog()
		p := &Planner{Catalog: cat, AllowFullScan: true, Funcs: expr.NewFuncs(), System: system.New()}
		for i, st := range stmts {
			if i == 3 {
				break
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			pl, err := p.PlanQuery(ctx, st.Node, nil)
			if err != nil {
				cancel()
				requireCode(t, st.Text, err)
				continue
			}
			_ = pl.Root.Describe().String()
			if !IsWrite(st.Node) && len(pl.ParamTypes) == 0 {
				fuzzDrain(ctx, t, st.Text, pl.Root, replayEnv(cat))
			}
			cancel()
		}
	})
}

// fuzzDrain runs a planned query for at most 1000 rows.
func fuzzDrain(ctx context.Context, t *testing.T, text string, root engine.Node, env *engine.Env) {
	it, err := root.Open(ctx, env)
	if err != nil {
		requireCode(t, text, err)
		return
	}
	defer it.Close()
	for range 1000 {
		if _, err := it.Next(ctx); err != nil {
			if !errors.Is(err, io.EOF) {
				requireCode(t, text, err)
			}
			return
		}
	}
}

// requireCode fails on an error without a meaningful SQLSTATE. A context
// deadline (a huge generate_series, say) is the fuzzer's own limit.
func requireCode(t *testing.T, text string, err error) {
	t.Helper()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return
	}
	if code := pgerr.CodeOf(err); code == pgerr.InternalError {
		t.Fatalf("%q: internal error (XX000) for client input: %v", text, err)
	}
}

// goldenQueries are the queries of a golden case file (fuzz seeds).
func goldenQueries(f *testing.F, path string) []string {
	raw, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	var cases []struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		f.Fatalf("%s: %v", path, err)
	}
	out := make([]string, 0, len(cases))
	for _, c := range cases {
		out = append(out, c.Query)
	}
	return out
}
