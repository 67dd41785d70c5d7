package session

import (
	"context"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/wire"
)

// execTransaction runs BEGIN, COMMIT, ROLLBACK and their spellings. A block
// holds run-time parameters (SET, SET LOCAL), the 'T'/'E' status and the
// writes of its statements, applied together at COMMIT by one
// TransactWriteItems (at most 100 items; see write.go). Reads inside a
// block read committed data: they do not see the block's own writes, which
// are not applied before COMMIT (isolation READ COMMITTED; SERIALIZABLE and
// REPEATABLE READ are refused with 0A000 when set).
func (s *Session) execTransaction(ctx context.Context, t *pg_query.TransactionStmt) (*result, error) {
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		res := &result{tag: "BEGIN"}
		if t.Kind == pg_query.TransactionStmtKind_TRANS_STMT_START {
			res.tag = "START TRANSACTION"
		}
		if s.tx != txIdle {
			res.notices = append(res.notices, warning(pgerr.ActiveSQLTransaction, "there is already a transaction in progress"))
			return res, nil
		}
		s.beginTx()
		if err := s.setTransactionModes(t.Options, "", true); err != nil {
			return nil, err
		}
		return res, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		if s.tx == txFailed {
			// PostgreSQL answers COMMIT of a failed block with ROLLBACK.
			return s.endTx(ctx, "ROLLBACK", false, t.Chain)
		}
		return s.endTx(ctx, "COMMIT", true, t.Chain)
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		return s.endTx(ctx, "ROLLBACK", false, t.Chain)
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT, pg_query.TransactionStmtKind_TRANS_STMT_RELEASE,
		pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		return s.execSavepoint(t)
	}
	return nil, pgerr.Unsupported("two-phase commit", "")
}

// invalidSavepoint is PostgreSQL's invalid_savepoint_specification.
const invalidSavepoint = "3B001"

// execSavepoint runs SAVEPOINT, RELEASE and ROLLBACK TO. A savepoint
// records run-time parameters and how many writes were queued; ROLLBACK TO
// drops the writes queued since, and also clears the block's failed status (psql's ON_ERROR_ROLLBACK, pgjdbc's
// autosave rely on that).
func (s *Session) execSavepoint(t *pg_query.TransactionStmt) (*result, error) {
	var what, tag string
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		what, tag = "SAVEPOINT", "SAVEPOINT"
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		what, tag = "RELEASE SAVEPOINT", "RELEASE"
	default:
		what, tag = "ROLLBACK TO SAVEPOINT", "ROLLBACK"
	}
	if s.tx == txIdle {
		return nil, pgerr.New(pgerr.NoActiveSQLTransaction, "%s can only be used in transaction blocks", what)
	}
	name := t.SavepointName
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		s.settings.Savepoint(name)
		s.writes().Savepoint(name)
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		if !s.settings.Release(name) {
			return nil, pgerr.New(invalidSavepoint, "savepoint %q does not exist", name)
		}
		s.writes().Release(name)
	default:
		if !s.settings.RollbackTo(name) {
			return nil, pgerr.New(invalidSavepoint, "savepoint %q does not exist", name)
		}
		s.writes().RollbackTo(name)
		s.tx = txBlock
	}
	return &result{tag: tag}, nil
}

func (s *Session) beginTx() {
	s.tx, s.txStart = txBlock, time.Now()
	s.txWrites = engine.NewTxnBuffer()
	s.settings.BeginTx()
}

// writes is the block's write buffer (made on first use).
func (s *Session) writes() *engine.TxnBuffer {
	if s.txWrites == nil {
		s.txWrites = engine.NewTxnBuffer()
	}
	return s.txWrites
}

// endTx ends the block: COMMIT applies its writes (when that fails the
// block is over all the same, rolled back, as in PostgreSQL), ROLLBACK
// drops them. With chain (COMMIT AND CHAIN) a new block starts at once
// with the same isolation level and access mode.
func (s *Session) endTx(ctx context.Context, tag string, commit, chain bool) (*result, error) {
	res := &result{tag: tag}
	if s.tx == txIdle {
		if chain {
			return nil, pgerr.New(pgerr.NoActiveSQLTransaction, "%s AND CHAIN can only be used in transaction blocks", tag)
		}
		res.notices = append(res.notices, warning(pgerr.NoActiveSQLTransaction, "there is no transaction in progress"))
		return res, nil
	}
	modes := txModes()
	vals := make([]string, len(modes))
	for i, m := range modes {
		vals[i], _ = s.settings.Get(m)
	}
	var err error
	if commit {
		err = s.commitWrites(ctx)
	}
	s.discardWrites()
	s.settings.EndTx(commit && err == nil)
	s.tx, s.txStart = txIdle, time.Time{}
	if err != nil {
		return nil, err
	}
	if !chain {
		return res, nil
	}
	s.beginTx()
	for i, m := range modes {
		if err := s.settings.Set(m, vals[i], true); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// txModes are the transaction characteristics AND CHAIN carries over.
func txModes() []string {
	return []string{"transaction_isolation", "transaction_read_only", "transaction_deferrable"}
}

// Deallocator is implemented by a wire.ResultWriter whose server holds the
// connection's prepared statements (they live in the protocol layer): SQL
// DEALLOCATE and DISCARD ALL drop them through it, so a client that
// deallocates by SQL (psycopg 3) may then re-prepare the same name.
type Deallocator interface {
	// Deallocate drops the named prepared statement (26000 if none), or all.
	Deallocate(name string, all bool) error
}

// execDeallocate runs DEALLOCATE [PREPARE] name | ALL.
func (s *Session) execDeallocate(d *pg_query.DeallocateStmt, out wire.ResultWriter) (*result, error) {
	tag := "DEALLOCATE"
	if d.Isall {
		tag = "DEALLOCATE ALL"
	}
	if da, ok := out.(Deallocator); ok {
		if err := da.Deallocate(d.Name, d.Isall); err != nil {
			return nil, err
		}
	}
	return &result{tag: tag}, nil
}

// execDiscard runs DISCARD (used by poolers and drivers to reset a
// connection). There are no temporary tables, sequences or cached plans;
// DISCARD ALL resets every parameter and drops prepared statements.
func (s *Session) execDiscard(d *pg_query.DiscardStmt, out wire.ResultWriter) (*result, error) {
	mode := strings.TrimPrefix(d.Target.String(), "DISCARD_")
	if d.Target != pg_query.DiscardMode_DISCARD_ALL {
		return &result{tag: "DISCARD " + mode}, nil
	}
	if s.tx != txIdle {
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
	}
	if err := s.settings.Reset("session_authorization"); err != nil {
		return nil, err
	}
	s.settings.ResetAll()
	if da, ok := out.(Deallocator); ok {
		if err := da.Deallocate("", true); err != nil {
			return nil, err
		}
	}
	return &result{tag: "DISCARD ALL"}, nil
}

func warning(code, msg string) *pgerr.Error {
	return &pgerr.Error{Severity: "WARNING", Code: code, Message: msg}
}
