package catalog

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
)

// memo is a TTL cache whose concurrent misses for one key share a single load
// (a small singleflight): a burst of sessions opening the same table costs one
// DescribeTable, not one each.
type memo[T any] struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	// entries holds loaded values (and cacheable errors) until their expiry;
	// guarded by mu.
	entries map[string]memoEntry[T]
	// calls holds the loads in flight. drop removes a key from it so that a
	// load started before an invalidation is not stored after it; guarded by mu.
	calls map[string]*memoCall[T]
	// sweepAt is the entries size at which expired entries are next swept, so
	// lookups of many distinct (e.g. missing) names cannot grow the map
	// without bound; guarded by mu.
	sweepAt int
}

type memoEntry[T any] struct {
	val     T
	err     error
	expires time.Time
}

// memoCall is one load in flight; val and err are written before done closes.
type memoCall[T any] struct {
	done chan struct{}
	val  T
	err  error
	// waiters counts callers sharing this load besides its leader; guarded
	// by memo.mu. Tests read it to know a burst has really piled up.
	waiters int
}

const minSweep = 64

func newMemo[T any](ttl time.Duration, now func() time.Time) *memo[T] {
	return &memo[T]{
		ttl:     ttl,
		now:     now,
		entries: make(map[string]memoEntry[T]),
		calls:   make(map[string]*memoCall[T]),
		sweepAt: minSweep,
	}
}

// get returns key's cached value, or loads it. Errors for which keepErr
// reports true are cached like values (a missing table); all others are
// returned to the callers of this load only.
func (m *memo[T]) get(ctx context.Context, key string, load func(context.Context) (T, error), keepErr func(error) bool) (T, error) {
	for {
		m.mu.Lock()
		if e, ok := m.entries[key]; ok {
			if m.now().Before(e.expires) {
				m.mu.Unlock()
				return e.val, e.err
			}
			delete(m.entries, key)
		}
		c, inFlight := m.calls[key]
		if !inFlight {
			c = &memoCall[T]{done: make(chan struct{})}
			m.calls[key] = c
			m.mu.Unlock()
			m.run(ctx, key, c, load, keepErr)
			return c.val, c.err
		}
		c.waiters++
		m.mu.Unlock()

		select {
		case <-c.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		// The leader's context ended, not ours: its failure says nothing
		// about the table, so try again (becoming the leader if need be).
		if isContextErr(c.err) && ctx.Err() == nil {
			continue
		}
		return c.val, c.err
	}
}

// run performs c's load and publishes the result to c's waiters and, unless
// the key was dropped meanwhile, to the cache.
func (m *memo[T]) run(ctx context.Context, key string, c *memoCall[T], load func(context.Context) (T, error), keepErr func(error) bool) {
	finished := false
	defer func() {
		if finished {
			return
		}
		// load panicked: release the waiters before the panic goes on.
		c.err = pgerr.New(pgerr.InternalError, "catalog: loading %q panicked", key)
		m.mu.Lock()
		if m.calls[key] == c {
			delete(m.calls, key)
		}
		m.mu.Unlock()
		close(c.done)
	}()

	val, err := load(ctx)
	finished = true

	m.mu.Lock()
	c.val, c.err = val, err
	if m.calls[key] == c {
		delete(m.calls, key)
		if err == nil || keepErr(err) {
			m.store(key, memoEntry[T]{val: val, err: err, expires: m.now().Add(m.ttl)})
		}
	}
	m.mu.Unlock()
	close(c.done)
}

// store adds an entry, sweeping expired ones when the map has doubled since
// the last sweep. m.mu must be held.
func (m *memo[T]) store(key string, e memoEntry[T]) {
	m.entries[key] = e
	if len(m.entries) < m.sweepAt {
		return
	}
	now := m.now()
	for k, old := range m.entries {
		if !now.Before(old.expires) {
			delete(m.entries, k)
		}
	}
	m.sweepAt = max(minSweep, 2*len(m.entries))
}

// drop forgets key, including a load in flight (whose callers still get its
// result, but the cache does not keep it).
func (m *memo[T]) drop(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, key)
	delete(m.calls, key)
}

// dropAll forgets every key.
func (m *memo[T]) dropAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.entries)
	clear(m.calls)
	m.sweepAt = minSweep
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
