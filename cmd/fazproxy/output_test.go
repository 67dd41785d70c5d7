package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// sample is a result with the awkward cases: NULL against the empty string,
// a comma, a quote, a newline, non-ASCII text, jsonb, bool and numbers.
func sample() *resultSet {
	f := func(name string, t uint32) wire.FieldDesc { return wire.FieldDesc{Name: name, TypeOID: t} }
	b := func(s string) []byte { return []byte(s) }
	return &resultSet{
		fields: []wire.FieldDesc{f("id", sqltypes.Int4), f("name", sqltypes.Text), f("doc", sqltypes.Jsonb),
			f("ok", sqltypes.Bool), f("n", sqltypes.Numeric)},
		rows: [][][]byte{
			{b("1"), b("a,b"), b(`{"k": [1, "x"]}`), b("t"), b("1.50")},
			{b("22"), b(""), nil, b("f"), b("NaN")},
			{b("3"), b("say \"hi\"\nbye"), b("null"), nil, nil},
			{b("4"), b("grün"), b(`"s"`), b("t"), b("-7e3")},
		},
		tag: "SELECT 4",
	}
}

func TestWriteResultFormats(t *testing.T) {
	cases := []struct {
		format string
		want   string
	}{
		{formatTable, "" +
			" id |   name   |       doc       | ok |  n   \n" +
			"----+----------+-----------------+----+------\n" +
			"  1 | a,b      | {\"k\": [1, \"x\"]} | t  | 1.50\n" +
			" 22 |          |                 | f  |  NaN\n" +
			"  3 | say \"hi\"+| null            |    |\n" +
			"    | bye      |                 |    |\n" +
			"  4 | grün     | \"s\"             | t  | -7e3\n" +
			"(4 rows)\n"},
		{formatJSON, "[\n" +
			`  {"id": 1, "name": "a,b", "doc": {"k": [1, "x"]}, "ok": true, "n": 1.50},` + "\n" +
			`  {"id": 22, "name": "", "doc": null, "ok": false, "n": "NaN"},` + "\n" +
			`  {"id": 3, "name": "say \"hi\"\nbye", "doc": null, "ok": null, "n": null},` + "\n" +
			`  {"id": 4, "name": "grün", "doc": "s", "ok": true, "n": -7e3}` + "\n" +
			"]\n"},
		{formatCSV, "id,name,doc,ok,n\r\n" +
			"1,\"a,b\",\"{\"\"k\"\": [1, \"\"x\"\"]}\",t,1.50\r\n" +
			"22,\"\",,f,NaN\r\n" +
			"3,\"say \"\"hi\"\"\nbye\",null,,\r\n" +
			"4,grün,\"\"\"s\"\"\",t,-7e3\r\n"},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := writeResult(&out, &errOut, c.format, sample()); err != nil {
				t.Fatal(err)
			}
			if out.String() != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", out.String(), c.want)
			}
			if c.format == formatJSON {
				var v []map[string]any
				if err := json.Unmarshal(out.Bytes(), &v); err != nil || len(v) != 4 {
					t.Errorf("output does not parse as an array of 4 objects: %v", err)
				}
			}
		})
	}
}

func TestWriteResultEmptyAndTags(t *testing.T) {
	cases := []struct {
		name, format     string
		rs               *resultSet
		wantOut, wantErr string
	}{
		{"no rows table", formatTable, &resultSet{fields: textFields("a"), tag: "SELECT 0"}, " a \n---\n(0 rows)\n", ""},
		{"one row table", formatTable, &resultSet{fields: textFields("a"), rows: [][][]byte{{[]byte("x")}}}, " a \n---\n x\n(1 row)\n", ""},
		{"no rows json", formatJSON, &resultSet{fields: textFields("a")}, "[]\n", ""},
		{"no rows csv", formatCSV, &resultSet{fields: textFields("a")}, "a\r\n", ""},
		{"tag on stdout for table", formatTable, &resultSet{tag: "INSERT 0 1"}, "INSERT 0 1\n", ""},
		{"tag on stderr for json", formatJSON, &resultSet{tag: "INSERT 0 1"}, "", "INSERT 0 1\n"},
		{"tag on stderr for csv", formatCSV, &resultSet{tag: "SET"}, "", "SET\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := writeResult(&out, &errOut, c.format, c.rs); err != nil {
				t.Fatal(err)
			}
			if out.String() != c.wantOut || errOut.String() != c.wantErr {
				t.Errorf("stdout %q stderr %q, want %q and %q", out.String(), errOut.String(), c.wantOut, c.wantErr)
			}
		})
	}
}

func TestCollector(t *testing.T) {
	var notices bytes.Buffer
	c := &collector{notice: &notices}
	buf := []byte("abc")
	if err := c.Row([][]byte{buf, nil}); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'X' // the session may reuse its buffer
	if string(c.rows[0][0]) != "abc" || c.rows[0][1] != nil {
		t.Errorf("row = %q", c.rows[0])
	}
	_ = c.Notice(&pgerr.Error{Severity: "NOTICE", Code: pgerr.SuccessfulCompletion,
		Message: `more items: add {"ExclusiveStartKey":{}} to continue`, Hint: "h"})
	want := "NOTICE:  more items: add {\"ExclusiveStartKey\":{}} to continue\nHINT:  h\n"
	if notices.String() != want {
		t.Errorf("notice printed as %q, want %q", notices.String(), want)
	}
}

func TestWriteDiagnostic(t *testing.T) {
	var b bytes.Buffer
	writeDiagnostic(&b, pgerr.New(pgerr.InsufficientPrivilege, "permission denied").WithDetail("d").WithHint("h"))
	want := "ERROR:  permission denied (SQLSTATE 42501)\nDETAIL:  d\nHINT:  h\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if !strings.Contains(b.String(), "42501") {
		t.Error("SQLSTATE missing")
	}
}
