package sqltypes

// More type OIDs (pg_type.dat) that fazproxy meets as array element links or
// as types produced by expressions.
const (
	Bpchar            OID = 1042 // character(n)
	BpcharArray       OID = 1014
	DateArray         OID = 1182
	IntervalArray     OID = 1187
	UUIDArray         OID = 2951
	RegprocArray      OID = 1008
	RegclassArray     OID = 2210
	RegtypeArray      OID = 2211
	RegnamespaceArray OID = 4090
	Int2VectorArray   OID = 1006
	OidVectorArray    OID = 1013
	RecordArray       OID = 2287
)

// Date infinities, stored as PostgreSQL stores them (DATEVAL_NOBEGIN/NOEND).
const (
	DateNegInfinity Date = -1 << 31
	DateInfinity    Date = 1<<31 - 1
)

// scalarInfo is one base type: its pg_type row (as far as clients look) and
// its array type. Arrays are derived from it so the two links never disagree.
type scalarInfo struct {
	oid      OID
	name     string
	sqlName  string // format_type() spelling, used in error messages
	length   int16
	category byte
	kind     byte
	array    OID
}

// scalarTypes is PostgreSQL 15's pg_type.dat for the types fazproxy speaks.
var scalarTypes = [...]scalarInfo{
	{Bool, "bool", "boolean", 1, 'B', 'b', BoolArray},
	{Bytea, "bytea", "bytea", -1, 'U', 'b', ByteaArray},
	{Char, "char", `"char"`, 1, 'Z', 'b', CharArray},
	{Name, "name", "name", 64, 'S', 'b', NameArray},
	{Int8, "int8", "bigint", 8, 'N', 'b', Int8Array},
	{Int2, "int2", "smallint", 2, 'N', 'b', Int2Array},
	{Int2Vector, "int2vector", "int2vector", -1, 'A', 'b', Int2VectorArray},
	{Int4, "int4", "integer", 4, 'N', 'b', Int4Array},
	{Regproc, "regproc", "regproc", 4, 'N', 'b', RegprocArray},
	{Text, "text", "text", -1, 'S', 'b', TextArray},
	{Oid, "oid", "oid", 4, 'N', 'b', OidArray},
	{Xid, "xid", "xid", 4, 'U', 'b', XidArray},
	{OidVector, "oidvector", "oidvector", -1, 'A', 'b', OidVectorArray},
	{JSON_, "json", "json", -1, 'U', 'b', JSONArray},
	{PgNodeTree, "pg_node_tree", "pg_node_tree", -1, 'Z', 'b', 0},
	{Float4, "float4", "real", 4, 'N', 'b', Float4Array},
	{Float8, "float8", "double precision", 8, 'N', 'b', Float8Array},
	{Unknown, "unknown", "unknown", -2, 'X', 'p', 0},
	{Aclitem, "aclitem", "aclitem", 12, 'U', 'b', AclitemArray},
	{Bpchar, "bpchar", "character", -1, 'S', 'b', BpcharArray},
	{Varchar, "varchar", "character varying", -1, 'S', 'b', VarcharArray},
	{Date_, "date", "date", 4, 'D', 'b', DateArray},
	{Timestamp, "timestamp", "timestamp without time zone", 8, 'D', 'b', TimestampArray},
	{Timestamptz, "timestamptz", "timestamp with time zone", 8, 'D', 'b', TimestamptzArr},
	{Interval, "interval", "interval", 16, 'T', 'b', IntervalArray},
	{Numeric, "numeric", "numeric", -1, 'N', 'b', NumericArray},
	{Regclass, "regclass", "regclass", 4, 'N', 'b', RegclassArray},
	{Regtype, "regtype", "regtype", 4, 'N', 'b', RegtypeArray},
	{Record, "record", "record", -1, 'P', 'p', RecordArray},
	{Void, "void", "void", 4, 'P', 'p', 0},
	{UUID, "uuid", "uuid", 16, 'U', 'b', UUIDArray},
	{Jsonb, "jsonb", "jsonb", -1, 'U', 'b', JsonbArray},
	{Regnamespace, "regnamespace", "regnamespace", 4, 'N', 'b', RegnamespaceArray},
}

func lookupScalar(t OID) (scalarInfo, bool) {
	for _, s := range scalarTypes {
		if s.oid == t {
			return s, true
		}
	}
	return scalarInfo{}, false
}

func lookupArray(t OID) (scalarInfo, bool) {
	for _, s := range scalarTypes {
		if s.array == t && t != 0 {
			return s, true
		}
	}
	return scalarInfo{}, false
}

// TypeInfo returns what fazproxy knows of type t.
func TypeInfo(t OID) (Info, bool) {
	if s, ok := lookupScalar(t); ok {
		return Info{Name: s.name, SQLName: s.sqlName, Len: s.length, ArrayOID: s.array,
			Category: s.category, Kind: s.kind, Elem: vectorElem(t)}, true
	}
	if s, ok := lookupArray(t); ok {
		info := Info{Name: "_" + s.name, SQLName: s.sqlName + "[]", Len: -1, Elem: s.oid, Category: 'A', Kind: 'b'}
		if t == RecordArray {
			info.Category, info.Kind = 'P', 'p' // _record is a pseudo-type
		}
		return info, true
	}
	return Info{}, false
}

// vectorElem is pg_type.typelem of the fixed-size subscriptable types and
// the vectors (which subscript like arrays but are not array types).
func vectorElem(t OID) OID {
	switch t {
	case Name:
		return Char
	case Int2Vector:
		return Int2
	case OidVector:
		return Oid
	}
	return 0
}

// ElemType returns the element type of array type t (false if t is not an
// array type; int2vector and oidvector are not).
func ElemType(t OID) (OID, bool) {
	s, ok := lookupArray(t)
	return s.oid, ok
}

// ArrayType returns the array type whose elements are of type t.
func ArrayType(t OID) (OID, bool) {
	s, ok := lookupScalar(t)
	return s.array, ok && s.array != 0
}

// TypeName is format_type(t, NULL) as PostgreSQL's error messages spell it
// ("integer", "timestamp with time zone", "text[]").
func TypeName(t OID) string {
	if info, ok := TypeInfo(t); ok {
		return info.SQLName
	}
	if t == 0 {
		return "unknown"
	}
	return "oid " + uintText(uint64(t))
}
