package wire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fazproxy/fazproxy/pgerr"
)

var (
	copyInText   = &pgproto3.CopyInResponse{OverallFormat: 0, ColumnFormatCodes: []uint16{0}}
	copyInBinary = &pgproto3.CopyInResponse{OverallFormat: 1, ColumnFormatCodes: []uint16{1}}
	copyOutText  = &pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: []uint16{0}}
	copyDone     = &pgproto3.CopyDone{}
)

func copyData(s string) *pgproto3.CopyData { return &pgproto3.CopyData{Data: []byte(s)} }

// TestCopyScripts drives COPY message by message, in both protocols.
func TestCopyScripts(t *testing.T) {
	type step struct {
		send   []pgproto3.FrontendMessage
		expect []pgproto3.BackendMessage
	}
	cases := []struct {
		name   string
		steps  []step
		copied []string // lines the session must have received
	}{
		{"copy-in ignores Flush and Sync", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin"}},
				[]pgproto3.BackendMessage{copyInText}},
			{[]pgproto3.FrontendMessage{copyData("1\n2"), &pgproto3.Flush{}, &pgproto3.Sync{}, copyData("\n3\n"), copyDone},
				[]pgproto3.BackendMessage{complete("COPY 3"), readyIdle}},
		}, []string{"1", "2", "3"}},
		{"the query goes on after the copy", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin binary; insert"}},
				[]pgproto3.BackendMessage{copyInBinary}},
			{[]pgproto3.FrontendMessage{copyData("7\n"), copyDone},
				[]pgproto3.BackendMessage{complete("COPY 1"), complete("INSERT 0 1"), readyIdle}},
		}, []string{"7"}},
		{"CopyFail is 57014, and stray copy messages are ignored", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin; insert"}},
				[]pgproto3.BackendMessage{copyInText}},
			{[]pgproto3.FrontendMessage{copyData("1\n"), &pgproto3.CopyFail{Message: "client gave up"}},
				[]pgproto3.BackendMessage{errCode(pgerr.QueryCanceled), readyIdle}},
			{[]pgproto3.FrontendMessage{copyData("late\n"), copyDone, &pgproto3.CopyFail{}, &pgproto3.Query{String: "insert"}},
				[]pgproto3.BackendMessage{complete("INSERT 0 1"), readyIdle}},
		}, []string{"1"}},
		{"a statement that stops early has the rest discarded", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin"}},
				[]pgproto3.BackendMessage{copyInText}},
			{[]pgproto3.FrontendMessage{copyData("1\n\\.\n"), copyData("not read\n"), copyDone, &pgproto3.Query{String: "insert"}},
				[]pgproto3.BackendMessage{complete("COPY 1"), readyIdle, complete("INSERT 0 1"), readyIdle}},
		}, []string{"1"}},
		{"a CopyFail after the statement stopped is still reported", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin"}},
				[]pgproto3.BackendMessage{copyInText}},
			{[]pgproto3.FrontendMessage{copyData("1\n\\.\n"), &pgproto3.CopyFail{Message: "no"}},
				[]pgproto3.BackendMessage{errCode(pgerr.QueryCanceled), readyIdle}},
		}, []string{"1"}},
		{"extended copy-in, its Sync ignored until the copy ends", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "copy t from stdin"}, &pgproto3.Bind{},
				&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, noData, copyInText}},
			{[]pgproto3.FrontendMessage{copyData("1\n2\n"), copyDone, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{complete("COPY 2"), readyIdle}},
		}, []string{"1", "2"}},
		{"extended copy-in error discards until Sync", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "copy t from stdin"}, &pgproto3.Bind{},
				&pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, copyInText}},
			{[]pgproto3.FrontendMessage{copyData("1\nbad\n"), copyData("3\n"), copyDone,
				&pgproto3.Parse{Query: "insert"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.InvalidTextRepresentation), readyIdle}},
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "insert"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, complete("INSERT 0 1"), readyIdle}},
		}, []string{"1"}},
		{"extended CopyFail", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "copy t from stdin"}, &pgproto3.Bind{},
				&pgproto3.Execute{}, &pgproto3.Flush{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, copyInText}},
			{[]pgproto3.FrontendMessage{&pgproto3.CopyFail{Message: "stop"}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{errCode(pgerr.QueryCanceled), readyIdle}},
		}, nil},
		{"copy-out", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy 3 to stdout"}},
				[]pgproto3.BackendMessage{copyOutText, copyData("1\n"), copyData("2\n"), copyData("3\n"), copyDone,
					complete("COPY 3"), readyIdle}},
		}, nil},
		{"extended copy-out ignores the row limit", []step{
			{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "COPY 2 TO STDOUT"}, &pgproto3.Bind{},
				&pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}},
				[]pgproto3.BackendMessage{parseComplete, bindComplete, copyOutText, copyData("1\n"), copyData("2\n"), copyDone,
					complete("COPY 2"), readyIdle}},
		}, nil},
	}
	ts := startServer(t, Config{}, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := dialScript(t, ts.addr)
			for _, st := range tc.steps {
				s.send(st.send...)
				s.expect(st.expect...)
			}
			if got := lastSession(t, ts).copiedLines(); !slices.Equal(got, tc.copied) {
				t.Errorf("session received %q, want %q", got, tc.copied)
			}
		})
	}
}

// lastSession is the session of the most recent connection.
func lastSession(t *testing.T, ts *testServer) *fakeSession {
	t.Helper()
	ts.be.mu.Lock()
	defer ts.be.mu.Unlock()
	if len(ts.be.sessions) == 0 {
		t.Fatal("no session")
	}
	return ts.be.sessions[len(ts.be.sessions)-1]
}

// TestCopyErrorDrainsClientData: the statement fails at the first line, but
// the server answers only after the client's CopyDone, having discarded the
// rest, and the connection stays usable.
func TestCopyErrorDrainsClientData(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	s := dialScript(t, ts.addr)
	s.send(&pgproto3.Query{String: "copy t from stdin"})
	s.expect(copyInText)
	s.send(copyData("bad\n"))
	time.Sleep(50 * time.Millisecond) // the statement has failed by now
	s.send(copyData("2\n"), copyData("3\n"))
	expectSilence(t, s.conn)
	s.send(copyDone)
	s.expect(errCode(pgerr.InvalidTextRepresentation), readyIdle)
	s.send(&pgproto3.Query{String: "select 1"})
	s.expect(int4Desc(0), row("1"), complete("SELECT 1"), readyIdle)
}

// expectSilence asserts the server sends nothing for a moment. It reads the
// socket directly: the frontend has buffered nothing beyond what the test
// already received, since the server sent nothing more.
func expectSilence(t *testing.T, conn net.Conn) {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	n, err := conn.Read(make([]byte, 1))
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read %d bytes (%v), want nothing before CopyDone", n, err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
}

// TestCopyFatalErrors: a non-copy message during copy-in is ERROR then
// FATAL 08P01 as in PostgreSQL; an oversize CopyData is FATAL 08P01. Both
// close the connection.
func TestCopyFatalErrors(t *testing.T) {
	ts := startServer(t, Config{MaxMessageBytes: 4096}, nil)
	cases := []struct {
		name       string
		send       pgproto3.FrontendMessage
		severities []string
	}{
		{"query during copy-in", &pgproto3.Query{String: "insert"}, []string{"ERROR", "FATAL"}},
		{"terminate during copy-in", &pgproto3.Terminate{}, []string{"ERROR", "FATAL"}},
		{"oversize CopyData", &pgproto3.CopyData{Data: make([]byte, 8192)}, []string{"FATAL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := dialScript(t, ts.addr)
			s.send(&pgproto3.Query{String: "copy t from stdin"})
			s.expect(copyInText)
			s.send(copyData("1\n"), tc.send)
			for _, sev := range tc.severities {
				msg := s.receive()
				e, ok := msg.(*pgproto3.ErrorResponse)
				if !ok || e.Code != pgerr.ProtocolViolation || e.Severity != sev {
					t.Fatalf("got %T %+v, want %s 08P01", msg, msg, sev)
				}
			}
			s.expectClosed()
		})
	}
}

// TestCopyWithPgconn uses pgconn's CopyFrom and CopyTo.
func TestCopyWithPgconn(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	tag, err := conn.CopyFrom(ctx, strings.NewReader("1\n2\n3\n"), "COPY t FROM STDIN")
	if err != nil || tag.String() != "COPY 3" {
		t.Fatalf("CopyFrom = %q, %v; want COPY 3", tag, err)
	}
	// A large input crosses many CopyData messages.
	big := strings.Repeat("x\n", 200000)
	if tag, err := conn.CopyFrom(ctx, strings.NewReader(big), "COPY t FROM STDIN"); err != nil || tag.String() != "COPY 200000" {
		t.Fatalf("large CopyFrom = %q, %v", tag, err)
	}
	errCases := []struct {
		name string
		r    io.Reader
		code string
	}{
		{"bad data", strings.NewReader("4\nbad\n" + big), pgerr.InvalidTextRepresentation},
		// pgconn sends CopyFail with the reader's error.
		{"reader error", io.MultiReader(strings.NewReader("5\n"), iotest.ErrReader(errors.New("source failed"))), pgerr.QueryCanceled},
	}
	for _, tc := range errCases {
		if _, err := conn.CopyFrom(ctx, tc.r, "COPY t FROM STDIN"); pgCode(err) != tc.code {
			t.Errorf("%s: CopyFrom error %v, want %s", tc.name, err, tc.code)
		}
	}

	var out bytes.Buffer
	tag, err = conn.CopyTo(ctx, &out, "COPY 4 TO STDOUT")
	if err != nil || tag.String() != "COPY 4" || out.String() != "1\n2\n3\n4\n" {
		t.Fatalf("CopyTo = %q, %v, output %q", tag, err, out.String())
	}
	if _, err := conn.Exec(ctx, "insert").ReadAll(); err != nil {
		t.Errorf("after COPY: %v", err)
	}
	if got := lastSession(t, ts).copiedLines(); len(got) != 3+200000+2 {
		t.Errorf("session received %d lines, want %d", len(got), 3+200000+2)
	}
}

// TestCopyWithPsql runs psql's \copy and COPY TO STDOUT against the server.
func TestCopyWithPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		// Like the integration tests, this does not skip: a missing client
		// would hide a regression (install postgresql-client).
		t.Fatalf("psql is required: %v", err)
	}
	ts := startServer(t, Config{}, nil)
	url := ts.url("alice", "", "")
	run := func(t *testing.T, stdin, command string) string {
		t.Helper()
		ctx := testCtx(t)
		cmd := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=5")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("psql -c %q: %v\n%s", command, err, out)
		}
		return string(out)
	}
	t.Run("copy from stdin", func(t *testing.T) {
		run(t, "10\n20\n30\n", `\copy t from stdin`)
		if got := lastSession(t, ts).copiedLines(); !slices.Equal(got, []string{"10", "20", "30"}) {
			t.Errorf("session received %q", got)
		}
	})
	t.Run("copy to stdout", func(t *testing.T) {
		if got := run(t, "", "COPY t TO STDOUT"); got != "1\n2\n3\n" {
			t.Errorf("psql printed %q, want 1..3", got)
		}
	})
}

// countingWriter records the size of every write.
type countingWriter struct{ writes []int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, len(p))
	return len(p), nil
}

// TestCopyOutStreams: COPY TO output is written in chunks as it is made,
// never held whole.
func TestCopyOutStreams(t *testing.T) {
	cw := &countingWriter{}
	w := &resultWriter{out: &msgWriter{w: cw}}
	if err := w.CopyOut(0, []int16{0, 0}); err != nil {
		t.Fatal(err)
	}
	line := bytes.Repeat([]byte("x"), 99)
	const rows = 10000
	for range rows {
		if err := w.CopyData(line); err != nil {
			t.Fatal(err)
		}
	}
	if len(cw.writes) < rows*100/flushThreshold {
		t.Errorf("%d writes for %d bytes: output was held", len(cw.writes), rows*100)
	}
	for _, n := range cw.writes {
		if n > flushThreshold+200 {
			t.Errorf("a write of %d bytes, above the %d threshold", n, flushThreshold)
		}
	}
}

// TestCopyWriterMisuse: a statement misusing CopyWriter gets an error, not
// a broken stream.
func TestCopyWriterMisuse(t *testing.T) {
	cases := []struct {
		name string
		do   func(w *resultWriter) error
	}{
		{"CopyData before CopyOut", func(w *resultWriter) error { return w.CopyData([]byte("x")) }},
		{"bad overall format", func(w *resultWriter) error { return w.CopyOut(2, nil) }},
		{"binary column in a text copy", func(w *resultWriter) error { return w.CopyOut(0, []int16{1}) }},
		{"two copies", func(w *resultWriter) error {
			if err := w.CopyOut(0, nil); err != nil {
				return nil // the first must work: report "no error" to fail the test
			}
			return w.CopyOut(0, nil)
		}},
		{"DataRow during COPY", func(w *resultWriter) error {
			if err := w.CopyOut(0, nil); err != nil {
				return nil
			}
			return w.Row([][]byte{[]byte("1")})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &resultWriter{out: &msgWriter{w: &countingWriter{}}}
			if err := tc.do(w); pgerr.CodeOf(err) != pgerr.InternalError {
				t.Errorf("got %v, want an XX000 error", err)
			}
		})
	}
}

// TestIdleTimeoutOnlyBetweenCycles: IdleTimeout does not cut an
// extended-protocol cycle or a COPY short, and still applies after
// ReadyForQuery.
func TestIdleTimeoutOnlyBetweenCycles(t *testing.T) {
	const idle = 100 * time.Millisecond
	ts := startServer(t, Config{IdleTimeout: idle}, nil)
	s := dialScript(t, ts.addr)
	s.send(&pgproto3.Parse{Query: "insert"}, &pgproto3.Flush{})
	s.expect(parseComplete)
	time.Sleep(3 * idle)
	s.send(&pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	s.expect(bindComplete, complete("INSERT 0 1"), readyIdle)

	s.send(&pgproto3.Query{String: "copy t from stdin"})
	s.expect(copyInText)
	time.Sleep(3 * idle)
	s.send(copyData("1\n"), copyDone)
	s.expect(complete("COPY 1"), readyIdle)

	s.expect(errCode(idleSessionTimeout))
	s.expectClosed()
}

// TestShutdownDuringCopy: a client stuck in the middle of a COPY is closed
// with 57P01 when Shutdown's grace is over.
func TestShutdownDuringCopy(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	s := dialScript(t, ts.addr)
	s.send(&pgproto3.Query{String: "copy t from stdin"})
	s.expect(copyInText)
	s.send(copyData("1\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded (a copy was under way)", err)
	}
	s.expect(errCode(pgerr.AdminShutdown))
	s.expectClosed()
}

// tickingReader yields "x\n" every few milliseconds, n times, and closes
// started at the first read.
type tickingReader struct {
	n       int
	started chan struct{}
}

func (r *tickingReader) Read(p []byte) (int, error) {
	if r.started != nil {
		close(r.started)
		r.started = nil
	} else {
		time.Sleep(5 * time.Millisecond)
	}
	if r.n == 0 {
		return 0, io.EOF
	}
	r.n--
	return copy(p, "x\n"), nil
}

// TestCancelDuringCopyIn: a CancelRequest during COPY FROM is seen by the
// statement between client messages; the rest of the data is discarded and
// the client gets 57014 with the connection still usable.
func TestCancelDuringCopyIn(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	ctx := testCtx(t)
	conn, err := pgconn.Connect(ctx, ts.url("alice", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const lines = 200 // about a second of data, enough for the cancel to land
	r := &tickingReader{n: lines, started: make(chan struct{})}
	started := r.started
	done := make(chan error, 1)
	go func() {
		_, err := conn.CopyFrom(ctx, r, "COPY t FROM STDIN")
		done <- err
	}()
	<-started
	// pgx streams the data before the server answers the COPY: wait until
	// the statement runs, or the cancel may land on a connection that is
	// not running anything yet (and is rightly ignored).
	for deadline := time.Now().Add(5 * time.Second); len(lastSession(t, ts).copiedLines()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the COPY never started reading")
		}
		time.Sleep(time.Millisecond)
	}
	if err := conn.CancelRequest(ctx); err != nil {
		t.Fatalf("CancelRequest: %v", err)
	}
	if err := <-done; pgCode(err) != pgerr.QueryCanceled {
		t.Fatalf("CopyFrom = %v, want 57014", err)
	}
	if n := len(lastSession(t, ts).copiedLines()); n >= lines {
		t.Errorf("the statement read all %d lines despite the cancel", n)
	}
	if _, err := conn.Exec(ctx, "insert").ReadAll(); err != nil {
		t.Errorf("after the cancelled copy: %v", err)
	}
}
