package expr

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Pseudo-type OIDs used in function signatures (as in pg_type.dat).
const (
	AnyOID        sqltypes.OID = 2276 // "any": accepts any argument as is
	AnyElementOID sqltypes.OID = 2283 // polymorphic element
	AnyArrayOID   sqltypes.OID = 2277 // polymorphic array
	bpcharOID     sqltypes.OID = 1042
)

type typeCat int

const (
	catOther typeCat = iota
	catBool
	catNumeric // int2, int4, int8, numeric, float4, float8
	catOID     // oid and reg* types
	catString  // text, varchar, name, "char", unknown
	catBytea
	catJSON
	catDate // date, timestamp, timestamptz
	catArray
)

func category(t sqltypes.OID) typeCat {
	switch t {
	case sqltypes.Bool:
		return catBool
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric, sqltypes.Float4, sqltypes.Float8:
		return catNumeric
	case sqltypes.Oid, sqltypes.Regclass, sqltypes.Regtype, sqltypes.Regproc, sqltypes.Regnamespace:
		return catOID
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.Char, sqltypes.Unknown, bpcharOID, sqltypes.UUID:
		return catString
	case sqltypes.Bytea:
		return catBytea
	case sqltypes.JSON_, sqltypes.Jsonb:
		return catJSON
	case sqltypes.Date_, sqltypes.Timestamp, sqltypes.Timestamptz:
		return catDate
	}
	if _, ok := elemType(t); ok {
		return catArray
	}
	return catOther
}

func isIntType(t sqltypes.OID) bool {
	return t == sqltypes.Int2 || t == sqltypes.Int4 || t == sqltypes.Int8 || category(t) == catOID
}

func isFloatType(t sqltypes.OID) bool { return t == sqltypes.Float4 || t == sqltypes.Float8 }

// numRank orders the numeric types for promotion: int2 < int4 < int8 < numeric < float4 < float8.
func numRank(t sqltypes.OID) int {
	switch t {
	case sqltypes.Int2:
		return 1
	case sqltypes.Int4:
		return 2
	case sqltypes.Int8:
		return 3
	case sqltypes.Numeric:
		return 4
	case sqltypes.Float4:
		return 5
	case sqltypes.Float8:
		return 6
	}
	return 0
}

var arrayPairs = [...][2]sqltypes.OID{
	{sqltypes.Bool, sqltypes.BoolArray}, {sqltypes.Bytea, sqltypes.ByteaArray},
	{sqltypes.Char, sqltypes.CharArray}, {sqltypes.Name, sqltypes.NameArray},
	{sqltypes.Int2, sqltypes.Int2Array}, {sqltypes.Int4, sqltypes.Int4Array},
	{sqltypes.Text, sqltypes.TextArray}, {sqltypes.Varchar, sqltypes.VarcharArray},
	{sqltypes.Int8, sqltypes.Int8Array}, {sqltypes.Float4, sqltypes.Float4Array},
	{sqltypes.Float8, sqltypes.Float8Array}, {sqltypes.Oid, sqltypes.OidArray},
	{sqltypes.Aclitem, sqltypes.AclitemArray}, {sqltypes.Timestamp, sqltypes.TimestampArray},
	{sqltypes.Timestamptz, sqltypes.TimestamptzArr}, {sqltypes.Numeric, sqltypes.NumericArray},
	{sqltypes.JSON_, sqltypes.JSONArray}, {sqltypes.Jsonb, sqltypes.JsonbArray},
	{sqltypes.Date_, 1182}, {sqltypes.Regclass, 2210}, {sqltypes.Regtype, 2211},
	{sqltypes.UUID, 2951}, {sqltypes.Regnamespace, 4090}, {sqltypes.Regproc, 1008},
	{bpcharOID, 1014}, {sqltypes.Xid, sqltypes.XidArray}, {AnyElementOID, AnyArrayOID},
}

// arrayType returns the array type whose elements are t.
func arrayType(t sqltypes.OID) (sqltypes.OID, bool) {
	for _, p := range arrayPairs {
		if p[0] == t {
			return p[1], true
		}
	}
	return 0, false
}

// elemType returns the element type of array type t.
func elemType(t sqltypes.OID) (sqltypes.OID, bool) {
	for _, p := range arrayPairs {
		if p[1] == t {
			return p[0], true
		}
	}
	return 0, false
}

// vectorElem returns the element type of the vector types int2vector and
// oidvector. They are not array types, but PostgreSQL treats them as arrays
// wherever it looks at pg_type.typelem (casts to arrays, ANY, the array
// functions) and subscripts them from 0, not 1.
func vectorElem(t sqltypes.OID) (sqltypes.OID, bool) {
	switch t {
	case sqltypes.Int2Vector:
		return sqltypes.Int2, true
	case sqltypes.OidVector:
		return sqltypes.Oid, true
	}
	return 0, false
}

// arrayLikeElem is elemType extended to the vector types: the element type of
// anything PostgreSQL lets stand for an array.
func arrayLikeElem(t sqltypes.OID) (sqltypes.OID, bool) {
	if e, ok := vectorElem(t); ok {
		return e, true
	}
	return elemType(t)
}

// lowerBound is the subscript of a value's first element: 0 for the vector
// types (as PostgreSQL's int2vectorin and oidvectorin build them), 1 for
// arrays. fazproxy's arrays carry no bounds, so a vector cast to an array
// starts at 1 again, where PostgreSQL keeps [0:n-1].
func lowerBound(t sqltypes.OID) int64 {
	if _, ok := vectorElem(t); ok {
		return 0
	}
	return 1
}

// typeName is PostgreSQL's format_type() name for t (as used in error messages).
func typeName(t sqltypes.OID) string {
	switch t {
	case 0, sqltypes.Unknown:
		return "unknown"
	case sqltypes.Bool:
		return "boolean"
	case sqltypes.Bytea:
		return "bytea"
	case sqltypes.Char:
		return `"char"`
	case sqltypes.Name:
		return "name"
	case sqltypes.Int8:
		return "bigint"
	case sqltypes.Int2:
		return "smallint"
	case sqltypes.Int4:
		return "integer"
	case sqltypes.Text:
		return "text"
	case sqltypes.Oid:
		return "oid"
	case sqltypes.Xid:
		return "xid"
	case sqltypes.JSON_:
		return "json"
	case sqltypes.Float4:
		return "real"
	case sqltypes.Float8:
		return "double precision"
	case sqltypes.Varchar:
		return "character varying"
	case bpcharOID:
		return "character"
	case sqltypes.Date_:
		return "date"
	case sqltypes.Timestamp:
		return "timestamp without time zone"
	case sqltypes.Timestamptz:
		return "timestamp with time zone"
	case sqltypes.Interval:
		return "interval"
	case sqltypes.Numeric:
		return "numeric"
	case sqltypes.Regclass:
		return "regclass"
	case sqltypes.Regtype:
		return "regtype"
	case sqltypes.Regproc:
		return "regproc"
	case sqltypes.Regnamespace:
		return "regnamespace"
	case sqltypes.UUID:
		return "uuid"
	case sqltypes.Jsonb:
		return "jsonb"
	case sqltypes.Record:
		return "record"
	case sqltypes.Void:
		return "void"
	case sqltypes.Int2Vector:
		return "int2vector"
	case sqltypes.OidVector:
		return "oidvector"
	case sqltypes.Aclitem:
		return "aclitem"
	case sqltypes.PgNodeTree:
		return "pg_node_tree"
	case AnyOID:
		return `"any"`
	case AnyElementOID:
		return "anyelement"
	case AnyArrayOID:
		return "anyarray"
	}
	if e, ok := elemType(t); ok {
		return typeName(e) + "[]"
	}
	return "unknown"
}

// scalarTypeNames maps the names a TypeName may carry (lower case, without
// pg_catalog) to OIDs.
var scalarTypeNames = map[string]sqltypes.OID{
	"bool": sqltypes.Bool, "boolean": sqltypes.Bool, "bytea": sqltypes.Bytea,
	"char": sqltypes.Char, "name": sqltypes.Name, "int8": sqltypes.Int8, "bigint": sqltypes.Int8,
	"int2": sqltypes.Int2, "smallint": sqltypes.Int2, "int4": sqltypes.Int4, "int": sqltypes.Int4,
	"integer": sqltypes.Int4, "text": sqltypes.Text, "oid": sqltypes.Oid, "json": sqltypes.JSON_,
	"float4": sqltypes.Float4, "real": sqltypes.Float4, "float8": sqltypes.Float8,
	"double precision": sqltypes.Float8, "float": sqltypes.Float8,
	"varchar": sqltypes.Varchar, "character varying": sqltypes.Varchar,
	"bpchar": bpcharOID, "character": bpcharOID,
	"date": sqltypes.Date_, "timestamp": sqltypes.Timestamp, "timestamptz": sqltypes.Timestamptz,
	"numeric": sqltypes.Numeric, "decimal": sqltypes.Numeric, "regclass": sqltypes.Regclass,
	"regtype": sqltypes.Regtype, "regproc": sqltypes.Regproc, "regnamespace": sqltypes.Regnamespace,
	"uuid": sqltypes.UUID, "jsonb": sqltypes.Jsonb, "unknown": sqltypes.Unknown,
	"int2vector": sqltypes.Int2Vector, "oidvector": sqltypes.OidVector, "xid": sqltypes.Xid,
	"pg_node_tree": sqltypes.PgNodeTree, "aclitem": sqltypes.Aclitem, "interval": sqltypes.Interval,
}

// resolveTypeName turns a parsed TypeName into an OID and typmod.
func resolveTypeName(tn *pg_query.TypeName) (sqltypes.OID, int32, error) {
	if tn == nil {
		return 0, -1, pgerr.New(pgerr.SyntaxError, "missing type name")
	}
	var parts []string
	for _, n := range tn.Names {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	if len(parts) == 0 {
		return 0, -1, pgerr.New(pgerr.SyntaxError, "missing type name")
	}
	if len(parts) > 2 || (len(parts) == 2 && parts[0] != "pg_catalog") {
		return 0, -1, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", strings.Join(parts, "."))
	}
	name := parts[len(parts)-1]
	t, ok := scalarTypeNames[name]
	if !ok {
		return 0, -1, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", name)
	}
	if t == sqltypes.Interval {
		return 0, -1, pgerr.Unsupported("type interval", "")
	}
	if t == sqltypes.Float4 && name == "float" {
		t = sqltypes.Float8
	}
	typmod := int32(-1)
	var mods []int64
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return 0, -1, pgerr.New(pgerr.SyntaxError, "type modifiers must be simple constants or identifiers")
		}
		mods = append(mods, int64(c.GetIval().Ival))
	}
	switch t {
	case sqltypes.Numeric:
		if len(mods) > 0 {
			p, s := mods[0], int64(0)
			if len(mods) > 1 {
				s = mods[1]
			}
			if p < 1 || p > 1000 {
				return 0, -1, pgerr.New(pgerr.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
			}
			if s < 0 || s > p {
				return 0, -1, pgerr.New(pgerr.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", s, p)
			}
			typmod = int32((p<<16)|s) + 4
		}
	case sqltypes.Varchar, bpcharOID:
		if len(mods) > 0 {
			if mods[0] < 1 {
				return 0, -1, pgerr.New(pgerr.InvalidParameterValue, "length for type %s must be at least 1", name)
			}
			typmod = int32(mods[0]) + 4
		} else if t == bpcharOID && len(tn.ArrayBounds) == 0 && name != "bpchar" {
			typmod = 1 + 4
		}
	case sqltypes.Float4:
		if name == "float" && len(mods) > 0 && mods[0] <= 24 {
			t = sqltypes.Float4
		} else if name == "float" {
			t = sqltypes.Float8
		}
	}
	if len(tn.ArrayBounds) > 0 {
		at, ok := arrayType(t)
		if !ok {
			return 0, -1, pgerr.Unsupported("arrays of type "+typeName(t), "")
		}
		return at, typmod, nil
	}
	return t, typmod, nil
}
