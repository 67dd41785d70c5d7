package sqltypes

import "testing"

// allOIDs is every type constant of this package.
var allOIDs = []OID{
	Bool, Bytea, Char, Name, Int8, Int2, Int2Vector, Int4, Regproc, Text, Oid, OidVector, JSON_,
	PgNodeTree, Float4, Float8, Unknown, Aclitem, Varchar, Date_, Timestamp, Timestamptz, Interval,
	Numeric, Regclass, Regtype, Record, Void, UUID, Jsonb, Regnamespace, BoolArray, ByteaArray,
	CharArray, NameArray, Int2Array, Int4Array, TextArray, VarcharArray, Int8Array, Float4Array,
	Float8Array, OidArray, Xid, XidArray, AclitemArray, TimestampArray, TimestamptzArr, NumericArray, JSONArray,
	JsonbArray, Bpchar, BpcharArray, DateArray, IntervalArray, UUIDArray, RegprocArray, RegclassArray,
	RegtypeArray, RegnamespaceArray, Int2VectorArray, OidVectorArray, RecordArray,
}

func TestTypeInfoLinks(t *testing.T) {
	for _, oid := range allOIDs {
		info, ok := TypeInfo(oid)
		if !ok || info.Name == "" || info.SQLName == "" || info.Len == 0 {
			t.Errorf("%d: %+v %v", oid, info, ok)
			continue
		}
		if info.ArrayOID != 0 {
			arr, ok := TypeInfo(info.ArrayOID)
			if !ok || arr.Elem != oid || arr.Name != "_"+info.Name || arr.Len != -1 || (arr.Category != 'A') != (oid == Record) {
				t.Errorf("%s: array %d is %+v", info.Name, info.ArrayOID, arr)
			}
		}
	}
	if _, ok := TypeInfo(12345); ok {
		t.Error("unknown OID reported as known")
	}
}

// TestTypeInfoFacts pins rows of PostgreSQL 15's pg_type (clients.md).
func TestTypeInfoFacts(t *testing.T) {
	cases := []struct {
		oid   OID
		name  string
		len   int16
		array OID
		sql   string
	}{
		{Bool, "bool", 1, 1000, "boolean"},
		{Name, "name", 64, 1003, "name"},
		{Int8, "int8", 8, 1016, "bigint"},
		{Int2Vector, "int2vector", -1, 1006, "int2vector"},
		{Xid, "xid", 4, 1011, "xid"},
		{XidArray, "_xid", -1, 0, "xid[]"},
		{Unknown, "unknown", -2, 0, "unknown"},
		{Aclitem, "aclitem", 12, 1034, "aclitem"},
		{Timestamptz, "timestamptz", 8, 1185, "timestamp with time zone"},
		{UUID, "uuid", 16, 2951, "uuid"},
		{Jsonb, "jsonb", -1, 3807, "jsonb"},
		{Regnamespace, "regnamespace", 4, 4090, "regnamespace"},
		{Int4Array, "_int4", -1, 0, "integer[]"},
		{JSONArray, "_json", -1, 0, "json[]"},
	}
	for _, c := range cases {
		info, _ := TypeInfo(c.oid)
		if info.Name != c.name || info.Len != c.len || info.ArrayOID != c.array || info.SQLName != c.sql {
			t.Errorf("%d: got %+v", c.oid, info)
		}
	}
	if e, ok := ElemType(TextArray); !ok || e != Text {
		t.Errorf("ElemType(text[]) = %d %v", e, ok)
	}
	if a, ok := ArrayType(Numeric); !ok || a != NumericArray {
		t.Errorf("ArrayType(numeric) = %d %v", a, ok)
	}
	if _, ok := ArrayType(Void); ok {
		t.Error("void has no array type")
	}
}
