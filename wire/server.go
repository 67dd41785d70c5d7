package wire

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// Config configures a Server.
type Config struct {
	Backend Backend
	Auth    Authenticator
	Log     *zap.Logger
	// TLS, when set, lets clients upgrade with SSLRequest; RequireTLS refuses
	// clients that do not.
	TLS        *tls.Config
	RequireTLS bool
	// MaxMessageBytes caps every frontend message (0 = 16 MiB); larger ones
	// get 08P01 and the connection is closed.
	MaxMessageBytes int
	// MaxConnections: the next connection gets 53300 (0 = unlimited).
	MaxConnections int
	// IdleTimeout closes a connection that waits this long after
	// ReadyForQuery (0 = never). It does not apply inside a query cycle:
	// between extended-protocol messages before Sync, or during a COPY.
	IdleTimeout time.Duration
	// AuthFailureDelay is how long a failed authentication waits before
	// its error is sent (0 = 250ms, negative = none); see auth.go.
	AuthFailureDelay time.Duration
	// Observer, when set, is told when connections open and close and when
	// authentication fails (package metrics counts them).
	Observer Observer
}

// Observer is told about connection lifecycle events. Its methods are called
// from connection goroutines, concurrently, and must not block.
type Observer interface {
	ConnectionOpened()
	ConnectionClosed()
	AuthFailed()
}

// nopObserver is the Observer of a Config without one.
type nopObserver struct{}

func (nopObserver) ConnectionOpened() {}
func (nopObserver) ConnectionClosed() {}
func (nopObserver) AuthFailed()       {}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("wire: server closed")

const (
	// defaultMaxMessageBytes is Config.MaxMessageBytes' default.
	defaultMaxMessageBytes = 16 << 20
	// startupTimeout bounds SSL negotiation, the startup packet and
	// authentication, like PostgreSQL's authentication_timeout (60s), so a
	// client that connects and says nothing cannot hold a goroutine forever.
	startupTimeout = 60 * time.Second
	// forceCloseGrace is how long Shutdown, once its ctx is done, lets
	// connections send 57P01 themselves before it closes their sockets.
	forceCloseGrace = 200 * time.Millisecond
)

// Server serves the PostgreSQL v3 protocol. Like net/http: build it, Serve a
// listener, Shutdown to stop.
type Server struct {
	cfg      Config
	log      *zap.Logger
	scramKey []byte // per-server secret for mock SCRAM salts (see auth.go)
	// authDelays counts the connections waiting out a failed
	// authentication (a semaphore, capacity maxDelayedAuthFailures).
	authDelays chan struct{}

	// ctx is the parent of every connection's ctx; abort cancels it when
	// Shutdown's ctx is done.
	ctx   context.Context
	abort context.CancelFunc

	nextPID    atomic.Uint32 // last BackendKeyData process id handed out
	inShutdown atomic.Bool   // set once by Shutdown; read by every connection
	aborting   atomic.Bool   // set when Shutdown's ctx is done

	mu        sync.Mutex
	listeners map[net.Listener]struct{} // guarded by mu
	conns     map[*conn]struct{}        // every live connection; guarded by mu
	byPID     map[uint32]*conn          // connections past startup, by process id; guarded by mu
	sessions  int                       // connections holding a MaxConnections slot; guarded by mu
	wg        sync.WaitGroup            // one per connection goroutine
}

// NewServer builds a server.
func NewServer(cfg Config) *Server {
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = defaultMaxMessageBytes
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	log := cfg.Log
	if log == nil {
		log = zap.NewNop()
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never returns an error (Go ≥ 1.24)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg, log: log, scramKey: key, ctx: ctx, abort: cancel,
		authDelays: make(chan struct{}, maxDelayedAuthFailures),
		listeners:  map[net.Listener]struct{}{},
		conns:      map[*conn]struct{}{},
		byPID:      map[uint32]*conn{},
	}
	// Process ids start at a random-looking but plausible value so two
	// replicas behind a load balancer rarely hand out the same ids.
	s.nextPID.Store(1000 + uint32(binary.BigEndian.Uint16(key)))
	return s
}

// Serve accepts connections on ln until Shutdown; it returns ErrServerClosed
// after Shutdown. Each connection runs in its own goroutine.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(ln) {
		_ = ln.Close()
		return ErrServerClosed
	}
	defer s.untrackListener(ln)
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			if temporaryAcceptError(err) {
				// Out of file descriptors, or a connection aborted before
				// we took it: back off as net/http does instead of
				// spinning or giving up.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c := newConn(s, nc)
		if !s.trackConn(c) {
			_ = nc.Close()
			return ErrServerClosed
		}
		go c.serve()
	}
}

// Shutdown stops accepting, lets running statements finish until ctx is done,
// then closes every connection (sending 57P01 admin_shutdown). Idle
// connections are closed at once; busy ones when their current query cycle
// ends with ReadyForQuery. It returns ctx.Err() if connections had to be
// cut off.
func (s *Server) Shutdown(ctx context.Context) error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	for ln := range s.listeners {
		_ = ln.Close()
	}
	conns := s.snapshotLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.interruptIfIdle()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	// Grace is over: cancel running statements and wake every reader; each
	// connection then sends 57P01 itself. Whatever is still alive after a
	// short grace gets its socket closed under it.
	s.aborting.Store(true)
	s.abort()
	for _, c := range s.snapshot() {
		c.interrupt()
	}
	select {
	case <-done:
	case <-time.After(forceCloseGrace):
		for _, c := range s.snapshot() {
			_ = c.raw.Close()
		}
	}
	return ctx.Err()
}

func temporaryAcceptError(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || (errors.As(err, &ne) && ne.Timeout())
}

func (s *Server) trackListener(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return false
	}
	s.listeners[ln] = struct{}{}
	return true
}

func (s *Server) untrackListener(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.listeners, ln)
}

// trackConn registers c; false once Shutdown has begun (checked under mu so
// Shutdown's snapshot cannot miss a connection).
func (s *Server) trackConn(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.cfg.Observer.ConnectionOpened()
	return true
}

// untrackConn forgets c and frees its MaxConnections slot.
func (s *Server) untrackConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if c.pid != 0 && s.byPID[c.pid] == c {
		delete(s.byPID, c.pid)
	}
	if c.holdsSlot {
		s.sessions--
	}
	s.mu.Unlock()
	s.cfg.Observer.ConnectionClosed()
	s.wg.Done()
}

// acquireSlot takes a MaxConnections slot for c. CancelRequest connections
// never take one, so a full server can still be asked to cancel.
func (s *Server) acquireSlot(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.MaxConnections > 0 && s.sessions >= s.cfg.MaxConnections {
		return false
	}
	s.sessions++
	c.holdsSlot = true
	return true
}

// register assigns c a process id for BackendKeyData and CancelRequest.
func (s *Server) register(c *conn) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		pid := s.nextPID.Add(1)
		if _, taken := s.byPID[pid]; pid != 0 && !taken {
			s.byPID[pid] = c
			return pid
		}
	}
}

// lookupPID finds the connection a CancelRequest names.
func (s *Server) lookupPID(pid uint32) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byPID[pid]
}

func (s *Server) snapshot() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotLocked()
}

func (s *Server) snapshotLocked() []*conn {
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}
