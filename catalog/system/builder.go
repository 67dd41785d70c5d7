package system

import (
	"context"
	"fmt"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Types of catalog columns that sqltypes has no constant for. Their values are
// always NULL here: nothing we serve has an address or a stored default, and
// it spares the codecs two types.
const (
	inetOID     sqltypes.OID = 869
	anyarrayOID sqltypes.OID = 2277
)

// Transaction ids a fresh PostgreSQL 15 cluster shows in relfrozenxid and
// datfrozenxid (FirstNormalTransactionId is 3; initdb uses a few hundred)
// and in relminmxid and datminmxid (FirstMultiXactId). Clients only check
// that they are there; DynamoDB has no transaction ids to report.
const (
	frozenXID = 716
	minMXID   = 1
)

// alwaysNull reports the column types whose values are always NULL here.
func alwaysNull(t sqltypes.OID) bool {
	return t == inetOID || t == anyarrayOID
}

// col is one declared column.
type col struct {
	name    string
	typ     sqltypes.OID
	typmod  int32
	notNull bool // pg_attribute.attnotnull
}

// decl is one declared relation.
type decl struct {
	schema, name string
	oid          uint32
	kind         byte
	cols         []col
}

func (d decl) relation() *Relation {
	r := &Relation{Schema: d.schema, Name: d.name, OID: d.oid, Kind: d.kind}
	for i, c := range d.cols {
		r.Columns = append(r.Columns, sqltypes.Column{Name: c.name, Type: c.typ, Typmod: c.typmod,
			TableOID: d.oid, AttNum: int16(i + 1)})
		r.notNull = append(r.notNull, c.notNull)
	}
	return r
}

// shape maps a relation's column names to positions and holds the value an
// unset column takes.
type shape struct {
	rel      *Relation
	index    map[string]int
	defaults sqltypes.Row
}

func newShape(r *Relation) *shape {
	s := &shape{rel: r, index: make(map[string]int, len(r.Columns))}
	for i, c := range r.Columns {
		s.index[c.Name] = i
		s.defaults = append(s.defaults, defaultValue(r.notNull[i], c.Type))
	}
	return s
}

// defaultValue is what a column holds when a builder does not set it: NULL,
// or the type's zero value for a NOT NULL column (as PostgreSQL's catalogs
// declare most fixed-width columns), so no NOT NULL column is ever NULL.
func defaultValue(notNull bool, t sqltypes.OID) sqltypes.Value {
	if !notNull {
		return nil
	}
	switch t {
	case sqltypes.Bool:
		return false
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Oid, sqltypes.Xid, sqltypes.Regproc:
		return int64(0)
	case sqltypes.Float4:
		return float64(0)
	case sqltypes.Name, sqltypes.Char, sqltypes.Text:
		return ""
	case sqltypes.Int2Vector:
		return int2Vector(sqltypes.Int2)
	case sqltypes.OidVector:
		return oidVector()
	}
	return nil
}

// vals is one row by column name; columns not named take their default.
type vals map[string]sqltypes.Value

// rowSet collects a relation's rows. The first misuse (unknown column, value
// of the wrong Go type) is kept and reported by result, so builders read as
// plain lists of rows.
type rowSet struct {
	s    *shape
	rows []sqltypes.Row
	err  error
}

func (s *shape) rowSet() *rowSet { return &rowSet{s: s} }

// add appends one row.
func (rs *rowSet) add(v vals) {
	row := append(sqltypes.Row(nil), rs.s.defaults...)
	for name, val := range v {
		i, ok := rs.s.index[name]
		if !ok {
			rs.fail(fmt.Errorf("no column %q", name))
			continue
		}
		row[i] = val
	}
	rs.rows = append(rs.rows, row)
}

func (rs *rowSet) fail(err error) {
	if rs.err == nil {
		rs.err = pgerr.Wrap(err, pgerr.InternalError, "building %s.%s", rs.s.rel.Schema, rs.s.rel.Name)
	}
}

// result returns the rows after checking every value against its column.
func (rs *rowSet) result() ([]sqltypes.Row, error) {
	if rs.err != nil {
		return nil, rs.err
	}
	if err := checkRows(rs.s.rel, rs.rows); err != nil {
		return nil, err
	}
	return rs.rows, nil
}

// checkRows verifies that rows have the relation's width and each value the
// Go type sqltypes prescribes for its column type.
func checkRows(r *Relation, rows []sqltypes.Row) error {
	for n, row := range rows {
		if len(row) != len(r.Columns) {
			return pgerr.New(pgerr.InternalError, "%s.%s row %d has %d values for %d columns",
				r.Schema, r.Name, n, len(row), len(r.Columns))
		}
		for i, v := range row {
			if v == nil && r.notNull[i] && !alwaysNull(r.Columns[i].Type) {
				return pgerr.New(pgerr.InternalError, "%s.%s row %d: NULL in NOT NULL column %s",
					r.Schema, r.Name, n, r.Columns[i].Name)
			}
			if !valueFits(v, r.Columns[i].Type) {
				return pgerr.New(pgerr.InternalError, "%s.%s row %d column %s: %T is not a %s",
					r.Schema, r.Name, n, r.Columns[i].Name, v, sqltypes.TypeName(r.Columns[i].Type))
			}
		}
	}
	return nil
}

// valueFits reports whether v is the Go representation of a value of type t.
func valueFits(v sqltypes.Value, t sqltypes.OID) bool {
	if v == nil {
		return true
	}
	switch t {
	case sqltypes.Bool:
		_, ok := v.(bool)
		return ok
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Oid, sqltypes.Xid, sqltypes.Regproc,
		sqltypes.Regtype, sqltypes.Regclass, sqltypes.Regnamespace:
		_, ok := v.(int64)
		return ok
	case sqltypes.Float4, sqltypes.Float8:
		_, ok := v.(float64)
		return ok
	case sqltypes.Name, sqltypes.Text, sqltypes.Varchar, sqltypes.Bpchar, sqltypes.Char,
		sqltypes.PgNodeTree, sqltypes.Aclitem:
		_, ok := v.(string)
		return ok
	case sqltypes.Bytea:
		_, ok := v.([]byte)
		return ok
	}
	if alwaysNull(t) {
		return false
	}
	a, ok := v.(sqltypes.Array)
	if !ok {
		return false
	}
	elem, isArray := sqltypes.ElemType(t)
	switch t {
	case sqltypes.Int2Vector:
		elem, isArray = sqltypes.Int2, true
	case sqltypes.OidVector:
		elem, isArray = sqltypes.Oid, true
	}
	if !isArray || a.Elem != elem {
		return false
	}
	for _, item := range a.Items {
		if !valueFits(item, elem) {
			return false
		}
	}
	return true
}

// builder makes a relation's RowsFunc from its shape and the shared data.
type builder func(s *shape, d *staticData) RowsFunc

// rowBuilders maps "schema.name" to the builder of each non-empty relation;
// declared relations missing here are empty (pg_inherits, pg_trigger ...).
func rowBuilders() map[string]builder {
	m := map[string]builder{}
	for _, group := range []map[string]builder{
		namespaceBuilders(), classBuilders(), typeBuilders(), roleBuilders(),
		procBuilders(), viewBuilders(), infoSchemaBuilders(),
	} {
		for k, b := range group {
			m[k] = b
		}
	}
	return m
}

// static is a builder for rows that do not depend on Env.
func static(rowsOf func(rs *rowSet)) builder {
	return func(s *shape, _ *staticData) RowsFunc {
		return func(context.Context, Env) ([]sqltypes.Row, error) {
			rs := s.rowSet()
			rowsOf(rs)
			return rs.result()
		}
	}
}

// withTables is a builder for rows derived from the visible tables (and
// possibly the shared data).
func withTables(rowsOf func(rs *rowSet, env Env, d *staticData, objs []tableObjects)) builder {
	return func(s *shape, d *staticData) RowsFunc {
		return func(ctx context.Context, env Env) ([]sqltypes.Row, error) {
			tables, err := envTables(ctx, env)
			if err != nil {
				return nil, err
			}
			objs := make([]tableObjects, len(tables))
			for i, t := range tables {
				objs[i] = objectsOf(t)
			}
			rs := s.rowSet()
			rowsOf(rs, env, d, objs)
			return rs.result()
		}
	}
}

// perTable is a builder for rows derived from each visible table alone.
func perTable(rowsOf func(rs *rowSet, env Env, o tableObjects)) builder {
	return withTables(func(rs *rowSet, env Env, _ *staticData, objs []tableObjects) {
		for _, o := range objs {
			rowsOf(rs, env, o)
		}
	})
}

// fromEnv is a builder for rows that depend on Env but not on tables.
func fromEnv(rowsOf func(rs *rowSet, env Env)) builder {
	return func(s *shape, _ *staticData) RowsFunc {
		return func(_ context.Context, env Env) ([]sqltypes.Row, error) {
			rs := s.rowSet()
			rowsOf(rs, env)
			return rs.result()
		}
	}
}

// Helpers for building values of the catalog's types.

func oid(n uint32) int64 { return int64(n) }

func i64[T ~int | ~int16 | ~int32 | ~int64](n T) int64 { return int64(n) }

func char(c byte) string {
	if c == 0 {
		return ""
	}
	return string(rune(c))
}

func oidVector(oids ...uint32) sqltypes.Array {
	a := sqltypes.Array{Elem: sqltypes.Oid, Items: []sqltypes.Value{}}
	for _, o := range oids {
		a.Items = append(a.Items, int64(o))
	}
	return a
}

func int2Vector(elem sqltypes.OID, ns ...int16) sqltypes.Array {
	a := sqltypes.Array{Elem: elem, Items: []sqltypes.Value{}}
	for _, n := range ns {
		a.Items = append(a.Items, int64(n))
	}
	return a
}

func textArray(ss ...string) sqltypes.Array {
	a := sqltypes.Array{Elem: sqltypes.Text, Items: []sqltypes.Value{}}
	for _, s := range ss {
		a.Items = append(a.Items, s)
	}
	return a
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}
