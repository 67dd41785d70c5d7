package engine

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*Explain)(nil)

// Explain yields the plan of Input as text, one row per line in a column
// named "QUERY PLAN". With Analyze it first runs Input to the end (discarding
// its rows) and appends what the run cost: DynamoDB requests by operation,
// items scanned and returned, pages, consumed capacity, rows and time.
type Explain struct {
	Input   Node
	Analyze bool
}

func (n *Explain) Columns() []sqltypes.Column {
	return []sqltypes.Column{{Name: "QUERY PLAN", Type: sqltypes.Text, Typmod: -1}}
}

func (n *Explain) Describe() *Description {
	d := &Description{Op: "Explain", Children: []*Description{n.Input.Describe()}}
	if n.Analyze {
		d.add("Analyze", "true")
	}
	return d
}

func (n *Explain) Open(_ context.Context, env *Env) (Iter, error) {
	return &explainIter{n: n, env: env}, nil
}

type explainIter struct {
	n     *Explain
	env   *Env
	lines []string
	pos   int
	built bool
}

func (it *explainIter) Next(ctx context.Context) (sqltypes.Row, error) {
	if !it.built {
		it.built = true
		it.lines = it.n.Input.Describe().Lines()
		if it.n.Analyze {
			extra, err := it.analyze(ctx)
			if err != nil {
				return nil, err
			}
			it.lines = append(it.lines, extra...)
		}
	}
	if it.pos >= len(it.lines) {
		return nil, io.EOF
	}
	it.pos++
	return sqltypes.Row{it.lines[it.pos-1]}, nil
}

// analyze runs the input with its own Stats (folded into the statement's
// afterwards, so capacity notices still see the cost) and reports them.
func (it *explainIter) analyze(ctx context.Context) ([]string, error) {
	stats := &Stats{Requests: map[string]int{}}
	env := *it.env
	env.Stats, env.eval = stats, nil
	start := time.Now()
	rows, err := drainNode(ctx, it.n.Input, &env)
	it.env.Stats.Add(stats)
	if err != nil {
		return nil, err
	}
	return []string{
		"DynamoDB Requests: " + stats.RequestsString(),
		fmt.Sprintf("Items Scanned: %d", stats.ItemsScanned),
		fmt.Sprintf("Items Returned: %d", stats.ItemsReturned),
		fmt.Sprintf("Pages: %d", stats.Pages),
		fmt.Sprintf("Consumed Capacity: %g RCU", stats.ConsumedCapacity),
		fmt.Sprintf("Rows: %d", rows),
		fmt.Sprintf("Execution Time: %.3f ms", float64(time.Since(start).Microseconds())/1000),
	}, nil
}

func (it *explainIter) Close() {}

// drainNode runs n to the end and counts its rows.
func drainNode(ctx context.Context, n Node, env *Env) (int64, error) {
	in, err := n.Open(ctx, env)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	var rows int64
	for {
		if _, err := in.Next(ctx); err != nil {
			if err == io.EOF {
				return rows, nil
			}
			return rows, err
		}
		rows++
	}
}
