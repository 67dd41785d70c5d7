package expr

import (
	"math"
	"math/rand/v2"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

const (
	tNum = sqltypes.OID(sqltypes.Numeric)
	tF8  = sqltypes.OID(sqltypes.Float8)
)

func dec(v sqltypes.Value) *apd.Decimal {
	d, _ := asDecimal(v)
	if d == nil {
		return new(apd.Decimal)
	}
	return d
}

func decRound(d *apd.Decimal, s int64, mode apd.Rounder) (sqltypes.Value, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	s = max(min(s, numericMaxDisplayScale), -numericMaxDisplayScale)
	c := *decCtx
	c.Rounding = mode
	r := new(apd.Decimal)
	if _, err := c.Quantize(r, d, int32(-s)); err != nil {
		return nil, numericOverflow()
	}
	if s < 0 {
		_, _ = c.Quantize(r, r, 0)
	}
	if r.IsZero() {
		r.Negative = false
	}
	return r, nil
}

func addMathFuncs(f *Funcs) {
	for _, t := range []sqltypes.OID{sqltypes.Int2, sqltypes.Int4, sqltypes.Int8} {
		t := t
		f.Add("abs", fixed(t, args(t), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			n := num(a[0])
			if n < 0 {
				return negate(n, t)
			}
			return n, nil
		}))
	}
	f.Add("abs", fixed(tNum, args(tNum), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return new(apd.Decimal).Abs(dec(a[0])), nil
	}))
	f.Add("abs", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return math.Abs(asFloat(a[0])), nil
	}))
	numRound := func(mode apd.Rounder) evalFn {
		return func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			s := int64(0)
			if len(a) > 1 {
				s = num(a[1])
			}
			return decRound(dec(a[0]), s, mode)
		}
	}
	f.Add("round", fixed(tNum, args(tNum), numRound(apd.RoundHalfUp)))
	f.Add("round", fixed(tNum, args(tNum, tInt), numRound(apd.RoundHalfUp)))
	f.Add("round", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return math.RoundToEven(asFloat(a[0])), nil
	}))
	f.Add("trunc", fixed(tNum, args(tNum), numRound(apd.RoundDown)))
	f.Add("trunc", fixed(tNum, args(tNum, tInt), numRound(apd.RoundDown)))
	f.Add("trunc", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return math.Trunc(asFloat(a[0])), nil
	}))
	for _, n := range []string{"ceil", "ceiling"} {
		f.Add(n, fixed(tNum, args(tNum), numRound(apd.RoundCeiling)))
		f.Add(n, fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			return math.Ceil(asFloat(a[0])), nil
		}))
	}
	f.Add("floor", fixed(tNum, args(tNum), numRound(apd.RoundFloor)))
	f.Add("floor", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return math.Floor(asFloat(a[0])), nil
	}))
	for _, t := range []sqltypes.OID{sqltypes.Int2, sqltypes.Int4, sqltypes.Int8} {
		f.Add("mod", fixed(t, args(t, t), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			return intMod(num(a[0]), num(a[1]))
		}))
	}
	f.Add("mod", fixed(tNum, args(tNum, tNum), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return decMod(dec(a[0]), dec(a[1]))
	}))
	f.Add("div", fixed(tNum, args(tNum, tNum), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return decDivTrunc(dec(a[0]), dec(a[1]))
	}))
	for _, n := range []string{"power", "pow"} {
		f.Add(n, fixed(tF8, args(tF8, tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			return power(a[0], a[1], tF8)
		}))
		f.Add(n, fixed(tNum, args(tNum, tNum), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			return power(a[0], a[1], tNum)
		}))
	}
	f.Add("sqrt", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		x := asFloat(a[0])
		if x < 0 {
			return nil, pgerr.New(codeInvalidArgForPower, "cannot take square root of a negative number")
		}
		return math.Sqrt(x), nil
	}))
	f.Add("sqrt", fixed(tNum, args(tNum), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		x := dec(a[0])
		if x.Sign() < 0 {
			return nil, pgerr.New(codeInvalidArgForPower, "cannot take square root of a negative number")
		}
		if x.Form != apd.Finite {
			return x, nil
		}
		w, _ := nbaseWeightFirst(x)
		sweight := (w+1)*decDigits/2 - 1
		rs := max(int32(numericMinSigDigits-sweight), dscale(x), 0)
		c := *decCtx
		c.Precision = uint32(max(int32(w*decDigits), 0)) + uint32(rs) + 10
		r := new(apd.Decimal)
		if _, err := c.Sqrt(r, x); err != nil {
			return nil, numericOverflow()
		}
		return roundScale(r, rs)
	}))
	f.Add("sign", fixed(tNum, args(tNum), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return apd.New(int64(dec(a[0]).Sign()), 0), nil
	}))
	f.Add("sign", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		x := asFloat(a[0])
		switch {
		case x > 0:
			return 1.0, nil
		case x < 0:
			return -1.0, nil
		}
		return 0.0, nil
	}))
	f.Add("pi", fixed(tF8, nil, func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) { return math.Pi, nil }))
	f.Add("random", fixed(tF8, nil, func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) {
		return rand.Float64(), nil
	}))
	f.Add("exp", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return checkFloat(math.Exp(asFloat(a[0])), math.IsInf(asFloat(a[0]), 0), tF8)
	}))
	f.Add("ln", fixed(tF8, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		x := asFloat(a[0])
		if x <= 0 {
			if x == 0 {
				return nil, pgerr.New(codeInvalidArgForLog, "cannot take logarithm of zero")
			}
			return nil, pgerr.New(codeInvalidArgForLog, "cannot take logarithm of a negative number")
		}
		return math.Log(x), nil
	}))
}
