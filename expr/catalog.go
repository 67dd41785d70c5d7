package expr

import (
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// CatalogInfo is the catalog as the catalog functions and the reg* types see
// it: the relations, types, functions and schemas the connected user may see.
// Package session implements it per statement over the virtual pg_catalog, so
// this package needs no import of package catalog. Lookups that miss answer
// ok=false; errors are reserved for failures to read the catalog (DynamoDB).
type CatalogInfo interface {
	// RelationByOID finds a visible relation (system relation, table, index).
	RelationByOID(oid uint32) (RelationInfo, bool, error)
	// RelationByName finds a visible relation by schema and exact name.
	RelationByName(schema, name string) (RelationInfo, bool, error)
	// TypeByOID and TypeByName find pg_type rows (name is typname).
	TypeByOID(oid uint32) (TypeInfo, bool, error)
	TypeByName(name string) (TypeInfo, bool, error)
	// FunctionByOID finds a pg_proc row; FunctionsByName all overloads of name.
	FunctionByOID(oid uint32) (FunctionInfo, bool, error)
	FunctionsByName(name string) ([]FunctionInfo, error)
	// Namespaces lists the schemas.
	Namespaces() []NamespaceInfo
	// IndexDef is pg_get_indexdef's text of an index and its column names.
	IndexDef(oid uint32) (IndexInfo, bool, error)
	// ConstraintDef is pg_get_constraintdef's text of a constraint.
	ConstraintDef(oid uint32) (string, bool, error)
	// Description is the pg_description (or, shared, pg_shdescription)
	// comment of an object.
	Description(objoid, classoid uint32, subid int32, shared bool) (string, bool, error)
	// TablePrivilege reports whether the user holds priv (SELECT, INSERT,
	// UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER) on rel.
	TablePrivilege(rel RelationInfo, priv string) bool
	// Databases lists the databases the user can connect to.
	Databases() []DatabaseInfo
	// StartTime is when the server started (pg_postmaster_start_time).
	StartTime() time.Time
}

// RelationInfo is one pg_class row as the catalog functions need it.
type RelationInfo struct {
	OID          uint32
	Schema, Name string
	Kind         byte     // relkind: 'r' table, 'v' view, 'i' index
	Columns      []string // attname by attnum-1
	Size         int64    // bytes (pg_relation_size)
	IndexesSize  int64    // bytes of its indexes (pg_indexes_size)
}

// TypeInfo is one pg_type row as format_type and regtype need it.
type TypeInfo struct {
	OID       uint32
	Name      string       // typname
	Elem      sqltypes.OID // element type of a true array type, else 0
	ArrayType sqltypes.OID // typarray
}

// FunctionInfo is one pg_proc row.
type FunctionInfo struct {
	OID  uint32
	Name string
	Args []sqltypes.OID
}

// NamespaceInfo is one pg_namespace row.
type NamespaceInfo struct {
	OID  uint32
	Name string
}

// DatabaseInfo is one pg_database row.
type DatabaseInfo struct {
	OID  uint32
	Name string
}

// IndexInfo is an index's definition as pg_get_indexdef prints it.
type IndexInfo struct {
	Def     string   // CREATE [UNIQUE] INDEX ...
	Columns []string // column names by index column number - 1
}

// ownerRoleOID is the role every object belongs to: the connected user
// shows as PostgreSQL's bootstrap role.
const ownerRoleOID = 10

// needCatalog returns ctx's catalog or a 0A000 error naming fn.
func needCatalog(ctx *Context, fn string) (CatalogInfo, error) {
	if ctx == nil || ctx.Catalog == nil {
		return nil, pgerr.Unsupported(fn+" without a catalog", "")
	}
	return ctx.Catalog, nil
}

// relationFromArg resolves a function's relation argument: an OID (regclass
// or oid: NULL result when missing, ok=false) or a name (text: 42P01 when
// missing, as PostgreSQL's text variants raise).
func relationFromArg(ctx *Context, c CatalogInfo, v sqltypes.Value, t sqltypes.OID) (RelationInfo, bool, error) {
	if category(t) == catString {
		r := &CatalogResolver{Info: c, Session: sessionOf(ctx)}
		rel, err := r.relationByName(str(v))
		if err != nil {
			return RelationInfo{}, false, err
		}
		return rel, true, nil
	}
	return c.RelationByOID(uint32(num(v)))
}

func sessionOf(ctx *Context) SessionInfo {
	if ctx == nil {
		return nil
	}
	return ctx.Session
}
