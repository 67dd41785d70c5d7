package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// ClientConfig is what building one database's client needs (faz.yaml's
// databases[] entry, already validated).
type ClientConfig struct {
	Region          string // extra.region (default us-east-1)
	EndpointURL     string // extra.endpoint_url; empty = AWS's regional endpoint
	AccessKeyID     string // username; empty = the SDK default credential chain
	SecretAccessKey string // password
	Profile         string // extra.profile (shared config profile), optional
	// MaxConns sizes the HTTP pool (idle and per-host connections) for the
	// proxy's concurrency; 0 = 256.
	MaxConns int
}

// NewClient builds one database's SDK client: credential chain or static
// keys, endpoint override, an HTTP pool sized for a proxy, and the standard
// retryer without a client-side retry quota.
func NewClient(ctx context.Context, cfg ClientConfig) (*dynamodb.Client, error) {
	return nil, fmt.Errorf("dynamo.NewClient: not implemented yet (contract stub)")
}

// MapError converts an SDK or service error from operation op on table (may
// be "") into a *pgerr.Error with the SQLSTATE of DESIGN.md and the seed's
// troubleshooting advice as hint, keeping err in the chain. nil stays nil;
// context cancellation and deadline errors are returned unchanged so the
// session can report 57014.
func MapError(err error, op, table string) error {
	return err // CONTRACT STUB
}
