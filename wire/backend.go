package wire

import (
	"context"
	"io"
	"net"

	"github.com/fazproxy/fazproxy/pgerr"
)

// This file is the contract between the protocol server and whatever executes
// statements (package session). The server decodes messages, runs the protocol
// state machine and encodes results; the Backend knows SQL. Values cross this
// boundary already encoded ([][]byte per row, in the formats the client asked
// for), so wire never needs to know a SQL type.

// FieldDesc describes one result column for RowDescription.
type FieldDesc struct {
	Name         string
	TableOID     uint32
	AttNum       int16
	TypeOID      uint32
	TypeSize     int16
	TypeModifier int32
	Format       int16 // 0 text, 1 binary (filled in from Bind's result formats)
}

// StartupInfo is what the client said in its StartupMessage, after auth.
type StartupInfo struct {
	User       string
	Database   string
	Params     map[string]string // every startup parameter, incl. options, application_name
	RemoteAddr net.Addr
	ProcessID  uint32 // BackendKeyData process id assigned to this connection
	TLS        bool
}

// AuthMethod is how a connection must authenticate.
type AuthMethod int

const (
	AuthSCRAM    AuthMethod = iota // SCRAM-SHA-256 (default)
	AuthPassword                   // cleartext password (only sensible over TLS)
	AuthTrust                      // no password; the server allows it on loopback only
)

// Credentials are a user's stored SCRAM-SHA-256 secrets (as in a verifier string
// "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>").
type Credentials struct {
	Salt      []byte
	Iters     int
	StoredKey []byte
	ServerKey []byte
}

// Authenticator decides how a user authenticates and checks secrets. It must
// take constant-ish time and never log a secret.
type Authenticator interface {
	// Method returns how user must authenticate to database, or an error
	// (28000) when the user may not connect at all.
	Method(ctx context.Context, user, database string, remote net.Addr) (AuthMethod, error)
	// SCRAMCredentials returns the stored SCRAM secrets for user; ok=false when
	// the user is unknown (the server then runs a mock exchange and fails it).
	SCRAMCredentials(user string) (c Credentials, ok bool)
	// CheckPassword verifies a cleartext password.
	CheckPassword(user, password string) bool
}

// Backend creates sessions for authenticated connections.
type Backend interface {
	// NewSession is called after authentication. An error (with SQLSTATE, e.g.
	// 3D000 for an unknown database) is sent as FATAL and the connection closed.
	NewSession(ctx context.Context, info StartupInfo) (Session, error)
}

// Session is one connection's SQL state. The server calls it from one goroutine
// (the connection's), except Cancel, which comes from another connection.
type Session interface {
	// ParameterStatus returns the parameters reported at startup, in order.
	ParameterStatus() []ParamStatus
	// Prepare parses text (which may hold zero statements — the empty query —
	// or, for the simple protocol, several) into statements. For the extended
	// protocol the server requires exactly zero or one statement (42601 otherwise).
	// paramTypes are the OIDs the client declared in Parse (0 = unspecified).
	Prepare(ctx context.Context, text string, paramTypes []uint32) ([]Statement, error)
	// TxStatus is the ReadyForQuery status byte: 'I' idle, 'T' in a transaction
	// block, 'E' in a failed transaction block.
	TxStatus() byte
	// Close releases everything the session holds (called once, at disconnect).
	Close() error
}

// Statement is one parsed and planned statement (a prepared statement when named).
type Statement interface {
	// Empty reports the empty query (only comments or whitespace).
	Empty() bool
	// ParamTypes are the parameter OIDs (resolved; for ParameterDescription).
	ParamTypes() []uint32
	// Fields describes the result columns, or nil when the statement returns no
	// rows (NoData). Format fields are 0 here.
	Fields() []FieldDesc
	// Bind makes a portal. params are raw values (nil = NULL) in paramFormats
	// (len 0: all text; len 1: all that one; else one per param), and
	// resultFormats likewise for result columns. Decoding errors carry 22P02/22P03.
	Bind(ctx context.Context, params [][]byte, paramFormats []int16, resultFormats []int16) (Portal, error)
	// Close releases the statement.
	Close()
}

// Portal is a bound statement ready to run, possibly in several Executes.
type Portal interface {
	// Fields describes the result columns with their result formats set, or nil.
	Fields() []FieldDesc
	// Execute runs the portal, sending at most maxRows rows (0 = no limit) to out.
	// It returns the command tag when the portal completed, or suspended=true when
	// maxRows rows were sent and more may follow (PortalSuspended). ctx is
	// cancelled by CancelRequest; the session applies statement_timeout itself.
	Execute(ctx context.Context, maxRows int, out ResultWriter) (tag string, suspended bool, err error)
	// Close releases the portal (and any DynamoDB pagination state it holds).
	Close()
}

// ResultWriter receives what a running statement sends to the client.
type ResultWriter interface {
	// Row sends one DataRow; values are already encoded (nil = NULL).
	Row(values [][]byte) error
	// Notice sends a NoticeResponse (Severity NOTICE/WARNING/INFO).
	Notice(n *pgerr.Error) error
	// ParameterStatus reports a changed run-time parameter (after SET).
	ParameterStatus(name, value string) error
}

// CopyWriter is implemented by the ResultWriter the server passes to
// Portal.Execute: a COPY ... FROM STDIN or TO STDOUT statement type-asserts
// out to it. One Execute does at most one COPY, in one direction
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY),
// in the simple and the extended protocol alike. Execute must then return
// suspended=false (max rows does not apply to COPY) and a tag "COPY n".
// Like the rest of the ResultWriter, it and the reader CopyIn returns are
// used only on Execute's goroutine and only until Execute returns.
type CopyWriter interface {
	// CopyIn sends CopyInResponse (format 0 text or 1 binary; columnFormats
	// one per column, all 0 when format is 0) and returns the client's
	// CopyData payloads as one byte stream (message boundaries mean
	// nothing). Read returns io.EOF after CopyDone, and a 57014 error
	// "COPY from stdin failed: <the client's message>" after CopyFail.
	// Execute should read until one of those. If it returns earlier, with
	// or without an error, the server reads and discards the rest of the
	// client's data before it answers (CommandComplete or ErrorResponse), so
	// the connection stays in step; a CopyFail seen then is reported.
	// Read blocks on the client and does not watch ctx (PostgreSQL too holds
	// cancels while it reads a message): a CancelRequest is seen by Execute
	// between reads. When the connection fails or the client breaks the
	// protocol during the copy, Read returns an error and the server ends
	// the connection whatever Execute returns.
	CopyIn(format int16, columnFormats []int16) (io.Reader, error)
	// CopyOut sends CopyOutResponse (formats as for CopyIn).
	CopyOut(format int16, columnFormats []int16) error
	// CopyData sends one CopyData message after CopyOut; b is copied, so
	// the caller may reuse it (PostgreSQL sends one message per row).
	// Output is written every 64 KiB, so COPY TO streams. The server sends
	// CopyDone when Execute returns without error; after an error its
	// ErrorResponse ends the copy, as in PostgreSQL.
	CopyData(b []byte) error
}

// ParamStatus is one ParameterStatus message.
type ParamStatus struct{ Name, Value string }
