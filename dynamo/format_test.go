package dynamo

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func key(name string, v types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{name: v}
}

// builtQuery is what a planner produces with the SDK's expression builder,
// whose placeholders are #0, :0, ...
func builtQuery(t *testing.T) *dynamodb.QueryInput {
	t.Helper()
	e, err := expression.NewBuilder().
		WithKeyCondition(expression.Key("status").Equal(expression.Value("shipped"))).
		WithFilter(expression.Name("total").GreaterThan(expression.Value(100))).
		WithProjection(expression.NamesList(expression.Name("order_id"), expression.Name("total"))).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	return &dynamodb.QueryInput{
		TableName: aws.String("orders"), IndexName: aws.String("by_status"),
		KeyConditionExpression: e.KeyCondition(), FilterExpression: e.Filter(), ProjectionExpression: e.Projection(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		Limit: aws.Int32(25), ScanIndexForward: aws.Bool(false), Select: types.SelectCount,
	}
}

func TestFormatCall(t *testing.T) {
	cases := []struct {
		name string
		call Call
		want string
	}{
		{"GetItem", Call{Op: "GetItem", Input: &dynamodb.GetItemInput{
			TableName: aws.String("orders"), ConsistentRead: aws.Bool(true),
			Key:                      map[string]types.AttributeValue{"order_id": s("o1"), "customer_id": s("c1")},
			ProjectionExpression:     aws.String("#n0, #n1"),
			ExpressionAttributeNames: map[string]string{"#n0": "status", "#n1": "order date"},
		}}, `GetItem table=orders consistent=true key={customer_id: S "c1", order_id: S "o1"} proj=[status, "order date"]`},

		{"BatchGetItem every key of every table, sorted", Call{Op: "BatchGetItem", Input: &dynamodb.BatchGetItemInput{
			RequestItems: map[string]types.KeysAndAttributes{
				"products": {Keys: []map[string]types.AttributeValue{key("sku", n("1005")), key("sku", n("1001"))}},
				"customers": {
					Keys:                     []map[string]types.AttributeValue{key("customer_id", s("c2")), key("customer_id", s("c1"))},
					ProjectionExpression:     aws.String("#p"),
					ExpressionAttributeNames: map[string]string{"#p": "name"},
				},
			},
		}}, `BatchGetItem table=customers keys=[{customer_id: S "c1"}, {customer_id: S "c2"}] proj=[name]; ` +
			`table=products keys=[{sku: N 1001}, {sku: N 1005}]`},

		{"Query from the expression builder", Call{Op: "Query", Input: builtQuery(t)},
			`Query table=orders index=by_status key=[status = S "shipped"] filter=[total > N 100] proj=[order_id, total] limit=25 forward=false select=COUNT`},

		{"Query with a start key and functions", Call{Op: "Query", Input: &dynamodb.QueryInput{
			TableName:                 aws.String("orders"),
			KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
			FilterExpression:          aws.String("#t BETWEEN :lo AND :hi OR attribute_not_exists(#x) OR #y = :missing"),
			ExpressionAttributeNames:  map[string]string{"#pk": "customer_id", "#sk": "order_id", "#t": "total", "#x": "x"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("c1"), ":prefix": s("2024"), ":lo": n("1"), ":hi": n("10")},
			ExclusiveStartKey:         map[string]types.AttributeValue{"customer_id": s("c1"), "order_id": s("o9")},
		}}, `Query table=orders key=[customer_id = S "c1" AND begins_with(order_id, S "2024")] ` +
			`filter=[total BETWEEN N 1 AND N 10 OR attribute_not_exists(x) OR #y = :missing] start={customer_id: S "c1", order_id: S "o9"}`},

		{"Scan segment", Call{Op: "Scan", Input: &dynamodb.ScanInput{
			TableName: aws.String("events"), Segment: aws.Int32(2), TotalSegments: aws.Int32(8),
			FilterExpression:          aws.String("#k IN (:a, :b)"),
			ExpressionAttributeNames:  map[string]string{"#k": "kind"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("x"), ":b": &types.AttributeValueMemberNULL{Value: true}},
			Limit:                     aws.Int32(100), ConsistentRead: aws.Bool(false),
		}}, `Scan table=events consistent=false segment=2/8 filter=[kind IN (S "x", NULL)] limit=100`},

		{"PutItem with every value type", Call{Op: "PutItem", Input: &dynamodb.PutItemInput{
			TableName: aws.String("t"),
			Item: map[string]types.AttributeValue{
				"id":   s("a\"b"),
				"n":    n("-1.5"),
				"ok":   &types.AttributeValueMemberBOOL{Value: true},
				"bin":  &types.AttributeValueMemberB{Value: []byte{0, 255}},
				"tags": &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
				"nums": &types.AttributeValueMemberNS{Value: []string{"1", "2"}},
				"bs":   &types.AttributeValueMemberBS{Value: [][]byte{{1}}},
				"list": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), n("1")}},
				"map":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"z": n("1"), "a": s("b")}},
			},
			ConditionExpression:      aws.String("attribute_not_exists(#id)"),
			ExpressionAttributeNames: map[string]string{"#id": "id"},
			ReturnValues:             types.ReturnValueAllOld,
		}}, `PutItem table=t item={bin: B 0x00ff, bs: BS [0x01], id: S "a\"b", list: L [S "a", N 1], map: M {a: S "b", z: N 1}, ` +
			`n: N -1.5, nums: NS [1, 2], ok: BOOL true, tags: SS ["x", "y"]} cond=[attribute_not_exists(id)] return=ALL_OLD`},

		{"UpdateItem", Call{Op: "UpdateItem", Input: &dynamodb.UpdateItemInput{
			TableName:                 aws.String("orders"),
			Key:                       map[string]types.AttributeValue{"order_id": s("o1"), "customer_id": s("c1")},
			UpdateExpression:          aws.String("SET #s = :s, #t = #t + :one REMOVE #old"),
			ConditionExpression:       aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames:  map[string]string{"#s": "status", "#t": "total", "#old": "old", "#pk": "customer_id"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("shipped"), ":one": n("1")},
			ReturnValues:              types.ReturnValueAllNew,
		}}, `UpdateItem table=orders key={customer_id: S "c1", order_id: S "o1"} update=[SET status = S "shipped", total = total + N 1 REMOVE old] ` +
			`cond=[attribute_exists(customer_id)] return=ALL_NEW`},

		{"DeleteItem", Call{Op: "DeleteItem", Input: &dynamodb.DeleteItemInput{
			TableName: aws.String("orders"),
			Key:       map[string]types.AttributeValue{"order_id": s("o1"), "customer_id": s("c1")},
		}}, `DeleteItem table=orders key={customer_id: S "c1", order_id: S "o1"}`},

		{"BatchWriteItem", Call{Op: "BatchWriteItem", Input: &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{
				"z": {{DeleteRequest: &types.DeleteRequest{Key: key("id", s("2"))}}},
				"a": {
					{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s("9"), "v": n("1")}}},
					{DeleteRequest: &types.DeleteRequest{Key: key("id", s("1"))}},
				},
			},
		}}, `BatchWriteItem table=a put={id: S "9", v: N 1} delete={id: S "1"}; table=z delete={id: S "2"}`},

		{"TransactWriteItems", Call{Op: "TransactWriteItems", Input: &dynamodb.TransactWriteItemsInput{
			ClientRequestToken: aws.String("random-token"),
			TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("t"), Item: key("id", s("1")),
					ConditionExpression: aws.String("attribute_not_exists(#k)"), ExpressionAttributeNames: map[string]string{"#k": "id"}}},
				{Update: &types.Update{TableName: aws.String("t"), Key: key("id", s("2")), UpdateExpression: aws.String("SET #v = :v"),
					ExpressionAttributeNames: map[string]string{"#v": "v"}, ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("3")}}},
				{Delete: &types.Delete{TableName: aws.String("t"), Key: key("id", s("3"))}},
				{ConditionCheck: &types.ConditionCheck{TableName: aws.String("u"), Key: key("id", s("4")),
					ConditionExpression: aws.String("attribute_exists(id)")}},
			},
		}}, `TransactWriteItems [Put table=t item={id: S "1"} cond=[attribute_not_exists(id)]] [Update table=t key={id: S "2"} update=[SET v = N 3]] ` +
			`[Delete table=t key={id: S "3"}] [ConditionCheck table=u key={id: S "4"} cond=[attribute_exists(id)]]`},

		{"TransactGetItems", Call{Op: "TransactGetItems", Input: &dynamodb.TransactGetItemsInput{
			TransactItems: []types.TransactGetItem{{Get: &types.Get{TableName: aws.String("t"), Key: key("id", s("1"))}}},
		}}, `TransactGetItems [Get table=t key={id: S "1"}]`},

		{"ExecuteStatement", Call{Op: "ExecuteStatement", Input: &dynamodb.ExecuteStatementInput{
			Statement:      aws.String(`SELECT * FROM "orders" WHERE "customer_id" = ?`),
			Parameters:     []types.AttributeValue{s("c1")},
			ConsistentRead: aws.Bool(true), Limit: aws.Int32(10),
		}}, `ExecuteStatement stmt="SELECT * FROM \"orders\" WHERE \"customer_id\" = ?" params=[S "c1"] consistent=true limit=10`},

		{"ExecuteTransaction", Call{Op: "ExecuteTransaction", Input: &dynamodb.ExecuteTransactionInput{
			TransactStatements: []types.ParameterizedStatement{{Statement: aws.String(`DELETE FROM "t" WHERE id = ?`), Parameters: []types.AttributeValue{n("1")}}},
		}}, `ExecuteTransaction [stmt="DELETE FROM \"t\" WHERE id = ?" params=[N 1]]`},

		{"ListTables", Call{Op: "ListTables", Input: &dynamodb.ListTablesInput{ExclusiveStartTableName: aws.String("m")}}, `ListTables start=m`},
		{"DescribeTable", Call{Op: "DescribeTable", Input: &dynamodb.DescribeTableInput{TableName: aws.String("orders")}}, `DescribeTable table=orders`},

		{"CreateTable", Call{Op: "CreateTable", Input: &dynamodb.CreateTableInput{
			TableName: aws.String("orders"), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{
				{AttributeName: aws.String("customer_id"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("status"), AttributeType: types.ScalarAttributeTypeS},
			},
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("customer_id"), KeyType: types.KeyTypeHash}},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
				IndexName:  aws.String("by_status"),
				KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: types.KeyTypeHash}},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"total", "id"}},
			}},
		}}, `CreateTable table=orders key=[customer_id HASH S] billing=PAY_PER_REQUEST gsi=by_status[status HASH S]/INCLUDE(id,total)`},

		{"UpdateTimeToLive", Call{Op: "UpdateTimeToLive", Input: &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("s"),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}},
			`UpdateTimeToLive table=s ttl=expires enabled=true`},

		{"nil input", Call{Op: "Query"}, `Query <nil>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := FormatCall(c.call)
			if got != c.want {
				t.Errorf("FormatCall:\n got  %s\n want %s", got, c.want)
			}
			// Stable: maps iterate in random order, the line must not.
			for range 20 {
				if again := FormatCall(c.call); again != got {
					t.Fatalf("unstable:\n %s\n %s", got, again)
				}
			}
		})
	}
}
