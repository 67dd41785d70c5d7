package integration

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/fazproxy/fazproxy/integration/harness"
)

const typesTable = "it_types"

// createTypesTable stores one item holding every DynamoDB type, written with
// the AWS SDK directly (not through fazproxy), and a second sparse item.
func createTypesTable(ctx context.Context, t *testing.T) {
	t.Helper()
	db := harness.DynamoClient(env.endpoint)
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(typesTable),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	item := map[string]types.AttributeValue{
		"id":    &types.AttributeValueMemberS{Value: "all"},
		"s":     &types.AttributeValueMemberS{Value: "héllo \"world\" 'x' $1 #n :v"},
		"n":     &types.AttributeValueMemberN{Value: "12345678901234567890.123456789012345678"},
		"n_neg": &types.AttributeValueMemberN{Value: "-0.00000000000000000000000000000000000001"},
		"n_big": &types.AttributeValueMemberN{Value: "99999999999999999999999999999999999999"},
		"b":     &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 0xfe, 0xff}},
		"bool":  &types.AttributeValueMemberBOOL{Value: true},
		"null":  &types.AttributeValueMemberNULL{Value: true},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"num":   &types.AttributeValueMemberN{Value: "3.14159265358979323846264338327950288"},
			"list":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}, &types.AttributeValueMemberBOOL{Value: false}, &types.AttributeValueMemberNULL{Value: true}}},
			"inner": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: "v"}}},
		}},
		// Nested numbers are written canonical: DynamoDB trims "2.50" to
		// "2.5" everywhere, DynamoDB Local only at the top level.
		"l":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "1"}, &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "2.5"}}}}},
		"ss": &types.AttributeValueMemberSS{Value: []string{"b", "a", "c d"}},
		"ns": &types.AttributeValueMemberNS{Value: []string{"10", "-1.5", "12345678901234567890123456789012345678"}},
		"bs": &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
	}
	for _, it := range []map[string]types.AttributeValue{item, {"id": &types.AttributeValueMemberS{Value: "sparse"}}} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(typesTable), Item: it}); err != nil {
			t.Fatalf("PutItem: %v", err)
		}
	}
	t.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(typesTable)})
	})
}

// TestTypesTextFormat reads every type through the simple protocol and checks
// the exact text PostgreSQL would send.
func TestTypesTextFormat(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	createTypesTable(ctx, t)
	conn := connect(ctx, t, proxyDSN())
	want := map[string]string{
		"s":     `héllo "world" 'x' $1 #n :v`,
		"n":     "12345678901234567890.123456789012345678",
		"n_neg": "-0.00000000000000000000000000000000000001",
		"n_big": "99999999999999999999999999999999999999",
		"b":     `\x000102feff`,
		"bool":  "t",
		"null":  "NULL",
		"m":     `{"num": 3.14159265358979323846264338327950288, "list": ["x", false, null], "inner": {"k": "v"}}`,
		"l":     `[1, [2.5]]`,
		"ss":    `{a,b,"c d"}`,
		"ns":    `{-1.5,10,12345678901234567890123456789012345678}`,
		"bs":    `{"\\x01","\\x0203"}`,
	}
	for col, w := range want {
		rows, err := collect(ctx, conn, `SELECT "`+col+`" FROM it_types WHERE id = 'all'`, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatalf("%s: %v\n%s", col, err, logTail())
		}
		if len(rows) != 1 || rows[0][0] != w {
			t.Errorf("%s = %q, want %q", col, rows, w)
		}
	}
	// A missing attribute is NULL in every column.
	rows, err := collect(ctx, conn, `SELECT s, n, b, bool, m, ss, ns, bs FROM it_types WHERE id = 'sparse'`, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range rows[0] {
		if v != "NULL" {
			t.Errorf("sparse column %d = %q, want NULL", i, v)
		}
	}
}

// TestTypesBinaryFormat reads every type with pgx's extended protocol, where
// pgx asks for binary results, and decodes them into Go values.
func TestTypesBinaryFormat(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := harness.DynamoClient(env.endpoint).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(typesTable)}); err != nil {
		createTypesTable(ctx, t)
	}
	conn := connect(ctx, t, proxyDSN())
	var (
		s       string
		n, nNeg pgtype.Numeric
		b       []byte
		bo      bool
		null    *string
		m, l    any
		ss      []string
		ns      []pgtype.Numeric
		bs      [][]byte
	)
	err := conn.QueryRow(ctx, `SELECT s, n, n_neg, b, bool, "null", m, l, ss, ns, bs FROM it_types WHERE id = $1`, "all").
		Scan(&s, &n, &nNeg, &b, &bo, &null, &m, &l, &ss, &ns, &bs)
	if err != nil {
		t.Fatalf("scan: %v\n%s", err, logTail())
	}
	if s != `héllo "world" 'x' $1 #n :v` {
		t.Errorf("s = %q", s)
	}
	wantN, _ := new(big.Int).SetString("12345678901234567890123456789012345678", 10)
	if n.Int.Cmp(wantN) != 0 || n.Exp != -18 {
		t.Errorf("n = %v e%d", n.Int, n.Exp)
	}
	if nNeg.Int.Cmp(big.NewInt(-1)) != 0 || nNeg.Exp != -38 {
		t.Errorf("n_neg = %v e%d", nNeg.Int, nNeg.Exp)
	}
	if string(b) != "\x00\x01\x02\xfe\xff" || !bo || null != nil {
		t.Errorf("b=%x bool=%v null=%v", b, bo, null)
	}
	mm, ok := m.(map[string]any)
	if !ok || mm["inner"].(map[string]any)["k"] != "v" || len(mm["list"].([]any)) != 3 {
		t.Errorf("m = %#v", m)
	}
	if ll, ok := l.([]any); !ok || len(ll) != 2 {
		t.Errorf("l = %#v", l)
	}
	if len(ss) != 3 || ss[0] != "a" || ss[2] != "c d" {
		t.Errorf("ss = %q", ss)
	}
	if len(ns) != 3 || ns[0].Int.Cmp(big.NewInt(-15)) != 0 || ns[0].Exp != -1 {
		t.Errorf("ns = %v", ns)
	}
	if len(bs) != 2 || string(bs[1]) != "\x02\x03" {
		t.Errorf("bs = %x", bs)
	}
}

// TestBinaryParameters sends parameters in binary (pgx encodes numeric, bool
// and bytea in binary by the types fazproxy describes) and in text.
func TestBinaryParameters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connect(ctx, t, proxyDSN())
	var name string
	if err := conn.QueryRow(ctx, `SELECT name FROM products WHERE sku = $1`, 10001).Scan(&name); err != nil {
		t.Fatalf("numeric key from a binary int8 parameter: %v\n%s", err, logTail())
	}
	var ref string
	refConn := connect(ctx, t, env.pgDSN)
	if err := refConn.QueryRow(ctx, `SELECT name FROM products WHERE sku = $1`, 10001).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	if name != ref {
		t.Errorf("name = %q, reference %q", name, ref)
	}
	var cnt, refCnt int64
	q := `SELECT count(*) FROM customers WHERE vip = $1 AND balance > $2`
	if err := conn.QueryRow(ctx, q, true, pgtype.Numeric{Int: big.NewInt(-100), Exp: 0, Valid: true}).Scan(&cnt); err != nil {
		t.Fatalf("bool and numeric parameters: %v", err)
	}
	if err := refConn.QueryRow(ctx, q, true, pgtype.Numeric{Int: big.NewInt(-100), Exp: 0, Valid: true}).Scan(&refCnt); err != nil {
		t.Fatal(err)
	}
	if cnt != refCnt || cnt == 0 {
		t.Errorf("count = %d, reference %d", cnt, refCnt)
	}
	// The same statement with text-format parameters.
	if err := conn.QueryRow(ctx, q, pgx.QueryExecModeSimpleProtocol, true, "-100").Scan(&cnt); err != nil {
		t.Fatal(err)
	}
	if cnt != refCnt {
		t.Errorf("text parameters: count = %d, reference %d", cnt, refCnt)
	}
}
