package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
)

// The catalog queries of `describe`; $1 is the table name, bound as a
// parameter like any client's.
const (
	columnsSQL = `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`
	tableKeysSQL = `SELECT column_name, ordinal_position FROM information_schema.key_column_usage
WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`
	indexesSQL = `SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename = $1 ORDER BY indexname`
)

// description is what `describe` shows of one table.
type description struct {
	table   string
	columns *resultSet // column, type, nullable, key
	indexes [][2]string
}

// runDescribe implements `fazproxy describe TABLE`: the table's columns
// (declared, key and sampled ones, with their SQL types) and its indexes,
// as the user's session sees them.
func runDescribe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o cliOptions
	fs := newCLIFlags("fazproxy describe", stderr, &o)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: fazproxy describe TABLE [--database NAME] [--format table|json|csv] [--user U] [--config faz.yaml]")
		return errUsage
	}
	if err := o.validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	cs, err := openCLISession(ctx, o, "fazproxy describe", stderr)
	if err != nil {
		return err
	}
	defer cs.close()
	d, err := cs.describe(ctx, pos[0])
	if err != nil {
		return err
	}
	return writeDescription(stdout, stderr, o.format, d)
}

func (cs *cliSession) describe(ctx context.Context, table string) (*description, error) {
	param := [][]byte{[]byte(table)}
	cols, err := cs.queryOne(ctx, columnsSQL, param)
	if err != nil {
		return nil, err
	}
	if len(cols.rows) == 0 {
		// A table the user may not see is reported like a missing one, as
		// the server's catalog does.
		return nil, cs.fail(pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", table).
			WithHint("fazproxy tables lists the tables you may use"))
	}
	keys, err := cs.queryOne(ctx, tableKeysSQL, param)
	if err != nil {
		return nil, err
	}
	idx, err := cs.queryOne(ctx, indexesSQL, param)
	if err != nil {
		return nil, err
	}
	d := &description{table: table, columns: describeColumns(cols, keys)}
	for _, r := range idx.rows {
		d.indexes = append(d.indexes, [2]string{cellText(r, 0), cellText(r, 1)})
	}
	return d, nil
}

// describeColumns builds the column rows: name, SQL type (arrays as
// "text[]", not information_schema's "ARRAY"), nullability and key role.
func describeColumns(cols, keys *resultSet) *resultSet {
	role := map[string]string{}
	for _, k := range keys.rows {
		if cellText(k, 1) == "1" {
			role[cellText(k, 0)] = "partition key"
		} else {
			role[cellText(k, 0)] = "sort key"
		}
	}
	out := &resultSet{fields: textFields("column", "type", "nullable", "key")}
	for _, c := range cols.rows {
		name, typ := cellText(c, 0), cellText(c, 1)
		if typ == "ARRAY" {
			typ = strings.TrimPrefix(cellText(c, 2), "_") + "[]"
		}
		nullable := "not null"
		if cellText(c, 3) == "YES" {
			nullable = ""
		}
		out.rows = append(out.rows, [][]byte{[]byte(name), []byte(typ), []byte(nullable), []byte(role[name])})
	}
	out.tag = fmt.Sprintf("SELECT %d", len(out.rows))
	return out
}

// writeDescription prints d: psql's \d layout for the table format, one
// JSON object for json, and the column rows alone for csv.
func writeDescription(stdout, stderr io.Writer, format string, d *description) error {
	switch format {
	case formatCSV:
		return writeResult(stdout, stderr, format, d.columns)
	case formatJSON:
		return writeDescriptionJSON(stdout, d)
	}
	bw := bufio.NewWriter(stdout)
	fmt.Fprintf(bw, "Table \"public.%s\"\n", d.table)
	writeTable(bw, d.columns)
	if len(d.indexes) > 0 {
		bw.WriteString("Indexes:\n")
		for _, ix := range d.indexes {
			fmt.Fprintf(bw, "    %q %s\n", ix[0], indexSummary(ix[1]))
		}
	}
	return bw.Flush()
}

// indexSummary shortens "CREATE [UNIQUE] INDEX n ON t USING btree (a, b)"
// to psql's "[UNIQUE] btree (a, b)".
func indexSummary(def string) string {
	unique := strings.HasPrefix(def, "CREATE UNIQUE INDEX")
	if _, rest, ok := strings.Cut(def, " USING "); ok {
		def = rest
	}
	if unique {
		return "UNIQUE, " + def
	}
	return def
}

func writeDescriptionJSON(w io.Writer, d *description) error {
	type column struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Nullable bool   `json:"nullable"`
		Key      string `json:"key,omitempty"`
	}
	type index struct {
		Name       string `json:"name"`
		Definition string `json:"definition"`
	}
	out := struct {
		Table   string   `json:"table"`
		Columns []column `json:"columns"`
		Indexes []index  `json:"indexes"`
	}{Table: d.table, Columns: []column{}, Indexes: []index{}}
	for _, r := range d.columns.rows {
		out.Columns = append(out.Columns, column{Name: cellText(r, 0), Type: cellText(r, 1), Nullable: cellText(r, 2) == "", Key: cellText(r, 3)})
	}
	for _, ix := range d.indexes {
		out.Indexes = append(out.Indexes, index{Name: ix[0], Definition: ix[1]})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
