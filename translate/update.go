package translate

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
)

// planUpdate plans UPDATE t SET ... [WHERE ...] [RETURNING ...].
func (p *Planner) planUpdate(ctx context.Context, u *pg_query.UpdateStmt, params *expr.ParamTypes) (*Plan, error) {
	switch {
	case u.WithClause != nil:
		return nil, pgerr.Unsupported("WITH in UPDATE", "")
	case len(u.FromClause) > 0:
		return nil, pgerr.Unsupported("UPDATE ... FROM", "find the keys with a SELECT first, then UPDATE by key")
	case u.WhereClause != nil && u.WhereClause.GetCurrentOfExpr() != nil:
		return nil, pgerr.Unsupported("WHERE CURRENT OF", "")
	}
	st, err := p.writeTarget(ctx, u.Relation, params, "UPDATE")
	if err != nil {
		return nil, err
	}
	return st.planModify(modifySpec{where: u.WhereClause, sets: u.TargetList, returning: u.ReturningList})
}
