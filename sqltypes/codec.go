package sqltypes

import "fmt"

// Info describes a type as pg_type would (name, fixed length, array type).
type Info struct {
	Name     string // pg_type.typname, e.g. "int4", "_text"
	Len      int16  // pg_type.typlen: fixed size in bytes, -1 variable
	ArrayOID OID    // the array type whose elements are this type (0 if none)
	Elem     OID    // for an array type, its element type (0 otherwise)
}

// TypeInfo returns what fazproxy knows of type t.
func TypeInfo(t OID) (Info, bool) {
	return Info{}, false // CONTRACT STUB: implemented by the sqltypes owner
}

// EncodeText renders v (of SQL type t) in PostgreSQL's text output format.
// nil (SQL NULL) is the caller's concern: it is never passed here.
func EncodeText(v Value, t OID) ([]byte, error) {
	return nil, fmt.Errorf("sqltypes.EncodeText: not implemented yet (contract stub)")
}

// DecodeText parses PostgreSQL's text input format for type t (a parameter
// or a COPY field); errors carry SQLSTATE 22P02 (or 22003 out of range).
func DecodeText(b []byte, t OID) (Value, error) {
	return nil, fmt.Errorf("sqltypes.DecodeText: not implemented yet (contract stub)")
}

// EncodeBinary renders v in PostgreSQL's binary send format for type t.
func EncodeBinary(v Value, t OID) ([]byte, error) {
	return nil, fmt.Errorf("sqltypes.EncodeBinary: not implemented yet (contract stub)")
}

// DecodeBinary parses PostgreSQL's binary receive format for type t;
// errors carry SQLSTATE 22P03.
func DecodeBinary(b []byte, t OID) (Value, error) {
	return nil, fmt.Errorf("sqltypes.DecodeBinary: not implemented yet (contract stub)")
}
