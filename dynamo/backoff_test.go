package dynamo

import (
	"context"
	"testing"
	"time"
)

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	base := 10 * time.Millisecond
	for n, full := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 4: 80 * time.Millisecond, 40: MaxBackoff} {
		for range 50 {
			d := Backoff(base, n)
			if d < full/2 || d > full {
				t.Fatalf("Backoff(%v, %d) = %v, want within [%v, %v]", base, n, d, full/2, full)
			}
		}
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Minute); err != context.Canceled {
		t.Fatalf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("Sleep did not return when its context ended")
	}
}
