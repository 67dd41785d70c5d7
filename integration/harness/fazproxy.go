package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Build returns the path of a fazproxy binary built from this checkout:
// $FAZ_TEST_BINARY when set (the Makefile builds once and passes it), else
// integration/.work/bin/fazproxy-<pid>, built by `go build ./cmd/fazproxy` the
// first time this test process asks. Binaries left by test processes that no
// longer run are removed.
func Build(ctx context.Context) (string, error) {
	if p := os.Getenv("FAZ_TEST_BINARY"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("harness: FAZ_TEST_BINARY=%s: %w", p, err)
		}
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "integration", ".work", "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	bin := filepath.Join(dir, fmt.Sprintf("fazproxy-%d", os.Getpid()))
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	removeStaleBinaries(dir)
	tmp, err := os.CreateTemp(dir, ".build-*")
	if err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	tmp.Close()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp.Name(), "./cmd/fazproxy")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("harness: go build ./cmd/fazproxy: %v\n%s", err, out)
	}
	// rename is atomic: parallel tests of one process may build twice, never
	// run a half-written binary.
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	return bin, nil
}

func removeStaleBinaries(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		pid, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "fazproxy-"))
		if err != nil || !strings.HasPrefix(e.Name(), "fazproxy-") {
			continue
		}
		if pid != os.Getpid() && !fileExists(fmt.Sprintf("/proc/%d", pid)) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// BuildFazproxy is Build for a test (t.Fatal on failure).
func BuildFazproxy(t testing.TB) (binaryPath string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	p, err := Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Proxy is a running fazproxy process.
type Proxy struct {
	Addr       string // host:port of the PostgreSQL listener
	ConfigPath string
	LogPath    string // the process's stdout and stderr
	cmd        *exec.Cmd
	exited     chan struct{}
}

// DSN returns a libpq/pgx URL for user and database on this proxy (no TLS).
func (p *Proxy) DSN(user, database string) string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", user, p.Addr, database)
}

// LogTail returns the last n lines of the proxy's output.
func (p *Proxy) LogTail(n int) string { return Tail(p.LogPath, n) }

// Signal sends sig to the proxy process (e.g. syscall.SIGHUP).
func (p *Proxy) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// PID is the process id (for /proc/<pid>/status, e.g. the peak RSS).
func (p *Proxy) PID() int { return p.cmd.Process.Pid }

// Exited is closed when the process has exited.
func (p *Proxy) Exited() <-chan struct{} { return p.exited }

// Stop sends SIGTERM and waits up to grace for the process to exit, then kills
// it. It reports the process's exit status (nil for a clean exit).
func (p *Proxy) Stop(grace time.Duration) error {
	select {
	case <-p.exited:
		return exitStatus(p.cmd.ProcessState)
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("fazproxy did not exit within %s of SIGTERM; killed", grace)
	}
	return exitStatus(p.cmd.ProcessState)
}

// Fazproxy writes configYAML to a file in workDir and runs
// `<binary> serve --config <file> --listen 127.0.0.1:<free port>`, waiting
// until the port accepts connections (30 s at most). The string {{listen}} in
// configYAML, if present, is replaced by the same address. Its stop (SIGTERM,
// then kill after 10 s) is registered with r.
func Fazproxy(ctx context.Context, r Registrar, workDir, binary, configYAML string) (*Proxy, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		p := &Proxy{
			Addr:       addr,
			ConfigPath: filepath.Join(workDir, fmt.Sprintf("faz-%d.yaml", port)),
			LogPath:    filepath.Join(workDir, fmt.Sprintf("fazproxy-%d.log", port)),
			exited:     make(chan struct{}),
		}
		cfg := strings.ReplaceAll(configYAML, "{{listen}}", addr)
		if err := os.WriteFile(p.ConfigPath, []byte(cfg), 0o600); err != nil {
			return nil, fmt.Errorf("harness: %w", err)
		}
		logf, err := os.Create(p.LogPath)
		if err != nil {
			return nil, fmt.Errorf("harness: %w", err)
		}
		p.cmd = exec.Command(binary, "serve", "--config", p.ConfigPath, "--listen", addr)
		p.cmd.Stdout = logf
		p.cmd.Stderr = logf
		p.cmd.Env = os.Environ()
		if err := p.cmd.Start(); err != nil {
			logf.Close()
			return nil, fmt.Errorf("harness: starting %s: %w", binary, err)
		}
		go func() { _ = p.cmd.Wait(); logf.Close(); close(p.exited) }()
		if err := waitPort(ctx, addr, p.exited, 30*time.Second); err != nil {
			_ = p.Stop(5 * time.Second)
			lastErr = fmt.Errorf("harness: fazproxy serve on %s: %v\n---- %s\n%s", addr, err, p.LogPath, p.LogTail(40))
			if strings.Contains(p.LogTail(40), "address already in use") {
				continue
			}
			return nil, lastErr
		}
		r.Cleanup(func() { _ = p.Stop(10 * time.Second) })
		return p, nil
	}
	return nil, lastErr
}

// StartFazproxy runs fazproxy with configYAML for one test and returns the
// address it listens on (127.0.0.1:port). It is stopped at t's cleanup, and
// its output is logged when the test failed.
func StartFazproxy(t testing.TB, binary, configYAML string) (addr string) {
	t.Helper()
	p := StartFazproxyProcess(t, binary, configYAML)
	return p.Addr
}

// StartFazproxyProcess is StartFazproxy returning the *Proxy (for signals,
// logs and DSNs).
func StartFazproxyProcess(t testing.TB, binary, configYAML string) *Proxy {
	t.Helper()
	p, err := Fazproxy(context.Background(), t, t.TempDir(), binary, configYAML)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- fazproxy output (%s), last 60 lines:\n%s", p.LogPath, p.LogTail(60))
		}
	})
	return p
}

func waitPort(ctx context.Context, addr string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var d net.Dialer
	for {
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := d.DialContext(dctx, "tcp", addr)
		cancel()
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("the process exited before listening")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %s", limit)
		}
	}
}

// DemoConfig returns a faz.yaml (spec/config.md) for the demo data at a
// DynamoDB endpoint: trust authentication (loopback), user "demo" with
// read-write access to database "demo", admin listener off. listen is
// {{listen}}, which Fazproxy replaces.
func DemoConfig(endpoint string) string {
	return `listen: "{{listen}}"
admin_listen: ""
auth:
  method: trust
users:
  - name: demo
databases:
  - name: demo
    type: dynamodb
    username: local
    password: local
    extra:
      region: us-east-1
      endpoint_url: ` + endpoint + `
      sample_size: 1000
      allow_full_scan: true
permissions:
  - database: demo
    access: RW
    users: [demo]
`
}

func exitStatus(ps *os.ProcessState) error {
	if ps == nil || ps.Success() {
		return nil
	}
	return fmt.Errorf("fazproxy exited: %s", ps)
}
