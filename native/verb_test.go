package native

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

// verbExamples are realistic requests, one or more per verb; check looks at
// what was decoded.
var verbExamples = []struct {
	name  string
	json  string
	check func(t *testing.T, in any)
}{
	{"seed Scan", `{"verb":"Scan","TableName":"orders","Limit":5}`, func(t *testing.T, in any) {
		s := in.(*dynamodb.ScanInput)
		if aws.ToString(s.TableName) != "orders" || aws.ToInt32(s.Limit) != 5 {
			t.Errorf("got %+v", s)
		}
	}},
	{"Query", `{"verb":"Query","TableName":"orders","IndexName":"by_status",
		"KeyConditionExpression":"#s = :s AND created BETWEEN :a AND :b",
		"FilterExpression":"attribute_exists(total)",
		"ExpressionAttributeNames":{"#s":"status"},
		"ExpressionAttributeValues":{":s":{"S":"open"},":a":{"N":"1"},":b":{"N":"2.5e3"}},
		"ScanIndexForward":false,"ConsistentRead":false,"Select":"ALL_ATTRIBUTES","ReturnConsumedCapacity":"TOTAL",
		"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"3"}}}`, func(t *testing.T, in any) {
		q := in.(*dynamodb.QueryInput)
		if q.ExpressionAttributeValues[":b"].(*types.AttributeValueMemberN).Value != "2.5e3" ||
			aws.ToBool(q.ScanIndexForward) || q.Select != types.SelectAllAttributes ||
			q.ExclusiveStartKey["sk"].(*types.AttributeValueMemberN).Value != "3" {
			t.Errorf("got %+v", q)
		}
	}},
	{"GetItem", `{"verb":"GetItem","TableName":"orders","Key":{"pk":{"S":"a"}},"ProjectionExpression":"pk, total","ConsistentRead":true}`,
		func(t *testing.T, in any) {
			g := in.(*dynamodb.GetItemInput)
			if g.Key["pk"].(*types.AttributeValueMemberS).Value != "a" || !aws.ToBool(g.ConsistentRead) {
				t.Errorf("got %+v", g)
			}
		}},
	{"BatchGetItem", `{"verb":"BatchGetItem","RequestItems":{"orders":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"ProjectionExpression":"pk"},
		"users":{"Keys":[{"id":{"N":"1"}}]}}}`, func(t *testing.T, in any) {
		b := in.(*dynamodb.BatchGetItemInput)
		if len(b.RequestItems["orders"].Keys) != 2 || len(b.RequestItems["users"].Keys) != 1 {
			t.Errorf("got %+v", b)
		}
	}},
	{"PutItem every kind", `{"verb":"PutItem","TableName":"orders","Item":{"pk":{"S":"a"},"n":{"N":"-1.5"},"b":{"B":"AAE="},
		"ok":{"BOOL":true},"z":{"NULL":true},"m":{"M":{"x":{"L":[{"S":"y"},{"N":"2"}]}}},"ss":{"SS":["a","b"]},"ns":{"NS":["1"]},"bs":{"BS":["AQ=="]}},
		"ConditionExpression":"attribute_not_exists(pk)","ReturnValues":"NONE"}`, func(t *testing.T, in any) {
		p := in.(*dynamodb.PutItemInput)
		if b := p.Item["b"].(*types.AttributeValueMemberB).Value; len(b) != 2 || b[1] != 1 {
			t.Errorf("B = %v", b)
		}
		l := p.Item["m"].(*types.AttributeValueMemberM).Value["x"].(*types.AttributeValueMemberL).Value
		if l[1].(*types.AttributeValueMemberN).Value != "2" {
			t.Errorf("nested list = %v", l)
		}
	}},
	{"UpdateItem", `{"verb":"UpdateItem","TableName":"orders","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET total = total + :d REMOVE note",
		"ExpressionAttributeValues":{":d":{"N":"1"}},"ReturnValues":"UPDATED_NEW"}`, func(t *testing.T, in any) {
		if in.(*dynamodb.UpdateItemInput).ReturnValues != types.ReturnValueUpdatedNew {
			t.Errorf("got %+v", in)
		}
	}},
	{"DeleteItem", `{"verb":"DeleteItem","TableName":"orders","Key":{"pk":{"S":"a"}},"ReturnValues":"ALL_OLD"}`, nil},
	{"BatchWriteItem", `{"verb":"BatchWriteItem","RequestItems":{"orders":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]}}`,
		func(t *testing.T, in any) {
			w := in.(*dynamodb.BatchWriteItemInput).RequestItems["orders"]
			if len(w) != 2 || w[0].PutRequest == nil || w[1].DeleteRequest == nil {
				t.Errorf("got %+v", w)
			}
		}},
	{"ExecuteStatement", `{"verb":"ExecuteStatement","Statement":"SELECT * FROM events WHERE id = ?","Parameters":[{"S":"e1"}],"Limit":10}`,
		func(t *testing.T, in any) {
			e := in.(*dynamodb.ExecuteStatementInput)
			if len(e.Parameters) != 1 || aws.ToInt32(e.Limit) != 10 {
				t.Errorf("got %+v", e)
			}
		}},
	{"BatchExecuteStatement", `{"verb":"BatchExecuteStatement","Statements":[{"Statement":"SELECT * FROM \"t1\" WHERE pk = ?","Parameters":[{"S":"a"}]},
		{"Statement":"SELECT * FROM t2 WHERE pk = 'b'","ConsistentRead":true}]}`, nil},
	{"ExecuteTransaction", `{"verb":"ExecuteTransaction","TransactStatements":[{"Statement":"EXISTS(SELECT * FROM \"t\" WHERE pk = 'a')"},
		{"Statement":"INSERT INTO \"t\" VALUE {'pk': ?}","Parameters":[{"S":"b"}]}],"ClientRequestToken":"tok-1"}`, nil},
	{"TransactGetItems", `{"verb":"TransactGetItems","TransactItems":[{"Get":{"TableName":"orders","Key":{"pk":{"S":"a"}}}}]}`, nil},
	{"TransactWriteItems", `{"verb":"TransactWriteItems","TransactItems":[
		{"Put":{"TableName":"orders","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)"}},
		{"Update":{"TableName":"orders","Key":{"pk":{"S":"b"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"N":"1"}}}},
		{"Delete":{"TableName":"orders","Key":{"pk":{"S":"c"}}}},
		{"ConditionCheck":{"TableName":"users","Key":{"id":{"N":"1"}},"ConditionExpression":"attribute_exists(id)"}}]}`, nil},
	{"DescribeTable", `{"verb":"DescribeTable","TableName":"orders"}`, nil},
	{"ListTables", `{"verb":"ListTables","Limit":10,"ExclusiveStartTableName":"a"}`, nil},
	{"CreateTable", `{"verb":"CreateTable","TableName":"new_t","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","Tags":[{"Key":"team","Value":"x"}]}`,
		func(t *testing.T, in any) {
			c := in.(*dynamodb.CreateTableInput)
			if c.KeySchema[0].KeyType != types.KeyTypeHash || c.BillingMode != types.BillingModePayPerRequest {
				t.Errorf("got %+v", c)
			}
		}},
	{"DeleteTable", `{"verb":"DeleteTable","TableName":"old_t"}`, nil},
	{"UpdateTable", `{"verb":"UpdateTable","TableName":"orders","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}`,
		func(t *testing.T, in any) {
			if aws.ToInt64(in.(*dynamodb.UpdateTableInput).ProvisionedThroughput.ReadCapacityUnits) != 5 {
				t.Errorf("got %+v", in)
			}
		}},
}

func TestParseVerbEveryVerb(t *testing.T) {
	seen := map[Verb]bool{}
	for _, c := range verbExamples {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseVerb(c.json)
			if err != nil {
				t.Fatalf("ParseVerb: %v", err)
			}
			seen[req.Verb] = true
			if c.check != nil {
				c.check(t, req.Input)
			}
		})
	}
	for v := Query; v < numVerbs; v++ {
		if !seen[v] {
			t.Errorf("no decoding example for %s", v)
		}
	}
}

func TestParseVerbErrors(t *testing.T) {
	cases := []struct {
		name, json, code, mention string
	}{
		{"unknown verb", `{"verb":"DropEverything","TableName":"t"}`, pgerr.SyntaxError, "DropEverything"},
		{"verb wrong case", `{"verb":"scan","TableName":"t"}`, pgerr.SyntaxError, "scan"},
		{"no verb", `{"TableName":"t"}`, pgerr.SyntaxError, "verb"},
		{"verb not a string", `{"verb":1}`, pgerr.InvalidParameterValue, "verb"},
		{"unknown top-level key", `{"verb":"Scan","TableName":"t","Limt":5}`, pgerr.SyntaxError, "Limt"},
		{"key in wrong case", `{"verb":"Scan","tablename":"t"}`, pgerr.SyntaxError, "tablename"},
		{"misspelt nested key", `{"verb":"TransactWriteItems","TransactItems":[{"Update":{"TableName":"t","Key":{"pk":{"S":"a"}},"KeyConditonExpression":"x"}}]}`,
			pgerr.SyntaxError, "KeyConditonExpression"},
		{"misspelt key in map value", `{"verb":"BatchGetItem","RequestItems":{"t":{"Keyz":[]}}}`, pgerr.SyntaxError, "Keyz"},
		{"Query misspelt", `{"verb":"Query","TableName":"t","KeyConditonExpression":"pk = :p"}`, pgerr.SyntaxError, "KeyConditonExpression"},
		{"attribute value bare string", `{"verb":"GetItem","TableName":"t","Key":{"pk":"a"}}`, pgerr.InvalidParameterValue, `Key["pk"]`},
		{"attribute value two members", `{"verb":"GetItem","TableName":"t","Key":{"pk":{"S":"a","N":"1"}}}`, pgerr.InvalidParameterValue, `Key["pk"]`},
		{"attribute value unknown kind", `{"verb":"GetItem","TableName":"t","Key":{"pk":{"X":"a"}}}`, pgerr.SyntaxError, `"X"`},
		{"N not a string", `{"verb":"GetItem","TableName":"t","Key":{"pk":{"N":1}}}`, pgerr.InvalidParameterValue, `Key["pk"].N`},
		{"N not a number", `{"verb":"GetItem","TableName":"t","Key":{"pk":{"N":"abc"}}}`, pgerr.InvalidTextRepresentation, "abc"},
		{"B not base64", `{"verb":"GetItem","TableName":"t","Key":{"pk":{"B":"@@"}}}`, pgerr.InvalidParameterValue, `.B`},
		{"null attribute value", `{"verb":"PutItem","TableName":"t","Item":{"a":null}}`, pgerr.InvalidParameterValue, `Item["a"]`},
		{"NULL false", `{"verb":"PutItem","TableName":"t","Item":{"pk":{"NULL":false}}}`, pgerr.InvalidParameterValue, "NULL"},
		{"Limit a string", `{"verb":"Scan","TableName":"t","Limit":"5"}`, pgerr.InvalidParameterValue, "Limit"},
		{"Limit fractional", `{"verb":"Scan","TableName":"t","Limit":5.5}`, pgerr.InvalidParameterValue, "Limit"},
		{"Limit overflows int32", `{"verb":"Scan","TableName":"t","Limit":99999999999}`, pgerr.InvalidParameterValue, "Limit"},
		{"bool as string", `{"verb":"Scan","TableName":"t","ConsistentRead":"true"}`, pgerr.InvalidParameterValue, "ConsistentRead"},
		{"bad enum", `{"verb":"Scan","TableName":"t","Select":"EVERYTHING"}`, pgerr.InvalidParameterValue, "EVERYTHING"},
		{"duplicate key", `{"verb":"Scan","TableName":"a","TableName":"b"}`, pgerr.SyntaxError, "TableName"},
		{"trailing text", `{"verb":"Scan","TableName":"t"} {}`, pgerr.SyntaxError, "after"},
		{"text after the terminator", `{"verb":"Scan","TableName":"t"}; DELETE FROM t`, pgerr.SyntaxError, "after"},
		{"two terminators", `{"verb":"Scan","TableName":"t"};;`, pgerr.SyntaxError, "after"},
		{"not an object", `["Scan"]`, pgerr.InvalidParameterValue, "object"},
		{"malformed", `{"verb":"Scan",`, pgerr.SyntaxError, "JSON"},
		{"missing table, no default", `{"verb":"Scan"}`, pgerr.SyntaxError, "TableName"},
		{"empty batch", `{"verb":"BatchGetItem"}`, pgerr.SyntaxError, "names no table"},
		{"transact item without table", `{"verb":"TransactGetItems","TransactItems":[{"Get":{"Key":{}}}]}`, pgerr.SyntaxError, "TableName"},
		{"table ARN", `{"verb":"Scan","TableName":"arn:aws:dynamodb:us-east-1:1:table/secret"}`, pgerr.FeatureNotSupported, "ARN"},
		{"table ARN in RequestItems", `{"verb":"BatchGetItem","RequestItems":{"arn:aws:dynamodb:us-east-1:1:table/s":{"Keys":[]}}}`,
			pgerr.FeatureNotSupported, "ARN"},
		{"unclassifiable PartiQL", `{"verb":"ExecuteStatement","Statement":"GRANT ALL ON t"}`, pgerr.SyntaxError, "classify"},
		{"EXISTS outside a transaction", `{"verb":"ExecuteStatement","Statement":"EXISTS(SELECT * FROM t)"}`, pgerr.SyntaxError, "classify"},
		{"unreadable condition", `{"verb":"PutItem","TableName":"t","Item":{},"ConditionExpression":"pk ~ 1"}`, pgerr.SyntaxError, "condition"},
		{"escaping parentheses", `{"verb":"PutItem","TableName":"t","Item":{},"ConditionExpression":"a = :x) OR (b = :y"}`, pgerr.SyntaxError, "unbalanced"},
		{"unclosed parenthesis", `{"verb":"PutItem","TableName":"t","Item":{},"ConditionExpression":"(a = :x"}`, pgerr.SyntaxError, "unclosed"},
		{"undefined #name", `{"verb":"PutItem","TableName":"t","Item":{},"ConditionExpression":"attribute_not_exists(#k)"}`, pgerr.SyntaxError, "#k"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseVerb(c.json)
			if err == nil {
				t.Fatal("ParseVerb accepted it")
			}
			if got := pgerr.CodeOf(err); got != c.code {
				t.Errorf("code = %s, want %s (%v)", got, c.code, err)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("error %q does not mention %q", err, c.mention)
			}
		})
	}
}

// TestParseVerbAcceptsTerminator: psql and other SQL clients send the
// statement terminator with the statement.
func TestParseVerbAcceptsTerminator(t *testing.T) {
	for _, text := range []string{
		`{"verb":"Scan","TableName":"t"};`,
		"{\"verb\":\"Scan\",\"TableName\":\"t\"} ;\n",
		"  {\"verb\":\"Scan\",\"TableName\":\"t\"}\n\t",
	} {
		if _, err := ParseVerb(text); err != nil {
			t.Errorf("ParseVerb(%q): %v", text, err)
		}
	}
}

func TestParseVerbDefaultTable(t *testing.T) {
	cases := []struct {
		json, want string
	}{
		{`{"verb":"Scan","Limit":5}`, "dflt"},
		{`{"verb":"Scan","TableName":"given"}`, "given"},
		{`{"verb":"DescribeTable"}`, "dflt"},
	}
	for _, c := range cases {
		req, err := ParseVerb(c.json, Options{DefaultTable: "dflt"})
		if err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
		needs := req.Needs()
		if len(needs) != 1 || needs[0].Table != c.want {
			t.Errorf("%s: needs %v, want table %s", c.json, needs, c.want)
		}
	}
	// A new table's name must be written out, never defaulted.
	if _, err := ParseVerb(`{"verb":"CreateTable"}`, Options{DefaultTable: "dflt"}); pgerr.CodeOf(err) != pgerr.SyntaxError {
		t.Errorf("CreateTable without TableName: err = %v, want 42601", err)
	}
}

func TestAttributeValueRoundTrip(t *testing.T) {
	cases := []string{
		`{"S":"it's \"quoted\" #name :v $1 ' OR 1=1 --"}`,
		`{"N":"-12.5E3"}`,
		`{"B":"AAEC"}`,
		`{"BOOL":false}`,
		`{"NULL":true}`,
		`{"M":{"a":{"L":[{"S":"x"},{"NS":["1","2"]}]},"b":{"SS":["p","q"]}}}`,
		`{"BS":["AQ==","Ag=="]}`,
		`{"L":[]}`,
		`{"M":{}}`,
	}
	for _, c := range cases {
		av, err := DecodeAttributeValue([]byte(c))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		out, err := EncodeAttributeValue(av)
		if err != nil {
			t.Fatalf("%s: encode: %v", c, err)
		}
		if string(out) != c {
			t.Errorf("round trip %s → %s", c, out)
		}
	}
}
