package dynamo

import (
	"context"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

const (
	testKeyID  = "AKIDFAZTEST"
	testSecret = "s3cr3t-never-shown"
)

// isolateEnv hides the machine's AWS configuration from the SDK, so the tests
// see exactly what ClientConfig says (and never ask an EC2 metadata server).
func isolateEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// fakeDynamo answers DynamoDB's JSON protocol: one canned answer list per
// X-Amz-Target operation, consumed in order (the last one repeats).
type fakeDynamo struct {
	mu      sync.Mutex
	answers map[string][]fakeAnswer // guarded by mu
	hits    map[string]int          // guarded by mu
	auth    []string                // Authorization headers seen; guarded by mu
}

type fakeAnswer struct {
	status int
	body   string
}

func errBody(typ, msg string) string {
	return `{"__type":"com.amazonaws.dynamodb.v20120810#` + typ + `","message":"` + msg + `"}`
}

func (f *fakeDynamo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	f.mu.Lock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	n := f.hits[op]
	f.hits[op] = n + 1
	list := f.answers[op]
	f.mu.Unlock()
	a := fakeAnswer{status: 400, body: errBody("UnknownOperationException", "no answer for "+op)}
	if len(list) > 0 {
		a = list[min(n, len(list)-1)]
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	// DynamoDB signs every body with a CRC32 that the SDK verifies.
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(a.body))), 10))
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (f *fakeDynamo) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[op]
}

func newFake(t *testing.T) (*fakeDynamo, *dynamodb.Client) {
	t.Helper()
	isolateEnv(t)
	f := &fakeDynamo{hits: map[string]int{}, answers: map[string][]fakeAnswer{
		"ListTables":    {{200, `{"TableNames":["a"]}`}},
		"DescribeTable": {{400, errBody("ResourceNotFoundException", "Requested resource not found")}},
		"GetItem":       {{500, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"try again"}`}, {200, `{"Item":{"id":{"S":"x"}}}`}},
		"PutItem":       {{400, errBody("ConditionalCheckFailedException", "The conditional request failed")}},
		"DeleteItem":    {{400, `{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User: arn:aws:iam::1:user/x is not authorized to perform: dynamodb:DeleteItem"}`}},
		"UpdateItem":    {{400, `{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}`}},
		"Scan":          {{400, `{"__type":"com.amazon.coral.validate#ValidationException","message":"Invalid FilterExpression: Syntax error; token: \"=\""}`}},
		"TransactWriteItems": {{400, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"Transaction cancelled",` +
			`"CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}`}},
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client, err := NewClient(context.Background(), ClientConfig{
		EndpointURL: srv.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret, Region: "eu-west-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return f, client
}

func TestNewClientEndpointAndStaticCredentials(t *testing.T) {
	f, client := newFake(t)
	out, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TableNames) != 1 || out.TableNames[0] != "a" {
		t.Fatalf("TableNames = %v", out.TableNames)
	}
	if f.count("ListTables") != 1 {
		t.Fatalf("the fake server saw %d ListTables", f.count("ListTables"))
	}
	f.mu.Lock()
	auth := f.auth[0]
	f.mu.Unlock()
	if !strings.Contains(auth, "Credential="+testKeyID+"/") || !strings.Contains(auth, "/eu-west-1/dynamodb/") {
		t.Fatalf("Authorization = %q, want the static key id and region", auth)
	}
	if strings.Contains(auth, testSecret) {
		t.Fatal("the secret key was sent in clear")
	}
}

func TestNewClientRetriesServerErrors(t *testing.T) {
	f, client := newFake(t)
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("t"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "x"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.count("GetItem"); got != 2 {
		t.Fatalf("GetItem attempts = %d, want 2 (a 500, then success)", got)
	}
	if v, ok := out.Item["id"].(*types.AttributeValueMemberS); !ok || v.Value != "x" {
		t.Fatalf("Item = %v", out.Item)
	}
}

// TestNewClientErrorMapping proves the end-to-end path: an HTTP error answer,
// the SDK's deserialisation into typed or generic errors, MapError.
func TestNewClientErrorMapping(t *testing.T) {
	f, client := newFake(t)
	ctx := context.Background()
	table := aws.String("orders")
	key := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "x"}}
	cases := []struct {
		op     string
		call   func() error
		code   string
		detail string
	}{
		{"DescribeTable", func() error {
			_, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table})
			return err
		}, pgerr.UndefinedTable, ""},
		{"PutItem", func() error {
			_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: key})
			return err
		}, pgerr.UniqueViolation, ""},
		{"DeleteItem", func() error {
			_, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key})
			return err
		}, pgerr.InsufficientPrivilege, ""},
		{"UpdateItem", func() error {
			_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key})
			return err
		}, pgerr.InvalidAuthorizationSpec, ""},
		{"Scan", func() error {
			_, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: table})
			return err
		}, pgerr.SyntaxError, ""},
		{"TransactWriteItems", func() error {
			_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: table, Item: key}},
				{Put: &types.Put{TableName: table, Item: key}},
			}})
			return err
		}, pgerr.SerializationFailure, "[1] ConditionalCheckFailed"},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			err := MapError(c.call(), c.op, "orders")
			if err == nil {
				t.Fatal("want an error")
			}
			pe := pgerr.From(err)
			if pe.Code != c.code {
				t.Fatalf("code = %s, want %s: %v", pe.Code, c.code, err)
			}
			if !strings.Contains(pe.Detail, c.detail) {
				t.Errorf("detail = %q, want %q", pe.Detail, c.detail)
			}
			if strings.Contains(pe.Message+pe.Hint+pe.Detail, testSecret) {
				t.Errorf("secret leaked: %+v", pe)
			}
			if f.count(c.op) != 1 {
				t.Errorf("%s sent %d times; client errors must not be retried", c.op, f.count(c.op))
			}
		})
	}
}

func TestNewClientMissingCredentials(t *testing.T) {
	isolateEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request without credentials reached the server")
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	client, err := NewClient(context.Background(), ClientConfig{EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	pe := pgerr.From(MapError(err, "ListTables", ""))
	if pe == nil || pe.Code != pgerr.InvalidAuthorizationSpec {
		t.Fatalf("got %+v from %v, want 28000", pe, err)
	}
	if !strings.Contains(pe.Hint, "Unable to locate credentials") {
		t.Errorf("hint = %q", pe.Hint)
	}
}

func TestNewClientUnknownProfile(t *testing.T) {
	isolateEnv(t)
	_, err := NewClient(context.Background(), ClientConfig{Profile: "nope"})
	if got := pgerr.CodeOf(err); got != pgerr.ConfigFileError {
		t.Fatalf("code = %s, want F0000: %v", got, err)
	}
}

func TestNewClientOptions(t *testing.T) {
	cases := []struct {
		name       string
		cfg        ClientConfig
		region     string
		conns      int
		attempts   int
		noEndpoint bool
	}{
		{"defaults", ClientConfig{AccessKeyID: "a", SecretAccessKey: "b"}, "us-east-1", 256, 5, true},
		{"explicit", ClientConfig{AccessKeyID: "a", SecretAccessKey: "b", Region: "ap-south-1", MaxConns: 32, MaxAttempts: 3,
			EndpointURL: "http://127.0.0.1:8000"}, "ap-south-1", 32, 3, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			isolateEnv(t)
			client, err := NewClient(context.Background(), c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			o := client.Options()
			if o.Region != c.region {
				t.Errorf("region = %q, want %q", o.Region, c.region)
			}
			if (o.BaseEndpoint == nil) != c.noEndpoint || (!c.noEndpoint && *o.BaseEndpoint != c.cfg.EndpointURL) {
				t.Errorf("BaseEndpoint = %v, want %q", o.BaseEndpoint, c.cfg.EndpointURL)
			}
			bc, ok := o.HTTPClient.(*awshttp.BuildableClient)
			if !ok {
				t.Fatalf("HTTPClient is %T", o.HTTPClient)
			}
			tr := bc.GetTransport()
			if tr.MaxIdleConns != c.conns || tr.MaxIdleConnsPerHost != c.conns || tr.MaxConnsPerHost != c.conns {
				t.Errorf("pool = %d/%d/%d, want %d", tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.MaxConnsPerHost, c.conns)
			}
			if got := o.Retryer.MaxAttempts(); got != c.attempts {
				t.Errorf("MaxAttempts = %d, want %d", got, c.attempts)
			}
		})
	}
}

// TestRetryerHasNoQuota: the SDK's default quota (500 tokens, 14 a retry)
// refuses a long run of retries; ours must never refuse one.
func TestRetryerHasNoQuota(t *testing.T) {
	cases := []struct {
		name    string
		retryer aws.Retryer
		refuses bool
	}{
		{"sdk default", retry.NewStandard(), true},
		{"ours", newRetryer(0), false},
	}
	opErr := errors.New("connection reset")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refused := false
			for range 1000 {
				if _, err := c.retryer.GetRetryToken(context.Background(), opErr); err != nil {
					refused = true
					break
				}
			}
			if refused != c.refuses {
				t.Fatalf("refused = %v, want %v", refused, c.refuses)
			}
		})
	}
}
