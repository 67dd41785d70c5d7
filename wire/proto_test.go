package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Protocol scripts: send these messages, expect those.

var (
	parseComplete = &pgproto3.ParseComplete{}
	bindComplete  = &pgproto3.BindComplete{}
	closeComplete = &pgproto3.CloseComplete{}
	suspended     = &pgproto3.PortalSuspended{}
	noData        = &pgproto3.NoData{}
	emptyQuery    = &pgproto3.EmptyQueryResponse{}
	readyIdle     = &pgproto3.ReadyForQuery{TxStatus: 'I'}
	readyInTx     = &pgproto3.ReadyForQuery{TxStatus: 'T'}
)

func row(vals ...string) *pgproto3.DataRow {
	out := make([][]byte, len(vals))
	for i, v := range vals {
		out[i] = []byte(v)
	}
	return &pgproto3.DataRow{Values: out}
}

func complete(tag string) *pgproto3.CommandComplete {
	return &pgproto3.CommandComplete{CommandTag: []byte(tag)}
}

func errCode(code string) *pgproto3.ErrorResponse { return &pgproto3.ErrorResponse{Code: code} }

func int4Desc(format int16) *pgproto3.RowDescription {
	return &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{
		Name: []byte("n"), DataTypeOID: 23, DataTypeSize: 4, TypeModifier: -1, Format: format}}}
}

func TestScripts(t *testing.T) {
	type step struct {
		send   []pgproto3.FrontendMessage
		expect []pgproto3.BackendMessage
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"row-limited execute suspends and resumes", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "select 5"}, &pgproto3.Bind{},
				&pgproto3.Execute{MaxRows: 2}, &pgproto3.Flush{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, row("1"), row("2"), suspended}},
			{[]pgproto3.FrontendMessage{&pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{row("3"), row("4"), suspended, row("5"), complete("SELECT 5"), readyIdle}},
			// The implicit transaction ended at Sync, and the portal with it.
			{[]pgproto3.FrontendMessage{&pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.InvalidCursorName), readyIdle}},
		}},
		{"error discards until Sync", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "a", Query: "bogus"}, &pgproto3.Bind{PreparedStatement: "a"},
				&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Query{String: "insert"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.SyntaxError), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "a", Query: "insert"}, &pgproto3.Bind{PreparedStatement: "a"},
				&pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, complete("INSERT 0 1"), readyIdle}},
		}},
		{"describe and binary results, close", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "s", Query: "select 1"}, &pgproto3.Describe{ObjectType: 'S', Name: "s"},
				&pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "p", ResultFormatCodes: []int16{1}},
				&pgproto3.Describe{ObjectType: 'P', Name: "p"}, &pgproto3.Execute{Portal: "p"},
				&pgproto3.Close{ObjectType: 'P', Name: "p"}, &pgproto3.Close{ObjectType: 'S', Name: "s"},
				&pgproto3.Close{ObjectType: 'S', Name: "never-existed"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, &pgproto3.ParameterDescription{ParameterOIDs: []uint32{}}, int4Desc(0), bindComplete,
					int4Desc(1), &pgproto3.DataRow{Values: [][]byte{{0, 0, 0, 1}}}, complete("SELECT 1"),
					closeComplete, closeComplete, closeComplete, readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Describe{ObjectType: 'S', Name: "s"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.InvalidSQLStatementName), readyIdle}},
		}},
		{"empty query in the extended protocol", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "  "}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Bind{},
				&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, &pgproto3.ParameterDescription{ParameterOIDs: []uint32{}}, noData, bindComplete, noData,
					emptyQuery, readyIdle}},
		}},
		{"bind checks parameter counts and formats", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "e", Query: "echo text"},
				&pgproto3.Bind{PreparedStatement: "e"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, errCode(pgerr.ProtocolViolation), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "e", Parameters: [][]byte{[]byte("x")},
				ResultFormatCodes: []int16{7}}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.InvalidParameterValue), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "e", Parameters: [][]byte{[]byte("x")}},
				&pgproto3.Bind{PreparedStatement: "e"}, &pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{bindComplete, errCode(pgerr.ProtocolViolation), readyIdle}},
		}},
		{"named portal lives until the transaction ends", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "begin"}},
				[]pgproto3.BackendMessage{complete("BEGIN"), readyInTx}},
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "select 3"}, &pgproto3.Bind{DestinationPortal: "c"},
				&pgproto3.Execute{Portal: "c", MaxRows: 1}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, row("1"), suspended, readyInTx}},
			{[]pgproto3.FrontendMessage{&pgproto3.Bind{DestinationPortal: "c"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.DuplicateCursor), readyInTx}},
			{[]pgproto3.FrontendMessage{&pgproto3.Execute{Portal: "c"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{row("2"), row("3"), complete("SELECT 3"), readyInTx}},
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "commit"}},
				[]pgproto3.BackendMessage{complete("COMMIT"), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Execute{Portal: "c"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.InvalidCursorName), readyIdle}},
		}},
		{"simple query errors and fastpath", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "insert; error; insert"}},
				[]pgproto3.BackendMessage{complete("INSERT 0 1"), errCode(pgerr.DivisionByZero), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "bogus"}},
				[]pgproto3.BackendMessage{errCode(pgerr.SyntaxError), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: ""}},
				[]pgproto3.BackendMessage{emptyQuery, readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.FunctionCall{Function: 1}},
				[]pgproto3.BackendMessage{errCode(pgerr.FeatureNotSupported), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.CopyDone{}, &pgproto3.Query{String: "insert"}},
				[]pgproto3.BackendMessage{complete("INSERT 0 1"), readyIdle}},
		}},
		{"a FATAL statement error closes", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "fatal"}},
				[]pgproto3.BackendMessage{errCode(pgerr.AdminShutdown)}},
		}},
	}
	ts := startServer(t, Config{}, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := dialScript(t, ts.addr)
			for _, st := range tc.steps {
				s.send(st.send...)
				s.expect(st.expect...)
			}
		})
	}
}

func TestTerminateCloses(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	s := dialScript(t, ts.addr)
	s.send(&pgproto3.Terminate{})
	s.expectClosed()
}

// TestFatalProtocolErrors: malformed or oversize input gets FATAL 08P01 and
// the connection is closed.
func TestFatalProtocolErrors(t *testing.T) {
	ts := startServer(t, Config{MaxMessageBytes: 1 << 20}, nil)
	cases := []struct {
		name    string
		startup bool // complete startup first
		raw     []byte
		code    string
	}{
		{"oversize message", true, []byte{'Q', 0x40, 0, 0, 0}, pgerr.ProtocolViolation}, // announces 1 GiB
		{"negative length", true, []byte{'Q', 0xff, 0xff, 0xff, 0xff}, pgerr.ProtocolViolation},
		{"unknown message type", true, []byte{'!', 0, 0, 0, 4}, pgerr.ProtocolViolation},
		{"malformed Parse", true, []byte{'P', 0, 0, 0, 5, 'x'}, pgerr.ProtocolViolation},
		{"startup packet too long", false, binary.BigEndian.AppendUint32(nil, 20000), pgerr.ProtocolViolation},
		{"startup packet too short", false, []byte{0, 0, 0, 5, 0}, pgerr.ProtocolViolation},
		{"malformed startup parameters", false, []byte{0, 0, 0, 10, 0, 3, 0, 0, 'u', 'x'}, pgerr.ProtocolViolation},
		{"unsupported protocol", false, []byte{0, 0, 0, 8, 0, 2, 0, 0}, pgerr.FeatureNotSupported},
		{"startup without user", false, encodeStartup(t, map[string]string{"database": "db"}), pgerr.InvalidAuthorizationSpec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s *script
			if tc.startup {
				s = dialScript(t, ts.addr)
			} else {
				s = dialRaw(t, ts.addr)
			}
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			if _, err := s.conn.Write(tc.raw); err != nil {
				t.Fatal(err)
			}
			s.expect(errCode(tc.code))
			s.expectClosed()
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			// The announced size is never allocated.
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 256<<20 {
				t.Errorf("allocated %d bytes for an announced message", grown)
			}
		})
	}
}

func TestSSLRequest(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	sslRequest := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, sslRequestCode)
	startup := encodeStartup(t, map[string]string{"user": "alice"})

	t.Run("no TLS configured answers N", func(t *testing.T) {
		s := dialRaw(t, ts.addr)
		if _, err := s.conn.Write(sslRequest); err != nil {
			t.Fatal(err)
		}
		answer := make([]byte, 1)
		if _, err := io.ReadFull(s.conn, answer); err != nil || answer[0] != 'N' {
			t.Fatalf("answer %q %v, want N", answer, err)
		}
		s.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
			Parameters: map[string]string{"user": "alice"}})
		s.skipUntilReady()
	})
	t.Run("bytes after the request are refused", func(t *testing.T) {
		s := dialRaw(t, ts.addr)
		if _, err := s.conn.Write(append(append([]byte(nil), sslRequest...), startup...)); err != nil {
			t.Fatal(err)
		}
		first := make([]byte, 1)
		if _, err := io.ReadFull(s.conn, first); err != nil || first[0] != 'E' {
			t.Fatalf("got %q %v, want an ErrorResponse and no answer", first, err)
		}
		// Rebuild the frontend around the consumed type byte.
		s.fe = pgproto3.NewFrontend(io.MultiReader(bytesReader(first), s.conn), s.conn)
		s.expect(errCode(pgerr.ProtocolViolation))
		s.expectClosed()
	})
	t.Run("bytes after the request are refused before TLS", func(t *testing.T) {
		tlsServer := startServer(t, Config{TLS: selfSignedTLS(t)}, nil)
		s := dialRaw(t, tlsServer.addr)
		if _, err := s.conn.Write(append(append([]byte(nil), sslRequest...), startup...)); err != nil {
			t.Fatal(err)
		}
		first := make([]byte, 1)
		if _, err := io.ReadFull(s.conn, first); err != nil || first[0] != 'E' {
			t.Fatalf("got %q %v, want an ErrorResponse and no 'S'", first, err)
		}
	})
	t.Run("GSSENCRequest answers N", func(t *testing.T) {
		s := dialRaw(t, ts.addr)
		if _, err := s.conn.Write(binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, gssEncRequestCode)); err != nil {
			t.Fatal(err)
		}
		answer := make([]byte, 1)
		if _, err := io.ReadFull(s.conn, answer); err != nil || answer[0] != 'N' {
			t.Fatalf("answer %q %v, want N", answer, err)
		}
	})
}

func encodeStartup(t *testing.T, params map[string]string) []byte {
	b, err := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params}).Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type bytesReader []byte

func (b bytesReader) Read(p []byte) (int, error) { return copy(p, b), io.EOF }

func TestProtocol32AndOptions(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	s := dialRaw(t, ts.addr)
	s.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
		Parameters: map[string]string{"user": "alice", "_pq_.unknown": "1"}})
	s.expect(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 2, UnrecognizedOptions: []string{"_pq_.unknown"}},
		&pgproto3.AuthenticationOk{})
	for {
		switch m := s.receive().(type) {
		case *pgproto3.BackendKeyData:
			if len(m.SecretKey) != 32 {
				t.Errorf("3.2 secret key has %d bytes, want 32", len(m.SecretKey))
			}
		case *pgproto3.ReadyForQuery:
			return
		}
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, Config{IdleTimeout: 100 * time.Millisecond}, nil)
	s := dialScript(t, ts.addr)
	s.expect(errCode(idleSessionTimeout))
	s.expectClosed()
}

func TestStreamsLargeResults(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	s := dialScript(t, ts.addr)
	s.send(&pgproto3.Query{String: "select 100000"})
	rows := 0
	for {
		switch m := s.receive().(type) {
		case *pgproto3.DataRow:
			rows++
		case *pgproto3.ReadyForQuery:
			if rows != 100000 {
				t.Errorf("got %d rows", rows)
			}
			return
		case *pgproto3.ErrorResponse:
			t.Fatal(m.Message)
		}
	}
}

// TestShutdownLetsStatementsFinish: a running statement completes, then its
// connection is closed with 57P01.
func TestShutdownLetsStatementsFinish(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	busy := dialScript(t, ts.addr)
	busy.send(&pgproto3.Query{String: "sleep"})
	time.Sleep(50 * time.Millisecond) // let the statement start
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
	busy.expect(complete("SLEEP"), readyIdle, errCode(pgerr.AdminShutdown))
	busy.expectClosed()
	if _, err := net.Dial("tcp", ts.addr); err == nil {
		t.Error("the listener still accepts after Shutdown")
	}
}

func TestShutdown(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	idle := dialScript(t, ts.addr)
	busy := dialScript(t, ts.addr)
	busy.send(&pgproto3.Query{String: "block"})
	time.Sleep(50 * time.Millisecond) // let the statement start

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := ts.srv.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded (a statement was blocked)", err)
	}
	idle.expect(errCode(pgerr.AdminShutdown))
	idle.expectClosed()
	busy.expect(errCode(pgerr.AdminShutdown))
	busy.expectClosed()
	<-ts.serveDone
	if !errors.Is(ts.serveErr, ErrServerClosed) {
		t.Errorf("Serve = %v", ts.serveErr)
	}
	ts.be.mu.Lock()
	defer ts.be.mu.Unlock()
	for _, sess := range ts.be.sessions {
		sess.mu.Lock()
		closed := sess.closed
		sess.mu.Unlock()
		if !closed {
			t.Error("a session was not closed")
		}
	}
}
