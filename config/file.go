package config

// The file structs mirror faz.yaml key for key. Scalars are pointers so that a
// key left out (nil) differs from one set to its zero value; sizes and
// durations are kept as text and parsed during validation, so their errors can
// name the line. Defaults are applied by validate.go and documented here.

// fileConfig is the whole faz.yaml.
type fileConfig struct {
	// Listen is the PostgreSQL listener address (default 127.0.0.1:5432); the
	// --listen flag overrides it.
	Listen *string `yaml:"listen"`
	// AdminListen serves /healthz and /readyz (default: off when unset or empty).
	AdminListen *string      `yaml:"admin_listen"`
	TLS         *fileTLS     `yaml:"tls"`
	Auth        *fileAuth    `yaml:"auth"`
	Users       []fileUser   `yaml:"users"`
	Limits      *fileLimits  `yaml:"limits"`
	Databases   []fileDB     `yaml:"databases"`
	Permissions []filePermit `yaml:"permissions"`
}

// fileTLS: when present, SSLRequest is answered with TLS.
type fileTLS struct {
	CertFile *string `yaml:"cert_file"` // required
	KeyFile  *string `yaml:"key_file"`  // required
	Require  *bool   `yaml:"require"`   // default false: plain connections allowed
}

type fileAuth struct {
	// Method: scram-sha-256 (default) | password | trust (loopback only).
	Method *string `yaml:"method"`
}

type fileUser struct {
	Name *string `yaml:"name"` // required, unique
	// Password is a SCRAM-SHA-256 verifier
	// "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>", never plain text.
	Password *string `yaml:"password"`
	// PasswordEnv names an environment variable holding the plain password.
	PasswordEnv *string `yaml:"password_env"`
}

type fileLimits struct {
	MaxConnections   *int    `yaml:"max_connections"`   // default 200; 0 = unlimited
	StatementTimeout *string `yaml:"statement_timeout"` // default 0 = none; "30s" or integer ms
	IdleTimeout      *string `yaml:"idle_timeout"`      // default 0 = never; "10m" or integer ms
	MaxMessageBytes  *string `yaml:"max_message_bytes"` // default 16MiB; "16MiB", "512kB" or bytes
	SlowStatement    *string `yaml:"slow_statement"`    // default 1s; 0 = off; "500ms" or integer ms
}

// fileDB is one entry of the seed's databases: section.
type fileDB struct {
	Name     *string              `yaml:"name"`     // required: the PostgreSQL database name clients use
	Type     *string              `yaml:"type"`     // must be dynamodb
	Host     *string              `yaml:"host"`     // used for the endpoint when extra.endpoint_url is empty
	Port     *int                 `yaml:"port"`     // default 8000 when host is set
	Database *string              `yaml:"database"` // convention only: default table for verb queries
	Username *string              `yaml:"username"` // AWS access key id; empty: the SDK credential chain
	Password *string              `yaml:"password"` // AWS secret access key
	SSL      *bool                `yaml:"ssl"`      // accepted, unused: the endpoint scheme decides TLS
	Extra    *fileExtra           `yaml:"extra"`
	Tables   map[string]fileTable `yaml:"tables"`
}

type fileExtra struct {
	Region        *string `yaml:"region"`          // default us-east-1
	EndpointURL   *string `yaml:"endpoint_url"`    // required for DynamoDB Local
	Profile       *string `yaml:"profile"`         // AWS shared-config profile
	SampleSize    *int    `yaml:"sample_size"`     // default 100; 0 or less: no sampling
	AllowFullScan *bool   `yaml:"allow_full_scan"` // default true
	// CacheTTL is how long DescribeTable/ListTables answers are cached
	// (default 30s): tables created or dropped by other clients appear
	// within it.
	CacheTTL *string `yaml:"cache_ttl"`
}

type fileTable struct {
	// Columns maps a column name to a SQL type name (text, numeric, jsonb ...).
	Columns map[string]string `yaml:"columns"`
}

// filePermit is one entry of the seed's permissions: section.
type filePermit struct {
	Database *string           `yaml:"database"` // required: a name under databases:
	Access   *string           `yaml:"access"`   // required: R | W | RW | RA | RWA | A | none
	Users    []string          `yaml:"users"`    // default: every user
	Tables   map[string]string `yaml:"tables"`   // table → access code override
}
