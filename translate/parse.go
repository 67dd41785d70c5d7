package translate

import (
	"errors"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Stmt is one statement of a query string.
type Stmt struct {
	Node *pg_query.Node
	Text string // the statement's own text, for logs and EXPLAIN
}

// Parse splits and parses a query string. Text holding only comments or
// whitespace yields no statements (the empty query).
func Parse(text string) ([]Stmt, error) {
	res, err := pg_query.Parse(text)
	if err != nil {
		return nil, syntaxError(err)
	}
	out := make([]Stmt, 0, len(res.Stmts))
	for _, raw := range res.Stmts {
		if raw.Stmt == nil {
			continue
		}
		out = append(out, Stmt{Node: raw.Stmt, Text: stmtText(text, raw)})
	}
	return out, nil
}

func stmtText(text string, raw *pg_query.RawStmt) string {
	start := int(raw.StmtLocation)
	end := len(text)
	if raw.StmtLen > 0 {
		end = start + int(raw.StmtLen)
	}
	if start < 0 || start > len(text) || end > len(text) || start > end {
		return text
	}
	return strings.TrimSpace(text[start:end])
}

func syntaxError(err error) error {
	var pe *parser.Error
	if errors.As(err, &pe) {
		e := pgerr.New(pgerr.SyntaxError, "%s", pe.Message)
		e.Position = int32(pe.Cursorpos)
		return e
	}
	return pgerr.Wrap(err, pgerr.SyntaxError, "cannot parse statement")
}
