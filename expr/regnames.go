package expr

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// SQLSTATEs of name lookups that package pgerr does not name.
const (
	codeInvalidName       = "42602"
	codeAmbiguousFunction = "42725"
)

// CatalogResolver implements Resolver (the reg* types) over a CatalogInfo
// with PostgreSQL's name rules: unquoted names fold to lower case, an
// unqualified relation is searched in pg_catalog then search_path, and output
// names are qualified only when the search path would not find them.
type CatalogResolver struct {
	Info CatalogInfo
	// Session supplies search_path; nil means the default ("$user", public).
	Session SessionInfo
}

var _ Resolver = (*CatalogResolver)(nil)

// NewCatalogResolver returns the Resolver of a statement's catalog.
func NewCatalogResolver(info CatalogInfo, s SessionInfo) *CatalogResolver {
	return &CatalogResolver{Info: info, Session: s}
}

// searchPath is the schemas searched for an unqualified name, pg_catalog
// first unless search_path places it.
func (r *CatalogResolver) searchPath() []string {
	sp := searchPath(&Context{Session: r.Session})
	for _, s := range sp {
		if s == "pg_catalog" {
			return sp
		}
	}
	return append([]string{"pg_catalog"}, sp...)
}

// RegClass implements Resolver.
func (r *CatalogResolver) RegClass(name string) (int64, error) {
	rel, err := r.relationByName(name)
	if err != nil {
		return 0, err
	}
	return int64(rel.OID), nil
}

func (r *CatalogResolver) relationByName(name string) (RelationInfo, error) {
	parts, err := ParseQualifiedName(name)
	if err != nil {
		return RelationInfo{}, err
	}
	schemas := r.searchPath()
	switch len(parts) {
	case 1:
	case 2:
		schemas = parts[:1]
	case 3:
		if r.Session == nil || parts[0] != r.Session.Database() {
			return RelationInfo{}, pgerr.New(pgerr.FeatureNotSupported,
				"cross-database references are not implemented: %s", name)
		}
		schemas = parts[1:2]
	default:
		return RelationInfo{}, pgerr.New(codeInvalidName, "improper relation name (too many dotted names): %s", name)
	}
	rel := parts[len(parts)-1]
	for _, s := range schemas {
		info, ok, err := r.Info.RelationByName(s, rel)
		if err != nil {
			return RelationInfo{}, err
		}
		if ok {
			return info, nil
		}
	}
	shown := rel
	if len(parts) > 1 {
		shown = strings.Join(parts[len(parts)-2:], ".")
	}
	return RelationInfo{}, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", shown)
}

// RegType implements Resolver: PostgreSQL's type name syntax ('integer',
// 'character varying(10)', 'text[]', 'pg_catalog.int4', '"char"').
func (r *CatalogResolver) RegType(name string) (int64, error) {
	t, err := r.parseType(name)
	return int64(t), err
}

func (r *CatalogResolver) parseType(name string) (sqltypes.OID, error) {
	tn, err := parseTypeString(name)
	if err != nil {
		return 0, err
	}
	if t, _, err := resolveTypeName(tn); err == nil {
		return t, nil
	}
	// Not one of the types expressions compute with: any pg_type row.
	parts := stringList(tn.Names)
	if len(parts) == 2 && parts[0] != "pg_catalog" || len(parts) == 0 || len(parts) > 2 {
		return 0, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", strings.Join(parts, "."))
	}
	ti, ok, err := r.Info.TypeByName(parts[len(parts)-1])
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", parts[len(parts)-1])
	}
	if len(tn.ArrayBounds) > 0 {
		if ti.ArrayType == 0 {
			return 0, pgerr.New(pgerr.UndefinedObject, "could not find array type for data type %s", ti.Name)
		}
		return ti.ArrayType, nil
	}
	return ti.OID, nil
}

// parseTypeString parses a type name as PostgreSQL's parseTypeString does:
// as the target of a cast, refusing anything that is not exactly a type name.
func parseTypeString(s string) (*pg_query.TypeName, error) {
	bad := pgerr.New(pgerr.SyntaxError, "invalid type name %q", s)
	if strings.ContainsAny(s, ";") {
		return nil, bad
	}
	tree, err := pg_query.Parse("SELECT NULL::" + s)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, bad
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || sel.FromClause != nil || sel.WhereClause != nil ||
		sel.LimitCount != nil || sel.LimitOffset != nil || sel.GroupClause != nil || sel.HavingClause != nil ||
		sel.SortClause != nil || sel.WindowClause != nil || sel.DistinctClause != nil || sel.LockingClause != nil {
		return nil, bad
	}
	rt := sel.TargetList[0].GetResTarget()
	if rt == nil || rt.Name != "" || rt.Val.GetTypeCast() == nil || rt.Val.GetTypeCast().Arg.GetAConst() == nil {
		return nil, bad
	}
	return rt.Val.GetTypeCast().TypeName, nil
}

// RegNamespace implements Resolver.
func (r *CatalogResolver) RegNamespace(name string) (int64, error) {
	parts, err := ParseQualifiedName(name)
	if err != nil {
		return 0, err
	}
	if len(parts) != 1 {
		return 0, pgerr.New(codeInvalidName, "invalid name syntax")
	}
	for _, n := range r.Info.Namespaces() {
		if n.Name == parts[0] {
			return int64(n.OID), nil
		}
	}
	return 0, pgerr.New(pgerr.InvalidSchemaName, "schema %q does not exist", parts[0])
}

// RegProc implements Resolver: a function name with one overload.
func (r *CatalogResolver) RegProc(name string) (int64, error) {
	parts, err := ParseQualifiedName(name)
	if err != nil {
		return 0, err
	}
	if len(parts) > 2 || (len(parts) == 2 && parts[0] != "pg_catalog") {
		return 0, pgerr.New(pgerr.UndefinedFunction, "function %q does not exist", name)
	}
	fs, err := r.Info.FunctionsByName(parts[len(parts)-1])
	if err != nil {
		return 0, err
	}
	switch len(fs) {
	case 0:
		return 0, pgerr.New(pgerr.UndefinedFunction, "function %q does not exist", name)
	case 1:
		return int64(fs[0].OID), nil
	}
	return 0, pgerr.New(codeAmbiguousFunction, "more than one function named %q", name)
}

// RegName implements Resolver.
func (r *CatalogResolver) RegName(t sqltypes.OID, oid int64) (string, bool) {
	if oid <= 0 || oid > 1<<32-1 {
		return "", false
	}
	o := uint32(oid)
	switch t {
	case sqltypes.Regclass:
		rel, ok, err := r.Info.RelationByOID(o)
		if err != nil || !ok {
			return "", false
		}
		return r.relationName(rel), true
	case sqltypes.Regtype:
		if _, ok := r.typeInfo(o); !ok {
			return "", false
		}
		return FormatType(o, -1, false, r.typeInfo), true
	case sqltypes.Regproc:
		f, ok, err := r.Info.FunctionByOID(o)
		if err != nil || !ok {
			return "", false
		}
		return quoteIdentIfNeeded(f.Name), true
	case sqltypes.Regnamespace:
		for _, n := range r.Info.Namespaces() {
			if n.OID == o {
				return quoteIdentIfNeeded(n.Name), true
			}
		}
	}
	return "", false
}

// relationName is regclass output: qualified unless the search path finds it.
func (r *CatalogResolver) relationName(rel RelationInfo) string {
	for _, s := range r.searchPath() {
		found, ok, err := r.Info.RelationByName(s, rel.Name)
		if err != nil {
			break
		}
		if ok {
			if found.OID == rel.OID {
				return quoteIdentIfNeeded(rel.Name)
			}
			break
		}
	}
	return quoteIdentIfNeeded(rel.Schema) + "." + quoteIdentIfNeeded(rel.Name)
}

// typeInfo looks a type up in the catalog, errors reading as unknown (types
// are static data: the catalog cannot fail to read them).
func (r *CatalogResolver) typeInfo(o uint32) (TypeInfo, bool) {
	ti, ok, err := r.Info.TypeByOID(o)
	return ti, ok && err == nil
}

// ParseQualifiedName splits a possibly qualified, possibly quoted name as
// PostgreSQL's stringToQualifiedNameList does: unquoted parts fold to lower
// case, "" inside quotes is a quote.
func ParseQualifiedName(s string) ([]string, error) {
	bad := pgerr.New(codeInvalidName, "invalid name syntax")
	var parts []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var b strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			for {
				j := strings.IndexByte(s[i:], '"')
				if j < 0 {
					return nil, bad
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			if b.Len() == 0 {
				return nil, bad
			}
		} else {
			start := i
			for i < len(s) && s[i] != '.' && s[i] != ' ' && s[i] != '"' {
				i++
			}
			if i == start {
				return nil, bad
			}
			b.WriteString(strings.ToLower(s[start:i]))
		}
		parts = append(parts, b.String())
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			return parts, nil
		}
		if s[i] != '.' {
			return nil, bad
		}
		i++
	}
}

// FormatType is PostgreSQL's format_type(t, typmod): the SQL name of a type
// with its modifier. typmodGiven is false for format_type(t, NULL) and for
// regtype output (bpchar then prints as "character", with -1 as "bpchar"). lookup names the types
// this package does not know (from pg_type); an unknown type is "???", OID 0
// is "-".
func FormatType(t sqltypes.OID, typmod int32, typmodGiven bool, lookup func(uint32) (TypeInfo, bool)) string {
	if t == 0 {
		return "-"
	}
	isArray := false
	if e, ok := elemType(t); ok && t != AnyArrayOID {
		t, isArray = e, true
	} else if lookup != nil {
		if ti, ok := lookup(t); ok && ti.Elem != 0 {
			t, isArray = ti.Elem, true
		}
	}
	withMod := typmodGiven && typmod >= 0
	name := baseTypeName(t, typmod, withMod, typmodGiven)
	if name == "" && lookup != nil {
		if ti, ok := lookup(t); ok {
			name = quoteIdentIfNeeded(ti.Name)
		}
	}
	if name == "" && (t == sqltypes.Unknown || typeName(t) != "unknown") {
		name = typeName(t)
	}
	if name == "" {
		name = "???"
	}
	if isArray {
		name += "[]"
	}
	return name
}

// baseTypeName is format_type's special spelling of a non-array type, "" for
// types printed by their pg_type name.
func baseTypeName(t sqltypes.OID, typmod int32, withMod, typmodGiven bool) string {
	switch t {
	case bpcharOID:
		// bpchar with typmod -1 is not CHARACTER (which means CHARACTER(1)),
		// so PostgreSQL prints it as bpchar when a typmod was given.
		switch {
		case withMod:
			return "character(" + strconv.Itoa(int(typmod-4)) + ")"
		case typmodGiven:
			return "bpchar"
		}
		return "character"
	case sqltypes.Varchar:
		if withMod {
			return "character varying(" + strconv.Itoa(int(typmod-4)) + ")"
		}
		return "character varying"
	case sqltypes.Numeric:
		if withMod && typmod >= 4 {
			m := typmod - 4
			scale := ((m & 0x7ff) ^ 1024) - 1024
			return "numeric(" + strconv.Itoa(int(m>>16&0xffff)) + "," + strconv.Itoa(int(scale)) + ")"
		}
		return "numeric"
	case sqltypes.Timestamp, sqltypes.Timestamptz, 1083, 1266: // time, timetz
		base, zone := "timestamp", " without time zone"
		if t == 1083 || t == 1266 {
			base = "time"
		}
		if t == sqltypes.Timestamptz || t == 1266 {
			zone = " with time zone"
		}
		if withMod {
			return base + "(" + strconv.Itoa(int(typmod)) + ")" + zone
		}
		return base + zone
	case sqltypes.Bool, sqltypes.Float4, sqltypes.Float8, sqltypes.Int2, sqltypes.Int4, sqltypes.Int8,
		sqltypes.Interval:
		return typeName(t)
	}
	return ""
}
