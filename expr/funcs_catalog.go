package expr

import (
	"fmt"
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// inetOID is the type of inet_server_addr() and friends, always NULL here.
const inetOID sqltypes.OID = 869

// addCatalogFuncs registers the functions clients' catalog queries call
// (psql's \d, pgjdbc's DatabaseMetaData, SQLAlchemy's Inspector ...).
func addCatalogFuncs(f *Funcs) {
	addDefinitionFuncs(f)
	addVisibilityFuncs(f)
	addDescriptionFuncs(f)
	addSizeFuncs(f)
	addServerFuncs(f)
	addPrivilegeFuncs(f)
}

// nullFn is the body of functions that answer NULL for every object here
// (no views have SQL text, no triggers, no serial sequences).
func nullFn(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) { return nil, nil }

func oidArg(v sqltypes.Value) uint32 { return uint32(num(v)) }

func addDefinitionFuncs(f *Funcs) {
	// format_type is not strict: a NULL typmod means "none given".
	f.Add("format_type", FuncDef{MinArgs: 2, MaxArgs: 2, NonStrict: true, Resolve: Sig(tText, sqltypes.Oid, tInt),
		Eval: func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			if a[0] == nil {
				return nil, nil
			}
			typmod, given := int32(-1), a[1] != nil
			if given {
				typmod = int32(num(a[1]))
			}
			return FormatType(oidArg(a[0]), typmod, given, catalogTypes(ctx)), nil
		}})
	indexDef := func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_get_indexdef")
		if err != nil {
			return nil, err
		}
		ix, ok, err := c.IndexDef(oidArg(a[0]))
		if err != nil || !ok {
			return nil, err
		}
		if len(a) < 2 || num(a[1]) == 0 {
			if len(a) == 3 && a[2] == true {
				return prettyIndexDef(ctx, c, ix.Def)
			}
			return ix.Def, nil
		}
		if n := num(a[1]); n > 0 && int(n) <= len(ix.Columns) {
			return quoteIdentIfNeeded(ix.Columns[n-1]), nil
		}
		return "", nil
	}
	f.Add("pg_get_indexdef", fixed(tText, args(sqltypes.Oid), indexDef))
	f.Add("pg_get_indexdef", fixed(tText, args(sqltypes.Oid, tInt, tBool), indexDef))
	constraintDef := func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_get_constraintdef")
		if err != nil {
			return nil, err
		}
		def, ok, err := c.ConstraintDef(oidArg(a[0]))
		if err != nil || !ok {
			return nil, err
		}
		return def, nil
	}
	f.Add("pg_get_constraintdef", fixed(tText, args(sqltypes.Oid), constraintDef))
	f.Add("pg_get_constraintdef", fixed(tText, args(sqltypes.Oid, tBool), constraintDef))
	// Every pg_node_tree column here is NULL (no defaults, no partial
	// indexes), so there is never an expression to decompile.
	f.Add("pg_get_expr", fixed(tText, args(sqltypes.PgNodeTree, sqltypes.Oid), nullFn))
	f.Add("pg_get_expr", fixed(tText, args(sqltypes.PgNodeTree, sqltypes.Oid, tBool), nullFn))
	f.Add("pg_get_userbyid", fixed(sqltypes.Name, args(sqltypes.Oid), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		if num(a[0]) == ownerRoleOID {
			if s := sessionOf(ctx); s != nil {
				return s.User(), nil
			}
		}
		return fmt.Sprintf("unknown (OID=%d)", oidArg(a[0])), nil
	}))
	// The system views are not SQL over stored tables, so they have no
	// definition to show; PostgreSQL answers NULL for a relation without one.
	for _, sig := range [][]sqltypes.OID{{sqltypes.Oid}, {sqltypes.Oid, tBool}, {sqltypes.Oid, tInt}, {tText}, {tText, tBool}} {
		f.Add("pg_get_viewdef", fixed(tText, sig, nullFn))
	}
	f.Add("pg_get_triggerdef", fixed(tText, args(sqltypes.Oid), nullFn))
	f.Add("pg_get_triggerdef", fixed(tText, args(sqltypes.Oid, tBool), nullFn))
	f.Add("pg_get_functiondef", fixed(tText, args(sqltypes.Oid), nullFn))
	f.Add("pg_get_serial_sequence", fixed(tText, args(tText, tText), nullFn))
	f.Add("pg_get_function_result", fixed(tText, args(sqltypes.Oid), nullFn))
	f.Add("pg_get_function_arguments", fixed(tText, args(sqltypes.Oid), nullFn))
	f.Add("pg_get_function_identity_arguments", fixed(tText, args(sqltypes.Oid), nullFn))
	// Partitions, rules and extended statistics do not exist here; psql's \d
	// calls these only on rows that would have them, but answer anyway.
	for _, name := range []string{"pg_get_partkeydef", "pg_get_partition_constraintdef", "pg_get_statisticsobjdef_columns", "pg_get_ruledef"} {
		f.Add(name, fixed(tText, args(sqltypes.Oid), nullFn))
	}
	f.Add("pg_get_ruledef", fixed(tText, args(sqltypes.Oid, tBool), nullFn))
	// Every relation is in the default tablespace, whose location is "".
	f.Add("pg_tablespace_location", fixed(tText, args(sqltypes.Oid), func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) {
		return "", nil
	}))
	f.Add("parse_ident", fixed(sqltypes.TextArray, args(tText), parseIdent))
	f.Add("parse_ident", fixed(sqltypes.TextArray, args(tText, tBool), parseIdent))
}

// prettyIndexDef is pg_get_indexdef(oid, 0, true): with PRETTYFLAG_SCHEMA
// PostgreSQL names the table as generate_relation_name does, unqualified when
// the search path finds it (`ON orders`), where the plain form always
// qualifies it (`ON public.orders`, which def holds).
func prettyIndexDef(ctx *Context, c CatalogInfo, def string) (sqltypes.Value, error) {
	const on, using = " ON ", " USING "
	i := strings.Index(def, on)
	j := strings.Index(def, using)
	if i < 0 || j < i {
		return def, nil
	}
	// def comes from the catalog, so its table is always schema.name; were
	// it not, the text is left as the catalog wrote it.
	parts, perr := ParseQualifiedName(def[i+len(on) : j])
	if perr != nil || len(parts) != 2 {
		return def, nil
	}
	rel, ok, err := c.RelationByName(parts[0], parts[1])
	if err != nil || !ok {
		return def, err
	}
	r := &CatalogResolver{Info: c, Session: sessionOf(ctx)}
	return def[:i+len(on)] + r.relationName(rel) + def[j:], nil
}

// catalogTypes is a type lookup for FormatType from ctx's catalog (nil
// without one: the types this package knows still print).
func catalogTypes(ctx *Context) func(uint32) (TypeInfo, bool) {
	if ctx == nil || ctx.Catalog == nil {
		return nil
	}
	return (&CatalogResolver{Info: ctx.Catalog}).typeInfo
}

// parseIdent is parse_ident(text [, strict]): the parts of a qualified
// identifier; with strict false, text after the last identifier is ignored.
func parseIdent(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
	s := str(a[0])
	strict := len(a) < 2 || a[1] == true
	in := identPrefix(s)
	if strict && in != s {
		in = "" // text after the identifiers: invalid in strict mode
	}
	parts, err := ParseQualifiedName(in)
	if err != nil {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "string is not a valid identifier: %q", s)
	}
	out := sqltypes.Array{Elem: sqltypes.Text, Items: make([]sqltypes.Value, len(parts))}
	for i, p := range parts {
		out.Items[i] = p
	}
	return out, nil
}

// identPrefix is the longest prefix of s that is a dotted identifier list
// (parse_ident's non-strict mode: "schema.table(args)" → "schema.table").
func identPrefix(s string) string {
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case inQuote, c == '.', c == ' ', c == '_', c == '$', c >= '0' && c <= '9',
			c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= 0x80:
		default:
			return s[:i]
		}
	}
	return s
}

func addVisibilityFuncs(f *Funcs) {
	f.Add("pg_table_is_visible", fixed(tBool, args(sqltypes.Oid), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_table_is_visible")
		if err != nil {
			return nil, err
		}
		rel, ok, err := c.RelationByOID(oidArg(a[0]))
		if err != nil || !ok {
			return nil, err
		}
		r := &CatalogResolver{Info: c, Session: sessionOf(ctx)}
		return !strings.Contains(r.relationName(rel), "."), nil
	}))
	// psql 15's \d TABLE asks which publications a table could be in; as in
	// PostgreSQL an ordinary table outside the system schemas is publishable
	// (we have no publications, so psql lists none).
	f.Add("pg_relation_is_publishable", fixed(tBool, args(sqltypes.Regclass), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_relation_is_publishable")
		if err != nil {
			return nil, err
		}
		rel, ok, err := c.RelationByOID(oidArg(a[0]))
		if err != nil || !ok {
			return nil, err
		}
		return rel.Kind == 'r' && rel.Schema != "pg_catalog" && rel.Schema != "information_schema", nil
	}))
	f.Add("pg_type_is_visible", fixed(tBool, args(sqltypes.Oid), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_type_is_visible")
		if err != nil {
			return nil, err
		}
		_, ok, err := c.TypeByOID(oidArg(a[0]))
		if err != nil || !ok {
			return nil, err
		}
		return true, nil // every type lives in pg_catalog
	}))
	f.Add("pg_function_is_visible", fixed(tBool, args(sqltypes.Oid), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_function_is_visible")
		if err != nil {
			return nil, err
		}
		_, ok, err := c.FunctionByOID(oidArg(a[0]))
		if err != nil || !ok {
			return nil, err
		}
		return true, nil // every function lives in pg_catalog
	}))
	f.Add("pg_my_temp_schema", fixed(sqltypes.Oid, nil, func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) {
		return int64(0), nil
	}))
	f.Add("pg_is_other_temp_schema", fixed(tBool, args(sqltypes.Oid), func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) {
		return false, nil
	}))
}

func addDescriptionFuncs(f *Funcs) {
	describe := func(ctx *Context, objoid uint32, catalogName string, subid int32, shared bool) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "obj_description")
		if err != nil {
			return nil, err
		}
		cat, ok, err := c.RelationByName("pg_catalog", catalogName)
		if err != nil || !ok {
			return nil, err
		}
		d, ok, err := c.Description(objoid, cat.OID, subid, shared)
		if err != nil || !ok {
			return nil, err
		}
		return d, nil
	}
	f.Add("obj_description", fixed(tText, args(sqltypes.Oid, sqltypes.Name), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return describe(ctx, oidArg(a[0]), str(a[1]), 0, false)
	}))
	// The one-argument form is deprecated; it reads any catalog, which for
	// the objects here means pg_class.
	f.Add("obj_description", fixed(tText, args(sqltypes.Oid), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return describe(ctx, oidArg(a[0]), "pg_class", 0, false)
	}))
	f.Add("col_description", fixed(tText, args(sqltypes.Oid, tInt), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return describe(ctx, oidArg(a[0]), "pg_class", int32(num(a[1])), false)
	}))
	f.Add("shobj_description", fixed(tText, args(sqltypes.Oid, sqltypes.Name), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return describe(ctx, oidArg(a[0]), str(a[1]), 0, true)
	}))
}
