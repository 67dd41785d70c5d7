package engine

import (
	"context"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Window)(nil)

// SQLSTATEs of window function argument errors (PostgreSQL's errcodes.txt),
// not yet among pgerr's names.
const (
	invalidPrecedingOrFollowingSize = "22013"
	invalidArgumentForNtile         = "22014"
	invalidArgumentForNthValue      = "22016"
)

// FrameMode is how a window frame counts: RANGE (by peers of the ORDER BY
// value), ROWS (by physical rows) or GROUPS (by peer groups).
type FrameMode uint8

const (
	FrameRange FrameMode = iota
	FrameRows
	FrameGroups
)

// BoundKind is one end of a frame.
type BoundKind uint8

const (
	UnboundedPreceding BoundKind = iota
	OffsetPreceding
	CurrentRow
	OffsetFollowing
	UnboundedFollowing
)

// FrameBound is a frame start or end; Offset (an int8 expression free of
// column references) is set for OffsetPreceding and OffsetFollowing.
type FrameBound struct {
	Kind   BoundKind
	Offset expr.Expr
}

// FrameExclude is a frame's EXCLUDE option.
type FrameExclude uint8

const (
	ExcludeNoOthers FrameExclude = iota
	ExcludeCurrentRow
	ExcludeGroup
	ExcludeTies
)

// Frame is a window frame (DefaultFrame when the query gives none). ROWS and
// GROUPS offsets are bigint; a RANGE offset has the type of the window's one
// ORDER BY column, which must be a number.
type Frame struct {
	Mode    FrameMode
	Start   FrameBound
	End     FrameBound
	Exclude FrameExclude
}

// DefaultFrame is the frame of a window without a frame clause.
func DefaultFrame() Frame {
	return Frame{Mode: FrameRange, Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: CurrentRow}}
}

// IsDefault reports the frame of a window without a frame clause.
func (f Frame) IsDefault() bool {
	return f.Mode == FrameRange && f.Start.Kind == UnboundedPreceding && f.End.Kind == CurrentRow && f.Exclude == ExcludeNoOthers
}

func (f Frame) String() string {
	mode := [...]string{"RANGE", "ROWS", "GROUPS"}[f.Mode]
	s := mode + " BETWEEN " + f.Start.String() + " AND " + f.End.String()
	if f.Exclude != ExcludeNoOthers {
		s += " EXCLUDE " + [...]string{"", "CURRENT ROW", "GROUP", "TIES"}[f.Exclude]
	}
	return s
}

func (b FrameBound) String() string {
	switch b.Kind {
	case UnboundedPreceding:
		return "UNBOUNDED PRECEDING"
	case OffsetPreceding:
		return b.Offset.String() + " PRECEDING"
	case CurrentRow:
		return "CURRENT ROW"
	case OffsetFollowing:
		return b.Offset.String() + " FOLLOWING"
	}
	return "UNBOUNDED FOLLOWING"
}

// WindowSpec is one OVER clause: its partitioning, ordering and frame.
type WindowSpec struct {
	PartitionBy []expr.Expr
	OrderBy     []SortKey
	Frame       Frame
}

// String renders the spec as PostgreSQL would write it back, without the
// default frame; two calls with the same text share one Window node.
func (s WindowSpec) String() string {
	var parts []string
	if len(s.PartitionBy) > 0 {
		parts = append(parts, "PARTITION BY "+exprList(s.PartitionBy))
	}
	if len(s.OrderBy) > 0 {
		keys := make([]string, len(s.OrderBy))
		for i, k := range s.OrderBy {
			keys[i] = k.String()
		}
		parts = append(parts, "ORDER BY "+strings.Join(keys, ", "))
	}
	if !s.Frame.IsDefault() {
		parts = append(parts, s.Frame.String())
	}
	return strings.Join(parts, " ")
}

// SortKeys is the input order a Window needs: partition keys, then the
// window's ORDER BY (nil when neither is given: the input is one partition).
func (s WindowSpec) SortKeys() []SortKey {
	var keys []SortKey
	for _, e := range s.PartitionBy {
		keys = append(keys, SortKey{Expr: e})
	}
	return append(keys, s.OrderBy...)
}

// WindowFunc is one window function call. Func is row_number, rank,
// dense_rank, percent_rank, cume_dist, ntile, lag, lead, first_value,
// last_value, nth_value, or an aggregate as in AggSpec (count_star, count,
// sum, avg, min, max, bool_and, bool_or, string_agg, array_agg). Args are
// over the input row (an aggregate's Args are its argument and string_agg's
// separator); Filter is an aggregate's FILTER (WHERE ...) or nil; T is the
// result type.
type WindowFunc struct {
	Func   string
	Args   []expr.Expr
	Filter expr.Expr
	T      sqltypes.OID
}

func (f WindowFunc) String() string {
	if f.Func == "count_star" {
		return "count(*)" + f.filterString()
	}
	return f.Func + "(" + exprList(f.Args) + ")" + f.filterString()
}

func (f WindowFunc) filterString() string {
	if f.Filter == nil {
		return ""
	}
	return " FILTER (WHERE " + f.Filter.String() + ")"
}

// isAggregate reports whether Func is an aggregate run over a frame.
func (f WindowFunc) isAggregate() bool {
	switch f.Func {
	case "count_star", "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "string_agg", "array_agg":
		return true
	}
	return false
}

// Window computes window functions over input sorted by Spec.SortKeys(). Its
// output row is the input row followed by one value per function (Out
// describes all of them). It streams by partition: it holds one partition
// at a time, which counts against Env.SortMemLimit (54000 past it).
type Window struct {
	Input Node
	Spec  WindowSpec
	Funcs []WindowFunc
	Out   []sqltypes.Column
}

func (n *Window) Columns() []sqltypes.Column { return n.Out }

func (n *Window) Describe() *Description {
	fs := make([]string, len(n.Funcs))
	for i, f := range n.Funcs {
		fs[i] = f.String()
	}
	d := &Description{Op: "WindowAgg", Children: []*Description{n.Input.Describe()}}
	return d.add("Window", n.Spec.String()).add("Functions", strings.Join(fs, ", "))
}

func (n *Window) Open(ctx context.Context, env *Env) (Iter, error) {
	rng, err := newRangeOps(n.Spec)
	if err != nil {
		return nil, err
	}
	eval := env.evalCtx()
	makers := make([]*aggMaker, len(n.Funcs))
	for i, f := range n.Funcs {
		if !f.isAggregate() {
			continue
		}
		spec := AggSpec{Func: f.Func}
		if len(f.Args) > 0 {
			spec.Arg = f.Args[0]
		}
		if len(f.Args) > 1 {
			spec.Sep = f.Args[1]
		}
		m, err := newAggMaker(spec, eval)
		if err != nil {
			return nil, err
		}
		makers[i] = m
	}
	in, err := n.Input.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &windowIter{n: n, env: env, eval: eval, in: in, makers: makers, rng: rng}, nil
}

// windowIter reads one partition ahead of what it emits.
type windowIter struct {
	n       *Window
	env     *Env
	eval    *expr.Context
	in      Iter
	makers  []*aggMaker // per function; nil for non-aggregates
	rng     *rangeOps   // RANGE frames with an offset; nil otherwise
	pending sqltypes.Row
	done    bool // input exhausted
	rows    []sqltypes.Row
	pos     int
}

func (it *windowIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for it.pos >= len(it.rows) {
		if it.done && it.pending == nil {
			return nil, io.EOF
		}
		if err := it.nextPartition(ctx); err != nil {
			return nil, err
		}
	}
	r := it.rows[it.pos]
	it.rows[it.pos] = nil
	it.pos++
	return r, nil
}

func (it *windowIter) Close() {
	if it.in != nil {
		it.in.Close()
		it.in = nil
	}
	it.rows = nil
}

// nextPartition reads the next partition and computes its output rows.
func (it *windowIter) nextPartition(ctx context.Context) error {
	rows, err := it.readPartition(ctx)
	if err != nil {
		return err
	}
	it.rows, it.pos = nil, 0
	if len(rows) == 0 {
		return nil
	}
	p, err := newPartition(it.eval, it.n.Spec, rows, it.rng)
	if err != nil {
		return err
	}
	out := make([]sqltypes.Row, len(rows))
	for i, r := range rows {
		out[i] = make(sqltypes.Row, len(r), len(r)+len(it.n.Funcs))
		copy(out[i], r)
	}
	for fi, f := range it.n.Funcs {
		vals, err := it.compute(p, f, it.makers[fi])
		if err != nil {
			return err
		}
		for i := range out {
			out[i] = append(out[i], vals[i])
		}
	}
	it.rows = out
	return nil
}

// readPartition reads rows while their partition keys equal the first's.
func (it *windowIter) readPartition(ctx context.Context) ([]sqltypes.Row, error) {
	var (
		rows  []sqltypes.Row
		first sqltypes.Row
		used  int64
		limit = it.env.sortMemLimit()
	)
	for {
		row := it.pending
		it.pending = nil
		if row == nil {
			if it.done {
				return rows, nil
			}
			var err error
			if row, err = it.in.Next(ctx); err == io.EOF {
				it.done = true
				return rows, nil
			} else if err != nil {
				return nil, err
			}
		}
		keys, err := evalAll(it.eval, it.n.Spec.PartitionBy, row)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = keys
		} else if same, err := sameKeys(it.eval, it.n.Spec.PartitionBy, first, keys); err != nil {
			return nil, err
		} else if !same {
			it.pending = row
			return rows, nil
		}
		if used += 2*rowSize(row) + 32; used > limit {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded,
				"a window partition needs more than %s of memory", formatBytes(limit)).
				WithHint("partition the window by more columns, narrow the WHERE clause, or raise the sort memory limit")
		}
		rows = append(rows, row)
	}
}

func evalAll(eval *expr.Context, es []expr.Expr, row sqltypes.Row) (sqltypes.Row, error) {
	out := make(sqltypes.Row, len(es))
	for i, e := range es {
		v, err := e.Eval(eval, row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// sameKeys compares key values as Sort orders them (NULLs equal each other),
// so partitions and peers are exactly the runs Sort produced.
func sameKeys(eval *expr.Context, es []expr.Expr, a, b sqltypes.Row) (bool, error) {
	for i, e := range es {
		c, err := compareSortValues(eval, a[i], b[i], SortKey{Expr: e})
		if err != nil || c != 0 {
			return false, err
		}
	}
	return true, nil
}

// partition is one partition's rows with their peer groups: rows are peers
// when their ORDER BY values are equal (all rows, without ORDER BY).
type partition struct {
	rows       []sqltypes.Row
	group      []int // peer group number of each row
	groupStart []int // first row of each group, then len(rows)
	frameStart int64 // evaluated ROWS/GROUPS frame offsets
	frameEnd   int64
	// RANGE offset frames: each row's frame start and end
	rangeStart, rangeEnd []int
}

func newPartition(eval *expr.Context, spec WindowSpec, rows []sqltypes.Row, rng *rangeOps) (*partition, error) {
	p := &partition{rows: rows, group: make([]int, len(rows)), groupStart: []int{0}}
	order := make([]expr.Expr, len(spec.OrderBy))
	for i, k := range spec.OrderBy {
		order[i] = k.Expr
	}
	var prev sqltypes.Row
	for i, r := range rows {
		keys, err := evalAll(eval, order, r)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			same, err := sameKeys(eval, order, prev, keys)
			if err != nil {
				return nil, err
			}
			if !same {
				p.groupStart = append(p.groupStart, i)
			}
		}
		p.group[i] = len(p.groupStart) - 1
		prev = keys
	}
	p.groupStart = append(p.groupStart, len(rows))
	if rng != nil {
		return p, rng.frames(eval, spec, p)
	}
	var err error
	if p.frameStart, err = frameOffset(eval, spec.Frame.Start, "starting", rows[0]); err != nil {
		return nil, err
	}
	if p.frameEnd, err = frameOffset(eval, spec.Frame.End, "ending", rows[0]); err != nil {
		return nil, err
	}
	return p, nil
}

// frameOffset evaluates an offset bound once per partition, as PostgreSQL
// does (offsets may not reference columns).
func frameOffset(eval *expr.Context, b FrameBound, which string, row sqltypes.Row) (int64, error) {
	if b.Offset == nil || (b.Kind != OffsetPreceding && b.Kind != OffsetFollowing) {
		return 0, nil
	}
	v, err := b.Offset.Eval(eval, row)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	switch {
	case v == nil:
		return 0, pgerr.New(pgerr.NullValueNotAllowed, "frame %s offset must not be null", which)
	case !ok:
		return 0, pgerr.New(pgerr.DatatypeMismatch, "frame %s offset must be an integer", which)
	case n < 0:
		return 0, pgerr.New(invalidPrecedingOrFollowingSize, "frame %s offset must not be negative", which)
	}
	return n, nil
}

func (p *partition) peerStart(i int) int { return p.groupStart[p.group[i]] }
func (p *partition) peerEnd(i int) int   { return p.groupStart[p.group[i]+1] }

// frame returns the rows [s, e) of row i's frame before exclusion.
func (p *partition) frame(f Frame, i int) (s, e int) {
	n, g, groups := len(p.rows), p.group[i], len(p.groupStart)-1
	// groupAt is the first row of group k, clamped to the partition.
	groupAt := func(k int64) int { return p.groupStart[clamp(k, 0, int64(groups))] }
	switch f.Start.Kind {
	case UnboundedPreceding:
		s = 0
	case CurrentRow:
		s = i
		if f.Mode != FrameRows {
			s = p.peerStart(i)
		}
	case OffsetPreceding, OffsetFollowing:
		off := p.frameStart
		if f.Start.Kind == OffsetPreceding {
			off = -off
		}
		switch f.Mode {
		case FrameRows:
			s = int(clamp(addSat(int64(i), off), 0, int64(n)))
		case FrameGroups:
			s = groupAt(addSat(int64(g), off))
		default:
			s = p.rangeStart[i]
		}
	default:
		s = n
	}
	switch f.End.Kind {
	case UnboundedFollowing:
		e = n
	case CurrentRow:
		e = i + 1
		if f.Mode != FrameRows {
			e = p.peerEnd(i)
		}
	case OffsetPreceding, OffsetFollowing:
		off := p.frameEnd
		if f.End.Kind == OffsetPreceding {
			off = -off
		}
		switch f.Mode {
		case FrameRows:
			e = int(clamp(addSat(addSat(int64(i), off), 1), 0, int64(n)))
		case FrameGroups:
			e = groupAt(addSat(addSat(int64(g), off), 1))
		default:
			e = p.rangeEnd[i]
		}
	default:
		e = 0
	}
	return s, e
}

// excluded reports whether frame row j is left out of row i's frame.
func (p *partition) excluded(f Frame, i, j int) bool {
	switch f.Exclude {
	case ExcludeCurrentRow:
		return i == j
	case ExcludeGroup:
		return p.group[i] == p.group[j]
	case ExcludeTies:
		return i != j && p.group[i] == p.group[j]
	}
	return false
}

// frameNth returns the k-th row (from 0) of row i's frame, exclusions
// applied, counting from the frame's end when fromEnd; -1 when the frame is
// shorter. Without exclusions it is arithmetic, so whole-partition frames
// cost nothing per row.
func (p *partition) frameNth(f Frame, i, k int, fromEnd bool) int {
	s, e := p.frame(f, i)
	if f.Exclude == ExcludeNoOthers {
		if k >= e-s {
			return -1
		}
		if fromEnd {
			return e - 1 - k
		}
		return s + k
	}
	step, j := 1, s
	if fromEnd {
		step, j = -1, e-1
	}
	for ; j >= s && j < e; j += step {
		if p.excluded(f, i, j) {
			continue
		}
		if k == 0 {
			return j
		}
		k--
	}
	return -1
}

// addSat adds without wrapping around: offsets may be as large as bigint.
func addSat(a, b int64) int64 {
	if s := a + b; (s > a) == (b > 0) {
		return s
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

func clamp(v, lo, hi int64) int64 {
	return max(lo, min(v, hi))
}

// compute returns function f's value for every row of the partition.
func (it *windowIter) compute(p *partition, f WindowFunc, m *aggMaker) ([]sqltypes.Value, error) {
	if m != nil {
		return it.aggregate(p, f, m)
	}
	n := len(p.rows)
	out := make([]sqltypes.Value, n)
	switch f.Func {
	case "row_number", "rank", "dense_rank", "percent_rank", "cume_dist":
		for i := range out {
			out[i] = rankValue(p, f.Func, i)
		}
		return out, nil
	case "ntile":
		return ntile(it.eval, p, f)
	case "lag", "lead":
		for i := range out {
			v, err := it.shifted(p, f, i)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case "first_value", "last_value", "nth_value":
		for i := range out {
			v, err := it.frameValue(p, f, i)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "window function %s is not implemented", f.Func)
}

func rankValue(p *partition, fn string, i int) sqltypes.Value {
	n := len(p.rows)
	switch fn {
	case "row_number":
		return int64(i + 1)
	case "rank":
		return int64(p.peerStart(i) + 1)
	case "dense_rank":
		return int64(p.group[i] + 1)
	case "percent_rank":
		if n == 1 {
			return float64(0)
		}
		return float64(p.peerStart(i)) / float64(n-1)
	}
	return float64(p.peerEnd(i)) / float64(n) // cume_dist
}

// ntile splits the partition into buckets whose sizes differ by at most one,
// the larger first; the bucket count is read at the partition's first row.
func ntile(eval *expr.Context, p *partition, f WindowFunc) ([]sqltypes.Value, error) {
	out := make([]sqltypes.Value, len(p.rows))
	v, err := f.Args[0].Eval(eval, p.rows[0])
	if err != nil || v == nil {
		return out, err
	}
	k, _ := v.(int64)
	if k <= 0 {
		return nil, pgerr.New(invalidArgumentForNtile, "argument of ntile must be greater than zero")
	}
	n := int64(len(p.rows))
	per, rem := n/k, n%k
	big := rem * (per + 1) // rows in the first rem buckets, one row larger
	for i := range out {
		j := int64(i)
		if j < big {
			out[i] = j/(per+1) + 1
		} else {
			out[i] = rem + (j-big)/per + 1
		}
	}
	return out, nil
}

// shifted is lag/lead: the argument at the row offset rows before/after,
// or the default (evaluated at the current row) outside the partition.
func (it *windowIter) shifted(p *partition, f WindowFunc, i int) (sqltypes.Value, error) {
	row := p.rows[i]
	off := int64(1)
	if len(f.Args) > 1 {
		v, err := f.Args[1].Eval(it.eval, row)
		if err != nil || v == nil {
			return nil, err
		}
		off, _ = v.(int64)
	}
	if f.Func == "lag" {
		if off == math.MinInt64 {
			off = math.MaxInt64 // as far out of the partition
		} else {
			off = -off
		}
	}
	if off < -int64(i) || off >= int64(len(p.rows)-i) {
		if len(f.Args) > 2 {
			return f.Args[2].Eval(it.eval, row)
		}
		return nil, nil
	}
	return f.Args[0].Eval(it.eval, p.rows[int64(i)+off])
}

// frameValue is first_value, last_value or nth_value over row i's frame.
func (it *windowIter) frameValue(p *partition, f WindowFunc, i int) (sqltypes.Value, error) {
	pos := 0
	if f.Func == "nth_value" {
		v, err := f.Args[1].Eval(it.eval, p.rows[i])
		if err != nil || v == nil {
			return nil, err
		}
		k, _ := v.(int64)
		if k <= 0 {
			return nil, pgerr.New(invalidArgumentForNthValue, "argument of nth_value must be greater than zero")
		}
		pos = int(min(k, math.MaxInt32)) - 1
	}
	j := p.frameNth(it.n.Spec.Frame, i, pos, f.Func == "last_value")
	if j < 0 {
		return nil, nil
	}
	return f.Args[0].Eval(it.eval, p.rows[j])
}

// aggregate runs an aggregate over each row's frame. While frames start at
// the partition's first row and only grow (the default frame, or UNBOUNDED
// PRECEDING), one running state serves them all; frames that run to the
// partition's end are aggregated backwards the same way when the order rows
// are added in does not matter; other frames are aggregated afresh.
func (it *windowIter) aggregate(p *partition, f WindowFunc, m *aggMaker) ([]sqltypes.Value, error) {
	fr := it.n.Spec.Frame
	if fr.Exclude == ExcludeNoOthers && fr.End.Kind == UnboundedFollowing && fr.Start.Kind != UnboundedPreceding && orderFree(f, m) {
		return it.aggregateBackward(p, f, m)
	}
	out := make([]sqltypes.Value, len(p.rows))
	var (
		running = m.newState()
		added   = 0
	)
	for i := range p.rows {
		s, e := p.frame(fr, i)
		if s == 0 && e >= added && fr.Exclude == ExcludeNoOthers {
			for ; added < e; added++ {
				if err := it.addRow(f, running, p.rows[added]); err != nil {
					return nil, err
				}
			}
			v, err := running.result()
			if err != nil {
				return nil, err
			}
			out[i] = v
			continue
		}
		st := m.newState()
		for j := s; j < e; j++ {
			if p.excluded(fr, i, j) {
				continue
			}
			if err := it.addRow(f, st, p.rows[j]); err != nil {
				return nil, err
			}
		}
		v, err := st.result()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// orderFree reports aggregates whose result does not depend on the order
// rows are added in. Float sums do (rounding), and PostgreSQL adds forwards.
func orderFree(f WindowFunc, m *aggMaker) bool {
	switch f.Func {
	case "count_star", "count", "min", "max", "bool_and", "bool_or":
		return true
	case "sum", "avg":
		return m.accType != sqltypes.Float8
	}
	return false
}

// aggregateBackward serves frames ending at the partition's last row from
// one state, walking from the last row: frame starts never decrease as rows
// advance, so each earlier row's frame only adds rows.
func (it *windowIter) aggregateBackward(p *partition, f WindowFunc, m *aggMaker) ([]sqltypes.Value, error) {
	out := make([]sqltypes.Value, len(p.rows))
	st, low := m.newState(), len(p.rows)
	for i := len(p.rows) - 1; i >= 0; i-- {
		s, _ := p.frame(it.n.Spec.Frame, i)
		for ; low > s; low-- {
			if err := it.addRow(f, st, p.rows[low-1]); err != nil {
				return nil, err
			}
		}
		v, err := st.result()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// addRow adds one frame row to an aggregate state, with HashAggregate's NULL
// rule and the FILTER clause.
func (it *windowIter) addRow(f WindowFunc, st aggState, row sqltypes.Row) error {
	if f.Filter != nil {
		ok, err := f.Filter.Eval(it.eval, row)
		if err != nil {
			return err
		}
		if ok != true {
			return nil
		}
	}
	var v, sep sqltypes.Value
	var err error
	if len(f.Args) > 0 {
		if v, err = f.Args[0].Eval(it.eval, row); err != nil {
			return err
		}
		if v == nil && f.Func != "array_agg" {
			return nil
		}
	}
	if len(f.Args) > 1 {
		if sep, err = f.Args[1].Eval(it.eval, row); err != nil {
			return err
		}
	}
	return st.add(v, sep)
}

// windowColumnName is a function's output column name for Out.
func windowColumnName(f WindowFunc) string {
	if f.Func == "count_star" {
		return "count"
	}
	return f.Func
}

// WindowColumns is input followed by one column per function, the Out a
// planner gives a Window.
func WindowColumns(input []sqltypes.Column, funcs []WindowFunc) []sqltypes.Column {
	out := append([]sqltypes.Column(nil), input...)
	for _, f := range funcs {
		out = append(out, sqltypes.Column{Name: windowColumnName(f), Type: f.T, Typmod: -1})
	}
	return out
}

// rangeOps is what RANGE frames with an offset need: the ORDER BY column's
// type and direction and "key + offset", "key - offset" in that type (the
// planner gives the offset the column's type).
type rangeOps struct {
	t           sqltypes.OID
	desc        bool
	plus, minus expr.Expr
}

// newRangeOps returns nil unless the frame is RANGE with an offset.
func newRangeOps(spec WindowSpec) (*rangeOps, error) {
	f := spec.Frame
	if f.Mode != FrameRange || (!isOffset(f.Start) && !isOffset(f.End)) {
		return nil, nil
	}
	if len(spec.OrderBy) != 1 {
		return nil, pgerr.New(pgerr.WindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
	}
	k := spec.OrderBy[0]
	r := &rangeOps{t: k.Expr.Type(), desc: k.Desc}
	unsupported := func() error {
		return pgerr.New(pgerr.FeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s", typeName(r.t))
	}
	switch r.t {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric, sqltypes.Float4, sqltypes.Float8:
	default:
		return nil, unsupported()
	}
	var err error
	if r.plus, err = bindBinary("+", r.t, r.t); err != nil {
		return nil, unsupported()
	}
	if r.minus, err = bindBinary("-", r.t, r.t); err != nil {
		return nil, unsupported()
	}
	return r, nil
}

func isOffset(b FrameBound) bool { return b.Kind == OffsetPreceding || b.Kind == OffsetFollowing }

// rangeBound is a key value, or past every value (inf 1) or before every
// value (inf -1) when key ± offset overflows.
type rangeBound struct {
	v   sqltypes.Value
	inf int
}

// frames computes each row's RANGE frame ends. The rows whose key lies
// within the offset of the current row's key are found by binary search
// among the rows with a non-NULL key; a NULL key's frame is its NULL peers
// (PostgreSQL's rule).
func (r *rangeOps) frames(eval *expr.Context, spec WindowSpec, p *partition) error {
	n := len(p.rows)
	keys := make([]sqltypes.Value, n)
	lo, hi := n, 0
	for i, row := range p.rows {
		k, err := spec.OrderBy[0].Expr.Eval(eval, row)
		if err != nil {
			return err
		}
		if keys[i] = k; k != nil {
			lo, hi = min(lo, i), i+1
		}
	}
	if lo > hi {
		lo = hi
	}
	f := spec.Frame
	startOff, err := r.offset(eval, f.Start, "starting", p.rows[0])
	if err != nil {
		return err
	}
	endOff, err := r.offset(eval, f.End, "ending", p.rows[0])
	if err != nil {
		return err
	}
	p.rangeStart, p.rangeEnd = make([]int, n), make([]int, n)
	for i := range p.rows {
		if keys[i] == nil {
			p.rangeStart[i], p.rangeEnd[i] = p.peerStart(i), p.peerEnd(i)
			continue
		}
		// the frame starts at the first row not before the start bound and
		// ends before the first row past the end bound
		if isOffset(f.Start) {
			if p.rangeStart[i], err = r.search(eval, keys, lo, hi, keys[i], f.Start.Kind, startOff, false); err != nil {
				return err
			}
		}
		if isOffset(f.End) {
			if p.rangeEnd[i], err = r.search(eval, keys, lo, hi, keys[i], f.End.Kind, endOff, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// offset evaluates a RANGE offset once per partition.
func (r *rangeOps) offset(eval *expr.Context, b FrameBound, which string, row sqltypes.Row) (sqltypes.Value, error) {
	if !isOffset(b) {
		return nil, nil
	}
	v, err := b.Offset.Eval(eval, row)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, pgerr.New(pgerr.NullValueNotAllowed, "frame %s offset must not be null", which)
	}
	zero := convertNumber(int64(0), r.t)
	if r.t == sqltypes.Float4 {
		zero = float64(0)
	}
	if c, err := compareValues(eval, v, zero, r.t); err != nil {
		return nil, err
	} else if c < 0 {
		return nil, pgerr.New(invalidPrecedingOrFollowingSize, "invalid preceding or following size in window function")
	}
	return v, nil
}

// search finds, among rows [lo, hi), the first row not before key ∓ off
// (a frame start) or the first row after it (past a frame end), in the
// window's order.
func (r *rangeOps) search(eval *expr.Context, keys []sqltypes.Value, lo, hi int, key sqltypes.Value,
	kind BoundKind, off sqltypes.Value, end bool) (int, error) {
	// PRECEDING moves against the order, FOLLOWING with it
	add := (kind == OffsetFollowing) != r.desc
	b, err := r.bound(eval, key, off, add)
	if err != nil {
		return 0, err
	}
	var firstErr error
	j := sort.Search(hi-lo, func(x int) bool {
		c := -b.inf // every key is below +infinity and above -infinity
		if b.inf == 0 {
			var err error
			if c, err = compareValues(eval, keys[lo+x], b.v, r.t); err != nil && firstErr == nil {
				firstErr = err
			}
		}
		if r.desc {
			c = -c
		}
		if end {
			return c > 0
		}
		return c >= 0
	})
	return lo + j, firstErr
}

// bound is key + off or key - off, saturated when it overflows.
func (r *rangeOps) bound(eval *expr.Context, key, off sqltypes.Value, add bool) (rangeBound, error) {
	op := r.minus
	if add {
		op = r.plus
	}
	v, err := op.Eval(eval, sqltypes.Row{key, off})
	if err != nil {
		if pgerr.CodeOf(err) != pgerr.NumericValueOutOfRange {
			return rangeBound{}, err
		}
		if add {
			return rangeBound{inf: 1}, nil
		}
		return rangeBound{inf: -1}, nil
	}
	return rangeBound{v: v}, nil
}
