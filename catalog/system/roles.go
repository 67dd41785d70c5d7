package system

// DatabaseOID is the pg_database OID of a configured database: stable, from
// its name, in the range PostgreSQL gives user databases.
func DatabaseOID(name string) uint32 { return hashOID("database", name) }

func roleBuilders() map[string]builder {
	return map[string]builder{
		"pg_catalog.pg_database": fromEnv(func(rs *rowSet, env Env) {
			for _, db := range env.Databases() {
				rs.add(vals{
					"oid": oid(DatabaseOID(db)), "datname": db, "datdba": oid(ownerOID),
					"encoding": int64(utf8Encoding), "datlocprovider": "c", "datallowconn": true,
					"datconnlimit": int64(-1), "dattablespace": oid(defaultTablespace),
					"datfrozenxid": int64(frozenXID), "datminmxid": int64(minMXID),
					// fazproxy compares and sorts text bytewise (the C
					// collation) but upper() and lower() know Unicode (Go's
					// tables): a C.UTF-8 ctype, as the reference cluster's
					// initdb --locale=C --lc-ctype=C.UTF-8.
					"datcollate": "C", "datctype": "C.UTF-8",
				})
			}
		}),
		// The connected user is the only role there is to see; it owns every
		// object (OID 10, PostgreSQL's bootstrap role) but is no superuser:
		// what it may do is policy's decision, not PostgreSQL's.
		"pg_catalog.pg_roles": fromEnv(func(rs *rowSet, env Env) {
			rs.add(vals{
				"rolname": env.User(), "rolsuper": false, "rolinherit": true, "rolcreaterole": false,
				"rolcreatedb": false, "rolcanlogin": true, "rolreplication": false,
				"rolconnlimit": int64(-1), "rolpassword": "********", "rolbypassrls": false,
				"oid": oid(ownerOID),
			})
		}),
		"pg_catalog.pg_authid": fromEnv(func(rs *rowSet, env Env) {
			rs.add(vals{
				"oid": oid(ownerOID), "rolname": env.User(), "rolinherit": true, "rolcanlogin": true,
				"rolconnlimit": int64(-1),
			})
		}),
		"pg_catalog.pg_user": fromEnv(func(rs *rowSet, env Env) {
			rs.add(vals{
				"usename": env.User(), "usesysid": oid(ownerOID), "usecreatedb": false,
				"usesuper": false, "userepl": false, "usebypassrls": false, "passwd": "********",
			})
		}),
		"pg_catalog.pg_tablespace": static(func(rs *rowSet) {
			rs.add(vals{"oid": oid(defaultTablespace), "spcname": "pg_default", "spcowner": oid(ownerOID)})
			rs.add(vals{"oid": oid(globalTablespace), "spcname": "pg_global", "spcowner": oid(ownerOID)})
		}),
	}
}
