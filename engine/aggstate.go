package engine

import (
	"bytes"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// aggState accumulates one aggregate for one group. NULL arguments are
// filtered before add except for array_agg, which keeps them (as PostgreSQL).
type aggState interface {
	add(v, sep sqltypes.Value) error
	result() (sqltypes.Value, error)
}

// aggMaker builds fresh states for one AggSpec; what can be prepared once
// (bound arithmetic, types) is prepared when the operator opens.
type aggMaker struct {
	spec    AggSpec
	eval    *expr.Context
	argType sqltypes.OID
	accType sqltypes.OID // sum/avg accumulator type
	plus    expr.Expr    // a + b over the accumulator type
	div     expr.Expr    // avg: a / b
	toJSON  expr.Expr    // json_agg, jsonb_agg: to_json(a) / to_jsonb(a)
	// newState makes one group's (or window frame's) state; chosen once.
	newState func() aggState
}

// newAggMaker prepares one aggregate. It runs when the plan opens, before
// any input is read, so an aggregate the executor cannot compute is refused
// before a DynamoDB call is made (the planner refuses unknown aggregates
// first; reaching that here means the two disagree, an internal error).
func newAggMaker(spec AggSpec, eval *expr.Context) (*aggMaker, error) {
	m := &aggMaker{spec: spec, eval: eval}
	if m.newState = m.stateConstructor(); m.newState == nil {
		return nil, pgerr.New(pgerr.InternalError, "the executor has no implementation of aggregate %s", spec.Func)
	}
	if spec.Arg != nil {
		m.argType = spec.Arg.Type()
	}
	if spec.Func == "json_agg" || spec.Func == "jsonb_agg" || spec.Func == "jsonb_object_agg" {
		fn, valType := strings.TrimSuffix(spec.Func, "_agg"), m.argType
		if spec.Func == "jsonb_object_agg" {
			fn, valType = "jsonb", spec.Sep.Type() // the value; Arg is the key
		}
		n := pg_query.MakeFuncCallNode([]*pg_query.Node{pg_query.MakeStrNode("to_" + fn)},
			[]*pg_query.Node{pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode("a")}, 0)}, 0)
		var err error
		if m.toJSON, err = (&expr.Binder{Scope: pairScope{valType, 0}}).Bind(n); err != nil {
			return nil, err
		}
		return m, nil
	}
	if known, _, _ := varianceFunc(spec.Func); known {
		return m, m.prepareVariance()
	}
	if spec.Func != "sum" && spec.Func != "avg" {
		return m, nil
	}
	switch m.argType {
	case sqltypes.Int2, sqltypes.Int4:
		m.accType = sqltypes.Int8
		if spec.Func == "avg" {
			m.accType = sqltypes.Numeric
		}
	case sqltypes.Int8, sqltypes.Numeric:
		m.accType = sqltypes.Numeric
	case sqltypes.Float4, sqltypes.Float8:
		m.accType = sqltypes.Float8
	default:
		return nil, pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", spec.Func, typeName(m.argType))
	}
	var err error
	if m.plus, err = bindBinary("+", m.accType, m.accType); err != nil {
		return nil, err
	}
	if spec.Func == "avg" {
		if m.div, err = bindBinary("/", m.accType, m.accType); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// stateConstructor is the state maker of m's aggregate, or nil when the
// executor has none.
func (m *aggMaker) stateConstructor() func() aggState {
	switch m.spec.Func {
	case "count_star", "count":
		return func() aggState { return &countState{} }
	case "sum", "avg":
		return func() aggState { return &sumState{m: m} }
	case "min":
		return func() aggState { return &extremeState{m: m, want: -1} }
	case "max":
		return func() aggState { return &extremeState{m: m, want: 1} }
	case "bool_and":
		return func() aggState { return &boolState{and: true} }
	case "bool_or":
		return func() aggState { return &boolState{} }
	case "string_agg":
		return func() aggState { return &stringAggState{} }
	case "array_agg":
		return func() aggState { return &arrayAggState{elem: m.argType} }
	case "json_agg", "jsonb_agg":
		return func() aggState { return &jsonAggState{m: m} }
	case "jsonb_object_agg":
		return func() aggState { return &jsonObjectAggState{m: m} }
	}
	if known, _, _ := varianceFunc(m.spec.Func); known {
		return m.newVarianceState
	}
	return nil
}

type countState struct{ n int64 }

func (s *countState) add(_, _ sqltypes.Value) error   { s.n++; return nil }
func (s *countState) result() (sqltypes.Value, error) { return s.n, nil }

// sumState keeps a running sum (and count, for avg) in the accumulator type.
type sumState struct {
	m   *aggMaker
	sum sqltypes.Value
	n   int64
}

func (s *sumState) add(v, _ sqltypes.Value) error {
	v = convertNumber(v, s.m.accType)
	s.n++
	if s.sum == nil {
		s.sum = v
		return nil
	}
	r, err := s.m.plus.Eval(s.m.eval, sqltypes.Row{s.sum, v})
	if err != nil {
		return err
	}
	s.sum = r
	return nil
}

func (s *sumState) result() (sqltypes.Value, error) {
	if s.sum == nil || s.m.spec.Func == "sum" {
		return s.sum, nil
	}
	return s.m.div.Eval(s.m.eval, sqltypes.Row{s.sum, convertNumber(s.n, s.m.accType)})
}

// convertNumber widens an integer to the accumulator type.
func convertNumber(v sqltypes.Value, to sqltypes.OID) sqltypes.Value {
	n, ok := v.(int64)
	if !ok {
		return v
	}
	switch to {
	case sqltypes.Numeric:
		return apd.New(n, 0)
	case sqltypes.Float8:
		return float64(n)
	}
	return n
}

// extremeState is min (want -1) or max (want 1).
type extremeState struct {
	m    *aggMaker
	want int
	best sqltypes.Value
}

func (s *extremeState) add(v, _ sqltypes.Value) error {
	if s.best == nil {
		s.best = v
		return nil
	}
	c, err := compareValues(s.m.eval, v, s.best, s.m.argType)
	if err != nil {
		return err
	}
	if c == s.want {
		s.best = v
	}
	return nil
}

func (s *extremeState) result() (sqltypes.Value, error) { return s.best, nil }

type boolState struct {
	and   bool
	acc   bool
	valid bool
}

func (s *boolState) add(v, _ sqltypes.Value) error {
	b, _ := v.(bool)
	switch {
	case !s.valid:
		s.acc, s.valid = b, true
	case s.and:
		s.acc = s.acc && b
	default:
		s.acc = s.acc || b
	}
	return nil
}

func (s *boolState) result() (sqltypes.Value, error) {
	if !s.valid {
		return nil, nil
	}
	return s.acc, nil
}

// stringAggState concatenates values, each after the separator of its own
// row (PostgreSQL's rule), for text and bytea.
type stringAggState struct {
	buf     bytes.Buffer
	isBytes bool
	valid   bool
}

func (s *stringAggState) add(v, sep sqltypes.Value) error {
	if s.valid && sep != nil {
		s.write(sep)
	}
	_, s.isBytes = v.([]byte)
	s.write(v)
	s.valid = true
	return nil
}

func (s *stringAggState) write(v sqltypes.Value) {
	switch x := v.(type) {
	case string:
		s.buf.WriteString(x)
	case []byte:
		s.buf.Write(x)
	}
}

func (s *stringAggState) result() (sqltypes.Value, error) {
	switch {
	case !s.valid:
		return nil, nil
	case s.isBytes:
		return bytes.Clone(s.buf.Bytes()), nil
	}
	return s.buf.String(), nil
}

type arrayAggState struct {
	elem  sqltypes.OID
	items []sqltypes.Value
}

func (s *arrayAggState) add(v, _ sqltypes.Value) error {
	s.items = append(s.items, v)
	return nil
}

func (s *arrayAggState) result() (sqltypes.Value, error) {
	if s.items == nil {
		return nil, nil
	}
	return sqltypes.Array{Elem: s.elem, Items: s.items}, nil
}

// jsonAggState builds a JSON array of its inputs, NULLs as null.
type jsonAggState struct {
	m     *aggMaker
	items []any
	valid bool
}

func (s *jsonAggState) add(v, _ sqltypes.Value) error {
	s.valid = true
	if v == nil {
		s.items = append(s.items, nil)
		return nil
	}
	j, err := s.m.toJSON.Eval(s.m.eval, sqltypes.Row{v, nil})
	if err != nil {
		return err
	}
	node := any(nil)
	if jv, ok := j.(sqltypes.JSON); ok {
		node = jv.Node
	}
	s.items = append(s.items, node)
	return nil
}

func (s *jsonAggState) result() (sqltypes.Value, error) {
	if !s.valid {
		return nil, nil
	}
	out := sqltypes.JSON{Node: s.items}
	if s.m.spec.Func == "json_agg" {
		// json keeps its text: PostgreSQL separates json_agg's elements by ", "
		parts := make([]string, len(s.items))
		for i, n := range s.items {
			b, err := sqltypes.EncodeText(sqltypes.JSON{Node: n}, sqltypes.JSON_)
			if err != nil {
				return nil, err
			}
			parts[i] = string(b)
		}
		out.Raw = "[" + strings.Join(parts, ", ") + "]"
	}
	return out, nil
}

// typeName names a type for messages.
func typeName(t sqltypes.OID) string {
	if info, ok := sqltypes.TypeInfo(t); ok && info.Name != "" {
		return info.Name
	}
	return "oid " + strconv.FormatUint(uint64(t), 10)
}

// jsonObjectAggState is jsonb_object_agg(key, value): the key is Arg (as
// text), the value Sep; a later duplicate key wins, as in jsonb.
type jsonObjectAggState struct {
	m     *aggMaker
	keys  []string
	vals  []any
	valid bool
}

func (s *jsonObjectAggState) add(k, v sqltypes.Value) error {
	key, ok := k.(string)
	if !ok {
		return pgerr.New(pgerr.InvalidParameterValue, "field name must not be null")
	}
	s.valid = true
	var node any
	if v != nil {
		j, err := s.m.toJSON.Eval(s.m.eval, sqltypes.Row{v, nil})
		if err != nil {
			return err
		}
		if jv, ok := j.(sqltypes.JSON); ok {
			node = jv.Node
		}
	}
	s.keys, s.vals = append(s.keys, key), append(s.vals, node)
	return nil
}

func (s *jsonObjectAggState) result() (sqltypes.Value, error) {
	if !s.valid {
		return nil, nil
	}
	return sqltypes.JSON{Node: sqltypes.NewJSONObject(s.keys, s.vals, true)}, nil
}
