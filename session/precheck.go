package session

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/translate"
)

// precheckAll decides, before the first statement of a multi-statement
// string runs, every statement whose needs can be known now (spec/rbac.md:
// such strings are classified by every statement and table inside them).
// Without it `SELECT ...; INSERT ...` under R would read before the INSERT
// was refused.
//
// Statements are still planned lazily when they run (so `SET search_path;
// SELECT` and `CREATE TABLE t; INSERT INTO t` behave as in PostgreSQL), and
// each is checked again then, before its own DynamoDB calls. A statement
// that cannot be planned yet is left to that later check; its planning
// error is not reported here, where PostgreSQL would not report it either.
func (s *Session) precheckAll(ctx context.Context, stmts []translate.Stmt) error {
	var needs []policy.Need
	for _, st := range stmts {
		needs = append(needs, s.knownNeeds(ctx, st.Node)...)
	}
	return s.authorize(needs)
}

// knownNeeds is what one statement needs as far as it can be planned now.
func (s *Session) knownNeeds(ctx context.Context, n *pg_query.Node) []policy.Need {
	if c := n.GetCopyStmt(); c != nil {
		if c.Query != nil {
			n = c.Query // COPY (query) TO STDOUT needs what its query needs
		} else {
			return copyNeeds(c)
		}
	}
	if n.GetSelectStmt() == nil && n.GetExplainStmt() == nil && !translate.IsWrite(n) {
		return nil // session commands: SET, SHOW, BEGIN ... touch no table
	}
	pl, err := s.planner.PlanQuery(ctx, n, nil)
	if err != nil {
		return nil
	}
	return pl.Needs
}

// copyNeeds classifies COPY as copy.go executes it: FROM writes with
// BatchWriteItem (which may overwrite, hence write), TO reads.
func copyNeeds(c *pg_query.CopyStmt) []policy.Need {
	if c.Relation == nil {
		return nil // COPY (query) TO: see knownNeeds
	}
	table, err := copyTableName(c.Relation)
	if err != nil {
		return nil
	}
	if c.IsFrom {
		return []policy.Need{{Table: table, Class: policy.Write}}
	}
	return []policy.Need{{Table: table, Class: policy.Read}}
}
