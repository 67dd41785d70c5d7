package wire

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzServerMessages feeds arbitrary bytes to a connection that has done a
// valid startup: the server must never panic and the connection must end
// in bounded time once the client is gone. The committed corpus is in
// testdata/fuzz/FuzzServerMessages.
func FuzzServerMessages(f *testing.F) {
	for _, msgs := range [][]pgproto3.FrontendMessage{
		{&pgproto3.Query{String: "select 3; insert"}},
		{&pgproto3.Parse{Query: "select 4"}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}},
		{&pgproto3.Parse{Name: "e", Query: "echo int4"}, &pgproto3.Bind{PreparedStatement: "e",
			ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 1}}}, &pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{}, &pgproto3.Close{ObjectType: 'S', Name: "e"}, &pgproto3.Sync{}},
		{&pgproto3.Query{String: "error"}, &pgproto3.Terminate{}},
		{&pgproto3.Query{String: "copy t from stdin"}, &pgproto3.CopyData{Data: []byte("1\n")}, &pgproto3.Sync{},
			&pgproto3.CopyData{Data: []byte("bad\n")}, &pgproto3.CopyDone{}, &pgproto3.Query{String: "copy 2 to stdout"}},
		{&pgproto3.Parse{Query: "copy t from stdin"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
			&pgproto3.CopyData{Data: []byte("1\n")}, &pgproto3.CopyFail{Message: "no"}, &pgproto3.Sync{}},
		{&pgproto3.Query{String: "copy t from stdin"}, &pgproto3.CopyData{Data: []byte("1\n")}, &pgproto3.Query{String: "insert"}},
	} {
		var b []byte
		for _, m := range msgs {
			var err error
			if b, err = m.Encode(b); err != nil {
				f.Fatal(err)
			}
		}
		f.Add(b)
	}
	f.Add([]byte{'Q', 0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		runFuzzConn(t, data)
	})
}

// runFuzzConn serves one connection over net.Pipe: a trust startup, then data.
func runFuzzConn(t *testing.T, data []byte) {
	be := &fakeBackend{method: AuthTrust}
	srv := NewServer(Config{Backend: be, Auth: be, MaxMessageBytes: 1 << 16})
	client, server := net.Pipe()
	defer client.Close()
	c := newConn(srv, fakeAddrConn{Conn: server, addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}})
	if !srv.trackConn(c) {
		t.Fatal("server refused the connection")
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		c.serve()
	}()
	go func() { _, _ = io.Copy(io.Discard, client) }()

	startup, err := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "fuzz"}}).Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	written := make(chan struct{})
	go func() {
		defer close(written)
		if _, err := client.Write(startup); err == nil {
			_, _ = client.Write(data)
		}
	}()
	select {
	case <-written:
	case <-served:
	case <-time.After(500 * time.Millisecond): // e.g. a statement that blocks
	}
	// The client is done; Shutdown must end the connection whatever it is
	// doing (a blocked statement, a half-read message, a long result).
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = srv.Shutdown(ctx)
	select {
	case <-served:
	case <-time.After(5 * time.Second):
		t.Fatalf("connection still running after Shutdown, input %q", data)
	}
}
