package sqltypes

import (
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// PostgreSQL's numeric limits (numeric.c): digits before the decimal point,
// display scale, and the largest exponent numeric_in accepts.
const (
	numericMaxIntDigits = 131072
	numericMaxScale     = 0x3FFF
	// exponents beyond this overflow whatever the digits; parsing stops
	// growing the exponent there so it cannot overflow an int.
	numericExponentCap = 1_000_000_000
)

func numericOverflow() error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "value overflows numeric format")
}

// isPGSpace is PostgreSQL's isspace() in the C locale.
func isPGSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimPGSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isPGSpace(s[i]) {
		i++
	}
	for j > i && isPGSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// ParseNumeric is numeric_in: the value is exact and keeps the scale it was
// written with ("70.30" has scale 2); a positive exponent is folded into the
// coefficient, so a parsed numeric never has Exponent > 0.
func ParseNumeric(s string) (*apd.Decimal, error) {
	v := trimPGSpace(s)
	switch strings.ToLower(v) {
	case "nan":
		return &apd.Decimal{Form: apd.NaN}, nil
	case "infinity", "+infinity", "inf", "+inf":
		return &apd.Decimal{Form: apd.Infinite}, nil
	case "-infinity", "-inf":
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	coeff, exp, neg, ok := scanDecimal(v)
	if !ok {
		return nil, invalidText(Numeric, s)
	}
	return makeDecimal(coeff, exp, neg)
}

// scanDecimal splits [+-]digits[.digits][e[+-]digits] into its coefficient
// digits and power of ten. It reports false on any other syntax.
func scanDecimal(v string) (coeff string, exp int, neg, ok bool) {
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		neg = v[i] == '-'
		i++
	}
	var digits strings.Builder
	sawDigit, frac := false, 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		digits.WriteByte(v[i])
		sawDigit = true
	}
	if i < len(v) && v[i] == '.' {
		for i++; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			digits.WriteByte(v[i])
			frac++
			sawDigit = true
		}
	}
	if !sawDigit {
		return "", 0, false, false
	}
	e := 0
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		eneg := false
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			eneg = v[i] == '-'
			i++
		}
		start := i
		for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			if e <= numericExponentCap {
				e = e*10 + int(v[i]-'0')
			}
		}
		if i == start {
			return "", 0, false, false
		}
		if eneg {
			e = -e
		}
	}
	if i != len(v) {
		return "", 0, false, false
	}
	return digits.String(), e - frac, neg, true
}

// makeDecimal builds coeff×10^exp in canonical form (Exponent ≤ 0, no
// leading zeros, zero never negative) and enforces numeric's limits.
func makeDecimal(coeff string, exp int, neg bool) (*apd.Decimal, error) {
	coeff = strings.TrimLeft(coeff, "0")
	if exp < -numericMaxScale {
		return nil, numericOverflow()
	}
	if coeff != "" && len(coeff)+exp > numericMaxIntDigits {
		return nil, numericOverflow()
	}
	shift := 0
	if exp > 0 {
		shift, exp = exp, 0
	}
	if coeff == "" {
		coeff, neg, shift = "0", false, 0
	}
	return scaledDecimal(coeff, shift, int32(exp), neg)
}

// scaledDecimal is digits×10^shift × 10^exponent. The power of ten is
// multiplied in rather than appended as zeros: parsing a long decimal string
// is quadratic, and numerics may have 131072 digits.
func scaledDecimal(digits string, shift int, exponent int32, neg bool) (*apd.Decimal, error) {
	d := &apd.Decimal{Exponent: exponent, Negative: neg}
	if _, ok := d.Coeff.SetString(digits, 10); !ok {
		return nil, pgerr.New(pgerr.InternalError, "bad numeric coefficient %q", digits)
	}
	if shift > 0 {
		var pow apd.BigInt
		pow.Exp(apd.NewBigInt(10), apd.NewBigInt(int64(shift)), nil)
		d.Coeff.Mul(&d.Coeff, &pow)
	}
	return d, nil
}

// FormatNumeric is numeric_out: plain notation with the value's own scale.
func FormatNumeric(d *apd.Decimal) string {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return "NaN"
	case apd.Infinite:
		if d.Negative {
			return "-Infinity"
		}
		return "Infinity"
	}
	digits := d.Coeff.Text(10)
	var b strings.Builder
	if d.Negative && d.Coeff.Sign() != 0 {
		b.WriteByte('-')
	}
	switch exp := int(d.Exponent); {
	case exp >= 0:
		b.WriteString(digits)
		if digits != "0" {
			b.WriteString(strings.Repeat("0", exp))
		}
	case len(digits) > -exp:
		b.WriteString(digits[:len(digits)+exp])
		b.WriteByte('.')
		b.WriteString(digits[len(digits)+exp:])
	default:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-len(digits)))
		b.WriteString(digits)
	}
	return b.String()
}

// canonicalNumeric returns d with a non-positive exponent (numeric never has
// a negative display scale) and a non-negative zero.
func canonicalNumeric(d *apd.Decimal) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	if d.Exponent <= 0 && !(d.Negative && d.Coeff.Sign() == 0) {
		return d, nil
	}
	return makeDecimal(d.Coeff.Text(10), int(d.Exponent), d.Negative)
}
