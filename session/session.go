package session

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/translate"
	"github.com/fazproxy/fazproxy/wire"
)

// txState is the transaction block status reported in ReadyForQuery.
type txState byte

const (
	txIdle   txState = 'I'
	txBlock  txState = 'T'
	txFailed txState = 'E'
)

// Session is one connection's SQL state. Only the connection's goroutine calls
// it, so it needs no locking.
type Session struct {
	backend  *Backend
	db       *Database
	user     string
	pid      int32
	settings *guc.Settings
	planner  *translate.Planner
	log      *zap.Logger

	tx      txState // txIdle outside a block
	txStart time.Time
	// txWrites holds a block's writes until COMMIT (nil outside a block
	// that has written nothing yet; see write.go).
	txWrites *engine.TxnBuffer
}

var (
	_ wire.Session     = (*Session)(nil)
	_ expr.SessionInfo = (*Session)(nil)
)

// ParameterStatus implements wire.Session: the reportable parameters.
func (s *Session) ParameterStatus() []wire.ParamStatus {
	var out []wire.ParamStatus
	for _, name := range s.settings.ReportableNames() {
		v, _ := s.settings.Get(name)
		out = append(out, wire.ParamStatus{Name: name, Value: v})
	}
	return out
}

// TxStatus implements wire.Session.
func (s *Session) TxStatus() byte { return byte(s.tx) }

// Close implements wire.Session. Portals and statements are closed by the
// server; the session itself holds no DynamoDB state.
func (s *Session) Close() error { return nil }

// Prepare implements wire.Session: parse, then plan. A single statement is
// planned now (Parse errors and Describe need it); in a string of several
// (simple protocol), each is planned when it runs, so earlier ones (BEGIN,
// SET search_path, ROLLBACK) take effect first, as in PostgreSQL.
func (s *Session) Prepare(ctx context.Context, text string, paramTypes []uint32) ([]wire.Statement, error) {
	start := time.Now()
	ctx, cancel := s.statementContext(ctx)
	defer cancel()
	if lang := s.inputLanguage(text); lang != langSQL {
		st, err := s.prepareNative(ctx, lang, text, paramTypes)
		if err != nil {
			return nil, s.prepareFailed(ctx, "native", start, err)
		}
		return []wire.Statement{s.observed(st, "native")}, nil
	}
	stmts, err := translate.Parse(text)
	if err != nil {
		s.backend.observer.StatementDone("utility", time.Since(start), err) // a syntax error has no class
		return nil, s.failed(err)
	}
	switch len(stmts) {
	case 0:
		return []wire.Statement{emptyStatement{}}, nil
	case 1:
		class := statementClass(stmts[0].Node)
		st, err := s.prepareOne(ctx, stmts[0], paramTypes)
		if err != nil {
			return nil, s.prepareFailed(ctx, class, start, err)
		}
		return []wire.Statement{s.observed(st, class)}, nil
	}
	if err := s.precheckAll(ctx, stmts); err != nil {
		return nil, s.prepareFailed(ctx, "utility", start, err)
	}
	out := make([]wire.Statement, len(stmts))
	for i, st := range stmts {
		out[i] = s.observed(&deferredStatement{s: s, st: st}, statementClass(st.Node))
	}
	return out, nil
}

// prepareFailed reports a statement that failed before it could run (it
// counts as one statement of its class) and returns err as Prepare does.
func (s *Session) prepareFailed(ctx context.Context, class string, start time.Time, err error) error {
	err = s.failed(s.interrupted(ctx, err))
	s.backend.observer.StatementDone(class, time.Since(start), err)
	return err
}

// isSessionCommand reports whether text parses as SET, RESET or SHOW.
func isSessionCommand(text string) bool {
	stmts, err := translate.Parse(text)
	if err != nil || len(stmts) == 0 {
		return false
	}
	for _, st := range stmts {
		if st.Node.GetVariableSetStmt() == nil && st.Node.GetVariableShowStmt() == nil {
			return false
		}
	}
	return true
}

// failed records an error inside a transaction block: the block is aborted
// until ROLLBACK, as in PostgreSQL. It returns err.
func (s *Session) failed(err error) error {
	if err != nil && s.tx == txBlock {
		s.tx = txFailed
	}
	return err
}

// checkAborted refuses every statement but COMMIT/ROLLBACK in a failed block.
func (s *Session) checkAborted(endsTx bool) error {
	if s.tx == txFailed && !endsTx {
		return pgerr.New(pgerr.InFailedSQLTransaction,
			"current transaction is aborted, commands ignored until end of transaction block")
	}
	return nil
}

// --- expr.SessionInfo ---

// User implements expr.SessionInfo.
func (s *Session) User() string { return s.user }

// Database implements expr.SessionInfo.
func (s *Session) Database() string { return s.db.Name }

// Setting implements expr.SessionInfo.
func (s *Session) Setting(name string) (string, bool) { return s.settings.Get(name) }

// SetSetting implements expr.SessionInfo (set_config). A local value outside
// a block is validated and has no lasting effect, as in PostgreSQL.
func (s *Session) SetSetting(name, value string, isLocal bool) error {
	return s.settings.Set(name, value, isLocal)
}

// TxStart implements expr.SessionInfo: the start of the current transaction
// (each statement is its own transaction outside a block).
func (s *Session) TxStart() time.Time {
	if s.tx != txIdle && !s.txStart.IsZero() {
		return s.txStart
	}
	return time.Now()
}

// BackendPID implements expr.SessionInfo.
func (s *Session) BackendPID() int32 { return s.pid }

// statementContext applies statement_timeout to one message's work.
func (s *Session) statementContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := s.settings.StatementTimeout(); d > 0 {
		return context.WithTimeoutCause(ctx, d, errStatementTimeout)
	}
	return context.WithCancel(ctx)
}

var errStatementTimeout = errors.New("statement_timeout reached")

// interrupted turns an error that happened because ctx ended into
// PostgreSQL's: 57014 for statement_timeout and for a CancelRequest. ctx is
// the statement's context (from statementContext).
func (s *Session) interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	if errors.Is(context.Cause(ctx), errStatementTimeout) {
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
}
