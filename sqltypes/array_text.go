package sqltypes

import (
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
)

// needsArrayQuote is array_out's test: empty, NULL-like, or containing a
// delimiter, brace, quote, backslash or whitespace.
func needsArrayQuote(s string) bool {
	if s == "" || strings.EqualFold(s, "NULL") {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', '}', ',', '"', '\\':
			return true
		}
		if isPGSpace(s[i]) {
			return true
		}
	}
	return false
}

// FormatArray is array_out for a one-dimensional array: {a,"b c",NULL}.
func FormatArray(a Array) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, it := range a.Items {
		if i > 0 {
			b.WriteByte(',')
		}
		if it == nil {
			b.WriteString("NULL")
			continue
		}
		s, err := FormatText(it, a.Elem)
		if err != nil {
			return "", err
		}
		if !needsArrayQuote(s) {
			b.WriteString(s)
			continue
		}
		b.WriteByte('"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

func malformedArray(s, detail string) error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "malformed array literal: %q", s).WithDetail("%s", detail)
}

// ParseArray is array_in for a one-dimensional array of elem: optional
// dimension decoration ("[1:3]="), elements quoted or not, backslash
// escapes, unquoted NULL. Multidimensional arrays are not supported.
func ParseArray(s string, elem OID) (Array, error) {
	v := trimPGSpace(s)
	if strings.HasPrefix(v, "[") {
		i := strings.IndexByte(v, '=')
		if i < 0 {
			return Array{}, malformedArray(s, `Missing "=" after array dimensions.`)
		}
		v = trimPGSpace(v[i+1:])
	}
	if len(v) < 2 || v[0] != '{' || v[len(v)-1] != '}' {
		return Array{}, malformedArray(s, `Array value must start with "{" or dimension information.`)
	}
	p := arrayParser{src: s, body: v[1 : len(v)-1], elem: elem}
	return p.parse()
}

// arrayParser reads the elements between the outer braces.
type arrayParser struct {
	src, body string
	i         int
	elem      OID
}

func (p *arrayParser) skipSpace() {
	for p.i < len(p.body) && isPGSpace(p.body[p.i]) {
		p.i++
	}
}

func (p *arrayParser) parse() (Array, error) {
	out := Array{Elem: p.elem, Items: []Value{}}
	p.skipSpace()
	if p.i == len(p.body) {
		return out, nil
	}
	for {
		p.skipSpace()
		text, isNull, err := p.element()
		if err != nil {
			return Array{}, err
		}
		if isNull {
			out.Items = append(out.Items, nil)
		} else {
			ev, err := ParseText(text, p.elem)
			if err != nil {
				return Array{}, err
			}
			out.Items = append(out.Items, ev)
		}
		p.skipSpace()
		if p.i == len(p.body) {
			return out, nil
		}
		if p.body[p.i] != ',' {
			return Array{}, malformedArray(p.src, "Unexpected array element.")
		}
		p.i++
	}
}

// element reads one element; an unquoted, unescaped NULL is SQL NULL.
func (p *arrayParser) element() (string, bool, error) {
	if p.i < len(p.body) && p.body[p.i] == '{' {
		return "", false, pgerr.Unsupported("multidimensional arrays", "")
	}
	if p.i < len(p.body) && p.body[p.i] == '"' {
		return p.quoted()
	}
	var b strings.Builder
	escaped, keep := false, 0 // keep: length that trailing-space trimming must not cut
	for p.i < len(p.body) && p.body[p.i] != ',' {
		c := p.body[p.i]
		switch c {
		case '"', '{', '}':
			return "", false, malformedArray(p.src, "Unexpected \""+string(c)+"\" character.")
		case '\\':
			if p.i+1 >= len(p.body) {
				return "", false, malformedArray(p.src, "Unexpected end of input.")
			}
			p.i++
			b.WriteByte(p.body[p.i])
			escaped, keep = true, b.Len()
		default:
			b.WriteByte(c)
		}
		p.i++
	}
	text := b.String()
	end := len(text)
	for end > keep && isPGSpace(text[end-1]) {
		end--
	}
	text = text[:end]
	if text == "" && !escaped {
		return "", false, malformedArray(p.src, `Unexpected "," character.`)
	}
	return text, !escaped && strings.EqualFold(text, "NULL"), nil
}

func (p *arrayParser) quoted() (string, bool, error) {
	var b strings.Builder
	for p.i++; p.i < len(p.body) && p.body[p.i] != '"'; p.i++ {
		if p.body[p.i] == '\\' {
			p.i++
			if p.i >= len(p.body) {
				break
			}
		}
		b.WriteByte(p.body[p.i])
	}
	if p.i >= len(p.body) {
		return "", false, malformedArray(p.src, "Unexpected end of input.")
	}
	p.i++
	return b.String(), false, nil
}

// formatVector is int2vectorout/oidvectorout: space-separated numbers.
func formatVector(a Array, t OID) (string, error) {
	parts := make([]string, len(a.Items))
	for i, it := range a.Items {
		n, ok := toInt64(it)
		if !ok {
			return "", cannotRepresent(it, t)
		}
		parts[i] = strings.TrimSpace(intText(n))
	}
	return strings.Join(parts, " "), nil
}

// parseVector is int2vectorin/oidvectorin.
func parseVector(s string, t OID) (Array, error) {
	elem := Int2
	if t == OidVector {
		elem = Oid
	}
	out := Array{Elem: elem, Items: []Value{}}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isPGSpace(byte(r)) }) {
		n, err := ParseInt(f, elem)
		if err != nil {
			return Array{}, err
		}
		out.Items = append(out.Items, n)
	}
	return out, nil
}
