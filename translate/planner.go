package translate

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Planner turns parsed statements into engine plans for one database.
type Planner struct {
	Catalog catalog.Source
	// AllowFullScan is extra.allow_full_scan (a session may only narrow it).
	AllowFullScan bool
	// Funcs is the function registry the binder resolves calls against.
	Funcs *expr.Funcs
	// System holds the pg_catalog and information_schema relations; nil
	// makes them unknown. Their rows come from engine.Env.System.
	System *system.Catalog
}

// Plan is a planned query: the operator tree, its result columns, its resolved
// parameter types, and the operation classes it needs (checked by policy/ at
// every execution, before any DynamoDB call).
type Plan struct {
	Root       engine.Node
	Columns    []sqltypes.Column
	ParamTypes []uint32
	Needs      []policy.Need

	// untyped marks output columns that are untyped literals ('x', NULL),
	// whose type a UNION or VALUES list resolves from the other branches.
	untyped []bool
}

func (p *Plan) isUntyped(i int) bool { return i < len(p.untyped) && p.untyped[i] }

// PlanQuery plans a SELECT, a write (INSERT, UPDATE, DELETE, DDL: its Root
// is an engine.Writer, see IsWrite) or EXPLAIN of one. paramTypes are the types the
// client declared at Parse (0 = infer).
func (p *Planner) PlanQuery(ctx context.Context, n *pg_query.Node, paramTypes []uint32) (*Plan, error) {
	params := expr.NewParamTypes(paramTypes)
	var (
		pl  *Plan
		err error
	)
	switch {
	case modifyingWith(n.GetSelectStmt()):
		pl, err = p.planModifyingWith(ctx, n.GetSelectStmt(), params)
	case n.GetSelectStmt() != nil:
		pl, err = p.planSelectStmt(ctx, n.GetSelectStmt(), params, nil, nil)
	case IsWrite(n):
		pl, err = p.planWrite(ctx, n, params)
	case n.GetExplainStmt() != nil:
		pl, err = p.planExplain(ctx, n.GetExplainStmt(), params)
	default:
		return nil, pgerr.New(pgerr.InternalError, "PlanQuery called with a %T", n.GetNode())
	}
	if err != nil {
		return nil, err
	}
	pl.ParamTypes = params.Types()
	formatRecords(pl)
	return pl, nil
}

func (p *Planner) planExplain(ctx context.Context, ex *pg_query.ExplainStmt, params *expr.ParamTypes) (*Plan, error) {
	analyze := false
	for _, o := range ex.Options {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		switch d.Defname {
		case "analyze":
			analyze = defElemBool(d)
		case "verbose", "costs", "buffers", "timing", "summary", "settings", "wal":
			// accepted; fazproxy's plan output has one format
		case "format":
			if v := defElemString(d); v != "" && v != "text" {
				return nil, pgerr.Unsupported("EXPLAIN (FORMAT "+v+")", "use the default text format")
			}
		default:
			return nil, pgerr.New(pgerr.SyntaxError, "unrecognized EXPLAIN option %q", d.Defname)
		}
	}
	if IsWrite(ex.Query) {
		return p.planExplainWrite(ctx, ex.Query, params, analyze)
	}
	sel := ex.Query.GetSelectStmt()
	if sel == nil {
		return nil, pgerr.Unsupported("EXPLAIN of this statement", "EXPLAIN works on SELECT statements")
	}
	inner, err := p.planSelectStmt(ctx, sel, params, nil, nil)
	if err != nil {
		return nil, err
	}
	root := &engine.Explain{Input: inner.Root, Analyze: analyze}
	return &Plan{Root: root, Columns: root.Columns(), Needs: explainNeeds(inner.Needs, analyze)}, nil
}

// explainNeeds: plain EXPLAIN reads nothing, but it still reveals a table's
// shape, so it needs the same read access as the statement itself.
func explainNeeds(needs []policy.Need, _ bool) []policy.Need { return needs }

func defElemBool(d *pg_query.DefElem) bool {
	if d.Arg == nil {
		return true
	}
	switch v := defElemString(d); v {
	case "false", "off", "0", "no":
		return false
	}
	return true
}

func defElemString(d *pg_query.DefElem) string {
	if d.Arg == nil {
		return ""
	}
	if s := d.Arg.GetString_(); s != nil {
		return s.Sval
	}
	if c := d.Arg.GetAConst(); c != nil {
		if s := c.GetSval(); s != nil {
			return s.Sval
		}
		if i := c.GetIval(); i != nil {
			if i.Ival == 0 {
				return "0"
			}
			return "1"
		}
		if b := c.GetBoolval(); b != nil {
			if b.Boolval {
				return "true"
			}
			return "false"
		}
	}
	return ""
}

func constText(s string) expr.Expr { return &expr.Const{Val: s, T: sqltypes.Text} }
