package expr

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

type likeTok struct {
	kind byte // 'c' literal rune, '_' any one, '%' any run
	r    rune
}

func compileLike(pat, esc string, fold bool) ([]likeTok, error) {
	var escR rune = -1
	if esc != "" {
		if utf8.RuneCountInString(esc) != 1 {
			return nil, pgerr.New(pgerr.InvalidEscapeSequence, "invalid escape string").WithHint("Escape string must be empty or one character.")
		}
		escR, _ = utf8.DecodeRuneInString(esc)
	}
	if fold {
		pat = strings.ToLower(pat)
		if escR >= 0 {
			escR = []rune(strings.ToLower(string(escR)))[0]
		}
	}
	rs := []rune(pat)
	toks := make([]likeTok, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == escR:
			if i+1 >= len(rs) {
				toks = append(toks, likeTok{kind: 'E'}) // an error if matching reaches it
				continue
			}
			i++
			toks = append(toks, likeTok{kind: 'c', r: rs[i]})
		case r == '%':
			if len(toks) > 0 && toks[len(toks)-1].kind == '%' {
				continue
			}
			toks = append(toks, likeTok{kind: '%'})
		case r == '_':
			toks = append(toks, likeTok{kind: '_'})
		default:
			toks = append(toks, likeTok{kind: 'c', r: r})
		}
	}
	return toks, nil
}

// likeMatch implements LIKE / ILIKE with the given escape ("" disables it).
func likeMatch(s, pat, esc string, fold bool) (bool, error) {
	toks, err := compileLike(pat, esc, fold)
	if err != nil {
		return false, err
	}
	if fold {
		s = strings.ToLower(s)
	}
	str := []rune(s)
	// Iterative wildcard matching with backtracking to the last '%'.
	si, ti := 0, 0
	starT, starS := -1, 0
	for si < len(str) {
		if ti < len(toks) && toks[ti].kind == 'E' {
			return false, pgerr.New(pgerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
		}
		if ti < len(toks) && (toks[ti].kind == '_' || (toks[ti].kind == 'c' && toks[ti].r == str[si])) {
			si++
			ti++
			continue
		}
		if ti < len(toks) && toks[ti].kind == '%' {
			starT, starS = ti, si
			ti++
			continue
		}
		if starT >= 0 {
			starS++
			si, ti = starS, starT+1
			continue
		}
		return false, nil
	}
	for ti < len(toks) && toks[ti].kind == '%' {
		ti++
	}
	return ti == len(toks), nil
}

// compileRegex translates a PostgreSQL ARE to Go's RE2 syntax where they
// differ cheaply (word boundaries, dot matches newline) and compiles it.
func compileRegex(pat string, fold bool) (*regexp.Regexp, error) {
	p := pat
	p = strings.ReplaceAll(p, `[[:<:]]`, `\b`)
	p = strings.ReplaceAll(p, `[[:>:]]`, `\b`)
	p = strings.ReplaceAll(p, `\m`, `\b`)
	p = strings.ReplaceAll(p, `\M`, `\b`)
	p = strings.ReplaceAll(p, `\y`, `\b`)
	p = strings.ReplaceAll(p, `\Y`, `\B`)
	flags := "(?s)"
	if fold {
		flags = "(?si)"
	}
	re, err := regexp.Compile(flags + p)
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[:i]
		}
		return nil, pgerr.New(pgerr.InvalidRegularExpression, "invalid regular expression: %s", strings.TrimPrefix(msg, "error parsing regexp: "))
	}
	return re, nil
}

// regexNode is text ~ pattern (and ~*, !~, !~*).
type regexNode struct {
	arg, pat Expr
	fold     bool
	not      bool
	re       *regexp.Regexp // precompiled when the pattern is constant
}

func (r *regexNode) Type() sqltypes.OID { return sqltypes.Bool }

func (r *regexNode) Eval(ctx *Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := r.arg.Eval(ctx, row)
	if err != nil || v == nil {
		return nil, err
	}
	re := r.re
	if re == nil {
		p, err := r.pat.Eval(ctx, row)
		if err != nil || p == nil {
			return nil, err
		}
		if re, err = compileRegex(p.(string), r.fold); err != nil {
			return nil, err
		}
	}
	return re.MatchString(v.(string)) != r.not, nil
}

func (r *regexNode) String() string {
	op := "~"
	if r.fold {
		op += "*"
	}
	if r.not {
		op = "!" + op
	}
	return "(" + r.arg.String() + " " + op + " " + r.pat.String() + ")"
}
