package catalog

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
)

// sampleResult is what sampling a table found.
type sampleResult struct {
	types         map[string]uint32 // attribute → SQL type
	capacityUnits float64           // read capacity the Scan pages consumed
}

// sample reads up to n items of table with Scan (following pages, since a
// page stops at 1 MB) and infers each attribute's SQL type.
func sample(ctx context.Context, api dynamo.API, table string, n int) (sampleResult, error) {
	ti := newTypeInference()
	var res sampleResult
	var start map[string]types.AttributeValue
	for read := 0; read < n; {
		out, err := api.Scan(ctx, &dynamodb.ScanInput{
			TableName:              aws.String(table),
			Limit:                  aws.Int32(int32(min(n-read, 1<<30))),
			ExclusiveStartKey:      start,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
		})
		if err != nil {
			return sampleResult{}, describeErr(err, "Scan", table)
		}
		if out.ConsumedCapacity != nil {
			res.capacityUnits += aws.ToFloat64(out.ConsumedCapacity.CapacityUnits)
		}
		for _, item := range out.Items {
			ti.observe(item)
		}
		read += len(out.Items)
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	res.types = ti.result()
	return res, nil
}
