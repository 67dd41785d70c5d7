package expr

import (
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// FuncDef is one overload of a scalar function.
type FuncDef struct {
	// MinArgs and MaxArgs bound the number of arguments; MaxArgs < 0 means variadic.
	MinArgs, MaxArgs int
	// Resolve decides whether the overload accepts arguments of the given types
	// (sqltypes.Unknown for untyped literals and parameters). It returns the type
	// each argument is coerced to (AnyOID leaves it as is; unknown then becomes
	// text) and the result type.
	Resolve func(args []sqltypes.OID) (params []sqltypes.OID, result sqltypes.OID, ok bool)
	// Eval computes the result; types are the arguments' types after coercion.
	// Unless NonStrict, Eval is not called when an argument is NULL (the result is NULL).
	Eval      func(ctx *Context, args []sqltypes.Value, types []sqltypes.OID) (sqltypes.Value, error)
	NonStrict bool
}

// Funcs is the registry of scalar functions, keyed by lower-case name. Build it
// with NewFuncs; other packages (the catalog) add their functions with Add
// before it is shared. It is read-only while statements are bound.
type Funcs struct {
	m    map[string][]FuncDef
	sets map[string]*SetFunc // set-returning functions, for FROM
}

// NewFuncs returns a registry holding the built-in functions.
func NewFuncs() *Funcs {
	f := &Funcs{m: map[string][]FuncDef{}, sets: map[string]*SetFunc{}}
	addStringFuncs(f)
	addMathFuncs(f)
	addJSONFuncs(f)
	addArrayFuncs(f)
	addTimeFuncs(f)
	addSessionFuncs(f)
	addCatalogFuncs(f)
	addSetFuncs(f)
	return f
}

// Add registers an overload of name (case-insensitive). Later overloads with
// the same signature do not replace earlier ones; add before using the registry.
func (f *Funcs) Add(name string, def FuncDef) {
	name = strings.ToLower(name)
	f.m[name] = append(f.m[name], def)
}

// Has reports whether any overload of name exists.
func (f *Funcs) Has(name string) bool {
	_, ok := f.m[strings.ToLower(name)]
	return ok
}

// lookup picks the best overload for the argument types.
func (f *Funcs) lookup(name string, args []sqltypes.OID) (*FuncDef, []sqltypes.OID, sqltypes.OID, error) {
	defs := f.m[name]
	var best *FuncDef
	var bestParams []sqltypes.OID
	var bestResult sqltypes.OID
	bestScore := -1
	for i := range defs {
		d := &defs[i]
		if len(args) < d.MinArgs || (d.MaxArgs >= 0 && len(args) > d.MaxArgs) {
			continue
		}
		params, result, ok := d.Resolve(args)
		if !ok {
			continue
		}
		score := 0
		for j, p := range params {
			switch {
			case p == args[j]:
				score += 100
			case p == AnyOID:
				score += 50
			case args[j] == sqltypes.Unknown && (p == sqltypes.Text || p == sqltypes.Float8):
				score += 2
			case p == sqltypes.Float8 || p == sqltypes.Text:
				score++ // preferred types of their categories
			}
		}
		if score > bestScore {
			best, bestParams, bestResult, bestScore = d, params, result, score
		}
	}
	if best == nil {
		names := make([]string, len(args))
		for i, a := range args {
			names[i] = typeName(a)
		}
		return nil, nil, 0, pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	return best, bestParams, bestResult, nil
}

// Sig returns a Resolve for a fixed signature: each argument must be
// implicitly coercible to its parameter type. With variadic, the last
// parameter type repeats. AnyOID accepts anything.
func Sig(result sqltypes.OID, params ...sqltypes.OID) func([]sqltypes.OID) ([]sqltypes.OID, sqltypes.OID, bool) {
	return sigResolve(result, false, params)
}

// VariadicSig is Sig whose last parameter repeats.
func VariadicSig(result sqltypes.OID, params ...sqltypes.OID) func([]sqltypes.OID) ([]sqltypes.OID, sqltypes.OID, bool) {
	return sigResolve(result, true, params)
}

func sigResolve(result sqltypes.OID, variadic bool, params []sqltypes.OID) func([]sqltypes.OID) ([]sqltypes.OID, sqltypes.OID, bool) {
	return func(args []sqltypes.OID) ([]sqltypes.OID, sqltypes.OID, bool) {
		out := make([]sqltypes.OID, len(args))
		var elem sqltypes.OID // binding of anyelement
		for i, a := range args {
			var p sqltypes.OID
			switch {
			case i < len(params):
				p = params[i]
			case variadic && len(params) > 0:
				p = params[len(params)-1]
			default:
				return nil, 0, false
			}
			switch p {
			case AnyOID:
				out[i] = AnyOID
				continue
			case AnyElementOID:
				if a == sqltypes.Unknown {
					out[i] = 0 // resolved below
					continue
				}
				if elem == 0 {
					elem = a
				} else if elem != a {
					if implicitCast(a, elem) {
						a = elem
					} else if implicitCast(elem, a) {
						elem = a
					} else {
						return nil, 0, false
					}
				}
				out[i] = AnyElementOID
				continue
			case AnyArrayOID:
				e, ok := arrayLikeElem(a)
				if !ok {
					return nil, 0, false
				}
				if elem == 0 {
					elem = e
				} else if elem != e {
					return nil, 0, false
				}
				out[i] = a
				continue
			}
			if !implicitCast(a, p) {
				return nil, 0, false
			}
			out[i] = p
		}
		if elem == 0 {
			elem = sqltypes.Text
		}
		for i := range out {
			if out[i] == 0 || out[i] == AnyElementOID {
				out[i] = elem
			}
		}
		switch result {
		case AnyElementOID:
			result = elem
		case AnyArrayOID:
			at, ok := arrayType(elem)
			if !ok {
				return nil, 0, false
			}
			result = at
		}
		return out, result, true
	}
}

// fn1..fn3 are small helpers for defining fixed-signature functions.
func fixed(result sqltypes.OID, params []sqltypes.OID, eval func(ctx *Context, a []sqltypes.Value, t []sqltypes.OID) (sqltypes.Value, error)) FuncDef {
	return FuncDef{MinArgs: len(params), MaxArgs: len(params), Resolve: Sig(result, params...), Eval: eval}
}

func args(ts ...sqltypes.OID) []sqltypes.OID { return ts }
