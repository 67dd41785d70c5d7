package translate

import (
	"context"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// planCreateTable plans CREATE TABLE t (pk text, sk numeric, ..., PRIMARY
// KEY (pk[, sk])) → CreateTable, PAY_PER_REQUEST. Only the key attributes
// are defined (DynamoDB is schemaless): other columns are dropped with a
// NOTICE. Needs admin.
func (p *Planner) planCreateTable(_ context.Context, cs *pg_query.CreateStmt) (*Plan, error) {
	rv := cs.Relation
	switch {
	case rv.Relpersistence == "t":
		return nil, pgerr.Unsupported("CREATE TEMPORARY TABLE", "")
	case rv.Schemaname != "" && rv.Schemaname != "public":
		return nil, pgerr.New(pgerr.InvalidSchemaName, "cannot create table in schema %q", rv.Schemaname).
			WithHint("DynamoDB tables are in schema public")
	case len(cs.InhRelations) > 0 || cs.Partspec != nil || cs.OfTypename != nil:
		return nil, pgerr.Unsupported("CREATE TABLE with INHERITS, PARTITION or OF", "")
	}
	types := map[string]string{}
	var order, pkCols []string
	for _, el := range cs.TableElts {
		switch {
		case el.GetColumnDef() != nil:
			cd := el.GetColumnDef()
			types[cd.Colname] = keyTypeOf(cd.TypeName)
			order = append(order, cd.Colname)
			for _, c := range cd.Constraints {
				if k := c.GetConstraint(); k != nil && k.Contype == pg_query.ConstrType_CONSTR_PRIMARY {
					pkCols = append(pkCols, cd.Colname)
				}
			}
		case el.GetConstraint() != nil && el.GetConstraint().Contype == pg_query.ConstrType_CONSTR_PRIMARY:
			if len(pkCols) > 0 {
				return nil, pgerr.New("42P16", "multiple primary keys for table %q are not allowed", rv.Relname)
			}
			pkCols = fieldNames(el.GetConstraint().Keys)
		case el.GetConstraint() != nil:
			return nil, pgerr.Unsupported("table constraints other than PRIMARY KEY", "DynamoDB enforces only the primary key")
		default:
			return nil, pgerr.Unsupported("this CREATE TABLE element", "")
		}
	}
	if len(pkCols) == 0 || len(pkCols) > 2 {
		return nil, pgerr.Unsupported("CREATE TABLE without a PRIMARY KEY of one or two columns",
			"declare PRIMARY KEY (partition_key) or PRIMARY KEY (partition_key, sort_key)")
	}
	keys := make([]catalog.KeyAttr, len(pkCols))
	for i, c := range pkCols {
		t, ok := types[c]
		switch {
		case !ok:
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q named in key does not exist", c)
		case t == "":
			return nil, pgerr.Unsupported("this type for key column "+quoteIdent(c),
				"a key attribute is text (S), numeric (N) or bytea (B)")
		}
		keys[i] = catalog.KeyAttr{Name: c, Type: t}
	}
	n := &engine.DDL{Kind: "CREATE TABLE", Table: rv.Relname, PK: &keys[0], IfNotExists: cs.IfNotExists,
		Invalidate: p.Catalog.Invalidate}
	if len(keys) == 2 {
		n.SK = &keys[1]
	}
	for _, c := range order {
		if !isKeyName(c, pkCols) {
			n.Ignored = append(n.Ignored, c)
		}
	}
	return &Plan{Root: n, Needs: []policy.Need{{Table: rv.Relname, Class: policy.Admin}}}, nil
}

func isKeyName(c string, keys []string) bool {
	for _, k := range keys {
		if k == c {
			return true
		}
	}
	return false
}

// keyTypeOf maps a declared SQL type to the DynamoDB key type: "" when no
// key can have it.
func keyTypeOf(tn *pg_query.TypeName) string {
	if tn == nil || len(tn.ArrayBounds) > 0 {
		return ""
	}
	names := fieldNames(tn.Names)
	if len(names) == 0 {
		return ""
	}
	switch strings.ToLower(names[len(names)-1]) {
	case "text", "varchar", "bpchar", "char", "character", "character varying", "uuid", "name":
		return "S"
	case "numeric", "decimal", "int2", "int4", "int8", "int", "integer", "smallint", "bigint",
		"float4", "float8", "real", "double precision", "float":
		return "N"
	case "bytea":
		return "B"
	}
	return ""
}

// columnKeyType maps a known column's SQL type to a key type.
func columnKeyType(t sqltypes.OID) string {
	switch t {
	case sqltypes.Text, sqltypes.Varchar, sqltypes.UUID:
		return "S"
	case sqltypes.Numeric, sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8:
		return "N"
	case sqltypes.Bytea:
		return "B"
	}
	return ""
}

// planCreateIndex plans CREATE INDEX name ON t (a[, b]) → UpdateTable
// creating a GSI with projection ALL. A column the catalog does not know
// yet is taken as text (S). Needs admin.
func (p *Planner) planCreateIndex(ctx context.Context, ix *pg_query.IndexStmt) (*Plan, error) {
	switch {
	case ix.Unique:
		return nil, pgerr.Unsupported("CREATE UNIQUE INDEX", "DynamoDB indexes do not enforce uniqueness")
	case ix.WhereClause != nil:
		return nil, pgerr.Unsupported("partial indexes", "a GSI already holds only the items that have its key attributes")
	case len(ix.IndexParams) == 0 || len(ix.IndexParams) > 2:
		return nil, pgerr.Unsupported("an index of other than one or two columns", "a GSI has a partition key and an optional sort key")
	case ix.AccessMethod != "" && ix.AccessMethod != "btree":
		return nil, pgerr.Unsupported("index method "+ix.AccessMethod, "")
	}
	t, err := p.Catalog.Table(ctx, ix.Relation.Relname)
	if err != nil {
		return nil, err
	}
	keys := make([]catalog.KeyAttr, len(ix.IndexParams))
	names := make([]string, len(ix.IndexParams))
	for i, n := range ix.IndexParams {
		ie := n.GetIndexElem()
		if ie == nil || ie.Name == "" {
			return nil, pgerr.Unsupported("indexes on expressions", "index a column")
		}
		kt := "S"
		if c := t.Column(ie.Name); c != nil {
			if kt = columnKeyType(c.Type); kt == "" {
				return nil, pgerr.Unsupported("an index key of type "+sqltypes.TypeName(c.Type),
					"an index key attribute is text (S), numeric (N) or bytea (B)")
			}
		}
		keys[i], names[i] = catalog.KeyAttr{Name: ie.Name, Type: kt}, ie.Name
	}
	name := ix.Idxname
	if name == "" {
		name = t.Name + "_" + strings.Join(names, "_") + "_idx" // PostgreSQL's default name
	}
	for _, existing := range t.Indexes {
		if existing.Name == name {
			if ix.IfNotExists {
				n := &engine.DDL{Kind: "CREATE INDEX", Table: t.Name, Index: name,
					Skip: "relation \"" + name + "\" already exists, skipping"}
				return &Plan{Root: n, Needs: []policy.Need{{Table: t.Name, Class: policy.Admin}}}, nil
			}
			return nil, pgerr.New(pgerr.DuplicateTable, "relation %q already exists", name)
		}
	}
	n := &engine.DDL{Kind: "CREATE INDEX", Table: t.Name, Index: name, PK: &keys[0], Invalidate: p.Catalog.Invalidate}
	if len(keys) == 2 {
		n.SK = &keys[1]
	}
	return &Plan{Root: n, Needs: []policy.Need{{Table: t.Name, Class: policy.Admin}}}, nil
}

// planDrop plans DROP TABLE [IF EXISTS] t → DeleteTable. Other DROPs are
// 0A000, naming what was asked.
func (p *Planner) planDrop(d *pg_query.DropStmt) (*Plan, error) {
	if d.RemoveType != pg_query.ObjectType_OBJECT_TABLE {
		what := strings.TrimPrefix(d.RemoveType.String(), "OBJECT_")
		return nil, pgerr.Unsupported("DROP "+strings.ReplaceAll(what, "_", " "), "fazproxy drops tables only (DROP TABLE)")
	}
	if len(d.Objects) != 1 {
		return nil, pgerr.Unsupported("DROP TABLE of several tables", "drop one table per statement")
	}
	names := fieldNames(d.Objects[0].GetList().GetItems())
	if len(names) == 0 || len(names) > 2 || (len(names) == 2 && names[0] != "public") {
		return nil, pgerr.New(pgerr.UndefinedTable, "table %q does not exist", strings.Join(names, "."))
	}
	table := names[len(names)-1]
	n := &engine.DDL{Kind: "DROP TABLE", Table: table, IfExists: d.MissingOk, Invalidate: p.Catalog.Invalidate}
	return &Plan{Root: n, Needs: []policy.Need{{Table: table, Class: policy.Admin}}}, nil
}
