package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Options configure a DynamoDB-backed Source.
type Options struct {
	// SampleSize is how many items are read (Scan, Limit) to infer non-key
	// columns (extra.sample_size; 0 = default 100, <0 = no sampling).
	SampleSize int
	// TTL is how long DescribeTable/ListTables answers are cached (0 = 30s).
	TTL time.Duration
	// Declared are faz.yaml's tables.<t>.columns: table → column → SQL type.
	Declared map[string]map[string]sqltypes.OID
}

// New returns a Source reading api's tables.
func New(api dynamo.API, opts Options) Source {
	return &stubSource{} // CONTRACT STUB: implemented by the catalog owner
}

type stubSource struct{}

func (*stubSource) TableNames(context.Context) ([]string, error) {
	return nil, fmt.Errorf("catalog: not implemented yet (contract stub)")
}
func (*stubSource) Table(context.Context, string) (*Table, error) {
	return nil, fmt.Errorf("catalog: not implemented yet (contract stub)")
}
func (*stubSource) Invalidate(string) {}
