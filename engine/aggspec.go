package engine

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// AggSpec is one aggregate call. Func is one of count_star (count(*)),
// count, sum, avg, min, max, bool_and, bool_or, string_agg, array_agg; Arg is
// its argument over the input row (nil for count_star) and Sep string_agg's
// separator.
type AggSpec struct {
	Func     string
	Arg      expr.Expr
	Sep      expr.Expr
	Distinct bool
	// Order is the aggregate's own ORDER BY (array_agg(x ORDER BY y)): the
	// group's inputs are sorted by it before they are aggregated.
	Order []SortKey
	// Filter is the call's FILTER (WHERE ...) over the input row: a row
	// for which it is not true is not fed to the aggregate (nil: every row).
	Filter expr.Expr
}

func (a AggSpec) String() string {
	var b strings.Builder
	if a.Func == "count_star" {
		b.WriteString("count(*)")
		a.writeFilter(&b)
		return b.String()
	}
	b.WriteString(a.Func + "(")
	if a.Distinct {
		b.WriteString("DISTINCT ")
	}
	if a.Arg != nil {
		b.WriteString(a.Arg.String())
	}
	if a.Sep != nil {
		b.WriteString(", " + a.Sep.String())
	}
	for i, k := range a.Order {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(k.String())
	}
	b.WriteString(")")
	a.writeFilter(&b)
	return b.String()
}

func (a AggSpec) writeFilter(b *strings.Builder) {
	if a.Filter != nil {
		b.WriteString(" FILTER (WHERE " + a.Filter.String() + ")")
	}
}

// pairScope resolves the columns "a" and "b" of a two-value row, so an
// accumulator can bind "a + b" or "a / b" with expr's binder and get
// PostgreSQL's arithmetic (overflow checks, numeric scale rules) rather than
// a second implementation of it.
type pairScope [2]sqltypes.OID

func (s pairScope) ResolveColumn(names []string) (*expr.ColRef, error) {
	switch names[len(names)-1] {
	case "a":
		return &expr.ColRef{Index: 0, Name: "a", T: s[0]}, nil
	case "b":
		return &expr.ColRef{Index: 1, Name: "b", T: s[1]}, nil
	}
	return nil, pgerr.New(pgerr.InternalError, "pairScope: no column %v", names)
}

// bindBinary binds "a op b" for operand types l and r.
func bindBinary(op string, l, r sqltypes.OID) (expr.Expr, error) {
	ref := func(n string) *pg_query.Node {
		return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(n)}, 0)
	}
	n := pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{pg_query.MakeStrNode(op)}, ref("a"), ref("b"), 0)
	return (&expr.Binder{Scope: pairScope{l, r}}).Bind(n)
}
