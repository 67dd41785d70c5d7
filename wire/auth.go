package wire

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/pgerr"
)

// scramMechanism is the only SASL mechanism offered. SCRAM-SHA-256-PLUS
// (channel binding) is not offered; see doc.go.
const scramMechanism = "SCRAM-SHA-256"

// mockSCRAMIters is the iteration count shown for unknown users, PostgreSQL's
// default scram_iterations, so it looks like a real user's.
const mockSCRAMIters = 4096

const (
	// defaultAuthFailureDelay is Config.AuthFailureDelay's default: long
	// enough to slow a password guesser down to a few tries per second
	// per connection, short enough that a typo costs a person nothing.
	defaultAuthFailureDelay = 250 * time.Millisecond
	// maxDelayedAuthFailures bounds the connections waiting out a failure
	// delay at once. Each waits in its own connection goroutine (no
	// goroutine or timer is started per failure) while it still holds its
	// MaxConnections slot, so with max_connections set the delay cannot
	// add connections; this cap also bounds it when max_connections is 0.
	// Past the cap a failure is answered at once (and logged as such).
	maxDelayedAuthFailures = 64
)

// rejection is an authentication failure with the reason the server logs;
// the client only sees err, which never says whether the user exists.
type rejection struct {
	err    *pgerr.Error
	reason string
}

func (r *rejection) Error() string { return r.err.Error() }

func reject(err *pgerr.Error, reason string) error { return &rejection{err: err, reason: reason} }

// authenticate runs the method the Authenticator picks for user. A failure
// is logged (user, database, remote address, reason; never a password or
// verifier) and answered after a fixed delay, like PostgreSQL's auth_delay.
func (c *conn) authenticate(user, db string) error {
	err := c.runAuthentication(user, db)
	var r *rejection
	if !errors.As(err, &r) {
		return err
	}
	c.srv.cfg.Observer.AuthFailed()
	delayed := c.delayAuthFailure()
	c.log.Warn("authentication failed", zap.String("user", user), zap.String("database", db),
		zap.String("reason", r.reason), zap.String("sqlstate", r.err.Code), zap.Bool("delayed", delayed))
	return r.err
}

// delayAuthFailure waits the configured delay (or until the server aborts);
// false when it did not wait (no delay, or too many waiting already).
func (c *conn) delayAuthFailure() bool {
	d := c.srv.cfg.AuthFailureDelay
	if d == 0 {
		d = defaultAuthFailureDelay
	}
	if d < 0 {
		return false
	}
	select {
	case c.srv.authDelays <- struct{}{}:
		defer func() { <-c.srv.authDelays }()
	default:
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
	}
	return true
}

// runAuthentication runs the method the Authenticator picks for user
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP,
// https://www.postgresql.org/docs/current/sasl-authentication.html).
func (c *conn) runAuthentication(user, db string) error {
	auth := c.srv.cfg.Auth
	if auth == nil {
		return pgerr.New(pgerr.InvalidAuthorizationSpec, "no authentication configured").Fatal()
	}
	remote := c.raw.RemoteAddr()
	method, err := auth.Method(c.ctx, user, db, remote)
	if err != nil {
		pe := pgerr.From(err)
		if pe.Code == pgerr.InternalError {
			pe.Code = pgerr.InvalidAuthorizationSpec
		}
		return reject(pe.Fatal(), "refused before authentication: "+pe.Message)
	}
	switch method {
	case AuthTrust:
		if !isLoopback(remote) {
			return reject(pgerr.New(pgerr.InvalidAuthorizationSpec,
				"trust authentication is refused for user %q from non-loopback address %s", user, addrHost(remote)).
				WithHint("Configure password or SCRAM authentication for remote clients.").Fatal(),
				"trust authentication from a non-loopback address")
		}
		return nil
	case AuthPassword:
		return c.authCleartext(user)
	case AuthSCRAM:
		return c.authSCRAM(user)
	default:
		return pgerr.New(pgerr.InvalidAuthorizationSpec, "unknown authentication method %d", method).Fatal()
	}
}

// authFailed is the one message for a wrong password and an unknown user
// alike, so the answer does not reveal which users exist.
func authFailed(user string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidPassword, "password authentication failed for user %q", user).Fatal()
}

// authCleartext asks for the password in the clear (AuthenticationCleartextPassword).
func (c *conn) authCleartext(user string) error {
	if err := c.sendAuth(&pgproto3.AuthenticationCleartextPassword{}, pgproto3.AuthTypeCleartextPassword); err != nil {
		return err
	}
	msg, err := c.receiveAuth()
	if err != nil {
		return err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return pgerr.New(pgerr.ProtocolViolation, "expected password response, got %T", msg).Fatal()
	}
	if !c.srv.cfg.Auth.CheckPassword(user, pm.Password) {
		return reject(authFailed(user), "cleartext password does not match (or unknown user)")
	}
	return nil
}

// authSCRAM runs SCRAM-SHA-256: AuthenticationSASL, SASLInitialResponse
// (client-first), AuthenticationSASLContinue (server-first), SASLResponse
// (client-final), AuthenticationSASLFinal (server-final). PostgreSQL clients
// leave the SCRAM user name empty; the startup user is the one checked.
func (c *conn) authSCRAM(user string) error {
	creds, known := c.srv.scramCredentials(user)
	server, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return creds, nil })
	if err != nil {
		return pgerr.Wrap(err, pgerr.InternalError, "SCRAM setup").Fatal()
	}
	conv := server.NewConversation()
	if err := c.sendAuth(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{scramMechanism}}, pgproto3.AuthTypeSASL); err != nil {
		return err
	}
	first, err := c.receiveSASLInitial()
	if err != nil {
		return err
	}
	serverFirst, err := conv.Step(string(first))
	if err != nil {
		return reject(authFailed(user), "malformed SCRAM client-first message")
	}
	if err := c.sendAuth(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)}, pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	msg, err := c.receiveAuth()
	if err != nil {
		return err
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return pgerr.New(pgerr.ProtocolViolation, "expected SASL response, got %T", msg).Fatal()
	}
	serverFinal, err := conv.Step(string(resp.Data))
	if err != nil || !conv.Valid() {
		reason := "SCRAM proof does not match the stored verifier"
		if !known {
			reason = "unknown user"
		}
		return reject(authFailed(user), reason)
	}
	return c.out.send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
}

// receiveSASLInitial reads the client-first message and checks the mechanism.
func (c *conn) receiveSASLInitial() ([]byte, error) {
	msg, err := c.receiveAuth()
	if err != nil {
		return nil, err
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return nil, pgerr.New(pgerr.ProtocolViolation, "expected SASL response, got %T", msg).Fatal()
	}
	if init.AuthMechanism != scramMechanism {
		return nil, pgerr.New(pgerr.ProtocolViolation, "client selected an invalid SASL authentication mechanism").Fatal()
	}
	return init.Data, nil
}

// sendAuth sends an authentication request and tells the decoder what kind
// of 'p' message answers it.
func (c *conn) sendAuth(msg pgproto3.BackendMessage, authType uint32) error {
	if err := c.be.SetAuthType(authType); err != nil {
		return pgerr.Wrap(err, pgerr.InternalError, "set auth type").Fatal()
	}
	if err := c.out.send(msg); err != nil {
		return err
	}
	return c.out.flush()
}

// receiveAuth reads one message during authentication.
func (c *conn) receiveAuth() (pgproto3.FrontendMessage, error) {
	msg, err := c.be.Receive()
	if err != nil {
		return nil, c.readError(err)
	}
	if _, ok := msg.(*pgproto3.Terminate); ok {
		return nil, errTerminate // a client may give up instead of answering
	}
	return msg, nil
}

// scramCredentials returns user's stored secrets, or for an unknown user a
// mock whose salt is stable per user (derived from a per-server key, so
// repeated probes see the same salt, as for a real user) and whose keys no
// proof can match: the exchange runs to the end and fails like a wrong
// password (PostgreSQL's scram_mock_salt does the same). known is false
// for the mock (for the server's log only).
func (s *Server) scramCredentials(user string) (creds scram.StoredCredentials, known bool) {
	if c, ok := s.cfg.Auth.SCRAMCredentials(user); ok {
		return scram.StoredCredentials{
			KeyFactors: scram.KeyFactors{Salt: string(c.Salt), Iters: c.Iters},
			StoredKey:  c.StoredKey, ServerKey: c.ServerKey,
		}, true
	}
	mac := hmac.New(sha256.New, s.scramKey)
	mac.Write([]byte("mock salt\x00" + user))
	stored, server := make([]byte, sha256.Size), make([]byte, sha256.Size)
	_, _ = rand.Read(stored) // never fails (Go ≥ 1.24)
	_, _ = rand.Read(server)
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(mac.Sum(nil)[:16]), Iters: mockSCRAMIters},
		StoredKey:  stored, ServerKey: server,
	}, false
}

// isLoopback reports whether a client connects from this machine (a TCP
// loopback address or a Unix socket).
func isLoopback(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	ip := net.ParseIP(addrHost(a))
	return ip != nil && ip.IsLoopback()
}

// addrHost is the host part of an address, for messages.
func addrHost(a net.Addr) string {
	if a == nil {
		return "unknown"
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
