package translate

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// hitScope passes names to the enclosing query's scope and records that one
// was found there: the subquery is correlated.
type hitScope struct {
	expr.Scope
	hit *bool
}

func (h *hitScope) ResolveColumn(names []string) (*expr.ColRef, error) {
	ref, err := h.Scope.ResolveColumn(names)
	if err == nil {
		*h.hit = true
	}
	return ref, err
}

// sublinkHook plans sub-selects met while binding over scope: their outer
// references read the row scope describes.
func (st *selectState) sublinkHook(scope expr.Scope, b *expr.Binder) func(*pg_query.SubLink) (expr.Expr, error) {
	return func(sl *pg_query.SubLink) (expr.Expr, error) {
		hit := false
		var parent expr.Scope
		if scope != nil {
			parent = &hitScope{Scope: scope, hit: &hit}
		}
		pl, err := st.p.planQuery(st.ctx, sl.Subselect, st.params, parent, st.ctes)
		if err != nil {
			return nil, err
		}
		st.needs = append(st.needs, pl.Needs...)
		sq := &engine.Subquery{Plan: pl.Root, Correlated: hit, T: sqltypes.Bool}
		if row := sl.Testexpr.GetRowExpr(); row != nil && isAnySublink(sl) {
			if err := st.bindRowAnyTest(sq, sl, row, b, pl.Columns); err != nil {
				return nil, err
			}
			st.subs = append(st.subs, sq)
			return sq, nil
		}
		if sl.SubLinkType != pg_query.SubLinkType_EXISTS_SUBLINK && len(pl.Columns) != 1 {
			return nil, pgerr.New(pgerr.SyntaxError, "subquery must return only one column")
		}
		switch sl.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			sq.Kind = engine.SubExists
		case pg_query.SubLinkType_EXPR_SUBLINK:
			sq.Kind, sq.T = engine.SubScalar, pl.Columns[0].Type
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			info, ok := sqltypes.TypeInfo(pl.Columns[0].Type)
			if !ok || info.ArrayOID == 0 {
				return nil, pgerr.New(pgerr.UndefinedObject, "could not find array type for data type %s", typeName(pl.Columns[0].Type))
			}
			sq.Kind, sq.T = engine.SubArray, info.ArrayOID
		case pg_query.SubLinkType_ANY_SUBLINK, pg_query.SubLinkType_ALL_SUBLINK:
			if err := st.bindAnyTest(sq, sl, b, pl.Columns[0].Type); err != nil {
				return nil, err
			}
			if info, ok := sqltypes.TypeInfo(pl.Columns[0].Type); ok && info.ArrayOID != 0 {
				// x op ANY (array of the subquery's rows): the planner then
				// sees x = ANY(<value fixed per execution>) like = ANY($1),
				// and an uncorrelated IN on a key reads by BatchGetItem.
				arr := &engine.Subquery{Kind: engine.SubArray, Plan: pl.Root, Correlated: hit, T: info.ArrayOID}
				st.subs = append(st.subs, arr)
				return &expr.AnyCompare{Op: sq.Op, L: sq.Test, R: arr, All: sq.All}, nil
			}
		default:
			return nil, pgerr.Unsupported("this kind of subquery", "")
		}
		st.subs = append(st.subs, sq)
		return sq, nil
	}
}

func isAnySublink(sl *pg_query.SubLink) bool {
	return sl.SubLinkType == pg_query.SubLinkType_ANY_SUBLINK || sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK
}

// bindRowAnyTest binds (a, b) IN / NOT IN / = ANY / <> ALL (SELECT x, y
// ...): each field is unified with its column as bindAnyTest does.
func (st *selectState) bindRowAnyTest(sq *engine.Subquery, sl *pg_query.SubLink, row *pg_query.RowExpr, b *expr.Binder, cols []sqltypes.Column) error {
	if len(row.Args) != len(cols) {
		msg := "subquery has too many columns"
		if len(row.Args) > len(cols) {
			msg = "subquery has too few columns"
		}
		return pgerr.New(pgerr.SyntaxError, "%s", msg)
	}
	sq.Row = make([]expr.Expr, len(cols))
	for i, arg := range row.Args {
		field := &engine.Subquery{}
		one := &pg_query.SubLink{SubLinkType: sl.SubLinkType, Testexpr: arg, OperName: sl.OperName}
		if err := st.bindAnyTest(field, one, b, cols[i].Type); err != nil {
			return err
		}
		sq.Row[i] = field.Test
		sq.Kind, sq.Op, sq.All = field.Kind, field.Op, field.All
	}
	if sq.Op != expr.OpEQ && sq.Op != expr.OpNE {
		return pgerr.Unsupported("row comparisons with subqueries other than = and <>", "")
	}
	return nil
}

// bindAnyTest binds the left side of x op ANY/ALL (SELECT ...), IN and NOT
// IN, unifying its type with the subquery's column the way the binder does
// for x op y: by binding x op NULL::coltype and taking the operands back.
func (st *selectState) bindAnyTest(sq *engine.Subquery, sl *pg_query.SubLink, b *expr.Binder, col sqltypes.OID) error {
	if sl.Testexpr.GetRowExpr() != nil {
		return pgerr.Unsupported("row comparisons with subqueries", "")
	}
	op := "="
	if names := fieldNames(sl.OperName); len(names) > 0 {
		op = names[len(names)-1]
	}
	cop, ok := map[string]expr.CompareOp{"=": expr.OpEQ, "<>": expr.OpNE, "!=": expr.OpNE, "<": expr.OpLT,
		"<=": expr.OpLE, ">": expr.OpGT, ">=": expr.OpGE}[op]
	if !ok {
		return pgerr.Unsupported("operator "+op+" with a subquery", "")
	}
	sq.Kind, sq.Op, sq.All = engine.SubAny, cop, sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK
	info, ok := sqltypes.TypeInfo(col)
	if ok && info.Category != 'A' {
		probe := &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{
			Kind: pg_query.A_Expr_Kind_AEXPR_OP, Name: []*pg_query.Node{pg_query.MakeStrNode("=")},
			Lexpr: sl.Testexpr,
			Rexpr: &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
				Arg:      &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true}}},
				TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(info.Name)}, Typemod: -1},
			}}},
		}}}
		e, err := b.Bind(probe)
		if err != nil {
			return err
		}
		if c, ok := e.(*expr.Compare); ok {
			sq.Test = c.L
			return nil
		}
	}
	e, err := b.Bind(sl.Testexpr)
	if err != nil {
		return err
	}
	sq.Test = e
	return nil
}
