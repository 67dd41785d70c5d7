package engine

import (
	"context"
	"testing"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// openCounter is an input that counts how often it is opened (each Open of
// a DynamoDB access path would be a call).
type openCounter struct {
	OneRow
	opened int
}

func (o *openCounter) Open(ctx context.Context, env *Env) (Iter, error) {
	o.opened++
	return o.OneRow.Open(ctx, env)
}

// TestUnknownAggregateRefusedBeforeInput: an aggregate the executor cannot
// compute fails when the plan opens, before its input is read, not after
// rows have been fetched from DynamoDB.
func TestUnknownAggregateRefusedBeforeInput(t *testing.T) {
	in := &openCounter{}
	n := &HashAggregate{Input: in, Aggs: []AggSpec{{Func: "mode", Arg: &expr.Const{Val: int64(1), T: sqltypes.Int4}}}}
	_, err := n.Open(context.Background(), &Env{Eval: &expr.Context{}})
	if pgerr.CodeOf(err) != pgerr.InternalError {
		t.Fatalf("Open: %v, want XX000 (planner and executor disagree)", err)
	}
	if in.opened != 0 {
		t.Fatalf("the input was opened %d times before the refusal", in.opened)
	}
}
