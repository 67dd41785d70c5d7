package translate

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// runSQL plans the first statement of query over the fake shop tables and
// runs it in the environment env builds, returning the rows as text: rows
// separated by "; ", values by ", ", each value in PostgreSQL's text form.
func runSQL(query string, env func(fakeCatalog) *engine.Env) (string, error) {
	stmts, err := Parse(query)
	if err != nil {
		return "", err
	}
	cat := testCatalog()
	p := &Planner{Catalog: cat, AllowFullScan: true, Funcs: expr.NewFuncs(), System: system.New()}
	pl, err := p.PlanQuery(context.Background(), stmts[0].Node, nil)
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	it, err := pl.Root.Open(ctx, env(cat))
	if err != nil {
		return "", err
	}
	defer it.Close()
	var rows []string
	for {
		row, err := it.Next(ctx)
		if err == io.EOF {
			return strings.Join(rows, "; "), nil
		}
		if err != nil {
			return "", err
		}
		rows = append(rows, rowText(row, pl.Columns))
	}
}

// rowText renders one row's values as text, joined by ", ".
func rowText(row []sqltypes.Value, cols []sqltypes.Column) string {
	vals := make([]string, len(row))
	for i, v := range row {
		vals[i] = fmt.Sprint(v)
		if v != nil {
			if b, err := sqltypes.EncodeText(v, cols[i].Type); err == nil {
				vals[i] = string(b)
			}
		}
	}
	return strings.Join(vals, ", ")
}
