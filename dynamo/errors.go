package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Hints: the seed's troubleshooting advice, in the words users already know.
const (
	hintNoCredentials = "Unable to locate credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
		"attach an IAM role to the host (EC2 instance profile, ECS task role, EKS service account, Lambda role), " +
		"or set username/password for this database in faz.yaml (development only)."
	hintBadCredentials = "The credentials are well formed but were rejected by AWS (a typo in the secret key?). " +
		"Test them with `aws dynamodb list-tables` from the same shell."
	hintExpiredCredentials = "The temporary credentials have expired: refresh them (e.g. `aws sso login`) or let the host's IAM role rotate them."
	hintAccessDenied       = "The IAM principal lacks the action on the table. Check its IAM policies: reads need at least " +
		"dynamodb:DescribeTable, dynamodb:Query, dynamodb:Scan and dynamodb:GetItem; this request needed dynamodb:%s."
	hintNoTable = "The table does not exist in this region: check the table name and extra.region " +
		"(and extra.endpoint_url when using DynamoDB Local)."
	hintUnreachable = "Is DynamoDB Local running? Start it with `make dynamodb-start` " +
		"(or docker run -p 8000:8000 amazon/dynamodb-local), or check extra.endpoint_url."
	hintNotDynamo = "The endpoint answered, but not like DynamoDB: check that extra.endpoint_url points at DynamoDB."
	hintThrottled = "DynamoDB kept throttling the request after retries. Retry later, raise the table's capacity " +
		"(or switch it to on-demand), or make the statement read less (a key condition instead of a Scan, a LIMIT)."
	hintTxCanceled = "A condition failed or another request changed one of the items; the reasons are in DETAIL. " +
		"Retry the transaction."
	hintDuplicate   = "A row with this primary key already exists: use UPDATE, or INSERT ... ON CONFLICT."
	hintTooLarge    = "A DynamoDB item is at most 400 KB and an item collection (one partition key with an LSI) at most 10 GB."
	hintServerError = "DynamoDB failed on its side even after retries; retry the statement."
	hintTableBusy   = "The table is being created, updated or deleted: wait until DescribeTable reports ACTIVE."
)

// MapError converts an SDK or service error from operation op on table (may
// be "") into a *pgerr.Error with the SQLSTATE of DESIGN.md and the seed's
// troubleshooting advice as hint, keeping err in the chain. nil stays nil;
// context cancellation and deadline errors are returned unchanged so the
// session can report 57014; an error that already carries a SQLSTATE is
// returned unchanged too, so mapping twice is harmless.
//
// The SDK has already retried what it retries (throttling, 5xx, dropped
// connections) by the time an error gets here, so every code is final.
func MapError(err error, op, table string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return err
	}
	// Credentials first: a failing provider (SSO, web identity) may itself
	// carry an STS API error that is not DynamoDB's.
	if isMissingCredentials(err) {
		return pgerr.Wrap(err, pgerr.InvalidAuthorizationSpec, "no AWS credentials for %s", target(op, table)).
			WithHint("%s", hintNoCredentials)
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return mapAPIError(err, apiErr, op, table)
	}
	var invalid smithy.InvalidParamsError
	if errors.As(err, &invalid) {
		return pgerr.Wrap(err, pgerr.InvalidParameterValue, "invalid %s request", target(op, table))
	}
	var notDynamo *smithy.DeserializationError
	if errors.As(err, &notDynamo) {
		return pgerr.Wrap(err, pgerr.ConnectionFailure, "unreadable answer to %s", target(op, table)).
			WithHint("%s", hintNotDynamo)
	}
	if isConnectionError(err) {
		return pgerr.Wrap(err, pgerr.ConnectionFailure, "could not connect to DynamoDB for %s", request(op, table)).
			WithHint("%s", hintUnreachable)
	}
	return pgerr.Wrap(err, pgerr.InternalError, "%s failed", target(op, table))
}

// target names the request in messages: `DynamoDB Query on "orders"`.
func target(op, table string) string { return "DynamoDB " + request(op, table) }

// request is target without the service name: `Query on "orders"`. Names
// are quoted but not escaped, as PostgreSQL prints them.
func request(op, table string) string {
	if table == "" {
		return op
	}
	return fmt.Sprintf("%s on \"%s\"", op, table)
}

// mapAPIError maps an error DynamoDB (or the AWS front end before it)
// answered with, by its error code, so typed (types.*) and untyped
// (smithy.GenericAPIError) errors map alike.
func mapAPIError(err error, apiErr smithy.APIError, op, table string) error {
	switch code := apiErr.ErrorCode(); code {
	case "ProvisionedThroughputExceededException", "ThrottlingException", "ThrottledException", "Throttling",
		"RequestLimitExceeded", "LimitExceededException", "TooManyRequestsException":
		return pgerr.Wrap(err, pgerr.ConfigurationLimitExceeded, "%s throttled", target(op, table)).
			WithHint("%s", hintThrottled)
	case "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature",
		"IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
		"InvalidClientTokenId":
		return pgerr.Wrap(err, pgerr.InvalidAuthorizationSpec, "AWS rejected the credentials for %s", target(op, table)).
			WithHint("%s", hintBadCredentials)
	case "ExpiredTokenException", "ExpiredToken":
		return pgerr.Wrap(err, pgerr.InvalidAuthorizationSpec, "expired AWS credentials for %s", target(op, table)).
			WithHint("%s", hintExpiredCredentials)
	case "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException":
		return pgerr.Wrap(err, pgerr.SystemError, "%s failed on DynamoDB's side", target(op, table)).
			WithHint("%s", hintServerError)
	case "TransactionConflictException", "TransactionInProgressException", "ReplicatedWriteConflictException":
		return pgerr.Wrap(err, pgerr.SerializationFailure, "%s conflicted with a concurrent transaction", target(op, table)).
			WithHint("Retry the statement.")
	case "ResourceNotFoundException", "TableNotFoundException":
		return undefinedTable(err, op, table)
	case "AccessDeniedException":
		return accessDenied(err, op, table)
	case "ConditionalCheckFailedException", "DuplicateItemException":
		return conditionFailed(err, code, op, table)
	case "TransactionCanceledException":
		return transactionCanceled(err, op, table)
	case "ValidationException":
		return validation(err, apiErr.ErrorMessage(), op, table)
	case "ItemCollectionSizeLimitExceededException":
		return pgerr.Wrap(err, pgerr.ProgramLimitExceeded, "%s: item collection too large", target(op, table)).
			WithHint("%s", hintTooLarge)
	case "ResourceInUseException", "TableAlreadyExistsException", "TableInUseException":
		return resourceInUse(err, op, table)
	case "IndexNotFoundException":
		return pgerr.Wrap(err, pgerr.UndefinedObject, "index not found for %s", target(op, table))
	}
	return pgerr.Wrap(err, pgerr.SystemError, "%s failed", target(op, table))
}

func undefinedTable(err error, op, table string) error {
	if table == "" {
		return pgerr.Wrap(err, pgerr.UndefinedTable, "table of DynamoDB %s does not exist", op).
			WithHint("%s", hintNoTable)
	}
	return pgerr.Wrap(err, pgerr.UndefinedTable, "relation \"%s\" does not exist", table).
		WithHint("%s", hintNoTable)
}

func accessDenied(err error, op, table string) error {
	what := "DynamoDB " + op
	if table != "" {
		what = fmt.Sprintf("table \"%s\" (DynamoDB %s)", table, op)
	}
	return pgerr.Wrap(err, pgerr.InsufficientPrivilege, "permission denied for %s", what).
		WithHint(hintAccessDenied, op)
}

// conditionFailed is 23505 because fazproxy's conditions guard keys: an
// INSERT's attribute_not_exists (or a PartiQL INSERT's DuplicateItem) fails
// on a duplicate key. UPDATE and DELETE callers that condition on the item
// existing treat this code as zero rows.
func conditionFailed(err error, code, op, table string) error {
	if op == "PutItem" || code == "DuplicateItemException" {
		return pgerr.Wrap(err, pgerr.UniqueViolation, "duplicate key value violates unique constraint \"%s\"", table+"_pkey").
			WithHint("%s", hintDuplicate)
	}
	return pgerr.Wrap(err, pgerr.UniqueViolation, "conditional check failed for %s", target(op, table))
}

// transactionCanceled keeps DynamoDB's per-item reasons in DETAIL, the only
// place that says which item failed and why.
func transactionCanceled(err error, op, table string) error {
	e := pgerr.Wrap(err, pgerr.SerializationFailure, "%s canceled", target(op, table)).
		WithHint("%s", hintTxCanceled)
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) && len(tc.CancellationReasons) > 0 {
		e = e.WithDetail("cancellation reasons: %s", formatReasons(tc.CancellationReasons))
	}
	return e
}

// formatReasons lists one reason per request item, in request order; item
// values are left out (they may be anything the table holds).
func formatReasons(reasons []types.CancellationReason) string {
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		s := fmt.Sprintf("[%d] %s", i, deref(r.Code, "None"))
		if r.Message != nil && *r.Message != "" {
			s += " (" + *r.Message + ")"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

func deref(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}

// validation splits DynamoDB's catch-all ValidationException by what its
// message says: a malformed expression or PartiQL statement is a syntax
// error, an oversized item a program limit, anything else a bad value.
func validation(err error, msg, op, table string) error {
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "syntax error"), strings.Contains(lower, "wasn't well formed"),
		strings.Contains(lower, "reserved keyword"), strings.Contains(lower, "invalid keyconditionexpression"),
		strings.Contains(lower, "invalid filterexpression"), strings.Contains(lower, "invalid projectionexpression"),
		strings.Contains(lower, "invalid conditionexpression"), strings.Contains(lower, "invalid updateexpression: syntax"):
		return pgerr.Wrap(err, pgerr.SyntaxError, "DynamoDB rejected the expression of %s", target(op, table))
	case strings.Contains(lower, "item size"), strings.Contains(lower, "maximum allowed size"),
		strings.Contains(lower, "too many items"):
		return pgerr.Wrap(err, pgerr.ProgramLimitExceeded, "%s exceeds a DynamoDB limit", target(op, table)).
			WithHint("%s", hintTooLarge)
	case strings.Contains(lower, "does not have the specified index"):
		return pgerr.Wrap(err, pgerr.UndefinedObject, "index of %s does not exist", target(op, table))
	}
	return pgerr.Wrap(err, pgerr.InvalidParameterValue, "invalid %s request", target(op, table))
}

func resourceInUse(err error, op, table string) error {
	if op == "CreateTable" {
		return pgerr.Wrap(err, pgerr.DuplicateTable, "relation \"%s\" already exists", table)
	}
	return pgerr.Wrap(err, pgerr.ObjectNotInPrerequisiteState, "%s: table is busy", target(op, table)).
		WithHint("%s", hintTableBusy)
}

// isMissingCredentials recognises the SDK's "no credentials" failures: the
// signer's "failed to retrieve credentials" wrapping whatever the last
// provider of the chain said (no EC2 role, no SSO token, ...).
func isMissingCredentials(err error) bool {
	var signErr *v4.SigningError
	if errors.As(err, &signErr) && strings.Contains(signErr.Error(), "credentials") {
		return true
	}
	msg := err.Error()
	for _, s := range []string{
		"failed to retrieve credentials",
		"failed to refresh cached credentials",
		"NoCredentialProviders",
		"no EC2 IMDS role found",
		"static credentials are empty",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// isConnectionError is true when no answer came from the endpoint: refused,
// reset, DNS failure, dial timeout, TLS failure.
func isConnectionError(err error) bool {
	var sendErr *smithyhttp.RequestSendError
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.As(err, &sendErr) || errors.As(err, &opErr) || errors.As(err, &dnsErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
