package sqltypes

import (
	"encoding/binary"

	"github.com/fazproxy/fazproxy/pgerr"
)

// maxArrayDims is MAXDIM in PostgreSQL.
const maxArrayDims = 6

// appendArray is array_send for a one-dimensional array: ndim, has-nulls
// flag, element type, then (size, lower bound) and each element as a
// length-prefixed send format (-1 for NULL). An empty array has ndim 0
// when zeroDimWhenEmpty (the vector types always have one dimension).
func appendArray(buf []byte, a Array, elem OID, lbound int32, zeroDimWhenEmpty bool) ([]byte, error) {
	ndim := uint32(1)
	if len(a.Items) == 0 && zeroDimWhenEmpty {
		ndim = 0
	}
	hasNull := uint32(0)
	for _, it := range a.Items {
		if it == nil {
			hasNull = 1
		}
	}
	buf = binary.BigEndian.AppendUint32(buf, ndim)
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, elem)
	if ndim == 0 {
		return buf, nil
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a.Items)))
	buf = binary.BigEndian.AppendUint32(buf, uint32(lbound))
	for _, it := range a.Items {
		if it == nil {
			buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF)
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = appendBinary(buf, it, elem); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}

// decodeArray is array_recv for a one-dimensional array of elem.
func decodeArray(b []byte, elem OID) (Value, error) {
	a, _, err := decodeArrayLB(b, elem)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// decodeArrayLB also returns the lower bound (1 for an empty array).
func decodeArrayLB(b []byte, elem OID) (Array, int32, error) {
	t, _ := ArrayType(elem)
	if len(b) < 12 {
		return Array{}, 0, invalidBinary(t, "insufficient data")
	}
	ndim := int32(binary.BigEndian.Uint32(b))
	flags := binary.BigEndian.Uint32(b[4:])
	got := binary.BigEndian.Uint32(b[8:])
	switch {
	case ndim < 0 || ndim > maxArrayDims:
		return Array{}, 0, invalidBinary(t, "invalid number of dimensions: %d", ndim)
	case flags > 1:
		return Array{}, 0, invalidBinary(t, "invalid array flags")
	case got != elem:
		return Array{}, 0, pgerr.New(pgerr.DatatypeMismatch,
			"binary data has array element type %d (%s) instead of expected %d (%s)", got, TypeName(got), elem, TypeName(elem))
	case ndim > 1:
		return Array{}, 0, pgerr.Unsupported("multidimensional arrays", "")
	}
	out := Array{Elem: elem, Items: []Value{}}
	if ndim == 0 {
		if len(b) != 12 {
			return Array{}, 0, invalidBinary(t, "trailing data")
		}
		return out, 1, nil
	}
	if len(b) < 20 {
		return Array{}, 0, invalidBinary(t, "insufficient data")
	}
	n := int32(binary.BigEndian.Uint32(b[12:]))
	lbound := int32(binary.BigEndian.Uint32(b[16:]))
	if n < 0 {
		return Array{}, 0, invalidBinary(t, "invalid array dimension %d", n)
	}
	rest := b[20:]
	for i := int32(0); i < n; i++ {
		item, tail, err := decodeArrayItem(rest, elem, t)
		if err != nil {
			return Array{}, 0, err
		}
		out.Items, rest = append(out.Items, item), tail
	}
	if len(rest) != 0 {
		return Array{}, 0, invalidBinary(t, "trailing data")
	}
	return out, lbound, nil
}

func decodeArrayItem(b []byte, elem, t OID) (Value, []byte, error) {
	if len(b) < 4 {
		return nil, nil, invalidBinary(t, "insufficient data")
	}
	n := int32(binary.BigEndian.Uint32(b))
	b = b[4:]
	if n == -1 {
		return nil, b, nil
	}
	if n < 0 || int(n) > len(b) {
		return nil, nil, invalidBinary(t, "insufficient data left in message")
	}
	v, err := DecodeBinary(b[:n], elem)
	if err != nil {
		return nil, nil, err
	}
	return v, b[n:], nil
}

// appendVector is int2vectorsend/oidvectorsend: array_send with lower
// bound 0 and always one dimension.
func appendVector(buf []byte, v Value, t OID) ([]byte, error) {
	a, ok := asArray(v)
	if !ok {
		return nil, cannotRepresent(v, t)
	}
	elem := Int2
	if t == OidVector {
		elem = Oid
	}
	return appendArray(buf, a, elem, 0, false)
}

// decodeVector is int2vectorrecv/oidvectorrecv: no NULL elements.
func decodeVector(b []byte, t OID) (Value, error) {
	elem := Int2
	if t == OidVector {
		elem = Oid
	}
	a, _, err := decodeArrayLB(b, elem)
	if err != nil {
		return nil, err
	}
	for _, it := range a.Items {
		if it == nil {
			return nil, invalidBinary(t, "NULL element")
		}
	}
	return a, nil
}
