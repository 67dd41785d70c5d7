package translate

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
)

// planDelete plans DELETE FROM t [WHERE ...] [RETURNING ...].
func (p *Planner) planDelete(ctx context.Context, d *pg_query.DeleteStmt, params *expr.ParamTypes) (*Plan, error) {
	switch {
	case d.WithClause != nil:
		return nil, pgerr.Unsupported("WITH in DELETE", "")
	case len(d.UsingClause) > 0:
		return nil, pgerr.Unsupported("DELETE ... USING", "find the keys with a SELECT first, then DELETE by key")
	case d.WhereClause != nil && d.WhereClause.GetCurrentOfExpr() != nil:
		return nil, pgerr.Unsupported("WHERE CURRENT OF", "")
	}
	st, err := p.writeTarget(ctx, d.Relation, params, "DELETE")
	if err != nil {
		return nil, err
	}
	return st.planModify(modifySpec{del: true, where: d.WhereClause, returning: d.ReturningList})
}
