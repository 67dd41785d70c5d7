package translate

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/fazproxy/fazproxy/expr"
)

// term is one AND term of a WHERE or ON clause. It is bound once over the
// whole FROM row to learn which entries it reads (refs), then bound again
// over the row of the place it is evaluated: a leaf (where it may become a
// key condition or a FilterExpression), a join, or the top.
type term struct {
	node   *pg_query.Node
	e      expr.Expr // bound over the whole FROM row
	refs   map[*rangeEntry]bool
	hasSub bool
	used   bool
	// fixed builds the term without a parse tree (USING equalities).
	fixed func(sc *relScope) expr.Expr
}

// classify binds a term over scope (shift 0: the whole FROM row), recording
// the entries it reads.
func (st *selectState) classify(n *pg_query.Node, scope *relScope, clause string) (*term, error) {
	n = boolContext(n)
	refs := map[*rangeEntry]bool{}
	scope.refs = refs
	defer func() { scope.refs = nil }()
	e, err := st.binder(scope, nil).Bind(n)
	if err != nil {
		return nil, err
	}
	if err := requireBool(e, clause); err != nil {
		return nil, err
	}
	return &term{node: n, e: e, refs: refs, hasSub: hasSubLink(n)}, nil
}

// bindAt binds the term over sc.
func (st *selectState) bindAt(t *term, sc *relScope) (expr.Expr, error) {
	if t.node == nil {
		return t.fixed(sc), nil
	}
	return st.binder(sc, nil).Bind(t.node)
}

// within reports whether the term reads only entries of set (and at least one).
func (t *term) within(set map[*rangeEntry]bool) bool {
	if len(t.refs) == 0 {
		return false
	}
	for e := range t.refs {
		if !set[e] {
			return false
		}
	}
	return true
}

func entrySet(n fromNode) map[*rangeEntry]bool {
	out := map[*rangeEntry]bool{}
	for _, e := range n.entries() {
		out[e] = true
	}
	return out
}

// hasSubLink reports a sub-select anywhere in the tree.
func hasSubLink(n *pg_query.Node) bool {
	return n != nil && containsMessage(n.ProtoReflect(), func(m protoreflect.Message) bool {
		_, ok := m.Interface().(*pg_query.SubLink)
		return ok
	})
}

// containsMessage walks a parse tree generically (it is a protobuf message).
func containsMessage(m protoreflect.Message, match func(protoreflect.Message) bool) bool {
	if match(m) {
		return true
	}
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := val.List()
			for i := 0; i < l.Len() && !found; i++ {
				found = containsMessage(l.Get(i).Message(), match)
			}
		case fd.Message() != nil && !fd.IsMap():
			found = containsMessage(val.Message(), match)
		}
		return !found
	})
	return found
}
