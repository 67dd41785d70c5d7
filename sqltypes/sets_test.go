package sqltypes

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestSetsReadSorted(t *testing.T) {
	cases := []struct {
		name string
		av   types.AttributeValue
		want string // text output of the SQL array
		json string // text output inside _item
	}{
		{"SS bytewise", &types.AttributeValueMemberSS{Value: []string{"pear", "Apple", "apple"}},
			`{Apple,apple,pear}`, `{"s": ["Apple", "apple", "pear"]}`},
		{"NS by value, not text", &types.AttributeValueMemberNS{Value: []string{"10", "9", "-1.5", "100"}},
			`{-1.5,9,10,100}`, `{"s": [-1.5, 9, 10, 100]}`},
		{"BS bytewise", &types.AttributeValueMemberBS{Value: [][]byte{{0x02}, {0x01, 0xff}, {0x01}}},
			`{"\\x01","\\x01ff","\\x02"}`, `{"s": ["AQ==", "Af8=", "Ag=="]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := FromAttribute(tc.av, 0)
			if err != nil {
				t.Fatal(err)
			}
			arr := v.(Array)
			at, _ := ArrayType(arr.Elem)
			got, err := EncodeText(v, at)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("array = %s, want %s", got, tc.want)
			}
			j, err := EncodeText(ItemToJSON(map[string]types.AttributeValue{"s": tc.av}), Jsonb)
			if err != nil {
				t.Fatal(err)
			}
			if string(j) != tc.json {
				t.Errorf("_item = %s, want %s", j, tc.json)
			}
		})
	}
}

func TestNestedNumbersAreCanonical(t *testing.T) {
	// DynamoDB Local returns a nested number as it was written; the service
	// itself trims it. Either way jsonb must hold a valid, canonical number.
	item := map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"n": &types.AttributeValueMemberN{Value: "070.30"},
	}}}
	got, err := EncodeText(ItemToJSON(item), Jsonb)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"m": {"n": 70.30}}` && string(got) != `{"m": {"n": 70.3}}` {
		t.Errorf("_item = %s, want the number without its leading zero", got)
	}
}
