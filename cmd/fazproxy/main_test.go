package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/metrics"
)

func TestRunCommands(t *testing.T) {
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badConfig, []byte("listen: 127.0.0.1:0\nlisen: typo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unreachable := filepath.Join(dir, "unreachable.yaml")
	if err := os.WriteFile(unreachable, []byte("databases:\n  - name: shop\n    username: a\n    password: b\n    extra: {endpoint_url: \"http://127.0.0.1:1\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		wantOut    string
		wantStderr string
	}{
		{name: "version", args: []string{"version"}, wantOut: "fazproxy dev"},
		{name: "help", args: []string{"help"}, wantOut: "fazproxy serve --config"},
		{name: "no command", args: nil, code: 2, wantStderr: "Usage:"},
		{name: "unknown command", args: []string{"serv"}, code: 2, wantStderr: `unknown command "serv"`},
		{name: "serve without the file", args: []string{"serve", "--config", filepath.Join(dir, "nope.yaml")}, code: 1, wantStderr: "nope.yaml"},
		{name: "serve with a typo", args: []string{"serve", "--config", badConfig}, code: 1, wantStderr: `bad.yaml:2:1: unknown field "lisen"`},
		{name: "serve bad flag", args: []string{"serve", "--nope"}, code: 2, wantStderr: "flag provided but not defined"},
		{name: "serve bad log level", args: []string{"serve", "--log-level", "loud"}, code: 1, wantStderr: "--log-level"},
		{name: "verifier", args: []string{"verifier"}, stdin: "pencil\n", wantOut: "SCRAM-SHA-256$4096:"},
		{name: "verifier without input", args: []string{"verifier"}, code: 1, wantStderr: "no password on stdin"},
		{name: "check a bad file", args: []string{"check", "--config", badConfig}, code: 1, wantStderr: `unknown field "lisen"`},
		{name: "check an unreachable database", args: []string{"check", "--config", unreachable}, code: 1,
			wantOut: "database shop (http://127.0.0.1:1, region us-east-1): ", wantStderr: "1 of 1 databases cannot be reached"},
		{name: "demo without command", args: []string{"demo"}, code: 1, wantStderr: "missing command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), c.args, strings.NewReader(c.stdin), &out, &errOut)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), c.wantOut) {
				t.Errorf("stdout lacks %q: %s", c.wantOut, out.String())
			}
			if !strings.Contains(errOut.String(), c.wantStderr) {
				t.Errorf("stderr lacks %q: %s", c.wantStderr, errOut.String())
			}
		})
	}
}

func TestVerifierOutputParses(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"verifier", "--iterations", "100"}, strings.NewReader("pw"), &out, &out); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	c, err := config.ParseVerifier(strings.TrimSpace(out.String()))
	if err != nil || c.Iters != 100 {
		t.Errorf("verifier %q: %v %+v", out.String(), err, c)
	}
}

// fakeAPI answers ListTables with err.
type fakeAPI struct {
	dynamo.API
	err error
}

func (f fakeAPI) ListTables(context.Context, *dynamodb.ListTablesInput, ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return &dynamodb.ListTablesOutput{}, f.err
}

func TestAdminEndpoints(t *testing.T) {
	cases := []struct {
		name     string
		apis     map[string]dynamo.API
		draining bool
		path     string
		code     int
		body     string
	}{
		{"healthz", nil, false, "/healthz", 200, "ok"},
		{"healthz while draining", nil, true, "/healthz", 200, "ok"},
		{"ready", map[string]dynamo.API{"a": fakeAPI{}, "b": fakeAPI{}}, false, "/readyz", 200, "ready"},
		{"a database is down", map[string]dynamo.API{"a": fakeAPI{}, "shop": fakeAPI{err: errors.New("dial tcp: connection refused")}}, false, "/readyz", 503, "database shop"},
		{"draining", map[string]dynamo.API{"a": fakeAPI{}}, true, "/readyz", 503, "shutting down"},
		{"metrics", nil, false, "/metrics", 200, "fazproxy_connections_total 0"},
		{"metrics while draining", nil, true, "/metrics", 200, "fazproxy_statements_total"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg := metrics.New()
			reg.StatementDone("select", time.Millisecond, nil)
			a := &admin{apis: c.apis, metrics: reg.Handler(), log: zap.NewNop()}
			if c.draining {
				a.setDraining()
			}
			rec := httptest.NewRecorder()
			a.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
			if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.body) {
				t.Errorf("%s: %d %q, want %d containing %q", c.path, rec.Code, rec.Body.String(), c.code, c.body)
			}
		})
	}
}

func TestRestartOnlyChanges(t *testing.T) {
	base := func() *config.Config {
		return &config.Config{Listen: "a:1", Limits: config.Limits{MaxConnections: 5}, Databases: []config.Database{{Name: "d", Region: "r"}}}
	}
	cases := []struct {
		name   string
		change func(*config.Config)
		want   string
	}{
		{"nothing", func(*config.Config) {}, ""},
		{"listen", func(c *config.Config) { c.Listen = "b:2" }, "listen"},
		{"limits", func(c *config.Config) { c.Limits.MaxConnections = 6 }, "limits"},
		{"tls", func(c *config.Config) { c.TLS = &config.TLSConfig{CertFile: "x"} }, "tls"},
		{"databases", func(c *config.Config) { c.Databases[0].Region = "s" }, "databases"},
		{"users only", func(c *config.Config) { c.Users = []config.User{{Name: "u"}} }, ""},
	}
	for _, c := range cases {
		cur := base()
		c.change(cur)
		if got := strings.Join(restartOnlyChanges(base(), cur), ","); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestPoolSize(t *testing.T) {
	for _, c := range []struct{ in, want int }{{0, 0}, {10, 64}, {200, 200}} {
		if got := poolSize(c.in); got != c.want {
			t.Errorf("poolSize(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestSessionDefaultsFollowConfig(t *testing.T) {
	cases := []struct {
		name     string
		cfg      config.Config
		ssl      bool
		maxConns int
	}{
		{"no limit, no TLS", config.Config{}, false, -1},
		{"limit and TLS", config.Config{Limits: config.Limits{MaxConnections: 50}, TLS: &config.TLSConfig{}}, true, 50},
	}
	for _, c := range cases {
		d := sessionDefaults(&c.cfg)
		if d.SSL != c.ssl || d.MaxConnections != c.maxConns || d.ServerVersion != serverVersion {
			t.Errorf("%s: got %+v, want ssl=%v max_connections=%d", c.name, d, c.ssl, c.maxConns)
		}
	}
}
