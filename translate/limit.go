package translate

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// bindLimit binds LIMIT and OFFSET (constants or parameters; no columns).
// order is the ORDER BY over the Limit's input row, for WITH TIES (nil
// where the keys are not on that row: WITH TIES is then refused).
func (st *selectState) bindLimit(s *pg_query.SelectStmt, order []engine.SortKey) (*engine.Limit, error) {
	var ties []engine.SortKey
	if s.LimitOption == pg_query.LimitOption_LIMIT_OPTION_WITH_TIES {
		if len(s.SortClause) == 0 {
			return nil, pgerr.New(pgerr.SyntaxError, "WITH TIES cannot be specified without ORDER BY clause")
		}
		if len(order) == 0 {
			return nil, pgerr.Unsupported("FETCH ... WITH TIES here", "use LIMIT")
		}
		ties = order
	}
	count, err := st.bindLimitExpr(s.LimitCount, "LIMIT")
	if err != nil {
		return nil, err
	}
	offset, err := st.bindLimitExpr(s.LimitOffset, "OFFSET")
	if err != nil {
		return nil, err
	}
	if count == nil && offset == nil {
		return nil, nil
	}
	if count == nil {
		ties = nil // no row count: every row is out anyway
	}
	return &engine.Limit{Count: count, Offset: offset, Ties: ties}, nil
}

func (st *selectState) bindLimitExpr(n *pg_query.Node, clause string) (expr.Expr, error) {
	if n == nil {
		return nil, nil
	}
	if c := n.GetAConst(); c != nil && c.Isnull {
		return nil, nil // LIMIT ALL / LIMIT NULL
	}
	e, err := st.binder(&relScope{}, nil).Bind(n)
	if err != nil {
		return nil, err
	}
	switch e.Type() {
	case sqltypes.Int8:
		return e, nil
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Numeric, sqltypes.Unknown, sqltypes.Float8, sqltypes.Text:
		return &expr.Cast{Arg: e, To: sqltypes.Int8, Typmod: -1}, nil
	}
	return nil, pgerr.New(pgerr.DatatypeMismatch, "argument of %s must be type bigint", clause)
}

// pushLimit sends LIMIT to DynamoDB as the page size when every item DynamoDB
// reads becomes an output row in order: no filter of any kind, no local sort,
// no aggregation. Otherwise the Limit operator alone stops reading pages once
// it has its rows (DynamoDB's Limit counts items evaluated, not returned, so
// pushing it under a filter would only add round trips). A LIMIT $1 is pushed
// as an expression evaluated at Open; with an OFFSET both must be constants.
func (st *selectState) pushLimit(acc *accessChoice, lim *engine.Limit, s *pg_query.SelectStmt) {
	if acc == nil || len(acc.needLeft) > 0 || st.grouped || st.having != nil || lim.Count == nil || lim.Ties != nil {
		return
	}
	if len(st.order) > 0 && !st.orderedByAccess(acc) {
		return
	}
	var (
		n  int64
		ne expr.Expr
	)
	if c, ok := constInt(s.LimitCount); ok {
		n = c
		if s.LimitOffset != nil {
			off, ok := constInt(s.LimitOffset)
			if !ok {
				return
			}
			n += off
		}
		if n <= 0 || n > 1<<30 {
			return
		}
	} else if s.LimitOffset == nil && isRuntimeConst(lim.Count) {
		ne = lim.Count
	} else {
		return
	}
	switch {
	case acc.query != nil && acc.query.Filter == nil:
		acc.query.Limit, acc.query.LimitExpr = n, ne
	case acc.scan != nil && acc.scan.Filter == nil && acc.scan.Segments <= 1:
		acc.scan.Limit, acc.scan.LimitExpr = n, ne
	case acc.fetch != nil:
		// one index page of n keys is one BatchGetItem of n items
		acc.fetch.Index.Limit, acc.fetch.Index.LimitExpr = n, ne
	}
}

func constInt(n *pg_query.Node) (int64, bool) {
	if n == nil {
		return 0, false
	}
	c := n.GetAConst()
	if c == nil || c.GetIval() == nil {
		return 0, false
	}
	return int64(c.GetIval().Ival), true
}
