package expr

import (
	"math/big"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// addSizeFuncs registers the relation size functions (DBeaver and pgAdmin
// show them): sizes come from DescribeTable's TableSizeBytes.
func addSizeFuncs(f *Funcs) {
	size := func(name string, of func(RelationInfo) int64) evalFn {
		return func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			c, err := needCatalog(ctx, name)
			if err != nil {
				return nil, err
			}
			rel, ok, err := c.RelationByOID(oidArg(a[0]))
			if err != nil || !ok {
				return nil, err // PostgreSQL answers NULL for a relation that is gone
			}
			return of(rel), nil
		}
	}
	main := size("pg_relation_size", func(r RelationInfo) int64 { return r.Size })
	f.Add("pg_relation_size", fixed(sqltypes.Int8, args(sqltypes.Regclass), main))
	// Only the main fork has data: the others (fsm, vm, init) are empty.
	f.Add("pg_relation_size", fixed(sqltypes.Int8, args(sqltypes.Regclass, tText), func(ctx *Context, a []sqltypes.Value, t []sqltypes.OID) (sqltypes.Value, error) {
		v, err := main(ctx, a, t)
		if v != nil && str(a[1]) != "main" {
			return int64(0), err
		}
		return v, err
	}))
	f.Add("pg_table_size", fixed(sqltypes.Int8, args(sqltypes.Regclass), main))
	f.Add("pg_indexes_size", fixed(sqltypes.Int8, args(sqltypes.Regclass),
		size("pg_indexes_size", func(r RelationInfo) int64 { return r.IndexesSize })))
	f.Add("pg_total_relation_size", fixed(sqltypes.Int8, args(sqltypes.Regclass),
		size("pg_total_relation_size", func(r RelationInfo) int64 { return r.Size + r.IndexesSize })))
	f.Add("pg_size_pretty", fixed(tText, args(sqltypes.Int8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return SizePretty(big.NewInt(num(a[0]))), nil
	}))
	f.Add("pg_size_pretty", fixed(tText, args(tNum), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		d, _ := a[0].(*apd.Decimal)
		if d == nil || d.Form != apd.Finite {
			return nil, nil
		}
		var i apd.Decimal
		if _, err := decCtx.RoundToIntegralValue(&i, d); err != nil {
			return nil, err
		}
		n := new(big.Int).Set(i.Coeff.MathBigInt())
		if i.Exponent > 0 {
			n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i.Exponent)), nil))
		}
		if i.Negative {
			n.Neg(n)
		}
		if n.CmpAbs(big.NewInt(bytesLimit)) < 0 {
			return d.Text('f') + " bytes", nil // bytes keep the numeric's own digits
		}
		return SizePretty(n), nil
	}))
}

// sizeUnit is one entry of PostgreSQL 15's size_pretty_units.
type sizeUnit struct {
	name  string
	limit int64
	round bool
	bits  uint
}

// bytesLimit is the size from which pg_size_pretty leaves bytes.
const bytesLimit = 10 * 1024

func sizeUnits() [6]sizeUnit {
	return [6]sizeUnit{
		{"bytes", bytesLimit, false, 0},
		{"kB", 20*1024 - 1, true, 10},
		{"MB", 20*1024 - 1, true, 20},
		{"GB", 20*1024 - 1, true, 30},
		{"TB", 20*1024 - 1, true, 40},
		{"PB", 20*1024 - 1, true, 50},
	}
}

// SizePretty is pg_size_pretty: the size in the largest unit that keeps the
// number below the unit's limit, halves rounded away from zero.
func SizePretty(size *big.Int) string {
	n := new(big.Int).Set(size)
	units := sizeUnits()
	for i, u := range units {
		last := i == len(units)-1
		if last || new(big.Int).Abs(n).Cmp(big.NewInt(u.limit)) < 0 {
			if u.round {
				n = halfRounded(n)
			}
			return n.String() + " " + u.name
		}
		next := units[i+1]
		bits := next.bits - u.bits
		if next.round {
			bits--
		}
		if u.round {
			bits++
		}
		n.Quo(n, new(big.Int).Lsh(big.NewInt(1), bits)) // truncates toward zero, as C's division
	}
	return n.String()
}

// halfRounded is PostgreSQL's half_rounded: (x ± 1) / 2, toward zero.
func halfRounded(x *big.Int) *big.Int {
	one := big.NewInt(1)
	if x.Sign() < 0 {
		one.Neg(one)
	}
	r := new(big.Int).Add(x, one)
	return r.Quo(r, big.NewInt(2))
}

// addServerFuncs registers the server-state functions clients probe.
func addServerFuncs(f *Funcs) {
	f.Add("pg_postmaster_start_time", fixed(sqltypes.Timestamptz, nil, func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_postmaster_start_time")
		if err != nil {
			return nil, err
		}
		return c.StartTime().UTC().Round(time.Microsecond), nil
	}))
	f.Add("pg_conf_load_time", fixed(sqltypes.Timestamptz, nil, func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		c, err := needCatalog(ctx, "pg_conf_load_time")
		if err != nil {
			return nil, err
		}
		return c.StartTime().UTC().Round(time.Microsecond), nil
	}))
	// DBeaver shows index usage; DynamoDB keeps no such counters.
	f.Add("pg_stat_get_numscans", fixed(sqltypes.Int8, args(sqltypes.Oid), func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) {
		return int64(0), nil
	}))
	f.Add("pg_is_in_recovery", fixed(tBool, nil, func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) {
		return false, nil
	}))
	// DynamoDB has no transaction ids; the transaction's start in
	// microseconds is unique per session and grows like an xid does.
	f.Add("txid_current", fixed(sqltypes.Int8, nil, func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return sessionTime(ctx).UnixMicro(), nil
	}))
	// Connections arrive over TCP through a proxy; PostgreSQL answers NULL
	// over a Unix socket, which is the honest answer here too.
	for _, name := range []string{"inet_server_addr", "inet_client_addr"} {
		f.Add(name, fixed(inetOID, nil, nullFn))
	}
	for _, name := range []string{"inet_server_port", "inet_client_port"} {
		f.Add(name, fixed(tInt, nil, nullFn))
	}
}
