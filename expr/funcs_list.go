package expr

import (
	"sort"
	"strings"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// SetFunc is a set-returning function called in FROM, e.g.
// `SELECT * FROM pg_get_keywords()`. The planner makes a relation of it.
type SetFunc struct {
	// Columns are the result columns (Name, Type; Typmod -1).
	Columns []sqltypes.Column
	// Args are the parameter types the arguments are coerced to.
	Args []sqltypes.OID
	// Rows computes every row (each of len(Columns) values).
	Rows func(ctx *Context, args []sqltypes.Value) ([]sqltypes.Row, error)
}

// AddSetFunc registers a set-returning function (case-insensitive name).
func (f *Funcs) AddSetFunc(name string, sf *SetFunc) { f.sets[strings.ToLower(name)] = sf }

// SetFunc returns the set-returning function name, if there is one.
func (f *Funcs) SetFunc(name string) (*SetFunc, bool) {
	sf, ok := f.sets[strings.ToLower(name)]
	return sf, ok
}

// Signature is one overload as pg_proc lists it.
type Signature struct {
	Name     string
	Args     []sqltypes.OID
	Result   sqltypes.OID
	Kind     byte // 'f' function, 'a' aggregate
	Strict   bool
	RetSet   bool
	Variadic sqltypes.OID // element type of a VARIADIC last argument, else 0
}

// List returns every function the registry resolves, with aggregates and
// set-returning functions, sorted by name then argument count, for pg_proc.
// Argument types are the ones an untyped argument would be coerced to, which
// for the fixed signatures here is the declared parameter type.
func (f *Funcs) List() []Signature {
	var out []Signature
	for name, defs := range f.m {
		for i := range defs {
			if s, ok := probeSignature(name, &defs[i]); ok {
				out = append(out, s)
			}
		}
	}
	for name, sf := range f.sets {
		out = append(out, Signature{Name: name, Args: sf.Args, Result: sqltypes.Record, Kind: 'f',
			Strict: true, RetSet: true})
	}
	for name := range aggregateNames {
		out = append(out, Signature{Name: name, Args: []sqltypes.OID{AnyElementOID}, Result: AnyElementOID, Kind: 'a'})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return len(out[i].Args) < len(out[j].Args)
	})
	return out
}

// probeSignature recovers an overload's parameter types by resolving it for
// untyped arguments, with polymorphic array positions probed as anyarray.
func probeSignature(name string, d *FuncDef) (Signature, bool) {
	n := d.MinArgs
	tries := [][]sqltypes.OID{repeatType(sqltypes.Unknown, n)}
	for i := 0; i < n; i++ {
		t := repeatType(sqltypes.Unknown, n)
		t[i] = AnyArrayOID
		tries = append(tries, t)
	}
	tries = append(tries, repeatType(AnyArrayOID, n))
	for _, t := range tries {
		params, result, ok := d.Resolve(t)
		if !ok {
			continue
		}
		s := Signature{Name: name, Args: params, Result: result, Kind: 'f', Strict: !d.NonStrict}
		if d.MaxArgs < 0 && len(params) > 0 {
			s.Variadic = params[len(params)-1]
		}
		return s, true
	}
	return Signature{}, false
}

func repeatType(t sqltypes.OID, n int) []sqltypes.OID {
	out := make([]sqltypes.OID, n)
	for i := range out {
		out[i] = t
	}
	return out
}

// keyword is one entry of the parser's keyword list.
type keyword struct {
	word     string
	category byte
	bare     bool
}

// addSetFuncs registers the set-returning functions.
func addSetFuncs(f *Funcs) {
	addJSONSetFuncs(f)
	addRegexpSetFuncs(f)
	f.AddSetFunc("pg_get_keywords", &SetFunc{
		Columns: []sqltypes.Column{
			{Name: "word", Type: sqltypes.Text, Typmod: -1},
			{Name: "catcode", Type: sqltypes.Char, Typmod: -1},
			{Name: "barelabel", Type: sqltypes.Bool, Typmod: -1},
			{Name: "catdesc", Type: sqltypes.Text, Typmod: -1},
			{Name: "baredesc", Type: sqltypes.Text, Typmod: -1},
		},
		Rows: func(*Context, []sqltypes.Value) ([]sqltypes.Row, error) { return KeywordRows(), nil },
	})
}

// KeywordRows are pg_get_keywords()'s rows: word, catcode, barelabel,
// catdesc, baredesc.
func KeywordRows() []sqltypes.Row {
	kws := keywordList()
	rows := make([]sqltypes.Row, len(kws))
	for i, k := range kws {
		desc := map[byte]string{
			'U': "unreserved",
			'C': "unreserved (cannot be function or type name)",
			'T': "reserved (can be function or type name)",
			'R': "reserved",
		}[k.category]
		bare := "requires AS"
		if k.bare {
			bare = "can be bare label"
		}
		rows[i] = sqltypes.Row{k.word, string(k.category), k.bare, desc, bare}
	}
	return rows
}
