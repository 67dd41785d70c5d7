package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// envMap is a lookupEnv over a fixed map.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSeedExamplesParseUnchanged: the faz tool's own faz.yaml examples (the
// seed's databases: and permissions:) are valid fazproxy configurations.
func TestSeedExamplesParseUnchanged(t *testing.T) {
	cases := []struct {
		file         string
		wantEndpoint string
		wantRegion   string
		wantKeyID    string
	}{
		{"seed_aws.faz.yaml", "", "<region>", ""},
		{"seed_local.faz.yaml", "http://localhost:8000", "us-east-1", "<access-key-id>"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			cfg, err := Parse(c.file, []byte(readTestdata(t, c.file)), envMap(nil))
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Databases) != 1 {
				t.Fatalf("databases = %d", len(cfg.Databases))
			}
			d := cfg.Databases[0]
			if d.Name != "<database>" || d.Database != "<table>" || d.Type != "dynamodb" {
				t.Errorf("database = %+v", d)
			}
			if d.EndpointURL != c.wantEndpoint || d.Region != c.wantRegion || d.AccessKeyID != c.wantKeyID {
				t.Errorf("endpoint %q region %q key %q", d.EndpointURL, d.Region, d.AccessKeyID)
			}
			if !cfg.Rules.CanConnect("anyone", "<database>") {
				t.Error("the permission without users should let every user connect")
			}
			if a := cfg.Rules.AccessFor("anyone", "<database>", "t"); !a.Allows(policy.Read) || a.Allows(policy.Write) {
				t.Errorf("access R grants %v", a)
			}
			if cfg.Listen != DefaultListen || cfg.Auth != wire.AuthSCRAM || cfg.Limits.MaxMessageBytes != 16<<20 {
				t.Errorf("defaults: %+v", cfg)
			}
		})
	}
}

func TestSpecExample(t *testing.T) {
	verifier, err := MakeVerifier("secret", 4096)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(readTestdata(t, "spec.faz.yaml"), "{{verifier}}", verifier, 1)
	cfg, err := Parse("spec.faz.yaml", []byte(text), envMap(map[string]string{"FAZ_ETL_PASSWORD": "hunter2"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AdminListen != "127.0.0.1:9187" || cfg.TLS == nil || !cfg.TLS.Require || cfg.TLS.CertFile != "server.crt" {
		t.Errorf("listen/tls: %q %+v", cfg.AdminListen, cfg.TLS)
	}
	want := Limits{MaxConnections: 200, StatementTimeout: 30 * time.Second, IdleTimeout: 10 * time.Minute, MaxMessageBytes: 16 << 20, SlowStatement: time.Second}
	if cfg.Limits != want {
		t.Errorf("limits = %+v, want %+v", cfg.Limits, want)
	}
	if len(cfg.Users) != 2 || cfg.Users[0].SCRAM == nil || cfg.Users[0].SCRAM.Iters != 4096 || cfg.Users[1].Plaintext.Reveal() != "hunter2" || cfg.Users[1].SCRAM == nil {
		t.Errorf("users = %+v", cfg.Users)
	}
	d := cfg.Database("shop")
	if d == nil || d.Tables["orders"]["tags"] != sqltypes.TextArray || d.Tables["orders"]["total"] != sqltypes.Numeric || !d.AllowFullScan || d.SampleSize != 100 {
		t.Fatalf("shop = %+v", d)
	}
	if cfg.Rules.CanConnect("etl", "shop") || !cfg.Rules.CanConnect("analyst", "shop") {
		t.Error("only analyst has a permission entry for shop")
	}
	if cfg.Rules.Visible("analyst", "shop", "secrets") || !cfg.Rules.AccessFor("analyst", "shop", "audit_log").Allows(policy.Insert) {
		t.Error("per-table overrides not applied")
	}
	// Secrets never print.
	dump := fmt.Sprintf("%v %+v %#v", cfg, *cfg, cfg.Users)
	if strings.Contains(dump, "hunter2") {
		t.Errorf("a secret is printed: %s", dump)
	}
}

// TestShippedConfigs: the configurations in examples/ are valid.
func TestShippedConfigs(t *testing.T) {
	for _, f := range []string{"demo.faz.yaml", "compose.faz.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(f, b, envMap(map[string]string{"FAZ_DEMO_PASSWORD": "x"})); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

const minimal = `listen: 127.0.0.1:5432
auth:
  method: trust
users:
  - name: demo
databases:
  - name: shop
    type: dynamodb
    extra:
      region: eu-west-1
      endpoint_url: http://127.0.0.1:8000
permissions:
  - database: shop
    access: RW
`

// TestProblems: each mistake is an F0000 error that says where (line:column
// or the variable) and what, and never prints a secret.
func TestProblems(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		env     map[string]string
		want    []string // substrings of the error
		secrets []string // must not appear
	}{
		{name: "unknown top-level key", yaml: minimal + "lisen: x\n",
			want: []string{"test.yaml:15:1", `unknown field "lisen"`}},
		{name: "unknown key in extra", yaml: strings.Replace(minimal, "      region:", "      regoin:", 1),
			want: []string{"test.yaml:10:7", `unknown field "regoin"`}},
		{name: "unknown key in a table", yaml: minimal[:strings.Index(minimal, "permissions:")] + "    tables:\n      t:\n        colums: {a: text}\n" + minimal[strings.Index(minimal, "permissions:"):],
			want: []string{"test.yaml:14:9", `unknown field "colums"`}},
		{name: "bad access code", yaml: strings.Replace(minimal, "access: RW", "access: RX", 1),
			want: []string{"test.yaml:14:13", "permissions[0].access", `invalid access code "RX"`}},
		{name: "bad table access code", yaml: minimal + "    tables: {secrets: hidden}\n",
			want: []string{"test.yaml:15:23", "permissions[0].tables.secrets", `"hidden"`}},
		{name: "unknown database in permissions", yaml: strings.Replace(minimal, "  - database: shop", "  - database: shoop", 1),
			want: []string{"test.yaml:13:15", `"shoop" is not one of the names under databases:`}},
		{name: "unknown user in permissions", yaml: minimal + "    users: [demo, nobody]\n",
			want: []string{"test.yaml:15:19", `user "nobody"`}},
		{name: "bad verifier", yaml: strings.Replace(minimal, "  - name: demo\n", "  - name: demo\n    password: hunter2-plain\n", 1),
			want: []string{"test.yaml:6:15", "users[0].password", "not a SCRAM-SHA-256 verifier"}, secrets: []string{"hunter2-plain"}},
		{name: "verifier with short keys", yaml: strings.Replace(minimal, "  - name: demo\n", "  - name: demo\n    password: \"SCRAM-SHA-256$4096:c2FsdA==$c2VjcmV0:c2VjcmV0\"\n", 1),
			want: []string{"StoredKey and ServerKey"}, secrets: []string{"c2VjcmV0"}},
		{name: "password_env unset", yaml: strings.Replace(minimal, "  - name: demo\n", "  - name: demo\n    password_env: FAZ_NOPE\n", 1),
			want: []string{"FAZ_NOPE is not set"}},
		{name: "scram user without a secret", yaml: strings.Replace(minimal, "method: trust", "method: scram-sha-256", 1),
			want: []string{"users[0]", "neither password"}},
		{name: "bad auth method", yaml: strings.Replace(minimal, "method: trust", "method: md5", 1),
			want: []string{"test.yaml:3:11", `unknown method "md5"`}},
		{name: "bad duration", yaml: minimal + "limits: {statement_timeout: soon}\n",
			want: []string{"limits.statement_timeout", "not a duration"}},
		{name: "bad slow_statement", yaml: minimal + "limits: {slow_statement: later}\n",
			want: []string{"limits.slow_statement", "not a duration"}},
		{name: "bad size", yaml: minimal + "limits: {max_message_bytes: 16 MiBs}\n",
			want: []string{"limits.max_message_bytes", "not a size"}},
		{name: "bad column type", yaml: strings.Replace(minimal, "      endpoint_url: http://127.0.0.1:8000\n", "      endpoint_url: http://127.0.0.1:8000\n    tables: {t: {columns: {a: varchar2}}}\n", 1),
			want: []string{"databases[0].tables.t.columns.a", `unknown type "varchar2"`}},
		{name: "wrong type", yaml: strings.Replace(minimal, "    type: dynamodb\n", "    type: dynamodb\n    port: [1]\n", 1),
			want: []string{"test.yaml:9:11", "cannot unmarshal"}},
		{name: "half static credentials", yaml: strings.Replace(minimal, "    type: dynamodb\n", "    type: dynamodb\n    username: AKIAEXAMPLE\n", 1),
			want: []string{"set both username"}},
		{name: "secret key without id", yaml: strings.Replace(minimal, "    type: dynamodb\n", "    type: dynamodb\n    password: wJalrXUtnFEMI\n", 1),
			want: []string{"set both username"}, secrets: []string{"wJalrXUtnFEMI"}},
		{name: "not dynamodb", yaml: strings.Replace(minimal, "type: dynamodb", "type: postgres", 1),
			want: []string{"test.yaml:8:11", `type "postgres" is not supported`}},
		{name: "env: not an integer", yaml: minimal, env: map[string]string{"FAZ_LIMITS_MAX_CONNECTIONS": "lots-s3cret"},
			want: []string{"limits.max_connections", "not an integer", "FAZ_LIMITS_MAX_CONNECTIONS"}, secrets: []string{"lots-s3cret"}},
		{name: "env: bad endpoint names the variable", yaml: minimal, env: map[string]string{"FAZ_DATABASES_SHOP_EXTRA_ENDPOINT_URL": "localhost:8000"},
			want: []string{"databases[0].extra.endpoint_url", "FAZ_DATABASES_SHOP_EXTRA_ENDPOINT_URL"}},
		{name: "duplicate permission", yaml: minimal + "  - database: shop\n    access: R\n",
			want: []string{"already has an entry for every user"}},
		{name: "no databases", yaml: "listen: 127.0.0.1:1\n", want: []string{"at least one database"}},
		{name: "several problems at once", yaml: strings.Replace(strings.Replace(minimal, "access: RW", "access: Q", 1), "method: trust", "method: x", 1),
			want: []string{`unknown method "x"`, `invalid access code "Q"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("test.yaml", []byte(c.yaml), envMap(c.env))
			if err == nil {
				t.Fatal("no error")
			}
			if code := pgerr.CodeOf(err); code != pgerr.ConfigFileError {
				t.Errorf("SQLSTATE %s, want F0000", code)
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Errorf("no Problems in the chain: %v", err)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			for _, s := range c.secrets {
				if strings.Contains(msg, s) {
					t.Errorf("error shows the secret %q:\n%s", s, msg)
				}
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	env := map[string]string{
		"FAZ_LISTEN":                               "0.0.0.0:6543",
		"FAZ_ADMIN_LISTEN":                         "127.0.0.1:9999",
		"FAZ_AUTH_METHOD":                          "password",
		"FAZ_USERS_DEMO_PASSWORD_ENV":              "DEMO_PW",
		"DEMO_PW":                                  "pw",
		"FAZ_LIMITS_MAX_CONNECTIONS":               "7",
		"FAZ_LIMITS_STATEMENT_TIMEOUT":             "1500",
		"FAZ_LIMITS_MAX_MESSAGE_BYTES":             "1MiB",
		"FAZ_TLS_CERT_FILE":                        "c.pem",
		"FAZ_TLS_KEY_FILE":                         "k.pem",
		"FAZ_TLS_REQUIRE":                          "on",
		"FAZ_DATABASES_SHOP_EXTRA_ENDPOINT_URL":    "http://dynamodb:8000",
		"FAZ_DATABASES_SHOP_EXTRA_REGION":          "ap-south-1",
		"FAZ_DATABASES_SHOP_EXTRA_ALLOW_FULL_SCAN": "false",
		"FAZ_DATABASES_SHOP_EXTRA_SAMPLE_SIZE":     "0",
		"FAZ_DATABASES_SHOP_USERNAME":              "AKID",
		"FAZ_DATABASES_SHOP_PASSWORD":              "SECRET",
		"FAZ_DATABASES_OTHER_HOST":                 "ignored: no such database",
	}
	cfg, err := Parse("test.yaml", []byte(minimal), envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Databases[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", cfg.Listen, "0.0.0.0:6543"},
		{"admin", cfg.AdminListen, "127.0.0.1:9999"},
		{"auth", cfg.Auth, wire.AuthPassword},
		{"user secret", cfg.Users[0].Plaintext.Reveal(), "pw"},
		{"max connections", cfg.Limits.MaxConnections, 7},
		{"statement timeout (ms)", cfg.Limits.StatementTimeout, 1500 * time.Millisecond},
		{"max message", cfg.Limits.MaxMessageBytes, 1 << 20},
		{"tls", cfg.TLS != nil && cfg.TLS.Require && cfg.TLS.CertFile == "c.pem", true},
		{"endpoint", d.EndpointURL, "http://dynamodb:8000"},
		{"region", d.Region, "ap-south-1"},
		{"full scan", d.AllowFullScan, false},
		{"sample size", d.SampleSize, -1},
		{"key id", d.AccessKeyID, "AKID"},
		{"secret", d.SecretAccessKey.Reveal(), "SECRET"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if s := fmt.Sprint(d); strings.Contains(s, "SECRET") {
		t.Errorf("database prints its secret: %s", s)
	}
}

func TestEndpointFromHost(t *testing.T) {
	cases := []struct {
		host string
		port int
		want string
	}{
		{"", 8000, ""},
		{"dynamodb.eu-west-1.amazonaws.com", 443, ""},
		{"localhost", 8000, "http://localhost:8000"},
		{"vpce.example", 443, "https://vpce.example:443"},
		{"::1", 8000, "http://[::1]:8000"},
	}
	for _, c := range cases {
		if got := endpointFromHost(c.host, c.port); got != c.want {
			t.Errorf("endpointFromHost(%q, %d) = %q, want %q", c.host, c.port, got, c.want)
		}
	}
}

func TestUnits(t *testing.T) {
	sizes := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"16MiB", 16 << 20, true}, {"512kB", 512 << 10, true}, {"1GB", 1 << 30, true},
		{"2048", 2048, true}, {"64 KiB", 64 << 10, true}, {"3GiB", 0, false}, {"-1", 0, false}, {"lots", 0, false},
	}
	for _, c := range sizes {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v", c.in, got, err)
		}
	}
	durs := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30s", 30 * time.Second, true}, {"0", 0, true}, {"250", 250 * time.Millisecond, true},
		{"1m30s", 90 * time.Second, true}, {"-5s", 0, false}, {"soon", 0, false},
	}
	for _, c := range durs {
		got, err := parseDuration(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseDuration(%q) = %v, %v", c.in, got, err)
		}
	}
	types := []struct {
		in   string
		want sqltypes.OID
	}{
		{"text", sqltypes.Text}, {"TEXT []", sqltypes.TextArray}, {"Double  Precision", sqltypes.Float8},
		{"int", sqltypes.Int4}, {"bigint", sqltypes.Int8}, {"numeric[]", sqltypes.NumericArray},
		{"bytea[]", sqltypes.ByteaArray}, {"timestamptz", sqltypes.Timestamptz}, {"date", sqltypes.Date_},
		{"jsonb", sqltypes.Jsonb}, {"json", sqltypes.JSON_}, {"boolean", sqltypes.Bool},
	}
	for _, c := range types {
		if got, ok := parseTypeName(c.in); !ok || got != c.want {
			t.Errorf("parseTypeName(%q) = %d, %v", c.in, got, ok)
		}
	}
}

func TestVerifierRoundTrip(t *testing.T) {
	v, err := MakeVerifier("pencil", 4096)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseVerifier(v)
	if err != nil {
		t.Fatal(err)
	}
	if c.Iters != 4096 || len(c.Salt) != 16 || len(c.StoredKey) != 32 || len(c.ServerKey) != 32 {
		t.Errorf("credentials = %+v", c)
	}
	// A verifier PostgreSQL 15 produced (password "postgres").
	pg := "SCRAM-SHA-256$4096:2rUL/DcO8w4tuG6ZhwUo5A==$nNHc7BkhfsIprdMd34Be2plT4LOS3u2n+jYJdnGfj5I=:Kn5LJsHbpVpYWWnk2cx6c2h/ifdEcEkxPEkmsgBkEks="
	if _, err := ParseVerifier(pg); err != nil {
		t.Errorf("PostgreSQL verifier: %v", err)
	}
	for _, bad := range []string{"", "md5abc", "SCRAM-SHA-256$x:c2FsdA==$a:b", "SCRAM-SHA-256$4096:***$a:b", "SCRAM-SHA-256$4096:c2FsdA=="} {
		if _, err := ParseVerifier(bad); err == nil {
			t.Errorf("ParseVerifier(%q) accepted", bad)
		}
	}
}

func TestSlowStatement(t *testing.T) {
	cases := []struct {
		name, limits string
		want         time.Duration
	}{
		{"default", "", time.Second},
		{"duration", "limits: {slow_statement: 500ms}\n", 500 * time.Millisecond},
		{"integer milliseconds", "limits: {slow_statement: 2500}\n", 2500 * time.Millisecond},
		{"off", "limits: {slow_statement: 0}\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("test.yaml", []byte(minimal+c.limits), envMap(nil))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Limits.SlowStatement != c.want {
				t.Errorf("slow_statement = %v, want %v", cfg.Limits.SlowStatement, c.want)
			}
		})
	}
}

// TestParserPanicIsAnError: input on which the YAML library panics (found by
// FuzzParse) is a configuration error, never a crash — a SIGHUP reload of
// such a file must leave the running server alone.
func TestParserPanicIsAnError(t *testing.T) {
	_, err := Parse("faz.yaml", []byte("databases:\n  ! 0\n00008:"), func(string) (string, bool) { return "", false })
	if err == nil {
		t.Fatal("Parse accepted it")
	}
	if code := pgerr.CodeOf(err); code != pgerr.ConfigFileError {
		t.Fatalf("code %s, want F0000: %v", code, err)
	}
}
