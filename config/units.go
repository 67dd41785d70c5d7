package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// sizeUnits are the suffixes max_message_bytes accepts. As in PostgreSQL's
// settings, kB/MB/GB are powers of 1024; the IEC spellings say so explicitly.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"kB", 1 << 10}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
	{"B", 1},
}

// parseSize reads "16MiB", "512kB", "1GB" or a plain number of bytes.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not a size: want a whole number of bytes with an optional unit (B, kB, MB, GB, KiB, MiB, GiB), e.g. 16MiB")
	}
	if n > math.MaxInt32/mult {
		return 0, errors.New("too large: at most 2GiB")
	}
	return n * mult, nil
}

// parseDuration reads a Go duration ("30s", "1m30s", "250ms") or, as
// PostgreSQL's statement_timeout does, a plain integer of milliseconds.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New(`not a duration: want e.g. "30s", "10m", "250ms" or an integer of milliseconds`)
	}
	return d, nil
}

// typeNames maps the SQL type names tables.<t>.columns accepts to OIDs.
var typeNames = map[string]sqltypes.OID{
	"text": sqltypes.Text, "varchar": sqltypes.Text, "character varying": sqltypes.Text, "string": sqltypes.Text,
	"numeric": sqltypes.Numeric, "decimal": sqltypes.Numeric,
	"smallint": sqltypes.Int2, "int2": sqltypes.Int2,
	"integer": sqltypes.Int4, "int": sqltypes.Int4, "int4": sqltypes.Int4,
	"bigint": sqltypes.Int8, "int8": sqltypes.Int8,
	"real": sqltypes.Float4, "float4": sqltypes.Float4,
	"double precision": sqltypes.Float8, "float8": sqltypes.Float8, "float": sqltypes.Float8,
	"boolean": sqltypes.Bool, "bool": sqltypes.Bool,
	"bytea": sqltypes.Bytea,
	"jsonb": sqltypes.Jsonb, "json": sqltypes.JSON_,
	"text[]": sqltypes.TextArray, "varchar[]": sqltypes.TextArray,
	"numeric[]": sqltypes.NumericArray, "decimal[]": sqltypes.NumericArray,
	"bytea[]":     sqltypes.ByteaArray,
	"timestamptz": sqltypes.Timestamptz, "timestamp with time zone": sqltypes.Timestamptz,
	"timestamp": sqltypes.Timestamp, "timestamp without time zone": sqltypes.Timestamp,
	"date": sqltypes.Date_,
	"uuid": sqltypes.UUID,
}

// parseTypeName maps a declared column type (case and spacing free) to its OID.
func parseTypeName(s string) (sqltypes.OID, bool) {
	norm := strings.ToLower(strings.Join(strings.Fields(s), " "))
	norm = strings.ReplaceAll(norm, " []", "[]")
	oid, ok := typeNames[norm]
	return oid, ok
}
