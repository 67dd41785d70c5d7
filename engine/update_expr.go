package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// SetKind is how one SET item of an UPDATE (or ON CONFLICT DO UPDATE)
// reaches DynamoDB.
type SetKind int

const (
	// SetValue: SET #a = :v (a NULL value or an empty set: REMOVE #a).
	SetValue SetKind = iota
	// SetAdd: a = a + v → SET #a = #a + :v.
	SetAdd
	// SetSub: a = a - v → SET #a = #a - :v.
	SetSub
	// SetIfNotExists: a = COALESCE(a, v) → SET #a = if_not_exists(#a, :v).
	SetIfNotExists
	// SetListAppend: a = a || '[...]'::jsonb → SET #a = list_append(#a, :v).
	SetListAppend
	// SetLocal: any other expression, computed from the item read and
	// written as SET #a = :v, conditioned on the item still holding the
	// values read (optimistic).
	SetLocal
)

// SetItem is one assignment. Value is evaluated with no row (a literal,
// parameter or EXCLUDED column) except for SetLocal, evaluated over the
// item read (as a row of the table's columns). T is the column's SQL type.
type SetItem struct {
	Attr  string
	Kind  SetKind
	Value expr.Expr
	T     sqltypes.OID
}

func (s SetItem) String() string {
	a := quoteName(s.Attr)
	switch s.Kind {
	case SetAdd:
		return a + " = " + a + " + " + s.Value.String()
	case SetSub:
		return a + " = " + a + " - " + s.Value.String()
	case SetIfNotExists:
		return a + " = if_not_exists(" + a + ", " + s.Value.String() + ")"
	case SetListAppend:
		return a + " = list_append(" + a + ", " + s.Value.String() + ")"
	case SetLocal:
		return a + " = " + s.Value.String() + " (computed locally)"
	}
	return a + " = " + s.Value.String()
}

func setList(sets []SetItem) string {
	parts := make([]string, len(sets))
	for i, s := range sets {
		parts[i] = s.String()
	}
	return strings.Join(parts, ", ")
}

// updateParts accumulates an UpdateExpression's SET and REMOVE clauses.
type updateParts struct {
	set, remove []string
}

func (u *updateParts) String() string {
	var parts []string
	if len(u.set) > 0 {
		parts = append(parts, "SET "+strings.Join(u.set, ", "))
	}
	if len(u.remove) > 0 {
		parts = append(parts, "REMOVE "+strings.Join(u.remove, ", "))
	}
	return strings.Join(parts, " ")
}

// renderSets renders sets with b. row is the item read (for SetLocal; nil
// when nothing was read). missing lists attributes known to be absent: an
// arithmetic or list_append on one of them is SQL NULL, so it is removed
// (a no-op) rather than sent to DynamoDB, which would refuse it.
func renderSets(b *exprBuilder, sets []SetItem, row sqltypes.Row, missing map[string]bool, u *updateParts) error {
	for _, s := range sets {
		if missing[s.Attr] && isArith(s.Kind) {
			u.remove = append(u.remove, b.name(s.Attr))
			continue
		}
		var (
			v   sqltypes.Value
			err error
		)
		if s.Kind == SetLocal {
			v, err = s.Value.Eval(b.eval, row)
		} else {
			v, err = s.Value.Eval(b.eval, nil)
		}
		if err != nil {
			return fmt.Errorf("SET %s: %w", s.Attr, err)
		}
		av, err := writeAttr(v, s.T, s.Attr)
		if err != nil {
			return err
		}
		n := b.name(s.Attr)
		if av == nil {
			if s.Kind == SetValue || s.Kind == SetLocal {
				u.remove = append(u.remove, n)
				continue
			}
			// x + NULL, COALESCE(x, NULL), x || NULL: NULL in SQL for a
			// missing x; a present x becomes NULL too, except for COALESCE,
			// which keeps it.
			if s.Kind == SetIfNotExists {
				continue
			}
			u.remove = append(u.remove, n)
			continue
		}
		p := b.add(av)
		switch s.Kind {
		case SetAdd:
			u.set = append(u.set, n+" = "+n+" + "+p)
		case SetSub:
			u.set = append(u.set, n+" = "+n+" - "+p)
		case SetIfNotExists:
			u.set = append(u.set, n+" = if_not_exists("+n+", "+p+")")
		case SetListAppend:
			u.set = append(u.set, n+" = list_append("+n+", "+p+")")
		default:
			u.set = append(u.set, n+" = "+p)
		}
	}
	return nil
}

// writeAttr converts a value written to column attr; nil for SQL NULL and
// an empty set (both remove the attribute).
func writeAttr(v sqltypes.Value, t sqltypes.OID, attr string) (types.AttributeValue, error) {
	switch t {
	case sqltypes.Unknown, sqltypes.Name, sqltypes.Varchar, 0:
		t = sqltypes.Text
	}
	av, err := sqltypes.ToAttribute(v, t)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", attr, err)
	}
	return av, nil
}

// attrIs is the optimistic check of a read-then-write: the attribute still
// holds the value read (Value nil: it is still missing, or NULL).
type attrIs struct {
	Attr  string
	Value types.AttributeValue
}

var _ Cond = (*attrIs)(nil)

func (c *attrIs) String() string {
	return quoteName(c.Attr) + " = <value read>"
}

func (c *attrIs) render(b *exprBuilder) (string, bool, error) {
	n := b.name(c.Attr)
	if c.Value == nil {
		return "(attribute_not_exists(" + n + ") OR attribute_type(" + n + ", " + b.literal("NULL") + "))", false, nil
	}
	return n + " = " + b.add(c.Value), false, nil
}

// itemKeyID is a canonical text of an item key (attributes sorted by name).
func itemKeyID(key map[string]types.AttributeValue) string {
	names := make([]string, 0, len(key))
	for n := range key {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]KeyPart, len(names))
	for i, n := range names {
		parts[i] = KeyPart{Attr: n}
	}
	return keyID(parts, key)
}

// keyDetail is PostgreSQL's "Key (a, b)=(x, y)" of a unique violation.
func keyDetail(names []string, key map[string]types.AttributeValue) string {
	vals := make([]string, len(names))
	for i, n := range names {
		vals[i] = attrText(key[n])
	}
	return "Key (" + strings.Join(names, ", ") + ")=(" + strings.Join(vals, ", ") + ")"
}

// attrText prints a key attribute's value as PostgreSQL prints it in a
// constraint violation.
func attrText(av types.AttributeValue) string {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return x.Value
	case *types.AttributeValueMemberN:
		return x.Value
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("\\x%x", x.Value)
	}
	return "?"
}

// maxItemBytes is DynamoDB's item size limit.
const maxItemBytes = 400 * 1024

// itemSize estimates an item's size by DynamoDB's rules: attribute names
// plus values (numbers about one byte per two digits, plus one).
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + attrSize(v)
	}
	return n
}

func attrSize(av types.AttributeValue) int {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return (len(x.Value)+1)/2 + 1
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range x.Value {
			n += (len(s)+1)/2 + 1
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + attrSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + attrSize(e)
		}
		return n
	}
	return 0
}

// checkItemSize refuses an item DynamoDB would refuse (54000), before the
// call, with a message naming the table.
func checkItemSize(table string, item map[string]types.AttributeValue) error {
	if n := itemSize(item); n > maxItemBytes {
		return pgerr.New(pgerr.ProgramLimitExceeded, "item of %d bytes is too large for table %q", n, table).
			WithDetail("A DynamoDB item is at most 400 KB (409600 bytes), attribute names included.")
	}
	return nil
}

// isArith reports SET forms that read the attribute they write and fail in
// DynamoDB when it is missing.
func isArith(k SetKind) bool { return k == SetAdd || k == SetSub || k == SetListAppend }
