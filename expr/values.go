package expr

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// This file binds expr to the text encodings of values (the casts to and
// from text), which live in package sqltypes so the wire protocol, the
// DynamoDB mapping and the evaluator share one implementation of
// PostgreSQL's input and output functions. What stays here is cast
// semantics: typmods (varchar(n), numeric(p,s)) and explicit-cast
// truncation.

func outOfRange(t sqltypes.OID) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "%s out of range", typeName(t))
}

// formatText renders v of type t as PostgreSQL's text output would (NULL
// renders as the empty string; callers check for NULL first).
func formatText(v sqltypes.Value, t sqltypes.OID) (string, error) {
	if v == nil {
		return "", nil
	}
	return sqltypes.FormatText(v, t)
}

func formatFloat(f float64, t sqltypes.OID) string { return sqltypes.FormatFloat(f, t) }

func formatDecimal(d *apd.Decimal) string { return sqltypes.FormatNumeric(d) }

// parseText converts the text form s to a value of type t (typmod applied).
func parseText(s string, t sqltypes.OID, typmod int32) (sqltypes.Value, error) {
	switch t {
	case sqltypes.Text, sqltypes.Name, sqltypes.Unknown, sqltypes.Varchar, bpcharOID, sqltypes.Char:
		return applyStringTypmod(s, t, typmod, true)
	case sqltypes.Numeric:
		d, err := sqltypes.ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, typmod)
	}
	return sqltypes.ParseText(s, t)
}

func parseUUID(s string) (sqltypes.Value, error) { return sqltypes.ParseUUID(s) }

// applyStringTypmod applies a string type's length rules: name's 63 bytes,
// "char"'s one character, and varchar(n)/char(n) truncation (an error on
// assignment unless the excess is spaces; silent for explicit casts).
func applyStringTypmod(s string, t sqltypes.OID, typmod int32, explicit bool) (string, error) {
	switch t {
	case sqltypes.Name:
		if len(s) > 63 {
			n := 63
			for n > 0 && !utf8.RuneStart(s[n]) {
				n--
			}
			s = s[:n]
		}
	case sqltypes.Char:
		if len(s) > 1 {
			_, n := utf8.DecodeRuneInString(s)
			s = s[:n]
		}
	case sqltypes.Varchar, bpcharOID:
		if typmod >= 5 {
			max := int(typmod - 4)
			if utf8.RuneCountInString(s) > max {
				r := []rune(s)
				if !explicit && strings.TrimRight(string(r[max:]), " ") != "" {
					return "", pgerr.New(pgerr.StringDataRightTruncation, "value too long for type %s(%d)", typeName(t), max)
				}
				s = string(r[:max])
			}
			if t == bpcharOID {
				if n := utf8.RuneCountInString(s); n < max {
					s += strings.Repeat(" ", max-n)
				}
			}
		}
	}
	return s, nil
}

func parseBool(s string) (sqltypes.Value, error) { return sqltypes.ParseBool(s) }

func intRange(t sqltypes.OID) (int64, int64) { return sqltypes.IntRange(t) }

func parseDecimal(s string) (*apd.Decimal, error) { return sqltypes.ParseNumeric(s) }

func parseBytea(s string) (sqltypes.Value, error) { return sqltypes.ParseBytea(s) }

func dateOf(t time.Time) sqltypes.Date { return sqltypes.DateOf(t) }

func dateTime(d sqltypes.Date) time.Time { return d.Time() }

// parseArray parses a one-dimensional array literal such as {a,"b c",NULL}.
func parseArray(s string, elem, _ sqltypes.OID) (sqltypes.Value, error) {
	return sqltypes.ParseArray(s, elem)
}

// parseJSON parses JSON text into a tree; jsonb sorts and de-duplicates keys
// and normalises numbers as PostgreSQL's jsonb does.
func parseJSON(s string, binary bool) (sqltypes.JSON, error) { return sqltypes.ParseJSON(s, binary) }

// newJSONObject builds a jsonb object (sorted keys, last duplicate wins).
func newJSONObject(keys []string, vals []any, binary bool) *sqltypes.JSONObject {
	return sqltypes.NewJSONObject(keys, vals, binary)
}

// formatJSON prints a JSON tree: plain is json's builder spacing, else jsonb's.
func formatJSON(n any, plain bool) string {
	if plain {
		return sqltypes.FormatJSONNode(n, sqltypes.JSON_)
	}
	return sqltypes.FormatJSONNode(n, sqltypes.Jsonb)
}
