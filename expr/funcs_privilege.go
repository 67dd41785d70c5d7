package expr

import (
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// privilegeKind is the kind of object a has_*_privilege function asks about
// and the privileges PostgreSQL accepts for it.
type privilegeKind struct {
	fn      string
	allowed []string
}

// parsePrivileges splits a privilege list ("SELECT, INSERT WITH GRANT
// OPTION") into upper-case names, refusing ones the object kind lacks.
func (k privilegeKind) parsePrivileges(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.ToUpper(strings.Join(strings.Fields(p), " "))
		// The user owns every object here (it shows as the bootstrap role),
		// so it holds the grant option of whatever it holds.
		p = strings.TrimSuffix(p, " WITH GRANT OPTION")
		if p == "TEMP" {
			p = "TEMPORARY"
		}
		ok := false
		for _, a := range k.allowed {
			ok = ok || a == p
		}
		if !ok {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unrecognized privilege type: %q", strings.TrimSpace(p))
		}
		out = append(out, p)
	}
	return out, nil
}

// checkRole validates a has_*_privilege role argument: only the connected
// user exists. It reports ok=false for an unknown role OID (the answer is
// NULL then, as PostgreSQL's for an OID that names nothing).
func checkRole(ctx *Context, v sqltypes.Value, t sqltypes.OID) (bool, error) {
	s, err := needSession(ctx)
	if err != nil {
		return false, err
	}
	if category(t) == catString {
		if name := str(v); name != s.User() && name != "public" {
			return false, pgerr.New(pgerr.UndefinedObject, "role %q does not exist", name)
		}
		return true, nil
	}
	return num(v) == ownerRoleOID, nil
}

// privilegeOverloads registers fn for each object argument type, with and
// without a leading role argument (name or oid). extra are the argument
// types between the object and the privilege (a column).
func privilegeOverloads(f *Funcs, fn string, objTypes, extra []sqltypes.OID,
	check func(ctx *Context, obj sqltypes.Value, objType sqltypes.OID, extra []sqltypes.Value, extraTypes []sqltypes.OID, priv string) (sqltypes.Value, error)) {
	for _, withRole := range []bool{false, true} {
		roles := []sqltypes.OID{0}
		if withRole {
			roles = []sqltypes.OID{sqltypes.Name, sqltypes.Oid}
		}
		for _, role := range roles {
			for _, ot := range objTypes {
				var sig []sqltypes.OID
				if withRole {
					sig = append(sig, role)
				}
				sig = append(append(append(sig, ot), extra...), tText)
				f.Add(fn, fixed(tBool, sig, func(ctx *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
					if withRole {
						ok, err := checkRole(ctx, a[0], ts[0])
						if err != nil || !ok {
							return nil, err
						}
						a, ts = a[1:], ts[1:]
					}
					n := len(a)
					return check(ctx, a[0], ts[0], a[1:n-1], ts[1:n-1], str(a[n-1]))
				}))
			}
		}
	}
}

func addPrivilegeFuncs(f *Funcs) {
	table := privilegeKind{"has_table_privilege", []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}}
	anyColumn := privilegeKind{"has_any_column_privilege", []string{"SELECT", "INSERT", "UPDATE", "REFERENCES"}}
	column := privilegeKind{"has_column_privilege", anyColumn.allowed}
	relTypes := []sqltypes.OID{tText, sqltypes.Oid}
	for _, k := range []privilegeKind{table, anyColumn} {
		k := k
		privilegeOverloads(f, k.fn, relTypes, nil, func(ctx *Context, obj sqltypes.Value, ot sqltypes.OID, _ []sqltypes.Value, _ []sqltypes.OID, priv string) (sqltypes.Value, error) {
			c, rel, ok, err := privilegeRelation(ctx, k.fn, obj, ot)
			if err != nil || !ok {
				return nil, err
			}
			return anyTablePrivilege(c, rel, k, priv)
		})
	}
	for _, colType := range []sqltypes.OID{tText, sqltypes.Int2} {
		privilegeOverloads(f, column.fn, relTypes, []sqltypes.OID{colType}, func(ctx *Context, obj sqltypes.Value, ot sqltypes.OID, ex []sqltypes.Value, et []sqltypes.OID, priv string) (sqltypes.Value, error) {
			c, rel, ok, err := privilegeRelation(ctx, column.fn, obj, ot)
			if err != nil || !ok {
				return nil, err
			}
			if ok, err := hasColumn(rel, ex[0], et[0]); err != nil || !ok {
				return nil, err
			}
			return anyTablePrivilege(c, rel, column, priv)
		})
	}
	schema := privilegeKind{"has_schema_privilege", []string{"CREATE", "USAGE"}}
	privilegeOverloads(f, schema.fn, []sqltypes.OID{tText, sqltypes.Oid}, nil, func(ctx *Context, obj sqltypes.Value, ot sqltypes.OID, _ []sqltypes.Value, _ []sqltypes.OID, priv string) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, schema.fn)
		if err != nil {
			return nil, err
		}
		privs, err := schema.parsePrivileges(priv)
		if err != nil {
			return nil, err
		}
		found := false
		for _, n := range c.Namespaces() {
			found = found || (category(ot) == catString && n.Name == str(obj)) || (category(ot) != catString && n.OID == oidArg(obj))
		}
		switch {
		case !found && category(ot) == catString:
			return nil, pgerr.New(pgerr.InvalidSchemaName, "schema %q does not exist", str(obj))
		case !found:
			return nil, nil
		}
		// Every schema may be used; none created in: tables are DynamoDB's.
		return contains(privs, "USAGE"), nil
	})
	database := privilegeKind{"has_database_privilege", []string{"CREATE", "CONNECT", "TEMPORARY"}}
	privilegeOverloads(f, database.fn, []sqltypes.OID{tText, sqltypes.Oid}, nil, func(ctx *Context, obj sqltypes.Value, ot sqltypes.OID, _ []sqltypes.Value, _ []sqltypes.OID, priv string) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, database.fn)
		if err != nil {
			return nil, err
		}
		privs, err := database.parsePrivileges(priv)
		if err != nil {
			return nil, err
		}
		for _, d := range c.Databases() {
			if (category(ot) == catString && d.Name == str(obj)) || (category(ot) != catString && d.OID == oidArg(obj)) {
				// Databases listed are the ones the user may connect to;
				// nothing is created in them through SQL.
				return contains(privs, "CONNECT"), nil
			}
		}
		if category(ot) == catString {
			return nil, pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", str(obj))
		}
		return nil, nil
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// privilegeRelation resolves a has_*_privilege relation argument.
func privilegeRelation(ctx *Context, fn string, obj sqltypes.Value, ot sqltypes.OID) (CatalogInfo, RelationInfo, bool, error) {
	c, err := needCatalog(ctx, fn)
	if err != nil {
		return nil, RelationInfo{}, false, err
	}
	rel, ok, err := relationFromArg(ctx, c, obj, ot)
	return c, rel, ok, err
}

// anyTablePrivilege is true when the user holds any of the listed privileges.
func anyTablePrivilege(c CatalogInfo, rel RelationInfo, k privilegeKind, priv string) (sqltypes.Value, error) {
	privs, err := k.parsePrivileges(priv)
	if err != nil {
		return nil, err
	}
	for _, p := range privs {
		if c.TablePrivilege(rel, p) {
			return true, nil
		}
	}
	return false, nil
}

// hasColumn checks has_column_privilege's column argument: a name that is
// not a column is 42703, an attnum that is not one answers NULL.
func hasColumn(rel RelationInfo, v sqltypes.Value, t sqltypes.OID) (bool, error) {
	if category(t) == catString {
		for _, c := range rel.Columns {
			if c == str(v) {
				return true, nil
			}
		}
		return false, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", str(v), rel.Name)
	}
	n := num(v)
	return n >= 1 && int(n) <= len(rel.Columns), nil
}
