package dynamo

import (
	"context"
	"math/rand/v2"
	"time"
)

// MaxBackoff caps the wait between retries of a batch's unprocessed part.
const MaxBackoff = 5 * time.Second

// Backoff is how long to wait before retry n (1, 2, ...) of the keys or
// items a BatchGetItem or BatchWriteItem left unprocessed: base·2^(n-1),
// capped at MaxBackoff, with "equal jitter" (half fixed, half random) so that
// clients throttled together do not retry in lock step, as AWS advises for
// batch operations.
func Backoff(base time.Duration, n int) time.Duration {
	d := MaxBackoff
	if n >= 1 && n < 30 {
		d = min(MaxBackoff, base<<(n-1))
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d, or less when ctx ends first (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
