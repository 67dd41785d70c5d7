package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// The catalog queries of `tables` and `describe`. They read the server's
// own information_schema, which shows a user only the tables faz.yaml lets
// them see, so a hidden table is absent here exactly as in psql's \dt.
const (
	tablesSQL = `SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`
	keysSQL = `SELECT table_name, column_name, ordinal_position FROM information_schema.key_column_usage
WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`
)

// runTables implements `fazproxy tables`: one row per table the user may
// see, with its partition and sort key.
func runTables(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o cliOptions
	fs := newCLIFlags("fazproxy tables", stderr, &o)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fmt.Fprintln(stderr, "usage: fazproxy tables [--database NAME] [--format table|json|csv] [--user U] [--config faz.yaml]")
		return errUsage
	}
	if err := o.validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	cs, err := openCLISession(ctx, o, "fazproxy tables", stderr)
	if err != nil {
		return err
	}
	defer cs.close()
	names, err := cs.queryOne(ctx, tablesSQL, nil)
	if err != nil {
		return err
	}
	keys, err := cs.queryOne(ctx, keysSQL, nil)
	if err != nil {
		return err
	}
	return writeResult(stdout, stderr, o.format, tablesResult(names, keys))
}

// tablesResult joins the table names with their key columns (position 1
// is the partition key, 2 the sort key).
func tablesResult(names, keys *resultSet) *resultSet {
	type keyPair struct{ partition, sort []byte }
	byTable := map[string]*keyPair{}
	for _, k := range keys.rows {
		kp := byTable[string(k[0])]
		if kp == nil {
			kp = &keyPair{}
			byTable[string(k[0])] = kp
		}
		if string(k[2]) == "1" {
			kp.partition = k[1]
		} else {
			kp.sort = k[1]
		}
	}
	out := &resultSet{fields: textFields("table_name", "partition_key", "sort_key")}
	for _, n := range names.rows {
		row := [][]byte{n[0], nil, nil}
		if kp := byTable[string(n[0])]; kp != nil {
			row[1], row[2] = kp.partition, kp.sort
		}
		out.rows = append(out.rows, row)
	}
	out.tag = fmt.Sprintf("SELECT %d", len(out.rows))
	return out
}

// textFields describes result columns of type text.
func textFields(names ...string) []wire.FieldDesc {
	out := make([]wire.FieldDesc, len(names))
	for i, n := range names {
		out[i] = wire.FieldDesc{Name: n, TypeOID: sqltypes.Text, TypeSize: -1, TypeModifier: -1}
	}
	return out
}

// queryOne runs one statement and returns its result.
func (cs *cliSession) queryOne(ctx context.Context, text string, params [][]byte) (*resultSet, error) {
	var out *resultSet
	err := cs.run(ctx, text, params, func(rs *resultSet) error {
		out = rs
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil || out.fields == nil {
		return nil, fmt.Errorf("catalog query returned no rows description: %s", text)
	}
	return out, nil
}
