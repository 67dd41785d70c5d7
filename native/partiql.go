package native

import (
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

// StatementKind is what a PartiQL statement does.
type StatementKind int

const (
	Select StatementKind = iota
	Insert
	Update
	Delete
	Exists // EXISTS(SELECT ...), only inside ExecuteTransaction
)

func (k StatementKind) String() string {
	switch k {
	case Select:
		return "SELECT"
	case Insert:
		return "INSERT"
	case Update:
		return "UPDATE"
	case Delete:
		return "DELETE"
	case Exists:
		return "EXISTS"
	}
	return "unknown"
}

// Statement is a classified PartiQL statement.
type Statement struct {
	Text  string
	Kind  StatementKind
	Table string
	Index string // SELECT ... FROM "t"."index"; "" otherwise
	// Returning is set when an UPDATE or DELETE returns item data.
	Returning bool
	// ReturnOnFailure is set when a failed condition returns the item
	// (ReturnValuesOnConditionCheckFailure ALL_OLD).
	ReturnOnFailure bool
	// WhereAttrs are the top-level attributes an UPDATE's or DELETE's WHERE
	// clause reads; any beyond the key need read access.
	WhereAttrs []string
	// Params is the number of ? parameters.
	Params int
}

// ParsePartiQL classifies one PartiQL statement and returns it as an
// ExecuteStatement request. The text is sent unchanged with params bound.
// At most one Options may be given (KeyNames lets an UPDATE or DELETE whose
// WHERE reads only the key classify without read).
func ParsePartiQL(stmt string, params []types.AttributeValue, opts ...Options) (*Request, error) {
	st, err := classifyPartiQL(stmt, false)
	if err != nil {
		return nil, err
	}
	if err := plainTableName(st.Table); err != nil {
		return nil, err
	}
	if st.Params != len(params) {
		return nil, pgerr.New(pgerr.UndefinedParameter,
			"PartiQL statement has %d ? parameters but %d values were bound", st.Params, len(params)).
			WithHint("DynamoDB's PartiQL marks parameters with ?, not $n")
	}
	in := &dynamodb.ExecuteStatementInput{Statement: aws.String(stmt), Parameters: params}
	req := &Request{Verb: ExecuteStatement, Input: in, Statements: []*Statement{st}}
	if len(opts) > 0 {
		req.opts = opts[0]
	}
	return req, nil
}

// SetOptions sets the options used by classification and execution (key
// names, visibility) on a request built by ParsePartiQL.
func (r *Request) SetOptions(o Options) { r.opts = o }

// pqKind is the kind of a PartiQL token.
type pqKind int

const (
	pqWord   pqKind = iota // bare identifier or keyword
	pqIdent                // "quoted identifier"
	pqString               // 'string literal'
	pqIon                  // `ion literal`
	pqNumber
	pqParam // ?
	pqPunct
)

type pqToken struct {
	kind pqKind
	text string // for pqIdent and pqString, the unescaped content
	pos  int
}

func (t pqToken) is(word string) bool { return t.kind == pqWord && strings.EqualFold(t.text, word) }

// tokenizePartiQL splits PartiQL text, skipping comments. Literals are single
// tokens, so keywords inside them are never seen as keywords.
func tokenizePartiQL(s string) ([]pqToken, error) {
	var toks []pqToken
	for i := 0; i < len(s); {
		c := s[i]
		var t pqToken
		var next int
		var err error
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
			continue
		case strings.HasPrefix(s[i:], "--"):
			i = lineEnd(s, i)
			continue
		case strings.HasPrefix(s[i:], "/*"):
			if i, err = commentEnd(s, i); err != nil {
				return nil, err
			}
			continue
		case c == '"' || c == '\'' || c == '`':
			t, next, err = quoted(s, i)
		case isDigit(c):
			t, next = number(s, i)
		case isWordStart(c):
			next = scanWord(s, i)
			t = pqToken{pqWord, s[i:next], i}
		case c == '?':
			t, next = pqToken{pqParam, "?", i}, i+1
		case c > ' ' && c < 0x7f:
			t, next = pqToken{pqPunct, s[i : i+1], i}, i+1
		default:
			return nil, pgerr.New(pgerr.SyntaxError, "PartiQL: unexpected character %q at offset %d", c, i)
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i = next
	}
	return toks, nil
}

func lineEnd(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

func commentEnd(s string, i int) (int, error) {
	j := strings.Index(s[i+2:], "*/")
	if j < 0 {
		return 0, pgerr.New(pgerr.SyntaxError, "PartiQL: unterminated /* comment at offset %d", i)
	}
	return i + 2 + j + 2, nil
}

// quoted reads a literal or quoted identifier; a doubled quote is the quote.
func quoted(s string, i int) (pqToken, int, error) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != q {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == q && q != '`' {
			b.WriteByte(q)
			j++
			continue
		}
		kind := map[byte]pqKind{'"': pqIdent, '\'': pqString, '`': pqIon}[q]
		return pqToken{kind, b.String(), i}, j + 1, nil
	}
	return pqToken{}, 0, pgerr.New(pgerr.SyntaxError, "PartiQL: unterminated %c literal at offset %d", q, i)
}

func number(s string, i int) (pqToken, int) {
	j := i
	for j < len(s) && (isDigit(s[j]) || s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
		j++
	}
	return pqToken{pqNumber, s[i:j], i}, j
}

// statementWords may appear only where the grammar puts them: anywhere else
// they could hide a second statement, so the text is refused.
func isStatementWord(t pqToken) bool {
	for _, w := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "FROM", "INTO", "EXISTS"} {
		if t.is(w) {
			return true
		}
	}
	return false
}

// pqParser walks the tokens of one statement.
type pqParser struct {
	toks []pqToken
	i    int
	text string
}

func (p *pqParser) peek() pqToken {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return pqToken{kind: pqPunct, text: "", pos: len(p.text)}
}

func (p *pqParser) atEnd() bool { return p.i >= len(p.toks) }

func (p *pqParser) expect(word string) error {
	if !p.peek().is(word) {
		return p.refuse("expected %s", word)
	}
	p.i++
	return nil
}

func (p *pqParser) refuse(format string, args ...any) error {
	e := pgerr.New(pgerr.SyntaxError, "cannot classify PartiQL statement: "+format, args...)
	// Position counts characters, as PostgreSQL's does, not bytes.
	e.Position = int32(utf8.RuneCountInString(p.text[:p.peek().pos]) + 1)
	return e.WithHint("statements are SELECT ... FROM t, INSERT INTO t VALUE {...}, UPDATE t SET ... WHERE ..., DELETE FROM t WHERE ...")
}

// classifyPartiQL finds the kind and table of one statement; EXISTS is
// accepted only inside a transaction.
func classifyPartiQL(text string, inTxn bool) (*Statement, error) {
	toks, err := tokenizePartiQL(text)
	if err != nil {
		return nil, err
	}
	if n := len(toks); n > 0 && toks[n-1].text == ";" && toks[n-1].kind == pqPunct {
		toks = toks[:n-1]
	}
	p := &pqParser{toks: toks, text: text}
	st := &Statement{Text: text}
	for _, t := range toks {
		if t.kind == pqParam {
			st.Params++
		}
		if t.kind == pqPunct && t.text == ";" {
			return nil, pgerr.New(pgerr.SyntaxError, "cannot classify PartiQL: only one statement may be sent at a time")
		}
	}
	if err := p.statement(st, inTxn); err != nil {
		return nil, err
	}
	return st, nil
}

func (p *pqParser) statement(st *Statement, inTxn bool) error {
	first := p.peek()
	p.i++
	switch {
	case first.is("SELECT"):
		st.Kind = Select
		return p.selectRest(st)
	case first.is("INSERT"):
		st.Kind = Insert
		return p.insertRest(st)
	case first.is("UPDATE"):
		st.Kind = Update
		return p.updateRest(st)
	case first.is("DELETE"):
		st.Kind = Delete
		return p.deleteRest(st)
	case first.is("EXISTS") && inTxn:
		st.Kind = Exists
		return p.existsRest(st)
	}
	p.i--
	return p.refuse("unknown statement kind")
}

// selectRest: SELECT projection FROM table[.index] [WHERE ...] [ORDER BY ...].
func (p *pqParser) selectRest(st *Statement) error {
	for !p.atEnd() && !p.peek().is("FROM") {
		if isStatementWord(p.peek()) {
			return p.refuse("unexpected %s", p.peek().text)
		}
		p.i++
	}
	if err := p.expect("FROM"); err != nil {
		return err
	}
	if err := p.tableRef(st, true); err != nil {
		return err
	}
	if !p.atEnd() && !p.peek().is("WHERE") && !p.peek().is("ORDER") && !(st.Kind == Exists && p.peek().text == ")") {
		return p.refuse("unexpected %q after the table name", p.peek().text)
	}
	_, err := p.clauseRest(st, false)
	return err
}

// insertRest: INSERT INTO table VALUE {...}.
func (p *pqParser) insertRest(st *Statement) error {
	if err := p.expect("INTO"); err != nil {
		return err
	}
	if err := p.tableRef(st, false); err != nil {
		return err
	}
	if err := p.expect("VALUE"); err != nil {
		return err
	}
	_, err := p.clauseRest(st, false)
	return err
}

// updateRest: UPDATE table SET/REMOVE ... WHERE ... [RETURNING ...].
func (p *pqParser) updateRest(st *Statement) error {
	if err := p.tableRef(st, false); err != nil {
		return err
	}
	if !p.peek().is("SET") && !p.peek().is("REMOVE") {
		return p.refuse("expected SET or REMOVE")
	}
	_, err := p.clauseRest(st, true)
	return err
}

// deleteRest: DELETE FROM table WHERE ... [RETURNING ...].
func (p *pqParser) deleteRest(st *Statement) error {
	if err := p.expect("FROM"); err != nil {
		return err
	}
	if err := p.tableRef(st, false); err != nil {
		return err
	}
	if !p.atEnd() && !p.peek().is("WHERE") {
		return p.refuse("expected WHERE")
	}
	_, err := p.clauseRest(st, true)
	return err
}

// existsRest: EXISTS(SELECT ... FROM table WHERE ...).
func (p *pqParser) existsRest(st *Statement) error {
	if p.peek().text != "(" || p.peek().kind != pqPunct {
		return p.refuse("expected ( after EXISTS")
	}
	p.i++
	if err := p.expect("SELECT"); err != nil {
		return err
	}
	if err := p.selectRest(st); err != nil {
		return err
	}
	if p.i != len(p.toks)-1 || p.peek().text != ")" {
		return p.refuse("expected ) closing EXISTS")
	}
	st.Kind = Exists
	return nil
}

// tableRef reads "t" or t, and with index allowed an optional ."index".
func (p *pqParser) tableRef(st *Statement, index bool) error {
	name, ok := p.name()
	if !ok {
		return p.refuse("expected a table name")
	}
	st.Table = name
	if index && p.peek().kind == pqPunct && p.peek().text == "." {
		p.i++
		if st.Index, ok = p.name(); !ok {
			return p.refuse("expected an index name")
		}
	}
	return nil
}

func (p *pqParser) name() (string, bool) {
	t := p.peek()
	if (t.kind != pqIdent && t.kind != pqWord) || t.text == "" || (t.kind == pqWord && isStatementWord(t)) {
		return "", false
	}
	p.i++
	return t.text, true
}

// clauseRest scans the rest of the statement: statement words are refused,
// RETURNING is noted, and with where set the WHERE clause's top-level
// attributes are collected (the statement ends in ')' for EXISTS).
func (p *pqParser) clauseRest(st *Statement, where bool) (bool, error) {
	inWhere := false
	for ; !p.atEnd(); p.i++ {
		t := p.peek()
		switch {
		case t.kind == pqPunct && t.text == ")" && p.i == len(p.toks)-1 && st.Kind == Exists:
			return true, nil
		case isStatementWord(t):
			return false, p.refuse("unexpected %s", t.text)
		case t.is("RETURNING"):
			st.Returning, inWhere = true, false
		case t.is("WHERE"):
			inWhere = where
		case inWhere && p.isAttribute():
			st.WhereAttrs = append(st.WhereAttrs, t.text)
		}
	}
	return false, nil
}

// isAttribute reports whether the current token names a top-level attribute:
// an identifier that is not a keyword, a function name, or a path step.
func (p *pqParser) isAttribute() bool {
	t := p.peek()
	if p.i > 0 {
		if prev := p.toks[p.i-1]; prev.kind == pqPunct && (prev.text == "." || prev.text == "[") {
			return false
		}
	}
	if t.kind == pqIdent {
		return true
	}
	if t.kind != pqWord || isWhereKeyword(t.text) {
		return false
	}
	next := pqToken{}
	if p.i+1 < len(p.toks) {
		next = p.toks[p.i+1]
	}
	return !(next.kind == pqPunct && next.text == "(")
}

func isWhereKeyword(w string) bool {
	switch strings.ToUpper(w) {
	case "AND", "OR", "NOT", "IS", "NULL", "MISSING", "BETWEEN", "IN", "TRUE", "FALSE", "LIKE":
		return true
	}
	return false
}
