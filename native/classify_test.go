package native

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/policy"
)

// keyNames is the test schema: orders(pk, sk), users(id).
func keyNames(table string) []string {
	switch table {
	case "orders":
		return []string{"pk", "sk"}
	case "users":
		return []string{"id"}
	}
	return nil
}

func testOptions() Options { return Options{KeyNames: keyNames, DefaultTable: "orders"} }

// needsString prints needs as "table:class,..." for compact expectations.
func needsString(ns []policy.Need) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.Table + ":" + n.Class.String()
	}
	return strings.Join(parts, ",")
}

func TestNeedsVerbs(t *testing.T) {
	cases := []struct {
		name, json, want string
	}{
		{"Query", `{"verb":"Query","TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}`, "orders:read"},
		{"Scan", `{"verb":"Scan","TableName":"orders","Limit":5}`, "orders:read"},
		{"GetItem", `{"verb":"GetItem","TableName":"users","Key":{"id":{"N":"1"}}}`, "users:read"},
		{"BatchGetItem", `{"verb":"BatchGetItem","RequestItems":{"users":{"Keys":[]},"orders":{"Keys":[]}}}`, "orders:read,users:read"},
		{"TransactGetItems", `{"verb":"TransactGetItems","TransactItems":[{"Get":{"TableName":"users","Key":{}}},{"Get":{"TableName":"orders","Key":{}}}]}`,
			"orders:read,users:read"},
		{"DescribeTable", `{"verb":"DescribeTable","TableName":"users"}`, "users:read"},
		{"ListTables", `{"verb":"ListTables"}`, ""},
		{"PutItem plain", `{"verb":"PutItem","TableName":"orders","Item":{}}`, "orders:write"},
		{"PutItem key not exists", `{"verb":"PutItem","TableName":"orders","Item":{},"ConditionExpression":"attribute_not_exists(pk)"}`, "orders:insert"},
		{"PutItem key not exists via #name", `{"verb":"PutItem","TableName":"orders","Item":{},"ConditionExpression":"attribute_not_exists(#k)",
			"ExpressionAttributeNames":{"#k":"sk"}}`, "orders:insert"},
		{"PutItem key not exists, parenthesised and ANDed with key check", `{"verb":"PutItem","TableName":"orders","Item":{},
			"ConditionExpression":"(attribute_not_exists(pk)) AND pk <> :x","ExpressionAttributeValues":{":x":{"S":"a"}}}`, "orders:insert"},
		{"PutItem not exists on a non-key", `{"verb":"PutItem","TableName":"orders","Item":{},"ConditionExpression":"attribute_not_exists(total)"}`,
			"orders:read,orders:write"},
		{"PutItem not exists under OR", `{"verb":"PutItem","TableName":"orders","Item":{},"ConditionExpression":"attribute_not_exists(pk) OR sk = :s",
			"ExpressionAttributeValues":{":s":{"S":"a"}}}`, "orders:write"},
		{"PutItem NOT not exists", `{"verb":"PutItem","TableName":"orders","Item":{},"ConditionExpression":"NOT attribute_not_exists(pk)"}`, "orders:write"},
		{"PutItem nested path is not the key", `{"verb":"PutItem","TableName":"orders","Item":{},"ConditionExpression":"attribute_not_exists(x.pk)"}`,
			"orders:read,orders:write"},
		{"PutItem insert with non-key condition", `{"verb":"PutItem","TableName":"orders","Item":{},
			"ConditionExpression":"attribute_not_exists(pk) AND price BETWEEN :a AND :b","ExpressionAttributeValues":{":a":{"N":"1"},":b":{"N":"2"}}}`,
			"orders:read,orders:insert"},
		{"PutItem ReturnValues ALL_OLD", `{"verb":"PutItem","TableName":"orders","Item":{},"ReturnValues":"ALL_OLD"}`, "orders:read,orders:write"},
		{"PutItem ReturnValues NONE", `{"verb":"PutItem","TableName":"orders","Item":{},"ReturnValues":"NONE"}`, "orders:write"},
		{"PutItem legacy Expected", `{"verb":"PutItem","TableName":"users","Item":{},"Expected":{"id":{"Exists":false}}}`, "users:insert"},
		{"PutItem on unknown keys", `{"verb":"PutItem","TableName":"other","Item":{},"ConditionExpression":"attribute_not_exists(pk)"}`,
			"other:read,other:write"},
		{"UpdateItem", `{"verb":"UpdateItem","TableName":"orders","Key":{},"UpdateExpression":"SET x = :x","ExpressionAttributeValues":{":x":{"N":"1"}}}`,
			"orders:write"},
		{"UpdateItem key condition", `{"verb":"UpdateItem","TableName":"orders","Key":{},"UpdateExpression":"SET x = :x",
			"ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":x":{"N":"1"}}}`, "orders:write"},
		{"UpdateItem non-key condition", `{"verb":"UpdateItem","TableName":"orders","Key":{},"UpdateExpression":"SET x = :x",
			"ConditionExpression":"#st = :old","ExpressionAttributeNames":{"#st":"status"},"ExpressionAttributeValues":{":x":{"N":"1"},":old":{"S":"o"}}}`,
			"orders:read,orders:write"},
		{"UpdateItem ReturnValues", `{"verb":"UpdateItem","TableName":"orders","Key":{},"UpdateExpression":"SET x = :x","ReturnValues":"ALL_NEW",
			"ExpressionAttributeValues":{":x":{"N":"1"}}}`, "orders:read,orders:write"},
		{"DeleteItem", `{"verb":"DeleteItem","TableName":"orders","Key":{}}`, "orders:delete"},
		{"DeleteItem ReturnValuesOnConditionCheckFailure", `{"verb":"DeleteItem","TableName":"orders","Key":{},"ConditionExpression":"attribute_exists(pk)",
			"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`, "orders:read,orders:delete"},
		{"BatchWriteItem", `{"verb":"BatchWriteItem","RequestItems":{"orders":[{"PutRequest":{"Item":{}}}],"users":[{"DeleteRequest":{"Key":{}}}]}}`,
			"orders:write,users:delete"},
		{"TransactWriteItems", `{"verb":"TransactWriteItems","TransactItems":[
			{"Put":{"TableName":"orders","Item":{},"ConditionExpression":"attribute_not_exists(pk)"}},
			{"Update":{"TableName":"orders","Key":{},"UpdateExpression":"SET a = :a","ExpressionAttributeValues":{":a":{"N":"1"}}}},
			{"Delete":{"TableName":"users","Key":{}}},
			{"ConditionCheck":{"TableName":"audit","Key":{},"ConditionExpression":"attribute_exists(id)"}}]}`,
			"audit:read,orders:insert,orders:write,users:delete"},
		{"ExecuteStatement SELECT", `{"verb":"ExecuteStatement","Statement":"SELECT * FROM \"orders\".\"by_status\" WHERE status = ?","Parameters":[{"S":"a"}]}`,
			"orders:read"},
		{"BatchExecuteStatement", `{"verb":"BatchExecuteStatement","Statements":[{"Statement":"INSERT INTO users VALUE {'id': 1}"},
			{"Statement":"DELETE FROM orders WHERE pk = 'a' AND sk = 'b'"}]}`, "orders:delete,users:insert"},
		{"ExecuteTransaction", `{"verb":"ExecuteTransaction","TransactStatements":[{"Statement":"EXISTS(SELECT * FROM audit WHERE id = 1)"},
			{"Statement":"UPDATE orders SET x = 1 WHERE pk = 'a' AND sk = 'b'"}]}`, "audit:read,orders:write"},
		{"ExecuteStatement ALL_OLD on failure", `{"verb":"ExecuteStatement","Statement":"INSERT INTO users VALUE {'id': 1}",
			"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`, "users:read,users:insert"},
		{"CreateTable", `{"verb":"CreateTable","TableName":"new_t"}`, "new_t:admin"},
		{"DeleteTable", `{"verb":"DeleteTable","TableName":"orders"}`, "orders:admin"},
		{"UpdateTable", `{"verb":"UpdateTable","TableName":"orders","BillingMode":"PAY_PER_REQUEST"}`, "orders:admin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseVerb(c.json, testOptions())
			if err != nil {
				t.Fatalf("ParseVerb: %v", err)
			}
			if got := needsString(req.Needs()); got != c.want {
				t.Errorf("needs = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNeedsPartiQL(t *testing.T) {
	cases := []struct {
		stmt, want string
	}{
		{`SELECT * FROM "orders" WHERE pk = ?`, "orders:read"},
		{`select a, b from orders`, "orders:read"},
		{`SELECT * FROM "t" WHERE a = 'DELETE FROM x'`, "t:read"},
		{`INSERT INTO "orders" VALUE {'pk': ?, 'sk': 'b'}`, "orders:insert"},
		{`UPDATE "orders" SET x = 1 WHERE pk = ? AND "sk" = 'b'`, "orders:write"},
		{`UPDATE orders SET x = 1 WHERE pk = ? AND status = 'old'`, "orders:read,orders:write"},
		{`UPDATE orders SET x = 1 WHERE pk = ? AND sk = 'b' RETURNING ALL OLD *`, "orders:read,orders:write"},
		{`UPDATE orders REMOVE note WHERE pk = ? AND sk = 'b'`, "orders:write"},
		{`DELETE FROM "orders" WHERE pk = ? AND sk = 'b'`, "orders:delete"},
		{`DELETE FROM orders WHERE pk = ? AND begins_with(note, 'x')`, "orders:read,orders:delete"},
		{`DELETE FROM users WHERE id = 1 RETURNING ALL OLD *`, "users:read,users:delete"},
	}
	for _, c := range cases {
		t.Run(c.stmt, func(t *testing.T) {
			params := make([]types.AttributeValue, strings.Count(c.stmt, "?"))
			for i := range params {
				params[i] = sValue("x")
			}
			req, err := ParsePartiQL(c.stmt, params, testOptions())
			if err != nil {
				t.Fatalf("ParsePartiQL: %v", err)
			}
			if got := needsString(req.Needs()); got != c.want {
				t.Errorf("needs = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNeedsNoDuplicates(t *testing.T) {
	var items []string
	for i := range 5 {
		items = append(items, fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"%d"}}}}`, i))
	}
	req, err := ParseVerb(`{"verb":"BatchWriteItem","RequestItems":{"orders":[`+strings.Join(items, ",")+`]}}`, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Needs(); !slices.Equal(got, []policy.Need{{Table: "orders", Class: policy.Write}}) {
		t.Errorf("needs = %v", got)
	}
}
