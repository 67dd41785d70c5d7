package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// codeClasses is spec/rbac.md's "Access codes" table: the operation classes
// each faz.yaml access code grants.
var codeClasses = map[string][]string{
	"R":    {"read"},
	"W":    {"insert", "write", "delete"},
	"RW":   {"read", "insert", "write", "delete"},
	"RA":   {"read", "insert"},
	"RWA":  {"read", "insert", "write"},
	"A":    {"read", "insert", "write", "delete", "admin"},
	"none": {},
}

// accessCodes in the order the matrix runs them.
var accessCodes = []string{"R", "W", "RW", "RA", "RWA", "A", "none"}

// rbacUser is the faz.yaml user holding code on the test table.
func rbacUser(code string) string { return "u_" + strings.ToLower(code) }

// rbacConfig serves DynamoDB (through endpoint, normally a Recorder) with one
// user per access code: read access to the whole database, and the code
// itself as a per-table override on each table in tables. override, when not
// nil, replaces the code given to a user.
func rbacConfig(endpoint string, tables []string, override func(code string) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "listen: \"{{listen}}\"\nadmin_listen: \"\"\nauth:\n  method: trust\nusers:\n")
	for _, c := range accessCodes {
		fmt.Fprintf(&b, "  - name: %s\n", rbacUser(c))
	}
	fmt.Fprintf(&b, `databases:
  - name: demo
    username: local
    password: local
    extra:
      endpoint_url: %s
      sample_size: 1000
      allow_full_scan: true
permissions:
`, endpoint)
	for _, c := range accessCodes {
		code := c
		if override != nil {
			code = override(c)
		}
		fmt.Fprintf(&b, "  - database: demo\n    access: R\n    users: [%s]\n    tables:\n", rbacUser(c))
		for _, t := range tables {
			fmt.Fprintf(&b, "      %q: %s\n", t, code)
		}
	}
	return b.String()
}

// --- DynamoDB helpers (the test's own SDK client, straight to DynamoDB Local)

func avS(s string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: s} }
func avN(n string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberN{Value: n} }

// createKeyTable creates a PAY_PER_REQUEST table keyed by string attributes
// (partition key first) and deletes it when the test ends.
func createKeyTable(ctx context.Context, t *testing.T, api *dynamodb.Client, name string, keys ...string) {
	t.Helper()
	in := &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest}
	for i, k := range keys {
		kt := ddbtypes.KeyTypeHash
		if i > 0 {
			kt = ddbtypes.KeyTypeRange
		}
		in.KeySchema = append(in.KeySchema, ddbtypes.KeySchemaElement{AttributeName: aws.String(k), KeyType: kt})
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{AttributeName: aws.String(k), AttributeType: ddbtypes.ScalarAttributeTypeS})
	}
	_, _ = api.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}) // left by an earlier run
	if _, err := api.CreateTable(ctx, in); err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = api.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
}

func putItem(ctx context.Context, t *testing.T, api *dynamodb.Client, table string, item map[string]ddbtypes.AttributeValue) {
	t.Helper()
	if _, err := api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem %s: %v", table, err)
	}
}

// getItem reads an item with a consistent read (nil when absent).
func getItem(ctx context.Context, t *testing.T, api *dynamodb.Client, table string, key map[string]ddbtypes.AttributeValue) map[string]ddbtypes.AttributeValue {
	t.Helper()
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem %s: %v", table, err)
	}
	return out.Item
}

// itemString renders an item for comparisons and messages.
func itemString(item map[string]ddbtypes.AttributeValue) string {
	if item == nil {
		return "<absent>"
	}
	var parts []string
	for k, v := range item {
		switch v := v.(type) {
		case *ddbtypes.AttributeValueMemberS:
			parts = append(parts, fmt.Sprintf("%q:S:%q", k, v.Value))
		case *ddbtypes.AttributeValueMemberN:
			parts = append(parts, fmt.Sprintf("%q:N:%s", k, v.Value))
		default:
			parts = append(parts, fmt.Sprintf("%q:%T", k, v))
		}
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}

// --- wire helpers

// simpleExec runs text with the simple query protocol (several statements
// allowed) and returns the command tags and the first error.
func simpleExec(ctx context.Context, c *pgx.Conn, text string) ([]string, error) {
	res, err := c.PgConn().Exec(ctx, text).ReadAll()
	var tags []string
	for _, r := range res {
		tags = append(tags, r.CommandTag.String())
		if err == nil && r.Err != nil {
			err = r.Err
		}
	}
	return tags, err
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// --- the matrix

// rbacCell is one (access code, statement shape) pair: its own user
// connection and its own item, keyed k.
type rbacCell struct {
	conn  *pgx.Conn
	table string
	k     string
}

// sub replaces {t} by the table and {k} by the cell's key.
func (c rbacCell) sub(s string) string {
	return strings.NewReplacer("{t}", c.table, "{k}", c.k).Replace(s)
}

func (c rbacCell) sql(ctx context.Context, text string) error {
	_, err := simpleExec(ctx, c.conn, c.sub(text))
	return err
}

// partiql runs one PartiQL statement with faz.language = 'partiql' (SET
// stays SQL in every language, so the session switches back after).
func (c rbacCell) partiql(ctx context.Context, rec *harness.Recorder, text string) error {
	if _, err := simpleExec(ctx, c.conn, "SET faz.language = 'partiql'"); err != nil {
		return fmt.Errorf("SET faz.language: %w", err)
	}
	defer func() { _, _ = simpleExec(context.Background(), c.conn, "SET faz.language = 'sql'") }()
	rec.Reset() // the SET makes no DynamoDB call, but count only the statement
	_, err := simpleExec(ctx, c.conn, c.sub(text))
	return err
}

// rbacShape is one statement shape with the operation classes it needs on
// the test table (spec/rbac.md "Operation classes").
type rbacShape struct {
	name  string
	needs []string
	// appendable: a put the proxy makes append-only under RA (spec: "Under
	// RA a PutItem ... is sent with a condition that the key does not
	// exist"), so insert alone also allows it.
	appendable bool
	// unsupported: when allowed, it may still end in an error other than
	// 42501 (e.g. 0A000 for a data-modifying CTE): only the classification is
	// under test.
	unsupported bool
	run         func(ctx context.Context, c rbacCell, rec *harness.Recorder) error
}

func (s rbacShape) allowed(code string) bool {
	has := func(class string) bool { return slices.Contains(codeClasses[code], class) }
	all := true
	for _, n := range s.needs {
		all = all && has(n)
	}
	return all || s.appendable && has("insert")
}

func sqlShape(name, text string, needs ...string) rbacShape {
	return rbacShape{name: name, needs: needs, run: func(ctx context.Context, c rbacCell, _ *harness.Recorder) error { return c.sql(ctx, text) }}
}

func partiqlShape(name, text string, needs ...string) rbacShape {
	return rbacShape{name: name, needs: needs, run: func(ctx context.Context, c rbacCell, rec *harness.Recorder) error {
		return c.partiql(ctx, rec, text)
	}}
}

// verbShape sends verb JSON as a query text (a JSON object is a verb request
// whatever faz.language says).
func verbShape(name, json string, needs ...string) rbacShape {
	return sqlShape("verb "+name, json, needs...)
}

func rbacShapes() []rbacShape {
	cteDelete := sqlShape("CTE with a write", `WITH d AS (DELETE FROM {t} WHERE pk = '{k}' RETURNING pk) SELECT count(*) FROM d`, "delete", "read")
	cteDelete.unsupported = true
	putItem := verbShape("PutItem", `{"verb":"PutItem","TableName":"{t}","Item":{"pk":{"S":"{k}-put"},"n":{"N":"1"}}}`, "write")
	putItem.appendable = true
	transactPut := verbShape("TransactWriteItems Put", `{"verb":"TransactWriteItems","TransactItems":[{"Put":{"TableName":"{t}","Item":{"pk":{"S":"{k}-tput"}}}}]}`, "write")
	transactPut.appendable = true
	updateTable := verbShape("UpdateTable", `{"verb":"UpdateTable","TableName":"{t}","BillingMode":"PAY_PER_REQUEST"}`, "admin")
	updateTable.unsupported = true // DynamoDB may answer "nothing to update"
	return []rbacShape{
		sqlShape("SQL SELECT", `SELECT n FROM {t} WHERE pk = '{k}'`, "read"),
		sqlShape("SQL INSERT", `INSERT INTO {t} (pk, n, status) VALUES ('{k}-new', 1, 'new')`, "insert"),
		sqlShape("SQL upsert", `INSERT INTO {t} (pk, n) VALUES ('{k}', 1) ON CONFLICT (pk) DO UPDATE SET n = 2`, "write"),
		sqlShape("SQL UPDATE by key", `UPDATE {t} SET n = 5 WHERE pk = '{k}'`, "write"),
		sqlShape("SQL UPDATE by non-key WHERE", `UPDATE {t} SET n = 6 WHERE status = 'st-{k}'`, "read", "write"),
		sqlShape("SQL DELETE by key", `DELETE FROM {t} WHERE pk = '{k}'`, "delete"),
		sqlShape("SQL UPDATE RETURNING", `UPDATE {t} SET n = 7 WHERE pk = '{k}' RETURNING n`, "write", "read"),
		cteDelete,
		sqlShape("SQL INSERT SELECT", `INSERT INTO {t} (pk, n) SELECT pk || '-{k}', n FROM rbac_src WHERE pk = 's1'`, "insert"),
		sqlShape("multi-statement string", `SELECT n FROM {t} WHERE pk = '{k}'; INSERT INTO {t} (pk, n) VALUES ('{k}-multi', 1)`, "read", "insert"),
		{name: "transaction block", needs: []string{"insert", "write"}, run: runTxBlock},
		// COPY FROM writes with BatchWriteItem, whose puts may overwrite: write.
		{name: "COPY FROM", needs: []string{"write"}, run: func(ctx context.Context, c rbacCell, _ *harness.Recorder) error {
			_, err := c.conn.PgConn().CopyFrom(ctx, strings.NewReader(c.sub("{k}-c1\t1\n{k}-c2\t2\n")), c.sub("COPY {t} (pk, n) FROM STDIN"))
			return err
		}},
		{name: "COPY TO", needs: []string{"read"}, run: func(ctx context.Context, c rbacCell, _ *harness.Recorder) error {
			_, err := c.conn.PgConn().CopyTo(ctx, io.Discard, c.sub("COPY (SELECT pk, n FROM {t} WHERE pk = '{k}') TO STDOUT"))
			return err
		}},
		verbShape("GetItem", `{"verb":"GetItem","TableName":"{t}","Key":{"pk":{"S":"{k}"}}}`, "read"),
		verbShape("Query", `{"verb":"Query","TableName":"{t}","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"{k}"}}}`, "read"),
		verbShape("Scan", `{"verb":"Scan","TableName":"{t}","Limit":2}`, "read"),
		verbShape("BatchGetItem", `{"verb":"BatchGetItem","RequestItems":{"{t}":{"Keys":[{"pk":{"S":"{k}"}}]}}}`, "read"),
		verbShape("TransactGetItems", `{"verb":"TransactGetItems","TransactItems":[{"Get":{"TableName":"{t}","Key":{"pk":{"S":"{k}"}}}}]}`, "read"),
		verbShape("DescribeTable", `{"verb":"DescribeTable","TableName":"{t}"}`, "read"),
		verbShape("ListTables", `{"verb":"ListTables"}`),
		putItem,
		verbShape("PutItem attribute_not_exists", `{"verb":"PutItem","TableName":"{t}","Item":{"pk":{"S":"{k}-ins"}},"ConditionExpression":"attribute_not_exists(pk)"}`, "insert"),
		verbShape("UpdateItem", `{"verb":"UpdateItem","TableName":"{t}","Key":{"pk":{"S":"{k}"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"N":"3"}}}`, "write"),
		verbShape("UpdateItem ALL_NEW", `{"verb":"UpdateItem","TableName":"{t}","Key":{"pk":{"S":"{k}"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"N":"4"}},"ReturnValues":"ALL_NEW"}`, "write", "read"),
		verbShape("DeleteItem", `{"verb":"DeleteItem","TableName":"{t}","Key":{"pk":{"S":"{k}"}}}`, "delete"),
		verbShape("BatchWriteItem Put", `{"verb":"BatchWriteItem","RequestItems":{"{t}":[{"PutRequest":{"Item":{"pk":{"S":"{k}-bw"}}}}]}}`, "write"),
		verbShape("BatchWriteItem Delete", `{"verb":"BatchWriteItem","RequestItems":{"{t}":[{"DeleteRequest":{"Key":{"pk":{"S":"{k}"}}}}]}}`, "delete"),
		transactPut,
		verbShape("TransactWriteItems Put+Update", `{"verb":"TransactWriteItems","TransactItems":[{"Put":{"TableName":"{t}","Item":{"pk":{"S":"{k}-tpu"}}}},{"Update":{"TableName":"{t}","Key":{"pk":{"S":"{k}"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"N":"8"}}}}]}`, "write"),
		verbShape("ExecuteStatement SELECT", `{"verb":"ExecuteStatement","Statement":"SELECT * FROM \"{t}\" WHERE pk = '{k}'"}`, "read"),
		verbShape("BatchExecuteStatement INSERT+UPDATE", `{"verb":"BatchExecuteStatement","Statements":[{"Statement":"INSERT INTO \"{t}\" VALUE {'pk': '{k}-bx'}"},{"Statement":"UPDATE \"{t}\" SET n = 9 WHERE pk = '{k}'"}]}`, "insert", "write"),
		verbShape("ExecuteTransaction UPDATE+DELETE", `{"verb":"ExecuteTransaction","TransactStatements":[{"Statement":"UPDATE \"{t}\" SET n = 10 WHERE pk = '{k}'"},{"Statement":"DELETE FROM \"{t}\" WHERE pk = '{k}-none'"}]}`, "write", "delete"),
		updateTable,
		partiqlShape("PartiQL SELECT", `SELECT * FROM "{t}" WHERE pk = '{k}'`, "read"),
		partiqlShape("PartiQL INSERT", `INSERT INTO "{t}" VALUE {'pk': '{k}-p', 'n': 1}`, "insert"),
		partiqlShape("PartiQL UPDATE", `UPDATE "{t}" SET n = 11 WHERE pk = '{k}'`, "write"),
		partiqlShape("PartiQL DELETE", `DELETE FROM "{t}" WHERE pk = '{k}'`, "delete"),
	}
}

// runTxBlock: BEGIN, INSERT, UPDATE by key, COMMIT; a refused statement
// aborts the block, which is rolled back.
func runTxBlock(ctx context.Context, c rbacCell, _ *harness.Recorder) error {
	for _, stmt := range []string{"BEGIN", `INSERT INTO {t} (pk, n) VALUES ('{k}-tx', 1)`, `UPDATE {t} SET n = 12 WHERE pk = '{k}'`, "COMMIT"} {
		if err := c.sql(ctx, stmt); err != nil {
			_ = c.sql(context.Background(), "ROLLBACK")
			return err
		}
	}
	return nil
}

// rbacFixture is a fazproxy in front of a Recorder, the test table rbac_t
// (and rbac_src, readable by everyone) with seed items, and one connection
// per access code.
type rbacFixture struct {
	api    *dynamodb.Client
	rec    *harness.Recorder
	proxy  *harness.Proxy
	conns  map[string]*pgx.Conn
	tables []string
}

func startRBAC(ctx context.Context, t *testing.T, tables ...string) *rbacFixture {
	t.Helper()
	f := &rbacFixture{api: harness.DynamoClient(env.endpoint), conns: map[string]*pgx.Conn{}, tables: tables}
	for _, tbl := range append([]string{"rbac_src"}, tables...) {
		createKeyTable(ctx, t, f.api, tbl, "pk")
		// Seed items before the proxy starts so sampling sees every column.
		putItem(ctx, t, f.api, tbl, map[string]ddbtypes.AttributeValue{"pk": avS("s1"), "n": avN("1"), "status": avS("seed"), "owner": avS("seed")})
	}
	var err error
	if f.rec, err = harness.StartRecorder(t, env.endpoint); err != nil {
		t.Fatal(err)
	}
	f.proxy = harness.StartFazproxyProcess(t, env.binary, rbacConfig(f.rec.URL, tables, nil))
	for _, code := range accessCodes {
		f.conns[code] = connect(ctx, t, f.proxy.DSN(rbacUser(code), "demo"))
	}
	// Warm the catalog (DescribeTable and the sampling Scan) so that every
	// call recorded later is the statement's own; the cache lasts 30 s.
	for _, tbl := range append([]string{"rbac_src"}, tables...) {
		if _, err := simpleExec(ctx, f.conns["RW"], "SELECT * FROM "+tbl+" LIMIT 1"); err != nil {
			t.Fatalf("warming the catalog for %s: %v", tbl, err)
		}
	}
	return f
}

// seed puts the item a cell works on: key k, n = 0, status 'st-<k>'.
func (f *rbacFixture) seed(ctx context.Context, t *testing.T, table, k string) {
	t.Helper()
	putItem(ctx, t, f.api, table, map[string]ddbtypes.AttributeValue{"pk": avS(k), "n": avN("0"), "status": avS("st-" + k)})
}

// check runs one cell and asserts allowed/refused; a refusal must be 42501
// and make no DynamoDB data-plane call. It returns the metadata calls seen.
func (f *rbacFixture) check(ctx context.Context, t *testing.T, code string, s rbacShape, cell rbacCell) int {
	t.Helper()
	f.rec.Reset()
	err := s.run(ctx, cell, f.rec)
	data := f.rec.DataCalls()
	meta := len(f.rec.Calls()) - len(data)
	switch {
	case !s.allowed(code):
		if sqlState(err) != "42501" {
			t.Errorf("%s under %s: err = %v, want SQLSTATE 42501 (needs %v, code grants %v)", s.name, code, err, s.needs, codeClasses[code])
		}
		if len(data) > 0 {
			t.Errorf("%s under %s: refused, yet %d DynamoDB data-plane calls were made: %v", s.name, code, len(data), data)
		}
	case s.unsupported:
		t.Logf("%s under %s (allowed; may be unsupported): err = %v", s.name, code, err)
		if sqlState(err) == "42501" {
			t.Errorf("%s under %s: refused (%v), want allowed (needs %v, code grants %v)", s.name, code, err, s.needs, codeClasses[code])
		}
	default:
		if err != nil {
			t.Errorf("%s under %s: err = %v, want allowed (needs %v, code grants %v)", s.name, code, err, s.needs, codeClasses[code])
		}
	}
	return meta
}

// TestRBACMatrix runs every statement shape under every access code through
// a real fazproxy and DynamoDB Local, with the expectation derived from
// spec/rbac.md's code → classes table. Refusals must be 42501 and send no
// data-plane call; DescribeTable/ListTables calls (the catalog learning
// tables) are metadata, not data, and are counted separately.
func TestRBACMatrix(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const table = "rbac_t"
	f := startRBAC(ctx, t, table)
	meta := 0
	for _, s := range rbacShapes() {
		t.Run(s.name, func(t *testing.T) {
			for _, code := range accessCodes {
				k := fmt.Sprintf("%s-%s", strings.ToLower(code), strings.NewReplacer(" ", "_", "+", "_").Replace(s.name))
				f.seed(ctx, t, table, k)
				meta += f.check(ctx, t, code, s, rbacCell{conn: f.conns[code], table: table, k: k})
			}
		})
	}
	t.Logf("metadata calls (DescribeTable/ListTables, not data) during the matrix: %d", meta)

	t.Run("catalog shows only usable tables", func(t *testing.T) {
		// spec/rbac.md: catalog queries show only tables the user may read
		// or write; none hides a table.
		for _, code := range accessCodes {
			var n int
			if err := f.conns[code].QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_name = $1", table).Scan(&n); err != nil {
				t.Errorf("information_schema.tables as %s: %v", rbacUser(code), err)
				continue
			}
			if want := len(codeClasses[code]) > 0; (n == 1) != want {
				t.Errorf("%s (%s): %s listed %d times, want visible = %v", rbacUser(code), code, table, n, want)
			}
		}
	})

	t.Run("prepared statement after a permission change", func(t *testing.T) {
		f.preparedAfterReload(ctx, t, table)
	})
}

// preparedAfterReload prepares statements while every user holds A on the
// table, then reloads faz.yaml (SIGHUP) with the matrix codes and executes
// them: each Execute is checked against the rules in force then.
func (f *rbacFixture) preparedAfterReload(ctx context.Context, t *testing.T, table string) {
	reloads := func() int {
		b, _ := os.ReadFile(f.proxy.LogPath)
		return strings.Count(string(b), "users and permissions reloaded")
	}
	reloadWith := func(override func(string) string) {
		before := reloads()
		rewrite(t, f.proxy, rbacConfig(f.rec.URL, f.tables, override))
		waitFor(t, func() error {
			if reloads() > before {
				return nil
			}
			return errors.New("fazproxy did not log the reload")
		})
	}
	reloadWith(func(string) string { return "A" })
	prepared := []rbacShape{
		{name: "prepared SELECT", needs: []string{"read"}},
		{name: "prepared UPDATE by key", needs: []string{"write"}},
	}
	texts := []string{`SELECT n FROM ` + table + ` WHERE pk = $1`, `UPDATE ` + table + ` SET n = $1 WHERE pk = $2`}
	for _, code := range accessCodes {
		for i, text := range texts {
			if _, err := f.conns[code].Prepare(ctx, fmt.Sprintf("p%d", i), text); err != nil {
				t.Fatalf("prepare %q as %s while holding A: %v", text, rbacUser(code), err)
			}
		}
	}
	reloadWith(nil)
	for _, code := range accessCodes {
		k := strings.ToLower(code) + "-prepared"
		f.seed(ctx, t, table, k)
		c := f.conns[code]
		prepared[0].run = func(ctx context.Context, _ rbacCell, _ *harness.Recorder) error {
			rows, err := c.Query(ctx, "p0", k)
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		}
		prepared[1].run = func(ctx context.Context, _ rbacCell, _ *harness.Recorder) error {
			_, err := c.Exec(ctx, "p1", 13, k)
			return err
		}
		for _, s := range prepared {
			f.check(ctx, t, code, s, rbacCell{conn: c, table: table, k: k})
		}
	}
}
