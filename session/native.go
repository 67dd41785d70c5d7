package session

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/native"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/translate"
	"github.com/fazproxy/fazproxy/wire"
)

// DynamoDB-native input over the wire (spec/translation.md): a query text
// that is a JSON object is a verb request whatever faz.language says; with
// faz.language = 'partiql' every text is one PartiQL statement, with
// 'dynamo' every text is verb JSON. SET, RESET and SHOW stay SQL in every
// language, so a session can always switch back.
//
// A native request is decoded again at every Execute, because two of its
// steps depend on the rules in force then: under RA each PutItem gets the
// attribute_not_exists guard (which changes the request), and the policy
// check runs before any DynamoDB call.

// Input languages (faz.language values).
const (
	langSQL     = "sql"
	langPartiQL = "partiql"
	langDynamo  = "dynamo"
)

// inputLanguage tells how to read text: "sql", "partiql" or "dynamo".
func (s *Session) inputLanguage(text string) string {
	if native.IsVerbJSON(text) {
		return langDynamo // SQL and PartiQL cannot start with "{"
	}
	lang, _ := s.settings.Get("faz.language")
	if lang == langSQL || lang == "" || sqlInEveryLanguage(text) {
		return langSQL
	}
	return lang
}

// sqlInEveryLanguage reports texts that stay SQL whatever faz.language
// says: SET, RESET and SHOW (so a session can always switch back), and the
// empty query (drivers ping with it).
func sqlInEveryLanguage(text string) bool {
	stmts, err := translate.Parse(text)
	return err == nil && (len(stmts) == 0 || isSessionCommand(text))
}

// nativeStatement is a prepared verb request or PartiQL statement.
type nativeStatement struct {
	s          *Session
	lang       string // langDynamo or langPartiQL
	text       string
	paramTypes []uint32          // PartiQL ? parameters; none for verbs
	cols       []sqltypes.Column // the result's columns; nil: no rows
}

var (
	_ wire.Statement = (*nativeStatement)(nil)
	_ wire.Portal    = (*nativePortal)(nil)
)

// prepareNative decodes a request and learns its result columns. A request
// the user may not make is refused here already (so Describe shows nothing
// of a table the user cannot use) and again at every Execute.
func (s *Session) prepareNative(ctx context.Context, lang, text string, paramTypes []uint32) (*nativeStatement, error) {
	if err := s.checkAborted(false); err != nil {
		return nil, err
	}
	st := &nativeStatement{s: s, lang: lang, text: text}
	if lang == langPartiQL {
		n, err := partiQLParamCount(text)
		if err != nil {
			return nil, err
		}
		st.paramTypes = resolveParamTypes(paramTypes, n)
	} else if len(paramTypes) > 0 {
		return nil, pgerr.New(pgerr.UndefinedParameter, "a verb request takes no parameters, but %d were declared", len(paramTypes)).
			WithHint("write the values into the request's JSON")
	}
	// Placeholder NULLs stand for the parameters: the columns depend only
	// on the verb and the table.
	params := make([]ddbtypes.AttributeValue, len(st.paramTypes))
	for i := range params {
		params[i] = &ddbtypes.AttributeValueMemberNULL{Value: true}
	}
	req, err := s.nativeRequest(ctx, lang, text, params)
	if err != nil {
		return nil, err
	}
	st.cols, err = s.nativeColumns(ctx, req)
	return st, err
}

// nativeRequest decodes text, applies the append-only guard and checks the
// request against the rules in force: the steps before any DynamoDB call.
func (s *Session) nativeRequest(ctx context.Context, lang, text string, params []ddbtypes.AttributeValue) (*native.Request, error) {
	rules := s.backend.security.Load().Rules
	opts := native.Options{
		DefaultTable: s.db.DefaultTable,
		KeyNames:     native.CatalogKeyNames(ctx, s.db.Catalog),
		Visible:      func(t string) bool { return rules.Visible(s.user, s.db.Name, t) },
	}
	var (
		req *native.Request
		err error
	)
	if lang == langPartiQL {
		req, err = native.ParsePartiQL(text, params, opts)
	} else {
		req, err = native.ParseVerb(text, opts)
	}
	if err != nil {
		return nil, err
	}
	if _, err := req.EnforceAppendOnlyFunc(appendOnlyKeys(rules, s.user, s.db.Name, opts.KeyNames)); err != nil {
		return nil, err
	}
	needs := req.Needs()
	if err := policy.Decide(rules, s.user, s.db.Name, needs); err != nil {
		return nil, err
	}
	if s.tx != txIdle && writes(needs) {
		// A verb write is applied at once; inside a block it would escape
		// the block's atomicity, so it is refused as PostgreSQL refuses
		// what cannot run in a transaction.
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "%s that writes cannot run inside a transaction block", req.Verb).
			WithHint("run it after COMMIT or ROLLBACK, or group the writes in one TransactWriteItems request")
	}
	return req, nil
}

// appendOnlyKeys gives EnforceAppendOnlyFunc the key names of exactly the
// tables the user may insert into but not write (RA), so that a PutItem on
// them can never overwrite. Unknown keys leave a put unguarded, which then
// classifies as write and is refused.
func appendOnlyKeys(rules *policy.Rules, user, db string, keys func(string) []string) func(string) []string {
	return func(table string) []string {
		a := rules.AccessFor(user, db, table)
		if a.Allows(policy.Insert) && !a.Allows(policy.Write) {
			return keys(table)
		}
		return nil
	}
}

func writes(needs []policy.Need) bool {
	return slices.ContainsFunc(needs, func(n policy.Need) bool { return n.Class != policy.Read })
}

// nativeColumns learns a request's result columns without calling
// DynamoDB: native.Execute against a recorder with no server answers every
// call with an empty output, and the columns native builds depend only on
// the verb and the tables' catalog columns, never on the items.
func (s *Session) nativeColumns(ctx context.Context, req *native.Request) ([]sqltypes.Column, error) {
	res, err := native.Execute(ctx, dynamo.NewRecorder(nil), req, keepCache{s.db.Catalog})
	if err != nil {
		return nil, err
	}
	return res.Columns, nil
}

// keepCache is a catalog whose Invalidate does nothing: the dry run of a
// DDL verb must not drop cached metadata.
type keepCache struct{ catalog.Source }

func (keepCache) Invalidate(string) {}

func (n *nativeStatement) Empty() bool              { return false }
func (n *nativeStatement) ParamTypes() []uint32     { return n.paramTypes }
func (n *nativeStatement) Fields() []wire.FieldDesc { return fieldDescs(n.cols, nil) }
func (n *nativeStatement) Close()                   {}

// Bind converts PartiQL parameters to AttributeValues; the request runs at
// the first Execute.
func (n *nativeStatement) Bind(_ context.Context, params [][]byte, paramFormats, resultFormats []int16) (wire.Portal, error) {
	if err := n.s.checkAborted(false); err != nil {
		return nil, err
	}
	avs, err := partiQLParams(n.paramTypes, params, paramFormats)
	if err != nil {
		return nil, n.s.failed(err)
	}
	formats, err := expandFormats(resultFormats, len(n.cols))
	if err != nil {
		return nil, n.s.failed(err)
	}
	return &nativePortal{stmt: n, params: avs, formats: formats}, nil
}

// nativePortal runs one page of a request and sends its rows, possibly over
// several row-limited Executes.
type nativePortal struct {
	stmt    *nativeStatement
	params  []ddbtypes.AttributeValue
	formats []int16
	res     *native.Result // nil until run
	next    int            // index of the next row to send
	broken  bool
}

func (p *nativePortal) Fields() []wire.FieldDesc { return fieldDescs(p.stmt.cols, p.formats) }
func (p *nativePortal) Close()                   {}

// Execute implements wire.Portal.
func (p *nativePortal) Execute(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	s := p.stmt.s
	if err := s.checkAborted(false); err != nil {
		return "", false, err
	}
	if p.broken {
		return "", false, pgerr.New(pgerr.InvalidCursorState, "portal cannot be resumed after an error")
	}
	sctx, cancel := s.statementContext(ctx)
	defer cancel()
	tag, suspended, err := p.run(sctx, maxRows, out)
	if err != nil {
		p.broken = true
		return "", false, s.failed(s.interrupted(sctx, err))
	}
	return tag, suspended, nil
}

func (p *nativePortal) run(ctx context.Context, maxRows int, out wire.ResultWriter) (string, bool, error) {
	s := p.stmt.s
	if p.res == nil {
		res, err := p.execute(ctx)
		if err != nil {
			return "", false, err
		}
		p.res = res
	}
	for n := 0; p.next < len(p.res.Rows); n++ {
		if maxRows > 0 && n >= maxRows {
			return "", true, nil
		}
		enc, err := encodeRow(p.res.Rows[p.next], p.stmt.cols, p.formats, nil)
		if err != nil {
			return "", false, err
		}
		if err := out.Row(enc); err != nil {
			return "", false, err
		}
		p.next++
	}
	for _, n := range resultNotices(p.res, s.settings.Bool("faz.show_capacity")) {
		if err := s.notice(out, n); err != nil {
			return "", false, err
		}
	}
	if err := s.finish(out, nil); err != nil {
		return "", false, err
	}
	return p.res.Tag, false, nil
}

// execute decodes, checks and runs the request with the rules in force now.
func (p *nativePortal) execute(ctx context.Context) (*native.Result, error) {
	s := p.stmt.s
	req, err := s.nativeRequest(ctx, p.stmt.lang, p.stmt.text, p.params)
	if err != nil {
		return nil, err
	}
	// Debug only: the request text may hold item values (spec/config.md).
	s.log.Debug("native request", zap.String("verb", req.Verb.String()), zap.String("text", p.stmt.text))
	res, err := native.Execute(ctx, s.db.API, req, s.db.Catalog)
	if err != nil {
		return nil, err
	}
	if !sameColumns(res.Columns, p.stmt.cols) {
		// The catalog changed since Prepare (a new sampled column): the
		// client was told other columns, as PostgreSQL's plan cache says.
		return nil, pgerr.New(pgerr.FeatureNotSupported, "cached plan must not change result type").
			WithHint("prepare the request again")
	}
	return res, nil
}

func sameColumns(a, b []sqltypes.Column) bool {
	return slices.EqualFunc(a, b, func(x, y sqltypes.Column) bool { return x.Name == y.Name && x.Type == y.Type })
}

// resultNotices are what a native result reports besides its rows: the
// continuation (NOTICE), unprocessed keys or items (WARNING) and, with
// faz.show_capacity, the capacity consumed.
func resultNotices(res *native.Result, capacity bool) []*pgerr.Error {
	var out []*pgerr.Error
	if res.Continuation != "" {
		out = append(out, &pgerr.Error{Severity: "NOTICE", Code: pgerr.SuccessfulCompletion,
			Message: "more items: add " + res.Continuation + " to continue"})
	}
	if res.Unprocessed != "" {
		out = append(out, &pgerr.Error{Severity: "WARNING", Code: pgerr.Warning,
			Message: `unprocessed items: send {"RequestItems": ` + res.Unprocessed + `} to retry them`,
			Hint:    "DynamoDB did not process every request of the batch (throttling or size limits)"})
	}
	if capacity && len(res.ConsumedCapacity) > 0 {
		var units float64
		for _, c := range res.ConsumedCapacity {
			if c.CapacityUnits != nil {
				units += *c.CapacityUnits
			}
		}
		out = append(out, &pgerr.Error{Severity: "NOTICE", Code: pgerr.SuccessfulCompletion,
			Message: "DynamoDB consumed " + strconv.FormatFloat(units, 'f', -1, 64) + " capacity units in 1 request"})
	}
	return out
}

// partiQLParamCount counts a PartiQL statement's ? parameters with native's
// own classifier (an ExecuteStatement request without Parameters), and
// refuses PostgreSQL's $n, which DynamoDB's PartiQL does not have.
func partiQLParamCount(text string) (int, error) {
	if n, ok := dollarParam(text); ok {
		return 0, pgerr.New(pgerr.UndefinedParameter, "PartiQL has no parameter $%s", n).
			WithHint("DynamoDB's PartiQL marks parameters with ?, bound in order")
	}
	raw, err := json.Marshal(map[string]string{"verb": "ExecuteStatement", "Statement": text})
	if err != nil {
		return 0, pgerr.Wrap(err, pgerr.InternalError, "encoding a PartiQL statement")
	}
	req, err := native.ParseVerb(string(raw))
	if err != nil {
		return 0, err
	}
	if len(req.Statements) != 1 {
		return 0, pgerr.New(pgerr.InternalError, "PartiQL statement was not classified")
	}
	return req.Statements[0].Params, nil
}

// dollarParam finds a $n outside PartiQL's literals, quoted identifiers
// and comments; it returns n's digits.
func dollarParam(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(s, i)
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := len(s)
			for j := i + 2; j+1 < len(s); j++ {
				if s[j] == '*' && s[j+1] == '/' {
					end = j + 1
					break
				}
			}
			i = end
		case c == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			return s[i+1 : j], true
		}
	}
	return "", false
}

// skipQuoted returns the index of the quote that closes the literal opened
// at i (a doubled quote is the quote itself), or the end of s.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] != q {
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			j++
			continue
		}
		return j
	}
	return len(s)
}

// resolveParamTypes is one type per parameter: the declared one, else text
// (as PostgreSQL resolves an unknown parameter), so an undeclared value is
// bound as a string (S).
func resolveParamTypes(declared []uint32, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		if i < len(declared) && declared[i] != 0 && declared[i] != sqltypes.Unknown {
			out[i] = declared[i]
		} else {
			out[i] = sqltypes.Text
		}
	}
	return out
}

// partiQLParams decodes Bind's values by their types and converts them to
// AttributeValues as spec/types.md writes them (text → S, numeric → N,
// bool → BOOL, bytea → B, jsonb → M/L, arrays → sets); NULL is NULL.
func partiQLParams(types []uint32, raw [][]byte, formats []int16) ([]ddbtypes.AttributeValue, error) {
	vals, err := decodeParams(types, raw, formats)
	if err != nil || len(vals) == 0 {
		return nil, err // DynamoDB refuses an empty Parameters list
	}
	out := make([]ddbtypes.AttributeValue, len(vals))
	for i, v := range vals {
		av, err := sqltypes.ToAttribute(v, types[i])
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		if av == nil { // NULL, or an empty set DynamoDB cannot store
			av = &ddbtypes.AttributeValueMemberNULL{Value: true}
		}
		out[i] = av
	}
	return out, nil
}
