package engine

import (
	"math"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// varianceFunc reports the variance family (stddev, variance and their
// _samp and _pop forms): sample or population, and whether the square root
// is taken.
func varianceFunc(name string) (known, sample, root bool) {
	switch name {
	case "variance", "var_samp":
		return true, true, false
	case "var_pop":
		return true, false, false
	case "stddev", "stddev_samp":
		return true, true, true
	case "stddev_pop":
		return true, false, true
	}
	return false, false, false
}

// exactCtx adds and multiplies numerics without rounding (38-digit inputs
// squared and summed stay far below its precision).
var exactCtx = apd.BaseContext.WithPrecision(2000)

// varNumericState is the variance family over integers and numeric, as
// PostgreSQL's numeric_stddev_internal: exact sums of X and X², then
// (N·ΣX² − (ΣX)²) / (N·(N−1)) at numeric division's scale, and the square
// root at that same scale.
type varNumericState struct {
	m           *aggMaker
	n           int64
	sumX, sumX2 apd.Decimal
}

func (s *varNumericState) add(v, _ sqltypes.Value) error {
	d, ok := convertNumber(v, sqltypes.Numeric).(*apd.Decimal)
	if !ok {
		return pgerr.New(pgerr.InternalError, "%s: not a numeric input", s.m.spec.Func)
	}
	var sq apd.Decimal
	if _, err := exactCtx.Mul(&sq, d, d); err != nil {
		return pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	if _, err := exactCtx.Add(&s.sumX, &s.sumX, d); err != nil {
		return pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	if _, err := exactCtx.Add(&s.sumX2, &s.sumX2, &sq); err != nil {
		return pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	s.n++
	return nil
}

func (s *varNumericState) result() (sqltypes.Value, error) {
	_, sample, root := varianceFunc(s.m.spec.Func)
	if s.n == 0 || (sample && s.n == 1) {
		return nil, nil
	}
	n := apd.New(s.n, 0)
	num, sq := new(apd.Decimal), new(apd.Decimal)
	if _, err := exactCtx.Mul(num, n, &s.sumX2); err != nil {
		return nil, pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	if _, err := exactCtx.Mul(sq, &s.sumX, &s.sumX); err != nil {
		return nil, pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	if _, err := exactCtx.Sub(num, num, sq); err != nil {
		return nil, pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	if num.Sign() <= 0 {
		return apd.New(0, 0), nil
	}
	den := s.n * s.n
	if sample {
		den = s.n * (s.n - 1)
	}
	v, err := s.m.div.Eval(s.m.eval, sqltypes.Row{num, apd.New(den, 0)})
	if err != nil || !root {
		return v, err
	}
	return sqrtAtScale(v.(*apd.Decimal))
}

// sqrtAtScale is √v rounded half up to v's own scale (sqrt_var at rscale).
func sqrtAtScale(v *apd.Decimal) (*apd.Decimal, error) {
	scale := int32(0)
	if v.Exponent < 0 {
		scale = -v.Exponent
	}
	c := apd.BaseContext.WithPrecision(uint32(v.NumDigits()) + uint32(scale) + 10)
	r := new(apd.Decimal)
	if _, err := c.Sqrt(r, v); err != nil {
		return nil, pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	c.Rounding = apd.RoundHalfUp
	if _, err := c.Quantize(r, r, -scale); err != nil {
		return nil, pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return r, nil
}

// varFloatState is the variance family over float4/float8 with the
// Youngs-Cramer update PostgreSQL's float8_accum uses.
type varFloatState struct {
	m          *aggMaker
	n, sx, sxx float64
}

func (s *varFloatState) add(v, _ sqltypes.Value) error {
	x, ok := v.(float64)
	if !ok {
		return pgerr.New(pgerr.InternalError, "%s: not a float input", s.m.spec.Func)
	}
	s.n++
	s.sx += x
	if s.n > 1 {
		tmp := x*s.n - s.sx
		s.sxx += tmp * tmp / (s.n * (s.n - 1))
	}
	return nil
}

func (s *varFloatState) result() (sqltypes.Value, error) {
	_, sample, root := varianceFunc(s.m.spec.Func)
	if s.n == 0 || (sample && s.n == 1) {
		return nil, nil
	}
	den := s.n
	if sample {
		den = s.n - 1
	}
	v := s.sxx / den
	if root {
		v = math.Sqrt(v)
	}
	return v, nil
}

// prepareVariance prepares the numeric division of the variance family.
func (m *aggMaker) prepareVariance() error {
	switch m.argType {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Numeric:
		var err error
		m.accType = sqltypes.Numeric
		m.div, err = bindBinary("/", sqltypes.Numeric, sqltypes.Numeric)
		return err
	case sqltypes.Float4, sqltypes.Float8:
		m.accType = sqltypes.Float8
		return nil
	}
	return pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", m.spec.Func, typeName(m.argType))
}

func (m *aggMaker) newVarianceState() aggState {
	if m.accType == sqltypes.Float8 {
		return &varFloatState{m: m}
	}
	return &varNumericState{m: m}
}
