package wire

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/pgerr"
)

// idleSessionTimeout is PostgreSQL's idle_session_timeout SQLSTATE (57P05),
// not (yet) among pgerr's constants.
const idleSessionTimeout = "57P05"

// fatalWriteTimeout bounds the last write of a dying connection, so a client
// that stopped reading cannot hold Shutdown up.
const fatalWriteTimeout = time.Second

// errTerminate ends a connection quietly: Terminate, a served CancelRequest,
// or a client gone away.
var errTerminate = errors.New("wire: connection terminated")

// connState is a connection's place in the protocol.
type connState int

const (
	// stateStartup: negotiating SSL, reading the StartupMessage,
	// authenticating. Shutdown may close the connection at once.
	stateStartup connState = iota
	// stateReady: ReadyForQuery sent, waiting for the next query cycle.
	// Shutdown may close the connection at once.
	stateReady
	// stateBusy: inside a query cycle (a Query, or extended-protocol
	// messages up to Sync). Shutdown lets it finish.
	stateBusy
	// stateDiscarding: an extended-protocol message failed; every message
	// up to the next Sync is discarded
	// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY).
	stateDiscarding
)

func (s connState) String() string {
	switch s {
	case stateStartup:
		return "startup"
	case stateReady:
		return "ready"
	case stateBusy:
		return "busy"
	case stateDiscarding:
		return "discarding"
	}
	return "connState(" + strconv.Itoa(int(s)) + ")"
}

// conn is one client connection. Everything but mu's fields belongs to the
// connection's own goroutine.
type conn struct {
	srv *Server
	raw net.Conn // the accepted socket; closing it or moving its deadline reaches TLS too
	rw  net.Conn // raw, or the TLS connection over it after SSLRequest
	log *zap.Logger

	ctx    context.Context // derived from the server's; cancelled when the connection ends
	cancel context.CancelFunc

	sock *sockReader   // remembers socket errors so they are not mistaken for protocol errors
	br   *bufio.Reader // buffers the socket; pgproto3 reads through it after startup
	be   *pgproto3.Backend
	out  *msgWriter

	tls       bool
	pid       uint32 // BackendKeyData process id; 0 until registered
	secret    []byte // BackendKeyData secret key; set before pid is registered
	holdsSlot bool   // holds a MaxConnections slot; guarded by srv.mu

	sess    Session
	stmts   map[string]*prepared // prepared statements by name ("" = unnamed)
	portals map[string]*portal   // portals by name ("" = unnamed)

	mu sync.Mutex
	// state is where the connection is in the protocol. Only the
	// connection's goroutine changes it (under mu, via setState) and reads
	// it without mu; Shutdown reads it under mu.
	state      connState
	reading    bool               // blocked (or about to block) reading a message; guarded by mu
	stmtCancel context.CancelFunc // the running statement's cancel, for CancelRequest; guarded by mu
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{
		srv: s, raw: nc, rw: nc, ctx: ctx, cancel: cancel,
		log:     s.log.With(zap.Stringer("remote", remoteAddr{nc})),
		stmts:   map[string]*prepared{},
		portals: map[string]*portal{},
		state:   stateStartup, reading: true,
	}
	c.setReader(nc)
	c.out = &msgWriter{w: nc}
	return c
}

// setReader (re)builds the buffered reader over r (the socket, or TLS).
func (c *conn) setReader(r net.Conn) {
	c.sock = &sockReader{r: r}
	c.br = bufio.NewReaderSize(c.sock, 8<<10)
}

// serve runs the connection to its end.
func (c *conn) serve() {
	defer c.srv.untrackConn(c)
	defer c.close()
	err := c.startup()
	if err == nil {
		err = c.loop()
	}
	c.finish(err)
}

// loop is the message loop of an authenticated connection: read one message,
// dispatch it, until Terminate or a fatal error.
func (c *conn) loop() error {
	for {
		msg, err := c.receive()
		if err != nil {
			return err
		}
		if err := c.dispatch(msg); err != nil {
			return err
		}
	}
}

// dispatch routes one frontend message to its handler. After an error in the
// extended protocol every message but Sync (and Terminate) is discarded.
func (c *conn) dispatch(msg pgproto3.FrontendMessage) error {
	if c.state == stateDiscarding {
		switch msg.(type) {
		case *pgproto3.Sync, *pgproto3.Terminate:
		default:
			return nil
		}
	}
	switch m := msg.(type) {
	case *pgproto3.Query:
		return c.handleQuery(m)
	case *pgproto3.Parse:
		return c.handleParse(m)
	case *pgproto3.Bind:
		return c.handleBind(m)
	case *pgproto3.Describe:
		return c.handleDescribe(m)
	case *pgproto3.Execute:
		return c.handleExecute(m)
	case *pgproto3.Close:
		return c.handleClose(m)
	case *pgproto3.Sync:
		return c.handleSync()
	case *pgproto3.Flush:
		return c.out.flush()
	case *pgproto3.Terminate:
		return errTerminate
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Outside copy-in these are ignored, as PostgreSQL's PostgresMain
		// does ("accept but ignore these messages, per protocol spec"): a
		// client may still be sending them after a COPY failed. During
		// copy-in the copyReader (copy.go) reads them, not this loop.
		return nil
	case *pgproto3.FunctionCall:
		return c.handleFunctionCall()
	default:
		return pgerr.New(pgerr.ProtocolViolation, "unexpected message %T", msg).Fatal()
	}
}

// receive reads the next message, with the idle deadline armed between
// query cycles. The message loop and a running COPY FROM STDIN both read
// through it.
func (c *conn) receive() (pgproto3.FrontendMessage, error) {
	if err := c.beginRead(); err != nil {
		return nil, err
	}
	msg, err := c.be.Receive()
	if err != nil {
		// readError must still see the state as it was: a read woken by
		// Shutdown while ready is a shutdown, not a client error.
		return nil, c.readError(err)
	}
	c.endRead()
	return msg, nil
}

// beginRead arms the read deadline and marks the connection as reading, so
// Shutdown can wake it. IdleTimeout applies only after ReadyForQuery, like
// PostgreSQL's idle_session_timeout: not between the messages of an
// extended-protocol cycle, nor inside a COPY. It refuses once Shutdown wants
// this connection gone; the check and the mark are atomic with Shutdown's
// poke.
func (c *conn) beginRead() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shutdownWantedLocked() {
		return shutdownError()
	}
	var deadline time.Time
	if d := c.srv.cfg.IdleTimeout; d > 0 && c.state == stateReady {
		deadline = time.Now().Add(d)
	}
	if err := c.raw.SetReadDeadline(deadline); err != nil {
		return errTerminate
	}
	c.reading = true
	return nil
}

// endRead marks a message received: a query cycle is under way.
func (c *conn) endRead() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reading = false
	if c.state == stateReady {
		c.state = stateBusy
	}
}

// setState moves the connection to s.
func (c *conn) setState(s connState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = s
}

// shutdownWantedLocked: Shutdown closes connections between query cycles
// (or still starting) at once, and all of them when its grace is over.
// Caller holds mu.
func (c *conn) shutdownWantedLocked() bool {
	if c.srv.aborting.Load() {
		return true
	}
	return c.srv.inShutdown.Load() && (c.state == stateStartup || c.state == stateReady)
}

// readError turns a failed read into the error that ends the connection:
// socket errors end it quietly (or with 57P01/57P05 when we caused them),
// anything else is a malformed or oversize message (08P01).
func (c *conn) readError(err error) error {
	c.mu.Lock()
	shutdown := c.shutdownWantedLocked()
	c.mu.Unlock()
	if shutdown {
		return shutdownError()
	}
	if sockErr := c.sock.err; sockErr != nil {
		var ne net.Error
		if errors.As(sockErr, &ne) && ne.Timeout() && c.srv.cfg.IdleTimeout > 0 {
			return &pgerr.Error{Code: idleSessionTimeout, Severity: "FATAL",
				Message: "terminating connection due to idle-session timeout"}
		}
		return errTerminate
	}
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	if errors.As(err, &tooBig) {
		return pgerr.New(pgerr.ProtocolViolation, "message of %d bytes exceeds the limit of %d bytes",
			tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen).Fatal()
	}
	return pgerr.Wrap(err, pgerr.ProtocolViolation, "invalid frontend message").Fatal()
}

func shutdownError() *pgerr.Error {
	return pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command").Fatal()
}

// interruptIfIdle wakes the connection if it is waiting for its next query
// cycle (or still starting), so it sees the shutdown.
func (c *conn) interruptIfIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reading && (c.state == stateStartup || c.state == stateReady) {
		_ = c.raw.SetReadDeadline(time.Unix(1, 0))
	}
}

// interrupt wakes the connection whatever it is doing (Shutdown's grace is over).
func (c *conn) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.raw.SetReadDeadline(time.Unix(1, 0))
}

// finish reports why the connection ends: a FATAL error is sent to the
// client (best effort, bounded in time); others are only logged.
func (c *conn) finish(err error) {
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		if err != nil && !errors.Is(err, errTerminate) {
			c.log.Debug("connection closed", zap.Stringer("state", c.state), zap.Error(err))
		}
		return
	}
	pe = pgerr.From(err)
	pe.Severity = "FATAL"
	c.log.Debug("connection closed with error", zap.Stringer("state", c.state), zap.String("sqlstate", pe.Code), zap.String("message", pe.Message))
	_ = c.raw.SetWriteDeadline(time.Now().Add(fatalWriteTimeout))
	_ = c.out.send(errorResponse(pe))
	_ = c.out.flush()
}

// close releases the session and the socket.
func (c *conn) close() {
	c.closeAllPortals()
	for name := range c.stmts {
		c.closeStatement(name)
	}
	if c.sess != nil {
		if err := c.sess.Close(); err != nil {
			c.log.Warn("closing session", zap.Error(err))
		}
	}
	c.cancel()
	_ = c.rw.Close()
}

// statementCtx is the context one message's work runs under: CancelRequest
// cancels it. The returned func must be called when the work is done.
func (c *conn) statementCtx() (context.Context, func()) {
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.stmtCancel = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.stmtCancel = nil
		c.mu.Unlock()
		cancel()
	}
}

// cancelStatement is CancelRequest's effect: the running statement, if any,
// sees its ctx cancelled. Called from another connection's goroutine.
func (c *conn) cancelStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmtCancel != nil {
		c.stmtCancel()
	}
}

// readyForQuery ends a query cycle: ReadyForQuery with the session's real
// transaction status, then everything buffered is flushed.
func (c *conn) readyForQuery() error {
	if err := c.out.send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()}); err != nil {
		return err
	}
	if err := c.out.flush(); err != nil {
		return err
	}
	c.setState(stateReady)
	return nil
}

// handleFunctionCall answers the legacy fastpath function call, which we do
// not implement (clients use SELECT instead).
func (c *conn) handleFunctionCall() error {
	err := pgerr.Unsupported("the fastpath function call protocol", "call the function with SELECT")
	if ferr := c.sendError(c.ctx, err); ferr != nil {
		return ferr
	}
	return c.readyForQuery()
}

// remoteAddr prints a connection's remote address lazily for logs.
type remoteAddr struct{ nc net.Conn }

func (r remoteAddr) String() string {
	if a := r.nc.RemoteAddr(); a != nil {
		return a.String()
	}
	return "unknown"
}

// sockReader remembers the socket's last read error, which tells a client
// that went away (or timed out) apart from one that sent garbage.
type sockReader struct {
	r   net.Conn
	err error
}

func (s *sockReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil {
		s.err = err
	}
	return n, err
}
