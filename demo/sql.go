package demo

import (
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Column is one column of a demo table as a real PostgreSQL holds it.
type Column struct {
	Name string
	Type string // PostgreSQL type name: text, numeric, bytea, boolean, jsonb, text[], numeric[], bytea[]
	Key  bool   // part of the table's primary key (NOT NULL)
}

// ItemColumn is the name of the last column, holding the whole item as jsonb.
const ItemColumn = "_item"

// PGType returns the PostgreSQL type that spec/types.md maps a DynamoDB type
// to ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"), or "" for NULL.
func PGType(dynamoType string) string {
	switch dynamoType {
	case "S":
		return "text"
	case "N":
		return "numeric"
	case "B":
		return "bytea"
	case "BOOL":
		return "boolean"
	case "M", "L":
		return "jsonb"
	case "SS":
		return "text[]"
	case "NS":
		return "numeric[]"
	case "BS":
		return "bytea[]"
	}
	return ""
}

// TypeOf returns the DynamoDB type name of an attribute value ("S", "N", ...).
func TypeOf(av types.AttributeValue) string { return sqltypes.AttributeKind(av) }

// Columns returns the table's columns exactly as fazproxy's catalog lays
// them out when it samples every item (catalog.Describe over the table's
// DescribeTable answer and catalog.InferTypes of its items): the table's key
// attributes, then the key attributes of its secondary indexes taken in
// index-name order (GSIs and LSIs together), then every other attribute by
// name, then _item. An attribute seen with more than one DynamoDB type
// (NULL aside) is jsonb, as spec/types.md says for sampled columns. Sharing
// the rule keeps the reference PostgreSQL's column positions (SELECT *,
// attnum, ordinal_position) equal to fazproxy's.
func (t Table) Columns() []Column {
	ct := t.catalogTable()
	cols := make([]Column, len(ct.Columns))
	for i, c := range ct.Columns {
		cols[i] = Column{Name: c.Name, Type: sqltypes.TypeName(c.Type), Key: c.Source == catalog.SourceKey}
	}
	return cols
}

// catalogTable is the table as fazproxy's catalog presents it after
// sampling every item.
func (t Table) catalogTable() *catalog.Table {
	ct, err := catalog.Describe(t.Name, t.description(), nil, catalog.InferTypes(t.Items))
	if err != nil {
		// The demo tables are static data: a key schema the catalog
		// rejects is a bug in this package, not a run-time condition.
		panic(fmt.Sprintf("demo: table %s: %v", t.Name, err))
	}
	return ct
}

// description is the DescribeTable answer for the table once created: its
// CreateTable request's keys, attribute definitions and indexes.
func (t Table) description() *types.TableDescription {
	in := t.CreateInput()
	d := &types.TableDescription{
		TableName:            in.TableName,
		KeySchema:            in.KeySchema,
		AttributeDefinitions: in.AttributeDefinitions,
		TableStatus:          types.TableStatusActive,
	}
	for _, g := range in.GlobalSecondaryIndexes {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, types.GlobalSecondaryIndexDescription{
			IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection})
	}
	for _, l := range in.LocalSecondaryIndexes {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, types.LocalSecondaryIndexDescription{
			IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection})
	}
	return d
}

// PostgresSQL returns SQL that creates the demo tables in a real PostgreSQL
// and inserts the same rows: columns in fazproxy's order (see Columns) with
// types per spec/types.md, key columns NOT NULL and PRIMARY KEY, an index per
// secondary index over its key attributes, the comments fazproxy shows
// (COMMENT ON, from system.CommentsOf), a missing attribute as NULL, and
// _item holding the whole item as jsonb (see ItemJSON). Run it with
// the simple query protocol (it holds many statements) in a UTF8 database; with
// --locale=C text sorts bytewise, as DynamoDB sorts strings.
func PostgresSQL() string {
	var b strings.Builder
	b.WriteString("-- fazproxy demo data set (package demo); generated, do not edit\n")
	b.WriteString("SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n")
	for _, t := range Tables() {
		writeTableSQL(&b, t)
	}
	b.WriteString("ANALYZE;\n")
	return b.String()
}

func writeTableSQL(b *strings.Builder, t Table) {
	cols := t.Columns()
	fmt.Fprintf(b, "\nDROP TABLE IF EXISTS %s;\nCREATE TABLE %s (\n", quoteIdent(t.Name), quoteIdent(t.Name))
	for _, c := range cols {
		fmt.Fprintf(b, "    %s %s", quoteIdent(c.Name), c.Type)
		if c.Key {
			b.WriteString(" NOT NULL")
		}
		b.WriteString(",\n")
	}
	pk := []string{quoteIdent(t.PartitionKey.Name)}
	if t.SortKey != nil {
		pk = append(pk, quoteIdent(t.SortKey.Name))
	}
	fmt.Fprintf(b, "    PRIMARY KEY (%s)\n);\n", strings.Join(pk, ", "))
	for _, ix := range t.Indexes {
		keys := []string{quoteIdent(ix.PartitionKey.Name)}
		if ix.SortKey != nil {
			keys = append(keys, quoteIdent(ix.SortKey.Name))
		}
		fmt.Fprintf(b, "CREATE INDEX %s ON %s (%s);\n", quoteIdent(ix.Name), quoteIdent(t.Name), strings.Join(keys, ", "))
	}
	writeComments(b, t, cols)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.Name)
	}
	const perInsert = 100
	for start := 0; start < len(t.Items); start += perInsert {
		end := min(start+perInsert, len(t.Items))
		fmt.Fprintf(b, "INSERT INTO %s (%s) VALUES\n", quoteIdent(t.Name), strings.Join(names, ", "))
		for i, it := range t.Items[start:end] {
			b.WriteString("  (")
			for j, c := range cols {
				if j > 0 {
					b.WriteString(", ")
				}
				if c.Name == ItemColumn {
					b.WriteString(quoteLiteral(ItemJSON(it)) + "::jsonb")
					continue
				}
				b.WriteString(sqlValue(it[c.Name], c.Type))
			}
			if start+i+1 < end {
				b.WriteString("),\n")
			} else {
				b.WriteString(");\n")
			}
		}
	}
}

// writeComments sets the comments fazproxy's pg_description holds for the
// table, its columns and its indexes, so clients reading them (SQLAlchemy's
// column comments, JDBC's REMARKS, psql's \d+) see the same on both servers.
func writeComments(b *strings.Builder, t Table, cols []Column) {
	c := system.CommentsOf(t.catalogTable())
	fmt.Fprintf(b, "COMMENT ON TABLE %s IS %s;\n", quoteIdent(t.Name), quoteLiteral(c.Table))
	for _, col := range cols {
		fmt.Fprintf(b, "COMMENT ON COLUMN %s.%s IS %s;\n", quoteIdent(t.Name), quoteIdent(col.Name), quoteLiteral(c.Columns[col.Name]))
	}
	for _, name := range slices.Sorted(maps.Keys(c.Indexes)) {
		fmt.Fprintf(b, "COMMENT ON INDEX %s IS %s;\n", quoteIdent(name), quoteLiteral(c.Indexes[name]))
	}
}

// sqlValue renders one attribute value as a SQL literal of the column's type.
func sqlValue(av types.AttributeValue, colType string) string {
	if av == nil {
		return "NULL"
	}
	if _, ok := av.(*types.AttributeValueMemberNULL); ok {
		return "NULL"
	}
	if colType == "jsonb" {
		return quoteLiteral(AttrJSON(av)) + "::jsonb"
	}
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return quoteLiteral(v.Value)
	case *types.AttributeValueMemberN:
		return numericLiteral(v.Value)
	case *types.AttributeValueMemberB:
		return byteaLiteral(v.Value)
	case *types.AttributeValueMemberBOOL:
		if v.Value {
			return "true"
		}
		return "false"
	case *types.AttributeValueMemberSS:
		parts := make([]string, len(v.Value))
		for i, s := range v.Value {
			parts[i] = quoteLiteral(s)
		}
		return "ARRAY[" + strings.Join(parts, ", ") + "]::text[]"
	case *types.AttributeValueMemberNS:
		parts := make([]string, len(v.Value))
		for i, s := range v.Value {
			parts[i] = numericLiteral(s)
		}
		return "ARRAY[" + strings.Join(parts, ", ") + "]::numeric[]"
	case *types.AttributeValueMemberBS:
		parts := make([]string, len(v.Value))
		for i, x := range v.Value {
			parts[i] = byteaLiteral(x)
		}
		return "ARRAY[" + strings.Join(parts, ", ") + "]::bytea[]"
	}
	panic(fmt.Sprintf("demo: no SQL literal for %T in a %s column", av, colType))
}

func numericLiteral(s string) string {
	for _, c := range s {
		if !strings.ContainsRune("0123456789.-+eE", c) {
			panic(fmt.Sprintf("demo: bad number %q", s))
		}
	}
	return "'" + s + "'::numeric"
}

func byteaLiteral(b []byte) string { return `'\x` + hex.EncodeToString(b) + `'::bytea` }

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string {
	plain := s != ""
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
		}
	}
	if plain && !reservedWord(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func reservedWord(s string) bool {
	switch s {
	case "all", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate", "column",
		"constraint", "create", "default", "desc", "distinct", "do", "else", "end", "false", "for", "foreign",
		"from", "grant", "group", "having", "in", "into", "is", "join", "leading", "limit", "not", "null",
		"offset", "on", "only", "or", "order", "primary", "references", "select", "table", "then", "to",
		"trailing", "true", "union", "unique", "user", "using", "when", "where", "with":
		return true
	}
	return false
}

// ItemJSON renders a whole item exactly as fazproxy's _item column holds it
// (sqltypes.ItemToJSON in jsonb's text form), so the reference PostgreSQL
// and fazproxy share one encoding: sets sorted, numbers with DynamoDB's
// exact text, binaries as base64.
func ItemJSON(item Item) string { return jsonbText(sqltypes.ItemToJSON(item)) }

// AttrJSON renders one attribute value as a jsonb column holds it (M and L
// columns).
func AttrJSON(av types.AttributeValue) string {
	v, err := sqltypes.FromAttribute(av, sqltypes.Jsonb)
	if err != nil {
		panic(fmt.Sprintf("demo: attribute %s as jsonb: %v", TypeOf(av), err)) // the demo data is ours: a bug
	}
	return jsonbText(v)
}

func jsonbText(v sqltypes.Value) string {
	b, err := sqltypes.EncodeText(v, sqltypes.Jsonb)
	if err != nil {
		panic(fmt.Sprintf("demo: jsonb text: %v", err)) // every JSON value has a text form
	}
	return string(b)
}
