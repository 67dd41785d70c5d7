package native

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

func TestParsePartiQLClassifies(t *testing.T) {
	cases := []struct {
		stmt         string
		kind         StatementKind
		table, index string
	}{
		{`SELECT * FROM "t"`, Select, "t", ""},
		{`SELECT * FROM t`, Select, "t", ""},
		{`SELECT * FROM "my-table.v2"."by_date" WHERE d > 5`, Select, "my-table.v2", "by_date"},
		{`SELECT * FROM t.idx`, Select, "t", "idx"},
		{`SELECT * FROM "we""ird"`, Select, `we"ird`, ""},
		{`SELECT * FROM "t" WHERE a = 'DELETE FROM x'`, Select, "t", ""},
		{`SELECT * FROM "t" WHERE a = 'it''s; DROP'`, Select, "t", ""},
		{`SELECT "from", "delete" FROM "t"`, Select, "t", ""},
		{"-- DELETE FROM x\nSELECT * FROM t", Select, "t", ""},
		{"SELECT * /* FROM other */ FROM t -- WHERE x = 'y'", Select, "t", ""},
		{"SELECT * FROM t WHERE a = `{'x': \"DELETE FROM y\"}`", Select, "t", ""},
		{`SELECT * FROM t ORDER BY sk DESC;`, Select, "t", ""},
		{`SELECT * FROM "t" WHERE a = '/*' AND b = '*/'`, Select, "t", ""},
		{`SELECT * FROM "t" WHERE a = '--' AND "b" = 1`, Select, "t", ""},
		{`SELECT * FROM "a--b/*c*/"`, Select, "a--b/*c*/", ""},
		{`  insert into "Orders" value {'pk': 'a', 'note': 'UPDATE x SET y'}`, Insert, "Orders", ""},
		{`UPDATE "t" SET a = 'x' WHERE pk = 'a'`, Update, "t", ""},
		{`UPDATE t REMOVE a WHERE pk = 'a'`, Update, "t", ""},
		{`DELETE FROM "t" WHERE pk = 'SELECT * FROM u'`, Delete, "t", ""},
	}
	for _, c := range cases {
		t.Run(c.stmt, func(t *testing.T) {
			req, err := ParsePartiQL(c.stmt, nil)
			if err != nil {
				t.Fatalf("ParsePartiQL: %v", err)
			}
			st := req.Statements[0]
			if st.Kind != c.kind || st.Table != c.table || st.Index != c.index {
				t.Errorf("got %s %q.%q, want %s %q.%q", st.Kind, st.Table, st.Index, c.kind, c.table, c.index)
			}
			in := req.Input.(*dynamodb.ExecuteStatementInput)
			if aws.ToString(in.Statement) != c.stmt {
				t.Errorf("statement sent as %q, want it unchanged", aws.ToString(in.Statement))
			}
		})
	}
}

func TestParsePartiQLRefuses(t *testing.T) {
	cases := []struct {
		name, stmt, code string
	}{
		{"empty", ``, pgerr.SyntaxError},
		{"only a comment", `-- SELECT * FROM t`, pgerr.SyntaxError},
		{"unknown kind", `GRANT SELECT ON t TO u`, pgerr.SyntaxError},
		{"CREATE", `CREATE TABLE t (a int)`, pgerr.SyntaxError},
		{"two statements", `SELECT * FROM t; DELETE FROM t WHERE pk = 'a'`, pgerr.SyntaxError},
		{"subquery", `SELECT * FROM t WHERE a IN (SELECT b FROM u)`, pgerr.SyntaxError},
		{"hidden delete", `UPDATE t SET a = 1 WHERE pk = 'a' DELETE FROM u`, pgerr.SyntaxError},
		{"no FROM", `SELECT 1`, pgerr.SyntaxError},
		{"no table", `SELECT * FROM`, pgerr.SyntaxError},
		{"string table", `SELECT * FROM 't'`, pgerr.SyntaxError},
		{"INSERT without INTO", `INSERT t VALUE {'a': 1}`, pgerr.SyntaxError},
		{"INSERT ... SELECT", `INSERT INTO t SELECT * FROM u`, pgerr.SyntaxError},
		{"UPDATE without SET", `UPDATE t WHERE pk = 'a'`, pgerr.SyntaxError},
		{"unterminated string", `SELECT * FROM t WHERE a = 'x`, pgerr.SyntaxError},
		{"unterminated identifier", `SELECT * FROM "t`, pgerr.SyntaxError},
		{"unterminated comment", `SELECT * FROM t /* x`, pgerr.SyntaxError},
		{"EXISTS outside a transaction", `EXISTS(SELECT * FROM t)`, pgerr.SyntaxError},
		{"non-ASCII outside literals", "SELECT * FROM t WHERE a \u00a0= 1", pgerr.SyntaxError},
		{"table ARN", `SELECT * FROM "arn:aws:dynamodb:us-east-1:1:table/t"`, pgerr.FeatureNotSupported},
		{"parameter count", `SELECT * FROM t WHERE a = ?`, pgerr.UndefinedParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePartiQL(c.stmt, nil)
			if err == nil {
				t.Fatal("ParsePartiQL accepted it")
			}
			if got := pgerr.CodeOf(err); got != c.code {
				t.Errorf("code = %s, want %s (%v)", got, c.code, err)
			}
		})
	}
}

func TestParsePartiQLParameters(t *testing.T) {
	params := []types.AttributeValue{sValue("'; DELETE FROM t --"), &types.AttributeValueMemberN{Value: "1"}}
	req, err := ParsePartiQL(`SELECT * FROM t WHERE a = ? AND b = ?`, params)
	if err != nil {
		t.Fatal(err)
	}
	in := req.Input.(*dynamodb.ExecuteStatementInput)
	if len(in.Parameters) != 2 || in.Parameters[0].(*types.AttributeValueMemberS).Value != "'; DELETE FROM t --" {
		t.Errorf("parameters = %v", in.Parameters)
	}
}

func TestExistsInTransaction(t *testing.T) {
	st, err := classifyPartiQL(`EXISTS (SELECT * FROM "audit" WHERE id = 'x')`, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind != Exists || st.Table != "audit" {
		t.Errorf("got %s %q", st.Kind, st.Table)
	}
	for _, bad := range []string{`EXISTS SELECT * FROM t`, `EXISTS(SELECT * FROM t`, `EXISTS(SELECT * FROM t) AND 1`} {
		if _, err := classifyPartiQL(bad, true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParsePartiQLErrorPosition(t *testing.T) {
	_, err := ParsePartiQL(`SELECT 'é' FROM "t" AS x`, nil)
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if pe.Position != 21 { // the A of AS, counted in characters
		t.Errorf("position = %d, want 21", pe.Position)
	}
}
