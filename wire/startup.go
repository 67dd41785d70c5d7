package wire

import (
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Startup packet codes (protocol-message-formats.html). pgproto3 keeps the
// request codes unexported.
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
	// maxStartupPacket is PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
	// maxAuthMessage caps messages during authentication, like PostgreSQL's
	// PG_MAX_AUTH_TOKEN_LENGTH: nobody needs 16 MiB to send a password.
	maxAuthMessage = 65535
	// cannotConnectNow is PostgreSQL's 57P03, not among pgerr's constants.
	cannotConnectNow = "57P03"
)

// startup runs the connection's start
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP):
// optional SSLRequest/GSSENCRequest negotiation, then a StartupMessage (or a
// CancelRequest, which ends the connection), authentication, and the first
// ReadyForQuery. The whole phase is bounded by startupTimeout.
func (c *conn) startup() error {
	if err := c.armStartupDeadline(); err != nil {
		return err
	}
	negotiatedSSL, negotiatedGSS := false, false
	for {
		body, err := c.readStartupPacket()
		if err != nil {
			return err
		}
		switch code := binary.BigEndian.Uint32(body); code {
		case sslRequestCode:
			if negotiatedSSL || len(body) != 4 {
				return pgerr.New(pgerr.ProtocolViolation, "unexpected SSLRequest").Fatal()
			}
			negotiatedSSL = true
			if err := c.handleSSLRequest(); err != nil {
				return err
			}
		case gssEncRequestCode:
			if negotiatedGSS || len(body) != 4 {
				return pgerr.New(pgerr.ProtocolViolation, "unexpected GSSENCRequest").Fatal()
			}
			negotiatedGSS = true
			// GSSAPI encryption is not supported: answer 'N' and the
			// client goes on in the clear (or with SSLRequest).
			if err := c.answerNegotiation('N'); err != nil {
				return err
			}
		case cancelRequestCode:
			c.handleCancelRequest(body)
			return errTerminate
		case pgproto3.ProtocolVersion30, pgproto3.ProtocolVersion32:
			return c.handleStartupMessage(body)
		default:
			return pgerr.New(pgerr.FeatureNotSupported, "unsupported frontend protocol %d.%d: server supports 3.0 to 3.2",
				code>>16, code&0xffff).Fatal()
		}
	}
}

// armStartupDeadline bounds the startup phase; like beginRead it refuses
// once Shutdown has begun.
func (c *conn) armStartupDeadline() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shutdownWantedLocked() {
		return pgerr.New(cannotConnectNow, "the database system is shutting down").Fatal()
	}
	if err := c.raw.SetDeadline(time.Now().Add(startupTimeout)); err != nil {
		return errTerminate
	}
	return nil
}

// readStartupPacket reads one length-prefixed startup packet (no type byte).
// The length is checked before anything is allocated.
func (c *conn) readStartupPacket() ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c.br, hdr[:]); err != nil {
		return nil, c.startupReadError(err)
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < 8 || n > maxStartupPacket {
		return nil, pgerr.New(pgerr.ProtocolViolation, "invalid length of startup packet").Fatal()
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(c.br, body); err != nil {
		return nil, c.startupReadError(err)
	}
	return body, nil
}

// startupReadError: a client that hangs up during startup (psql does, to ask
// for a password) is not an error worth a message.
func (c *conn) startupReadError(err error) error {
	c.mu.Lock()
	shutdown := c.shutdownWantedLocked()
	c.mu.Unlock()
	if shutdown {
		return pgerr.New(cannotConnectNow, "the database system is shutting down").Fatal()
	}
	if c.sock.err != nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTerminate
	}
	return pgerr.Wrap(err, pgerr.ProtocolViolation, "incomplete startup packet").Fatal()
}

// handleSSLRequest answers 'S' and runs the TLS handshake when TLS is
// configured, else 'N'
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL).
func (c *conn) handleSSLRequest() error {
	if c.srv.cfg.TLS == nil {
		return c.answerNegotiation('N')
	}
	if err := c.answerNegotiation('S'); err != nil {
		return err
	}
	tc := tls.Server(c.raw, c.srv.cfg.TLS)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		c.log.Debug("TLS handshake failed")
		return errTerminate
	}
	c.rw, c.tls = tc, true
	c.setReader(tc)
	c.out.w = tc
	return nil
}

// answerNegotiation sends the one-byte answer to SSLRequest/GSSENCRequest.
// Bytes the client sent after its request but before reading our answer
// would be taken as data of the encrypted (or plaintext) session although
// they were never protected: refuse them, as PostgreSQL does since
// CVE-2021-23214 ("received unencrypted data after SSL request").
func (c *conn) answerNegotiation(answer byte) error {
	if c.br.Buffered() > 0 {
		return pgerr.New(pgerr.ProtocolViolation, "received unencrypted data after SSL request").
			WithDetail("This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.").Fatal()
	}
	if _, err := c.rw.Write([]byte{answer}); err != nil {
		return errTerminate
	}
	return nil
}

// handleCancelRequest cancels the statement running on the connection the
// request names, if the secret matches (compared in constant time). No
// answer is sent either way
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS).
func (c *conn) handleCancelRequest(body []byte) {
	var req pgproto3.CancelRequest
	if err := req.Decode(body); err != nil {
		c.log.Debug("malformed CancelRequest")
		return
	}
	target := c.srv.lookupPID(req.ProcessID)
	if target == nil {
		return
	}
	if subtle.ConstantTimeCompare(target.secret, req.SecretKey) == 1 {
		target.cancelStatement()
	}
}

// handleStartupMessage checks the StartupMessage, authenticates, creates the
// session and ends with the first ReadyForQuery.
func (c *conn) handleStartupMessage(body []byte) error {
	var sm pgproto3.StartupMessage
	if err := sm.Decode(body); err != nil {
		return pgerr.Wrap(err, pgerr.ProtocolViolation, "invalid startup packet").Fatal()
	}
	if c.srv.cfg.RequireTLS && !c.tls {
		return pgerr.New(pgerr.InvalidAuthorizationSpec, "SSL connection is required").
			WithHint("Connect with sslmode=require.").Fatal()
	}
	user := sm.Parameters["user"]
	if user == "" {
		return pgerr.New(pgerr.InvalidAuthorizationSpec, "no PostgreSQL user name specified in startup packet").Fatal()
	}
	if r := sm.Parameters["replication"]; r != "" && r != "false" && r != "off" && r != "0" && r != "no" {
		return pgerr.Unsupported("replication connections", "fazproxy has no write-ahead log to stream").Fatal()
	}
	db := sm.Parameters["database"]
	if db == "" {
		db = user
	}
	if !c.srv.acquireSlot(c) {
		return pgerr.New(pgerr.TooManyConnections, "sorry, too many clients already").Fatal()
	}
	c.be = pgproto3.NewBackend(c.br, nil)
	c.be.SetMaxBodyLen(min(maxAuthMessage, c.srv.cfg.MaxMessageBytes))
	if err := c.negotiateProtocol(&sm); err != nil {
		return err
	}
	if err := c.authenticate(user, db); err != nil {
		return err
	}
	if err := c.out.send(&pgproto3.AuthenticationOk{}); err != nil {
		return err
	}
	if err := c.startSession(&sm, user, db); err != nil {
		return err
	}
	c.be.SetMaxBodyLen(c.srv.cfg.MaxMessageBytes)
	if err := c.raw.SetDeadline(time.Time{}); err != nil {
		return errTerminate
	}
	return c.readyForQuery()
}

// negotiateProtocol answers NegotiateProtocolVersion when the client asked
// for protocol options ("_pq_." parameters) we do not know; we know none.
// Both 3.0 and 3.2 are served as asked (3.2 only changes the length of the
// cancel key, which we honour in startSession).
func (c *conn) negotiateProtocol(sm *pgproto3.StartupMessage) error {
	var unknown []string
	for name := range sm.Parameters {
		if strings.HasPrefix(name, "_pq_.") {
			unknown = append(unknown, name)
			delete(sm.Parameters, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return c.out.send(&pgproto3.NegotiateProtocolVersion{
		NewestMinorProtocol: sm.ProtocolVersion & 0xffff,
		UnrecognizedOptions: unknown,
	})
}

// startSession registers the connection for CancelRequest, creates the
// session and sends ParameterStatus and BackendKeyData (in PostgreSQL's order).
func (c *conn) startSession(sm *pgproto3.StartupMessage, user, db string) error {
	// Protocol 3.2 allows (and PostgreSQL 18 sends) a 32-byte secret;
	// 3.0 clients expect exactly 4 bytes.
	secretLen := 4
	if sm.ProtocolVersion == pgproto3.ProtocolVersion32 {
		secretLen = 32
	}
	c.secret = make([]byte, secretLen)
	_, _ = rand.Read(c.secret) // never fails (Go ≥ 1.24)
	c.pid = c.srv.register(c)
	info := StartupInfo{
		User: user, Database: db, Params: sm.Parameters,
		RemoteAddr: c.raw.RemoteAddr(), ProcessID: c.pid, TLS: c.tls,
	}
	sess, err := c.srv.cfg.Backend.NewSession(c.ctx, info)
	if err != nil {
		pe := pgerr.From(err)
		return pe.Fatal()
	}
	c.sess = sess
	c.log.Debug("connection authenticated", zap.String("user", user), zap.String("database", db),
		zap.Uint32("pid", c.pid), zap.Bool("tls", c.tls))
	for _, p := range sess.ParameterStatus() {
		if err := c.out.send(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value}); err != nil {
			return err
		}
	}
	return c.out.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
}
