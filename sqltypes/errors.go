package sqltypes

import (
	"strconv"

	"github.com/fazproxy/fazproxy/pgerr"
)

// invalidText is PostgreSQL's "invalid input syntax" error (22P02).
func invalidText(t OID, s string) error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", TypeName(t), s)
}

// invalidDatetime is the datetime parser's syntax error (22007).
func invalidDatetime(t OID, s string) error {
	return pgerr.New(pgerr.InvalidDatetimeFormat, "invalid input syntax for type %s: %q", TypeName(t), s)
}

// datetimeOverflow is "date/time field value out of range" (22008).
func datetimeOverflow(s string) error {
	return pgerr.New(pgerr.DatetimeFieldOverflow, "date/time field value out of range: %q", s)
}

// valueOutOfRange is an input value too large for its type (22003).
func valueOutOfRange(t OID, s string) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "value %q is out of range for type %s", s, TypeName(t))
}

// typeOutOfRange is PostgreSQL's "integer out of range" family (22003).
func typeOutOfRange(t OID) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "%s out of range", TypeName(t))
}

// invalidBinary is a malformed binary parameter (22P03).
func invalidBinary(t OID, format string, args ...any) error {
	e := pgerr.New(pgerr.InvalidBinaryRepresentation, format, args...)
	e.Message = "incorrect binary data format for type " + TypeName(t) + ": " + e.Message
	return e
}

// cannotRepresent is a Go value that does not fit the SQL type it travels
// with: a bug in the caller, hence XX000.
func cannotRepresent(v Value, t OID) error {
	return pgerr.New(pgerr.InternalError, "cannot encode Go value of type %T as %s", v, TypeName(t))
}

func uintText(u uint64) string { return strconv.FormatUint(u, 10) }
