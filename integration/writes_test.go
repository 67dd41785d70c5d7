package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// TestWritesAppendOnly: under RA nothing can overwrite — SQL INSERT, verb
// PutItem and PartiQL INSERT of an existing key fail and leave the item as
// it was; under W an UPDATE by key is one UpdateItem, while a SELECT, an
// UPDATE by a non-key WHERE and RETURNING (which all read) are refused
// before any DynamoDB call.
func TestWritesAppendOnly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const table = "writes_t"
	f := startRBAC(ctx, t, table)
	key := func(k string) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{"pk": avS(k)}
	}

	t.Run("RA never overwrites", func(t *testing.T) {
		ra := rbacCell{conn: f.conns["RA"], table: table}
		cases := []struct {
			name, k string
			code    string // "" = any error
			sent    string // the one data-plane call DynamoDB refused by its condition
			run     func(c rbacCell) error
		}{
			{"SQL INSERT", "ra-sql", "23505", "PutItem", func(c rbacCell) error {
				return c.sql(ctx, `INSERT INTO {t} (pk, n, status) VALUES ('{k}', 99, 'overwritten')`)
			}},
			{"SQL INSERT with parameters", "ra-sql-param", "23505", "PutItem", func(c rbacCell) error {
				_, err := c.conn.Exec(ctx, "INSERT INTO "+table+" (pk, n, status) VALUES ($1, $2, $3)", c.k, 99, "overwritten")
				return err
			}},
			{"verb PutItem", "ra-verb", "23505", "PutItem", func(c rbacCell) error {
				return c.sql(ctx, `{"verb":"PutItem","TableName":"{t}","Item":{"pk":{"S":"{k}"},"n":{"N":"99"},"status":{"S":"overwritten"}}}`)
			}},
			{"PartiQL INSERT", "ra-partiql", "", "ExecuteStatement", func(c rbacCell) error {
				return c.partiql(ctx, f.rec, `INSERT INTO "{t}" VALUE {'pk': '{k}', 'n': 99, 'status': 'overwritten'}`)
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.seed(ctx, t, table, c.k)
				before := itemString(getItem(ctx, t, f.api, table, key(c.k)))
				cell := ra
				cell.k = c.k
				f.rec.Reset()
				err := c.run(cell)
				var ops []string
				for _, call := range f.rec.DataCalls() {
					ops = append(ops, call.Op)
				}
				if strings.Join(ops, ",") != c.sent {
					t.Errorf("sent %v, want exactly one %s (refused by DynamoDB's condition, not skipped)", ops, c.sent)
				}
				if err == nil || c.code != "" && sqlState(err) != c.code {
					t.Errorf("err = %v, want SQLSTATE %q (any error when empty)", err, c.code)
				}
				if sqlState(err) == "42501" {
					t.Errorf("refused by policy (%v): RA must be allowed to try the append", err)
				}
				if after := itemString(getItem(ctx, t, f.api, table, key(c.k))); after != before {
					t.Errorf("item changed under RA:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		// An append of a new key still works.
		if err := (rbacCell{conn: ra.conn, table: table, k: "ra-fresh"}).sql(ctx, `{"verb":"PutItem","TableName":"{t}","Item":{"pk":{"S":"{k}"}}}`); err != nil {
			t.Errorf("RA PutItem of a new key: %v", err)
		}
	})

	t.Run("W writes by key but never reads", func(t *testing.T) {
		w := rbacCell{conn: f.conns["W"], table: table, k: "w-key"}
		f.seed(ctx, t, table, w.k)
		f.rec.Reset()
		tags, err := simpleExec(ctx, w.conn, w.sub(`UPDATE {t} SET n = 1 WHERE pk = '{k}'`))
		if err != nil || len(tags) != 1 || tags[0] != "UPDATE 1" {
			t.Errorf("UPDATE by key under W: tags %v, err %v; want UPDATE 1", tags, err)
		}
		var ops []string
		for _, c := range f.rec.DataCalls() {
			ops = append(ops, c.Op)
		}
		if strings.Join(ops, ",") != "UpdateItem" {
			t.Errorf("UPDATE by key under W sent %v, want exactly one UpdateItem", ops)
		}
		if got := itemString(getItem(ctx, t, f.api, table, key(w.k))); !strings.Contains(got, `"n":N:1`) {
			t.Errorf("item after UPDATE = %s, want n = 1", got)
		}
		for _, text := range []string{
			`SELECT n FROM {t} WHERE pk = '{k}'`,
			`UPDATE {t} SET n = 1 WHERE status = 'old'`,
			`UPDATE {t} SET n = 2 WHERE pk = '{k}' RETURNING n`,
			`DELETE FROM {t} WHERE pk = '{k}' RETURNING *`,
		} {
			f.rec.Reset()
			err := w.sql(ctx, text)
			if sqlState(err) != "42501" {
				t.Errorf("%s under W: err = %v, want 42501", w.sub(text), err)
			}
			if calls := f.rec.DataCalls(); len(calls) > 0 {
				t.Errorf("%s under W: refused, yet sent %v", w.sub(text), calls)
			}
		}
	})
}

// hostileStrings are values and names that break naive quoting in SQL,
// PartiQL, DynamoDB expressions (#name, :value) and JSON.
var hostileStrings = []string{
	`it's "quoted"`,
	`$1`,
	`#name`,
	`:v`,
	`' OR 1=1 --`,
	`{"S":"x"}`,
	`back\slash`,
	`a;b); DROP TABLE x; --`,
	`?`,
	`$$dollar$$ %s`,
	"tab\tnew\nline",
	"ünïcödé ✓",
}

// adminConfig serves DynamoDB Local with user demo holding A (admin) on
// every table.
func adminConfig() string {
	return strings.Replace(harness.DemoConfig(env.endpoint), "access: RW", "access: A", 1)
}

// TestHostileText writes hostile strings as keys and values through SQL
// literals, SQL parameters, PartiQL parameters and verb JSON, and reads them
// back (directly from DynamoDB and through SQL) exactly as written; then
// uses hostile identifiers for a table and its key column.
func TestHostileText(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const table = "hostile_t"
	api := harness.DynamoClient(env.endpoint)
	createKeyTable(ctx, t, api, table, "pk")
	putItem(ctx, t, api, table, map[string]ddbtypes.AttributeValue{"pk": avS("seed"), "v": avS("seed")})
	p := harness.StartFazproxyProcess(t, env.binary, adminConfig())
	conn := connect(ctx, t, p.DSN("demo", "demo"))

	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	ways := []struct {
		name  string
		write func(pk, v string) error
	}{
		{"SQL literal", func(pk, v string) error {
			_, err := simpleExec(ctx, conn, "INSERT INTO "+table+" (pk, v) VALUES ("+lit(pk)+", "+lit(v)+")")
			return err
		}},
		{"SQL parameter", func(pk, v string) error {
			_, err := conn.Exec(ctx, "INSERT INTO "+table+" (pk, v) VALUES ($1, $2)", pk, v)
			return err
		}},
		{"PartiQL parameter", func(pk, v string) error {
			if _, err := simpleExec(ctx, conn, "SET faz.language = 'partiql'"); err != nil {
				return err
			}
			defer func() { _, _ = simpleExec(context.Background(), conn, "SET faz.language = 'sql'") }()
			_, err := conn.Exec(ctx, `INSERT INTO "`+table+`" VALUE {'pk': ?, 'v': ?}`, pk, v)
			return err
		}},
		{"verb JSON", func(pk, v string) error {
			b, err := json.Marshal(map[string]any{"verb": "PutItem", "TableName": table,
				"Item": map[string]any{"pk": map[string]string{"S": pk}, "v": map[string]string{"S": v}}})
			if err != nil {
				return err
			}
			_, err = simpleExec(ctx, conn, string(b))
			return err
		}},
	}
	for _, w := range ways {
		t.Run(w.name, func(t *testing.T) {
			for i, h := range hostileStrings {
				pk := fmt.Sprintf("%s %d %s", w.name, i, h)
				if err := w.write(pk, h); err != nil {
					t.Errorf("writing %q: %v", h, err)
					continue
				}
				item := getItem(ctx, t, api, table, map[string]ddbtypes.AttributeValue{"pk": avS(pk)})
				if got, ok := item["v"].(*ddbtypes.AttributeValueMemberS); !ok || got.Value != h {
					t.Errorf("DynamoDB holds %s for key %q, want v = %q", itemString(item), pk, h)
				}
				var back string
				if err := conn.QueryRow(ctx, "SELECT v FROM "+table+" WHERE pk = $1", pk).Scan(&back); err != nil || back != h {
					t.Errorf("SELECT v for key %q = %q (err %v), want %q", pk, back, err, h)
				}
			}
		})
	}

	t.Run("hostile identifiers", func(t *testing.T) { hostileIdentifiers(ctx, t, conn) })
}

// hostileIdentifiers: DynamoDB table names allow only [A-Za-z0-9_.-], so a
// name with a quote, ':' or '#' must be refused cleanly; a name using every
// allowed oddity works, and so does a key attribute named with a quote, ':',
// '#' and '$1' (attribute names allow any character).
func hostileIdentifiers(ctx context.Context, t *testing.T, conn *pgx.Conn) {
	api := harness.DynamoClient(env.endpoint)
	_, err := simpleExec(ctx, conn, `CREATE TABLE "we""ird:#t" (pk text PRIMARY KEY)`)
	t.Logf(`CREATE TABLE "we""ird:#t": %v`, err)
	if err == nil {
		t.Errorf(`CREATE TABLE "we""ird:#t" succeeded; DynamoDB does not allow '"', ':' or '#' in table names`)
		_, _ = simpleExec(ctx, conn, `DROP TABLE "we""ird:#t"`)
	}
	const name = "We.ird-T_1"
	const col = `p"k:#1 $1`
	qcol := `"` + strings.ReplaceAll(col, `"`, `""`) + `"`
	t.Cleanup(func() {
		_, _ = api.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	if _, err := simpleExec(ctx, conn, `CREATE TABLE "`+name+`" (`+qcol+` text, PRIMARY KEY (`+qcol+`))`); err != nil {
		t.Fatalf("CREATE TABLE %q: %v", name, err)
	}
	for _, h := range hostileStrings {
		if _, err := conn.Exec(ctx, `INSERT INTO "`+name+`" (`+qcol+`) VALUES ($1)`, h); err != nil {
			t.Errorf("INSERT %q into %q.%q: %v", h, name, col, err)
			continue
		}
		item := getItem(ctx, t, api, name, map[string]ddbtypes.AttributeValue{col: avS(h)})
		if item == nil {
			t.Errorf("no item with %q = %q in DynamoDB", col, h)
		}
		var back string
		if err := conn.QueryRow(ctx, `SELECT `+qcol+` FROM "`+name+`" WHERE `+qcol+` = $1`, h).Scan(&back); err != nil || back != h {
			t.Errorf("SELECT %s = %q: got %q, err %v", qcol, h, back, err)
		}
	}
	if _, err := simpleExec(ctx, conn, `DROP TABLE "`+name+`"`); err != nil {
		t.Errorf("DROP TABLE %q: %v", name, err)
	}
}
