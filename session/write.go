package session

import (
	"context"
	"errors"
	"io"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/translate"
	"github.com/fazproxy/fazproxy/wire"
)

// plansWrite reports statements the planner plans as writes (INSERT,
// UPDATE, DELETE, CREATE TABLE, CREATE INDEX, DROP), EXPLAIN of one, and
// a SELECT with data-modifying WITH queries (classified, then refused).
func plansWrite(n *pg_query.Node) bool {
	if translate.IsWrite(n) {
		return true
	}
	if ex := n.GetExplainStmt(); ex != nil && ex.Query != nil {
		return translate.IsWrite(ex.Query)
	}
	if sel := n.GetSelectStmt(); sel != nil && sel.IntoClause == nil && sel.WithClause != nil {
		return withWrites(sel.WithClause) != ""
	}
	return false
}

// prepareWrite plans a write. Plans that do not write (EXPLAIN, a refused
// data-modifying WITH) run as queries.
func (s *Session) prepareWrite(ctx context.Context, st translate.Stmt, paramTypes []uint32) (wire.Statement, error) {
	pl, err := s.planner.PlanQuery(ctx, st.Node, paramTypes)
	if err != nil {
		return nil, err
	}
	w, ok := pl.Root.(engine.Writer)
	if !ok {
		tag := "SELECT"
		if st.Node.GetExplainStmt() != nil {
			tag = "EXPLAIN"
		}
		return &queryStatement{s: s, plan: pl, text: st.Text, tag: tag}, nil
	}
	return &writeStatement{s: s, plan: pl, w: w, text: st.Text}, nil
}

// writeStatement is a planned write.
type writeStatement struct {
	s    *Session
	plan *translate.Plan
	w    engine.Writer
	text string
}

var (
	_ wire.Statement = (*writeStatement)(nil)
	_ wire.Portal    = (*writePortal)(nil)
)

func (ws *writeStatement) Empty() bool          { return false }
func (ws *writeStatement) ParamTypes() []uint32 { return ws.plan.ParamTypes }
func (ws *writeStatement) Close()               {}

// Fields: RETURNING's columns, or none (NoData).
func (ws *writeStatement) Fields() []wire.FieldDesc { return fieldDescs(ws.plan.Columns, nil) }

func (ws *writeStatement) Bind(_ context.Context, params [][]byte, paramFormats, resultFormats []int16) (wire.Portal, error) {
	if err := ws.s.checkAborted(false); err != nil {
		return nil, err
	}
	vals, err := decodeParams(ws.plan.ParamTypes, params, paramFormats)
	if err != nil {
		return nil, ws.s.failed(err)
	}
	formats, err := expandFormats(resultFormats, len(ws.plan.Columns))
	if err != nil {
		return nil, ws.s.failed(err)
	}
	return &writePortal{ws: ws, params: vals, formats: formats}, nil
}

// writePortal runs the write whole at its first Execute (as PostgreSQL
// does), then sends the RETURNING rows, possibly over several row-limited
// Executes.
type writePortal struct {
	ws       *writeStatement
	params   []sqltypes.Value
	formats  []int16
	ran      bool
	broken   bool
	rows     []sqltypes.Row
	next     int
	affected int64
	stats    *engine.Stats
}

func (p *writePortal) Fields() []wire.FieldDesc { return fieldDescs(p.ws.plan.Columns, p.formats) }
func (p *writePortal) Close()                   {}

func (p *writePortal) Execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	s := p.ws.s
	if err := s.checkAborted(false); err != nil {
		return "", false, err
	}
	if p.broken {
		return "", false, pgerr.New(pgerr.InvalidCursorState, "portal cannot be resumed after an error")
	}
	if !p.ran {
		sctx, cancel := s.statementContext(ctx)
		start := time.Now()
		err := s.interrupted(sctx, p.run(sctx, out))
		cancel()
		if err != nil {
			p.broken = true
			err = s.failed(err)
			s.log.Debug("statement failed", zap.String("sql", p.ws.text), zap.Error(err))
			return "", false, err
		}
		took := time.Since(start)
		s.log.Debug("statement", zap.String("sql", p.ws.text), zap.Duration("took", took),
			zap.String("requests", p.stats.RequestsString()))
		if s.isSlow(took) {
			s.logSlow(p.ws.w.Tag(), p.stats, took)
		}
	}
	for n := 0; p.next < len(p.rows); n++ {
		if maxRows > 0 && n >= maxRows {
			return "", true, nil
		}
		enc, err := encodeRow(p.rows[p.next], p.ws.plan.Columns, p.formats, nil)
		if err != nil {
			return "", false, s.failed(err)
		}
		if err := out.Row(enc); err != nil {
			return "", false, err
		}
		p.next++
	}
	if err := s.finish(out, p.stats); err != nil {
		return "", false, err
	}
	return engine.CommandTag(p.ws.w.Tag(), p.affected), false, nil
}

// run checks permissions (every Execute of a prepared write is checked
// again), then writes, or queues the writes in the transaction block.
func (p *writePortal) run(ctx context.Context, out wire.ResultWriter) error {
	p.ran = true
	s := p.ws.s
	if err := s.authorize(p.ws.plan.Needs); err != nil {
		return err
	}
	p.stats = &engine.Stats{Requests: map[string]int{}}
	env, _ := s.env(ctx, p.params, p.stats)
	var tx *engine.TxnBuffer
	if s.tx == txBlock {
		if s.txWrites == nil {
			s.txWrites = engine.NewTxnBuffer()
		}
		tx = s.txWrites
		tx.BeginStatement(p.ws.text)
	}
	it, err := p.ws.w.OpenWrite(ctx, env, tx)
	if err != nil {
		return err
	}
	defer it.Close()
	for {
		row, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		p.rows = append(p.rows, row)
	}
	p.affected = it.Affected()
	if nt, ok := it.(engine.Noticer); ok {
		for _, n := range nt.Notices() {
			if err := s.notice(out, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// commitWrites applies a block's queued writes at COMMIT, in one
// TransactWriteItems with a fresh ClientRequestToken (an SDK retry of the
// same request is then applied once). The buffer is dropped either way:
// a failed COMMIT ends the block, as in PostgreSQL.
func (s *Session) commitWrites(ctx context.Context) error {
	buf := s.txWrites
	s.txWrites = nil
	if buf == nil || buf.Len() == 0 {
		return nil
	}
	token, err := engine.NewClientToken()
	if err != nil {
		return err
	}
	return buf.Commit(ctx, s.db.API, token)
}

// discardWrites drops a block's queued writes (ROLLBACK, a failed block).
func (s *Session) discardWrites() { s.txWrites = nil }
