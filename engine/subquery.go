package engine

import (
	"context"
	"io"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ expr.Expr = (*Subquery)(nil)

// SubqueryKind is the form of a subquery used in an expression.
type SubqueryKind int

const (
	// SubScalar is (SELECT x ...): NULL for no row, 21000 for more than one.
	SubScalar SubqueryKind = iota
	// SubExists is EXISTS (SELECT ...): it stops at the first row.
	SubExists
	// SubArray is ARRAY(SELECT x ...).
	SubArray
	// SubAny is Test op ANY (SELECT x ...), or op ALL with All; IN is = ANY
	// and NOT IN is <> ALL, which gives PostgreSQL's NULL semantics.
	SubAny
)

func (k SubqueryKind) String() string {
	return [...]string{"EXPR", "EXISTS", "ARRAY", "ANY"}[k]
}

// Subquery is an expression that runs a plan. Correlated subqueries (whose
// plan reads the evaluating row through ColRef.Depth > 0) run once per
// evaluation with that row as the innermost Outer row; uncorrelated ones run
// once per execution of the statement and their result is reused.
type Subquery struct {
	Kind       SubqueryKind
	Plan       Node
	Correlated bool
	// T is the result type: the column's for SubScalar, its array type for
	// SubArray, bool otherwise.
	T sqltypes.OID
	// For SubAny: the left operand, the operator and ALL.
	Test expr.Expr
	Op   expr.CompareOp
	All  bool
	// Row, instead of Test, is the left row of (a, b) IN (SELECT x, y ...)
	// (Op is = or <>): field i is compared with the subquery's column i.
	Row []expr.Expr
}

// subqueryResult is what one run of a subquery's plan produced.
type subqueryResult struct {
	exists bool
	rows   []sqltypes.Row // SubAny with Row
	value  sqltypes.Value // SubScalar, SubArray, SubAny (an Array)
}

func (s *Subquery) Type() sqltypes.OID { return s.T }

func (s *Subquery) String() string {
	kind := "SubPlan"
	if !s.Correlated {
		kind = "InitPlan"
	}
	switch s.Kind {
	case SubExists:
		return "EXISTS(" + kind + ")"
	case SubArray:
		return "ARRAY(" + kind + ")"
	case SubAny:
		q := "ANY"
		if s.All {
			q = "ALL"
		}
		return s.testString() + " " + s.Op.String() + " " + q + "(" + kind + ")"
	}
	return "(" + kind + ")"
}

// Describe is the subquery's plan, for EXPLAIN.
func (s *Subquery) Describe() *Description {
	d := s.Plan.Describe()
	kind := "SubPlan"
	if !s.Correlated {
		kind = "InitPlan"
	}
	return &Description{Op: kind + " (" + s.Kind.String() + ")", Children: []*Description{d}}
}

func (s *Subquery) Eval(c *expr.Context, row sqltypes.Row) (sqltypes.Value, error) {
	env, ctx, err := envOf(c)
	if err != nil {
		return nil, err
	}
	var res *subqueryResult
	if s.Correlated {
		if res, err = s.run(ctx, env.withOuter(row)); err != nil {
			return nil, err
		}
	} else if res = env.run.once[s]; res == nil {
		if res, err = s.run(ctx, env); err != nil {
			return nil, err
		}
		env.run.once[s] = res
	}
	switch s.Kind {
	case SubExists:
		return res.exists, nil
	case SubAny:
		if s.Row != nil {
			return s.rowAny(c, row, res.rows)
		}
		arr := &expr.Const{Val: res.value, T: arrayTypeOf(s.Plan)}
		return (&expr.AnyCompare{Op: s.Op, L: s.Test, R: arr, All: s.All}).Eval(c, row)
	}
	return res.value, nil
}

func arrayTypeOf(n Node) sqltypes.OID {
	if info, ok := sqltypes.TypeInfo(n.Columns()[0].Type); ok && info.ArrayOID != 0 {
		return info.ArrayOID
	}
	return sqltypes.TextArray
}

// run executes the plan once in env.
func (s *Subquery) run(ctx context.Context, env *Env) (*subqueryResult, error) {
	it, err := s.Plan.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	res := &subqueryResult{}
	var items []sqltypes.Value
	for {
		row, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		res.exists = true
		if s.Row != nil {
			res.rows = append(res.rows, append(sqltypes.Row(nil), row...))
			continue
		}
		switch s.Kind {
		case SubExists:
			return res, nil
		case SubScalar:
			if len(items) > 0 {
				return nil, pgerr.New(pgerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
		}
		items = append(items, row[0])
	}
	switch s.Kind {
	case SubScalar:
		if len(items) == 1 {
			res.value = items[0]
		}
	case SubArray, SubAny:
		res.value = sqltypes.Array{Elem: s.Plan.Columns()[0].Type, Items: items}
	}
	return res, nil
}

func (s *Subquery) testString() string {
	if s.Row == nil {
		return s.Test.String()
	}
	return "ROW(" + exprList(s.Row) + ")"
}

// rowAny is (a, b) op ANY/ALL (SELECT x, y ...) with PostgreSQL's NULL
// rules: a row comparison is NULL when no field decides it, and ANY (ALL)
// is NULL when no row is true (false) but some row is NULL.
func (s *Subquery) rowAny(c *expr.Context, row sqltypes.Row, rows []sqltypes.Row) (sqltypes.Value, error) {
	sawNull := false
	for _, r := range rows {
		v, err := s.rowCompare(c, row, r)
		if err != nil {
			return nil, err
		}
		switch {
		case v == nil:
			sawNull = true
		case v.(bool) != s.All:
			return !s.All, nil // ANY found a true row, ALL a false one
		}
	}
	if sawNull {
		return nil, nil
	}
	return s.All, nil
}

// rowCompare compares the left row with one subquery row: for = every
// field must be equal (false as soon as one differs), for <> one field
// must differ (true as soon as one does).
func (s *Subquery) rowCompare(c *expr.Context, row, r sqltypes.Row) (sqltypes.Value, error) {
	decisive := s.Op == expr.OpNE // the field result that decides the row
	sawNull := false
	cols := s.Plan.Columns()
	for i, test := range s.Row {
		arr := &expr.Const{Val: sqltypes.Array{Elem: cols[i].Type, Items: []sqltypes.Value{r[i]}}, T: arrayTypeOfColumn(cols[i].Type)}
		v, err := (&expr.AnyCompare{Op: s.Op, L: test, R: arr}).Eval(c, row)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		if v.(bool) == decisive {
			return decisive, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return !decisive, nil
}

func arrayTypeOfColumn(t sqltypes.OID) sqltypes.OID {
	if info, ok := sqltypes.TypeInfo(t); ok && info.ArrayOID != 0 {
		return info.ArrayOID
	}
	return sqltypes.TextArray
}
