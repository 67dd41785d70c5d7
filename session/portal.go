package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

var _ wire.Portal = (*queryPortal)(nil)

// queryPortal runs a plan. The iterator opens at the first Execute and stays
// open across row-limited Executes, so a suspended portal resumes DynamoDB
// pagination where it stopped.
type queryPortal struct {
	s       *Session
	stmt    *queryStatement
	params  []sqltypes.Value
	formats []int16
	iter    engine.Iter  // open between the first Execute and the last row
	cat     *stmtCatalog // the statement's catalog view, once opened
	// regNames prints reg* values (regclass ...) by name in text results.
	regNames expr.Resolver
	stats    *engine.Stats // what the statement has cost so far
	done     bool
	broken   bool // an Execute failed: the portal cannot be resumed
}

func (p *queryPortal) Fields() []wire.FieldDesc {
	return queryFields(p.stmt.plan.Columns, p.formats)
}

// queryFields: a query always has a row description, even with no columns
// (SELECT;), where PostgreSQL sends an empty RowDescription, not NoData.
func queryFields(cols []sqltypes.Column, formats []int16) []wire.FieldDesc {
	if f := fieldDescs(cols, formats); f != nil {
		return f
	}
	return []wire.FieldDesc{}
}

func (p *queryPortal) Close() {
	if p.iter != nil {
		p.iter.Close()
		p.iter = nil
	}
}

// Execute implements wire.Portal. Each call sends at most maxRows rows; like
// PostgreSQL it suspends after exactly maxRows rows without looking ahead,
// and the completion tag counts the rows of the completing call.
func (p *queryPortal) Execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	if err := p.s.checkAborted(false); err != nil {
		return "", false, err
	}
	if p.broken {
		return "", false, pgerr.New(pgerr.InvalidCursorState, "portal cannot be resumed after an error")
	}
	if p.done {
		return p.tag(0), false, nil
	}
	start := time.Now()
	sctx, cancel := p.s.statementContext(ctx)
	defer cancel()
	n, suspended, err := p.run(sctx, maxRows, out)
	if err != nil {
		p.Close()
		p.broken = true
		err = p.s.failed(p.s.interrupted(sctx, err))
		p.s.log.Debug("statement failed", zap.String("sql", p.stmt.text), zap.Error(err))
		return "", false, err
	}
	if suspended {
		return "", true, nil
	}
	p.done = true
	p.Close()
	p.s.logStatement(p.stmt, p.stats, time.Since(start))
	if err := p.s.finish(out, p.stats); err != nil {
		return "", false, err
	}
	return p.tag(n), false, nil
}

// tag is the command tag of a completing Execute that sent n rows.
func (p *queryPortal) tag(n int) string {
	if p.stmt.tag == "SELECT" {
		return fmt.Sprintf("SELECT %d", n)
	}
	return p.stmt.tag
}

// logStatement logs a completed statement: every one at debug with its text,
// slow ones (limits.slow_statement) also at info with what they cost but not
// their text, which may hold item values (spec/config.md: no item values at
// info level).
func (s *Session) logStatement(q *queryStatement, st *engine.Stats, took time.Duration) {
	s.log.Debug("statement", zap.String("sql", q.text), zap.Duration("took", took),
		zap.String("requests", st.RequestsString()))
	if s.isSlow(took) {
		s.logSlow(q.plan.Root.Describe().Op, st, took)
	}
}

// logSlow is the info line of a slow statement: its plan's root operator
// and its DynamoDB cost, never its text or parameters.
func (s *Session) logSlow(plan string, st *engine.Stats, took time.Duration) {
	s.log.Info("slow statement", zap.Duration("took", took), zap.String("plan", plan),
		zap.String("requests", st.RequestsString()), zap.Float64("capacity_units", st.ConsumedCapacity),
		zap.Int64("items_scanned", st.ItemsScanned), zap.Int64("items_returned", st.ItemsReturned))
}

// run checks permissions, opens the plan on first use, and streams rows.
func (p *queryPortal) run(ctx context.Context, maxRows int, out wire.ResultWriter) (int, bool, error) {
	// Permissions may have changed since Parse or the previous Execute (a
	// SIGHUP reload): check every time, before any DynamoDB call.
	if err := p.s.authorize(p.stmt.plan.Needs); err != nil {
		return 0, false, err
	}
	if p.iter == nil {
		p.stats = &engine.Stats{Requests: map[string]int{}}
		env, cat := p.s.env(ctx, p.params, p.stats)
		p.cat = cat
		it, err := p.stmt.plan.Root.Open(ctx, env)
		if err != nil {
			return 0, false, err
		}
		p.iter = it
	}
	// Catalog functions evaluated by this Execute read under its context
	// (each Execute of a suspended portal has its own).
	p.cat.ctx = ctx
	if p.regNames == nil {
		p.regNames = expr.NewCatalogResolver(exprCatalog{p.cat}, p.s)
	}
	cols := p.stmt.plan.Columns
	for n := 0; ; n++ {
		if maxRows > 0 && n >= maxRows {
			return n, true, nil
		}
		if err := ctx.Err(); err != nil {
			return n, false, err // cancelled between rows that needed no DynamoDB call
		}
		row, err := p.iter.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, false, nil
		}
		if err != nil {
			return n, false, err
		}
		enc, err := encodeRow(row, cols, p.formats, p.regNames)
		if err != nil {
			return n, false, err
		}
		if err := out.Row(enc); err != nil {
			return n, false, err
		}
	}
}

// authorize checks a statement's needs against the current rules.
func (s *Session) authorize(needs []policy.Need) error {
	return policy.Decide(s.backend.security.Load().Rules, s.user, s.db.Name, needs)
}

// env builds the execution environment of one statement. Its catalog view
// (the virtual relations' rows, the catalog functions, the reg* types) reads
// under ctx, the statement's context, and sees only what policy shows.
func (s *Session) env(ctx context.Context, params []sqltypes.Value, stats *engine.Stats) (*engine.Env, *stmtCatalog) {
	cat := s.newStmtCatalog(ctx)
	info := exprCatalog{cat}
	eval := &expr.Context{Params: params, Session: s, Catalog: info,
		Resolver: expr.NewCatalogResolver(info, s)}
	return &engine.Env{
		Eval:           eval,
		DB:             s.db.API,
		Stats:          stats,
		ConsistentRead: s.settings.Bool("faz.consistent_read"),
		System:         cat,
	}, cat
}

// regText is the text output of a reg* value: the object's name as
// PostgreSQL prints it ('orders', 'integer', 'array_in'), "-" for 0, else the
// number (an OID that names nothing visible). ok is false for other types.
func regText(v sqltypes.Value, t sqltypes.OID, names expr.Resolver) ([]byte, bool) {
	n, isInt := v.(int64)
	switch {
	case !isInt || names == nil:
		return nil, false
	case t != sqltypes.Regclass && t != sqltypes.Regtype && t != sqltypes.Regproc && t != sqltypes.Regnamespace:
		return nil, false
	case n == 0:
		return []byte("-"), true
	}
	if name, ok := names.RegName(t, n); ok {
		return []byte(name), true
	}
	return nil, false
}

func encodeRow(row sqltypes.Row, cols []sqltypes.Column, formats []int16, names expr.Resolver) ([][]byte, error) {
	if len(row) != len(cols) {
		return nil, pgerr.New(pgerr.InternalError, "plan produced %d values for %d columns", len(row), len(cols))
	}
	out := make([][]byte, len(cols))
	for i, c := range cols {
		if row[i] == nil {
			continue
		}
		var (
			b   []byte
			err error
		)
		if named, ok := regText(row[i], c.Type, names); ok && formats[i] == 0 {
			out[i] = named
			continue
		}
		if formats[i] == 1 {
			b, err = sqltypes.EncodeBinary(row[i], c.Type)
		} else {
			b, err = sqltypes.EncodeText(row[i], c.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		out[i] = b
	}
	return out, nil
}
