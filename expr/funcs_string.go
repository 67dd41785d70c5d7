package expr

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

type evalFn = func(ctx *Context, a []sqltypes.Value, t []sqltypes.OID) (sqltypes.Value, error)

const (
	tText = sqltypes.OID(sqltypes.Text)
	tInt  = sqltypes.OID(sqltypes.Int4)
	tBool = sqltypes.OID(sqltypes.Bool)
)

func str(v sqltypes.Value) string {
	s, _ := v.(string)
	return s
}

func num(v sqltypes.Value) int64 {
	n, _ := v.(int64)
	return n
}

func textFn(f func(s string) string) evalFn {
	return func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return f(str(a[0])), nil
	}
}

// substrRunes is PostgreSQL's substring(s FROM start FOR count) on characters.
func substrRunes(s string, start, count int64, hasCount bool) (string, error) {
	if hasCount && count < 0 {
		return "", pgerr.New(pgerr.InvalidParameterValue, "negative substring length not allowed")
	}
	r := []rune(s)
	lo := start
	var hi int64
	if hasCount {
		hi = start + count
		if count > 0 && hi < start { // overflow
			hi = int64(len(r)) + 1
		}
	} else {
		hi = int64(len(r)) + 1
	}
	lo = max(lo, 1)
	hi = min(hi, int64(len(r))+1)
	if lo >= hi {
		return "", nil
	}
	return string(r[lo-1 : hi-1]), nil
}

func trimFn(left, right bool) evalFn {
	return func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		chars := " "
		if len(a) > 1 {
			chars = str(a[1])
		}
		s := str(a[0])
		if left {
			s = strings.TrimLeft(s, chars)
		}
		if right {
			s = strings.TrimRight(s, chars)
		}
		return s, nil
	}
}

func padFn(left bool) evalFn {
	return func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		s, n := []rune(str(a[0])), num(a[1])
		fill := " "
		if len(a) > 2 {
			fill = str(a[2])
		}
		if n <= 0 {
			return "", nil
		}
		if n > 10<<20 {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "requested length too large")
		}
		if int64(len(s)) >= n {
			return string(s[:n]), nil
		}
		fr := []rune(fill)
		if len(fr) == 0 {
			return string(s), nil
		}
		pad := make([]rune, 0, n-int64(len(s)))
		for i := 0; int64(len(pad)) < n-int64(len(s)); i++ {
			pad = append(pad, fr[i%len(fr)])
		}
		if left {
			return string(pad) + string(s), nil
		}
		return string(s) + string(pad), nil
	}
}

// quoteIdent is quote_ident().
func quoteIdent(s string) string { return quoteIdentIfNeeded(s) }

// quoteLiteralFn is quote_literal(): E” when backslashes are present.
func quoteLiteralFn(s string) string { return quoteLiteral(s) }

// formatFn implements format() with %s, %I, %L, %% and positional n$.
func formatFn(ctx *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
	if a[0] == nil {
		return nil, nil
	}
	f := str(a[0])
	var b strings.Builder
	next := 1
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unterminated format() type specifier").WithHint(`For a single "%%" use "%%%%".`)
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// optional argument position n$
		j := i
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			j++
		}
		argn := next
		if j < len(f) && f[j] == '$' && j > i {
			n := 0
			for _, d := range f[i:j] {
				n = n*10 + int(d-'0')
				if n > 1<<20 {
					break
				}
			}
			argn = n
			i = j + 1
		}
		if i >= len(f) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		// width / flags are not supported
		spec := f[i]
		if spec != 's' && spec != 'I' && spec != 'L' {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unrecognized format() type specifier \"%c\"", spec).WithHint(`For a single "%%" use "%%%%".`)
		}
		if argn < 1 || argn >= len(a) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "too few arguments for format()")
		}
		next = argn + 1
		v := a[argn]
		var s string
		if v != nil {
			var err error
			if s, err = textOf(ctx, v, ts[argn]); err != nil {
				return nil, err
			}
		}
		switch spec {
		case 's':
			b.WriteString(s)
		case 'I':
			if v == nil {
				return nil, pgerr.New(pgerr.NullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			b.WriteString(quoteIdent(s))
		case 'L':
			if v == nil {
				b.WriteString("NULL")
			} else {
				b.WriteString(quoteLiteral(s))
			}
		}
	}
	return b.String(), nil
}

func initcap(s string) string {
	var b strings.Builder
	prevAlnum := false
	for _, r := range s {
		if prevAlnum {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
		prevAlnum = unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return b.String()
}

func addStringFuncs(f *Funcs) {
	length := fixed(tInt, args(tText), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return int64(utf8.RuneCountInString(str(a[0]))), nil
	})
	for _, n := range []string{"length", "char_length", "character_length"} {
		f.Add(n, length)
	}
	f.Add("length", fixed(tInt, args(sqltypes.Bytea), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return int64(len(a[0].([]byte))), nil
	}))
	f.Add("octet_length", fixed(tInt, args(tText), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return int64(len(str(a[0]))), nil
	}))
	f.Add("lower", fixed(tText, args(tText), textFn(strings.ToLower)))
	f.Add("upper", fixed(tText, args(tText), textFn(strings.ToUpper)))
	f.Add("initcap", fixed(tText, args(tText), textFn(initcap)))
	f.Add("md5", fixed(tText, args(tText), textFn(func(s string) string {
		h := md5.Sum([]byte(s))
		return hex.EncodeToString(h[:])
	})))
	f.Add("reverse", fixed(tText, args(tText), textFn(func(s string) string {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r)
	})))
	f.Add("quote_ident", fixed(tText, args(tText), textFn(quoteIdent)))
	f.Add("quote_literal", fixed(tText, args(tText), textFn(quoteLiteralFn)))
	f.Add("quote_literal", fixed(tText, args(AnyOID), func(ctx *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
		s, err := textOf(ctx, a[0], ts[0])
		return quoteLiteral(s), err
	}))
	f.Add("quote_nullable", FuncDef{MinArgs: 1, MaxArgs: 1, NonStrict: true, Resolve: Sig(tText, AnyOID),
		Eval: func(ctx *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
			if a[0] == nil {
				return "NULL", nil
			}
			s, err := textOf(ctx, a[0], ts[0])
			return quoteLiteral(s), err
		}})
	substr := func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		if len(a) == 3 {
			return substrRunes(str(a[0]), num(a[1]), num(a[2]), true)
		}
		return substrRunes(str(a[0]), num(a[1]), 0, false)
	}
	for _, n := range []string{"substr", "substring"} {
		f.Add(n, fixed(tText, args(tText, tInt), substr))
		f.Add(n, fixed(tText, args(tText, tInt, tInt), substr))
	}
	f.Add("substring", fixed(tText, args(tText, tText), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		re, err := compileRegex(str(a[1]), false)
		if err != nil {
			return nil, err
		}
		m := re.FindStringSubmatch(str(a[0]))
		switch {
		case m == nil:
			return nil, nil
		case len(m) > 1:
			if m[1] == "" && !strings.Contains(str(a[0]), m[0]) {
				return nil, nil
			}
			return m[1], nil
		}
		return m[0], nil
	}))
	pos := func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		i := strings.Index(str(a[0]), str(a[1]))
		if i < 0 {
			return int64(0), nil
		}
		return int64(utf8.RuneCountInString(str(a[0])[:i]) + 1), nil
	}
	f.Add("strpos", fixed(tInt, args(tText, tText), pos))
	f.Add("position", fixed(tInt, args(tText, tText), pos))
	f.Add("replace", fixed(tText, args(tText, tText, tText), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		if str(a[1]) == "" {
			return str(a[0]), nil
		}
		return strings.ReplaceAll(str(a[0]), str(a[1]), str(a[2])), nil
	}))
	for _, n := range []struct {
		name        string
		left, right bool
	}{{"btrim", true, true}, {"ltrim", true, false}, {"rtrim", false, true}} {
		f.Add(n.name, fixed(tText, args(tText), trimFn(n.left, n.right)))
		f.Add(n.name, fixed(tText, args(tText, tText), trimFn(n.left, n.right)))
	}
	f.Add("lpad", fixed(tText, args(tText, tInt), padFn(true)))
	f.Add("lpad", fixed(tText, args(tText, tInt, tText), padFn(true)))
	f.Add("rpad", fixed(tText, args(tText, tInt), padFn(false)))
	f.Add("rpad", fixed(tText, args(tText, tInt, tText), padFn(false)))
	f.Add("left", fixed(tText, args(tText, tInt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		r, n := []rune(str(a[0])), num(a[1])
		if n < 0 {
			n = max(int64(len(r))+n, 0)
		}
		return string(r[:min(n, int64(len(r)))]), nil
	}))
	f.Add("right", fixed(tText, args(tText, tInt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		r, n := []rune(str(a[0])), num(a[1])
		if n < 0 {
			n = max(int64(len(r))+n, 0)
		}
		n = min(n, int64(len(r)))
		return string(r[int64(len(r))-n:]), nil
	}))
	f.Add("repeat", fixed(tText, args(tText, tInt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		n := num(a[1])
		if n <= 0 {
			return "", nil
		}
		if n*int64(len(str(a[0]))) > 64<<20 {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "requested length too large")
		}
		return strings.Repeat(str(a[0]), int(n)), nil
	}))
	f.Add("starts_with", fixed(tBool, args(tText, tText), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return strings.HasPrefix(str(a[0]), str(a[1])), nil
	}))
	f.Add("split_part", fixed(tText, args(tText, tText, tInt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		n := num(a[2])
		if n == 0 {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "field position must not be zero")
		}
		var parts []string
		if str(a[1]) == "" {
			parts = []string{str(a[0])}
		} else {
			parts = strings.Split(str(a[0]), str(a[1]))
		}
		if n < 0 {
			n += int64(len(parts)) + 1
		}
		if n < 1 || n > int64(len(parts)) {
			return "", nil
		}
		return parts[n-1], nil
	}))
	f.Add("concat", FuncDef{MinArgs: 1, MaxArgs: -1, NonStrict: true, Resolve: VariadicSig(tText, AnyOID),
		Eval: func(ctx *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
			var b strings.Builder
			for i, v := range a {
				if v == nil {
					continue
				}
				s, err := textOf(ctx, v, ts[i])
				if err != nil {
					return nil, err
				}
				b.WriteString(s)
			}
			return b.String(), nil
		}})
	f.Add("concat_ws", FuncDef{MinArgs: 2, MaxArgs: -1, NonStrict: true, Resolve: VariadicSig(tText, tText, AnyOID),
		Eval: func(ctx *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
			if a[0] == nil {
				return nil, nil
			}
			var parts []string
			for i, v := range a[1:] {
				if v == nil {
					continue
				}
				s, err := textOf(ctx, v, ts[i+1])
				if err != nil {
					return nil, err
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, str(a[0])), nil
		}})
	f.Add("format", FuncDef{MinArgs: 1, MaxArgs: -1, NonStrict: true, Resolve: VariadicSig(tText, tText, AnyOID), Eval: formatFn})
	f.Add("regexp_replace", fixed(tText, args(tText, tText, tText), regexReplace))
	f.Add("regexp_replace", fixed(tText, args(tText, tText, tText, tText), regexReplace))
	f.Add("regexp_match", fixed(sqltypes.TextArray, args(tText, tText), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		re, err := compileRegex(str(a[1]), false)
		if err != nil {
			return nil, err
		}
		m := re.FindStringSubmatch(str(a[0]))
		if m == nil {
			return nil, nil
		}
		if len(m) > 1 {
			m = m[1:]
		}
		out := sqltypes.Array{Elem: sqltypes.Text}
		for _, s := range m {
			out.Items = append(out.Items, s)
		}
		return out, nil
	}))
	f.Add("chr", fixed(tText, args(tInt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		n := num(a[0])
		if n <= 0 || n > unicode.MaxRune {
			return nil, pgerr.New(pgerr.ProgramLimitExceeded, "requested character too large for encoding: %d", n)
		}
		return string(rune(n)), nil
	}))
	f.Add("ascii", fixed(tInt, args(tText), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		r, _ := utf8.DecodeRuneInString(str(a[0]))
		if str(a[0]) == "" {
			r = 0
		}
		return int64(r), nil
	}))
	f.Add("to_hex", fixed(tText, args(sqltypes.Int8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return formatHex(num(a[0])), nil
	}))
}

func formatHex(n int64) string {
	const digits = "0123456789abcdef"
	u := uint64(n)
	if u == 0 {
		return "0"
	}
	var b []byte
	for u > 0 {
		b = append([]byte{digits[u%16]}, b...)
		u /= 16
	}
	return string(b)
}

func regexReplace(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
	flags := ""
	if len(a) > 3 {
		flags = str(a[3])
	}
	global, fold := false, false
	for _, c := range flags {
		switch c {
		case 'g':
			global = true
		case 'i':
			fold = true
		case 'c':
			fold = false
		default:
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid regular expression option: \"%c\"", c)
		}
	}
	re, err := compileRegex(str(a[1]), fold)
	if err != nil {
		return nil, err
	}
	// PostgreSQL's replacement uses \1..\9 and \&; Go's uses ${1}.
	rep := str(a[2])
	var rb strings.Builder
	for i := 0; i < len(rep); i++ {
		c := rep[i]
		switch {
		case c == '\\' && i+1 < len(rep) && rep[i+1] >= '0' && rep[i+1] <= '9':
			rb.WriteString("${" + string(rep[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(rep) && rep[i+1] == '&':
			rb.WriteString("${0}")
			i++
		case c == '\\' && i+1 < len(rep) && rep[i+1] == '\\':
			rb.WriteByte('\\')
			i++
		case c == '$':
			rb.WriteString("$$")
		default:
			rb.WriteByte(c)
		}
	}
	s := str(a[0])
	if global {
		return re.ReplaceAllString(s, rb.String()), nil
	}
	loc := re.FindStringSubmatchIndex(s)
	if loc == nil {
		return s, nil
	}
	var out []byte
	out = re.ExpandString(out, rb.String(), s, loc)
	return s[:loc[0]] + string(out) + s[loc[1]:], nil
}
