package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// suite is the environment every integration test shares: one DynamoDB Local
// with the demo tables, one reference PostgreSQL with the same rows, and one
// fazproxy process in front of DynamoDB Local.
type suite struct {
	endpoint string         // DynamoDB Local
	pgDSN    string         // the reference PostgreSQL
	proxy    *harness.Proxy // fazproxy
	binary   string
	workDir  string
}

var env suite // set once by TestMain, read-only afterwards

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var st harness.Stack
	defer st.Close()
	if err := setup(ctx, &st); err != nil {
		// Never skip: a part that cannot start is a failure (in CI above all).
		fmt.Fprintln(os.Stderr, "integration setup failed:", err)
		return 1
	}
	return m.Run()
}

func setup(ctx context.Context, st *harness.Stack) error {
	var err error
	if env.endpoint, err = harness.DynamoDBLocal(ctx, st); err != nil {
		return fmt.Errorf("DynamoDB Local: %w", err)
	}
	if err = harness.LoadDemo(ctx, env.endpoint); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if env.pgDSN, err = harness.ReferencePostgresWithDemo(ctx, st); err != nil {
		return fmt.Errorf("reference PostgreSQL: %w", err)
	}
	if env.binary, err = harness.Build(ctx); err != nil {
		return fmt.Errorf("building fazproxy: %w", err)
	}
	if env.workDir, err = os.MkdirTemp("", "fazproxy-it-"); err != nil {
		return err
	}
	st.Cleanup(func() { _ = os.RemoveAll(env.workDir) })
	if env.proxy, err = harness.Fazproxy(ctx, st, env.workDir, env.binary, suiteConfig(env.endpoint)); err != nil {
		return fmt.Errorf("fazproxy: %w", err)
	}
	return nil
}

// suiteConfig is the demo configuration with a sample large enough to see
// every attribute of the demo tables (so column sets match the reference
// PostgreSQL) and a few more users for access tests.
func suiteConfig(endpoint string) string {
	cfg := harness.DemoConfig(endpoint)
	return strings.Replace(cfg, "sample_size: 1000", "sample_size: 5000", 1)
}

// proxyDSN is the pgx/libpq URL for the demo user through fazproxy.
func proxyDSN() string { return env.proxy.DSN("demo", "demo") }

// logTail helps a failing test say what the proxy logged.
func logTail() string { return env.proxy.LogTail(40) }

// repoFile returns a path inside the repository.
func repoFile(parts ...string) string {
	root, err := harness.RepoRoot()
	if err != nil {
		panic(err)
	}
	return filepath.Join(append([]string{root}, parts...)...)
}
