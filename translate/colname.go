package translate

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// figureColname names an unnamed select-list item the way PostgreSQL's
// FigureColname does, so clients see the same column names.
func figureColname(n *pg_query.Node) string {
	if name, _ := colnameOf(n); name != "" {
		return name
	}
	return "?column?"
}

// colnameOf returns a name for n and its strength, as PostgreSQL's
// FigureColnameInternal: 2 for a real name (column, function, field,
// CASE with a named ELSE ...), 1 for a fallback (a cast's type name, "case"),
// 0 for none. A CASE takes its ELSE result's name only when that is strong.
func colnameOf(n *pg_query.Node) (string, int) {
	switch {
	case n == nil:
		return "", 0
	case n.GetColumnRef() != nil:
		return lastName(fieldNames(n.GetColumnRef().Fields))
	case n.GetFuncCall() != nil:
		return lastName(fieldNames(n.GetFuncCall().Funcname))
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if name, strength := colnameOf(tc.Arg); strength > 1 {
			return name, strength
		}
		if tc.TypeName != nil {
			if name, _ := lastName(fieldNames(tc.TypeName.Names)); name != "" {
				return name, 1
			}
		}
	case n.GetAIndirection() != nil:
		ind := n.GetAIndirection()
		for i := len(ind.Indirection) - 1; i >= 0; i-- {
			if s := ind.Indirection[i].GetString_(); s != nil {
				return s.Sval, 2
			}
		}
		return colnameOf(ind.Arg)
	case n.GetCaseExpr() != nil:
		if name, strength := colnameOf(n.GetCaseExpr().Defresult); strength > 1 {
			return name, strength
		}
		return "case", 1
	case n.GetCollateClause() != nil:
		return colnameOf(n.GetCollateClause().Arg)
	case n.GetSubLink() != nil:
		return sublinkColname(n.GetSubLink())
	}
	if name := keywordColname(n); name != "" {
		return name, 2
	}
	return "", 0
}

func lastName(f []string) (string, int) {
	if len(f) == 0 {
		return "", 0
	}
	return f[len(f)-1], 2
}

// keywordColname names the expressions PostgreSQL names by their keyword.
func keywordColname(n *pg_query.Node) string {
	switch {
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest"
		}
		return "least"
	case n.GetAArrayExpr() != nil:
		return "array"
	case n.GetRowExpr() != nil:
		return "row"
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF:
		return "nullif"
	case n.GetGroupingFunc() != nil:
		return "grouping"
	case n.GetSqlvalueFunction() != nil:
		return sqlValueFunctionName(n.GetSqlvalueFunction().Op)
	}
	return ""
}

func sublinkColname(sl *pg_query.SubLink) (string, int) {
	switch sl.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		return "exists", 2
	case pg_query.SubLinkType_ARRAY_SUBLINK:
		return "array", 2
	case pg_query.SubLinkType_EXPR_SUBLINK:
		if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
			rt := sel.TargetList[0].GetResTarget()
			if rt.Name != "" {
				return rt.Name, 2
			}
			return colnameOf(rt.Val)
		}
	}
	return "", 0
}

func sqlValueFunctionName(op pg_query.SQLValueFunctionOp) string {
	name := strings.TrimPrefix(op.String(), "SVFOP_")
	name = strings.TrimSuffix(name, "_N")
	return strings.ToLower(name)
}
