package session

import (
	"context"
	"time"

	"go.uber.org/zap"

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

	tx      txState // zero value means idle
	txStart time.Time
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
func (s *Session) TxStatus() byte {
	if s.tx == 0 {
		return byte(txIdle)
	}
	return byte(s.tx)
}

// Close implements wire.Session.
func (s *Session) Close() error { return nil }

// Prepare implements wire.Session: parse, then plan each statement.
func (s *Session) Prepare(ctx context.Context, text string, paramTypes []uint32) ([]wire.Statement, error) {
	stmts, err := translate.Parse(text)
	if err != nil {
		return nil, s.failed(err)
	}
	out := make([]wire.Statement, 0, len(stmts))
	for _, st := range stmts {
		ws, err := s.prepareOne(ctx, st, paramTypes)
		if err != nil {
			for _, done := range out {
				done.Close()
			}
			return nil, s.failed(err)
		}
		out = append(out, ws)
	}
	if len(stmts) == 0 {
		out = append(out, emptyStatement{})
	}
	return out, nil
}

// failed records an error inside a transaction block: the block is aborted
// until ROLLBACK, as in PostgreSQL.
func (s *Session) failed(err error) error {
	if s.tx == txBlock {
		s.tx = txFailed
	}
	return err
}

// --- expr.SessionInfo ---

// User implements expr.SessionInfo.
func (s *Session) User() string { return s.user }

// Database implements expr.SessionInfo.
func (s *Session) Database() string { return s.db.Name }

// Setting implements expr.SessionInfo.
func (s *Session) Setting(name string) (string, bool) { return s.settings.Get(name) }

// SetSetting implements expr.SessionInfo (set_config).
func (s *Session) SetSetting(name, value string, isLocal bool) error {
	if isLocal && s.tx == 0 {
		return nil // like PostgreSQL: SET LOCAL outside a block has no effect
	}
	return s.settings.Set(name, value, isLocal)
}

// TxStart implements expr.SessionInfo: the start of the current transaction
// (each statement is its own transaction outside a block).
func (s *Session) TxStart() time.Time {
	if s.tx != 0 && !s.txStart.IsZero() {
		return s.txStart
	}
	return time.Now()
}

// BackendPID implements expr.SessionInfo.
func (s *Session) BackendPID() int32 { return s.pid }

// statementContext applies statement_timeout to one execution.
func (s *Session) statementContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := s.settings.StatementTimeout(); d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

// timeoutError turns a deadline hit into PostgreSQL's statement-timeout error.
func timeoutError(ctx context.Context, err error) error {
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return pgerr.Wrap(err, pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return err
}
