package native

import "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

func sValue(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
