package sqltypes

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// numeric_send's sign word (utils/adt/numeric.c).
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// appendNumeric is numeric_send: ndigits, weight, sign, dscale (int16
// each) then ndigits base-10000 digits, most significant first, with
// leading and trailing zero digits stripped as PostgreSQL stores them.
func appendNumeric(buf []byte, d *apd.Decimal) ([]byte, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return appendNumericHeader(buf, 0, 0, numericNaN, 0), nil
	case apd.Infinite:
		// PostgreSQL reads the display scale of an infinity out of its
		// short header bits, which makes it 32 on the wire.
		if d.Negative {
			return appendNumericHeader(buf, 0, 0, numericNInf, 32), nil
		}
		return appendNumericHeader(buf, 0, 0, numericPInf, 32), nil
	}
	d, err := canonicalNumeric(d)
	if err != nil {
		return nil, err
	}
	groups, weight, dscale := nbaseDigits(d.Coeff.Text(10), int(-d.Exponent))
	if weight > 32767 || weight < -32768 || dscale > numericMaxScale {
		return nil, numericOverflow()
	}
	sign := uint16(numericPos)
	if d.Negative && len(groups) > 0 {
		sign = numericNeg
	}
	buf = appendNumericHeader(buf, len(groups), weight, sign, dscale)
	for _, g := range groups {
		buf = binary.BigEndian.AppendUint16(buf, g)
	}
	return buf, nil
}

func appendNumericHeader(buf []byte, ndigits, weight int, sign uint16, dscale int) []byte {
	buf = binary.BigEndian.AppendUint16(buf, uint16(ndigits))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	return binary.BigEndian.AppendUint16(buf, uint16(dscale))
}

// nbaseDigits splits the decimal digits of a coefficient with dscale
// fractional digits into base-10000 digits aligned on the decimal point.
func nbaseDigits(digits string, dscale int) (groups []uint16, weight, scale int) {
	fracPad := (4 - dscale%4) % 4
	digits += strings.Repeat("0", fracPad)
	intLen := len(digits) - dscale - fracPad
	if intLen < 0 {
		digits = strings.Repeat("0", -intLen) + digits
		intLen = 0
	}
	lead := (4 - intLen%4) % 4
	digits = strings.Repeat("0", lead) + digits
	weight = (intLen+lead)/4 - 1
	for i := 0; i < len(digits); i += 4 {
		g, _ := strconv.Atoi(digits[i : i+4])
		groups = append(groups, uint16(g))
	}
	for len(groups) > 0 && groups[0] == 0 {
		groups, weight = groups[1:], weight-1
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight = 0
	}
	return groups, weight, dscale
}

// decodeNumeric is numeric_recv, including its truncation of digits that
// the given dscale hides.
func decodeNumeric(b []byte) (Value, error) {
	if len(b) < 8 {
		return nil, invalidBinary(Numeric, "insufficient data")
	}
	ndigits := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*ndigits {
		return nil, invalidBinary(Numeric, "invalid length in external \"numeric\" value")
	}
	switch sign {
	case numericNaN:
		return &apd.Decimal{Form: apd.NaN}, nil
	case numericPInf, numericNInf:
		return &apd.Decimal{Form: apd.Infinite, Negative: sign == numericNInf}, nil
	case numericPos, numericNeg:
	default:
		return nil, invalidBinary(Numeric, "invalid sign in external \"numeric\" value")
	}
	if dscale > numericMaxScale {
		return nil, invalidBinary(Numeric, "invalid scale in external \"numeric\" value")
	}
	var coeff strings.Builder
	for i := 0; i < ndigits; i++ {
		g := binary.BigEndian.Uint16(b[8+2*i:])
		if g >= 10000 {
			return nil, invalidBinary(Numeric, "invalid digit in external \"numeric\" value")
		}
		coeff.WriteString(strconv.FormatUint(uint64(g)+10000, 10)[1:])
	}
	digits := strings.TrimLeft(coeff.String(), "0")
	exp := (weight - (ndigits - 1)) * 4
	if exp < -dscale {
		cut := -dscale - exp
		digits = digits[:max(0, len(digits)-cut)]
		exp = -dscale
	}
	if digits == "" {
		return makeDecimal("", -dscale, false)
	}
	if len(digits)+exp > numericMaxIntDigits {
		return nil, numericOverflow()
	}
	return scaledDecimal(digits, exp+dscale, int32(-dscale), sign == numericNeg)
}
