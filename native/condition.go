package native

import (
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
)

// condKind is the kind of a token of a DynamoDB condition expression.
type condKind int

const (
	cName  condKind = iota // attribute name: bare word or #placeholder
	cValue                 // :placeholder
	cWord                  // keyword or function name (AND, OR, attribute_exists ...)
	cNum                   // list index digits
	cPunct                 // ( ) [ ] , . and comparators
)

type condToken struct {
	kind condKind
	text string
}

// condKeywords are the expression keywords; function names are told apart
// by the '(' that follows them.
func isCondKeyword(w string) bool {
	switch strings.ToUpper(w) {
	case "AND", "OR", "NOT", "BETWEEN", "IN":
		return true
	}
	return false
}

// tokenizeCondition splits a condition expression. Anything outside the
// expression grammar's alphabet is refused: an expression the classifier
// cannot read is not sent.
func tokenizeCondition(expr string) ([]condToken, error) {
	var toks []condToken
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == ':':
			j := scanWord(expr, i+1)
			if j == i+1 {
				return nil, pgerr.New(pgerr.SyntaxError, "condition expression: empty placeholder at offset %d", i)
			}
			k := cName
			if c == ':' {
				k = cValue
			}
			toks = append(toks, condToken{k, expr[i:j]})
			i = j
		case isDigit(c):
			j := i
			for j < len(expr) && isDigit(expr[j]) {
				j++
			}
			toks = append(toks, condToken{cNum, expr[i:j]})
			i = j
		case isWordStart(c):
			j := scanWord(expr, i)
			toks = append(toks, wordToken(expr, i, j))
			i = j
		default:
			n := punctLen(expr[i:])
			if n == 0 {
				return nil, pgerr.New(pgerr.SyntaxError, "condition expression: unexpected character %q at offset %d", c, i)
			}
			toks = append(toks, condToken{cPunct, expr[i : i+n]})
			i += n
		}
	}
	return toks, nil
}

func wordToken(expr string, i, j int) condToken {
	w := expr[i:j]
	if isCondKeyword(w) || strings.HasPrefix(strings.TrimLeft(expr[j:], " \t\r\n"), "(") {
		return condToken{cWord, w}
	}
	return condToken{cName, w}
}

func punctLen(s string) int {
	for _, p := range []string{"<>", "<=", ">=", "(", ")", "[", "]", ",", ".", "=", "<", ">"} {
		if strings.HasPrefix(s, p) {
			return len(p)
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

func scanWord(s string, i int) int {
	for i < len(s) && (isWordStart(s[i]) || isDigit(s[i])) {
		i++
	}
	return i
}

// condition is what classification needs to know about a condition.
type condition struct {
	// attrs are the top-level attributes the condition reads.
	attrs []string
	// absent are attributes a top-level conjunct requires not to exist
	// (attribute_not_exists(a) ANDed with the rest).
	absent []string
}

// analyzeCondition resolves #placeholders through names and finds the
// attributes read and required absent.
func analyzeCondition(expr string, names map[string]string) (condition, error) {
	toks, err := tokenizeCondition(expr)
	if err != nil {
		return condition{}, err
	}
	if err := checkBalanced(toks); err != nil {
		return condition{}, err
	}
	var c condition
	for i, t := range toks {
		if t.kind != cName || (i > 0 && toks[i-1].text == ".") {
			continue // a nested path element is not a top-level attribute
		}
		name, err := resolveName(t.text, names)
		if err != nil {
			return condition{}, err
		}
		c.attrs = append(c.attrs, name)
	}
	for _, t := range requiredAbsent(toks) {
		name, err := resolveName(t.text, names)
		if err != nil {
			return condition{}, err
		}
		c.absent = append(c.absent, name)
	}
	return c, nil
}

func resolveName(tok string, names map[string]string) (string, error) {
	if !strings.HasPrefix(tok, "#") {
		return tok, nil
	}
	n, ok := names[tok]
	if !ok {
		return "", pgerr.New(pgerr.SyntaxError, "condition expression uses %s, which ExpressionAttributeNames does not define", tok)
	}
	return n, nil
}

// requiredAbsent returns the name tokens of attribute_not_exists(name)
// conjuncts that the whole expression requires. NOT binds tighter than AND,
// AND tighter than OR, so an OR at the top level guarantees nothing.
func requiredAbsent(toks []condToken) []condToken {
	var out []condToken
	for _, conj := range topConjuncts(toks) {
		switch {
		case len(conj) == 4 && conj[0].kind == cWord && strings.EqualFold(conj[0].text, "attribute_not_exists") &&
			conj[1].text == "(" && conj[2].kind == cName && conj[3].text == ")":
			out = append(out, conj[2])
		case len(conj) >= 2 && conj[0].text == "(" && closingParen(conj, 0) == len(conj)-1:
			out = append(out, requiredAbsent(conj[1:len(conj)-1])...)
		}
	}
	return out
}

// topConjuncts splits toks at depth-0 ANDs (not the AND of BETWEEN); nil
// when a depth-0 OR makes the expression a disjunction.
func topConjuncts(toks []condToken) [][]condToken {
	var out [][]condToken
	depth, between, start := 0, 0, 0
	for i, t := range toks {
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth--
		case depth != 0 || t.kind != cWord:
		case strings.EqualFold(t.text, "OR"):
			return nil
		case strings.EqualFold(t.text, "BETWEEN"):
			between++
		case strings.EqualFold(t.text, "AND") && between > 0:
			between--
		case strings.EqualFold(t.text, "AND"):
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// closingParen is the index of the ')' matching the '(' at open, or -1.
func closingParen(toks []condToken, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// checkBalanced refuses unbalanced parentheses and brackets. Beyond being
// invalid, "a = :x) OR (b = :y" would escape the parentheses that
// EnforceAppendOnly puts around a condition before ANDing its guard.
func checkBalanced(toks []condToken) error {
	var open []string
	for _, t := range toks {
		switch t.text {
		case "(", "[":
			open = append(open, t.text)
		case ")", "]":
			want := map[string]string{")": "(", "]": "["}[t.text]
			if len(open) == 0 || open[len(open)-1] != want {
				return pgerr.New(pgerr.SyntaxError, "condition expression: unbalanced %q", t.text)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return pgerr.New(pgerr.SyntaxError, "condition expression: unclosed %q", open[len(open)-1])
	}
	return nil
}
