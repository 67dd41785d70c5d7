// Package expr binds PostgreSQL expression syntax trees (from pg_query) to typed
// expression trees and evaluates them with PostgreSQL semantics: three-valued
// logic, exact numerics, casts, operators and the functions clients call.
//
// The planner (package translate) pattern-matches the exported node types below
// to decide what DynamoDB can evaluate (key conditions, FilterExpression); the
// evaluator here is the reference for every result, pushdown is an optimisation.
package expr

import (
	"time"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// Expr is a bound, typed expression.
type Expr interface {
	// Type is the result type OID.
	Type() sqltypes.OID
	// Eval computes the value for one input row. SQL NULL is nil.
	Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error)
	// String renders the expression as SQL-ish text for EXPLAIN and golden files.
	String() string
}

// SessionInfo is what session-dependent functions read (current_user,
// current_setting, now() ...). Implemented by package session.
type SessionInfo interface {
	User() string
	Database() string
	// Setting returns a run-time parameter's value as SHOW would print it.
	Setting(name string) (string, bool)
	// SetSetting implements set_config(); isLocal as in PostgreSQL.
	SetSetting(name, value string, isLocal bool) error
	// TxStart is the start of the current transaction (now(), current_timestamp).
	TxStart() time.Time
	// BackendPID is pg_backend_pid().
	BackendPID() int32
}

// Context carries what evaluation needs besides the row.
type Context struct {
	Params  []sqltypes.Value // $1 is Params[0]
	Session SessionInfo
	// Outer holds the rows of enclosing queries for correlated subqueries,
	// innermost last.
	Outer []sqltypes.Row
	// Resolver names and resolves reg* values (regclass ...); nil means the
	// reg* types only accept and print numbers. NewCatalogResolver makes one
	// from Catalog.
	Resolver Resolver
	// Catalog answers the catalog functions (pg_get_indexdef,
	// has_table_privilege, pg_relation_size ...); nil makes them fail with
	// 0A000 (or answer as for an object that does not exist where PostgreSQL
	// returns NULL for those).
	Catalog CatalogInfo
}

// CompareOp is a comparison operator.
type CompareOp int

const (
	OpEQ CompareOp = iota
	OpNE
	OpLT
	OpLE
	OpGT
	OpGE
)

func (o CompareOp) String() string {
	return [...]string{"=", "<>", "<", "<=", ">", ">="}[o]
}

// The node types below are the ones the planner inspects. The binder may build
// others (arithmetic, function calls, CASE ...) as unexported types.

// ColRef reads column Index of the input row. Depth > 0 reads Context.Outer
// (Depth 1 = the innermost enclosing query's row).
type ColRef struct {
	Index int
	Depth int
	Table string // qualifier as resolved (for EXPLAIN)
	Name  string
	T     sqltypes.OID
}

// Const is a constant.
type Const struct {
	Val sqltypes.Value
	T   sqltypes.OID
}

// Param is $N (1-based).
type Param struct {
	N int
	T sqltypes.OID
}

// Compare is L op R.
type Compare struct {
	Op   CompareOp
	L, R Expr
}

// And is a conjunction (flattened).
type And struct{ Args []Expr }

// Or is a disjunction (flattened).
type Or struct{ Args []Expr }

// Not is logical negation.
type Not struct{ Arg Expr }

// IsNull is "Arg IS [NOT] NULL".
type IsNull struct {
	Arg Expr
	Not bool
}

// InList is "Arg [NOT] IN (List...)".
type InList struct {
	Arg  Expr
	List []Expr
	Not  bool
}

// AnyCompare is "L op ANY(R)" (All=false) or "L op ALL(R)" where R is an array.
type AnyCompare struct {
	Op  CompareOp
	L   Expr
	R   Expr
	All bool
}

// Between is "Arg [NOT] BETWEEN [SYMMETRIC] Lo AND Hi".
type Between struct {
	Arg, Lo, Hi Expr
	Not         bool
	Symmetric   bool
}

// Like is LIKE / ILIKE (and NOT LIKE); Escape is nil for the default backslash.
type Like struct {
	Arg, Pattern    Expr
	Escape          Expr
	Not             bool
	CaseInsensitive bool
}

// Cast converts Arg to type To (Typmod -1 when none).
type Cast struct {
	Arg    Expr
	To     sqltypes.OID
	Typmod int32
}
