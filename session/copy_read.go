package session

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/fazproxy/fazproxy/pgerr"
)

// badCopyFileFormat is PostgreSQL's bad_copy_file_format.
const badCopyFileFormat = "22P04"

// copyReader splits COPY FROM input into records of fields, in PostgreSQL's
// text format (CopyReadLineText, CopyReadAttributesText) or CSV
// (CopyReadLineCSV, CopyReadAttributesCSV). A field is nil for NULL and
// non-nil (possibly empty) otherwise.
type copyReader struct {
	r    *bufio.Reader
	opts *copyOptions
	// line is the number of the record last read, counted as PostgreSQL
	// counts for its CONTEXT line (a header is line 1).
	line int64
	done bool
	eol  eolStyle
	buf  []byte
}

// eolStyle is the line end the data uses: PostgreSQL takes it from the
// first line and refuses the others in the rest of the data.
type eolStyle int

const (
	eolUnknown eolStyle = iota
	eolNL
	eolCR
	eolCRNL
)

func newCopyReader(r io.Reader, opts *copyOptions) *copyReader {
	// buf is never nil: readLine returns nil only at the end marker.
	return &copyReader{r: bufio.NewReaderSize(r, 64<<10), opts: opts, buf: make([]byte, 0, 256)}
}

// next returns the next record's fields, or io.EOF after the last one (at
// the end of the data or at the end-of-data marker \.).
func (c *copyReader) next() ([][]byte, error) {
	if c.done {
		return nil, io.EOF
	}
	raw, err := c.readLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			c.done = true
		}
		return nil, err
	}
	c.line++
	if raw == nil { // the end-of-data marker alone on its line
		return nil, io.EOF
	}
	if c.opts.csv {
		return c.csvFields(raw)
	}
	return c.textFields(raw)
}

// readLine reads one record's bytes without its line end, as PostgreSQL
// 15's CopyReadLineText and CopyReadLineCSV do: a line end is data when a
// backslash escapes it (text) or inside quotes (CSV); \. followed by a line
// end ends the data (CSV: only at the start of a line). It returns nil
// bytes and sets done at a marker with nothing before it.
func (c *copyReader) readLine() ([]byte, error) {
	c.buf = c.buf[:0]
	st := lineState{opts: c.opts}
	for first := true; ; first = false {
		b, err := c.r.ReadByte()
		if errors.Is(err, io.EOF) {
			return c.lastLine(st, first)
		}
		if err != nil {
			return nil, err
		}
		if c.opts.csv {
			if first && b == '\\' {
				if marker, err := c.csvMarker(&st); marker || err != nil {
					return nil, err
				}
				continue
			}
			st.csvByte(b)
			if st.inQuote {
				c.buf = append(c.buf, b)
				continue
			}
		} else if b == '\\' {
			n, err := c.r.ReadByte()
			if errors.Is(err, io.EOF) {
				c.buf = append(c.buf, b) // a trailing backslash, dropped by textFields
				return c.lastLine(st, false)
			}
			if err != nil {
				return nil, err
			}
			if n == '.' {
				return c.textMarker()
			}
			c.buf = append(c.buf, b, n)
			continue
		}
		if b == '\n' || b == '\r' {
			return c.buf, c.lineEnd(b)
		}
		c.buf = append(c.buf, b)
	}
}

// lastLine ends the data: a last line without a line end is a record.
func (c *copyReader) lastLine(st lineState, empty bool) ([]byte, error) {
	if st.inQuote {
		return nil, pgerr.New(badCopyFileFormat, "unterminated CSV quoted field")
	}
	if empty {
		return nil, io.EOF
	}
	return c.buf, nil
}

// lineEnd checks a line end against the style of the first one (and
// consumes the "\n" of "\r\n").
func (c *copyReader) lineEnd(b byte) error {
	if b == '\n' {
		if c.eol == eolCR || c.eol == eolCRNL {
			return c.strayLineEnd(b)
		}
		c.eol = eolNL
		return nil
	}
	switch c.eol {
	case eolNL:
		return c.strayLineEnd(b)
	case eolCR:
		return nil
	}
	if p, err := c.r.Peek(1); err == nil && p[0] == '\n' {
		_, _ = c.r.ReadByte() // the byte Peek just saw
		c.eol = eolCRNL
		return nil
	}
	if c.eol == eolCRNL {
		return c.strayLineEnd(b)
	}
	c.eol = eolCR
	return nil
}

// strayLineEnd is PostgreSQL's error for a line end of another style than
// the data's.
func (c *copyReader) strayLineEnd(b byte) error {
	what, esc := "carriage return", `\r`
	if b == '\n' {
		what, esc = "newline", `\n`
	}
	if c.opts.csv {
		return pgerr.New(badCopyFileFormat, "unquoted %s found in data", what).
			WithHint("Use quoted CSV field to represent %s.", what)
	}
	return pgerr.New(badCopyFileFormat, "literal %s found in data", what).
		WithHint(`Use "%s" to represent %s.`, esc, what)
}

// textMarker handles \. in text format: with a line end after it, the data
// ends after what precedes it on the line; anything else is an error.
func (c *copyReader) textMarker() ([]byte, error) {
	if err := c.markerEnd(); err != nil {
		return nil, err
	}
	c.done = true
	if len(c.buf) == 0 {
		return nil, nil
	}
	return c.buf, nil
}

// csvMarker handles a backslash at the start of a CSV line: \. and a line
// end end the data; otherwise the bytes are data.
func (c *copyReader) csvMarker(st *lineState) (bool, error) {
	if p, err := c.r.Peek(1); err != nil || p[0] != '.' {
		st.csvByte('\\')
		c.buf = append(c.buf, '\\')
		return false, nil
	}
	_, _ = c.r.ReadByte() // the '.' Peek just saw
	if p, err := c.r.Peek(1); err == nil && p[0] != '\n' && p[0] != '\r' {
		st.csvByte('\\')
		st.csvByte('.')
		c.buf = append(c.buf, '\\', '.')
		return false, nil
	}
	if err := c.markerEnd(); err != nil {
		return false, err
	}
	c.done = true
	return true, nil
}

// markerEnd reads the line end after \., which must be there and match
// the data's style (what follows it is never read, as in PostgreSQL).
func (c *copyReader) markerEnd() error {
	n, err := c.r.ReadByte()
	if err == nil && c.eol == eolCRNL && n == '\r' {
		n, err = c.r.ReadByte()
	} else if err == nil && c.eol == eolCRNL && n == '\n' {
		return markerStyleError()
	}
	if errors.Is(err, io.EOF) || err == nil && n != '\n' && n != '\r' {
		return pgerr.New(badCopyFileFormat, "end-of-copy marker corrupt")
	}
	if err != nil {
		return err
	}
	if (c.eol == eolNL || c.eol == eolCRNL) && n != '\n' || c.eol == eolCR && n != '\r' {
		return markerStyleError()
	}
	return nil
}

func markerStyleError() error {
	return pgerr.New(badCopyFileFormat, "end-of-copy marker does not match previous newline style")
}

// lineState tracks CSV quoting along a record.
type lineState struct {
	opts    *copyOptions
	inQuote bool // inside a quoted field
	lastEsc bool // the previous byte was an escape inside quotes
}

// csvByte tracks quotes as CopyReadLineCSV does: with the escape character
// equal to the quote, a quote simply toggles.
func (s *lineState) csvByte(c byte) {
	q, e := s.opts.quote, s.opts.escape
	if e == q {
		e = 0
	}
	if s.inQuote && e != 0 && c == e {
		s.lastEsc = !s.lastEsc
	}
	if c == q && !s.lastEsc {
		s.inQuote = !s.inQuote
	}
	if c != e {
		s.lastEsc = false
	}
}

// textFields splits a text-format line and undoes its backslash escapes; a
// field whose raw text is the NULL string is NULL.
func (c *copyReader) textFields(line []byte) ([][]byte, error) {
	var out [][]byte
	o := c.opts
	start := 0
	field := []byte{}
	for i := 0; ; i++ {
		if i == len(line) || line[i] == o.delim {
			if string(line[start:i]) == o.null {
				field = nil
			} else if err := checkUTF8(field); err != nil {
				return nil, err
			}
			out = append(out, field)
			if i == len(line) {
				return out, nil
			}
			start, field = i+1, []byte{}
			continue
		}
		b := line[i]
		if b != '\\' {
			field = append(field, b)
			continue
		}
		if i+1 == len(line) {
			continue // a backslash at the very end is dropped, as in PostgreSQL
		}
		i++
		var n int
		b, n = unescapeText(line[i:])
		i += n - 1
		field = append(field, b)
	}
}

// unescapeText decodes the escape after a backslash at the start of s; it
// returns the byte and how many bytes of s it used.
func unescapeText(s []byte) (byte, int) {
	switch c := s[0]; {
	case c >= '0' && c <= '7':
		v, n := int(c-'0'), 1
		for n < 3 && n < len(s) && s[n] >= '0' && s[n] <= '7' {
			v = v*8 + int(s[n]-'0')
			n++
		}
		return byte(v & 0xff), n
	case c == 'x' && len(s) > 1 && isHex(s[1]):
		v, n := hexVal(s[1]), 2
		if len(s) > 2 && isHex(s[2]) {
			v, n = v*16+hexVal(s[2]), 3
		}
		return byte(v), n
	case c == 'b':
		return '\b', 1
	case c == 'f':
		return '\f', 1
	case c == 'n':
		return '\n', 1
	case c == 'r':
		return '\r', 1
	case c == 't':
		return '\t', 1
	case c == 'v':
		return '\v', 1
	default:
		return c, 1
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// csvFields splits a CSV record: quoted parts keep delimiters and line
// ends, the escape character before a quote or an escape makes it literal,
// and only an unquoted field equal to the NULL string is NULL (so "" is an
// empty string under the default NULL string).
func (c *copyReader) csvFields(rec []byte) ([][]byte, error) {
	o := c.opts
	var out [][]byte
	i := 0
	for {
		start := i
		field := []byte{}
		sawQuote := false
		for i < len(rec) && rec[i] != o.delim {
			if rec[i] != o.quote {
				field = append(field, rec[i])
				i++
				continue
			}
			sawQuote = true
			var err error
			if field, i, err = csvQuoted(rec, i+1, field, o); err != nil {
				return nil, err
			}
		}
		if !sawQuote && string(rec[start:i]) == o.null {
			field = nil
		} else if err := checkUTF8(field); err != nil {
			return nil, err
		}
		out = append(out, field)
		if i == len(rec) {
			return out, nil
		}
		i++ // the delimiter
	}
}

// csvQuoted reads a quoted part starting after its opening quote and
// returns the field and the index after the closing quote.
func csvQuoted(rec []byte, i int, field []byte, o *copyOptions) ([]byte, int, error) {
	for ; i < len(rec); i++ {
		ch := rec[i]
		if ch == o.escape && i+1 < len(rec) && (rec[i+1] == o.escape || rec[i+1] == o.quote) {
			field = append(field, rec[i+1])
			i++
			continue
		}
		if ch == o.quote {
			return field, i + 1, nil
		}
		field = append(field, ch)
	}
	return nil, 0, pgerr.New(badCopyFileFormat, "unterminated CSV quoted field")
}

// checkUTF8 refuses a field that is not valid UTF-8 or holds a NUL byte,
// which PostgreSQL cannot store in text either (22021).
func checkUTF8(b []byte) error {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0 || r == utf8.RuneError && n <= 1 {
			return invalidUTF8(b[i:min(len(b), i+2)])
		}
		i += n
	}
	return nil
}

func invalidUTF8(bad []byte) error {
	if len(bad) > 0 && bad[0] == 0 {
		bad = bad[:1]
	}
	var hex bytes.Buffer
	for i, c := range bad {
		if i > 0 {
			hex.WriteByte(' ')
		}
		hex.WriteString("0x")
		hex.WriteByte("0123456789abcdef"[c>>4])
		hex.WriteByte("0123456789abcdef"[c&15])
	}
	return pgerr.New(pgerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", hex.String())
}
