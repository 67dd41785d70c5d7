package expr

import (
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// ParamTypes holds the types of a statement's $n parameters: those declared by
// Parse are fixed; the others (0 or unknown) are inferred from the context of
// their first typed use, as PostgreSQL does, and default to text.
type ParamTypes struct {
	types   []sqltypes.OID
	pending map[int][]*Param // unresolved nodes by parameter number
}

// NewParamTypes starts from the types declared in Parse (0 = infer).
func NewParamTypes(declared []sqltypes.OID) *ParamTypes {
	p := &ParamTypes{pending: map[int][]*Param{}}
	for _, t := range declared {
		if t == sqltypes.Unknown {
			t = 0
		}
		p.types = append(p.types, t)
	}
	return p
}

// Types returns the final parameter types ($1 first); still-unknown ones are text.
func (p *ParamTypes) Types() []sqltypes.OID {
	out := make([]sqltypes.OID, len(p.types))
	for i, t := range p.types {
		if t == 0 {
			t = sqltypes.Text
		}
		out[i] = t
	}
	return out
}

// Type returns $n's type so far (0 if not yet known).
func (p *ParamTypes) Type(n int) sqltypes.OID {
	if n < 1 || n > len(p.types) {
		return 0
	}
	return p.types[n-1]
}

// ref makes the node for $n.
func (p *ParamTypes) ref(n int) (*Param, error) {
	if n < 1 || n > 65535 {
		return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", n)
	}
	for len(p.types) < n {
		p.types = append(p.types, 0)
	}
	node := &Param{N: n, T: p.types[n-1]}
	if node.T == 0 {
		p.pending[n] = append(p.pending[n], node)
	}
	return node, nil
}

// resolve fixes $n's type to t (first typed use wins) and updates its nodes.
func (p *ParamTypes) resolve(n int, t sqltypes.OID) sqltypes.OID {
	if p.types[n-1] != 0 {
		return p.types[n-1]
	}
	p.types[n-1] = t
	for _, node := range p.pending[n] {
		node.T = t
	}
	delete(p.pending, n)
	return t
}

// finish types every parameter still unknown as text.
func (p *ParamTypes) finish() {
	for n := range p.pending {
		p.resolve(n, sqltypes.Text)
	}
}
