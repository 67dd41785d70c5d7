package expr

import (
	"math"
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// decCtx is the exact-arithmetic context: additions, subtractions and
// multiplications of PostgreSQL-sized numerics are exact at this precision.
// It is an immutable value shared read-only (apd contexts are not mutated by use).
var decCtx = &apd.Context{
	Precision:   4000,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Rounding:    apd.RoundHalfUp,
	Traps:       apd.InvalidOperation,
}

// PostgreSQL numeric display-scale limits (numeric.c).
const (
	numericMinSigDigits    = 16
	numericMaxDisplayScale = 1000
	decDigits              = 4
)

func numericOverflow() error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "value overflows numeric format")
}

func divByZero() error { return pgerr.New(pgerr.DivisionByZero, "division by zero") }

// dscale is the display scale (digits after the decimal point).
func dscale(d *apd.Decimal) int32 {
	if d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

// nbaseWeightFirst returns the base-10000 weight and first base-10000 digit of
// |d| (as PostgreSQL's NumericVar has them); zero gives (0, 0).
func nbaseWeightFirst(d *apd.Decimal) (int, int64) {
	if d.IsZero() {
		return 0, 0
	}
	nd := int(d.NumDigits())
	msd := nd - 1 + int(d.Exponent) // 10^msd <= |d| < 10^(msd+1)
	w := msd / decDigits
	if msd < 0 && msd%decDigits != 0 {
		w--
	}
	ndFirst := msd - w*decDigits + 1 // digits in the first base-10000 digit
	cs := d.Coeff.String()
	for len(cs) < ndFirst {
		cs += "0"
	}
	fd, _ := strconv.ParseInt(cs[:ndFirst], 10, 64)
	return w, fd
}

// divScale is PostgreSQL's select_div_scale.
func divScale(a, b *apd.Decimal) int32 {
	w1, f1 := nbaseWeightFirst(a)
	w2, f2 := nbaseWeightFirst(b)
	qw := w1 - w2
	if f1 <= f2 {
		qw--
	}
	rs := int32(numericMinSigDigits - qw*decDigits)
	rs = max(rs, dscale(a), dscale(b), 0)
	return min(rs, numericMaxDisplayScale)
}

// roundScale rounds d (half away from zero) to s digits after the point.
func roundScale(d *apd.Decimal, s int32) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if d.Form != apd.Finite {
		return r.Set(d), nil
	}
	if _, err := decCtx.Quantize(r, d, -s); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

func decSpecial(a, b *apd.Decimal) bool { return a.Form != apd.Finite || b.Form != apd.Finite }

func decAdd(a, b *apd.Decimal) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if _, err := decCtx.Add(r, a, b); err != nil {
		if decSpecial(a, b) {
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		return nil, numericOverflow()
	}
	return r, nil
}

func decSub(a, b *apd.Decimal) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if _, err := decCtx.Sub(r, a, b); err != nil {
		if decSpecial(a, b) {
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		return nil, numericOverflow()
	}
	return r, nil
}

func decMul(a, b *apd.Decimal) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if _, err := decCtx.Mul(r, a, b); err != nil {
		if decSpecial(a, b) {
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		return nil, numericOverflow()
	}
	if r.Form == apd.Finite && r.Exponent < -numericMaxDisplayScale {
		return roundScale(r, numericMaxDisplayScale)
	}
	return r, nil
}

// decDiv divides with PostgreSQL's result scale.
func decDiv(a, b *apd.Decimal) (*apd.Decimal, error) {
	if b.Form == apd.Finite && b.IsZero() {
		return nil, divByZero()
	}
	if decSpecial(a, b) {
		r := new(apd.Decimal)
		switch {
		case a.Form == apd.NaN || b.Form == apd.NaN:
			r.Form = apd.NaN
		case a.Form == apd.Infinite && b.Form == apd.Infinite:
			r.Form = apd.NaN
		case a.Form == apd.Infinite:
			r.Form = apd.Infinite
			r.Negative = a.Negative != b.Negative
		default: // finite / infinite
		}
		return r, nil
	}
	s := divScale(a, b)
	// Compute with enough digits, then round to scale s.
	w1, _ := nbaseWeightFirst(a)
	w2, _ := nbaseWeightFirst(b)
	intDigits := (w1-w2+2)*decDigits + 2
	if intDigits < 1 {
		intDigits = 1
	}
	c := *decCtx
	c.Precision = uint32(intDigits) + uint32(s) + 8
	c.Rounding = apd.RoundDown
	r := new(apd.Decimal)
	if _, err := c.Quo(r, a, b); err != nil {
		return nil, numericOverflow()
	}
	return roundScale(r, s)
}

// decMod is numeric % numeric (sign of the dividend, like PostgreSQL).
func decMod(a, b *apd.Decimal) (*apd.Decimal, error) {
	if b.Form == apd.Finite && b.IsZero() {
		return nil, divByZero()
	}
	r := new(apd.Decimal)
	if _, err := decCtx.Rem(r, a, b); err != nil {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	return r, nil
}

// decDivTrunc is div(numeric, numeric): the quotient truncated towards
// zero, scale 0, like PostgreSQL's numeric_div_trunc.
func decDivTrunc(a, b *apd.Decimal) (*apd.Decimal, error) {
	if b.Form == apd.Finite && b.IsZero() {
		return nil, divByZero()
	}
	if a.Form != apd.Finite || b.Form != apd.Finite {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	r := new(apd.Decimal)
	c := *decCtx
	c.Precision = uint32(max(a.NumDigits()+int64(a.Exponent)-int64(b.Exponent), 1)) + 2
	if _, err := c.QuoInteger(r, a, b); err != nil {
		return nil, numericOverflow()
	}
	return roundScale(r, 0)
}

// decToInt converts numeric to an integer type, rounding half away from zero.
func decToInt(d *apd.Decimal, t sqltypes.OID) (int64, error) {
	if d.Form != apd.Finite {
		if d.Form == apd.Infinite {
			return 0, pgerr.New(pgerr.FeatureNotSupported, "cannot convert infinity to %s", typeName(t))
		}
		return 0, pgerr.New(pgerr.FeatureNotSupported, "cannot convert NaN to %s", typeName(t))
	}
	r, err := roundScale(d, 0)
	if err != nil {
		return 0, outOfRange(t)
	}
	n, err := r.Int64()
	if err != nil {
		return 0, outOfRange(t)
	}
	lo, hi := intRange(t)
	if n < lo || n > hi {
		return 0, outOfRange(t)
	}
	return n, nil
}

func decFromInt(n int64) *apd.Decimal { return apd.New(n, 0) }

func decToFloat(d *apd.Decimal) float64 {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return math.NaN()
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, err := strconv.ParseFloat(d.Text('e'), 64)
	if err != nil {
		return f // ±Inf on overflow, as strconv reports it
	}
	return f
}

// decFromFloat is float8 → numeric (PostgreSQL keeps 15 significant digits).
func decFromFloat(f float64, bits int) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(f):
		return &apd.Decimal{Form: apd.NaN}, nil
	case math.IsInf(f, 0):
		return &apd.Decimal{Form: apd.Infinite, Negative: f < 0}, nil
	}
	digits := 15
	if bits == 32 {
		digits = 6
	}
	d, _, err := apd.NewFromString(strconv.FormatFloat(f, 'g', digits, bits))
	if err != nil {
		return nil, numericOverflow()
	}
	if d.Exponent > 0 {
		_, _ = decCtx.Quantize(d, d, 0)
	} else {
		// %g drops trailing zeros already; PostgreSQL prints the same digits.
		d.Reduce(d)
		if d.Exponent > 0 {
			_, _ = decCtx.Quantize(d, d, 0)
		}
	}
	return d, nil
}

// applyNumericTypmod rounds to numeric(p,s) and checks the precision.
func applyNumericTypmod(d *apd.Decimal, typmod int32) (*apd.Decimal, error) {
	if typmod < 4 || d.Form != apd.Finite {
		return d, nil
	}
	tm := typmod - 4
	p, s := tm>>16, tm&0xffff
	r, err := roundScale(d, s)
	if err != nil {
		return nil, err
	}
	if !r.IsZero() {
		intDigits := int32(r.NumDigits()) + r.Exponent
		if intDigits > p-s {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "numeric field overflow").
				WithDetail("A field with precision %d, scale %d must round to an absolute value less than %s.", p, s, pow10Text(p-s))
		}
	}
	return r, nil
}

func pow10Text(n int32) string {
	if n == 0 {
		return "1"
	}
	return "10^" + strconv.Itoa(int(n))
}

// checkedInt applies an integer result range check.
func checkedInt(n int64, t sqltypes.OID) (int64, error) {
	lo, hi := intRange(t)
	if n < lo || n > hi {
		return 0, outOfRange(t)
	}
	return n, nil
}

func intAdd(a, b int64, t sqltypes.OID) (int64, error) {
	r := a + b
	if (r > a) != (b > 0) {
		return 0, outOfRange(t)
	}
	return checkedInt(r, t)
}

func intSub(a, b int64, t sqltypes.OID) (int64, error) {
	r := a - b
	if (r < a) != (b > 0) {
		return 0, outOfRange(t)
	}
	return checkedInt(r, t)
}

func intMul(a, b int64, t sqltypes.OID) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	r := a * b
	if r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, outOfRange(t)
	}
	return checkedInt(r, t)
}

func intDiv(a, b int64, t sqltypes.OID) (int64, error) {
	if b == 0 {
		return 0, divByZero()
	}
	if b == -1 {
		if a == math.MinInt64 {
			return 0, outOfRange(t)
		}
		return checkedInt(-a, t)
	}
	return a / b, nil
}

func intMod(a, b int64) (int64, error) {
	if b == 0 {
		return 0, divByZero()
	}
	if b == -1 {
		return 0, nil
	}
	return a % b, nil
}

// asDecimal converts an int64, float64 or decimal value to a decimal.
func asDecimal(v sqltypes.Value) (*apd.Decimal, error) {
	switch x := v.(type) {
	case *apd.Decimal:
		return x, nil
	case int64:
		return decFromInt(x), nil
	case float64:
		return decFromFloat(x, 64)
	}
	return nil, pgerr.New(pgerr.InternalError, "not a number: %T", v)
}

func asFloat(v sqltypes.Value) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case *apd.Decimal:
		return decToFloat(x)
	}
	return math.NaN()
}

func checkFloat(f float64, inputsInf bool, t sqltypes.OID) (float64, error) {
	if math.IsInf(f, 0) && !inputsInf {
		return 0, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if t == sqltypes.Float4 {
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) && !inputsInf {
			return 0, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		return float64(f32), nil
	}
	return f, nil
}
