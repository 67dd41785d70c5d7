package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/demo"
)

// PostgresBinDir returns the directory with initdb and postgres: $FAZ_PG_BINDIR,
// else /usr/lib/postgresql/15/bin (Debian's postgresql-15), else the newest
// /usr/lib/postgresql/*/bin.
func PostgresBinDir() (string, error) {
	if d := os.Getenv("FAZ_PG_BINDIR"); d != "" {
		return d, nil
	}
	if fileExists("/usr/lib/postgresql/15/bin/postgres") {
		return "/usr/lib/postgresql/15/bin", nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("harness: no PostgreSQL server binaries (looked for /usr/lib/postgresql/15/bin/postgres); run scripts/install-deps")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ReferencePostgres starts a throwaway PostgreSQL on 127.0.0.1 on a free port
// (a temporary data directory, --lc-collate=C --encoding=UTF8 so text sorts
// bytewise as in DynamoDB, fsync off, Unix socket in the temporary directory),
// creates database "demo", runs initSQL in it (simple protocol, so several
// statements are fine) and registers its stop and removal with r. When run as
// root, initdb and postgres run as the user "postgres". It returns a DSN such
// as postgres://postgres@127.0.0.1:41235/demo?sslmode=disable.
func ReferencePostgres(ctx context.Context, r Registrar, initSQL string) (dsn string, err error) {
	bin, err := PostgresBinDir()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "fazproxy-pg-")
	if err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	removeDir := func() { _ = os.RemoveAll(dir) }
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			removeDir()
			return "", fmt.Errorf("harness: running as root and there is no user 'postgres' to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			removeDir()
			return "", fmt.Errorf("harness: %w", err)
		}
	}
	command := func(ctx context.Context, name string, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C", "PGTZ=UTC", "TZ=UTC")
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return cmd
	}
	data := filepath.Join(dir, "data")
	initdb := command(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust",
		// Collation C: text compares bytewise, as DynamoDB does. Character
		// classes from C.UTF-8: upper(), lower() and regex classes work on all
		// of Unicode, as in a usual UTF-8 installation (and as fazproxy does).
		"--locale=C", "--lc-ctype=C.UTF-8", "--encoding=UTF8", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		removeDir()
		return "", fmt.Errorf("harness: initdb: %v\n%s", err, out)
	}
	logPath := filepath.Join(dir, "postgres.log")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			removeDir()
			return "", err
		}
		logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o666)
		if err != nil {
			removeDir()
			return "", fmt.Errorf("harness: %w", err)
		}
		if cred != nil {
			_ = os.Chown(logPath, int(cred.Uid), int(cred.Gid))
		}
		// Not CommandContext: the server must outlive the start-up context.
		cmd := command(context.Background(), "postgres", "-D", data, "-p", strconv.Itoa(port),
			"-c", "listen_addresses=127.0.0.1", "-k", dir,
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "max_connections=50", "-c", "shared_buffers=64MB", "-c", "TimeZone=UTC")
		cmd.Stdout = logf
		cmd.Stderr = logf
		if err := cmd.Start(); err != nil {
			logf.Close()
			removeDir()
			return "", fmt.Errorf("harness: starting postgres: %w", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Signal(syscall.SIGINT) // fast shutdown
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		}
		base := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%%s?sslmode=disable", port)
		if err := waitPostgres(ctx, fmt.Sprintf(base, "postgres"), exited); err != nil {
			stop()
			lastErr = fmt.Errorf("harness: reference PostgreSQL on port %d: %v\n---- %s\n%s", port, err, logPath, Tail(logPath, 30))
			continue // most likely the port was taken meanwhile
		}
		r.Cleanup(func() { stop(); removeDir() })
		dsn = fmt.Sprintf(base, "demo")
		if err := execSQL(ctx, fmt.Sprintf(base, "postgres"), "CREATE DATABASE demo"); err != nil {
			return "", fmt.Errorf("harness: creating database demo: %w", err)
		}
		if initSQL != "" {
			if err := execSQL(ctx, dsn, initSQL); err != nil {
				return "", fmt.Errorf("harness: loading the reference data: %w", err)
			}
		}
		return dsn, nil
	}
	removeDir()
	return "", lastErr
}

func waitPostgres(ctx context.Context, dsn string, exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attemptCtx, dsn)
		cancel()
		if err == nil {
			_ = conn.Close(ctx)
			return nil
		}
		select {
		case <-exited:
			return errors.New("postgres exited during start-up")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting connections after 30s: %w", err)
		}
	}
}

// execSQL runs sql (one or more statements) with the simple query protocol.
func execSQL(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// ReferencePostgresWithDemo is ReferencePostgres loaded with demo.PostgresSQL().
func ReferencePostgresWithDemo(ctx context.Context, r Registrar) (dsn string, err error) {
	return ReferencePostgres(ctx, r, demo.PostgresSQL())
}

// StartReferencePostgres starts a reference PostgreSQL holding the demo data
// for one test (stopped and removed at t's cleanup; t.Fatal on failure).
func StartReferencePostgres(ctx context.Context, t testing.TB) (dsn string) {
	t.Helper()
	dsn, err := ReferencePostgresWithDemo(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}
