// Package system holds the virtual relations of pg_catalog and
// information_schema (pg_class, pg_attribute, pg_type, pg_index,
// information_schema.columns ...) built from DynamoDB table metadata.
//
// It only produces relations — a column list with PostgreSQL 15's names,
// order and types, and a function computing the rows for one statement —
// and never looks at query text: the planner resolves names with
// Catalog.Lookup and the local executor runs clients' catalog SQL (psql's \d,
// pgjdbc's DatabaseMetaData, SQLAlchemy's Inspector) over the rows, so a new
// client query needs no code here as long as the data it reads is present.
//
// Rows are computed on each call from Env, which the session supplies per
// statement: the tables the user may see, the user, the database, settings
// and the functions the executor implements. Objects get PostgreSQL's OIDs
// where PostgreSQL has them (catalog relations, types, namespaces, access
// methods); DynamoDB tables get catalog.TableOID and their indexes OIDs hashed
// the same way, so OIDs are stable across connections, restarts and replicas.
package system

import (
	"context"
	"sort"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Schema names.
const (
	pgCatalog  = "pg_catalog"
	infoSchema = "information_schema"
	publicNS   = "public"
)

// Env is what the rows depend on, supplied per statement by the session.
type Env interface {
	// Tables returns only the tables this user may see, sorted by name.
	Tables(ctx context.Context) ([]*catalog.Table, error)
	// User is the connected role.
	User() string
	// Database is the PostgreSQL database name (one per faz.yaml database).
	Database() string
	// Databases lists all configured databases the user can connect to.
	Databases() []string
	// Settings feeds pg_settings.
	Settings() []Setting
	// Functions feeds pg_proc with the functions the executor implements.
	Functions() []Function
}

// Setting is one row of pg_settings (the GUC registry's view of a parameter).
type Setting struct {
	Name      string
	Setting   string // current value as SHOW prints it, without unit
	Unit      string // "" when none ("ms", "kB" ...)
	Category  string
	ShortDesc string
	VarType   string // bool, enum, integer, real, string
	Context   string // user, superuser, internal, backend ...
	Source    string // default, session, configuration file ...
	MinVal    string // "" when not applicable
	MaxVal    string
	EnumVals  []string // nil unless VarType is enum
	BootVal   string
	ResetVal  string
}

// Function is one function the executor implements, for pg_proc.
type Function struct {
	// OID is PostgreSQL's pg_proc OID for the function when known (so
	// 'pg_catalog.f'::regproc agrees with PostgreSQL); 0 assigns a stable one.
	OID        uint32
	Name       string
	ArgTypes   []sqltypes.OID
	ReturnType sqltypes.OID
	Kind       byte // 'f' normal, 'a' aggregate, 'w' window
	RetSet     bool // returns a set (generate_series, unnest ...)
	Variadic   sqltypes.OID
	Strict     bool
	Volatility byte // 'i', 's' or 'v'; 0 means 'i'
}

// RowsFunc computes a relation's rows for one statement.
type RowsFunc func(ctx context.Context, env Env) ([]sqltypes.Row, error)

// Relation is one virtual relation.
type Relation struct {
	Schema, Name string
	// OID is PostgreSQL 15's pg_class OID for the relation (all are below
	// 16384, so they never collide with catalog.TableOID).
	OID  uint32
	Kind byte // 'r' table, 'v' view
	// Columns carry TableOID and AttNum so RowDescription can name them.
	Columns []sqltypes.Column
	// Rows returns rows of exactly len(Columns) values each, of the Go types
	// sqltypes documents for each column type.
	Rows RowsFunc

	notNull []bool // attnotnull of each column, as in PostgreSQL 15
}

// NotNull reports whether column i is declared NOT NULL (pg_attribute's
// attnotnull), which a planner may use like any table's constraint.
func (r *Relation) NotNull(i int) bool { return r.notNull[i] }

// Catalog is the set of relations; built once by New and read-only after, so
// it is safe for concurrent use.
type Catalog struct {
	all    []*Relation
	byName map[string]*Relation // "schema.name"
}

// New builds the catalog.
func New() *Catalog {
	decls := declarations()
	builders := rowBuilders()
	data := newStaticData()
	c := &Catalog{byName: make(map[string]*Relation, len(decls))}
	for _, d := range decls {
		r := d.relation()
		s := newShape(r)
		if b, ok := builders[r.Schema+"."+r.Name]; ok {
			r.Rows = b(s, data)
		} else {
			r.Rows = emptyRows
		}
		c.all = append(c.all, r)
		c.byName[r.Schema+"."+r.Name] = r
	}
	sort.Slice(c.all, func(i, j int) bool {
		if c.all[i].Schema != c.all[j].Schema {
			return c.all[i].Schema > c.all[j].Schema // pg_catalog first
		}
		return c.all[i].Name < c.all[j].Name
	})
	data.relations = c.all
	return c
}

// Lookup finds a relation by schema and name (names exact: already
// case-folded by the parser). schema "" means pg_catalog only: PostgreSQL
// searches pg_catalog implicitly before search_path, while information_schema
// is reached only when qualified (it is not on the default search_path), so an
// unqualified "columns" or "tables" must go on to resolve as a user table in
// public — the caller's next step when Lookup says false.
func (c *Catalog) Lookup(schema, name string) (*Relation, bool) {
	if schema == "" {
		schema = pgCatalog
	}
	r, ok := c.byName[schema+"."+name]
	return r, ok
}

// All returns every relation, pg_catalog's first, each schema by name. The
// slice is the caller's; the relations are shared and must not be modified.
func (c *Catalog) All() []*Relation {
	return append([]*Relation(nil), c.all...)
}

// IsSystemSchema reports whether schema holds this package's relations.
func IsSystemSchema(schema string) bool {
	return schema == pgCatalog || schema == infoSchema
}

func emptyRows(context.Context, Env) ([]sqltypes.Row, error) { return nil, nil }

// envTables is env.Tables with context for the error.
func envTables(ctx context.Context, env Env) ([]*catalog.Table, error) {
	ts, err := env.Tables(ctx)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.CodeOf(err), "listing tables for the system catalogs")
	}
	return ts, nil
}
