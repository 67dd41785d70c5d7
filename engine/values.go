package engine

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// compareValues orders two non-NULL values of SQL type t. Text and integers
// are compared directly (bytewise, as expr does: collation "C"); every other
// type goes through expr's comparison operators, the reference for PostgreSQL
// semantics.
func compareValues(ctx *expr.Context, a, b sqltypes.Value, t sqltypes.OID) (int, error) {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok && t != bpchar {
			return strings.Compare(x, y), nil
		}
	case int64:
		if y, ok := b.(int64); ok {
			return cmpInt(x, y), nil
		}
	}
	l, r := &expr.Const{Val: a, T: t}, &expr.Const{Val: b, T: t}
	for _, c := range []struct {
		op  expr.CompareOp
		res int
	}{{expr.OpLT, -1}, {expr.OpGT, 1}} {
		v, err := (&expr.Compare{Op: c.op, L: l, R: r}).Eval(ctx, nil)
		if err != nil {
			return 0, err
		}
		if v == true {
			return c.res, nil
		}
	}
	return 0, nil
}

// bpchar is character(n), whose comparison ignores trailing blanks.
const bpchar sqltypes.OID = 1042

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// valueKey appends a canonical encoding of v to buf such that two values of
// one SQL type get the same key exactly when PostgreSQL's equality (as used by
// GROUP BY and DISTINCT) finds them equal: 1.0 = 1.00, -0 = 0, and NULLs
// group together. Every part is tagged and length-prefixed, so keys of
// several columns concatenate without ambiguity.
func valueKey(buf []byte, v sqltypes.Value) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, 'N')
	case bool:
		if x {
			return append(buf, 'T')
		}
		return append(buf, 'F')
	case int64:
		return keyBytes(append(buf, 'n'), decimalKey(apd.New(x, 0)))
	case float64:
		if x == 0 {
			x = 0 // -0 groups with 0
		}
		if math.IsNaN(x) {
			return append(buf, 'f', 'N')
		}
		return binary.BigEndian.AppendUint64(append(buf, 'f'), math.Float64bits(x))
	case *apd.Decimal:
		return keyBytes(append(buf, 'n'), decimalKey(x))
	case string:
		return keyBytes(append(buf, 's'), x)
	case []byte:
		return keyBytes(append(buf, 'x'), string(x))
	case sqltypes.JSON:
		return jsonKey(append(buf, 'j'), x.Node)
	case sqltypes.Date:
		return binary.BigEndian.AppendUint32(append(buf, 'd'), uint32(x))
	case time.Time:
		buf = binary.BigEndian.AppendUint64(append(buf, 't'), uint64(x.Unix()))
		return binary.BigEndian.AppendUint32(buf, uint32(x.Nanosecond()))
	case sqltypes.Array:
		buf = binary.BigEndian.AppendUint32(append(buf, 'a'), uint32(len(x.Items)))
		for _, it := range x.Items {
			buf = valueKey(buf, it)
		}
		return buf
	}
	return keyBytes(append(buf, '?'), fmt.Sprintf("%T:%v", v, v))
}

func keyBytes(buf []byte, s string) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
	return append(buf, s...)
}

// decimalKey is a number's text with trailing zeros removed.
func decimalKey(d *apd.Decimal) string {
	if d.Form != apd.Finite {
		return d.String()
	}
	var r apd.Decimal
	r.Reduce(d)
	if r.IsZero() {
		return "0"
	}
	return r.Text('e')
}

func jsonKey(buf []byte, n any) []byte {
	switch x := n.(type) {
	case nil:
		return append(buf, 'N')
	case bool:
		return valueKey(buf, x)
	case string:
		return keyBytes(append(buf, 's'), x)
	case sqltypes.JSONNumber:
		d, _, err := apd.NewFromString(string(x))
		if err != nil {
			return keyBytes(append(buf, 'n'), string(x))
		}
		return keyBytes(append(buf, 'n'), decimalKey(d))
	case []any:
		buf = binary.BigEndian.AppendUint32(append(buf, '['), uint32(len(x)))
		for _, e := range x {
			buf = jsonKey(buf, e)
		}
		return buf
	case *sqltypes.JSONObject:
		buf = binary.BigEndian.AppendUint32(append(buf, '{'), uint32(len(x.Keys)))
		for _, k := range x.Keys {
			buf = jsonKey(keyBytes(buf, k), x.Values[k])
		}
		return buf
	}
	return keyBytes(append(buf, '?'), fmt.Sprintf("%T:%v", n, n))
}

// valueSize estimates the bytes a value holds in memory (for Sort's bound).
func valueSize(v sqltypes.Value) int64 {
	const word = 16 // interface header
	switch x := v.(type) {
	case nil, bool, int64, float64, sqltypes.Date:
		return word
	case string:
		return word + 16 + int64(len(x))
	case []byte:
		return word + 24 + int64(len(x))
	case *apd.Decimal:
		return word + 48 + int64(len(x.Coeff.Bits()))*8
	case time.Time:
		return word + 24
	case sqltypes.JSON:
		return word + jsonSize(x.Node)
	case sqltypes.Array:
		n := int64(word + 32)
		for _, it := range x.Items {
			n += valueSize(it)
		}
		return n
	}
	return word + 64
}

func jsonSize(n any) int64 {
	switch x := n.(type) {
	case string:
		return 32 + int64(len(x))
	case sqltypes.JSONNumber:
		return 32 + int64(len(x))
	case []any:
		s := int64(24)
		for _, e := range x {
			s += 16 + jsonSize(e)
		}
		return s
	case *sqltypes.JSONObject:
		s := int64(64)
		for _, k := range x.Keys {
			s += 48 + int64(len(k)) + jsonSize(x.Values[k])
		}
		return s
	}
	return 16
}

// rowSize estimates a row's memory.
func rowSize(row sqltypes.Row) int64 {
	n := int64(24)
	for _, v := range row {
		n += valueSize(v)
	}
	return n
}

// formatBytes renders a byte count for error messages.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
