// Package engine is fazproxy's local executor: plan trees of streaming iterators.
// Leaves are DynamoDB access paths (GetItem, BatchGetItem, Query, Scan, PartiQL)
// or virtual relations; inner nodes are local operators (filter, project, sort,
// limit, aggregate, join ...). A node is both the plan (it describes itself for
// EXPLAIN and golden tests) and the way to run it (Open).
//
// Rows stream: Next pulls one row at a time and DynamoDB pages are fetched only
// when the rows of the previous page are consumed, so a portal suspended after N
// rows holds at most one page, and a LIMIT stops reading early.
package engine

import (
	"context"

	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Node is a plan operator.
type Node interface {
	// Columns is the output schema.
	Columns() []sqltypes.Column
	// Open starts execution. The returned Iter must be closed.
	Open(ctx context.Context, env *Env) (Iter, error)
	// Describe returns the stable description used by EXPLAIN and golden tests.
	Describe() *Description
}

// Iter yields rows. Next returns (nil, io.EOF) after the last row. ctx bounds
// any DynamoDB call made to produce the row (each Execute has its own ctx).
type Iter interface {
	Next(ctx context.Context) (sqltypes.Row, error)
	Close()
}

// Env is what a running plan needs.
type Env struct {
	Eval  *expr.Context // params and session for expression evaluation
	DB    dynamo.API    // the database's DynamoDB client
	Stats *Stats        // counters for EXPLAIN ANALYZE and capacity notices (may be nil)
	// ConsistentRead asks GetItem/BatchGetItem/Query/Scan for strongly
	// consistent reads (SET faz.consistent_read = on).
	ConsistentRead bool
	// SortMemLimit bounds the bytes a Sort may hold (0 = default 64 MiB); past
	// it the statement fails with 54000.
	SortMemLimit int64
	// System supplies the rows of pg_catalog and information_schema relations
	// (VirtualScan); nil makes reading them an error.
	System system.Env

	// run is shared by every Env derived from this one for one execution
	// (correlated subqueries, lateral joins); eval is this Env's expression
	// context as operators see it. Both are set up lazily by evalCtx.
	run  *runState
	eval *expr.Context
}

// Stats counts what a statement cost.
type Stats struct {
	Requests         map[string]int // by operation name, e.g. "Query"
	ItemsScanned     int64
	ItemsReturned    int64
	Pages            int
	ConsumedCapacity float64
}

// Description is a printable plan node: an operator name, ordered properties and
// children. Its String form is what EXPLAIN prints.
type Description struct {
	Op       string
	Props    []Prop
	Children []*Description
}

// Prop is one "key: value" line of a plan node.
type Prop struct{ Key, Value string }
