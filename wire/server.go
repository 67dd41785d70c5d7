package wire

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
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
	// IdleTimeout closes a connection idle (between statements) this long (0 = never).
	IdleTimeout time.Duration
}

// Server serves the PostgreSQL v3 protocol. Like net/http: build it, Serve a
// listener, Shutdown to stop.
type Server struct {
	cfg Config // CONTRACT STUB: implemented by the wire owner
}

// NewServer builds a server.
func NewServer(cfg Config) *Server { return &Server{cfg: cfg} }

// Serve accepts connections on ln until Shutdown; it returns ErrServerClosed
// after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return fmt.Errorf("wire: Serve not implemented yet (contract stub)")
}

// Shutdown stops accepting, lets running statements finish until ctx is done,
// then closes every connection (sending 57P01 admin_shutdown).
func (s *Server) Shutdown(ctx context.Context) error { return nil }
