package system

import (
	"context"
	"sort"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// pgType is one pg_type row (the columns clients read; the rest are constant).
type pgType struct {
	oid       sqltypes.OID
	name      string
	len       int16
	byval     bool
	typtype   byte
	category  byte
	preferred bool
	delim     byte
	elem      sqltypes.OID
	array     sqltypes.OID
	input     uint32
	output    uint32
	receive   uint32
	send      uint32
	modin     uint32
	modout    uint32
	analyze   uint32
	subscript uint32
	align     byte
	storage   byte
	collation uint32
}

// builtinProc is one pg_proc row of a built-in (I/O) function.
type builtinProc struct {
	oid      uint32
	name     string
	ret      sqltypes.OID
	args     []uint32
	strict   bool
	volatile byte
}

// staticData is what builders share: tables computed once by New.
type staticData struct {
	types     []pgType // sorted by OID
	typeByOID map[sqltypes.OID]*pgType
	procs     []builtinProc
	relations []*Relation // every system relation, filled in by New
}

func newStaticData() *staticData {
	d := &staticData{types: typeTable(), procs: builtinProcs()}
	d.typeByOID = make(map[sqltypes.OID]*pgType, len(d.types))
	for i := range d.types {
		d.typeByOID[d.types[i].oid] = &d.types[i]
	}
	return d
}

// typeTable is PostgreSQL 15's rows for the types it has captured plus a row
// synthesized from sqltypes.TypeInfo for any type sqltypes knows that the
// capture lacks (so a type added there shows in pg_type at once).
func typeTable() []pgType {
	types := pgTypes()
	have := make(map[sqltypes.OID]bool, len(types))
	for _, t := range types {
		have[t.oid] = true
	}
	// TypeInfo has no enumeration; PostgreSQL's built-in type OIDs are all
	// below FirstNormalObjectId, so probing that range finds every one.
	for o := sqltypes.OID(1); o < 16384; o++ {
		if have[o] {
			continue
		}
		if info, ok := sqltypes.TypeInfo(o); ok {
			types = append(types, synthesizedType(o, info))
		}
	}
	sort.Slice(types, func(i, j int) bool { return types[i].oid < types[j].oid })
	return types
}

func synthesizedType(o sqltypes.OID, info sqltypes.Info) pgType {
	t := pgType{oid: o, name: info.Name, len: info.Len, typtype: info.Kind, category: info.Category,
		delim: ',', elem: info.Elem, array: info.ArrayOID, align: 'i', storage: 'p'}
	if t.len == -1 {
		t.storage = 'x'
	}
	t.byval = t.len > 0 && t.len <= 8 && t.len != 3 && t.len != 5 && t.len != 6 && t.len != 7
	if info.Category == 'A' {
		t.input, t.output, t.receive, t.send = 750, 751, 2400, 2401 // array_in/out/recv/send
		t.subscript = 6179                                          // array_subscript_handler
		t.analyze = 3816                                            // array_typanalyze
		t.align = 'd'
	}
	return t
}

// typ returns the pg_type row of o, or a minimal stand-in for a type the
// table lacks (its length unknown: -1).
func (d *staticData) typ(o sqltypes.OID) *pgType {
	if t, ok := d.typeByOID[o]; ok {
		return t
	}
	return &pgType{oid: o, name: sqltypes.TypeName(o), len: -1, align: 'i', storage: 'x', typtype: 'b', category: 'U'}
}

func typeBuilders() map[string]builder {
	return map[string]builder{
		"pg_catalog.pg_type": func(s *shape, d *staticData) RowsFunc {
			return func(context.Context, Env) ([]sqltypes.Row, error) {
				rs := s.rowSet()
				for _, t := range d.types {
					rs.add(pgTypeRow(t))
				}
				return rs.result()
			}
		},
	}
}

func pgTypeRow(t pgType) vals {
	return vals{
		"oid": oid(t.oid), "typname": t.name, "typnamespace": oid(pgCatalogNS), "typowner": oid(ownerOID),
		"typlen": i64(t.len), "typbyval": t.byval, "typtype": char(t.typtype), "typcategory": char(t.category),
		"typispreferred": t.preferred, "typisdefined": true, "typdelim": char(t.delim), "typrelid": oid(0),
		"typsubscript": oid(t.subscript), "typelem": oid(t.elem), "typarray": oid(t.array),
		"typinput": oid(t.input), "typoutput": oid(t.output), "typreceive": oid(t.receive),
		"typsend": oid(t.send), "typmodin": oid(t.modin), "typmodout": oid(t.modout),
		"typanalyze": oid(t.analyze), "typalign": char(t.align), "typstorage": char(t.storage),
		"typnotnull": false, "typbasetype": oid(0), "typtypmod": int64(-1), "typndims": int64(0),
		"typcollation": oid(t.collation),
	}
}
