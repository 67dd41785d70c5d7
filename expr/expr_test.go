package expr

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// testCols is the fake table the expressions read; pgRefCTE is the same row
// for the real server.
var testCols = []struct {
	name string
	t    sqltypes.OID
	text string
}{
	{"i", sqltypes.Int4, "7"},
	{"n", sqltypes.Numeric, "12.50"},
	{"t", sqltypes.Text, "hello"},
	{"nul", sqltypes.Text, ""},
	{"b", sqltypes.Bool, "t"},
	{"j", sqltypes.Jsonb, `{"a": 1, "b": [1, 2], "c": {"d": "x"}}`},
	{"arr", sqltypes.TextArray, "{a,b,NULL}"},
	{"ts", sqltypes.Timestamp, "2024-05-17 12:34:56.789"},
	{"f", sqltypes.Float8, "1.5"},
	{"big", sqltypes.Int8, "9000000000"},
	{"ia", sqltypes.Int4Array, "{1,2,3}"},
	{"nm", sqltypes.Name, "pg_class"},
}

const pgRefCTE = `WITH r(i, n, t, nul, b, j, arr, ts, f, big, ia, nm) AS (VALUES (7, 12.50::numeric, 'hello'::text, NULL::text, true, '{"a": 1, "b": [1, 2], "c": {"d": "x"}}'::jsonb, '{a,b,NULL}'::text[], '2024-05-17 12:34:56.789'::timestamp, 1.5::float8, 9000000000::int8, '{1,2,3}'::int4[], 'pg_class'::name)) `

type fakeScope struct{}

func (fakeScope) ResolveColumn(names []string) (*ColRef, error) {
	name := names[len(names)-1]
	for i, c := range testCols {
		if c.name == name {
			return &ColRef{Index: i, Name: name, T: c.t}, nil
		}
	}
	return nil, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", strings.Join(names, "."))
}

func testRow(t testing.TB) sqltypes.Row {
	row := make(sqltypes.Row, len(testCols))
	for i, c := range testCols {
		if c.name == "nul" {
			continue
		}
		v, err := parseText(c.text, c.t, -1)
		if err != nil {
			t.Fatalf("column %s: %v", c.name, err)
		}
		row[i] = v
	}
	return row
}

type fakeSession struct{ settings map[string]string }

func (s *fakeSession) User() string     { return "alice" }
func (s *fakeSession) Database() string { return "shop" }
func (s *fakeSession) Setting(name string) (string, bool) {
	v, ok := s.settings[strings.ToLower(name)]
	return v, ok
}
func (s *fakeSession) SetSetting(name, value string, _ bool) error {
	s.settings[strings.ToLower(name)] = value
	return nil
}
func (s *fakeSession) TxStart() time.Time { return time.Date(2024, 5, 17, 10, 0, 0, 0, time.UTC) }
func (s *fakeSession) BackendPID() int32  { return 4242 }

func newSession() *fakeSession {
	return &fakeSession{settings: map[string]string{
		"server_version": "15.8",
		"search_path":    `"$user", public`,
		"timezone":       "UTC",
	}}
}

func parseExpr(t testing.TB, text string) (*pg_query.Node, error) {
	res, err := pg_query.Parse("SELECT " + text)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.SyntaxError, "parse")
	}
	if len(res.Stmts) != 1 {
		return nil, pgerr.New(pgerr.SyntaxError, "not one statement")
	}
	sel := res.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) > 0 || sel.WhereClause != nil {
		return nil, pgerr.New(pgerr.SyntaxError, "not a single expression")
	}
	rt := sel.TargetList[0].GetResTarget()
	if rt == nil || rt.Val == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "not an expression")
	}
	return rt.Val, nil
}

// evalText binds and evaluates text, returning PostgreSQL's text output ("NULL" for NULL).
func evalText(t testing.TB, text string, params []sqltypes.Value, paramTypes []sqltypes.OID) (string, Expr, error) {
	n, err := parseExpr(t, text)
	if err != nil {
		return "", nil, err
	}
	b := &Binder{Scope: fakeScope{}, Params: NewParamTypes(paramTypes), Funcs: NewFuncs()}
	e, err := b.Bind(n)
	if err != nil {
		return "", nil, err
	}
	ctx := &Context{Params: params, Session: newSession()}
	v, err := e.Eval(ctx, testRow(t))
	if err != nil {
		return "", e, err
	}
	if v == nil {
		return "NULL", e, nil
	}
	s, err := castValue(ctx, v, e.Type(), sqltypes.Text, -1, true)
	if err != nil {
		return "", e, err
	}
	return s.(string), e, nil
}

type evalCase struct {
	expr string
	want string // text output, "NULL", or "ERROR <sqlstate>"
}

var evalCases = []evalCase{
	// three-valued logic
	{"true AND NULL", "NULL"}, {"false AND NULL", "f"}, {"NULL AND NULL", "NULL"},
	{"true OR NULL", "t"}, {"false OR NULL", "NULL"}, {"NOT NULL::bool", "NULL"},
	{"true AND true", "t"}, {"true AND false", "f"}, {"false OR false", "f"},
	{"NULL::bool IS UNKNOWN", "t"}, {"NULL::bool IS NOT TRUE", "t"}, {"b IS TRUE", "t"},
	{"false IS NOT FALSE", "f"}, {"(i > 3) IS FALSE", "f"},
	{"nul IS NULL", "t"}, {"t IS NOT NULL", "t"}, {"nul = 'x'", "NULL"},
	{"1 IS DISTINCT FROM NULL", "t"}, {"NULL IS DISTINCT FROM NULL", "f"}, {"nul IS NOT DISTINCT FROM NULL", "t"},
	{"2 IS DISTINCT FROM 2.0", "f"},
	// integers
	{"7 / 2", "3"}, {"-7 / 2", "-3"}, {"-7 % 3", "-1"}, {"i * 3 + 1", "22"}, {"2147483647 + 1", "ERROR 22003"},
	{"i / 0", "ERROR 22012"}, {"i % 0", "ERROR 22012"}, {"9223372036854775807 + 1", "ERROR 22003"},
	{"(-2147483648)::int4 / -1", "ERROR 22003"}, {"big * 2", "18000000000"}, {"5000000000", "5000000000"},
	{"32767::int2 + 1::int2", "ERROR 22003"}, {"-i", "-7"}, {"5 & 3", "1"}, {"5 | 3", "7"}, {"1 << 4", "16"},
	{"pg_typeof(1 + 1::int8)", "bigint"}, {"pg_typeof(1 + 1.5)", "numeric"}, {"pg_typeof(1 + 1.5::float8)", "double precision"},
	// numeric exactness
	{"1::numeric / 3", "0.33333333333333333333"}, {"10::numeric / 4", "2.5000000000000000"},
	{"1.5 * 2.25", "3.375"}, {"n + 1", "13.50"}, {"n / 3", "4.1666666666666667"}, {"2 / 3.0", "0.66666666666666666667"},
	{"12345678901234567890123456789012345678 + 1", "12345678901234567890123456789012345679"},
	{"0.1 + 0.2", "0.3"}, {"99999999999999999999999999999999999999 * 10", "999999999999999999999999999999999999990"},
	{"1::numeric / 0", "ERROR 22012"}, {"n % 5", "2.50"}, {"1 / 7.0", "0.14285714285714285714"},
	{"100000::numeric / 3", "33333.333333333333"}, {"1 / 300000.0", "0.000003333333333333333333"},
	{"2.5::int", "3"}, {"(-2.5)::int", "-3"}, {"2.5::float8::int", "2"}, {"3.5::float8::int", "4"},
	{"1e20::float8", "1e+20"}, {"123456789012345678::float8", "1.2345678901234568e+17"}, {"0.00001::float8", "1e-05"},
	{"1234567.0::float8", "1234567"}, {"1.5::real", "1.5"}, {"f * 2", "3"}, {"0.1::float8 + 0.2::float8", "0.30000000000000004"},
	{"1.0 / 0.0::float8", "ERROR 22012"}, {"12.345::numeric(10,2)", "12.35"}, {"123.5::numeric(3,0)", "124"}, {"1234.5::numeric(3,0)", "ERROR 22003"},
	{"'12.5'::numeric(5,1)", "12.5"}, {"3000000000::int4", "ERROR 22003"}, {"'abc'::int", "ERROR 22P02"},
	{"0.1::float8::numeric", "0.1"}, {"2::numeric ^ 3", "8.0000000000000000"}, {"2 ^ 3", "8"},
	{"round(2.5)", "3"}, {"round(2.5::float8)", "2"}, {"round(2.567, 2)", "2.57"}, {"round(-2.5)", "-3"},
	{"trunc(2.567, 2)", "2.56"}, {"ceil(2.1)", "3"}, {"floor(-2.1)", "-3"}, {"abs(-5)", "5"}, {"abs(-5.5)", "5.5"},
	{"mod(7, 3)", "1"}, {"sqrt(2::numeric)", "1.414213562373095"}, {"sqrt(16)", "4"}, {"sign(-3.2)", "-1"},
	{"power(2, 10)", "1024"}, {"greatest(1, 5, 3)", "5"}, {"least(1.5, 2, NULL)", "1.5"}, {"round(1234.5678, -2)", "1200"},
	// text
	{"'a' || 'b'", "ab"}, {"t || 1", "hello1"}, {"1 || t", "1hello"}, {"t || NULL", "NULL"}, {"'abc' < 'abd'", "t"},
	{"'B' < 'a'", "t"}, {"length(t)", "5"}, {"upper(t)", "HELLO"}, {"substring(t from 2 for 3)", "ell"},
	{"substr(t, 2)", "ello"}, {"substring('hello' from -1 for 3)", "h"}, {"position('l' in t)", "3"}, {"strpos(t, 'z')", "0"},
	{"replace(t, 'l', 'L')", "heLLo"}, {"trim('  x  ')", "x"}, {"trim(both 'x' from 'xxaxx')", "a"}, {"ltrim('xxa', 'x')", "a"},
	{"lpad('5', 3, '0')", "005"}, {"rpad('ab', 5)", "ab   "}, {"lpad('hello', 2)", "he"}, {"left(t, 2)", "he"},
	{"right(t, -2)", "llo"}, {"concat('a', NULL, 1, true)", "a1t"}, {"concat_ws(',', 'a', NULL, 'b')", "a,b"},
	{"split_part('a,b,c', ',', 2)", "b"}, {"starts_with(t, 'he')", "t"}, {"repeat('ab', 3)", "ababab"},
	{"reverse('abc')", "cba"}, {"initcap('hello wORLD')", "Hello World"}, {"md5('abc')", "900150983cd24fb0d6963f7d28e17f72"},
	{"format('%s-%I-%L', 'a', 'My Table', 'it''s')", `a-"My Table"-'it''s'`}, {"format('%L', NULL)", "NULL"},
	{"quote_ident('abc')", "abc"}, {"quote_ident('select')", `"select"`}, {"quote_literal('O''Reilly')", "'O''Reilly'"},
	{"string_to_array('a,b,,c', ',')", "{a,b,\"\",c}"}, {"array_to_string(arr, '-')", "a-b"}, {"array_to_string(arr, '-', '*')", "a-b-*"},
	{"regexp_replace('abcabc', 'b', 'X')", "aXcabc"}, {"regexp_replace('abcabc', 'b', 'X', 'g')", "aXcaXc"},
	{"regexp_replace('abc', '(b)', '[\\1]')", "a[b]c"}, {"char_length('héllo')", "5"},
	// LIKE and regex
	{"t LIKE 'he%'", "t"}, {"t LIKE 'h_llo'", "t"}, {"t LIKE 'H%'", "f"}, {"t ILIKE 'H%'", "t"}, {"t NOT LIKE '%z%'", "t"},
	{"'50%' LIKE '50\\%'", "t"}, {"'50x' LIKE '50\\%'", "f"}, {"'a_b' LIKE 'a#_b' ESCAPE '#'", "t"}, {"'axb' LIKE 'a#_b' ESCAPE '#'", "f"},
	{"'abc' LIKE 'abc\\'", "f"}, {"'abcd' LIKE 'abc\\'", "ERROR 22025"}, {"nul LIKE '%'", "NULL"}, {"'' LIKE '%'", "t"}, {"'ab' LIKE '%b%b%'", "f"},
	{"t ~ '^h.*o$'", "t"}, {"t ~* 'HELLO'", "t"}, {"t !~ 'z'", "t"}, {"t OPERATOR(pg_catalog.~) '^(hello)$' COLLATE pg_catalog.default", "t"},
	{"t ~ '('", "ERROR 2201B"}, {"'a\nb' ~ 'a.b'", "t"},
	// casts
	{"'42'::int + 1", "43"}, {"42::text", "42"}, {"'t'::bool", "t"}, {"'yes'::boolean", "t"}, {"'maybe'::bool", "ERROR 22P02"},
	{"true::int", "1"}, {"0::bool", "f"}, {"'{a,b}'::text[]", "{a,b}"}, {"'{1, 2}'::int[]", "{1,2}"}, {"'{\"x y\",NULL}'::text[]", `{"x y",NULL}`},
	{"'2024-01-02'::date", "2024-01-02"}, {"'2024-01-02'::date + 1", "2024-01-03"}, {"'2024-01-05'::date - '2024-01-02'::date", "3"},
	{"'2024-01-02 03:04:05'::timestamp", "2024-01-02 03:04:05"}, {"'2024-01-02 03:04:05+02'::timestamptz", "2024-01-02 01:04:05+00"},
	{"'{\"b\":1,\"a\":[1,2]}'::jsonb", `{"a": [1, 2], "b": 1}`}, {"'{\"a\":1, \"a\":2}'::jsonb", `{"a": 2}`},
	{"'1e2'::jsonb", "100"}, {"('{\"a\":1}'::jsonb -> 'a')::int", "1"}, {"12.5::text", "12.5"}, {"'abc'::varchar(2)", "ab"},
	{"'abc'::char(5) || 'x'", "abcx"}, {"'ab'::name", "ab"}, {"i::numeric / 2", "3.5000000000000000"}, {"n::int", "13"},
	{"1.5::float8::numeric", "1.5"}, {"'\\x4142'::bytea", `\x4142`}, {"'1.5'::float8", "1.5"}, {"'NaN'::numeric", "NaN"},
	{"'12'::oid", "12"}, {"pg_typeof(1::oid)", "oid"}, {"ARRAY[1,2]::text[]", "{1,2}"}, {"ARRAY[]::int[]", "{}"},
	// CASE / COALESCE / NULLIF
	{"CASE WHEN i > 5 THEN 'big' ELSE 'small' END", "big"}, {"CASE i WHEN 1 THEN 'one' WHEN 7 THEN 'seven' END", "seven"},
	{"CASE WHEN false THEN 1 END", "NULL"}, {"CASE WHEN nul IS NULL THEN 1 ELSE 2.5 END", "1"}, {"CASE WHEN true THEN 1 ELSE 'x' END", "ERROR 22P02"},
	{"coalesce(nul, 'd')", "d"}, {"coalesce(NULL, NULL, 3)", "3"}, {"coalesce(nul, nul)", "NULL"}, {"nullif(1, 1)", "NULL"}, {"nullif(i, 1)", "7"},
	{"CASE WHEN 1 = 1 THEN 1 ELSE 1/0 END", "1"},
	// IN / ANY / ALL / BETWEEN
	{"i IN (1, 7)", "t"}, {"i IN (1, 2)", "f"}, {"i IN (1, NULL)", "NULL"}, {"i IN (7, NULL)", "t"}, {"i NOT IN (1, NULL)", "NULL"},
	{"i NOT IN (1, 2)", "t"}, {"nul IN ('a')", "NULL"}, {"'b' IN ('a', 'b')", "t"},
	{"2 = ANY(ia)", "t"}, {"5 = ANY(ia)", "f"}, {"2 = ANY(ARRAY[1, NULL])", "NULL"}, {"i > ALL(ia)", "t"}, {"1 = ALL(ia)", "f"},
	{"'a' = ANY(arr)", "t"}, {"'c' = ANY(arr)", "NULL"}, {"'c' = ANY('{a,b}')", "f"}, {"1 = ANY('{}'::int[])", "f"}, {"1 = ALL('{}'::int[])", "t"},
	{"i BETWEEN 1 AND 10", "t"}, {"i NOT BETWEEN 1 AND 10", "f"}, {"i BETWEEN 10 AND 1", "f"}, {"i BETWEEN SYMMETRIC 10 AND 1", "t"},
	{"i BETWEEN NULL AND 5", "f"}, {"i BETWEEN NULL AND 10", "NULL"},
	// arrays
	{"ARRAY[1,2,3]", "{1,2,3}"}, {"ARRAY['a', NULL]", "{a,NULL}"}, {"ia[2]", "2"}, {"ia[5]", "NULL"}, {"ia[2:3]", "{2,3}"},
	{"array_length(ia, 1)", "3"}, {"cardinality(arr)", "3"}, {"array_position(ia, 3)", "3"}, {"array_upper(ia, 1)", "3"},
	{"ia @> ARRAY[1,2]", "t"}, {"ia && ARRAY[9]", "f"}, {"ia || 4", "{1,2,3,4}"}, {"ARRAY[1] || ARRAY[2,3]", "{1,2,3}"},
	{"array_length('{}'::int[], 1)", "NULL"},
	// array || is not strict, as in PostgreSQL (array_cat/append/prepend).
	{"NULL::text[] || '{}'::text[]", "{}"}, {"NULL::int[] || ARRAY[1]", "{1}"}, {"ARRAY[1] || NULL::int[]", "{1}"},
	{"NULL::int[] || NULL::int[]", "NULL"}, {"ia || NULL::int", "{1,2,3,NULL}"}, {"NULL::int || ia", "{NULL,1,2,3}"},
	{"NULL::int[] || 4", "{4}"},
	// int2vector and oidvector: subscripts from 0, cast to arrays (psql's \d
	// reads pg_publication_rel.prattrs::int2[]), usable as arrays.
	{"('1 2'::int2vector)[0]", "1"}, {"('1 2'::int2vector)[1]", "2"}, {"('1 2'::int2vector)[2]", "NULL"},
	{"('1 2'::int2vector)[-1]", "NULL"}, {"('3 4'::oidvector)[0]", "3"},
	{"array_to_string('1 2'::int2vector::int2[], ',')", "1,2"}, {"cardinality('3 4'::oidvector::oid[])", "2"},
	{"pg_typeof('1 2'::int2vector::int2[])", "smallint[]"}, {"pg_typeof('3 4'::oidvector::oid[])", "oid[]"},
	{"array_to_string('1 2'::int2vector::int4[], ',')", "1,2"}, {"'3 4'::oidvector::text", "3 4"},
	{"'1 2'::int2vector::varchar", "1 2"}, {"array_upper('1 2'::int2vector, 1)", "1"},
	{"array_lower('1 2'::int2vector, 1)", "0"}, {"array_length('1 2'::int2vector, 1)", "2"},
	{"2 = ANY('1 2'::int2vector)", "t"}, {"3 = ANY('3 4'::oidvector)", "t"},
	{"array_to_string('1 2'::int2vector, ',')", "1,2"}, {"'{1,2}'::int2[]::int2vector", "ERROR 42846"},
	// xid: pg_database.datfrozenxid, pg_class.relfrozenxid
	{"'722'::xid", "722"}, {"'-1'::xid", "4294967295"}, {"pg_typeof('1'::xid)", "xid"},
	{"'722'::xid = '722'::xid", "t"}, {"'{1,722}'::xid[]", "{1,722}"}, {"'722'::xid::text", "722"},
	// jsonb
	{"j -> 'a'", "1"}, {"j ->> 'c'", `{"d": "x"}`}, {"j -> 'b' -> 1", "2"}, {"j -> 'b' ->> -1", "2"}, {"j #> '{c,d}'", `"x"`},
	{"j #>> '{c,d}'", "x"}, {"j #>> '{b,0}'", "1"}, {"j -> 'zz'", "NULL"}, {"j ? 'a'", "t"}, {"j ?| ARRAY['x','b']", "t"},
	{"j ?& ARRAY['a','x']", "f"}, {"j @> '{\"a\":1}'", "t"}, {"'{\"a\":1}'::jsonb <@ j", "t"}, {"j @> '{\"b\":[2]}'", "t"},
	{"jsonb_typeof(j -> 'b')", "array"}, {"jsonb_array_length(j -> 'b')", "2"}, {"jsonb_build_object('x', 1, 'y', 'z')", `{"x": 1, "y": "z"}`},
	{"json_build_object('a', 1, 'b', 'x')", `{"a" : 1, "b" : "x"}`}, {"to_jsonb(1.50)", "1.50"}, {"to_jsonb('a'::text)", `"a"`},
	{"jsonb_extract_path_text(j, 'c', 'd')", "x"}, {"'{\"a\":1}'::jsonb || '{\"b\":2}'", `{"a": 1, "b": 2}`},
	{"j - 'a'", `{"b": [1, 2], "c": {"d": "x"}}`}, {"'[1, \"a\"]'::jsonb", `[1, "a"]`}, {"'{bad'::jsonb", "ERROR 22P02"},
	// date/time
	{"date_trunc('month', ts)", "2024-05-01 00:00:00"}, {"extract(year from ts)", "2024"}, {"extract(epoch from '2024-01-02 03:04:05'::timestamp)", "1704164645.000000"},
	{"date_part('day', '2024-01-02'::date)", "2"}, {"to_timestamp(1700000000.5)", "2023-11-14 22:13:20.5+00"}, {"extract(second from ts)", "56.789000"},
	// session (values from the fake session)
	{"version()", "PostgreSQL 15.8 (fazproxy) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"},
	{"current_user", "alice"}, {"session_user", "alice"}, {"current_database()", "shop"}, {"current_catalog", "shop"},
	{"current_schema()", "public"}, {"current_schema", "public"}, {"current_schemas(true)", "{pg_catalog,public}"}, {"current_schemas(false)", "{public}"},
	{"current_setting('server_version')", "15.8"}, {"current_setting('nope')", "ERROR 42704"}, {"current_setting('nope', true)", "NULL"},
	{"set_config('application_name', 'x', false)", "x"}, {"pg_backend_pid()", "4242"}, {"pg_encoding_to_char(6)", "UTF8"},
	{"pg_encoding_to_char(0)", "SQL_ASCII"}, {"pg_client_encoding()", "UTF8"}, {"now()", "2024-05-17 10:00:00+00"},
	{"current_timestamp", "2024-05-17 10:00:00+00"}, {"current_date", "2024-05-17"},
	{"(current_schemas(true))[1]", "pg_catalog"}, {"nm = 'pg_class'", "t"},
	// errors
	{"nosuch", "ERROR 42703"}, {"foo(1)", "ERROR 42883"}, {"count(*)", "ERROR 42803"}, {"1 + 'a'", "ERROR 22P02"},
	{"t + 1", "ERROR 42883"}, {"'a'::regclass", "ERROR 0A000"}, {"(SELECT 1)", "ERROR 0A000"}, {"'x' SIMILAR TO 'x'", "ERROR 0A000"},
	{"ARRAY[]", "ERROR 42P18"}, {"i AND true", "ERROR 42804"}, {"t = 1", "ERROR 42883"}, {"unnest(ia)", "ERROR 0A000"},
}

func checkCase(t *testing.T, c evalCase, got string, err error) {
	t.Helper()
	if err != nil {
		var pe *pgerr.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: error without SQLSTATE: %v", c.expr, err)
			return
		}
		if c.want != "ERROR "+pe.Code {
			t.Errorf("%s: got error %s %v, want %s", c.expr, pe.Code, err, c.want)
		}
		return
	}
	if got != c.want {
		t.Errorf("%s: got %q, want %q", c.expr, got, c.want)
	}
}

func TestEval(t *testing.T) {
	for _, c := range evalCases {
		got, _, err := evalText(t, c.expr, nil, nil)
		checkCase(t, c, got, err)
	}
}

// TestAgainstPostgres runs the same cases on a real PostgreSQL 15 when
// FAZ_EXPR_PGREF_DSN is set (e.g. "host=127.0.0.1 port=5499 user=postgres").
func TestAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("FAZ_EXPR_PGREF_DSN")
	if dsn == "" {
		t.Skip("FAZ_EXPR_PGREF_DSN not set")
	}
	skip := map[string]bool{ // session-dependent or fazproxy-specific
		"version()": true, "current_user": true, "session_user": true, "current_database()": true, "current_catalog": true,
		"current_setting('server_version')": true, "pg_backend_pid()": true, "now()": true, "current_timestamp": true,
		"current_date": true, "'a'::regclass": true, "(SELECT 1)": true, "'x' SIMILAR TO 'x'": true, "count(*)": true,
		"unnest(ia)": true,
	}
	for _, c := range evalCases {
		if skip[c.expr] {
			continue
		}
		q := pgRefCTE + "SELECT " + c.expr + " FROM r"
		out, err := exec.Command("psql", dsn, "-v", "VERBOSITY=verbose", "-P", "null=NULL", "-AtXq", "-c", q).CombinedOutput()
		got := strings.TrimRight(string(out), "\n")
		if err != nil {
			if i := strings.Index(got, "ERROR:  "); i >= 0 {
				got = "ERROR " + got[i+8:i+13]
			}
		}
		if got != c.want {
			t.Errorf("PostgreSQL disagrees on %s: server says %q, table says %q", c.expr, got, c.want)
		}
	}
}

func TestParamInference(t *testing.T) {
	cases := []struct {
		expr     string
		declared []sqltypes.OID
		want     []sqltypes.OID
	}{
		{"i = $1", nil, []sqltypes.OID{sqltypes.Int4}},
		{"$1::int", nil, []sqltypes.OID{sqltypes.Int4}},
		{"$1", nil, []sqltypes.OID{sqltypes.Text}},
		{"n > $1 AND t = $2", nil, []sqltypes.OID{sqltypes.Numeric, sqltypes.Text}},
		{"$2 = big", nil, []sqltypes.OID{sqltypes.Text, sqltypes.Int8}},
		{"i = $1", []sqltypes.OID{sqltypes.Int8}, []sqltypes.OID{sqltypes.Int8}},
		{"$1 = ANY(ia)", nil, []sqltypes.OID{sqltypes.Int4}},
		{"t = ANY($1)", nil, []sqltypes.OID{sqltypes.TextArray}},
		{"i IN ($1, $2)", nil, []sqltypes.OID{sqltypes.Int4, sqltypes.Int4}},
		{"$1 IS NULL OR ts > $1", nil, []sqltypes.OID{sqltypes.Timestamp}},
		{"coalesce($1, 0)", nil, []sqltypes.OID{sqltypes.Int4}},
		{"lower($1)", nil, []sqltypes.OID{sqltypes.Text}},
		{"j ->> $1", nil, []sqltypes.OID{sqltypes.Text}},
		{"$1 + 1", nil, []sqltypes.OID{sqltypes.Int4}},
	}
	for _, c := range cases {
		n, err := parseExpr(t, c.expr)
		if err != nil {
			t.Fatal(err)
		}
		p := NewParamTypes(c.declared)
		b := &Binder{Scope: fakeScope{}, Params: p}
		e, err := b.Bind(n)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := p.Types(); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: param types %v, want %v", c.expr, got, c.want)
		}
		_ = e
	}
	// Evaluation with parameters.
	got, _, err := evalText(t, "n > $1 AND t = $2", []sqltypes.Value{decFromInt(3), "hello"}, nil)
	if err != nil || got != "t" {
		t.Errorf("params: %q %v", got, err)
	}
}

func TestString(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"n > $1", "(n > $1)"},
		{"lower(t)", "lower(t)"},
		{"t = 'open'", "(t = 'open'::text)"},
		{"i IN (1, 2)", "(i IN (1, 2))"},
		{"i > 1 AND (t LIKE 'a%' OR b)", "((i > 1) AND ((t ~~ 'a%'::text) OR b))"},
		{"i::text", "i::text"},
		{"CASE WHEN b THEN 1 ELSE 2 END", "CASE WHEN b THEN 1 ELSE 2 END"},
		{"coalesce(nul, 'x')", "COALESCE(nul, 'x'::text)"},
		{"current_user", "CURRENT_USER"},
		{"j ->> 'a'", "(j ->> 'a'::text)"},
		{"2 = ANY(ia)", "(2 = ANY (ia))"},
		{"n::numeric(10,2)", "n::numeric(10,2)"},
		{"i + 1", "(i + 1)"},
		{"'a''b'", "'a''b'::text"},
	}
	for _, c := range cases {
		_, e, err := evalText(t, c.expr, []sqltypes.Value{decFromInt(1)}, nil)
		if e == nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if e.String() != c.want {
			t.Errorf("%s: String() = %q, want %q", c.expr, e.String(), c.want)
		}
	}
}

func TestPlannerShapes(t *testing.T) {
	n, _ := parseExpr(t, "t = 'x' AND i IN (1, 2) AND n BETWEEN 1 AND 2 AND t LIKE 'a%'")
	e, err := (&Binder{Scope: fakeScope{}}).Bind(n)
	if err != nil {
		t.Fatal(err)
	}
	and, ok := e.(*And)
	if !ok || len(and.Args) != 4 {
		t.Fatalf("want flattened And of 4, got %T %s", e, e)
	}
	cmp, ok := and.Args[0].(*Compare)
	if !ok || cmp.Op != OpEQ {
		t.Fatalf("want Compare, got %T", and.Args[0])
	}
	if _, ok := cmp.L.(*ColRef); !ok {
		t.Errorf("left of compare is %T", cmp.L)
	}
	if c, ok := cmp.R.(*Const); !ok || c.T != sqltypes.Text || c.Val != "x" {
		t.Errorf("right of compare is %#v", cmp.R)
	}
	if _, ok := and.Args[1].(*InList); !ok {
		t.Errorf("want InList, got %T", and.Args[1])
	}
	if _, ok := and.Args[2].(*Between); !ok {
		t.Errorf("want Between, got %T", and.Args[2])
	}
	if _, ok := and.Args[3].(*Like); !ok {
		t.Errorf("want Like, got %T", and.Args[3])
	}
}

type fakeResolver struct{}

func (fakeResolver) RegClass(name string) (int64, error) {
	if name == "pg_class" || name == "pg_catalog.pg_class" {
		return 1259, nil
	}
	return 0, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}
func (fakeResolver) RegType(name string) (int64, error) {
	if name == "integer" || name == "int4" {
		return 23, nil
	}
	return 0, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", name)
}
func (fakeResolver) RegNamespace(string) (int64, error) { return 11, nil }
func (fakeResolver) RegProc(string) (int64, error) {
	return 0, pgerr.New(pgerr.UndefinedFunction, "no")
}
func (fakeResolver) RegName(t sqltypes.OID, oid int64) (string, bool) {
	if t == sqltypes.Regclass && oid == 1259 {
		return "pg_class", true
	}
	return "", false
}

func TestRegTypes(t *testing.T) {
	for _, c := range []evalCase{
		{"'pg_class'::regclass", "pg_class"},
		{"'pg_class'::regclass::oid", "1259"},
		{"1259::regclass", "pg_class"},
		{"'nope'::regclass", "ERROR 42P01"},
		{"to_regtype('int4')::oid", "23"},
		{"to_regtype('nope')", "NULL"},
		{"'pg_catalog.pg_class'::regclass = 1259", "t"},
	} {
		n, err := parseExpr(t, c.expr)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		e, err := (&Binder{Scope: fakeScope{}, Resolver: fakeResolver{}}).Bind(n)
		if err == nil {
			ctx := &Context{Resolver: fakeResolver{}}
			var v sqltypes.Value
			if v, err = e.Eval(ctx, nil); err == nil {
				got = "NULL"
				if v != nil {
					var s sqltypes.Value
					s, err = castValue(ctx, v, e.Type(), sqltypes.Text, -1, true)
					got, _ = s.(string)
				}
			}
		}
		checkCase(t, c, got, err)
	}
}

func TestAggHook(t *testing.T) {
	n, _ := parseExpr(t, "count(*) + 1")
	called := false
	b := &Binder{Scope: fakeScope{}, AggHook: func(fc *pg_query.FuncCall) (Expr, error) {
		called = fc.AggStar
		return &ColRef{Index: 0, Name: "count", T: sqltypes.Int8}, nil
	}}
	e, err := b.Bind(n)
	if err != nil || !called || e.Type() != sqltypes.Int8 {
		t.Fatalf("agg hook: %v %v %v", e, err, called)
	}
}

func TestFuncsAdd(t *testing.T) {
	f := NewFuncs()
	// A name the registry lacks (format_type itself is built in, not strict).
	f.Add("type_label", fixed(sqltypes.Text, args(sqltypes.Oid, sqltypes.Int4), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return typeName(sqltypes.OID(a[0].(int64))), nil
	}))
	n, _ := parseExpr(t, "type_label(23, NULL)")
	e, err := (&Binder{Funcs: f}).Bind(n)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e.Eval(&Context{}, nil); v != nil {
		t.Errorf("strict function with NULL argument gave %v", v)
	}
	n, _ = parseExpr(t, "pg_catalog.type_label(23, -1)")
	e, err = (&Binder{Funcs: f}).Bind(n)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e.Eval(&Context{}, nil); v != "integer" {
		t.Errorf("type_label = %v", v)
	}
	n, _ = parseExpr(t, "foo(1)")
	_, err = (&Binder{Funcs: f}).Bind(n)
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code != pgerr.UndefinedFunction || pe.Message != "function foo(integer) does not exist" ||
		!strings.HasPrefix(pe.Hint, "No function matches") {
		t.Errorf("unknown function error: %#v", err)
	}
}
