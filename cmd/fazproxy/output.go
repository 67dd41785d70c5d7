package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// Output of `fazproxy query`, `tables` and `describe`: the rows a statement
// sent, in PostgreSQL's text format, printed as a psql-like aligned table,
// a JSON array of objects or CSV. Notices go to stderr as they arrive, so
// stdout holds only the result and a script can parse it.

// Output formats (--format).
const (
	formatTable = "table"
	formatJSON  = "json"
	formatCSV   = "csv"
)

// resultSet is one statement's answer: its columns, its rows (text format,
// nil = NULL) and its command tag.
type resultSet struct {
	fields []wire.FieldDesc
	rows   [][][]byte
	tag    string
}

// collector is the wire.ResultWriter the CLI passes to Portal.Execute: it
// keeps the rows and prints notices at once (a continuation key must reach
// the user even when the statement fails later).
type collector struct {
	rows   [][][]byte
	notice io.Writer
}

var _ wire.ResultWriter = (*collector)(nil)

// Row implements wire.ResultWriter. The values are copied: a writer must not
// keep buffers the session may reuse.
func (c *collector) Row(values [][]byte) error {
	row := make([][]byte, len(values))
	for i, v := range values {
		if v != nil {
			row[i] = append([]byte{}, v...)
		}
	}
	c.rows = append(c.rows, row)
	return nil
}

// Notice implements wire.ResultWriter, in psql's layout.
func (c *collector) Notice(n *pgerr.Error) error {
	writeDiagnostic(c.notice, n)
	return nil
}

// ParameterStatus implements wire.ResultWriter; a CLI run has no use for it.
func (c *collector) ParameterStatus(string, string) error { return nil }

// writeDiagnostic prints a notice or an error as psql does:
// "SEVERITY:  message", then DETAIL and HINT lines. Errors also show their
// SQLSTATE, which scripts may want to match.
func writeDiagnostic(w io.Writer, e *pgerr.Error) {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	if sev == "ERROR" || sev == "FATAL" {
		fmt.Fprintf(w, "%s:  %s (SQLSTATE %s)\n", sev, e.Message, e.Code)
	} else {
		fmt.Fprintf(w, "%s:  %s\n", sev, e.Message)
	}
	if e.Detail != "" {
		fmt.Fprintf(w, "DETAIL:  %s\n", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", e.Hint)
	}
}

// writeResult prints rs in format. A statement without result columns
// (INSERT, SET ...) prints its command tag: on stdout for the table format,
// as psql does, on stderr otherwise so stdout stays parseable.
func writeResult(stdout, stderr io.Writer, format string, rs *resultSet) error {
	if rs.fields == nil {
		if rs.tag == "" {
			return nil
		}
		w := stderr
		if format == formatTable {
			w = stdout
		}
		_, err := fmt.Fprintln(w, rs.tag)
		return err
	}
	bw := bufio.NewWriter(stdout)
	switch format {
	case formatJSON:
		writeJSON(bw, rs)
	case formatCSV:
		writeCSV(bw, rs)
	default:
		writeTable(bw, rs)
	}
	return bw.Flush()
}

// --- table ---

// writeTable prints psql's aligned format: centred headers, numbers right
// aligned, a multi-line value continued on the next lines with "+" after
// the column, and "(n rows)".
func writeTable(w *bufio.Writer, rs *resultSet) {
	n := len(rs.fields)
	widths := make([]int, n)
	right := make([]bool, n)
	for i, f := range rs.fields {
		widths[i] = textWidth(f.Name)
		right[i] = isNumeric(f.TypeOID)
	}
	cells := make([][][]string, len(rs.rows)) // row → column → lines
	for r, row := range rs.rows {
		cells[r] = make([][]string, n)
		for i := range n {
			lines := strings.Split(cellText(row, i), "\n")
			cells[r][i] = lines
			for _, l := range lines {
				widths[i] = max(widths[i], textWidth(l))
			}
		}
	}
	writeHeader(w, rs.fields, widths)
	for _, row := range cells {
		writeTableRow(w, row, widths, right)
	}
	if len(rs.rows) == 1 {
		w.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(w, "(%d rows)\n", len(rs.rows))
	}
}

func writeHeader(w *bufio.Writer, fields []wire.FieldDesc, widths []int) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte('|')
		}
		pad := widths[i] - textWidth(f.Name)
		left := pad / 2
		w.WriteString(" " + strings.Repeat(" ", left) + f.Name + strings.Repeat(" ", pad-left) + " ")
	}
	w.WriteByte('\n')
	for i, width := range widths {
		if i > 0 {
			w.WriteByte('+')
		}
		w.WriteString(strings.Repeat("-", width+2))
	}
	w.WriteByte('\n')
}

// writeTableRow prints one row, which spans as many lines as its tallest
// value.
func writeTableRow(w *bufio.Writer, row [][]string, widths []int, right []bool) {
	height := 1
	for _, lines := range row {
		height = max(height, len(lines))
	}
	for line := range height {
		var b strings.Builder
		for i, lines := range row {
			if i > 0 {
				b.WriteByte('|')
			}
			text, more := "", line+1 < len(lines)
			if line < len(lines) {
				text = lines[line]
			}
			pad := strings.Repeat(" ", widths[i]-textWidth(text))
			if right[i] {
				b.WriteString(" " + pad + text)
			} else {
				b.WriteString(" " + text + pad)
			}
			if more {
				b.WriteByte('+')
			} else {
				b.WriteByte(' ')
			}
		}
		w.WriteString(strings.TrimRight(b.String(), " "))
		w.WriteByte('\n')
	}
}

// textWidth counts characters, not bytes, so non-ASCII text stays aligned.
func textWidth(s string) int { return utf8.RuneCountInString(s) }

// cellText is a value as the table shows it: NULL prints as nothing, as in
// psql by default.
func cellText(row [][]byte, i int) string {
	if i >= len(row) || row[i] == nil {
		return ""
	}
	return string(row[i])
}

func isNumeric(t uint32) bool {
	switch t {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8,
		sqltypes.Numeric, sqltypes.Oid:
		return true
	}
	return false
}

// --- JSON ---

// writeJSON prints a JSON array with one object per row, one per line (so
// line tools work too). Keys follow the column order; NULL is null, bool
// and finite numbers are JSON literals, json and jsonb values are embedded
// as JSON, and everything else is a string in PostgreSQL's text format.
func writeJSON(w *bufio.Writer, rs *resultSet) {
	names := make([][]byte, len(rs.fields))
	for i, f := range rs.fields {
		names[i], _ = json.Marshal(f.Name) // a string always marshals
	}
	w.WriteString("[")
	for r, row := range rs.rows {
		if r > 0 {
			w.WriteString(",")
		}
		w.WriteString("\n  {")
		for i, f := range rs.fields {
			if i > 0 {
				w.WriteString(", ")
			}
			w.Write(names[i])
			w.WriteString(": ")
			w.Write(jsonValue(f.TypeOID, row[i]))
		}
		w.WriteString("}")
	}
	if len(rs.rows) > 0 {
		w.WriteString("\n")
	}
	w.WriteString("]\n")
}

// jsonValue renders one text-format value of type t as JSON.
func jsonValue(t uint32, v []byte) []byte {
	if v == nil {
		return []byte("null")
	}
	switch {
	case t == sqltypes.Bool && (string(v) == "t" || string(v) == "f"):
		if v[0] == 't' {
			return []byte("true")
		}
		return []byte("false")
	case (t == sqltypes.Jsonb || t == sqltypes.JSON_) && json.Valid(v):
		return v
	case isNumeric(t) && isJSONNumber(v):
		return v
	}
	s, _ := json.Marshal(string(v)) // a string always marshals
	return s
}

// isJSONNumber rejects what PostgreSQL numbers may print but JSON numbers
// cannot be (NaN, Infinity); those become strings.
func isJSONNumber(v []byte) bool {
	var n json.Number
	return json.Unmarshal(v, &n) == nil
}

// --- CSV ---

// writeCSV prints RFC 4180 CSV: a header line, CRLF line ends, a field
// quoted when it holds a comma, a quote, CR or LF (quotes doubled). NULL is
// an empty unquoted field and the empty string "" quoted, so the two stay
// apart, as in PostgreSQL's COPY ... CSV.
func writeCSV(w *bufio.Writer, rs *resultSet) {
	for i, f := range rs.fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(csvField([]byte(f.Name)))
	}
	w.WriteString("\r\n")
	for _, row := range rs.rows {
		for i := range rs.fields {
			if i > 0 {
				w.WriteByte(',')
			}
			if i < len(row) && row[i] != nil {
				w.WriteString(csvField(row[i]))
			}
		}
		w.WriteString("\r\n")
	}
}

func csvField(v []byte) string {
	s := string(v)
	if s != "" && !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
