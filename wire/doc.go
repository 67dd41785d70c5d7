// Package wire is fazproxy's PostgreSQL v3 protocol server. It speaks bytes
// and protocol state only: SQL is the Backend's (package session) business,
// and values cross the boundary already encoded (see backend.go). Messages
// are decoded and encoded with github.com/jackc/pgx/v5/pgproto3; the
// protocol is described at
// https://www.postgresql.org/docs/current/protocol-flow.html and
// https://www.postgresql.org/docs/current/protocol-message-formats.html.
//
// # How a connection lives
//
// Serve accepts a socket and runs it in its own goroutine with a context
// derived from the server's (conn.serve). The connection then goes through:
//
//  1. Negotiation (startup.go). Startup packets have no type byte and are at
//     most 10000 bytes (PostgreSQL's MAX_STARTUP_PACKET_LENGTH), checked
//     before anything is allocated. SSLRequest is answered 'S' followed by a
//     TLS handshake when Config.TLS is set, else 'N'; GSSENCRequest always
//     'N'. Bytes the client sent after its request but before reading our
//     answer are refused with 08P01 and the connection closed: they were
//     never protected by the TLS that follows (CVE-2021-23214).
//     A CancelRequest names another connection by process id and secret
//     key; the secret is compared in constant time and, if it matches, that
//     connection's running statement has its context cancelled. Nothing is
//     answered and the cancelling connection closes.
//  2. StartupMessage: protocol 3.0 or 3.2 (3.2 only changes the cancel
//     key, which is then 32 bytes). Unknown "_pq_." options are answered
//     with NegotiateProtocolVersion. Config.RequireTLS refuses clear-text
//     clients (28000). A connection beyond Config.MaxConnections gets FATAL
//     53300; cancel requests never count against the limit.
//  3. Authentication (auth.go), as the Authenticator decides per user:
//     trust (loopback clients only, else 28000), cleartext password, or
//     SCRAM-SHA-256 via github.com/xdg-go/scram. For an unknown user the
//     SCRAM exchange runs against mock secrets and fails exactly like a
//     wrong password (28P01), so the answer does not tell which users
//     exist. Messages during authentication are capped at 64 KiB; the whole
//     startup phase at 60 seconds.
//  4. AuthenticationOk, Backend.NewSession (its error is sent FATAL),
//     ParameterStatus for each of Session.ParameterStatus, BackendKeyData,
//     and ReadyForQuery. From here every message is capped at
//     Config.MaxMessageBytes (pgproto3's SetMaxBodyLen): a longer one is
//     refused with FATAL 08P01 from its header alone, without allocating it.
//  5. The message loop (conn.loop) reads one message and dispatches it to
//     a small handleX method; it does no work itself.
//
// The connection's state (connState) is explicit: startup → ready (after
// ReadyForQuery) → busy (inside a query cycle) → ready ..., with
// discarding (after an extended-protocol error, until Sync) as the detour.
// Shutdown reads it to decide whom it may close at once.
//
// # Simple and extended query
//
// A Query message (simple.go) may hold several statements; each is bound
// with no parameters and text results and run to completion
// (RowDescription, DataRow..., CommandComplete), an empty string answers
// EmptyQueryResponse, the first error stops the rest, and ReadyForQuery
// always ends the cycle with the session's real transaction status.
//
// The extended protocol (extended.go) keeps prepared statements and portals
// by name; the unnamed ones are replaced by the next Parse or Bind, and
// every portal is dropped at the end of its transaction (a Sync or Query
// that leaves the session idle). Execute with a row limit answers
// PortalSuspended and a later Execute resumes the portal. Describe answers
// ParameterDescription and RowDescription/NoData.
//
// # Errors
//
// Every error reaching the client is a pgerr.Error with its SQLSTATE,
// message, detail, hint and position. After an error in an extended-protocol
// message the server discards messages until Sync, then answers
// ReadyForQuery, so a pipelining client resynchronises. FATAL errors
// (protocol violations, failed authentication, shutdown) are sent and the
// connection closed. A decoding error never panics.
//
// Outgoing messages are buffered and written at ReadyForQuery, Flush,
// PortalSuspended, CopyInResponse, and whenever 64 KiB have piled up, so
// large results and COPY TO output stream.
//
// # COPY
//
// A statement does COPY through the CopyWriter the server passes to
// Execute (copy.go), from a simple Query or an extended-protocol Execute.
// COPY TO STDOUT sends CopyOutResponse, CopyData per row and, when Execute
// succeeds, CopyDone and CommandComplete. COPY FROM STDIN sends
// CopyInResponse and hands the statement the client's CopyData bytes as an
// io.Reader (io.EOF at CopyDone; 57014 at CopyFail). As in PostgreSQL,
// Flush and Sync are ignored during copy-in, any other message is ERROR
// plus FATAL 08P01 ("protocol synchronization was lost"), the message size
// cap holds for CopyData, and CopyData/CopyDone/CopyFail outside copy-in
// are ignored. Unlike PostgreSQL, which answers a failed COPY FROM at once,
// the server first reads the client's remaining data up to CopyDone or
// CopyFail, then sends ErrorResponse (and, in the extended protocol,
// discards until Sync), so the connection stays in step.
//
// # Cancellation, idleness and shutdown
//
// Each Parse, Bind, Execute and Query runs under a statement context that a
// CancelRequest cancels; a bare context error coming back from the session
// is reported as 57014 query_canceled (a COPY FROM sees it between client
// messages). IdleTimeout closes a connection that sends nothing for that
// long after ReadyForQuery (57P05); it does not run inside a query cycle. Shutdown
// closes the listeners, closes idle connections at once (57P01) and lets
// busy ones finish their query cycle; when its context is done it cancels
// running statements, sends 57P01 and closes whatever is left. Serve then
// returns ErrServerClosed.
//
// # Not supported, and why
//
//   - The fastpath FunctionCall (0A000): clients use SELECT. Copy-both
//     mode (replication only).
//   - GSSAPI encryption and authentication, MD5 passwords (deprecated by
//     PostgreSQL, and would need the plaintext or its MD5 stored), and
//     SCRAM-SHA-256-PLUS channel binding (clients fall back to plain
//     SCRAM-SHA-256; adding it needs the TLS certificate hash).
//   - Replication connections and the streaming replication protocol.
//   - Portals WITH HOLD: all portals end with their transaction.
package wire
