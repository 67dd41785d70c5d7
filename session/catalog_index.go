package session

import (
	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// arraySubscriptHandler is pg_type.typsubscript of true array types.
const arraySubscriptHandler = 6179

// catalogRows is one system relation's rows with its column positions.
type catalogRows struct {
	rows []sqltypes.Row
	col  map[string]int
}

func (r catalogRows) get(row sqltypes.Row, name string) sqltypes.Value { return row[r.col[name]] }

func (r catalogRows) str(row sqltypes.Row, name string) string {
	s, _ := r.get(row, name).(string)
	return s
}

// readRelation computes the rows of pg_catalog.name for this statement: the
// same rows a query on the relation would see.
func (c *stmtCatalog) readRelation(name string) (catalogRows, error) {
	rel, ok := c.s.backend.system.Lookup("pg_catalog", name)
	if !ok {
		return catalogRows{}, pgerr.New(pgerr.InternalError, "system relation pg_catalog.%s is missing", name)
	}
	rows, err := rel.Rows(c.ctx, c)
	if err != nil {
		return catalogRows{}, pgerr.Wrap(err, pgerr.CodeOf(err), "reading pg_catalog.%s", name)
	}
	out := catalogRows{rows: rows, col: make(map[string]int, len(rel.Columns))}
	for i, col := range rel.Columns {
		out.col[col.Name] = i
	}
	return out, nil
}

// buildIndex reads the catalog relations the catalog functions look at.
// Without tables it reads only those that never touch DynamoDB (schemas,
// types, functions), so ::regtype and to_regtype cost no DynamoDB call.
func buildIndex(c *stmtCatalog, withTables bool) (*catalogIndex, error) {
	ix := &catalogIndex{
		rels: map[uint32]expr.RelationInfo{}, relByName: map[string]uint32{},
		types: map[uint32]expr.TypeInfo{}, typeByName: map[string]uint32{},
		funcs: map[uint32]expr.FunctionInfo{}, funcByName: map[string][]uint32{},
		comments: map[commentKey]string{},
	}
	steps := []func(*stmtCatalog, *catalogIndex) error{indexNamespaces, indexTypes, indexFunctions}
	if withTables {
		steps = append(steps, indexRelations, indexColumns, indexComments)
	}
	for _, step := range steps {
		if err := step(c, ix); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

func indexNamespaces(c *stmtCatalog, ix *catalogIndex) error {
	ns, err := c.readRelation("pg_namespace")
	if err != nil {
		return err
	}
	for _, row := range ns.rows {
		ix.namespaces = append(ix.namespaces, expr.NamespaceInfo{OID: oidValue(ns.get(row, "oid")), Name: ns.str(row, "nspname")})
	}
	return nil
}

func indexRelations(c *stmtCatalog, ix *catalogIndex) error {
	classes, err := c.readRelation("pg_class")
	if err != nil {
		return err
	}
	schemas := map[uint32]string{}
	for _, n := range ix.namespaces {
		schemas[n.OID] = n.Name
	}
	tables, err := c.Tables(c.ctx)
	if err != nil {
		return err
	}
	byName := map[string]*catalog.Table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	for _, row := range classes.rows {
		r := expr.RelationInfo{OID: oidValue(classes.get(row, "oid")), Name: classes.str(row, "relname"),
			Schema: schemas[oidValue(classes.get(row, "relnamespace"))]}
		if k := classes.str(row, "relkind"); k != "" {
			r.Kind = k[0]
		}
		if t, ok := byName[r.Name]; ok && r.Schema == "public" && r.Kind == 'r' {
			r.Size = t.SizeBytes
		}
		ix.rels[r.OID] = r
		ix.relByName[r.Schema+"."+r.Name] = r.OID
	}
	return nil
}

func indexColumns(c *stmtCatalog, ix *catalogIndex) error {
	attrs, err := c.readRelation("pg_attribute")
	if err != nil {
		return err
	}
	for _, row := range attrs.rows {
		rel, ok := ix.rels[oidValue(attrs.get(row, "attrelid"))]
		n, _ := attrs.get(row, "attnum").(int64)
		if !ok || n < 1 {
			continue
		}
		for len(rel.Columns) < int(n) {
			rel.Columns = append(rel.Columns, "")
		}
		rel.Columns[n-1] = attrs.str(row, "attname")
		ix.rels[rel.OID] = rel
	}
	return nil
}

func indexTypes(c *stmtCatalog, ix *catalogIndex) error {
	types, err := c.readRelation("pg_type")
	if err != nil {
		return err
	}
	for _, row := range types.rows {
		t := expr.TypeInfo{OID: oidValue(types.get(row, "oid")), Name: types.str(row, "typname"),
			ArrayType: oidValue(types.get(row, "typarray"))}
		// Only true arrays print as elem[] (int2vector, oidvector and name
		// have an element type too, but are not arrays to format_type).
		if oidValue(types.get(row, "typsubscript")) == arraySubscriptHandler && types.str(row, "typstorage") != "p" {
			t.Elem = oidValue(types.get(row, "typelem"))
		}
		ix.types[t.OID] = t
		ix.typeByName[t.Name] = t.OID
	}
	return nil
}

func indexFunctions(c *stmtCatalog, ix *catalogIndex) error {
	procs, err := c.readRelation("pg_proc")
	if err != nil {
		return err
	}
	for _, row := range procs.rows {
		f := expr.FunctionInfo{OID: oidValue(procs.get(row, "oid")), Name: procs.str(row, "proname")}
		if a, ok := procs.get(row, "proargtypes").(sqltypes.Array); ok {
			for _, item := range a.Items {
				f.Args = append(f.Args, oidValue(item))
			}
		}
		ix.funcs[f.OID] = f
		ix.funcByName[f.Name] = append(ix.funcByName[f.Name], f.OID)
	}
	return nil
}

func indexComments(c *stmtCatalog, ix *catalogIndex) error {
	for _, rel := range []struct {
		name   string
		shared bool
	}{{"pg_description", false}, {"pg_shdescription", true}} {
		d, err := c.readRelation(rel.name)
		if err != nil {
			return err
		}
		for _, row := range d.rows {
			var sub int64 // pg_shdescription has no objsubid
			if _, ok := d.col["objsubid"]; ok {
				sub, _ = d.get(row, "objsubid").(int64)
			}
			k := commentKey{oidValue(d.get(row, "objoid")), oidValue(d.get(row, "classoid")), int32(sub), rel.shared}
			ix.comments[k] = d.str(row, "description")
		}
	}
	return nil
}
