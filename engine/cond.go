package engine

import (
	"strings"

	"github.com/fazproxy/fazproxy/expr"
)

// Cond is a condition pushed down to DynamoDB: a key condition or a filter.
// It is rendered into a DynamoDB expression at Open, when its values (which
// may be $n parameters) are evaluated; attribute names and values only ever
// enter the expression as #n / :v placeholders.
//
// The set of conditions is closed (the render method is unexported): every one
// selects exactly the items PostgreSQL would find the SQL term true for, which
// is the planner's responsibility when it builds them.
type Cond interface {
	// String renders the condition for EXPLAIN (attribute names and SQL
	// values, never sent to DynamoDB).
	String() string
	// render writes the condition with b's placeholders. never reports that
	// the condition can hold for no item (a value evaluated to NULL); an
	// expression "" that is not never holds for every item (a key compared
	// with an empty string: see exprBuilder.keys).
	render(b *exprBuilder) (expression string, never bool, err error)
}

// Compile-time checks that every condition is a Cond.
var (
	_ Cond = (*Cmp)(nil)
	_ Cond = (*Between)(nil)
	_ Cond = (*BeginsWith)(nil)
	_ Cond = (*In)(nil)
	_ Cond = (*AttrTypeIs)(nil)
	_ Cond = (*AttrExists)(nil)
	_ Cond = (*And)(nil)
	_ Cond = (*Or)(nil)
)

// Cmp is "attr op value". AttrType is the DynamoDB scalar type ("S", "N", "B")
// the value must convert to, or "" to convert by the value's SQL type (BOOL).
// OpNE is never used: DynamoDB finds a missing attribute unequal to anything.
type Cmp struct {
	Attr     string
	Op       expr.CompareOp
	Value    expr.Expr
	AttrType string
}

func (c *Cmp) String() string {
	return quoteName(c.Attr) + " " + c.Op.String() + " " + c.Value.String()
}

func (c *Cmp) render(b *exprBuilder) (string, bool, error) {
	av, err := evalAttr(b.eval, c.Value, c.AttrType)
	if err != nil || av == nil {
		return "", err == nil, err
	}
	if b.keys && emptyKeyValue(av) {
		// No key is empty (and DynamoDB rejects the value), so every key is
		// greater than it.
		return "", c.Op != expr.OpGT && c.Op != expr.OpGE, nil
	}
	return b.name(c.Attr) + " " + c.Op.String() + " " + b.add(av), false, nil
}

// Between is "attr BETWEEN Lo AND Hi" (inclusive, as in both SQL and DynamoDB).
type Between struct {
	Attr     string
	Lo, Hi   expr.Expr
	AttrType string
}

func (c *Between) String() string {
	return quoteName(c.Attr) + " BETWEEN " + c.Lo.String() + " AND " + c.Hi.String()
}

func (c *Between) render(b *exprBuilder) (string, bool, error) {
	lo, err := evalAttr(b.eval, c.Lo, c.AttrType)
	if err != nil || lo == nil {
		return "", err == nil, err
	}
	hi, err := evalAttr(b.eval, c.Hi, c.AttrType)
	if err != nil || hi == nil {
		return "", err == nil, err
	}
	if b.keys && emptyKeyValue(hi) {
		return "", true, nil // no key is <= ''
	}
	if b.keys && emptyKeyValue(lo) {
		return b.name(c.Attr) + " <= " + b.add(hi), false, nil
	}
	return b.name(c.Attr) + " BETWEEN " + b.add(lo) + " AND " + b.add(hi), false, nil
}

// BeginsWith is begins_with(attr, Prefix): SQL's "attr LIKE 'prefix%'".
type BeginsWith struct {
	Attr   string
	Prefix expr.Expr
}

func (c *BeginsWith) String() string {
	return "begins_with(" + quoteName(c.Attr) + ", " + c.Prefix.String() + ")"
}

func (c *BeginsWith) render(b *exprBuilder) (string, bool, error) {
	av, err := evalAttr(b.eval, c.Prefix, "S")
	if err != nil || av == nil {
		return "", err == nil, err
	}
	if b.keys && emptyKeyValue(av) {
		return "", false, nil // every key begins with ''
	}
	p := b.add(av)
	return "begins_with(" + b.name(c.Attr) + ", " + p + ")", false, nil
}

// In is "attr IN (Values...)" (at most 100 values, DynamoDB's limit). Values
// that evaluate to NULL are dropped: they never match.
type In struct {
	Attr     string
	Values   []expr.Expr
	AttrType string
}

func (c *In) String() string {
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		parts[i] = v.String()
	}
	return quoteName(c.Attr) + " IN (" + strings.Join(parts, ", ") + ")"
}

func (c *In) render(b *exprBuilder) (string, bool, error) {
	var vals []string
	for _, e := range c.Values {
		v, err := b.value(e, c.AttrType)
		if err != nil {
			return "", false, err
		}
		if v != "" {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return "", true, nil
	}
	return b.name(c.Attr) + " IN (" + strings.Join(vals, ", ") + ")", false, nil
}

// AttrTypeIs is attribute_type(attr, DynamoType), negated when Not.
type AttrTypeIs struct {
	Attr       string
	DynamoType string
	Not        bool
}

func (c *AttrTypeIs) String() string {
	s := "attribute_type(" + quoteName(c.Attr) + ", " + c.DynamoType + ")"
	if c.Not {
		return "NOT " + s
	}
	return s
}

func (c *AttrTypeIs) render(b *exprBuilder) (string, bool, error) {
	s := "attribute_type(" + b.name(c.Attr) + ", " + b.literal(c.DynamoType) + ")"
	if c.Not {
		return "NOT " + s, false, nil
	}
	return s, false, nil
}

// AttrExists is attribute_exists(attr), or attribute_not_exists(attr) when
// Not.
type AttrExists struct {
	Attr string
	Not  bool
}

func (c *AttrExists) String() string {
	if c.Not {
		return "attribute_not_exists(" + quoteName(c.Attr) + ")"
	}
	return "attribute_exists(" + quoteName(c.Attr) + ")"
}

func (c *AttrExists) render(b *exprBuilder) (string, bool, error) {
	if c.Not {
		return "attribute_not_exists(" + b.name(c.Attr) + ")", false, nil
	}
	return "attribute_exists(" + b.name(c.Attr) + ")", false, nil
}

// And is a conjunction of conditions.
type And struct{ Args []Cond }

func (c *And) String() string { return joinConds(c.Args, " AND ") }

func (c *And) render(b *exprBuilder) (string, bool, error) {
	parts := make([]string, 0, len(c.Args))
	for _, a := range c.Args {
		s, never, err := a.render(b)
		if err != nil || never {
			return "", never, err // one never-true term makes the whole AND never true
		}
		if s != "" { // an always-true term adds nothing
			parts = append(parts, wrap(a, s))
		}
	}
	return strings.Join(parts, " AND "), false, nil
}

// Or is a disjunction of conditions.
type Or struct{ Args []Cond }

func (c *Or) String() string { return joinConds(c.Args, " OR ") }

func (c *Or) render(b *exprBuilder) (string, bool, error) {
	parts := make([]string, 0, len(c.Args))
	for _, a := range c.Args {
		s, never, err := a.render(b)
		if err != nil {
			return "", false, err
		}
		if never {
			continue // a never-true branch adds nothing to an OR
		}
		if s == "" {
			return "", false, nil // an always-true branch makes the OR always true
		}
		parts = append(parts, wrap(a, s))
	}
	if len(parts) == 0 {
		return "", true, nil
	}
	return strings.Join(parts, " OR "), false, nil
}

// wrap parenthesizes nested AND/OR so precedence never depends on DynamoDB's
// operator priorities.
func wrap(c Cond, s string) string {
	switch c.(type) {
	case *And, *Or:
		return "(" + s + ")"
	}
	return s
}

func joinConds(cs []Cond, sep string) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
		if _, nested := c.(*And); nested {
			parts[i] = "(" + parts[i] + ")"
		} else if _, nested := c.(*Or); nested {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, sep)
}
