package expr

import (
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Found by integration/differential_local_test.go: div(numeric, numeric)
// did not exist (42883). Expected answers are PostgreSQL 16's.
func TestDivTrunc(t *testing.T) {
	cases := []evalCase{
		{"div(7, 2)", "3"}, {"div(-7, 2)", "-3"}, {"div(7.9, 0.5)", "15"}, {"div(10.50, 3)", "3"},
		{"div(-0.5, 3)", "0"}, {"div(123456789012345678901234567890, 7)", "17636684144620811271604938270"},
		{"div(1, 0)", "ERROR 22012"}, {"div(NULL, 1)", "NULL"}, {"pg_typeof(div(5, 2))", "numeric"},
	}
	for _, c := range cases {
		got, _, err := evalText(t, c.expr, nil, nil)
		checkCase(t, c, got, err)
	}
}

// jsonb_array_elements and friends were missing from the registry, so
// FROM orders o, jsonb_array_elements(o.items) i was 0A000.
func TestJSONSetFuncs(t *testing.T) {
	f := NewFuncs()
	doc := func(s string) sqltypes.Value {
		v, err := sqltypes.DecodeText([]byte(s), sqltypes.Jsonb)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		fn, arg string
		want    int // rows
		code    string
	}{
		{"jsonb_array_elements", `[1, {"a": 2}, null]`, 3, ""},
		{"jsonb_array_elements_text", `["x", "y"]`, 2, ""},
		{"jsonb_each", `{"a": 1, "b": [2]}`, 2, ""},
		{"jsonb_each_text", `{}`, 0, ""},
		{"jsonb_object_keys", `{"k": 1}`, 1, ""},
		{"jsonb_array_elements", `{"a": 1}`, 0, pgerr.InvalidParameterValue},
		{"jsonb_each", `5`, 0, pgerr.InvalidParameterValue},
		{"jsonb_object_keys", `[1]`, 0, pgerr.InvalidParameterValue},
	}
	for _, c := range cases {
		sf, ok := f.SetFunc(c.fn)
		if !ok {
			t.Fatalf("%s is not registered", c.fn)
		}
		rows, err := sf.Rows(&Context{}, []sqltypes.Value{doc(c.arg)})
		if pgerr.CodeOf(err) != c.code && !(err == nil && c.code == "") {
			t.Errorf("%s(%s): error %v, want code %q", c.fn, c.arg, err, c.code)
		}
		if err == nil && len(rows) != c.want {
			t.Errorf("%s(%s): %d rows, want %d", c.fn, c.arg, len(rows), c.want)
		}
	}
}

// regexp_split_to_table was missing (0A000 in FROM); PostgreSQL's answers.
func TestRegexpSplitToTable(t *testing.T) {
	sf, ok := NewFuncs().SetFunc("regexp_split_to_table")
	if !ok {
		t.Fatal("regexp_split_to_table is not registered")
	}
	cases := []struct{ s, pat, want string }{
		{"hello world", `\s+`, "hello|world"},
		{"abc", ``, "a|b|c"},
		{"  a", ` `, "||a"},
		{"hello world", `\s*`, "h|e|l|l|o|w|o|r|l|d"},
		{"a,b,", `,`, "a|b|"},
	}
	for _, c := range cases {
		rows, err := sf.Rows(&Context{}, []sqltypes.Value{c.s, c.pat})
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, r := range rows {
			parts = append(parts, r[0].(string))
		}
		if got := strings.Join(parts, "|"); got != c.want {
			t.Errorf("regexp_split_to_table(%q, %q) = %q, want %q", c.s, c.pat, got, c.want)
		}
	}
}
