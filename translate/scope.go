package translate

import (
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
)

// tableScope resolves column references against one table (or none, for a
// SELECT without FROM). It records every column it resolves, which is how the
// planner learns which attributes to project.
type tableScope struct {
	table *catalog.Table // nil: no FROM clause
	name  string         // the name the query refers to the table by (alias or name)
	used  map[int]bool   // column indexes resolved so far
}

var _ expr.Scope = (*tableScope)(nil)

func newTableScope(t *catalog.Table, refName string) *tableScope {
	return &tableScope{table: t, name: refName, used: map[int]bool{}}
}

// ResolveColumn implements expr.Scope for names like col, t.col, public.t.col.
func (s *tableScope) ResolveColumn(names []string) (*expr.ColRef, error) {
	col := names[len(names)-1]
	qual := names[:len(names)-1]
	if s.table == nil {
		return nil, undefinedColumn(strings.Join(names, "."), nil)
	}
	if len(qual) > 0 && !s.matchesQualifier(qual) {
		return nil, pgerr.New(pgerr.UndefinedTable,
			"missing FROM-clause entry for table %q", qual[len(qual)-1])
	}
	for i, c := range s.table.Columns {
		if c.Name == col {
			s.used[i] = true
			return &expr.ColRef{Index: i, Table: s.name, Name: c.Name, T: c.Type}, nil
		}
	}
	return nil, undefinedColumn(strings.Join(names, "."), s.table)
}

func (s *tableScope) matchesQualifier(qual []string) bool {
	switch len(qual) {
	case 1:
		return qual[0] == s.name
	case 2:
		return qual[1] == s.name && qual[0] == "public"
	case 3:
		return qual[2] == s.name && qual[1] == "public"
	}
	return false
}

func undefinedColumn(name string, t *catalog.Table) error {
	e := pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
	if t != nil {
		e.Hint = "attributes not seen when the table was sampled are still readable through the " +
			catalog.ItemColumn + " column, e.g. " + catalog.ItemColumn + "->>'" + lastPart(name) + "'"
	}
	return e
}

func lastPart(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// usedAttrs returns the attribute names of the columns resolved so far, and
// whether the whole item is needed (the _item column was used).
func (s *tableScope) usedAttrs() (attrs []string, whole bool) {
	if s.table == nil {
		return nil, false
	}
	for i, c := range s.table.Columns {
		if !s.used[i] {
			continue
		}
		if c.Source == catalog.SourceItem {
			whole = true
			continue
		}
		attrs = append(attrs, c.Name)
	}
	return attrs, whole
}
