package sqltypes

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestAgainstPostgres replays textCases on a real PostgreSQL 15 (DateStyle
// ISO, MDY; TimeZone UTC) named by FAZ_PG_DSN: the input goes as a text
// parameter of the case's type and the value comes back in text and in
// binary; our decode/encode must agree with both, and our binary encoding
// sent back must read as the same text. Without FAZ_PG_DSN it is skipped
// (it is a fidelity check run by hand: scripts start a throwaway server).
func TestAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("FAZ_PG_DSN")
	if dsn == "" {
		t.Skip("FAZ_PG_DSN not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, c := range textCases {
		if c.pgDiffers != "" {
			continue
		}
		checkAgainstPostgres(ctx, t, conn, c)
	}
}

func checkAgainstPostgres(ctx context.Context, t *testing.T, conn *pgconn.PgConn, c textCase) {
	name := TypeName(c.t) + "/" + c.in
	res := conn.ExecParams(ctx, "SELECT $1", [][]byte{[]byte(c.in)}, []uint32{c.t}, []int16{0}, []int16{0}).Read()
	var pgErr *pgconn.PgError
	if errors.As(res.Err, &pgErr) {
		if c.code != pgErr.Code {
			t.Errorf("%s: postgres says %s %s, we expect %q", name, pgErr.Code, pgErr.Message, c.code+c.out)
		}
		return
	}
	if res.Err != nil {
		t.Fatalf("%s: %v", name, res.Err)
	}
	pgText := string(res.Rows[0][0])
	if c.code != "" || pgText != c.out {
		t.Errorf("%s: postgres prints %q, we expect %q (code %q)", name, pgText, c.out, c.code)
		return
	}
	bin := conn.ExecParams(ctx, "SELECT $1", [][]byte{[]byte(c.in)}, []uint32{c.t}, []int16{0}, []int16{1}).Read()
	if bin.Err != nil {
		return // no send function (e.g. void is fine, aclitem has none)
	}
	v, err := DecodeText([]byte(c.in), c.t)
	if err != nil {
		return
	}
	ours, err := EncodeBinary(v, c.t)
	if err != nil {
		t.Errorf("%s: EncodeBinary: %v", name, err)
		return
	}
	if !bytes.Equal(ours, bin.Rows[0][0]) {
		t.Errorf("%s: binary: postgres %x, ours %x", name, bin.Rows[0][0], ours)
	}
	back := conn.ExecParams(ctx, "SELECT $1", [][]byte{ours}, []uint32{c.t}, []int16{1}, []int16{0}).Read()
	if back.Err != nil || string(back.Rows[0][0]) != c.out {
		t.Errorf("%s: our binary %x read by postgres: %v %q", name, ours, back.Err, back.Rows)
	}
}

// TestBinaryValuesAgainstPostgres sends each of binaryValues in our binary
// format and checks PostgreSQL reads it as the text we print.
func TestBinaryValuesAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("FAZ_PG_DSN")
	if dsn == "" {
		t.Skip("FAZ_PG_DSN not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, c := range binaryValues(t) {
		if c.t == Regclass || c.t == Unknown {
			continue // regclass prints names there; unknown has no receive function
		}
		want, _ := FormatText(c.v, c.t)
		b, err := EncodeBinary(c.v, c.t)
		if err != nil {
			t.Fatal(err)
		}
		res := conn.ExecParams(ctx, "SELECT $1", [][]byte{b}, []uint32{c.t}, []int16{1}, []int16{0}).Read()
		if res.Err != nil {
			if c.t == OidVector && len(c.v.(Array).Items) == 0 {
				continue // PostgreSQL cannot receive its own empty oidvector
			}
			t.Errorf("%s %q: %v", TypeName(c.t), want, res.Err)
			continue
		}
		if got := string(res.Rows[0][0]); got != want {
			t.Errorf("%s: postgres reads our %x as %q, we print %q", TypeName(c.t), b, got, want)
		}
	}
}

// TestTypeInfoAgainstPostgres compares TypeInfo with pg_type.
func TestTypeInfoAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("FAZ_PG_DSN")
	if dsn == "" {
		t.Skip("FAZ_PG_DSN not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, oid := range allOIDs {
		info, _ := TypeInfo(oid)
		q := "SELECT typname, typlen, typarray, typelem, typcategory, typtype, format_type(oid, NULL) FROM pg_type WHERE oid = $1::oid"
		res := conn.ExecParams(ctx, q, [][]byte{[]byte(uintText(uint64(oid)))}, nil, nil, nil).Read()
		if res.Err != nil || len(res.Rows) != 1 {
			t.Errorf("%d: %v %v", oid, res.Err, res.Rows)
			continue
		}
		r := res.Rows[0]
		got := []string{string(r[0]), string(r[1]), string(r[2]), string(r[3]), string(r[4]), string(r[5]), string(r[6])}
		want := []string{info.Name, intText(int64(info.Len)), uintText(uint64(info.ArrayOID)), uintText(uint64(info.Elem)),
			string(info.Category), string(info.Kind), info.SQLName}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%d: pg_type has %v, TypeInfo %v", oid, got, want)
				break
			}
		}
	}
}
