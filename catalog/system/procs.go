package system

import (
	"context"
	"strconv"
	"strings"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// FunctionOID is the pg_proc OID of f: its own when set, else a stable one
// hashed from its signature.
func FunctionOID(f Function) uint32 {
	if f.OID != 0 {
		return f.OID
	}
	var sig strings.Builder
	sig.WriteString(f.Name + "(")
	for i, a := range f.ArgTypes {
		if i > 0 {
			sig.WriteByte(',')
		}
		sig.WriteString(strconv.FormatUint(uint64(a), 10))
	}
	sig.WriteByte(')')
	return hashOID("function", sig.String())
}

func procBuilders() map[string]builder {
	return map[string]builder{
		"pg_catalog.pg_proc": func(s *shape, d *staticData) RowsFunc {
			return func(_ context.Context, env Env) ([]sqltypes.Row, error) {
				rs := s.rowSet()
				seen := map[uint32]bool{}
				for _, f := range env.Functions() {
					o := FunctionOID(f)
					seen[o] = true
					rs.add(procRow(f, o))
				}
				for _, p := range d.procs {
					if !seen[p.oid] {
						rs.add(procRow(Function{Name: p.name, ArgTypes: p.args, ReturnType: p.ret,
							Kind: 'f', Strict: p.strict, Volatility: p.volatile}, p.oid))
					}
				}
				return rs.result()
			}
		},
		"pg_catalog.pg_settings": fromEnv(func(rs *rowSet, env Env) {
			for _, st := range env.Settings() {
				rs.add(settingRow(st))
			}
		}),
		"pg_catalog.pg_am": static(func(rs *rowSet) {
			for _, a := range accessMethods() {
				rs.add(vals{"oid": oid(a.oid), "amname": a.name, "amhandler": oid(a.handler), "amtype": char(a.kind)})
			}
		}),
		"pg_catalog.pg_opclass": static(func(rs *rowSet) {
			for _, c := range opclasses() {
				rs.add(vals{"oid": oid(c.oid), "opcmethod": oid(btreeAM), "opcname": c.name,
					"opcnamespace": oid(pgCatalogNS), "opcowner": oid(ownerOID), "opcfamily": oid(c.family),
					"opcintype": oid(c.intype), "opcdefault": true, "opckeytype": oid(c.keytype)})
			}
		}),
		"pg_catalog.pg_collation": static(func(rs *rowSet) {
			rs.add(vals{"oid": oid(defaultCollation), "collname": "default", "collnamespace": oid(pgCatalogNS),
				"collowner": oid(ownerOID), "collprovider": "d", "collisdeterministic": true, "collencoding": int64(-1)})
			for _, c := range []struct {
				oid  uint32
				name string
			}{{cCollation, "C"}, {951, "POSIX"}} {
				rs.add(vals{"oid": oid(c.oid), "collname": c.name, "collnamespace": oid(pgCatalogNS),
					"collowner": oid(ownerOID), "collprovider": "c", "collisdeterministic": true,
					"collencoding": int64(-1), "collcollate": c.name, "collctype": c.name})
			}
		}),
		"pg_catalog.pg_language": static(func(rs *rowSet) {
			for _, l := range []struct {
				oid, validator   uint32
				name             string
				pl, trusted      bool
				handler, inlineF uint32
			}{
				{internalLang, 2246, "internal", false, false, 0, 0},
				{13, 2247, "c", false, false, 0, 0},
				{14, 2248, "sql", false, true, 0, 0},
				{13563, 13562, "plpgsql", true, true, 13560, 13561},
			} {
				rs.add(vals{"oid": oid(l.oid), "lanname": l.name, "lanowner": oid(ownerOID), "lanispl": l.pl,
					"lanpltrusted": l.trusted, "lanplcallfoid": oid(l.handler), "laninline": oid(l.inlineF),
					"lanvalidator": oid(l.validator)})
			}
		}),
		// Clients (Grafana, DBeaver) probe pg_extension; plpgsql is what every
		// PostgreSQL database has.
		"pg_catalog.pg_extension": static(func(rs *rowSet) {
			rs.add(vals{"oid": oid(13559), "extname": "plpgsql", "extowner": oid(ownerOID),
				"extnamespace": oid(pgCatalogNS), "extrelocatable": false, "extversion": "1.0"})
		}),
	}
}

func procRow(f Function, o uint32) vals {
	vol := f.Volatility
	if vol == 0 {
		vol = 'i'
	}
	kind := f.Kind
	if kind == 0 {
		kind = 'f'
	}
	rows := float64(0)
	if f.RetSet {
		rows = 1000
	}
	return vals{
		"oid": oid(o), "proname": f.Name, "pronamespace": oid(pgCatalogNS), "proowner": oid(ownerOID),
		"prolang": oid(internalLang), "procost": float64(1), "prorows": rows,
		"provariadic": oid(f.Variadic), "prokind": char(kind), "proisstrict": f.Strict,
		"proretset": f.RetSet, "provolatile": char(vol), "proparallel": "s",
		"pronargs": i64(len(f.ArgTypes)), "prorettype": oid(f.ReturnType),
		"proargtypes": oidVector(f.ArgTypes...), "prosrc": f.Name,
	}
}

func settingRow(st Setting) vals {
	v := vals{
		"name": st.Name, "setting": st.Setting, "category": st.Category, "short_desc": st.ShortDesc,
		"context": st.Context, "vartype": st.VarType, "source": st.Source, "boot_val": st.BootVal,
		"reset_val": st.ResetVal, "pending_restart": false,
	}
	for col, s := range map[string]string{"unit": st.Unit, "min_val": st.MinVal, "max_val": st.MaxVal} {
		if s != "" {
			v[col] = s
		}
	}
	if st.EnumVals != nil {
		v["enumvals"] = textArray(st.EnumVals...)
	}
	return v
}

type accessMethod struct {
	oid     uint32
	name    string
	handler uint32
	kind    byte
}

func accessMethods() []accessMethod {
	return []accessMethod{
		{heapAM, "heap", 3, 't'},
		{btreeAM, "btree", 330, 'i'},
		{405, "hash", 331, 'i'},
		{783, "gist", 332, 'i'},
		{2742, "gin", 333, 'i'},
		{3580, "brin", 335, 'i'},
		{4000, "spgist", 334, 'i'},
	}
}

type opclass struct {
	oid     uint32
	name    string
	family  uint32
	intype  sqltypes.OID
	keytype sqltypes.OID
}

// opclasses are PostgreSQL 15's default btree operator classes of the types
// fazproxy speaks.
func opclasses() []opclass {
	return []opclass{
		{1978, "int4_ops", 1976, sqltypes.Int4, 0},
		{1979, "int2_ops", 1976, sqltypes.Int2, 0},
		{1981, "oid_ops", 1989, sqltypes.Oid, 0},
		{3122, "date_ops", 434, sqltypes.Date_, 0},
		{3123, "float8_ops", 1970, sqltypes.Float8, 0},
		{3124, "int8_ops", 1976, sqltypes.Int8, 0},
		{3125, "numeric_ops", 1988, sqltypes.Numeric, 0},
		{3126, "text_ops", 1994, sqltypes.Text, 0},
		{3127, "timestamptz_ops", 434, sqltypes.Timestamptz, 0},
		{3128, "timestamp_ops", 434, sqltypes.Timestamp, 0},
		{10003, "bool_ops", 424, sqltypes.Bool, 0},
		{10004, "bpchar_ops", 426, sqltypes.Bpchar, 0},
		{10006, "bytea_ops", 428, sqltypes.Bytea, 0},
		{10007, "char_ops", 429, sqltypes.Char, 0},
		{10012, "float4_ops", 1970, sqltypes.Float4, 0},
		{10022, "interval_ops", 1982, sqltypes.Interval, 0},
		{10028, "name_ops", 1994, sqltypes.Name, 2275},
		{10032, "oidvector_ops", 1991, sqltypes.OidVector, 0},
		{10065, "uuid_ops", 2968, sqltypes.UUID, 0},
		{10088, "jsonb_ops", 4033, sqltypes.Jsonb, 0},
	}
}
