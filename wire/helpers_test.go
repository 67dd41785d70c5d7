package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// testServer is a Server on 127.0.0.1 with a fakeBackend.
type testServer struct {
	srv       *Server
	be        *fakeBackend
	addr      string
	serveDone chan struct{} // closed when Serve returned; serveErr is then set
	serveErr  error
}

// startServer serves cfg (Backend and Auth default to a trust fakeBackend
// with user alice/secret); wrap, if set, wraps the listener.
func startServer(t *testing.T, cfg Config, wrap func(net.Listener) net.Listener) *testServer {
	t.Helper()
	be := &fakeBackend{method: AuthTrust, users: map[string]string{"alice": "secret"}}
	if cfg.Backend == nil {
		cfg.Backend = be
	}
	if cfg.Auth == nil {
		cfg.Auth = be
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: NewServer(cfg), be: be, addr: ln.Addr().String(), serveDone: make(chan struct{})}
	if wrap != nil {
		ln = wrap(ln)
	}
	go func() {
		ts.serveErr = ts.srv.Serve(ln)
		close(ts.serveDone)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-ts.serveDone
		if !errors.Is(ts.serveErr, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", ts.serveErr)
		}
	})
	return ts
}

// url is a libpq connection string for user (with password, if not empty).
func (ts *testServer) url(user, password, extra string) string {
	cred := user
	if password != "" {
		cred += ":" + password
	}
	return fmt.Sprintf("postgres://%s@%s/db?sslmode=disable&connect_timeout=5%s", cred, ts.addr, extra)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// script drives the protocol message by message: send these, expect those.
type script struct {
	t    *testing.T
	conn net.Conn
	fe   *pgproto3.Frontend
}

// dialScript connects and starts up as alice (trust), up to ReadyForQuery.
func dialScript(t *testing.T, addr string) *script {
	t.Helper()
	s := dialRaw(t, addr)
	s.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "alice", "database": "db"}})
	s.skipUntilReady()
	return s
}

// dialRaw connects without saying anything.
func dialRaw(t *testing.T, addr string) *script {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return &script{t: t, conn: conn, fe: pgproto3.NewFrontend(conn, conn)}
}

func (s *script) send(msgs ...pgproto3.FrontendMessage) {
	s.t.Helper()
	for _, m := range msgs {
		s.fe.Send(m)
	}
	if err := s.fe.Flush(); err != nil {
		s.t.Fatalf("send: %v", err)
	}
}

func (s *script) receive() pgproto3.BackendMessage {
	s.t.Helper()
	msg, err := s.fe.Receive()
	if err != nil {
		s.t.Fatalf("receive: %v", err)
	}
	return msg
}

// skipUntilReady reads the startup answer up to ReadyForQuery.
func (s *script) skipUntilReady() {
	s.t.Helper()
	for {
		switch m := s.receive().(type) {
		case *pgproto3.ReadyForQuery:
			return
		case *pgproto3.ErrorResponse:
			s.t.Fatalf("startup failed: %s %s", m.Code, m.Message)
		}
	}
}

// expect receives len(want) messages and compares each: an ErrorResponse
// by its code, anything else in full.
func (s *script) expect(want ...pgproto3.BackendMessage) {
	s.t.Helper()
	for i, w := range want {
		got := s.receive()
		if reflect.TypeOf(got) != reflect.TypeOf(w) {
			s.t.Fatalf("message %d: got %T %+v, want %T", i, got, got, w)
		}
		if we, ok := w.(*pgproto3.ErrorResponse); ok {
			if ge := got.(*pgproto3.ErrorResponse); ge.Code != we.Code {
				s.t.Fatalf("message %d: got error %s %q, want code %s", i, ge.Code, ge.Message, we.Code)
			}
			continue
		}
		if !reflect.DeepEqual(normalize(got), normalize(w)) {
			s.t.Fatalf("message %d: got %+v, want %+v", i, got, w)
		}
	}
}

// normalize makes empty and nil slices compare equal.
func normalize(m pgproto3.BackendMessage) string {
	b, err := m.(interface{ MarshalJSON() ([]byte, error) }).MarshalJSON()
	if err != nil {
		return fmt.Sprintf("%#v", m)
	}
	return string(b)
}

// expectClosed asserts the server closed the connection.
func (s *script) expectClosed() {
	s.t.Helper()
	if msg, err := s.fe.Receive(); err == nil {
		s.t.Fatalf("got %T %+v, want the connection closed", msg, msg)
	}
}

// fakeAddrListener makes every accepted connection look like it comes from addr.
type fakeAddrListener struct {
	net.Listener
	addr net.Addr
}

func (l fakeAddrListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return fakeAddrConn{Conn: c, addr: l.addr}, nil
}

type fakeAddrConn struct {
	net.Conn
	addr net.Addr
}

func (c fakeAddrConn) RemoteAddr() net.Addr { return c.addr }
