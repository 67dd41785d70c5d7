package expr

import (
	"regexp"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// addJSONSetFuncs registers jsonb's set-returning functions, so that
// FROM orders o, jsonb_array_elements(o.items) i and the same calls in a
// select list expand a document into rows as PostgreSQL does.
func addJSONSetFuncs(f *Funcs) {
	jb := []sqltypes.OID{sqltypes.Jsonb}
	col := func(name string, t sqltypes.OID) sqltypes.Column {
		return sqltypes.Column{Name: name, Type: t, Typmod: -1}
	}
	for _, text := range []bool{false, true} {
		name, t := "jsonb_array_elements", sqltypes.OID(sqltypes.Jsonb)
		eachName := "jsonb_each"
		if text {
			name, t, eachName = name+"_text", sqltypes.Text, eachName+"_text"
		}
		f.AddSetFunc(name, &SetFunc{Columns: []sqltypes.Column{col("value", t)}, Args: jb,
			Rows: func(_ *Context, a []sqltypes.Value) ([]sqltypes.Row, error) {
				return jsonArrayRows(a[0].(sqltypes.JSON), text)
			}})
		f.AddSetFunc(eachName, &SetFunc{Columns: []sqltypes.Column{col("key", sqltypes.Text), col("value", t)}, Args: jb,
			Rows: func(_ *Context, a []sqltypes.Value) ([]sqltypes.Row, error) {
				return jsonEachRows(a[0].(sqltypes.JSON), eachName, text)
			}})
	}
	f.AddSetFunc("jsonb_object_keys", &SetFunc{Columns: []sqltypes.Column{col("jsonb_object_keys", sqltypes.Text)}, Args: jb,
		Rows: func(_ *Context, a []sqltypes.Value) ([]sqltypes.Row, error) { return jsonKeyRows(a[0].(sqltypes.JSON)) }})
}

// jsonElem is one element of a document as a value of the result column:
// jsonb, or ->>'s text (a JSON null is SQL NULL).
func jsonElem(n any, text bool) sqltypes.Value {
	if text {
		return jsonText(sqltypes.JSON{Node: n})
	}
	return sqltypes.JSON{Node: n}
}

func jsonArrayRows(j sqltypes.JSON, text bool) ([]sqltypes.Row, error) {
	arr, ok := j.Node.([]any)
	if !ok {
		what := "a scalar"
		if _, obj := j.Node.(*sqltypes.JSONObject); obj {
			what = "an object"
		}
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot extract elements from %s", what)
	}
	rows := make([]sqltypes.Row, len(arr))
	for i, n := range arr {
		rows[i] = sqltypes.Row{jsonElem(n, text)}
	}
	return rows, nil
}

func jsonEachRows(j sqltypes.JSON, name string, text bool) ([]sqltypes.Row, error) {
	obj, ok := j.Node.(*sqltypes.JSONObject)
	if !ok {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot call %s on a non-object", name)
	}
	rows := make([]sqltypes.Row, len(obj.Keys))
	for i, k := range obj.Keys {
		rows[i] = sqltypes.Row{k, jsonElem(obj.Values[k], text)}
	}
	return rows, nil
}

func jsonKeyRows(j sqltypes.JSON) ([]sqltypes.Row, error) {
	obj, ok := j.Node.(*sqltypes.JSONObject)
	if !ok {
		what := "a scalar"
		if _, arr := j.Node.([]any); arr {
			what = "an array"
		}
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot call jsonb_object_keys on %s", what)
	}
	rows := make([]sqltypes.Row, len(obj.Keys))
	for i, k := range obj.Keys {
		rows[i] = sqltypes.Row{k}
	}
	return rows, nil
}

// addRegexpSetFuncs registers regexp_split_to_table(text, text); the
// registry holds one signature per name, so the flags form is missing.
func addRegexpSetFuncs(f *Funcs) {
	f.AddSetFunc("regexp_split_to_table", &SetFunc{
		Columns: []sqltypes.Column{{Name: "regexp_split_to_table", Type: sqltypes.Text, Typmod: -1}},
		Args:    []sqltypes.OID{sqltypes.Text, sqltypes.Text},
		Rows: func(_ *Context, a []sqltypes.Value) ([]sqltypes.Row, error) {
			re, err := compileRegex(a[1].(string), false)
			if err != nil {
				return nil, err
			}
			var rows []sqltypes.Row
			for _, p := range regexpSplit(re, a[0].(string)) {
				rows = append(rows, sqltypes.Row{p})
			}
			return rows, nil
		}})
}

// regexpSplit splits s at the matches of re as PostgreSQL does: an empty
// match at the start or end of s, or right after the previous match, does
// not split.
func regexpSplit(re *regexp.Regexp, s string) []string {
	var out []string
	start, prevEnd := 0, -1
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[0] == m[1] && (m[0] == 0 || m[0] == len(s) || m[0] == prevEnd) {
			continue
		}
		out = append(out, s[start:m[0]])
		start, prevEnd = m[1], m[1]
	}
	return append(out, s[start:])
}
