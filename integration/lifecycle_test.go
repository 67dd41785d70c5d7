package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// twoUserConfig is the demo configuration with a second user, "guest", who
// has a permissions entry only when guestAccess is not empty.
func twoUserConfig(guestAccess, adminAddr string) string {
	cfg := strings.Replace(harness.DemoConfig(env.endpoint), "users:\n  - name: demo\n", "users:\n  - name: demo\n  - name: guest\n", 1)
	cfg = strings.Replace(cfg, `admin_listen: ""`, fmt.Sprintf("admin_listen: %q", adminAddr), 1)
	if guestAccess != "" {
		cfg += "  - database: demo\n    access: " + guestAccess + "\n    users: [guest]\n"
	}
	return cfg
}

// TestSIGHUPReloadsPermissions: a permission added to the file is picked up
// on SIGHUP without dropping open connections; a broken file keeps the rules
// in force.
func TestSIGHUPReloadsPermissions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := harness.StartFazproxyProcess(t, env.binary, twoUserConfig("", ""))
	demoConn := connect(ctx, t, p.DSN("demo", "demo"))

	if err := tryGuest(ctx, p); !hasCode(err, "28000") {
		t.Fatalf("guest without a permission entry: err = %v, want 28000", err)
	}
	rewrite(t, p, twoUserConfig("R", ""))
	waitFor(t, func() error { return tryGuest(ctx, p) })

	// A file that does not validate keeps the current rules.
	rewrite(t, p, twoUserConfig("R", "")+"permisions: []\n")
	waitFor(t, func() error {
		if !strings.Contains(p.LogTail(20), "not reloaded") {
			return errors.New("the log does not say the bad file was refused")
		}
		return nil
	})
	if err := tryGuest(ctx, p); err != nil {
		t.Errorf("guest after a refused reload: %v", err)
	}
	// The connection opened before the reloads still works.
	var n int
	if err := demoConn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Errorf("connection opened before SIGHUP: %v", err)
	}
}

func tryGuest(ctx context.Context, p *harness.Proxy) error {
	c, err := pgconn.Connect(ctx, p.DSN("guest", "demo"))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.Exec(ctx, "SELECT 1").Close()
}

func hasCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

func rewrite(t *testing.T, p *harness.Proxy, cfg string) {
	t.Helper()
	cfg = strings.ReplaceAll(cfg, "{{listen}}", p.Addr)
	if err := os.WriteFile(p.ConfigPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

// waitFor retries f for up to 10 s (a signal is handled asynchronously).
func waitFor(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAdminAndGracefulStop: /healthz and /readyz answer; SIGTERM stops the
// process cleanly (exit status 0) with a client connected.
func TestAdminAndGracefulStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	admin := fmt.Sprintf("127.0.0.1:%d", port)
	p := harness.StartFazproxyProcess(t, env.binary, twoUserConfig("", admin))
	conn := connect(ctx, t, p.DSN("demo", "demo"))
	for _, c := range []struct{ path, body string }{{"/healthz", "ok"}, {"/readyz", "ready"}} {
		var got string
		waitFor(t, func() error {
			code, body, err := httpGet(ctx, "http://"+admin+c.path)
			got = body
			if err != nil || code != http.StatusOK {
				return fmt.Errorf("GET %s: %d %q %v", c.path, code, body, err)
			}
			return nil
		})
		if !strings.Contains(got, c.body) {
			t.Errorf("GET %s = %q, want %q", c.path, got, c.body)
		}
	}
	if err := conn.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(20 * time.Second); err != nil {
		t.Errorf("SIGTERM with a client connected: %v\n%s", err, p.LogTail(20))
	}
	if !strings.Contains(p.LogTail(20), "stopped") {
		t.Errorf("the log does not record the stop:\n%s", p.LogTail(20))
	}
}

func httpGet(ctx context.Context, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
