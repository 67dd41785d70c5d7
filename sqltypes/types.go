// Package sqltypes is fazproxy's model of PostgreSQL values: the type OIDs we
// speak, the Go representation of a value of each type, their text and
// binary wire encodings (PostgreSQL 15's input/output and send/receive
// functions, with DateStyle ISO, MDY and TimeZone UTC), and the mapping
// between DynamoDB AttributeValues and SQL values (spec/types.md).
//
// Go representation of a SQL value (type Value = any):
//
//	SQL NULL                 nil
//	bool                     bool
//	int2, int4, int8, oid,
//	  xid, regclass, regtype int64
//	float4, float8           float64
//	numeric                  *apd.Decimal   (exact; never float64; Exponent ≤ 0,
//	                                         so -Exponent is the display scale)
//	text, varchar, name,
//	  "char", unknown        string         ("char" \0 is "")
//	uuid                     string         (canonical lower-case 8-4-4-4-12)
//	bytea                    []byte
//	json, jsonb              JSON           (parsed tree; numbers keep their text)
//	date                     Date           (DateInfinity, DateNegInfinity)
//	timestamp, timestamptz   time.Time      (timestamptz in UTC; no infinity)
//	arrays                   Array          (one dimension, lower bound 1)
//	int2vector, oidvector    Array
//
// Every value travels with a column type (Column.Type); the Go type alone does
// not distinguish text from name, or int4 from int8.
//
// Errors carry PostgreSQL's SQLSTATEs: 22P02 (text syntax), 22P03 (binary
// format), 22003 (out of range), 22007/22008 (dates), 0A000 (a type or form
// fazproxy does not handle: interval, infinite timestamps, multidimensional
// arrays). A numeric from text is validated against numeric's limits before
// it is built, so hostile input cannot make a huge number.
package sqltypes

import (
	"github.com/cockroachdb/apd/v3"
)

// OID is a PostgreSQL type (or object) identifier.
type OID = uint32

// Type OIDs, as in PostgreSQL's pg_type.dat.
const (
	Bool           OID = 16
	Bytea          OID = 17
	Char           OID = 18 // "char"
	Name           OID = 19
	Int8           OID = 20
	Int2           OID = 21
	Int2Vector     OID = 22
	Int4           OID = 23
	Regproc        OID = 24
	Text           OID = 25
	Oid            OID = 26
	Xid            OID = 28 // transaction id: unsigned 32-bit, as oid
	OidVector      OID = 30
	JSON_          OID = 114
	PgNodeTree     OID = 194
	Float4         OID = 700
	Float8         OID = 701
	Unknown        OID = 705
	Aclitem        OID = 1033
	Varchar        OID = 1043
	Date_          OID = 1082
	Timestamp      OID = 1114
	Timestamptz    OID = 1184
	Interval       OID = 1186
	Numeric        OID = 1700
	Regclass       OID = 2205
	Regtype        OID = 2206
	Record         OID = 2249
	Void           OID = 2278
	UUID           OID = 2950
	Jsonb          OID = 3802
	Regnamespace   OID = 4089
	BoolArray      OID = 1000
	ByteaArray     OID = 1001
	CharArray      OID = 1002
	NameArray      OID = 1003
	Int2Array      OID = 1005
	Int4Array      OID = 1007
	TextArray      OID = 1009
	VarcharArray   OID = 1015
	Int8Array      OID = 1016
	Float4Array    OID = 1021
	Float8Array    OID = 1022
	OidArray       OID = 1028
	XidArray       OID = 1011
	AclitemArray   OID = 1034
	TimestampArray OID = 1115
	TimestamptzArr OID = 1185
	NumericArray   OID = 1231
	JSONArray      OID = 199
	JsonbArray     OID = 3807
)

// Value is one SQL value; see the package comment for the Go type of each SQL type.
type Value = any

// Row is one row of values, positionally matching a []Column.
type Row = []Value

// Column describes one output or table column.
type Column struct {
	Name   string
	Type   OID
	Typmod int32 // -1 when not applicable
	// TableOID and AttNum identify the source column for RowDescription (0 if none).
	TableOID uint32
	AttNum   int16
}

// Decimal is the exact numeric representation.
type Decimal = apd.Decimal

// JSON is a parsed json/jsonb value. Node is one of: nil (JSON null), bool,
// string, JSONNumber, []any (array of nodes), *JSONObject.
//
// Raw, when set, is the exact text a json (not jsonb) value was read from:
// PostgreSQL's json type prints its input unchanged, spacing and duplicate
// keys included. Code that builds or changes a JSON leaves Raw empty.
type JSON struct {
	Node any
	Raw  string
}

// JSONNumber keeps a JSON number's exact text (DynamoDB numbers inside maps and
// lists must not be rounded through float64).
type JSONNumber string

// JSONObject is an object whose keys keep a canonical order. For jsonb the keys
// are sorted as PostgreSQL sorts them (shorter first, then bytewise) and unique.
type JSONObject struct {
	Keys   []string
	Values map[string]any
}

// Date is a calendar date as days since 2000-01-01 (PostgreSQL's epoch), which
// keeps infinity-free arithmetic simple.
type Date int32

// Array is a one-dimensional (or empty) SQL array. Elem is the element type.
// Elements may be nil (NULL elements).
type Array struct {
	Elem  OID
	Items []Value
}
