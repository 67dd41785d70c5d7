package engine

import (
	"strings"

	"github.com/fazproxy/fazproxy/expr"
)

// String renders the plan tree as EXPLAIN prints it, laid out like
// PostgreSQL's text format: the root's properties indented by two spaces,
// each child on a "->  " line and its properties six columns deeper.
//
//	Project
//	  Output: name
//	  ->  GetItem
//	        Table: customers
//	        Key: customer_id = 'c0001'::text
func (d *Description) String() string {
	var b strings.Builder
	d.write(&b, 0)
	return b.String()
}

func (d *Description) write(b *strings.Builder, level int) {
	head, body := "", "  "
	if level > 0 {
		head = strings.Repeat(" ", 2+6*(level-1)) + "->  "
		body = strings.Repeat(" ", 2+6*level)
	}
	b.WriteString(head + d.Op + "\n")
	for _, p := range d.Props {
		b.WriteString(body + p.Key + ": " + p.Value + "\n")
	}
	for _, c := range d.Children {
		c.write(b, level+1)
	}
}

// Lines returns String's lines without the trailing newline.
func (d *Description) Lines() []string {
	return strings.Split(strings.TrimRight(d.String(), "\n"), "\n")
}

// add appends a property when value is not empty.
func (d *Description) add(key, value string) *Description {
	if value != "" {
		d.Props = append(d.Props, Prop{Key: key, Value: value})
	}
	return d
}

// exprList renders expressions separated by commas.
func exprList(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// condString is a condition's EXPLAIN text, "" for none.
func condString(c Cond) string {
	if c == nil {
		return ""
	}
	return c.String()
}

// attrList renders attribute names for EXPLAIN.
func attrList(attrs []string) string {
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		parts[i] = quoteName(a)
	}
	return strings.Join(parts, ", ")
}

// quoteName quotes an attribute name for EXPLAIN the way PostgreSQL quotes an
// identifier: only when it is not a plain lower-case name.
func quoteName(s string) string {
	plain := s != ""
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case r >= '0' && r <= '9' && i > 0:
		default:
			plain = false
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
