package system

import "github.com/fazproxy/fazproxy/sqltypes"

// isShared reports the relations PostgreSQL keeps once per cluster.
func isShared(name string) bool {
	switch name {
	case "pg_authid", "pg_auth_members", "pg_database", "pg_tablespace", "pg_shdescription":
		return true
	}
	return false
}

func classBuilders() map[string]builder {
	return map[string]builder{
		"pg_catalog.pg_class": withTables(func(rs *rowSet, _ Env, d *staticData, objs []tableObjects) {
			for _, r := range d.relations {
				rs.add(systemClassRow(r))
			}
			for _, o := range objs {
				rs.add(tableClassRow(o))
				for _, ix := range o.indexes {
					rs.add(indexClassRow(o, ix))
				}
			}
		}),
		"pg_catalog.pg_attribute": withTables(func(rs *rowSet, _ Env, d *staticData, objs []tableObjects) {
			for _, r := range d.relations {
				for i, c := range r.Columns {
					v := attributeRow(d, r.OID, c.Name, c.Type, c.Typmod, c.AttNum, r.NotNull(i))
					v["attcollation"] = oid(systemCollation(d, r, c.Type))
					rs.add(v)
				}
				if r.Kind == 'r' {
					addSystemAttributes(rs, d, r.OID)
				}
			}
			for _, o := range objs {
				for _, c := range o.t.Columns {
					rs.add(attributeRow(d, o.oid, c.Name, c.Type, -1, c.AttNum, c.NotNull))
				}
				addSystemAttributes(rs, d, o.oid)
				for _, ix := range o.indexes {
					for i, c := range ix.keys {
						rs.add(attributeRow(d, ix.oid, c.Name, c.Type, -1, int16(i+1), false))
					}
				}
			}
		}),
		"pg_catalog.pg_index": withTables(func(rs *rowSet, _ Env, d *staticData, objs []tableObjects) {
			for _, o := range objs {
				for _, ix := range o.indexes {
					rs.add(indexRow(d, o, ix))
				}
			}
		}),
		"pg_catalog.pg_constraint": perTable(func(rs *rowSet, _ Env, o tableObjects) {
			pk := o.primaryKey()
			rs.add(vals{
				"oid": oid(o.constraintOID), "conname": pk.name, "connamespace": oid(publicNSOID),
				"contype": "p", "convalidated": true, "conrelid": oid(o.oid), "conindid": oid(pk.oid),
				"confupdtype": " ", "confdeltype": " ", "confmatchtype": " ", "conislocal": true,
				"connoinherit": true, "conkey": int2Vector(sqltypes.Int2, attnums(pk.keys)...),
			})
		}),
		"pg_catalog.pg_description": perTable(func(rs *rowSet, _ Env, o tableObjects) {
			rs.add(vals{"objoid": oid(o.oid), "classoid": oid(pgClassOID), "description": o.tableComment()})
			for _, c := range o.t.Columns {
				rs.add(vals{"objoid": oid(o.oid), "classoid": oid(pgClassOID), "objsubid": i64(c.AttNum),
					"description": o.columnComment(c)})
			}
			for _, ix := range o.indexes {
				rs.add(vals{"objoid": oid(ix.oid), "classoid": oid(pgClassOID), "description": ix.comment})
			}
		}),
	}
}

func systemClassRow(r *Relation) vals {
	v := vals{
		"oid": oid(r.OID), "relname": r.Name, "relnamespace": oid(namespaceOID(r.Schema)),
		"relowner": oid(ownerOID), "reltuples": float64(-1), "relisshared": isShared(r.Name),
		"relpersistence": "p", "relkind": char(r.Kind), "relnatts": i64(len(r.Columns)),
		"relispopulated": true, "relreplident": "n",
	}
	if r.Kind == 'r' {
		v["relam"] = oid(heapAM)
		v["relfrozenxid"], v["relminmxid"] = int64(frozenXID), int64(minMXID)
	} else {
		v["relhasrules"] = true // a view is its _RETURN rule
	}
	if isShared(r.Name) {
		v["reltablespace"] = oid(globalTablespace)
	}
	return v
}

func tableClassRow(o tableObjects) vals {
	return vals{
		"oid": oid(o.oid), "relname": o.t.Name, "relnamespace": oid(publicNSOID),
		"relowner": oid(ownerOID), "relam": oid(heapAM), "relfilenode": oid(o.oid),
		"relpages": i64(pages(o.t.SizeBytes)), "reltuples": float64(o.t.ItemCount),
		"relhasindex": true, "relpersistence": "p", "relkind": "r",
		"relnatts": i64(len(o.t.Columns)), "relispopulated": true, "relreplident": "d",
		"relfrozenxid": int64(frozenXID), "relminmxid": int64(minMXID),
	}
}

func indexClassRow(o tableObjects, ix indexObject) vals {
	tuples := float64(-1) // a secondary index's item count is not in catalog.Index
	if ix.primary {
		tuples = float64(o.t.ItemCount)
	}
	return vals{
		"oid": oid(ix.oid), "relname": ix.name, "relnamespace": oid(publicNSOID),
		"relowner": oid(ownerOID), "relam": oid(btreeAM), "relfilenode": oid(ix.oid),
		"reltuples": tuples, "relpersistence": "p", "relkind": "i",
		"relnatts": i64(len(ix.keys)), "relispopulated": true, "relreplident": "n",
	}
}

// pages is relpages: the table size in 8 kB blocks, as planners expect.
func pages(size int64) int64 {
	return (size + 8191) / 8192
}

// systemCollation is a system relation column's collation: PostgreSQL's
// catalog tables collate their text columns with "C" (views keep the type's).
func systemCollation(d *staticData, r *Relation, t sqltypes.OID) uint32 {
	c := d.typ(t).collation
	if r.Kind == 'r' && c != 0 {
		return cCollation
	}
	return c
}

func attributeRow(d *staticData, rel uint32, name string, t sqltypes.OID, typmod int32, num int16, notNull bool) vals {
	ti := d.typ(t)
	ndims := int64(0)
	if ti.category == 'A' && ti.len == -1 && ti.elem != 0 && t != sqltypes.Int2Vector && t != sqltypes.OidVector {
		ndims = 1
	}
	return vals{
		"attrelid": oid(rel), "attname": name, "atttypid": oid(t), "attstattarget": int64(-1),
		"attlen": i64(ti.len), "attnum": i64(num), "attndims": ndims, "attcacheoff": int64(-1),
		"atttypmod": i64(typmod), "attbyval": ti.byval, "attalign": char(ti.align),
		"attstorage": char(ti.storage), "attnotnull": notNull, "attislocal": true,
		"attcollation": oid(ti.collation),
	}
}

func indexRow(d *staticData, o tableObjects, ix indexObject) vals {
	keys := ix.keys
	collations := make([]uint32, len(keys))
	classes := make([]uint32, len(keys))
	for i, c := range keys {
		collations[i] = d.typ(c.Type).collation
		classes[i] = defaultOpclass(c.Type)
	}
	return vals{
		"indexrelid": oid(ix.oid), "indrelid": oid(o.oid), "indnatts": i64(len(keys)),
		"indnkeyatts": i64(len(keys)), "indisunique": ix.primary, "indisprimary": ix.primary,
		"indimmediate": true, "indisvalid": true, "indisready": true, "indislive": true,
		"indkey":       int2Vector(sqltypes.Int2, attnums(keys)...),
		"indcollation": oidVector(collations...), "indclass": oidVector(classes...),
		"indoption": int2Vector(sqltypes.Int2, make([]int16, len(keys))...),
	}
}

// Types of the system columns that only pg_attribute and pg_type mention.
const (
	tidOID sqltypes.OID = 27
	cidOID sqltypes.OID = 29
)

// addSystemAttributes adds the system columns PostgreSQL lists in
// pg_attribute for every table, with negative attnums (DBeaver reads them and
// filters itself; psql, pgjdbc and SQLAlchemy ask for attnum > 0). They are
// not columns a query can read here: a DynamoDB item has no tuple header.
func addSystemAttributes(rs *rowSet, d *staticData, rel uint32) {
	for _, a := range []struct {
		name string
		typ  sqltypes.OID
		num  int16
	}{
		{"tableoid", sqltypes.Oid, -6}, {"cmax", cidOID, -5}, {"xmax", sqltypes.Xid, -4},
		{"cmin", cidOID, -3}, {"xmin", sqltypes.Xid, -2}, {"ctid", tidOID, -1},
	} {
		v := attributeRow(d, rel, a.name, a.typ, -1, a.num, true)
		v["attstattarget"] = int64(0)
		rs.add(v)
	}
}
