package config

import (
	"fmt"
	"os"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// Defaults applied to what faz.yaml leaves unset.
const (
	DefaultListen          = "127.0.0.1:5432"
	DefaultMaxConnections  = 200
	DefaultMaxMessageBytes = 16 << 20
	DefaultSlowStatement   = time.Second
	DefaultRegion          = "us-east-1"
	DefaultSampleSize      = 100
	DefaultPort            = 8000
	DefaultCacheTTL        = 30 * time.Second
)

// Config is a validated faz.yaml with defaults applied.
type Config struct {
	Listen      string
	AdminListen string     // "" = no admin listener
	TLS         *TLSConfig // nil = no TLS (SSLRequest answered 'N')
	Auth        wire.AuthMethod
	Users       []User
	Limits      Limits
	Databases   []Database
	Permissions []policy.Entry
	Rules       *policy.Rules // Permissions compiled
}

// TLSConfig names the server certificate and key.
type TLSConfig struct {
	CertFile, KeyFile string
	Require           bool // refuse clients that do not ask for TLS
}

// User is one entry of users:. SCRAM is set for every user with a secret;
// Plaintext only for password_env users. A user with neither is allowed only
// with auth method trust.
type User struct {
	Name string
	// SCRAM is decoded from password: (a verifier), or derived from the
	// password_env value with a fresh salt.
	SCRAM     *wire.Credentials
	Plaintext Secret // the password_env variable's value
}

// Limits are the server's resource limits.
type Limits struct {
	MaxConnections   int           // 0 = unlimited
	StatementTimeout time.Duration // 0 = none
	IdleTimeout      time.Duration // 0 = never
	MaxMessageBytes  int
	// SlowStatement: statements that run this long are logged at info with
	// their plan summary (0 = never).
	SlowStatement time.Duration
}

// Database is one entry of databases:.
type Database struct {
	Name            string
	Type            string // "dynamodb"
	Host            string
	Port            int
	Database        string // convention only
	AccessKeyID     string // empty = the AWS SDK default credential chain
	SecretAccessKey Secret
	SSL             bool
	Region          string
	// EndpointURL is extra.endpoint_url, or built from host and port when a
	// non-AWS host is given; empty = the SDK's regional endpoint.
	EndpointURL   string
	Profile       string
	SampleSize    int // <= 0: no sampling
	AllowFullScan bool
	// CacheTTL is extra.cache_ttl: how long the catalog caches DescribeTable
	// and ListTables answers (DefaultCacheTTL when unset).
	CacheTTL time.Duration
	// Tables are the declared columns: table → column → type OID.
	Tables map[string]map[string]sqltypes.OID
}

// Secret is a string that never prints: fmt, %v, %s and %#v show "[redacted]"
// (an empty secret shows as ""), so a Config can be logged or dumped safely.
type Secret string

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return fmt.Sprintf("config.Secret(%q)", s.String()) }

// Reveal returns the secret's value; only the code that uses it calls this.
func (s Secret) Reveal() string { return string(s) }

// Load reads and validates the file at path, with FAZ_ overrides taken from
// the process environment.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.ConfigFileError, "reading the configuration")
	}
	return Parse(path, data, os.LookupEnv)
}

// decodeYAML decodes faz.yaml strictly. The YAML library panics on some
// malformed input (found by FuzzParse: "databases:\n  ! 0\n00008:" is a nil
// dereference inside go-yaml v1.19.2's decodeSlice); a bad file must be an
// error, above all on SIGHUP, where a panic would take the running server
// down, so the panic is turned into one.
func decodeYAML(data []byte, f *fileConfig) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML could not be decoded (the parser failed on it: %v)", r)
		}
	}()
	return yaml.UnmarshalWithOptions(data, f, yaml.Strict())
}

// Parse decodes and validates faz.yaml text; name is used in messages and
// lookupEnv supplies FAZ_ overrides and password_env values (os.LookupEnv).
func Parse(name string, data []byte, lookupEnv func(string) (string, bool)) (*Config, error) {
	var f fileConfig
	if err := decodeYAML(data, &f); err != nil {
		return nil, pgerr.Wrap(yamlProblem(name, err), pgerr.ConfigFileError, "invalid configuration")
	}
	v := &validator{file: name, env: lookupEnv, fromEnv: map[string]string{}}
	applyEnv(&f, lookupEnv, v.fromEnv, &v.problems)
	cfg := v.config(&f)
	if len(v.problems) > 0 {
		v.locate(data)
		return nil, pgerr.Wrap(v.problems, pgerr.ConfigFileError, "invalid configuration")
	}
	return cfg, nil
}

// Database returns the database named name, or nil.
func (c *Config) Database(name string) *Database {
	for i := range c.Databases {
		if c.Databases[i].Name == name {
			return &c.Databases[i]
		}
	}
	return nil
}

// yamlProblem turns a decoding error into a Problem with its position, without
// the source excerpt goccy/go-yaml would add (it could show a secret).
func yamlProblem(name string, err error) Problems {
	p := Problem{File: name, Msg: err.Error()}
	if ye, ok := err.(yaml.Error); ok {
		p.Msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return Problems{p}
}

// locate fills in the line and column of problems found during validation by
// looking their paths up in the YAML tree.
func (v *validator) locate(data []byte) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return // decoding succeeded, so this does not happen; positions are a nicety
	}
	for i := range v.problems {
		p := &v.problems[i]
		if p.Env != "" || p.Path == "" {
			continue
		}
		path, err := yaml.PathString("$." + p.Path)
		if err != nil {
			continue
		}
		node, err := path.FilterFile(file)
		if err != nil || node == nil || node.GetToken() == nil {
			continue
		}
		pos := node.GetToken().Position
		p.Line, p.Column = pos.Line, pos.Column
	}
}
