package translate

import (
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// rangeEntry is one FROM item as column names see it. The rows of a FROM
// clause are the rows of its items side by side, left to right: an entry's
// columns start at off in the joined row.
type rangeEntry struct {
	alias    string // the name the query refers to it by (alias or relation name)
	hasAlias bool   // an alias hides the relation's own name
	schema   string // "public", "pg_catalog" ...; "" for subqueries, VALUES ...
	relname  string
	cols     []sqltypes.Column
	table    *catalog.Table // a DynamoDB table; nil otherwise
	off      int
	used     map[int]bool // columns resolved so far (what to project)

	// A merged entry holds the columns of JOIN ... USING/NATURAL, visible
	// only unqualified; each is the column of one side (aliasIdx, aliasOf),
	// and hides the same-named columns of the entries it covers.
	merged   bool
	aliasIdx []int
	aliasOf  []*rangeEntry
	covers   map[*rangeEntry]bool
	// full holds, for FULL JOIN USING, each column's two sides (indexes in
	// the FROM row); its columns are then computed ones at off.
	full [][2]*expr.ColRef
}

func newEntry(alias string, cols []sqltypes.Column) *rangeEntry {
	return &rangeEntry{alias: alias, cols: cols, used: map[int]bool{}}
}

func (e *rangeEntry) column(name string) int {
	for i, c := range e.cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

func (e *rangeEntry) matches(qual []string) bool {
	if e.merged {
		return false
	}
	switch len(qual) {
	case 1:
		return qual[0] == e.alias
	case 2:
		return !e.hasAlias && e.schema != "" && qual[0] == e.schema && qual[1] == e.relname
	case 3:
		return !e.hasAlias && e.schema != "" && qual[1] == e.schema && qual[2] == e.relname
	}
	return false
}

// usedAttrs returns the attribute names of the table columns resolved so
// far, and whether the whole item is needed (the _item column was used).
func (e *rangeEntry) usedAttrs() (attrs []string, whole bool) {
	for i, c := range e.table.Columns {
		if !e.used[i] {
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

// relScope resolves column names at one query level against some of its
// FROM entries, each shifted so that indexes are relative to the row being
// evaluated (the whole FROM row, one side of a join, or one item). A name
// not found goes to parent, the enclosing level, one Depth further out.
type relScope struct {
	entries []*rangeEntry
	shift   int
	parent  expr.Scope
	// outerHit, when set, records that a name resolved in parent: the
	// expression is correlated.
	outerHit *bool
	// refs, when set, collects the entries names resolved to at this level.
	refs map[*rangeEntry]bool
}

var _ expr.Scope = (*relScope)(nil)

func (s *relScope) ResolveColumn(names []string) (*expr.ColRef, error) {
	col := names[len(names)-1]
	qual := names[:len(names)-1]
	var (
		ref *expr.ColRef
		err error
	)
	if len(qual) > 0 {
		ref, err = s.resolveQualified(qual, col)
	} else {
		ref, err = s.resolveUnqualified(col)
	}
	if ref != nil || err != nil {
		return ref, err
	}
	if s.parent != nil {
		out, err := s.parent.ResolveColumn(names)
		if err != nil {
			return nil, err
		}
		c := *out
		c.Depth++
		if s.outerHit != nil {
			*s.outerHit = true
		}
		return &c, nil
	}
	if len(qual) > 0 {
		return nil, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", qual[len(qual)-1])
	}
	return nil, undefinedColumn(strings.Join(names, "."), s.onlyTable())
}

// onlyTable is the DynamoDB table of a scope holding just one, for the hint
// of an unknown column.
func (s *relScope) onlyTable() *catalog.Table {
	var t *catalog.Table
	for _, e := range s.entries {
		if e.table != nil {
			if t != nil {
				return nil
			}
			t = e.table
		}
	}
	return t
}

func (s *relScope) resolveQualified(qual []string, col string) (*expr.ColRef, error) {
	for _, e := range s.entries {
		if !e.matches(qual) {
			continue
		}
		i := e.column(col)
		if i < 0 {
			return nil, undefinedColumn(strings.Join(append(append([]string(nil), qual...), col), "."), e.table)
		}
		return s.ref(e, i), nil
	}
	return nil, nil
}

func (s *relScope) resolveUnqualified(col string) (*expr.ColRef, error) {
	var cands []*rangeEntry
	for _, e := range s.entries {
		if e.column(col) >= 0 {
			cands = append(cands, e)
		}
	}
	// a USING column hides the columns it merges
	var keep []*rangeEntry
	for _, c := range cands {
		hidden := false
		for _, m := range cands {
			if m != c && m.merged && m.covers[c] {
				hidden = true
			}
		}
		if !hidden {
			keep = append(keep, c)
		}
	}
	switch len(keep) {
	case 0:
		return nil, nil
	case 1:
		return s.ref(keep[0], keep[0].column(col)), nil
	}
	return nil, pgerr.New(pgerr.AmbiguousColumn, "column reference %q is ambiguous", col)
}

func (s *relScope) ref(e *rangeEntry, i int) *expr.ColRef {
	c := e.cols[i]
	if e.merged {
		src := e.aliasOf[i]
		src.used[e.aliasIdx[i]-src.off] = true
		if s.refs != nil {
			s.refs[src] = true
		}
		return &expr.ColRef{Index: e.aliasIdx[i] - s.shift, Name: c.Name, T: c.Type}
	}
	e.used[i] = true
	if s.refs != nil {
		s.refs[e] = true
	}
	return &expr.ColRef{Index: e.off + i - s.shift, Table: e.alias, Name: c.Name, T: c.Type}
}

// star expands * (qual nil) or qual.* into targets, PostgreSQL's way: USING
// columns once, first, then every other column of each item in order.
func (s *relScope) star(qual []string) ([]target, error) {
	var out []target
	add := func(e *rangeEntry, skip map[string]bool) {
		for i, c := range e.cols {
			if !skip[c.Name] {
				out = append(out, target{name: c.Name, e: s.ref(e, i)})
			}
		}
	}
	if len(qual) > 0 {
		for _, e := range s.entries {
			if e.matches(qual) {
				add(e, nil)
				return out, nil
			}
		}
		return nil, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", qual[len(qual)-1])
	}
	done := map[*rangeEntry]bool{}
	for _, e := range s.entries {
		if e.merged {
			continue
		}
		skip := map[string]bool{}
		for _, m := range s.mergedCovering(e) {
			if !done[m] {
				done[m] = true
				add(m, nil)
			}
			for _, c := range m.cols {
				skip[c.Name] = true
			}
		}
		add(e, skip)
	}
	if len(out) == 0 && len(s.entries) == 0 {
		return nil, pgerr.New(pgerr.SyntaxError, "SELECT * with no tables specified is not valid")
	}
	return out, nil
}

// mergedCovering lists the USING entries covering e, outermost first.
func (s *relScope) mergedCovering(e *rangeEntry) []*rangeEntry {
	var ms []*rangeEntry
	for i := len(s.entries) - 1; i >= 0; i-- {
		if m := s.entries[i]; m.merged && m.covers[e] {
			ms = append(ms, m)
		}
	}
	return ms
}

// columnOrigin returns the table OID and attribute number of a plain column
// reference of the FROM row, for RowDescription.
func (s *relScope) columnOrigin(ref *expr.ColRef) (uint32, int16) {
	if ref.Depth != 0 {
		return 0, 0
	}
	for _, e := range s.entries {
		if e.merged || ref.Index < e.off || ref.Index >= e.off+len(e.cols) {
			continue
		}
		c := e.cols[ref.Index-e.off]
		if e.table != nil {
			return e.table.OID, c.AttNum
		}
		return c.TableOID, c.AttNum
	}
	return 0, 0
}
