package wire

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// These tests use real clients (pgconn and pgx) over 127.0.0.1.

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestSimpleQuerySeveralStatements(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if got := conn.ParameterStatus("server_version"); got != "15.0 (fazproxy)" {
		t.Errorf("server_version = %q", got)
	}
	results, err := conn.Exec(ctx, "select 2; insert; select 1").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		tag  string
		rows []string
	}{{"SELECT 2", []string{"1", "2"}}, {"INSERT 0 1", nil}, {"SELECT 1", []string{"1"}}}
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d", len(results), len(want))
	}
	for i, w := range want {
		r := results[i]
		if r.CommandTag.String() != w.tag {
			t.Errorf("result %d tag %q, want %q", i, r.CommandTag, w.tag)
		}
		var rows []string
		for _, row := range r.Rows {
			rows = append(rows, string(row[0]))
		}
		if strings.Join(rows, ",") != strings.Join(w.rows, ",") {
			t.Errorf("result %d rows %v, want %v", i, rows, w.rows)
		}
	}
}

func TestSimpleQueryErrorStopsTheRest(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	results, err := conn.Exec(ctx, "insert; error; insert").ReadAll()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a PgError", err)
	}
	want := pgconn.PgError{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: pgerr.DivisionByZero,
		Message: "division by zero", Detail: "the detail", Hint: "the hint", Position: 3}
	if *pe != want {
		t.Errorf("error = %+v, want %+v", *pe, want)
	}
	if len(results) == 0 || results[0].CommandTag.String() != "INSERT 0 1" {
		t.Errorf("results = %v, want the first insert's", results)
	}
	// The connection is usable afterwards.
	if _, err := conn.Exec(ctx, "insert").ReadAll(); err != nil {
		t.Errorf("after error: %v", err)
	}
}

func TestEmptyQuery(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.Ping(ctx); err != nil { // sends "-- ping"
		t.Errorf("Ping: %v", err)
	}
	for _, q := range []string{"", " ; ", "-- only a comment"} {
		results, err := conn.PgConn().Exec(ctx, q).ReadAll()
		if err != nil || len(results) != 1 || results[0].CommandTag.String() != "" {
			t.Errorf("Exec(%q) = %v, %v; want one empty result", q, results, err)
		}
	}
}

func TestExtendedQueryTextAndBinary(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// pgx describes the statement, sends int4 in binary and text as text,
	// and asks for int4 results in binary.
	var n int32
	var s string
	if err := conn.QueryRow(ctx, "echo int4 text", int32(-42), "hello").Scan(&n, &s); err != nil {
		t.Fatal(err)
	}
	if n != -42 || s != "hello" {
		t.Errorf("got %d %q", n, s)
	}
	// Again, from pgx's statement cache (a named statement re-bound).
	if err := conn.QueryRow(ctx, "echo int4 text", int32(7), "again").Scan(&n, &s); err != nil || n != 7 || s != "again" {
		t.Errorf("second run: %d %q %v", n, s, err)
	}
	// All-text parameters and results through pgconn.
	rr := conn.PgConn().ExecParams(ctx, "echo int4 text", [][]byte{[]byte("5"), nil}, nil, nil, nil).Read()
	if rr.Err != nil || len(rr.Rows) != 1 || string(rr.Rows[0][0]) != "5" || rr.Rows[0][1] != nil {
		t.Errorf("ExecParams text: %+v", rr)
	}
}

func TestDescribeStatement(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	sd, err := conn.Prepare(ctx, "s1", "echo int4 text", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.ParamOIDs) != 2 || sd.ParamOIDs[0] != 23 || sd.ParamOIDs[1] != 25 {
		t.Errorf("ParamOIDs = %v", sd.ParamOIDs)
	}
	if len(sd.Fields) != 2 || sd.Fields[0].Name != "p1" || sd.Fields[0].DataTypeOID != 23 {
		t.Errorf("Fields = %+v", sd.Fields)
	}
	// A statement without result columns describes as NoData.
	sd, err = conn.Prepare(ctx, "s2", "insert", nil)
	if err != nil || sd.Fields != nil {
		t.Errorf("insert: %+v %v", sd, err)
	}
	// Preparing the same name twice is 42P05.
	if _, err := conn.Prepare(ctx, "s1", "insert", nil); pgCode(err) != pgerr.DuplicatePreparedStatement {
		t.Errorf("duplicate: %v", err)
	}
	// Several statements in one Parse are 42601.
	if _, err := conn.Prepare(ctx, "s3", "insert; insert", nil); pgCode(err) != pgerr.SyntaxError {
		t.Errorf("multiple: %v", err)
	}
}

func TestAuthentication(t *testing.T) {
	cases := []struct {
		name, user, password string
		method               AuthMethod
		remote               net.Addr // nil: the real (loopback) address
		wantCode             string
		wantMessage          string
	}{
		{name: "scram ok", user: "alice", password: "secret", method: AuthSCRAM},
		{name: "scram wrong password", user: "alice", password: "nope", method: AuthSCRAM,
			wantCode: pgerr.InvalidPassword, wantMessage: `password authentication failed for user "alice"`},
		{name: "scram unknown user", user: "mallory", password: "secret", method: AuthSCRAM,
			wantCode: pgerr.InvalidPassword, wantMessage: `password authentication failed for user "mallory"`},
		{name: "cleartext ok", user: "alice", password: "secret", method: AuthPassword},
		{name: "cleartext wrong", user: "alice", password: "x", method: AuthPassword, wantCode: pgerr.InvalidPassword},
		{name: "trust loopback", user: "alice", method: AuthTrust},
		{name: "trust remote refused", user: "alice", method: AuthTrust,
			remote: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 5555}, wantCode: pgerr.InvalidAuthorizationSpec},
		{name: "method refuses user", user: "banned", method: AuthTrust, wantCode: pgerr.InvalidAuthorizationSpec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var wrap func(net.Listener) net.Listener
			if tc.remote != nil {
				wrap = func(ln net.Listener) net.Listener { return fakeAddrListener{Listener: ln, addr: tc.remote} }
			}
			ts := startServer(t, Config{}, wrap)
			ts.be.method = tc.method
			ctx := testCtx(t)
			conn, err := pgconn.Connect(ctx, ts.url(tc.user, tc.password, ""))
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				if _, err := conn.Exec(ctx, "select 1").ReadAll(); err != nil {
					t.Errorf("query: %v", err)
				}
				conn.Close(ctx)
				return
			}
			if pgCode(err) != tc.wantCode {
				t.Fatalf("connect error %v, want code %s", err, tc.wantCode)
			}
			var pe *pgconn.PgError
			errors.As(err, &pe)
			if pe.Severity != "FATAL" || (tc.wantMessage != "" && pe.Message != tc.wantMessage) {
				t.Errorf("got %s %q, want FATAL %q", pe.Severity, pe.Message, tc.wantMessage)
			}
		})
	}
}

func TestUnknownDatabaseIsFatal(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	_, err := pgconn.Connect(ctx, strings.Replace(ts.url("alice", "", ""), "/db?", "/nodb?", 1))
	if pgCode(err) != pgerr.InvalidCatalogName {
		t.Errorf("err = %v, want 3D000", err)
	}
}

func TestCancelRequest(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "block").ReadAll()
		done <- err
	}()
	// Cancel until the statement is seen running (the request is a no-op
	// when it arrives before the statement starts, as in PostgreSQL).
	other, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if pgCode(err) != pgerr.QueryCanceled {
				t.Fatalf("blocked statement ended with %v, want 57014", err)
			}
			if _, err := conn.Exec(ctx, "insert").ReadAll(); err != nil {
				t.Errorf("after cancel: %v", err)
			}
			return
		case <-tick.C:
			if err := conn.CancelRequest(ctx); err != nil {
				t.Fatalf("CancelRequest: %v", err)
			}
		case <-ctx.Done():
			t.Fatal("statement was never cancelled")
		}
	}
}

func TestCancelRequestWrongSecretIsIgnored(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	c := ts.srv.lookupPID(conn.PID())
	if c == nil {
		t.Fatal("connection not registered by pid")
	}
	called := false
	c.mu.Lock()
	c.stmtCancel = func() { called = true } // as if a statement were running
	c.mu.Unlock()
	s := dialRaw(t, ts.addr)
	wrong := append([]byte(nil), conn.SecretKey()...)
	wrong[0] ^= 0xff
	s.send(&pgproto3.CancelRequest{ProcessID: conn.PID(), SecretKey: wrong})
	s.expectClosed()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stmtCancel = nil
	if called {
		t.Error("a CancelRequest with the wrong secret cancelled the statement")
	}
}

func TestTooManyConnections(t *testing.T) {
	ts := startServer(t, Config{MaxConnections: 1}, nil)
	ctx := testCtx(t)
	first, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = pgconn.Connect(ctx, ts.url("alice", "", ""))
	if pgCode(err) != pgerr.TooManyConnections {
		t.Fatalf("second connection: %v, want 53300", err)
	}
	// The slot is freed when the first one leaves.
	first.Close(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
		if err == nil {
			c.Close(ctx)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot never freed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRequireTLSRefusesPlaintext(t *testing.T) {
	ts := startServer(t, Config{RequireTLS: true}, nil)
	_, err := pgconn.Connect(testCtx(t), ts.url("alice", "", ""))
	if pgCode(err) != pgerr.InvalidAuthorizationSpec {
		t.Errorf("err = %v, want 28000", err)
	}
}

func TestNoticeAndParameterStatus(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	var notices []string
	cfg, err := pgconn.ParseConfig(ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Severity+" "+n.Message) }
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "notice; set application_name x1").ReadAll(); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0] != "WARNING careful" {
		t.Errorf("notices = %v", notices)
	}
	if got := conn.ParameterStatus("application_name"); got != "x1" {
		t.Errorf("application_name = %q", got)
	}
}

func TestTransactionStatusInReadyForQuery(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, step := range []struct {
		sql  string
		want byte
	}{{"begin", 'T'}, {"insert", 'T'}, {"commit", 'I'}} {
		if _, err := conn.Exec(ctx, step.sql).ReadAll(); err != nil {
			t.Fatal(err)
		}
		if got := conn.TxStatus(); got != step.want {
			t.Errorf("after %s: TxStatus %c, want %c", step.sql, got, step.want)
		}
	}
}
