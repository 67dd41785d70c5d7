package translate

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// IsWrite reports whether PlanQuery plans n as a write whose Root is an
// engine.Writer: INSERT, UPDATE, DELETE, CREATE TABLE, CREATE INDEX, DROP.
func IsWrite(n *pg_query.Node) bool {
	switch {
	case n.GetInsertStmt() != nil, n.GetUpdateStmt() != nil, n.GetDeleteStmt() != nil,
		n.GetCreateStmt() != nil, n.GetIndexStmt() != nil, n.GetDropStmt() != nil:
		return true
	}
	return false
}

// planWrite plans a data-changing statement or DDL.
func (p *Planner) planWrite(ctx context.Context, n *pg_query.Node, params *expr.ParamTypes) (*Plan, error) {
	switch {
	case n.GetInsertStmt() != nil:
		return p.planInsert(ctx, n.GetInsertStmt(), params)
	case n.GetUpdateStmt() != nil:
		return p.planUpdate(ctx, n.GetUpdateStmt(), params)
	case n.GetDeleteStmt() != nil:
		return p.planDelete(ctx, n.GetDeleteStmt(), params)
	case n.GetCreateStmt() != nil:
		return p.planCreateTable(ctx, n.GetCreateStmt())
	case n.GetIndexStmt() != nil:
		return p.planCreateIndex(ctx, n.GetIndexStmt())
	case n.GetDropStmt() != nil:
		return p.planDrop(n.GetDropStmt())
	}
	return nil, pgerr.New(pgerr.InternalError, "planWrite called with a %T", n.GetNode())
}

// writeTarget binds the table a write names: a DynamoDB table of schema
// public, with its alias.
func (p *Planner) writeTarget(ctx context.Context, rv *pg_query.RangeVar, params *expr.ParamTypes, verb string) (*selectState, error) {
	if rv == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "%s needs a table", verb)
	}
	if rv.Schemaname != "" && rv.Schemaname != "public" {
		return nil, pgerr.New(pgerr.WrongObjectType, "cannot %s relation \"%s.%s\"", verbLower(verb), rv.Schemaname, rv.Relname).
			WithHint("only DynamoDB tables (schema public) can be changed")
	}
	st := &selectState{p: p, params: params, ctx: ctx}
	st.scope = &relScope{}
	// schema public: never a CTE or a pg_catalog relation
	cp := &pg_query.RangeVar{Schemaname: "public", Relname: rv.Relname, Inh: rv.Inh, Alias: rv.Alias, Location: rv.Location}
	if _, err := st.bindRangeVar(ctx, cp); err != nil {
		return nil, err
	}
	l := st.scope.entries[0]
	st.table = l.table
	st.from = &leafRel{e: l}
	return st, nil
}

func verbLower(v string) string {
	switch v {
	case "INSERT":
		return "insert into"
	case "UPDATE":
		return "update"
	}
	return "delete from"
}

// tableColumns is the schema of a table's row (what RETURNING reads).
func tableColumns(t *catalog.Table) []sqltypes.Column {
	out := make([]sqltypes.Column, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = sqltypes.Column{Name: c.Name, Type: c.Type, Typmod: -1, TableOID: t.OID, AttNum: c.AttNum}
	}
	return out
}

// bindReturning binds a RETURNING list over the table's row.
func (st *selectState) bindReturning(list []*pg_query.Node) ([]expr.Expr, []sqltypes.Column, error) {
	if len(list) == 0 {
		return nil, nil, nil
	}
	if hasSubLink(&pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: list}}}) {
		return nil, nil, pgerr.Unsupported("subqueries in RETURNING", "")
	}
	st.targets = nil
	if err := st.bindTargets(list, st.binder(st.scope, nil).Bind, st.scope); err != nil {
		return nil, nil, err
	}
	exprs := make([]expr.Expr, len(st.targets))
	for i, t := range st.targets {
		exprs[i] = t.e
	}
	return exprs, st.outputColumns(), nil
}

// castToColumn wraps a parse node in a cast to type t, so binding it resolves
// untyped literals and parameters as the target column's type, as
// PostgreSQL's assignment does.
func castToColumn(n *pg_query.Node, t sqltypes.OID) *pg_query.Node {
	base, array := t, false
	if info, ok := sqltypes.TypeInfo(t); ok && info.Elem != 0 && info.Category == 'A' {
		base, array = info.Elem, true
	}
	name := "text"
	if info, ok := sqltypes.TypeInfo(base); ok {
		name = info.Name
	}
	tn := &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(name)}, Typemod: -1}
	if array {
		tn.ArrayBounds = []*pg_query.Node{pg_query.MakeIntNode(-1)}
	}
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{Arg: n, TypeName: tn, Location: -1}}}
}

// writeColumn finds a column a write names; _item and unknown names are
// explained.
func writeColumn(t *catalog.Table, name string) (*catalog.Column, error) {
	c := t.Column(name)
	if c == nil {
		return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name).
			WithHint("attributes not seen when the table was sampled can be written through the %s column (a jsonb object: the whole item), or declared in faz.yaml", catalog.ItemColumn)
	}
	return c, nil
}

// keyChangeRefused is 0A000 for SET on a key attribute.
func keyChangeRefused(t *catalog.Table, col string) error {
	return pgerr.Unsupported("changing key column "+quoteIdent(col)+" of table "+quoteIdent(t.Name),
		"DynamoDB cannot change a key attribute: INSERT the item under the new key, then DELETE the old one (in one BEGIN ... COMMIT block to do both atomically)")
}

func quoteIdent(s string) string { return "\"" + s + "\"" }

func isKeyColumn(t *catalog.Table, name string) bool {
	return name == t.PartitionKey.Name || (t.SortKey != nil && name == t.SortKey.Name)
}

// addNeed appends a need unless it is already there.
func addNeed(needs []policy.Need, table string, c policy.Class) []policy.Need {
	for _, n := range needs {
		if n.Table == table && n.Class == c {
			return needs
		}
	}
	return append(needs, policy.Need{Table: table, Class: c})
}

// modifyingWith reports whether a SELECT's WITH holds INSERT, UPDATE or
// DELETE.
func modifyingWith(s *pg_query.SelectStmt) bool {
	if s == nil || s.WithClause == nil {
		return false
	}
	for _, c := range s.WithClause.Ctes {
		if cte := c.GetCommonTableExpr(); cte != nil && IsWrite(cte.Ctequery) {
			return true
		}
	}
	return false
}

// planModifyingWith classifies a statement with data-modifying WITH queries
// (WITH d AS (DELETE ... RETURNING *) SELECT ...), which fazproxy does not
// run: the plan refuses at execution with 0A000, but its needs are those of
// every write inside plus read on every table the statement names, so
// policy answers first (a user without the access gets 42501, not 0A000).
func (p *Planner) planModifyingWith(ctx context.Context, s *pg_query.SelectStmt, params *expr.ParamTypes) (*Plan, error) {
	var needs []policy.Need
	ctes := map[string]bool{}
	for _, c := range s.WithClause.Ctes {
		cte := c.GetCommonTableExpr()
		if cte == nil {
			continue
		}
		ctes[cte.Ctename] = true
		if IsWrite(cte.Ctequery) {
			pl, err := p.planWrite(ctx, cte.Ctequery, params)
			if err != nil {
				return nil, err
			}
			for _, n := range pl.Needs {
				needs = addNeed(needs, n.Table, n.Class)
			}
		}
	}
	for _, name := range rangeVarNames(s) {
		if p.System != nil {
			if _, ok := p.System.Lookup("pg_catalog", name); ok {
				continue
			}
		}
		if !ctes[name] {
			needs = addNeed(needs, name, policy.Read)
		}
	}
	err := pgerr.Unsupported("data-modifying statements in WITH",
		"run the INSERT, UPDATE or DELETE ... RETURNING on its own, then the query over its rows")
	return &Plan{Root: &engine.Refused{Err: err}, Needs: needs}, nil
}

// rangeVarNames lists the public relation names a parse tree reads.
func rangeVarNames(s *pg_query.SelectStmt) []string {
	var out []string
	containsMessage(s.ProtoReflect(), func(m protoreflect.Message) bool {
		if rv, ok := m.Interface().(*pg_query.RangeVar); ok && (rv.Schemaname == "" || rv.Schemaname == "public") {
			out = append(out, rv.Relname)
		}
		return false
	})
	return out
}

// planExplainWrite is EXPLAIN of a write: its plan, never run (EXPLAIN
// ANALYZE would apply the write, outside any transaction block: refused).
func (p *Planner) planExplainWrite(ctx context.Context, n *pg_query.Node, params *expr.ParamTypes, analyze bool) (*Plan, error) {
	if analyze {
		return nil, pgerr.Unsupported("EXPLAIN ANALYZE of a write", "EXPLAIN shows the plan without running it")
	}
	inner, err := p.planWrite(ctx, n, params)
	if err != nil {
		return nil, err
	}
	root := &engine.Explain{Input: inner.Root}
	return &Plan{Root: root, Columns: root.Columns(), Needs: inner.Needs}, nil
}
