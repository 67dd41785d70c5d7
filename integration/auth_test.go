package integration

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/integration/harness"
)

// authConfig serves the demo data with SCRAM-SHA-256: user "alice" has a
// verifier in the file, user "bob" a password from the environment, and at
// most two connections are allowed at once.
func authConfig(t *testing.T, alicePassword string) string {
	t.Helper()
	v, err := config.MakeVerifier(alicePassword, 4096)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`listen: "{{listen}}"
auth:
  method: scram-sha-256
users:
  - name: alice
    password: %q
  - name: bob
    password_env: FAZ_IT_BOB_PASSWORD
limits:
  max_connections: 2
databases:
  - name: demo
    username: local
    password: local
    extra:
      endpoint_url: %s
permissions:
  - database: demo
    access: R
`, v, env.endpoint)
}

// TestSCRAMUsersAndConnectionLimit runs the binary with users from faz.yaml:
// a verifier and a password_env user log in with SCRAM-SHA-256, a wrong
// password is 28P01, and the connection beyond limits.max_connections is
// 53300.
func TestSCRAMUsersAndConnectionLimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Setenv("FAZ_IT_BOB_PASSWORD", "b0b's pässword\u00a0")
	p := harness.StartFazproxyProcess(t, env.binary, authConfig(t, "alice-secret"))
	dsn := func(user, password string) string {
		u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: p.Addr, Path: "/demo", RawQuery: "sslmode=disable"}
		return u.String()
	}
	cases := []struct {
		name, user, password, code string
	}{
		{"verifier user", "alice", "alice-secret", ""},
		{"password_env user", "bob", "b0b's pässword\u00a0", ""},
		{"wrong password", "alice", "nope", "28P01"},
		{"unknown user", "mallory", "alice-secret", "28P01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := pgconn.Connect(ctx, dsn(c.user, c.password))
			if c.code != "" {
				if !hasCode(err, c.code) {
					t.Fatalf("err = %v, want SQLSTATE %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "SELECT count(*) FROM products").ReadAll(); err != nil {
				t.Fatal(err)
			}
		})
	}
	// max_connections: 2 — the third concurrent connection is refused.
	var open []*pgconn.PgConn
	defer func() {
		for _, c := range open {
			c.Close(ctx)
		}
	}()
	for i := 0; i < 2; i++ {
		c, err := pgconn.Connect(ctx, dsn("alice", "alice-secret"))
		if err != nil {
			t.Fatalf("connection %d of 2: %v", i+1, err)
		}
		open = append(open, c)
	}
	_, err := pgconn.Connect(ctx, dsn("alice", "alice-secret"))
	if !hasCode(err, "53300") {
		t.Errorf("third connection: err = %v, want 53300", err)
	}
	if strings.Contains(p.LogTail(200), "alice-secret") || strings.Contains(p.LogTail(200), "pässword") {
		t.Errorf("a password appears in the log:\n%s", p.LogTail(200))
	}
}
