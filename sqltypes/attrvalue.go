package sqltypes

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FromAttribute converts a DynamoDB attribute value to a SQL value of column
// type want (spec/types.md): S→text, N→numeric (exact), B→bytea, BOOL→bool,
// NULL→nil, M/L→jsonb, SS→text[], NS→numeric[], BS→bytea[]. When want is
// jsonb any attribute converts (a scalar becomes a JSON scalar). A missing
// attribute (av == nil) is nil. An attribute whose kind does not fit want is
// converted as PostgreSQL would cast its text (e.g. an N read as text gives
// its digits), or fails with 22P02 naming the attribute.
func FromAttribute(av types.AttributeValue, want OID) (Value, error) {
	return nil, fmt.Errorf("sqltypes.FromAttribute: not implemented yet (contract stub)")
}

// ToAttribute converts a SQL value of type t to the attribute DynamoDB
// stores (spec/types.md "Writing"); nil (SQL NULL) returns (nil, nil): the
// caller removes the attribute.
func ToAttribute(v Value, t OID) (types.AttributeValue, error) {
	return nil, fmt.Errorf("sqltypes.ToAttribute: not implemented yet (contract stub)")
}

// ItemToJSON is the whole item as jsonb (the _item column): M→object,
// L→array, S→string, N→number keeping DynamoDB's exact text, BOOL, NULL→null,
// B→base64 string, SS→array of strings, NS→array of numbers, BS→array of
// base64 strings.
func ItemToJSON(item map[string]types.AttributeValue) JSON {
	return JSON{} // CONTRACT STUB
}
