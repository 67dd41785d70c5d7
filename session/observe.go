package session

import (
	"context"
	"time"

	"go.uber.org/zap"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/wire"
)

// StatementObserver is told when a statement ends (package metrics counts
// statements with it): its class (select, insert, update, delete, ddl, copy,
// native or utility), how long it ran and its error (nil on success). Called
// from session goroutines concurrently; must not block.
type StatementObserver interface {
	StatementDone(class string, took time.Duration, err error)
}

type nopObserver struct{}

func (nopObserver) StatementDone(string, time.Duration, error) {}

// defaultSlowStatement is the slow-statement threshold of a Backend whose
// SetSlowStatement was not called (faz.yaml's limits.slow_statement default).
const defaultSlowStatement = time.Second

// SetObserver makes o see every statement's end. Call it before the first
// session starts (it is not synchronized with running sessions).
func (b *Backend) SetObserver(o StatementObserver) {
	if o == nil {
		o = nopObserver{}
	}
	b.observer = o
}

// SetSlowStatement sets the duration from which a statement is logged at
// info with its plan summary (0 = never). Call it before the first session
// starts.
func (b *Backend) SetSlowStatement(d time.Duration) { b.slowStatement = d }

// isSlow reports whether a statement that took took is logged as slow.
func (s *Session) isSlow(took time.Duration) bool {
	return s.backend.slowStatement > 0 && took >= s.backend.slowStatement
}

// statementClass is the metrics class of a parsed statement: a fixed set,
// never anything from the statement's text.
func statementClass(n *pg_query.Node) string {
	switch {
	case n.GetSelectStmt() != nil, n.GetExplainStmt() != nil:
		return "select"
	case n.GetInsertStmt() != nil:
		return "insert"
	case n.GetUpdateStmt() != nil:
		return "update"
	case n.GetDeleteStmt() != nil:
		return "delete"
	case n.GetCopyStmt() != nil:
		return "copy"
	case n.GetCreateStmt() != nil, n.GetIndexStmt() != nil, n.GetDropStmt() != nil,
		n.GetAlterTableStmt() != nil, n.GetCreateTableAsStmt() != nil:
		return "ddl"
	}
	return "utility"
}

// observed wraps st so its end is reported to the backend's observer.
func (s *Session) observed(st wire.Statement, class string) wire.Statement {
	return &observedStatement{Statement: st, s: s, class: class}
}

// observedStatement reports a failed Bind (a deferred statement is planned
// there) and the end of every portal it makes.
type observedStatement struct {
	wire.Statement
	s     *Session
	class string
}

func (o *observedStatement) Bind(ctx context.Context, params [][]byte, paramFormats, resultFormats []int16) (wire.Portal, error) {
	start := time.Now()
	p, err := o.Statement.Bind(ctx, params, paramFormats, resultFormats)
	if err != nil {
		o.s.statementDone(o.class, time.Since(start), err)
		return nil, err
	}
	return &observedPortal{Portal: p, s: o.s, class: o.class}, nil
}

// observedPortal times a portal from its first Execute to the one that
// completes or fails; a suspended Execute does not end the statement, but
// closing the portal after one does (the client read what it wanted, as
// with a cursor closed early).
type observedPortal struct {
	wire.Portal
	s       *Session
	class   string
	started time.Time
	ended   bool
}

func (p *observedPortal) Execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	if p.started.IsZero() {
		p.started = time.Now()
	}
	tag, suspended, err := p.Portal.Execute(ctx, maxRows, out)
	if (err != nil || !suspended) && !p.ended {
		p.ended = true // an Execute of a completed portal is not a new statement
		p.s.statementDone(p.class, time.Since(p.started), err)
	}
	return tag, suspended, err
}

func (p *observedPortal) Close() {
	if !p.started.IsZero() && !p.ended {
		p.ended = true
		p.s.statementDone(p.class, time.Since(p.started), nil)
	}
	p.Portal.Close()
}

// logsItself reports the classes whose portals log their own statement
// lines with the SQL text and DynamoDB cost (portal.go, write.go).
func logsItself(class string) bool {
	switch class {
	case "select", "insert", "update", "delete", "ddl":
		return true
	}
	return false
}

// statementDone reports a statement's end to the observer and, for the
// classes that do not log themselves (copy, native, utility), writes the
// debug line and, above limits.slow_statement, the info line; neither holds
// the statement's text.
func (s *Session) statementDone(class string, took time.Duration, err error) {
	s.backend.observer.StatementDone(class, took, err)
	if logsItself(class) {
		return
	}
	s.log.Debug("statement", zap.String("class", class), zap.Duration("took", took), zap.Error(err))
	if s.isSlow(took) {
		s.log.Info("slow statement", zap.String("class", class), zap.Duration("took", took))
	}
}
