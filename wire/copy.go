package wire

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// This file is the COPY sub-protocol
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY)
// as the server side of CopyWriter. The rules follow PostgreSQL's
// CopyGetData (copyfromparse.c) and PostgresMain (postgres.c):
//
//   - During copy-in, Flush and Sync are ignored (libpq sends them after an
//     Execute without knowing it started a COPY); CopyFail is the error
//     57014 "COPY from stdin failed: ..."; any other message is an ERROR
//     08P01 followed by FATAL 08P01 "protocol synchronization was lost",
//     and the connection closes.
//   - CopyData, CopyDone and CopyFail outside copy-in are ignored (see
//     conn.dispatch): a client may still be sending them after a COPY failed.
//   - After a COPY ends with an error, the simple protocol goes on with
//     ReadyForQuery and the extended one discards until Sync.
//
// One difference, on purpose: when the statement fails while the client is
// still sending, PostgreSQL answers at once and drops the rest of the data
// at its top level; we read and discard the rest first (copyReader.drain),
// so the ErrorResponse always comes after the client's CopyDone/CopyFail and
// even a client that does not read during a copy stays in step.

// copyMode is which COPY, if any, a running statement has started.
type copyMode int

const (
	copyNone copyMode = iota
	copyModeIn
	copyModeOut
)

// errCopyState is a statement misusing CopyWriter: a bug, hence XX000.
func errCopyState(format string, args ...any) error {
	return pgerr.New(pgerr.InternalError, format, args...)
}

// CopyIn implements CopyWriter: CopyInResponse, then the client's data.
func (r *resultWriter) CopyIn(format int16, columnFormats []int16) (io.Reader, error) {
	if r.mode != copyNone {
		return nil, errCopyState("COPY FROM STDIN after a COPY was already started")
	}
	codes, err := copyFormatCodes(format, columnFormats)
	if err != nil {
		return nil, err
	}
	if err := r.out.send(&pgproto3.CopyInResponse{OverallFormat: byte(format), ColumnFormatCodes: codes}); err != nil {
		return nil, err
	}
	// The client sends no data before it has seen CopyInResponse.
	if err := r.out.flush(); err != nil {
		return nil, err
	}
	r.mode = copyModeIn
	r.in = &copyReader{c: r.c}
	return r.in, nil
}

// CopyOut implements CopyWriter: CopyOutResponse.
func (r *resultWriter) CopyOut(format int16, columnFormats []int16) error {
	if r.mode != copyNone {
		return errCopyState("COPY TO STDOUT after a COPY was already started")
	}
	codes, err := copyFormatCodes(format, columnFormats)
	if err != nil {
		return err
	}
	if err := r.out.send(&pgproto3.CopyOutResponse{OverallFormat: byte(format), ColumnFormatCodes: codes}); err != nil {
		return err
	}
	r.mode = copyModeOut
	return nil
}

// CopyData implements CopyWriter: one CopyData message, buffered with the
// rest of the output (msgWriter writes every flushThreshold bytes).
func (r *resultWriter) CopyData(b []byte) error {
	if r.mode != copyModeOut {
		return errCopyState("CopyData without COPY TO STDOUT")
	}
	return r.out.send(&pgproto3.CopyData{Data: b})
}

// copyFormatCodes checks a COPY's formats as PostgreSQL defines them: the
// overall format is 0 (text) or 1 (binary), and a text copy has only text
// columns.
func copyFormatCodes(format int16, columns []int16) ([]uint16, error) {
	if format != 0 && format != 1 {
		return nil, errCopyState("invalid COPY format %d", format)
	}
	codes := make([]uint16, len(columns))
	for i, f := range columns {
		if (f != 0 && f != 1) || (format == 0 && f != 0) {
			return nil, errCopyState("invalid COPY column format %d for overall format %d", f, format)
		}
		codes[i] = uint16(f)
	}
	return codes, nil
}

// execute runs a portal with a fresh resultWriter and completes any COPY it
// started. On success it returns the command tag (or suspended); every
// error it returns is what the client must be told (a FATAL one, or
// errTerminate, ends the connection).
func (c *conn) execute(ctx context.Context, p Portal, maxRows int) (string, bool, error) {
	w := &resultWriter{out: c.out, c: c}
	tag, suspended, err := p.Execute(ctx, maxRows, w)
	if err == nil && suspended && w.mode != copyNone {
		err = errCopyState("a COPY statement returned suspended")
	}
	if err := w.finishCopy(err); err != nil {
		return "", false, err
	}
	return tag, suspended, nil
}

// finishCopy ends the COPY the statement started, given what Execute
// returned, and returns the error to report, if any. A successful copy-out
// gets its CopyDone; after an error the ErrorResponse ends it.
func (r *resultWriter) finishCopy(err error) error {
	switch r.mode {
	case copyModeIn:
		return r.finishCopyIn(err)
	case copyModeOut:
		if err != nil {
			return err
		}
		return r.out.send(&pgproto3.CopyDone{})
	}
	return err
}

// finishCopyIn reads the client's data up to its CopyDone or CopyFail if
// the statement stopped before, then decides what is reported: a failure
// of the connection, else the statement's error, else the client's
// CopyFail (the client asked for an error even if the statement did not
// notice).
func (r *resultWriter) finishCopyIn(err error) error {
	in := r.in
	in.drain()
	if in.fatal != nil {
		if in.violation != nil {
			if serr := r.out.send(errorResponse(in.violation)); serr != nil {
				return serr
			}
		}
		return in.fatal
	}
	if err != nil {
		return err
	}
	if !errors.Is(in.end, io.EOF) {
		return in.end
	}
	return nil
}

// copyReader is the client's side of a COPY FROM STDIN: the payloads of its
// CopyData messages as one stream. It reads messages on the connection's
// goroutine (Execute runs there), one at a time, as the statement asks.
type copyReader struct {
	c *conn
	// data is the unread rest of the current CopyData. It points into
	// pgproto3's read buffer, which is valid until the next receive; we
	// receive only once it is used up.
	data []byte
	// end is set when the copy is over: io.EOF after CopyDone, the 57014
	// error after CopyFail, or fatal.
	end error
	// fatal is set when the connection must end: it failed, or the client
	// broke the protocol (then violation is the ERROR PostgreSQL sends
	// before its FATAL).
	fatal     error
	violation *pgerr.Error
}

// Read implements io.Reader.
func (r *copyReader) Read(p []byte) (int, error) {
	for len(r.data) == 0 {
		if r.end != nil {
			return 0, r.end
		}
		r.next()
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// drain discards the client's data up to the end of the copy.
func (r *copyReader) drain() {
	r.data = nil
	for r.end == nil {
		r.next()
		r.data = nil
	}
}

// next reads one message of the copy-in sub-protocol
// (CopyGetData in PostgreSQL's copyfromparse.c).
func (r *copyReader) next() {
	msg, err := r.c.receive()
	if err != nil {
		// Socket errors, oversize or malformed messages, Shutdown: receive
		// has made them the error that ends the connection.
		r.fatal, r.end = err, err
		return
	}
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		r.data = m.Data
	case *pgproto3.CopyDone:
		r.end = io.EOF
	case *pgproto3.CopyFail:
		r.end = pgerr.New(pgerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
	case *pgproto3.Flush, *pgproto3.Sync:
		// Ignored, as PostgreSQL does, for clients that send them after an
		// Execute without noticing the command was a COPY.
	default:
		r.violation = pgerr.New(pgerr.ProtocolViolation, "unexpected message type 0x%02X during COPY from stdin", messageType(msg))
		r.fatal = pgerr.New(pgerr.ProtocolViolation, "terminating connection because protocol synchronization was lost").Fatal()
		r.end = r.fatal
	}
}

// messageType is a frontend message's type byte (0 if it cannot be encoded).
func messageType(msg pgproto3.FrontendMessage) byte {
	b, err := msg.Encode(nil)
	if err != nil || len(b) == 0 {
		return 0
	}
	return b[0]
}
