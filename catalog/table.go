// Package catalog serves table metadata: DynamoDB tables from ListTables and
// DescribeTable (cached, refreshed on a TTL and after DDL), their SQL columns
// (keys, index keys, declared in faz.yaml, inferred by sampling, and _item), and
// later the virtual pg_catalog and information_schema relations built from them.
package catalog

import (
	"context"
	"time"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// KeyAttr is one key attribute: its name and DynamoDB scalar type "S", "N" or "B".
type KeyAttr struct {
	Name string
	Type string
}

// Index is a secondary index.
type Index struct {
	Name         string
	Global       bool // GSI (true) or LSI
	PartitionKey KeyAttr
	SortKey      *KeyAttr // nil when the index has none
	// Projection is "ALL", "KEYS_ONLY" or "INCLUDE"; NonKeyAttributes lists the
	// INCLUDE attributes. Table keys are always projected.
	Projection       string
	NonKeyAttributes []string
}

// ColumnSource says where a column came from (types.md orders them this way).
type ColumnSource int

const (
	SourceKey      ColumnSource = iota // table key attribute
	SourceIndexKey                     // key attribute of a secondary index
	SourceDeclared                     // faz.yaml tables.<t>.columns
	SourceSampled                      // inferred by sampling items
	SourceItem                         // the trailing _item jsonb column
)

// Column is one SQL column of a table.
type Column struct {
	Name    string // attribute name (also the SQL column name)
	Type    sqltypes.OID
	AttNum  int16 // 1-based position
	Source  ColumnSource
	NotNull bool // table key attributes
}

// ItemColumn is the name of the trailing column holding the whole item.
const ItemColumn = "_item"

// Table is the metadata of one DynamoDB table as SQL sees it.
type Table struct {
	Name         string
	OID          uint32 // stable: derived from the name
	PartitionKey KeyAttr
	SortKey      *KeyAttr
	Indexes      []Index
	Columns      []Column // keys, index keys, declared, sampled, then _item
	Status       string   // ACTIVE, CREATING ...
	ItemCount    int64
	SizeBytes    int64
	CreatedAt    time.Time
	FetchedAt    time.Time // when DescribeTable was read
	// SampleCapacityUnits is the read capacity the column-sampling Scan
	// consumed when this metadata was loaded (0 when not sampled).
	SampleCapacityUnits float64
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Source is what the planner and session read tables from.
type Source interface {
	// TableNames lists the tables of the database (ListTables, cached).
	TableNames(ctx context.Context) ([]string, error)
	// Table returns a table's metadata (DescribeTable, cached); 42P01 when it
	// does not exist.
	Table(ctx context.Context, name string) (*Table, error)
	// Invalidate drops cached metadata for name (after DDL), or all when "".
	Invalidate(name string)
}
