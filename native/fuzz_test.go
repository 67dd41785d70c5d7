package native

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FuzzParseVerb: decoding never panics, and whatever it accepts can be
// classified, made append-only and encoded again.
func FuzzParseVerb(f *testing.F) {
	for _, c := range verbExamples {
		f.Add(c.json)
	}
	f.Fuzz(func(t *testing.T, text string) {
		// Every table has key pk, so enforcing append-only must always work.
		opts := Options{DefaultTable: "t", KeyNames: func(string) []string { return []string{"pk"} }}
		req, err := ParseVerb(text, opts)
		if err != nil {
			return
		}
		if req.Verb != ListTables && len(req.Needs()) == 0 {
			t.Errorf("%s accepted with no needs", text)
		}
		if _, err := req.MarshalInput(); err != nil {
			t.Errorf("cannot encode accepted input: %v", err)
		}
		if _, err := req.EnforceAppendOnly([]string{"pk"}); err == nil && req.Verb == PutItem {
			for _, n := range req.Needs() {
				if n.Class.String() == "write" {
					t.Errorf("append-only put still needs write: %s", text)
				}
			}
		}
	})
}

// FuzzParsePartiQL: classification never panics, and an accepted statement
// always names its table and needs something on it.
func FuzzParsePartiQL(f *testing.F) {
	for _, s := range []string{
		`SELECT * FROM "t" WHERE a = 'DELETE FROM x'`,
		`INSERT INTO t VALUE {'a': ?}`,
		`UPDATE "t" SET a = 1 WHERE pk = ? RETURNING ALL NEW *`,
		"DELETE FROM t WHERE pk = 'a' -- x\n",
		`EXISTS(SELECT * FROM t)`,
	} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, stmt string, nparams int) {
		params := make([]types.AttributeValue, max(0, min(nparams, 16)))
		for i := range params {
			params[i] = sValue("p")
		}
		req, err := ParsePartiQL(stmt, params, testOptions())
		if err != nil {
			return
		}
		if req.Statements[0].Table == "" || len(req.Needs()) == 0 {
			t.Errorf("%q accepted without a table or needs", stmt)
		}
		if _, err := classifyPartiQL(stmt, true); err != nil {
			t.Errorf("%q accepted outside a transaction but not inside: %v", stmt, err)
		}
	})
}
