package translate

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// figureColname names an unnamed select-list item the way PostgreSQL's
// FigureColname does, so clients see the same column names.
func figureColname(n *pg_query.Node) string {
	if name := colnameOf(n); name != "" {
		return name
	}
	return "?column?"
}

func colnameOf(n *pg_query.Node) string {
	switch {
	case n == nil:
		return ""
	case n.GetColumnRef() != nil:
		f := fieldNames(n.GetColumnRef().Fields)
		if len(f) > 0 {
			return f[len(f)-1]
		}
	case n.GetFuncCall() != nil:
		f := fieldNames(n.GetFuncCall().Funcname)
		if len(f) > 0 {
			return f[len(f)-1]
		}
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if name := colnameOf(tc.Arg); name != "" {
			return name
		}
		if tc.TypeName != nil {
			f := fieldNames(tc.TypeName.Names)
			if len(f) > 0 {
				return f[len(f)-1]
			}
		}
	case n.GetAIndirection() != nil:
		ind := n.GetAIndirection()
		for i := len(ind.Indirection) - 1; i >= 0; i-- {
			if s := ind.Indirection[i].GetString_(); s != nil {
				return s.Sval
			}
		}
		return colnameOf(ind.Arg)
	case n.GetCaseExpr() != nil:
		return "case"
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest"
		}
		return "least"
	case n.GetAArrayExpr() != nil:
		return "array"
	case n.GetSqlvalueFunction() != nil:
		return sqlValueFunctionName(n.GetSqlvalueFunction().Op)
	case n.GetSubLink() != nil:
		sl := n.GetSubLink()
		switch sl.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists"
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array"
		case pg_query.SubLinkType_EXPR_SUBLINK:
			if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name
				}
				return colnameOf(rt.Val)
			}
		}
	case n.GetCollateClause() != nil:
		return colnameOf(n.GetCollateClause().Arg)
	}
	return ""
}

func sqlValueFunctionName(op pg_query.SQLValueFunctionOp) string {
	name := strings.TrimPrefix(op.String(), "SVFOP_")
	name = strings.TrimSuffix(name, "_N")
	return strings.ToLower(name)
}
