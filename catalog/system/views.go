package system

import (
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
)

// IndexDef is pg_get_indexdef(indexOID) for an index of table t (its primary
// key index or a secondary index), e.g.
// `CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (customer, id)`;
// false when the OID is not one of t's indexes.
func IndexDef(t *catalog.Table, indexOID uint32) (string, bool) {
	o := objectsOf(t)
	for _, ix := range o.indexes {
		if ix.oid == indexOID {
			return indexDef(o, ix), true
		}
	}
	return "", false
}

// ConstraintDef is pg_get_constraintdef of t's primary key constraint,
// e.g. `PRIMARY KEY (customer, id)`; false when the OID is not that constraint.
func ConstraintDef(t *catalog.Table, constraintOID uint32) (string, bool) {
	o := objectsOf(t)
	if o.constraintOID != constraintOID {
		return "", false
	}
	return "PRIMARY KEY (" + columnList(o.primaryKey().keys) + ")", true
}

// indexDef is pg_get_indexdef's text with the table schema-qualified (its
// non-pretty form; pg_get_indexdef(oid, 0, true) drops the schema when the
// table is visible, which package expr does from this text).
func indexDef(o tableObjects, ix indexObject) string {
	unique := ""
	if ix.primary {
		unique = "UNIQUE "
	}
	return "CREATE " + unique + "INDEX " + QuoteIdent(ix.name) + " ON " + publicNS + "." + QuoteIdent(o.t.Name) +
		" USING btree (" + columnList(ix.keys) + ")"
}

func columnList(cols []catalog.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

// QuoteIdent quotes an identifier as PostgreSQL's quote_ident does when it
// is not a plain lower-case name (reserved keywords aside: DynamoDB names that
// are keywords stay unquoted here).
func QuoteIdent(s string) string {
	plain := s != ""
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case (r >= '0' && r <= '9') || r == '$':
			plain = plain && i > 0
		default:
			plain = false
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func viewBuilders() map[string]builder {
	return map[string]builder{
		"pg_catalog.pg_tables": withTables(func(rs *rowSet, env Env, d *staticData, objs []tableObjects) {
			for _, r := range d.relations {
				if r.Kind == 'r' {
					rs.add(vals{"schemaname": r.Schema, "tablename": r.Name, "tableowner": env.User(),
						"hasindexes": true, "hasrules": false, "hastriggers": false, "rowsecurity": false})
				}
			}
			for _, o := range objs {
				rs.add(vals{"schemaname": publicNS, "tablename": o.t.Name, "tableowner": env.User(),
					"hasindexes": true, "hasrules": false, "hastriggers": false, "rowsecurity": false})
			}
		}),
		// View definitions stay NULL: the system views are not SQL over
		// stored tables here.
		"pg_catalog.pg_views": withTables(func(rs *rowSet, env Env, d *staticData, _ []tableObjects) {
			for _, r := range d.relations {
				if r.Kind == 'v' {
					rs.add(vals{"schemaname": r.Schema, "viewname": r.Name, "viewowner": env.User()})
				}
			}
		}),
		"pg_catalog.pg_indexes": perTable(func(rs *rowSet, _ Env, o tableObjects) {
			for _, ix := range o.indexes {
				rs.add(vals{"schemaname": publicNS, "tablename": o.t.Name, "indexname": ix.name,
					"indexdef": indexDef(o, ix)})
			}
		}),
		"pg_catalog.pg_stat_user_tables": perTable(func(rs *rowSet, _ Env, o tableObjects) {
			v := vals{"relid": oid(o.oid), "schemaname": publicNS, "relname": o.t.Name,
				"n_live_tup": o.t.ItemCount}
			for _, counter := range []string{"seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch",
				"n_tup_ins", "n_tup_upd", "n_tup_del", "n_tup_hot_upd", "n_dead_tup", "n_mod_since_analyze",
				"n_ins_since_vacuum", "vacuum_count", "autovacuum_count", "analyze_count", "autoanalyze_count"} {
				v[counter] = int64(0)
			}
			rs.add(v)
		}),
		// One row: this session. The process id and times belong to the
		// session layer, which does not pass them; they stay NULL.
		"pg_catalog.pg_stat_activity": fromEnv(func(rs *rowSet, env Env) {
			rs.add(vals{"datid": oid(DatabaseOID(env.Database())), "datname": env.Database(),
				"usesysid": oid(ownerOID), "usename": env.User(), "state": "active",
				"backend_type": "client backend"})
		}),
	}
}
