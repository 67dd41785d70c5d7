package wire

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestAuthFailureLoggedAndDelayed: a failed authentication is answered only
// after the delay, and logged with user, database, remote address and
// reason, never with the password.
func TestAuthFailureLoggedAndDelayed(t *testing.T) {
	cases := []struct {
		name       string
		method     AuthMethod
		user, pw   string
		wantReason string
	}{
		{"scram wrong password", AuthSCRAM, "alice", "wrong-pw-1", "does not match"},
		{"scram unknown user", AuthSCRAM, "mallory", "wrong-pw-2", "unknown user"},
		{"cleartext wrong password", AuthPassword, "alice", "wrong-pw-3", "does not match"},
	}
	const delay = 150 * time.Millisecond
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.DebugLevel)
			ts := startServer(t, Config{Log: zap.New(core), AuthFailureDelay: delay}, nil)
			ts.be.method = tc.method
			start := time.Now()
			_, err := pgconn.Connect(testCtx(t), ts.url(tc.user, tc.pw, ""))
			if err == nil || !strings.Contains(err.Error(), "28P01") {
				t.Fatalf("err = %v, want 28P01", err)
			}
			if took := time.Since(start); took < delay {
				t.Errorf("failure answered after %s, want at least %s", took, delay)
			}
			entries := logs.FilterMessage("authentication failed").All()
			if len(entries) != 1 {
				t.Fatalf("%d 'authentication failed' log entries, want 1: %v", len(entries), logs.All())
			}
			f := entries[0].ContextMap()
			if f["user"] != tc.user || f["database"] != "db" || !strings.Contains(f["reason"].(string), tc.wantReason) ||
				f["remote"] == nil || f["delayed"] != true {
				t.Errorf("log fields %v", f)
			}
			for _, e := range logs.All() {
				if strings.Contains(e.Message+stringify(e.ContextMap()), tc.pw) {
					t.Errorf("the password appears in the log: %v", e)
				}
			}
		})
	}
}

func stringify(m map[string]any) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k)
		b.WriteString("=")
		if s, ok := v.(string); ok {
			b.WriteString(s)
		}
		b.WriteString(" ")
	}
	return b.String()
}

// TestAuthFailureDelayBounded: once maxDelayedAuthFailures connections are
// waiting, the next failure is answered at once instead of queuing.
func TestAuthFailureDelayBounded(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	ts := startServer(t, Config{Log: zap.New(core), AuthFailureDelay: time.Hour}, nil)
	ts.be.method = AuthPassword
	for range maxDelayedAuthFailures {
		ts.srv.authDelays <- struct{}{} // as if that many were waiting
	}
	start := time.Now()
	_, err := pgconn.Connect(testCtx(t), ts.url("alice", "nope", ""))
	if err == nil || !strings.Contains(err.Error(), "28P01") {
		t.Fatalf("err = %v, want 28P01", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a saturated delay still waited %s", took)
	}
	e := logs.FilterMessage("authentication failed").All()
	if len(e) != 1 || e[0].ContextMap()["delayed"] != false {
		t.Errorf("log: %v", logs.All())
	}
}
