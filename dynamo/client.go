package dynamo

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Defaults applied by NewClient when ClientConfig leaves a field zero.
const (
	DefaultRegion      = "us-east-1"
	DefaultMaxConns    = 256
	DefaultMaxAttempts = 5
	// dialTimeout bounds connecting to the endpoint: the SDK's 30 s default
	// leaves a client hanging long after a wrong endpoint_url is obvious.
	dialTimeout = 10 * time.Second
	// retryBaseDelay is DynamoDB's own base backoff for non-throttling
	// errors (the SDK's DynamoDB default); throttling always backs off 1 s.
	retryBaseDelay = 25 * time.Millisecond
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
	// MaxAttempts is how many times one request is tried (first attempt
	// included) before its error is returned; 0 = 5. AWS_MAX_ATTEMPTS in the
	// environment still overrides it, as everywhere in the SDK.
	MaxAttempts int
}

// NewClient builds one database's SDK client: credential chain or static
// keys, endpoint override, an HTTP pool sized for a proxy, and the standard
// retryer without a client-side retry quota.
//
// It does not call DynamoDB; a missing credential or an unreachable endpoint
// shows up on the first request (see MapError). Errors never contain the
// secret key.
func NewClient(ctx context.Context, cfg ClientConfig) (*dynamodb.Client, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOptions(cfg)...)
	if err != nil {
		return nil, configError(err, cfg)
	}
	retryer := newRetryer(cfg.MaxAttempts)
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		o.Retryer = retryer
		if cfg.EndpointURL != "" {
			o.BaseEndpoint = aws.String(cfg.EndpointURL)
		}
	}), nil
}

// loadOptions turns cfg into the SDK's config loading options.
func loadOptions(cfg ClientConfig) []func(*config.LoadOptions) error {
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(newHTTPClient(cfg.MaxConns)),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	} else {
		// A default, not an override: AWS_REGION or the profile's region
		// still win when extra.region is unset.
		opts = append(opts, config.WithDefaultRegion(DefaultRegion))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.AccessKeyID != "" || cfg.SecretAccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	return opts
}

// newHTTPClient sizes the connection pool for a proxy: the SDK keeps only 10
// idle connections per host, so hundreds of concurrent statements against the
// one DynamoDB endpoint would open and close connections (and TLS sessions)
// all the time.
func newHTTPClient(maxConns int) *awshttp.BuildableClient {
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	return awshttp.NewBuildableClient().
		WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = maxConns
			t.MaxIdleConnsPerHost = maxConns
			t.MaxConnsPerHost = maxConns
		}).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout })
}

// newRetryer is the standard retryer without its retry quota: the quota is
// shared by every request of a client, and one client serves every session
// of a database, so a burst of throttling from one table would make every
// other statement fail fast without a single retry.
func newRetryer(maxAttempts int) aws.Retryer {
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.BaseDelay = retryBaseDelay
		o.RateLimiter = ratelimit.None
	})
}

// configError maps a failure to load the SDK configuration (a bad profile,
// an unreadable shared config file) without echoing any credential.
func configError(err error, cfg ClientConfig) error {
	var noProfile config.SharedConfigProfileNotExistError
	if errors.As(err, &noProfile) {
		return pgerr.Wrap(err, pgerr.ConfigFileError, "AWS profile %q not found", cfg.Profile).
			WithHint("Check extra.profile against the profiles in ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE).")
	}
	return pgerr.Wrap(err, pgerr.InvalidAuthorizationSpec, "could not load the AWS configuration").
		WithHint("%s", hintNoCredentials)
}
