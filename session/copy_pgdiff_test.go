package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/translate"
)

// TestCopyReadAgainstPostgres feeds random COPY FROM data to a real
// PostgreSQL and to copyReader and compares: the same rows, or an error
// with the same SQLSTATE. It runs when FAZ_PG_DSN names a PostgreSQL 15
// database it may create a temporary table in.
func TestCopyReadAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("FAZ_PG_DSN")
	if dsn == "" {
		t.Skip("FAZ_PG_DSN is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TEMP TABLE copydiff (a text, b text)"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "\\", "N", "t", "x4", "x", "1", "7", ".", "\"", ",", "\t", "\n", "\r\n", "\r", "\\.", "é", "''", "\\0", "\\xe9"}
	for i := range 400 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		input := b.String()
		for _, csv := range []bool{false, true} {
			stmt := "COPY copydiff FROM STDIN"
			if csv {
				stmt += " (FORMAT csv)"
			}
			want, wantCode := postgresCopy(ctx, t, conn, stmt, input)
			got, gotCode := ourCopy(input, csv)
			if wantCode != gotCode || wantCode == "" && !reflect.DeepEqual(got, want) {
				t.Errorf("case %d, csv %v, input %q:\n got %q (%s)\nwant %q (%s)", i, csv, input, got, gotCode, want, wantCode)
			}
		}
	}
}

// postgresCopy loads input into copydiff and reads it back ("NULL" for
// NULL), or returns the error's SQLSTATE.
func postgresCopy(ctx context.Context, t *testing.T, conn *pgx.Conn, stmt, input string) ([][]string, string) {
	t.Helper()
	if _, err := conn.Exec(ctx, "TRUNCATE copydiff"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.PgConn().CopyFrom(ctx, strings.NewReader(input), stmt); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return nil, pe.Code
		}
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "SELECT coalesce(a, 'NULL'), coalesce(b, 'NULL') FROM copydiff")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, []string{a, b})
	}
	return out, ""
}

// ourCopy reads input as copyIn does, with the column count check of
// copyTarget.itemOf.
func ourCopy(input string, csv bool) ([][]string, string) {
	opts, err := parseCopyOptions(nil, true)
	if csv {
		opts = &copyOptions{csv: true}
		err = opts.finish(nil, nil, nil, nil, true)
	}
	if err != nil {
		return nil, pgerr.CodeOf(err)
	}
	r := newCopyReader(strings.NewReader(input), opts)
	var out [][]string
	for {
		fields, err := r.next()
		if errors.Is(err, io.EOF) {
			return out, ""
		}
		if err != nil {
			return nil, pgerr.CodeOf(err)
		}
		switch {
		case len(fields) > 2:
			return nil, badCopyFileFormat
		case len(fields) < 2:
			return nil, badCopyFileFormat
		}
		row := make([]string, 2)
		for i, f := range fields {
			row[i] = "NULL"
			if f != nil {
				row[i] = string(f)
			}
		}
		out = append(out, row)
	}
}

func TestOurCopySmoke(t *testing.T) {
	got, code := ourCopy("a\tb\n\\N\tc\n", false)
	if want := [][]string{{"a", "b"}, {"NULL", "c"}}; code != "" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q (%s), want %q", got, code, want)
	}
}

// TestCopyFormatAgainstPostgres prints random values with COPY TO in
// PostgreSQL and with copyFormatter, in text and CSV, and compares bytes.
func TestCopyFormatAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("FAZ_PG_DSN")
	if dsn == "" {
		t.Skip("FAZ_PG_DSN is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rng := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"a", "\\", "N", ".", "\"", ",", "\t", "\n", "\r", "\\.", "é", "'", "|", "\x01", "\x0b", " "}
	withs := []string{"", "(FORMAT csv)", "(DELIMITER '|')", "(FORMAT csv, DELIMITER '|', QUOTE '''', ESCAPE '\\', NULL 'N')"}
	for i := range 300 {
		vals := make([]*string, 1+rng.IntN(2))
		for j := range vals {
			if rng.IntN(6) == 0 {
				continue // NULL
			}
			var b strings.Builder
			for range rng.IntN(6) {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			v := b.String()
			vals[j] = &v
		}
		for _, with := range withs {
			cols := []string{"$1::text"}
			args := []any{vals[0]}
			if len(vals) == 2 {
				cols, args = append(cols, "$2::text"), append(args, vals[1])
			}
			sql := "COPY (SELECT " + strings.Join(cols, ", ") + ") TO STDOUT " + with
			want, err := postgresCopyTo(ctx, conn, sql, args)
			if err != nil {
				t.Fatal(err)
			}
			got := ourCopyTo(t, with, vals)
			if got != want {
				t.Errorf("case %d %s %s:\n got %q\nwant %q", i, with, showVals(vals), got, want)
			}
		}
	}
}

// postgresCopyTo runs COPY (SELECT $1 ...) TO STDOUT; COPY takes no
// parameters, so the values are inlined as escaped literals.
func postgresCopyTo(ctx context.Context, conn *pgx.Conn, sql string, args []any) (string, error) {
	for i, a := range args {
		lit := "NULL"
		if v := a.(*string); v != nil {
			lit = "E'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(*v) + "'"
		}
		sql = strings.Replace(sql, fmt.Sprintf("$%d", i+1), lit, 1)
	}
	var out strings.Builder
	_, err := conn.PgConn().CopyTo(ctx, &out, sql)
	return out.String(), err
}

func ourCopyTo(t *testing.T, with string, vals []*string) string {
	t.Helper()
	stmts, err := translate.Parse("COPY x TO STDOUT " + with)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := parseCopyOptions(stmts[0].Node.GetCopyStmt().Options, false)
	if err != nil {
		t.Fatal(err)
	}
	row := make([][]byte, len(vals))
	for i, v := range vals {
		if v != nil {
			row[i] = []byte(*v)
		}
	}
	f := &copyFormatter{opts: opts}
	return string(f.appendLine(nil, row, nil))
}

func showVals(vals []*string) string {
	var parts []string
	for _, v := range vals {
		if v == nil {
			parts = append(parts, "NULL")
		} else {
			parts = append(parts, fmt.Sprintf("%q", *v))
		}
	}
	return strings.Join(parts, ", ")
}
