package native

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/policy"
)

func TestEnforceAppendOnly(t *testing.T) {
	cases := []struct {
		name, json string
		changed    []string
		cond       string
		names      map[string]string
	}{
		{"no condition", `{"verb":"PutItem","TableName":"orders","Item":{"pk":{"S":"a"}}}`,
			[]string{"PutItem"}, "attribute_not_exists(#faz_key)", map[string]string{"#faz_key": "pk"}},
		{"existing condition with #pk and :v", `{"verb":"PutItem","TableName":"orders","Item":{"pk":{"S":"a"}},
			"ConditionExpression":"#pk <> :v OR size(#faz_key) > :v","ExpressionAttributeNames":{"#pk":"sk","#faz_key":"note"},
			"ExpressionAttributeValues":{":v":{"S":"x"}}}`,
			[]string{"PutItem"}, "(#pk <> :v OR size(#faz_key) > :v) AND attribute_not_exists(#faz_key1)",
			map[string]string{"#pk": "sk", "#faz_key": "note", "#faz_key1": "pk"}},
		{"already append-only", `{"verb":"PutItem","TableName":"orders","Item":{},"ConditionExpression":"attribute_not_exists(sk)"}`,
			nil, "attribute_not_exists(sk)", nil},
		{"legacy Expected", `{"verb":"PutItem","TableName":"orders","Item":{},"Expected":{"note":{"Exists":false}}}`,
			[]string{"PutItem"}, "", nil},
		{"not a put", `{"verb":"UpdateItem","TableName":"orders","Key":{},"UpdateExpression":"SET a = :a","ExpressionAttributeValues":{":a":{"N":"1"}}}`,
			nil, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseVerb(c.json, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			changed, err := req.EnforceAppendOnly([]string{"pk", "sk"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(changed, c.changed) {
				t.Errorf("changed = %v, want %v", changed, c.changed)
			}
			put, ok := req.Input.(*dynamodb.PutItemInput)
			if !ok {
				return
			}
			if got := aws.ToString(put.ConditionExpression); got != c.cond {
				t.Errorf("condition = %q, want %q", got, c.cond)
			}
			for k, v := range c.names {
				if put.ExpressionAttributeNames[k] != v {
					t.Errorf("names[%s] = %q, want %q", k, put.ExpressionAttributeNames[k], v)
				}
			}
			if slices.ContainsFunc(req.Needs(), func(n policy.Need) bool { return n.Class == policy.Write }) {
				t.Errorf("after enforcement the put still needs write: %v", req.Needs())
			}
		})
	}
}

// TestEnforceAppendOnlyHostileValues: values that look like expression
// syntax stay values; only the condition and names change.
func TestEnforceAppendOnlyHostileValues(t *testing.T) {
	hostile := []string{`'; DROP TABLE t; --`, `#pk`, `:v`, `$1`, `attribute_not_exists(pk) OR 1 = 1`,
		`" OR "" = "`, `SELECT * FROM "t"`, "\x00\u2028"}
	for _, h := range hostile {
		item := map[string]types.AttributeValue{"pk": sValue(h), h: sValue(h)}
		raw, err := EncodeItem(item)
		if err != nil {
			t.Fatal(err)
		}
		req, err := ParseVerb(`{"verb":"PutItem","TableName":"orders","Item":`+string(raw)+`}`, testOptions())
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		if _, err := req.EnforceAppendOnly([]string{"pk"}); err != nil {
			t.Fatal(err)
		}
		put := req.Input.(*dynamodb.PutItemInput)
		if put.Item["pk"].(*types.AttributeValueMemberS).Value != h || put.Item[h].(*types.AttributeValueMemberS).Value != h {
			t.Errorf("%q: item changed to %v", h, put.Item)
		}
		if c := aws.ToString(put.ConditionExpression); c != "attribute_not_exists(#faz_key)" || strings.Contains(c, h) {
			t.Errorf("%q: condition %q", h, c)
		}
	}
}

func TestEnforceAppendOnlyTransact(t *testing.T) {
	req, err := ParseVerb(`{"verb":"TransactWriteItems","TransactItems":[
		{"Put":{"TableName":"orders","Item":{}}},
		{"Put":{"TableName":"users","Item":{},"ConditionExpression":"attribute_not_exists(id)"}},
		{"Put":{"TableName":"rw_table","Item":{}}},
		{"Delete":{"TableName":"orders","Key":{}}}]}`, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	changed, err := req.EnforceAppendOnlyFunc(keyNames)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []string{"TransactItems[0].Put"}) {
		t.Errorf("changed = %v", changed)
	}
	if got := needsString(req.Needs()); got != "orders:insert,orders:delete,rw_table:write,users:insert" {
		t.Errorf("needs = %s", got)
	}
}

func TestEnforceAppendOnlyRefusesOrExpected(t *testing.T) {
	req, err := ParseVerb(`{"verb":"PutItem","TableName":"orders","Item":{},"ConditionalOperator":"OR",
		"Expected":{"a":{"Exists":false},"b":{"Exists":false}}}`, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.EnforceAppendOnly([]string{"pk"}); err == nil {
		t.Error("an OR of Expected conditions was accepted")
	}
}

// TestEnforceAppendOnlyWithoutKeyNames: the keys given to EnforceAppendOnly
// are the ones Needs uses afterwards, so the guarded put classifies as insert
// even when the request was parsed without Options.KeyNames.
func TestEnforceAppendOnlyWithoutKeyNames(t *testing.T) {
	req, err := ParseVerb(`{"verb":"PutItem","TableName":"events","Item":{"id":{"S":"e1"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := needsString(req.Needs()); got != "events:write" {
		t.Fatalf("before: needs = %s", got)
	}
	if _, err := req.EnforceAppendOnly([]string{"id"}); err != nil {
		t.Fatal(err)
	}
	if got := needsString(req.Needs()); got != "events:insert" {
		t.Errorf("after: needs = %s, want events:insert", got)
	}
}
