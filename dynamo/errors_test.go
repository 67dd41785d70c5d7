package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/fazproxy/fazproxy/pgerr"
)

// sdkWrap wraps a service error the way the SDK returns it after its
// retries: an OperationError around a MaxAttemptsError around the cause.
func sdkWrap(op string, err error) error {
	return &smithy.OperationError{
		ServiceID:     "DynamoDB",
		OperationName: op,
		Err:           &retry.MaxAttemptsError{Attempt: 5, Err: err},
	}
}

func generic(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

func TestMapError(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		op       string
		table    string
		code     string
		message  string // substring of the *pgerr.Error's own message
		hint     string // substring of the hint
		detail   string // substring of the detail
		wantSame bool   // err must come back unchanged
	}{
		{name: "provisioned throughput", err: &types.ProvisionedThroughputExceededException{Message: aws.String("rate")},
			op: "Query", table: "orders", code: pgerr.ConfigurationLimitExceeded, message: `DynamoDB Query on "orders" throttled`, hint: "after retries"},
		{name: "throttling exception", err: &types.ThrottlingException{Message: aws.String("slow down")},
			op: "Scan", table: "orders", code: pgerr.ConfigurationLimitExceeded, hint: "on-demand"},
		{name: "request limit exceeded", err: &types.RequestLimitExceeded{Message: aws.String("account limit")},
			op: "PutItem", table: "orders", code: pgerr.ConfigurationLimitExceeded},
		{name: "resource not found", err: &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")},
			op: "Query", table: "ordrs", code: pgerr.UndefinedTable, message: `relation "ordrs" does not exist`, hint: "extra.region"},
		{name: "resource not found without table", err: &types.ResourceNotFoundException{},
			op: "DescribeTable", code: pgerr.UndefinedTable, hint: "table name"},
		{name: "conditional check on put is a duplicate key", err: &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")},
			op: "PutItem", table: "orders", code: pgerr.UniqueViolation, message: `duplicate key value violates unique constraint "orders_pkey"`},
		{name: "conditional check on update", err: &types.ConditionalCheckFailedException{},
			op: "UpdateItem", table: "orders", code: pgerr.UniqueViolation, message: "conditional check failed"},
		{name: "partiql insert of an existing item", err: &types.DuplicateItemException{Message: aws.String("Duplicate primary key exists in table")},
			op: "ExecuteStatement", table: "orders", code: pgerr.UniqueViolation, message: "duplicate key value", hint: "ON CONFLICT"},
		{name: "partiql update of a missing item", err: &types.ConditionalCheckFailedException{},
			op: "ExecuteStatement", table: "orders", code: pgerr.UniqueViolation, message: "conditional check failed"},
		{name: "transaction canceled keeps reasons", err: &types.TransactionCanceledException{
			Message: aws.String("Transaction cancelled"),
			CancellationReasons: []types.CancellationReason{
				{Code: aws.String("None")},
				{Code: aws.String("ConditionalCheckFailed"), Message: aws.String("The conditional request failed")},
			}},
			op: "TransactWriteItems", code: pgerr.SerializationFailure,
			detail: "[0] None, [1] ConditionalCheckFailed (The conditional request failed)"},
		{name: "transaction conflict", err: &types.TransactionConflictException{},
			op: "UpdateItem", table: "t", code: pgerr.SerializationFailure},
		{name: "validation", err: generic("ValidationException", "One or more parameter values were invalid: Missing the key id in the item"),
			op: "PutItem", table: "t", code: pgerr.InvalidParameterValue},
		{name: "validation syntax", err: generic("ValidationException", `Invalid FilterExpression: Syntax error; token: "=", near: "= ="`),
			op: "Scan", table: "t", code: pgerr.SyntaxError},
		{name: "partiql syntax", err: generic("ValidationException", "Statement wasn't well formed, can't be processed: Expected identifier"),
			op: "ExecuteStatement", code: pgerr.SyntaxError},
		{name: "item too large", err: generic("ValidationException", "Item size has exceeded the maximum allowed size"),
			op: "PutItem", table: "t", code: pgerr.ProgramLimitExceeded, hint: "400 KB"},
		{name: "item collection too large", err: &types.ItemCollectionSizeLimitExceededException{},
			op: "PutItem", table: "t", code: pgerr.ProgramLimitExceeded},
		{name: "missing index", err: generic("ValidationException", "The table does not have the specified index: by_x"),
			op: "Query", table: "t", code: pgerr.UndefinedObject},
		{name: "access denied", err: generic("AccessDeniedException", "User: arn:aws:iam::1:user/x is not authorized to perform: dynamodb:Scan"),
			op: "Scan", table: "orders", code: pgerr.InsufficientPrivilege, message: `permission denied for table "orders"`, hint: "dynamodb:Scan"},
		{name: "unrecognized client", err: generic("UnrecognizedClientException", "The security token included in the request is invalid."),
			op: "ListTables", code: pgerr.InvalidAuthorizationSpec, hint: "typo in the secret key"},
		{name: "invalid signature", err: generic("InvalidSignatureException", "The request signature we calculated does not match"),
			op: "ListTables", code: pgerr.InvalidAuthorizationSpec, hint: "aws dynamodb list-tables"},
		{name: "expired token", err: generic("ExpiredTokenException", "The security token included in the request is expired"),
			op: "GetItem", table: "t", code: pgerr.InvalidAuthorizationSpec, hint: "expired"},
		{name: "missing credentials", err: &v4.SigningError{Err: fmt.Errorf("failed to retrieve credentials: %w", errors.New("no EC2 IMDS role found"))},
			op: "ListTables", code: pgerr.InvalidAuthorizationSpec, hint: "Unable to locate credentials"},
		{name: "no credential providers", err: errors.New("NoCredentialProviders: no valid providers in chain"),
			op: "ListTables", code: pgerr.InvalidAuthorizationSpec, hint: "AWS_ACCESS_KEY_ID"},
		{name: "connection refused", err: &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}},
			op: "Query", table: "t", code: pgerr.ConnectionFailure, hint: "make dynamodb-start"},
		{name: "dns failure", err: &net.DNSError{Err: "no such host", Name: "dynamodb.nowhere.invalid", IsNotFound: true},
			op: "Query", table: "t", code: pgerr.ConnectionFailure, hint: "endpoint_url"},
		{name: "server error after retries", err: generic("InternalServerError", "oops"),
			op: "Query", table: "t", code: pgerr.SystemError},
		{name: "unknown service error", err: generic("BrandNewException", "new"),
			op: "Query", table: "t", code: pgerr.SystemError, message: `DynamoDB Query on "t" failed`},
		{name: "table being created", err: &types.ResourceInUseException{}, op: "DeleteTable", table: "t", code: pgerr.ObjectNotInPrerequisiteState},
		{name: "table exists", err: &types.ResourceInUseException{}, op: "CreateTable", table: "t", code: pgerr.DuplicateTable, message: `relation "t" already exists`},
		{name: "client-side parameter validation", err: smithy.InvalidParamsError{Context: "QueryInput"},
			op: "Query", code: pgerr.InvalidParameterValue},
		{name: "unknown error is a bug", err: errors.New("something else"), op: "Query", code: pgerr.InternalError},
		{name: "canceled unchanged", err: context.Canceled, op: "Query", wantSame: true},
		{name: "deadline unchanged", err: fmt.Errorf("operation error DynamoDB: Query, %w", context.DeadlineExceeded), op: "Query", wantSame: true},
		{name: "already mapped unchanged", err: pgerr.New(pgerr.FeatureNotSupported, "no"), op: "Query", wantSame: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.err
			if !c.wantSame {
				in = sdkWrap(c.op, c.err)
			}
			got := MapError(in, c.op, c.table)
			if c.wantSame {
				if got != in {
					t.Fatalf("MapError changed %v into %v", in, got)
				}
				return
			}
			var pe *pgerr.Error
			if !errors.As(got, &pe) {
				t.Fatalf("MapError(%v) = %T %v, want *pgerr.Error", in, got, got)
			}
			if pe.Code != c.code {
				t.Errorf("code = %s, want %s (%v)", pe.Code, c.code, got)
			}
			// InvalidParamsError is not comparable, so errors.Is cannot see it.
			var ipe smithy.InvalidParamsError
			if !errors.Is(got, c.err) && !errors.As(got, &ipe) {
				t.Errorf("cause %v is not in the chain of %v", c.err, got)
			}
			if !strings.Contains(pe.Message, c.message) {
				t.Errorf("message = %q, want it to contain %q", pe.Message, c.message)
			}
			if !strings.Contains(pe.Hint, c.hint) {
				t.Errorf("hint = %q, want it to contain %q", pe.Hint, c.hint)
			}
			if !strings.Contains(pe.Detail, c.detail) {
				t.Errorf("detail = %q, want it to contain %q", pe.Detail, c.detail)
			}
		})
	}
}

func TestMapErrorKeepsCauseReachable(t *testing.T) {
	cause := &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	got := MapError(sdkWrap("GetItem", cause), "GetItem", "t")
	var rnf *types.ResourceNotFoundException
	if !errors.As(got, &rnf) || rnf != cause {
		t.Fatalf("typed cause not reachable through %v", got)
	}
	var op *smithy.OperationError
	if !errors.As(got, &op) || op.OperationName != "GetItem" {
		t.Fatalf("operation error not reachable through %v", got)
	}
}

func TestMapErrorNil(t *testing.T) {
	if err := MapError(nil, "Query", "t"); err != nil {
		t.Fatalf("MapError(nil) = %v", err)
	}
}

// TestMapErrorConnectionRefused sends a real request to a closed port on
// 127.0.0.1 through NewClient: the SDK's own error shape, not a fake.
func TestMapErrorConnectionRefused(t *testing.T) {
	isolateEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	client, err := NewClient(context.Background(), ClientConfig{
		EndpointURL: "http://" + addr, AccessKeyID: "AKIDTEST", SecretAccessKey: "s3cr3t-never-shown", MaxAttempts: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err == nil {
		t.Fatal("ListTables against a closed port succeeded")
	}
	got := MapError(err, "ListTables", "")
	pe := pgerr.From(got)
	if pe.Code != pgerr.ConnectionFailure {
		t.Fatalf("code = %s, want 08006: %v", pe.Code, got)
	}
	if !strings.Contains(pe.Hint, "make dynamodb-start") {
		t.Errorf("hint = %q", pe.Hint)
	}
	if strings.Contains(pe.Message, "s3cr3t") {
		t.Errorf("secret leaked: %s", pe.Message)
	}
}
