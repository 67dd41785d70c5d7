package dynamo

// Call is one recorded DynamoDB request: its operation name ("Query"), the
// input struct (e.g. *dynamodb.QueryInput) and what came back.
type Call struct {
	Op     string
	Input  any
	Output any
	Err    error
}

// Recorder is an API that records every call and forwards it to an inner
// API; with a nil inner API it answers every call with an empty output, so
// golden plan tests can record requests without a server. Safe for
// concurrent use.
type Recorder struct {
	API // CONTRACT STUB: the dynamo owner replaces this with explicit methods
}

// NewRecorder records calls made through it and forwards them to inner (nil:
// answer empty).
func NewRecorder(inner API) *Recorder { return &Recorder{API: inner} }

// Calls returns the calls recorded so far, in order.
func (r *Recorder) Calls() []Call { return nil }

// Reset forgets the recorded calls.
func (r *Recorder) Reset() {}

// FormatCall renders a call's request as one stable line for golden files,
// e.g. `Query table=orders index=by_status key=(#k0 = :k0) ...`: operation,
// table, index, key condition, filter, projection, limit, scan direction,
// select, with the expression name/value maps resolved inline in a fixed
// order so a plan change shows as a readable diff.
func FormatCall(c Call) string { return c.Op }
