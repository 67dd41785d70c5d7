package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// windowInput is (id, p, o, v, s), deliberately not in (p, o) order. NULL p
// is a partition of its own; ids 2 and 3 are peers in o.
func windowInput() *rowsNode {
	row := func(id int64, p any, o int64, v any, s string) sqltypes.Row {
		if n, ok := v.(int); ok {
			v = int64(n)
		}
		return sqltypes.Row{id, p, o, v, s}
	}
	return &rowsNode{
		cols: []sqltypes.Column{{Name: "id", Type: sqltypes.Int4}, {Name: "p", Type: sqltypes.Text},
			{Name: "o", Type: sqltypes.Int4}, {Name: "v", Type: sqltypes.Int4}, {Name: "s", Type: sqltypes.Text}},
		rows: []sqltypes.Row{
			row(5, "b", 1, 5, "s5"), row(7, nil, 2, 8, "s7"), row(2, "a", 2, 20, "s2"), row(1, "a", 1, 10, "s1"),
			row(4, "a", 3, nil, "s4"), row(6, nil, 1, 7, "s6"), row(3, "a", 2, 30, "s3"),
		},
	}
}

// runWindow plans Sort + Window as the planner does and returns the
// function's value for ids 1..7, in id order, as PostgreSQL prints them.
func runWindow(t *testing.T, spec WindowSpec, f WindowFunc) (string, error) {
	t.Helper()
	in := windowInput()
	var root Node = in
	if keys := spec.SortKeys(); len(keys) > 0 {
		root = &Sort{Input: root, Keys: keys}
	}
	w := &Window{Input: root, Spec: spec, Funcs: []WindowFunc{f}, Out: WindowColumns(in.cols, []WindowFunc{f})}
	rows, err := tryCollect(w, newEnv(nil))
	if err != nil {
		return "", err
	}
	byID := make([]string, len(rows))
	for _, r := range rows {
		v := r[len(r)-1]
		s := "<nil>"
		if v != nil {
			b, err := sqltypes.EncodeText(v, f.T)
			if err != nil {
				t.Fatalf("encode %v: %v", v, err)
			}
			s = string(b)
		}
		byID[r[0].(int64)-1] = s
	}
	return strings.Join(byID, " "), nil
}

// The expected values are PostgreSQL 15's answers for
// SELECT id, <call> OVER (PARTITION BY p ORDER BY ...) FROM w ORDER BY id.
func TestWindowFunctions(t *testing.T) {
	id, p, o, v, s := col(0, "id", sqltypes.Int4), col(1, "p", sqltypes.Text), col(2, "o", sqltypes.Int4),
		col(3, "v", sqltypes.Int4), col(4, "s", sqltypes.Text)
	i4 := func(n int64) expr.Expr { return &expr.Const{Val: n, T: sqltypes.Int4} }
	i8 := func(n int64) expr.Expr { return &expr.Const{Val: n, T: sqltypes.Int8} }
	byO := []SortKey{{Expr: o}}
	byOID := []SortKey{{Expr: o}, {Expr: id}}
	rows := func(start, end FrameBound) Frame { return Frame{Mode: FrameRows, Start: start, End: end} }
	up, uf, cur := FrameBound{Kind: UnboundedPreceding}, FrameBound{Kind: UnboundedFollowing}, FrameBound{Kind: CurrentRow}
	prec := func(n int64) FrameBound { return FrameBound{Kind: OffsetPreceding, Offset: i8(n)} }
	foll := func(n int64) FrameBound { return FrameBound{Kind: OffsetFollowing, Offset: i8(n)} }
	gt10 := &expr.Compare{Op: expr.OpGT, L: v, R: i4(10)}
	tests := []struct {
		name  string
		order []SortKey
		frame *Frame // nil: the default frame
		f     WindowFunc
		want  string
	}{
		{"row_number", byOID, nil, WindowFunc{Func: "row_number", T: sqltypes.Int8}, "1 2 3 4 1 1 2"},
		{"rank counts peers", byO, nil, WindowFunc{Func: "rank", T: sqltypes.Int8}, "1 2 2 4 1 1 2"},
		{"dense_rank", byO, nil, WindowFunc{Func: "dense_rank", T: sqltypes.Int8}, "1 2 2 3 1 1 2"},
		{"percent_rank", byO, nil, WindowFunc{Func: "percent_rank", T: sqltypes.Float8},
			"0 0.3333333333333333 0.3333333333333333 1 0 0 1"},
		{"cume_dist", byO, nil, WindowFunc{Func: "cume_dist", T: sqltypes.Float8}, "0.25 0.75 0.75 1 1 0.5 1"},
		{"ntile", byOID, nil, WindowFunc{Func: "ntile", Args: []expr.Expr{i4(2)}, T: sqltypes.Int4}, "1 1 2 2 1 1 2"},
		{"lag", byOID, nil, WindowFunc{Func: "lag", Args: []expr.Expr{v}, T: sqltypes.Int4}, "<nil> 10 20 30 <nil> <nil> 7"},
		{"lead with offset and default", byOID, nil, WindowFunc{Func: "lead", Args: []expr.Expr{v, i4(2), i4(-1)}, T: sqltypes.Int4},
			"30 <nil> -1 -1 -1 -1 -1"},
		{"lag default", byOID, nil, WindowFunc{Func: "lag", Args: []expr.Expr{v, i4(1), i4(0)}, T: sqltypes.Int4}, "0 10 20 30 0 0 7"},
		{"first_value", byO, nil, WindowFunc{Func: "first_value", Args: []expr.Expr{v}, T: sqltypes.Int4}, "10 10 10 10 5 7 7"},
		{"last_value default frame", byOID, nil, WindowFunc{Func: "last_value", Args: []expr.Expr{v}, T: sqltypes.Int4},
			"10 20 30 <nil> 5 7 8"},
		{"last_value whole partition", byOID, &Frame{Mode: FrameRows, Start: up, End: uf},
			WindowFunc{Func: "last_value", Args: []expr.Expr{v}, T: sqltypes.Int4}, "<nil> <nil> <nil> <nil> 5 8 8"},
		{"nth_value", byOID, nil, WindowFunc{Func: "nth_value", Args: []expr.Expr{v, i4(2)}, T: sqltypes.Int4},
			"<nil> 20 20 20 <nil> <nil> 8"},
		{"sum default frame includes peers", byO, nil, WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8},
			"10 60 60 60 5 7 15"},
		{"sum without ORDER BY is the partition", nil, nil, WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8},
			"60 60 60 60 5 15 15"},
		{"count(*)", byO, nil, WindowFunc{Func: "count_star", T: sqltypes.Int8}, "1 3 3 4 1 1 2"},
		{"count skips NULL", byO, nil, WindowFunc{Func: "count", Args: []expr.Expr{v}, T: sqltypes.Int8}, "1 3 3 3 1 1 2"},
		{"avg over ROWS 1 PRECEDING AND 1 FOLLOWING", byOID, ptr(rows(prec(1), foll(1))),
			WindowFunc{Func: "avg", Args: []expr.Expr{v}, T: sqltypes.Numeric},
			"15.0000000000000000 20.0000000000000000 25.0000000000000000 30.0000000000000000 5.0000000000000000 7.5000000000000000 7.5000000000000000"},
		{"min over 1 FOLLOWING AND UNBOUNDED FOLLOWING", byOID, ptr(rows(foll(1), uf)),
			WindowFunc{Func: "min", Args: []expr.Expr{v}, T: sqltypes.Int4}, "20 30 <nil> <nil> <nil> 8 <nil>"},
		{"max over 2 PRECEDING AND 1 PRECEDING", byOID, ptr(rows(prec(2), prec(1))),
			WindowFunc{Func: "max", Args: []expr.Expr{v}, T: sqltypes.Int4}, "<nil> 10 20 30 <nil> <nil> 7"},
		{"sum over 1 FOLLOWING AND 3 FOLLOWING", byOID, ptr(rows(foll(1), foll(3))),
			WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8}, "50 30 <nil> <nil> <nil> 8 <nil>"},
		{"string_agg", byOID, nil, WindowFunc{Func: "string_agg", Args: []expr.Expr{s, &expr.Const{Val: ",", T: sqltypes.Text}}, T: sqltypes.Text},
			"s1 s1,s2 s1,s2,s3 s1,s2,s3,s4 s5 s6 s6,s7"},
		{"array_agg keeps NULL", byOID, ptr(rows(cur, foll(1))),
			WindowFunc{Func: "array_agg", Args: []expr.Expr{v}, T: sqltypes.Int4Array}, "{10,20} {20,30} {30,NULL} {NULL} {5} {7,8} {8}"},
		{"GROUPS 1 PRECEDING", byO, &Frame{Mode: FrameGroups, Start: prec(1), End: cur},
			WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8}, "10 60 60 50 5 7 15"},
		{"EXCLUDE GROUP", byO, &Frame{Mode: FrameRange, Start: up, End: uf, Exclude: ExcludeGroup},
			WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8}, "50 10 10 60 <nil> 8 7"},
		{"EXCLUDE TIES", byO, &Frame{Mode: FrameRange, Start: up, End: cur, Exclude: ExcludeTies},
			WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8}, "10 30 40 60 5 7 15"},
		{"EXCLUDE CURRENT ROW", byOID, &Frame{Mode: FrameRows, Start: up, End: cur, Exclude: ExcludeCurrentRow},
			WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8}, "<nil> 10 30 60 <nil> <nil> 7"},
		{"count over GROUPS CURRENT ROW AND UNBOUNDED FOLLOWING", byO, &Frame{Mode: FrameGroups, Start: cur, End: uf},
			WindowFunc{Func: "count", Args: []expr.Expr{v}, T: sqltypes.Int8}, "3 2 2 0 1 2 1"},
		{"string_agg to the partition end keeps row order", byOID, ptr(rows(cur, uf)),
			WindowFunc{Func: "string_agg", Args: []expr.Expr{s, &expr.Const{Val: ",", T: sqltypes.Text}}, T: sqltypes.Text},
			"s1,s2,s3,s4 s2,s3,s4 s3,s4 s4 s5 s6,s7 s7"},
		{"nth_value EXCLUDE CURRENT ROW", byOID, &Frame{Mode: FrameRows, Start: up, End: uf, Exclude: ExcludeCurrentRow},
			WindowFunc{Func: "nth_value", Args: []expr.Expr{v, i4(2)}, T: sqltypes.Int4}, "30 30 20 20 <nil> <nil> <nil>"},
		{"last_value EXCLUDE GROUP", byO, &Frame{Mode: FrameRange, Start: up, End: uf, Exclude: ExcludeGroup},
			WindowFunc{Func: "last_value", Args: []expr.Expr{v}, T: sqltypes.Int4}, "<nil> <nil> <nil> 30 <nil> 8 7"},
		{"first_value EXCLUDE TIES", byO, &Frame{Mode: FrameGroups, Start: cur, End: uf, Exclude: ExcludeTies},
			WindowFunc{Func: "first_value", Args: []expr.Expr{v}, T: sqltypes.Int4}, "10 20 30 <nil> 5 7 8"},
		{"bool_or", byO, nil, WindowFunc{Func: "bool_or", Args: []expr.Expr{gt10}, T: sqltypes.Bool}, "f t t t f f f"},
		{"FILTER", byO, nil, WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8,
			Filter: &expr.Compare{Op: expr.OpGT, L: o, R: i4(1)}}, "<nil> 50 50 50 <nil> <nil> 8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := WindowSpec{PartitionBy: []expr.Expr{p}, OrderBy: tc.order, Frame: DefaultFrame()}
			if tc.frame != nil {
				spec.Frame = *tc.frame
			}
			got, err := runWindow(t, spec, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s OVER (%s)\ngot  %s\nwant %s", tc.f, spec, got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestWindowRangeOffsets: RANGE frames bounded by a distance from the
// current row's ORDER BY value. NULL values frame only their NULL peers;
// an offset that overflows the column's type reaches past every row.
func TestWindowRangeOffsets(t *testing.T) {
	id, p, o, v := col(0, "id", sqltypes.Int4), col(1, "p", sqltypes.Text), col(2, "o", sqltypes.Int4), col(3, "v", sqltypes.Int4)
	off := func(kind BoundKind, n any) FrameBound {
		t := sqltypes.Int4
		if _, big := n.(int64); big {
			t = sqltypes.Int8
		}
		if i, ok := n.(int); ok {
			n = int64(i)
		}
		return FrameBound{Kind: kind, Offset: &expr.Const{Val: n, T: t}}
	}
	cur := FrameBound{Kind: CurrentRow}
	rng := func(start, end FrameBound) Frame { return Frame{Mode: FrameRange, Start: start, End: end} }
	sumV := WindowFunc{Func: "sum", Args: []expr.Expr{v}, T: sqltypes.Int8}
	sumO := WindowFunc{Func: "sum", Args: []expr.Expr{o}, T: sqltypes.Int8}
	count := WindowFunc{Func: "count_star", T: sqltypes.Int8}
	byP := []expr.Expr{p}
	tests := []struct {
		name string
		spec WindowSpec
		f    WindowFunc
		want string
	}{
		{"1 PRECEDING AND CURRENT ROW", WindowSpec{PartitionBy: byP, OrderBy: []SortKey{{Expr: o}},
			Frame: rng(off(OffsetPreceding, 1), cur)}, sumV, "10 60 60 50 5 7 15"},
		{"descending", WindowSpec{PartitionBy: byP, OrderBy: []SortKey{{Expr: o, Desc: true, NullsFirst: true}},
			Frame: rng(off(OffsetPreceding, 1), off(OffsetFollowing, 1))}, sumV, "60 60 60 50 5 15 15"},
		{"CURRENT ROW AND 1 FOLLOWING", WindowSpec{PartitionBy: byP, OrderBy: []SortKey{{Expr: o}},
			Frame: rng(cur, off(OffsetFollowing, 1))}, count, "3 3 3 1 1 2 1"},
		{"NULL keys frame their peers", WindowSpec{PartitionBy: byP, OrderBy: []SortKey{{Expr: v}},
			Frame: rng(off(OffsetPreceding, 10), off(OffsetFollowing, 5))}, sumO, "1 3 4 3 1 3 3"},
		{"descending NULLS LAST", WindowSpec{PartitionBy: byP, OrderBy: []SortKey{{Expr: v, Desc: true}},
			Frame: rng(off(OffsetPreceding, 10), off(OffsetFollowing, 5))}, sumO, "3 4 2 3 1 3 3"},
		{"overflowing offsets", WindowSpec{OrderBy: []SortKey{{Expr: o}},
			Frame: rng(off(OffsetPreceding, int64(9223372036854775807)), off(OffsetFollowing, 2147483647))}, count, "7 7 7 7 7 7 7"},
		{"5 FOLLOWING AND 15 FOLLOWING", WindowSpec{OrderBy: []SortKey{{Expr: v}},
			Frame: rng(off(OffsetFollowing, 5), off(OffsetFollowing, 15))}, count, "1 1 0 1 2 1 1"},
		{"numeric", WindowSpec{OrderBy: []SortKey{{Expr: &expr.Cast{Arg: v, To: sqltypes.Numeric, Typmod: -1}}},
			Frame: rng(FrameBound{Kind: OffsetPreceding, Offset: &expr.Const{Val: apd.New(25, -1), T: sqltypes.Numeric}},
				FrameBound{Kind: OffsetFollowing, Offset: &expr.Const{Val: apd.New(10, 0), T: sqltypes.Numeric}})},
			WindowFunc{Func: "last_value", Args: []expr.Expr{id}, T: sqltypes.Int4}, "2 3 3 4 1 1 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runWindow(t, tc.spec, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s OVER (%s)\ngot  %s\nwant %s", tc.f, tc.spec, got, tc.want)
			}
		})
	}
}

func TestWindowWithoutPartition(t *testing.T) {
	id := col(0, "id", sqltypes.Int4)
	tests := []struct {
		spec WindowSpec
		f    WindowFunc
		want string
	}{
		{WindowSpec{OrderBy: []SortKey{{Expr: id}}, Frame: DefaultFrame()},
			WindowFunc{Func: "ntile", Args: []expr.Expr{&expr.Const{Val: int64(3), T: sqltypes.Int4}}, T: sqltypes.Int4},
			"1 1 1 2 2 3 3"},
		{WindowSpec{Frame: DefaultFrame()}, WindowFunc{Func: "count_star", T: sqltypes.Int8}, "7 7 7 7 7 7 7"},
	}
	for _, tc := range tests {
		got, err := runWindow(t, tc.spec, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s OVER (%s): got %s, want %s", tc.f, tc.spec, got, tc.want)
		}
	}
}

func TestWindowErrors(t *testing.T) {
	v := col(3, "v", sqltypes.Int4)
	i := func(n any) expr.Expr { return &expr.Const{Val: n, T: sqltypes.Int8} }
	tests := []struct {
		name  string
		frame Frame
		f     WindowFunc
		code  string
	}{
		{"negative offset", Frame{Mode: FrameRows, Start: FrameBound{Kind: OffsetPreceding, Offset: i(int64(-1))}, End: FrameBound{Kind: CurrentRow}},
			WindowFunc{Func: "count_star", T: sqltypes.Int8}, "22013"},
		{"NULL offset", Frame{Mode: FrameRows, Start: FrameBound{Kind: OffsetPreceding, Offset: i(nil)}, End: FrameBound{Kind: CurrentRow}},
			WindowFunc{Func: "count_star", T: sqltypes.Int8}, pgerr.NullValueNotAllowed},
		{"ntile(0)", DefaultFrame(), WindowFunc{Func: "ntile", Args: []expr.Expr{i(int64(0))}, T: sqltypes.Int4}, "22014"},
		{"nth_value(v, 0)", DefaultFrame(), WindowFunc{Func: "nth_value", Args: []expr.Expr{v, i(int64(0))}, T: sqltypes.Int4}, "22016"},
		{"RANGE offset without ORDER BY", Frame{Mode: FrameRange, Start: FrameBound{Kind: OffsetPreceding, Offset: i(int64(1))}, End: FrameBound{Kind: CurrentRow}},
			WindowFunc{Func: "count_star", T: sqltypes.Int8}, pgerr.WindowingError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runWindow(t, WindowSpec{Frame: tc.frame}, tc.f)
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code != tc.code {
				t.Errorf("err = %v, want SQLSTATE %s", err, tc.code)
			}
		})
	}
}

func TestWindowPartitionMemoryBound(t *testing.T) {
	env := newEnv(nil)
	env.SortMemLimit = 200
	w := &Window{Input: windowInput(), Spec: WindowSpec{Frame: DefaultFrame()},
		Funcs: []WindowFunc{{Func: "row_number", T: sqltypes.Int8}}}
	_, err := tryCollect(w, env)
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code != pgerr.ProgramLimitExceeded {
		t.Errorf("err = %v, want 54000", err)
	}
}

func TestWindowDescribe(t *testing.T) {
	p, o := col(1, "p", sqltypes.Text), col(2, "o", sqltypes.Int4)
	w := &Window{Input: windowInput(),
		Spec: WindowSpec{PartitionBy: []expr.Expr{p}, OrderBy: []SortKey{{Expr: o, Desc: true, NullsFirst: true}},
			Frame: Frame{Mode: FrameRows, Start: FrameBound{Kind: OffsetPreceding, Offset: &expr.Const{Val: int64(1), T: sqltypes.Int8}},
				End: FrameBound{Kind: CurrentRow}, Exclude: ExcludeTies}},
		Funcs: []WindowFunc{{Func: "rank", T: sqltypes.Int8}, {Func: "count_star", T: sqltypes.Int8}}}
	want := "WindowAgg\n  Window: PARTITION BY p ORDER BY o DESC ROWS BETWEEN '1'::bigint PRECEDING AND CURRENT ROW EXCLUDE TIES\n" +
		"  Functions: rank(), count(*)\n  ->  Rows\n"
	if got := w.Describe().String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// countingNode counts the rows its iterator has handed out.
type countingNode struct {
	rowsNode
	read *int
}

func (n *countingNode) Open(ctx context.Context, env *Env) (Iter, error) {
	it, err := n.rowsNode.Open(ctx, env)
	return &countingIter{Iter: it, read: n.read}, err
}

type countingIter struct {
	Iter
	read *int
}

func (it *countingIter) Next(ctx context.Context) (sqltypes.Row, error) {
	r, err := it.Iter.Next(ctx)
	if err == nil {
		*it.read++
	}
	return r, err
}

// TestWindowStreamsByPartition: the first row is emitted once its partition
// is complete, i.e. one row past it has been read, not the whole input.
func TestWindowStreamsByPartition(t *testing.T) {
	p := col(0, "p", sqltypes.Int8)
	read := 0
	in := &countingNode{rowsNode: rowsNode{rows: int8s(1, 1, 2, 2, 2, 3)}, read: &read}
	w := &Window{Input: in, Spec: WindowSpec{PartitionBy: []expr.Expr{p}, Frame: DefaultFrame()},
		Funcs: []WindowFunc{{Func: "count_star", T: sqltypes.Int8}}}
	ctx := context.Background()
	it, err := w.Open(ctx, newEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var got []string
	for i := 0; i < 3; i++ {
		row, err := it.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%v:%v/read %d", row[0], row[1], read))
	}
	if want := "1:2/read 3 1:2/read 3 2:3/read 6"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}
