package wire

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// countingObserver counts lifecycle events; package metrics is the real one.
type countingObserver struct {
	mu                         sync.Mutex
	opened, closed, authFailed int
}

func (o *countingObserver) ConnectionOpened() { o.mu.Lock(); o.opened++; o.mu.Unlock() }
func (o *countingObserver) ConnectionClosed() { o.mu.Lock(); o.closed++; o.mu.Unlock() }
func (o *countingObserver) AuthFailed()       { o.mu.Lock(); o.authFailed++; o.mu.Unlock() }

func (o *countingObserver) counts() (int, int, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.opened, o.closed, o.authFailed
}

// TestObserverSeesConnectionsAndAuthFailures: every accepted connection is
// reported opened and, once its goroutine ends, closed; a failed
// authentication is reported once.
func TestObserverSeesConnectionsAndAuthFailures(t *testing.T) {
	cases := []struct {
		name           string
		good, bad      int
		wantAuthFailed int
	}{
		{"one good", 1, 0, 0},
		{"two bad", 0, 2, 2},
		{"mixed", 2, 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := &countingObserver{}
			ts := startServer(t, Config{Observer: obs, AuthFailureDelay: -1}, nil)
			ts.be.method = AuthPassword
			for range tc.good {
				c, err := pgconn.Connect(testCtx(t), ts.url("alice", "secret", ""))
				if err != nil {
					t.Fatal(err)
				}
				if opened, _, _ := obs.counts(); opened < 1 {
					t.Errorf("an open connection was not reported")
				}
				if err := c.Close(testCtx(t)); err != nil {
					t.Fatal(err)
				}
			}
			for range tc.bad {
				_, err := pgconn.Connect(testCtx(t), ts.url("alice", "wrong", ""))
				if err == nil || !strings.Contains(err.Error(), "28P01") {
					t.Fatalf("err = %v, want 28P01", err)
				}
			}
			want := tc.good + tc.bad
			deadline := time.Now().Add(5 * time.Second)
			for {
				opened, closed, failed := obs.counts()
				if opened == want && closed == want && failed == tc.wantAuthFailed {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("opened %d closed %d auth failures %d, want %d %d %d", opened, closed, failed, want, want, tc.wantAuthFailed)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}
