package wire

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/pgerr"
)

// flushThreshold is the buffered size at which outgoing messages are written
// even before ReadyForQuery/Flush/PortalSuspended, so a 100k-row result
// streams instead of piling up in memory.
const flushThreshold = 64 << 10

// msgWriter buffers backend messages and writes them in batches. We encode
// into our own buffer (rather than pgproto3.Backend.Send) to know its size.
type msgWriter struct {
	w   io.Writer
	buf []byte
	err error // sticky write error: once the socket failed, nothing more is sent
}

// send appends one message, flushing when the buffer is large.
func (w *msgWriter) send(msg pgproto3.BackendMessage) error {
	if w.err != nil {
		return w.err
	}
	prev := len(w.buf)
	buf, err := msg.Encode(w.buf)
	if err != nil {
		// Keep the buffer a sequence of whole messages.
		w.buf = w.buf[:prev]
		return pgerr.Wrap(err, pgerr.ProgramLimitExceeded, "cannot encode %T", msg)
	}
	w.buf = buf
	if len(w.buf) >= flushThreshold {
		return w.flush()
	}
	return nil
}

// flush writes everything buffered.
func (w *msgWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	if cap(w.buf) > 4*flushThreshold {
		w.buf = nil // do not keep a huge buffer alive after one large row
	} else {
		w.buf = w.buf[:0]
	}
	if err != nil {
		w.err = errors.Join(errTerminate, err)
	}
	return w.err
}

// resultWriter is the ResultWriter (and CopyWriter, see copy.go) one
// Execute writes to. It also lets SQL DEALLOCATE / DISCARD ALL drop the
// connection's prepared statements, which live here in the protocol layer.
type resultWriter struct {
	out  *msgWriter
	c    *conn
	mode copyMode    // the COPY this Execute started, if any
	in   *copyReader // the client's data, after CopyIn
}

var (
	_ ResultWriter = (*resultWriter)(nil)
	_ CopyWriter   = (*resultWriter)(nil)
)

// Row implements ResultWriter: one DataRow. A DataRow inside a COPY would
// desynchronise the client, so it is refused there.
func (r *resultWriter) Row(values [][]byte) error {
	if r.mode != copyNone {
		return errCopyState("DataRow during COPY")
	}
	return r.out.send(&pgproto3.DataRow{Values: values})
}

// Notice implements ResultWriter: one NoticeResponse.
func (r *resultWriter) Notice(n *pgerr.Error) error {
	e := errorResponse(n)
	if n.Severity == "" {
		e.Severity, e.SeverityUnlocalized = "NOTICE", "NOTICE"
	}
	if err := r.out.send((*pgproto3.NoticeResponse)(e)); err != nil {
		return err
	}
	// Like PostgreSQL, notices go out at once: they often report progress.
	return r.out.flush()
}

// Deallocate drops the named prepared statement (26000 when there is none),
// or every one when all is set. A portal still using a statement keeps it
// alive until the portal closes.
func (r *resultWriter) Deallocate(name string, all bool) error {
	if all {
		for n := range r.c.stmts {
			r.c.closeStatement(n)
		}
		return nil
	}
	if _, ok := r.c.stmts[name]; !ok || name == "" {
		return pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", name)
	}
	r.c.closeStatement(name)
	return nil
}

// ParameterStatus implements ResultWriter.
func (r *resultWriter) ParameterStatus(name, value string) error {
	return r.out.send(&pgproto3.ParameterStatus{Name: name, Value: value})
}

// errorResponse converts a pgerr.Error into its message, with every field
// we carry (severity, code, message, detail, hint, position).
func errorResponse(e *pgerr.Error) *pgproto3.ErrorResponse {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	code := e.Code
	if code == "" {
		code = pgerr.InternalError
	}
	return &pgproto3.ErrorResponse{
		Severity: sev, SeverityUnlocalized: sev, Code: code,
		Message: e.Message, Detail: e.Detail, Hint: e.Hint, Position: e.Position,
	}
}

// clientError turns any error from the session into what the client sees.
// A bare context error means CancelRequest (57014) or, when the connection's
// own ctx is gone, Shutdown (57P01, FATAL).
func (c *conn) clientError(ctx context.Context, err error) *pgerr.Error {
	pe := pgerr.From(err)
	if pe.Code != pgerr.InternalError {
		return pe
	}
	switch {
	case c.ctx.Err() != nil && errors.Is(err, context.Canceled):
		return shutdownError()
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
	case errors.Is(err, context.DeadlineExceeded):
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pe
}

// sendError sends err as an ErrorResponse. It returns a non-nil error only
// when the connection must end: the error was FATAL, or the socket failed.
func (c *conn) sendError(ctx context.Context, err error) error {
	if errors.Is(err, errTerminate) {
		return err // the client is gone (e.g. mid-COPY): nobody to tell
	}
	pe := c.clientError(ctx, err)
	if pe.Severity == "FATAL" {
		return pe // finish sends it
	}
	if pe.Code == pgerr.InternalError {
		c.log.Warn("internal error", zap.Error(err))
	}
	if err := c.out.send(errorResponse(pe)); err != nil {
		return err
	}
	// PostgreSQL flushes every error at once (elog.c), so a client that
	// pipelines behind a Flush learns of it without waiting for Sync.
	return c.out.flush()
}
