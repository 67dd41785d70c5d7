package session

import (
	"context"
	"sort"
	"time"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// stmtCatalog is one statement's view of the catalogs: the system.Env the
// virtual pg_catalog relations are computed from, and the expr.CatalogInfo
// the catalog functions (has_table_privilege, pg_get_indexdef, ::regclass)
// read. Both see exactly the tables the user may see: policy decides, so a
// table under "none" exists nowhere in a catalog query (spec/rbac.md).
//
// It is built per statement with the statement's context and the rules in
// force when the statement started, and reads lazily: a statement that never
// looks at the catalog costs nothing, one that does reads each relation once.
type stmtCatalog struct {
	ctx   context.Context
	s     *Session
	rules *policy.Rules

	tables    []*catalog.Table
	tablesErr error
	loaded    bool

	index       *catalogIndex // built on first lookup
	staticIndex *catalogIndex // schemas, types and functions only
}

var _ system.Env = (*stmtCatalog)(nil)

// newStmtCatalog returns the catalog view of one statement.
func (s *Session) newStmtCatalog(ctx context.Context) *stmtCatalog {
	return &stmtCatalog{ctx: ctx, s: s, rules: s.backend.security.Load().Rules}
}

// --- system.Env ---

// Tables implements system.Env: the database's tables this user may see,
// sorted by name. Hidden tables are filtered before DescribeTable, so their
// metadata is never even read for this user.
func (c *stmtCatalog) Tables(ctx context.Context) ([]*catalog.Table, error) {
	if c.loaded {
		return c.tables, c.tablesErr
	}
	c.tables, c.tablesErr = c.loadTables(ctx)
	c.loaded = true
	return c.tables, c.tablesErr
}

func (c *stmtCatalog) loadTables(ctx context.Context) ([]*catalog.Table, error) {
	names, err := c.s.db.Catalog.TableNames(ctx)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.CodeOf(err), "listing the tables of database %q", c.s.db.Name)
	}
	sort.Strings(names)
	var out []*catalog.Table
	for _, name := range names {
		if !c.rules.Visible(c.s.user, c.s.db.Name, name) {
			continue
		}
		t, err := c.s.db.Catalog.Table(ctx, name)
		if pgerr.CodeOf(err) == pgerr.UndefinedTable {
			continue // deleted since ListTables: it is simply gone
		}
		if err != nil {
			return nil, pgerr.Wrap(err, pgerr.CodeOf(err), "describing table %q", name)
		}
		out = append(out, t)
	}
	return out, nil
}

// User implements system.Env.
func (c *stmtCatalog) User() string { return c.s.user }

// Database implements system.Env.
func (c *stmtCatalog) Database() string { return c.s.db.Name }

// Databases implements system.Env: the configured databases this user has a
// permissions entry for (the ones a connection would be accepted to).
func (c *stmtCatalog) Databases() []string {
	var out []string
	for name := range c.s.backend.dbs {
		if c.rules.CanConnect(c.s.user, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Settings implements system.Env from the session's parameters.
func (c *stmtCatalog) Settings() []system.Setting {
	infos := c.s.settings.Describe()
	out := make([]system.Setting, len(infos))
	for i, in := range infos {
		out[i] = settingOf(in)
	}
	return out
}

func settingOf(in guc.Info) system.Setting {
	return system.Setting{Name: in.Name, Setting: in.Setting, Unit: in.Unit, Category: in.Category,
		ShortDesc: in.ShortDesc, VarType: in.VarType, Context: in.Context, Source: in.Source,
		MinVal: in.MinVal, MaxVal: in.MaxVal, EnumVals: in.EnumVals, BootVal: in.BootVal, ResetVal: in.ResetVal}
}

// Functions implements system.Env: the functions the executor implements.
func (c *stmtCatalog) Functions() []system.Function { return c.s.backend.functions }

// functionsOf lists a registry's functions for pg_proc.
func functionsOf(f *expr.Funcs) []system.Function {
	sigs := f.List()
	out := make([]system.Function, len(sigs))
	for i, sg := range sigs {
		out[i] = system.Function{Name: sg.Name, ArgTypes: sg.Args, ReturnType: sg.Result, Kind: sg.Kind,
			RetSet: sg.RetSet, Variadic: sg.Variadic, Strict: sg.Strict}
	}
	return out
}

// --- expr.CatalogInfo ---

// catalogIndex is the catalog relations' rows arranged for lookups.
type catalogIndex struct {
	rels       map[uint32]expr.RelationInfo
	relByName  map[string]uint32 // "schema.name"
	types      map[uint32]expr.TypeInfo
	typeByName map[string]uint32
	funcs      map[uint32]expr.FunctionInfo
	funcByName map[string][]uint32
	namespaces []expr.NamespaceInfo
	comments   map[commentKey]string
}

type commentKey struct {
	objoid, classoid uint32
	subid            int32
	shared           bool
}

// lookup returns the full index, building it on first use.
func (c *stmtCatalog) lookup() (*catalogIndex, error) {
	if c.index == nil {
		ix, err := buildIndex(c, true)
		if err != nil {
			return nil, err
		}
		c.index = ix
	}
	return c.index, nil
}

// lookupStatic returns an index of what does not depend on tables.
func (c *stmtCatalog) lookupStatic() (*catalogIndex, error) {
	if c.index != nil {
		return c.index, nil
	}
	if c.staticIndex == nil {
		ix, err := buildIndex(c, false)
		if err != nil {
			return nil, err
		}
		c.staticIndex = ix
	}
	return c.staticIndex, nil
}

// RelationByOID implements expr.CatalogInfo.
func (c *stmtCatalog) RelationByOID(oid uint32) (expr.RelationInfo, bool, error) {
	ix, err := c.lookup()
	if err != nil {
		return expr.RelationInfo{}, false, err
	}
	r, ok := ix.rels[oid]
	return r, ok, nil
}

// RelationByName implements expr.CatalogInfo.
func (c *stmtCatalog) RelationByName(schema, name string) (expr.RelationInfo, bool, error) {
	ix, err := c.lookup()
	if err != nil {
		return expr.RelationInfo{}, false, err
	}
	oid, ok := ix.relByName[schema+"."+name]
	return ix.rels[oid], ok, nil
}

// TypeByOID implements expr.CatalogInfo.
func (c *stmtCatalog) TypeByOID(oid uint32) (expr.TypeInfo, bool, error) {
	ix, err := c.lookupStatic()
	if err != nil {
		return expr.TypeInfo{}, false, err
	}
	t, ok := ix.types[oid]
	return t, ok, nil
}

// TypeByName implements expr.CatalogInfo.
func (c *stmtCatalog) TypeByName(name string) (expr.TypeInfo, bool, error) {
	ix, err := c.lookupStatic()
	if err != nil {
		return expr.TypeInfo{}, false, err
	}
	oid, ok := ix.typeByName[name]
	return ix.types[oid], ok, nil
}

// FunctionByOID implements expr.CatalogInfo.
func (c *stmtCatalog) FunctionByOID(oid uint32) (expr.FunctionInfo, bool, error) {
	ix, err := c.lookupStatic()
	if err != nil {
		return expr.FunctionInfo{}, false, err
	}
	f, ok := ix.funcs[oid]
	return f, ok, nil
}

// FunctionsByName implements expr.CatalogInfo.
func (c *stmtCatalog) FunctionsByName(name string) ([]expr.FunctionInfo, error) {
	ix, err := c.lookupStatic()
	if err != nil {
		return nil, err
	}
	var out []expr.FunctionInfo
	for _, oid := range ix.funcByName[name] {
		out = append(out, ix.funcs[oid])
	}
	return out, nil
}

// Namespaces implements expr.CatalogInfo.
func (c *stmtCatalog) Namespaces() []expr.NamespaceInfo {
	ix, err := c.lookupStatic()
	if err != nil {
		return nil // pg_namespace is static data: computing it cannot fail
	}
	return ix.namespaces
}

// IndexDef implements expr.CatalogInfo.
func (c *stmtCatalog) IndexDef(oid uint32) (expr.IndexInfo, bool, error) {
	tables, err := c.Tables(c.ctx)
	if err != nil {
		return expr.IndexInfo{}, false, err
	}
	for _, t := range tables {
		if def, ok := system.IndexDef(t, oid); ok {
			rel, _, err := c.RelationByOID(oid)
			return expr.IndexInfo{Def: def, Columns: rel.Columns}, true, err
		}
	}
	return expr.IndexInfo{}, false, nil
}

// ConstraintDef implements expr.CatalogInfo.
func (c *stmtCatalog) ConstraintDef(oid uint32) (string, bool, error) {
	tables, err := c.Tables(c.ctx)
	if err != nil {
		return "", false, err
	}
	for _, t := range tables {
		if def, ok := system.ConstraintDef(t, oid); ok {
			return def, true, nil
		}
	}
	return "", false, nil
}

// Description implements expr.CatalogInfo.
func (c *stmtCatalog) Description(objoid, classoid uint32, subid int32, shared bool) (string, bool, error) {
	ix, err := c.lookup()
	if err != nil {
		return "", false, err
	}
	d, ok := ix.comments[commentKey{objoid, classoid, subid, shared}]
	return d, ok, nil
}

// TablePrivilege implements expr.CatalogInfo: a DynamoDB table's privileges
// are its access code's classes (SELECT ↔ read, INSERT ↔ insert, UPDATE ↔
// write, DELETE and TRUNCATE ↔ delete); the system catalogs may be read, as
// PostgreSQL grants every role; indexes and the rest grant nothing.
func (c *stmtCatalog) TablePrivilege(rel expr.RelationInfo, priv string) bool {
	if system.IsSystemSchema(rel.Schema) {
		return priv == "SELECT"
	}
	if rel.Kind != 'r' {
		return false
	}
	class, ok := map[string]policy.Class{
		"SELECT": policy.Read, "INSERT": policy.Insert, "UPDATE": policy.Write,
		"DELETE": policy.Delete, "TRUNCATE": policy.Delete,
	}[priv]
	return ok && c.rules.AccessFor(c.s.user, c.s.db.Name, rel.Name).Allows(class)
}

// databaseInfos lists the databases with their OIDs.
func (c *stmtCatalog) databaseInfos() []expr.DatabaseInfo {
	var out []expr.DatabaseInfo
	for _, name := range c.Databases() {
		out = append(out, expr.DatabaseInfo{OID: system.DatabaseOID(name), Name: name})
	}
	return out
}

// StartTime implements expr.CatalogInfo.
func (c *stmtCatalog) StartTime() time.Time { return c.s.backend.started }

// exprCatalog is a stmtCatalog as an expr.CatalogInfo, whose Databases
// differs from system.Env's (names only).
type exprCatalog struct{ *stmtCatalog }

// Databases implements expr.CatalogInfo.
func (c exprCatalog) Databases() []expr.DatabaseInfo { return c.databaseInfos() }

var _ expr.CatalogInfo = exprCatalog{}

// oidValue reads an oid/int value of a catalog row.
func oidValue(v sqltypes.Value) uint32 {
	n, _ := v.(int64)
	return uint32(n)
}
