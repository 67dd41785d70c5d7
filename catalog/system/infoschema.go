package system

import (
	"context"
	"strconv"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// infoColumn is one column as information_schema.columns describes it.
type infoColumn struct {
	schema, table string
	name          string
	typ           sqltypes.OID
	typmod        int32
	num           int16
	nullable      bool
	updatable     bool
	collation     uint32
}

func infoSchemaBuilders() map[string]builder {
	return map[string]builder{
		"information_schema.tables": withTables(func(rs *rowSet, env Env, d *staticData, objs []tableObjects) {
			for _, r := range d.relations {
				rs.add(infoTableRow(env, r.Schema, r.Name, r.Kind))
			}
			for _, o := range objs {
				rs.add(infoTableRow(env, publicNS, o.t.Name, 'r'))
			}
		}),
		"information_schema.columns": withTables(func(rs *rowSet, env Env, d *staticData, objs []tableObjects) {
			for _, r := range d.relations {
				for i, c := range r.Columns {
					rs.add(infoColumnRow(env, d, infoColumn{r.Schema, r.Name, c.Name, c.Type, c.Typmod,
						c.AttNum, !r.NotNull(i), r.Kind == 'r', systemCollation(d, r, c.Type)}))
				}
			}
			for _, o := range objs {
				for _, c := range o.t.Columns {
					rs.add(infoColumnRow(env, d, infoColumn{publicNS, o.t.Name, c.Name, c.Type, -1,
						c.AttNum, !c.NotNull, true, d.typ(c.Type).collation}))
				}
			}
		}),
		"information_schema.table_constraints": perTable(func(rs *rowSet, env Env, o tableObjects) {
			v := constraintVals(env, o)
			v["constraint_type"] = "PRIMARY KEY"
			v["is_deferrable"], v["initially_deferred"] = "NO", "NO"
			v["enforced"], v["nulls_distinct"] = "YES", "YES"
			rs.add(v)
		}),
		"information_schema.key_column_usage": perTable(func(rs *rowSet, env Env, o tableObjects) {
			for i, c := range o.primaryKey().keys {
				v := constraintVals(env, o)
				v["column_name"], v["ordinal_position"] = c.Name, int64(i+1)
				rs.add(v)
			}
		}),
		"information_schema.constraint_column_usage": perTable(func(rs *rowSet, env Env, o tableObjects) {
			for _, c := range o.primaryKey().keys {
				v := constraintVals(env, o)
				v["column_name"] = c.Name
				rs.add(v)
			}
		}),
		"information_schema.views": withTables(func(rs *rowSet, env Env, d *staticData, _ []tableObjects) {
			for _, r := range d.relations {
				if r.Kind == 'v' {
					rs.add(vals{"table_catalog": env.Database(), "table_schema": r.Schema, "table_name": r.Name,
						"check_option": "NONE", "is_updatable": "NO", "is_insertable_into": "NO",
						"is_trigger_updatable": "NO", "is_trigger_deletable": "NO",
						"is_trigger_insertable_into": "NO"})
				}
			}
		}),
		"information_schema.routines": func(s *shape, d *staticData) RowsFunc {
			return func(_ context.Context, env Env) ([]sqltypes.Row, error) {
				rs := s.rowSet()
				for _, f := range env.Functions() {
					rs.add(routineRow(env, d, f))
				}
				return rs.result()
			}
		},
		// PostgreSQL 15 names no default collation here for a database whose
		// datcollate is a libc locale rather than a pg_collation entry.
		"information_schema.character_sets": fromEnv(func(rs *rowSet, env Env) {
			rs.add(vals{"character_set_name": "UTF8", "character_repertoire": "UCS", "form_of_use": "UTF8",
				"default_collate_catalog": env.Database()})
		}),
	}
}

func infoTableRow(env Env, schema, name string, kind byte) vals {
	v := vals{"table_catalog": env.Database(), "table_schema": schema, "table_name": name,
		"table_type": "BASE TABLE", "is_insertable_into": "YES", "is_typed": "NO"}
	if kind == 'v' {
		v["table_type"], v["is_insertable_into"] = "VIEW", "NO"
	}
	return v
}

// constraintVals are the columns naming a table's primary key constraint.
func constraintVals(env Env, o tableObjects) vals {
	return vals{
		"constraint_catalog": env.Database(), "constraint_schema": publicNS,
		"constraint_name": o.primaryKey().name, "table_catalog": env.Database(),
		"table_schema": publicNS, "table_name": o.t.Name,
	}
}

func infoColumnRow(env Env, d *staticData, c infoColumn) vals {
	ti := d.typ(c.typ)
	v := vals{
		"table_catalog": env.Database(), "table_schema": c.schema, "table_name": c.table,
		"column_name": c.name, "ordinal_position": i64(c.num), "is_nullable": yesNo(c.nullable),
		"data_type": infoDataType(ti), "udt_catalog": env.Database(), "udt_schema": pgCatalog,
		"udt_name": ti.name, "dtd_identifier": strconv.Itoa(int(c.num)), "is_self_referencing": "NO",
		"is_identity": "NO", "identity_cycle": "NO", "is_generated": "NEVER", "is_updatable": yesNo(c.updatable),
	}
	for k, x := range typeFacets(c.typ, c.typmod) {
		v[k] = x
	}
	if c.collation == cCollation {
		v["collation_catalog"], v["collation_schema"], v["collation_name"] = env.Database(), pgCatalog, "C"
	}
	return v
}

// infoDataType is information_schema's data_type: 'ARRAY' for array types,
// else format_type's spelling ("text", "integer", "jsonb").
func infoDataType(ti *pgType) string {
	if ti.elem != 0 && ti.len == -1 {
		return "ARRAY"
	}
	if info, ok := sqltypes.TypeInfo(ti.oid); ok {
		return info.SQLName
	}
	return ti.name
}

// typeFacets are the length, precision and scale columns of
// information_schema.columns and routines (PostgreSQL's _pg_char_max_length,
// _pg_numeric_precision ... functions).
func typeFacets(t sqltypes.OID, typmod int32) vals {
	v := vals{}
	switch t {
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Bpchar:
		v["character_octet_length"] = int64(1073741824)
		if typmod >= 4 {
			v["character_maximum_length"] = int64(typmod - 4)
			v["character_octet_length"] = int64(typmod-4) * 4 // UTF8's maximum character length
		}
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		bits := map[sqltypes.OID]int64{sqltypes.Int2: 16, sqltypes.Int4: 32, sqltypes.Int8: 64}[t]
		v["numeric_precision"], v["numeric_precision_radix"], v["numeric_scale"] = bits, int64(2), int64(0)
	case sqltypes.Float4:
		v["numeric_precision"], v["numeric_precision_radix"] = int64(24), int64(2)
	case sqltypes.Float8:
		v["numeric_precision"], v["numeric_precision_radix"] = int64(53), int64(2)
	case sqltypes.Numeric:
		v["numeric_precision_radix"] = int64(10)
		if typmod >= 4 {
			v["numeric_precision"] = int64((typmod - 4) >> 16 & 0xffff)
			v["numeric_scale"] = int64((typmod - 4) & 0xffff)
		}
	case sqltypes.Date_:
		v["datetime_precision"] = int64(0)
	case sqltypes.Timestamp, sqltypes.Timestamptz, sqltypes.Interval:
		v["datetime_precision"] = int64(6)
		if typmod >= 0 {
			v["datetime_precision"] = int64(typmod)
		}
	}
	return v
}

func routineRow(env Env, d *staticData, f Function) vals {
	o := FunctionOID(f)
	ret := d.typ(f.ReturnType)
	v := vals{
		"specific_catalog": env.Database(), "specific_schema": pgCatalog,
		"specific_name":   f.Name + "_" + strconv.FormatUint(uint64(o), 10),
		"routine_catalog": env.Database(), "routine_schema": pgCatalog, "routine_name": f.Name,
		"data_type": infoDataType(ret), "type_udt_catalog": env.Database(), "type_udt_schema": pgCatalog,
		"type_udt_name": ret.name, "dtd_identifier": "0", "routine_body": "EXTERNAL",
		"routine_definition": f.Name, "external_language": "INTERNAL", "parameter_style": "GENERAL",
		"is_deterministic": yesNo(f.Volatility == 0 || f.Volatility == 'i'), "sql_data_access": "MODIFIES",
		"is_null_call": yesNo(f.Strict), "schema_level_routine": "YES", "max_dynamic_result_sets": int64(0),
		"is_user_defined_cast": "NO", "security_type": "INVOKER", "as_locator": "NO", "is_udt_dependent": "NO",
	}
	if f.Kind == 0 || f.Kind == 'f' {
		v["routine_type"] = "FUNCTION" // PostgreSQL leaves it NULL for aggregates and window functions
	}
	return v
}
