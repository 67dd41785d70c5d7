package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fazproxy/fazproxy/demo"
)

// DynamoDBLocal starts a fresh in-memory DynamoDB Local on a free port on
// 127.0.0.1 with scripts/dynamodb-local (installing it into the cache on first
// use) and registers its stop with r. It returns the endpoint URL, e.g.
// http://127.0.0.1:41234.
func DynamoDBLocal(ctx context.Context, r Registrar) (endpoint string, err error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	script := filepath.Join(root, "scripts", "dynamodb-local")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			return "", err
		}
		logDir, err := os.MkdirTemp("", "fazproxy-ddb-")
		if err != nil {
			return "", fmt.Errorf("harness: %w", err)
		}
		logPath := filepath.Join(logDir, "dynamodb-local.log")
		env := append(os.Environ(), "DYNAMODB_PORT="+strconv.Itoa(port), "DYNAMODB_LOG="+logPath)
		out, err := runScript(ctx, script, env, "start")
		if err == nil {
			r.Cleanup(func() {
				stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, _ = runScript(stopCtx, script, env, "stop")
				_ = os.RemoveAll(logDir)
			})
			return fmt.Sprintf("http://127.0.0.1:%d", port), nil
		}
		lastErr = fmt.Errorf("harness: scripts/dynamodb-local start on port %d: %v\n%s\n---- %s\n%s", port, err, out, logPath, Tail(logPath, 40))
		_ = os.RemoveAll(logDir)
		if !strings.Contains(out, "in use") {
			break
		}
	}
	return "", lastErr
}

// StartDynamoDBLocal is DynamoDBLocal for one test: stopped at t's cleanup,
// t.Fatal (with the log tail) when it cannot start.
func StartDynamoDBLocal(ctx context.Context, t testing.TB) (endpoint string) {
	t.Helper()
	endpoint, err := DynamoDBLocal(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	return endpoint
}

func runScript(ctx context.Context, script string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, script, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// DynamoClient returns an SDK client for a DynamoDB Local endpoint (dummy
// credentials local/local, region us-east-1).
func DynamoClient(endpoint string) *dynamodb.Client {
	return demo.LocalClient(endpoint, "us-east-1")
}

// LoadDemo creates the demo tables at endpoint and loads their items.
func LoadDemo(ctx context.Context, endpoint string) error {
	api := DynamoClient(endpoint)
	if err := demo.Create(ctx, api); err != nil {
		return err
	}
	return demo.Load(ctx, api)
}

// StartDynamoDBLocalWithDemo starts DynamoDB Local for one test and loads the
// demo data set into it.
func StartDynamoDBLocalWithDemo(ctx context.Context, t testing.TB) (endpoint string) {
	t.Helper()
	endpoint = StartDynamoDBLocal(ctx, t)
	if err := LoadDemo(ctx, endpoint); err != nil {
		t.Fatalf("harness: loading the demo data into %s: %v", endpoint, err)
	}
	return endpoint
}
