package system

import (
	"hash/fnv"
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Fixed OIDs, as in PostgreSQL 15.
const (
	ownerOID          = 10 // the connected user shows as the bootstrap role
	pgCatalogNS       = 11
	pgToastNS         = 99
	publicNSOID       = 2200
	infoSchemaNS      = 13207 // assigned by initdb; PostgreSQL 15's value
	heapAM            = 2
	btreeAM           = 403
	defaultTablespace = 1663
	globalTablespace  = 1664
	defaultCollation  = 100
	cCollation        = 950
	internalLang      = 12
	pgClassOID        = 1259
	utf8Encoding      = 6
)

// hashOID is a stable OID for a named object that PostgreSQL has no OID for:
// FNV-1a 32 of its kind and name folded into [catalog.FirstTableOID, 2^31),
// the range catalog.TableOID uses. Kinds keep a table, its indexes and its
// constraint apart; "/" cannot occur in DynamoDB table or index names, so
// composed names cannot collide with a table's own.
func hashOID(kind, name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(kind + "/" + name)) // a hash.Hash never returns an error
	return catalog.FirstTableOID + h.Sum32()%(1<<31-catalog.FirstTableOID)
}

// tableObjects is a DynamoDB table and the PostgreSQL objects derived from it.
type tableObjects struct {
	t             *catalog.Table
	oid           uint32
	constraintOID uint32
	indexes       []indexObject // the primary key index first
}

// indexObject is the primary key or a secondary index as a pg_index entry:
// a btree over its key attributes only, as PostgreSQL's equivalent index
// would be (the primary key's unique). What a secondary index projects is
// not a PostgreSQL INCLUDE list — an ALL projection holds attributes no
// column names — so it is told in the index's comment instead.
type indexObject struct {
	oid     uint32
	name    string
	primary bool
	keys    []catalog.Column // key columns, in order: partition key, then sort key
	comment string
}

func pkeyName(t *catalog.Table) string { return t.Name + "_pkey" }

func objectsOf(t *catalog.Table) tableObjects {
	oid := t.OID
	if oid == 0 {
		oid = catalog.TableOID(t.Name)
	}
	o := tableObjects{t: t, oid: oid, constraintOID: hashOID("constraint", t.Name+"/pkey")}
	pk := indexObject{oid: hashOID("index", t.Name+"/#pkey"), name: pkeyName(t), primary: true,
		keys: keyColumns(t, t.PartitionKey, t.SortKey), comment: "DynamoDB primary key"}
	o.indexes = append(o.indexes, pk)
	for _, ix := range t.Indexes {
		kind := "local"
		if ix.Global {
			kind = "global"
		}
		o.indexes = append(o.indexes, indexObject{oid: hashOID("index", t.Name+"/"+ix.Name), name: ix.Name,
			keys:    keyColumns(t, ix.PartitionKey, ix.SortKey),
			comment: "DynamoDB " + kind + " secondary index, projection " + projection(ix)})
	}
	return o
}

// keyColumns are the table columns of a key schema; a key attribute the
// table has no column for (never expected: key attributes always become
// columns) is left out rather than given a bogus attnum.
func keyColumns(t *catalog.Table, pk catalog.KeyAttr, sk *catalog.KeyAttr) []catalog.Column {
	var out []catalog.Column
	if c := t.Column(pk.Name); c != nil {
		out = append(out, *c)
	}
	if sk != nil {
		if c := t.Column(sk.Name); c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// projection describes what a secondary index holds besides its keys and
// the table's: "ALL", "KEYS_ONLY" or "INCLUDE (a, b)".
func projection(ix catalog.Index) string {
	if ix.Projection != "INCLUDE" {
		return ix.Projection
	}
	return "INCLUDE (" + strings.Join(ix.NonKeyAttributes, ", ") + ")"
}

func (o tableObjects) primaryKey() indexObject { return o.indexes[0] }

// Comments are the pg_description texts fazproxy shows for a table and its
// columns and indexes: what COMMENT ON would have to set for a PostgreSQL
// table to describe itself the same way (the demo's reference DDL does).
type Comments struct {
	Table   string
	Columns map[string]string // by column name
	Indexes map[string]string // by index name; the primary key's is <table>_pkey
}

// CommentsOf returns t's comments, as pg_description holds them.
func CommentsOf(t *catalog.Table) Comments {
	o := objectsOf(t)
	c := Comments{Table: o.tableComment(), Columns: map[string]string{}, Indexes: map[string]string{}}
	for _, col := range t.Columns {
		c.Columns[col.Name] = o.columnComment(col)
	}
	for _, ix := range o.indexes {
		c.Indexes[ix.name] = ix.comment
	}
	return c
}

func (o tableObjects) tableComment() string {
	return "DynamoDB table " + o.t.Name + ", status " + o.t.Status
}

// columnComment says where a column comes from (col_description, JDBC's
// REMARKS), which is what a DynamoDB user needs to read a schema-less table.
func (o tableObjects) columnComment(c catalog.Column) string {
	switch c.Source {
	case catalog.SourceKey:
		if c.Name == o.t.PartitionKey.Name {
			return "partition key (" + o.t.PartitionKey.Type + ")"
		}
		if o.t.SortKey != nil && c.Name == o.t.SortKey.Name {
			return "sort key (" + o.t.SortKey.Type + ")"
		}
		return "key attribute"
	case catalog.SourceIndexKey:
		var in []string
		for _, ix := range o.t.Indexes {
			if ix.PartitionKey.Name == c.Name || (ix.SortKey != nil && ix.SortKey.Name == c.Name) {
				in = append(in, ix.Name)
			}
		}
		return "key of index " + strings.Join(in, ", ")
	case catalog.SourceDeclared:
		return "declared in faz.yaml"
	case catalog.SourceSampled:
		return "inferred by sampling items"
	}
	return "the whole DynamoDB item"
}

// attnums returns the attnums of cols.
func attnums(cols []catalog.Column) []int16 {
	out := make([]int16, len(cols))
	for i, c := range cols {
		out[i] = c.AttNum
	}
	return out
}

// defaultOpclass is the default btree operator class of a key column's type
// (DynamoDB keys are text, numeric or bytea); 0 when there is none.
func defaultOpclass(t sqltypes.OID) uint32 {
	if t == sqltypes.Varchar {
		t = sqltypes.Text // varchar is binary-coercible to text and uses text_ops
	}
	for _, c := range opclasses() {
		if c.intype == t {
			return c.oid
		}
	}
	return 0
}
