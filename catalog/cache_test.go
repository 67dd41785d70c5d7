package catalog

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

func TestTTL(t *testing.T) {
	const ttl = 10 * time.Second
	ctx := context.Background()
	tests := []struct {
		name string
		// change happens (by another client) after the first lookup.
		before, after bool // does "t_1" exist before / after the change
	}{
		{"cached table", true, true},
		{"deleted by another client disappears", true, false},
		{"created by another client appears", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			if tc.before {
				f.create(simpleTable("t_1", "id", "S"))
			}
			clk := newClock()
			src := New(f, Options{TTL: ttl, Now: clk.now})
			check := func(when string, exists bool, describes, lists int) {
				t.Helper()
				_, err := src.Table(ctx, "t_1")
				if exists != (err == nil) || (err != nil && pgerr.CodeOf(err) != pgerr.UndefinedTable) {
					t.Errorf("%s: Table err = %v, want exists=%v", when, err, exists)
				}
				names, err := src.TableNames(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if exists != slices.Contains(names, "t_1") {
					t.Errorf("%s: TableNames = %v, want t_1 present=%v", when, names, exists)
				}
				if d, l, _ := f.counts(); d != describes || l != lists {
					t.Errorf("%s: %d DescribeTable, %d ListTables; want %d, %d", when, d, l, describes, lists)
				}
			}
			check("first", tc.before, 1, 1)
			if tc.before && !tc.after {
				f.drop("t_1")
			}
			if !tc.before && tc.after {
				f.create(simpleTable("t_1", "id", "S"))
			}
			clk.advance(ttl - time.Nanosecond)
			check("within TTL", tc.before, 1, 1)
			clk.advance(time.Nanosecond)
			check("at TTL", tc.after, 2, 2)
		})
	}
}

func TestSingleflight(t *testing.T) {
	const callers = 8
	tests := []struct {
		name string
		// cancelLeader cancels the first caller's context while its
		// DescribeTable is blocked: the others must still get the table.
		cancelLeader bool
		describes    int
	}{
		{"one DescribeTable for a burst", false, 1},
		{"waiters survive the leader's cancellation", true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.create(ordersTable(), ordersItems()...)
			f.gate, f.entered = make(chan struct{}), make(chan struct{}, callers)
			src := New(f, Options{}).(*source)

			leaderCtx, cancel := context.WithCancel(context.Background())
			defer cancel()
			leaderErr := make(chan error, 1)
			go func() {
				_, err := src.Table(leaderCtx, "orders")
				leaderErr <- err
			}()
			<-f.entered // the leader is inside DescribeTable

			var wg sync.WaitGroup
			errs := make(chan error, callers)
			for range callers - 1 {
				wg.Go(func() {
					tbl, err := src.Table(context.Background(), "orders")
					if err == nil && tbl.Name != "orders" {
						err = errors.New("wrong table " + tbl.Name)
					}
					errs <- err
				})
			}
			waitWaiters(t, src.tables, "orders", callers-1)

			if tc.cancelLeader {
				cancel()
				if err := <-leaderErr; !errors.Is(err, context.Canceled) {
					t.Errorf("leader: %v, want context.Canceled", err)
				}
				<-f.entered // a waiter took over
			}
			close(f.gate)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if !tc.cancelLeader {
				if err := <-leaderErr; err != nil {
					t.Error(err)
				}
			}
			if d, _, _ := f.counts(); d != tc.describes {
				t.Errorf("%d DescribeTable calls, want %d", d, tc.describes)
			}
		})
	}
}

// waitWaiters polls until n callers share key's load in flight.
func waitWaiters[T any](t *testing.T, m *memo[T], key string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m.mu.Lock()
		got := 0
		if c := m.calls[key]; c != nil {
			got = c.waiters
		}
		m.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestListTablesPagination(t *testing.T) {
	tests := []struct {
		name      string
		tables    []string
		page      int
		wantCalls int
	}{
		{"empty", nil, 2, 1},
		{"one page", []string{"bbb", "aaa"}, 100, 1},
		{"exact pages", []string{"ddd", "ccc", "bbb", "aaa"}, 2, 2},
		{"last page short", []string{"eee", "ccc", "aaa", "ddd", "bbb"}, 2, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.listPage = tc.page
			for _, name := range tc.tables {
				f.create(simpleTable(name, "id", "S"))
			}
			got, err := New(f, Options{}).TableNames(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Sorted(slices.Values(tc.tables))
			if !slices.Equal(got, want) {
				t.Errorf("names %v, want %v", got, want)
			}
			if _, l, _ := f.counts(); l != tc.wantCalls {
				t.Errorf("%d ListTables calls, want %d", l, tc.wantCalls)
			}
		})
	}
}

func TestSamplePagination(t *testing.T) {
	items := make([]item, 7)
	for i := range items {
		items[i] = item{"id": n(string(rune('0' + i)))}
	}
	items[5]["late"] = s("only in item 5")
	tests := []struct {
		name       string
		sampleSize int
		scanPage   int
		wantLimits []int32
		wantLate   bool // item 5 was read
	}{
		{"stops at sample size across pages", 5, 3, []int32{5, 2}, false},
		{"follows pages to the end", 100, 3, []int32{100, 97, 94}, true},
		{"one page", 3, 0, []int32{3}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.scanPage = tc.scanPage
			f.create(simpleTable("items", "id", "N"), items...)
			tbl, err := New(f, Options{SampleSize: tc.sampleSize}).Table(context.Background(), "items")
			if err != nil {
				t.Fatal(err)
			}
			var limits []int32
			for _, in := range f.scans {
				limits = append(limits, aws.ToInt32(in.Limit))
				if in.ReturnConsumedCapacity != types.ReturnConsumedCapacityTotal {
					t.Errorf("ReturnConsumedCapacity = %q", in.ReturnConsumedCapacity)
				}
			}
			if !slices.Equal(limits, tc.wantLimits) {
				t.Errorf("Scan limits %v, want %v", limits, tc.wantLimits)
			}
			if got := tbl.Column("late") != nil; got != tc.wantLate {
				t.Errorf("column late present = %v, want %v", got, tc.wantLate)
			}
			if want := 0.5 * float64(len(tc.wantLimits)); tbl.SampleCapacityUnits != want {
				t.Errorf("SampleCapacityUnits %v, want %v", tbl.SampleCapacityUnits, want)
			}
		})
	}
}

func TestInvalidate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name          string
		invalidate    string
		wantDescribes int // after reading a, b and a, b again
	}{
		{"one table", "a_table", 3},
		{"all tables", "", 4},
		{"unknown name drops only the list", "zzz", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.create(simpleTable("a_table", "id", "S"))
			f.create(simpleTable("b_table", "id", "S"))
			src := New(f, Options{Now: newClock().now})
			readAll := func() {
				for _, name := range []string{"a_table", "b_table"} {
					if _, err := src.Table(ctx, name); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := src.TableNames(ctx); err != nil {
					t.Fatal(err)
				}
			}
			readAll()
			src.Invalidate(tc.invalidate)
			readAll()
			if d, l, _ := f.counts(); d != tc.wantDescribes || l != 2 {
				t.Errorf("%d DescribeTable, %d ListTables; want %d, 2", d, l, tc.wantDescribes)
			}
		})
	}
}

// A load that started before Invalidate must not be cached after it: the DDL
// that caused the invalidation may have changed the table under it.
func TestInvalidateDuringLoad(t *testing.T) {
	f := newFake()
	f.create(simpleTable("a_table", "id", "S"))
	f.gate, f.entered = make(chan struct{}), make(chan struct{}, 1)
	src := New(f, Options{Now: newClock().now})
	done := make(chan error)
	go func() {
		_, err := src.Table(context.Background(), "a_table")
		done <- err
	}()
	<-f.entered
	src.Invalidate("a_table")
	close(f.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := src.Table(context.Background(), "a_table"); err != nil {
		t.Fatal(err)
	}
	if d, _, _ := f.counts(); d != 2 {
		t.Errorf("%d DescribeTable calls, want 2", d)
	}
}

func TestTransientErrorNotCached(t *testing.T) {
	f := newFake()
	f.create(simpleTable("a_table", "id", "S"))
	injected := errors.New("throttled")
	f.failNext = injected
	src := New(f, Options{Now: newClock().now})
	if _, err := src.Table(context.Background(), "a_table"); !errors.Is(err, injected) {
		t.Fatalf("first call: %v, want the injected error", err)
	}
	if _, err := src.Table(context.Background(), "a_table"); err != nil {
		t.Fatalf("second call: %v", err)
	}
}

func TestTableOID(t *testing.T) {
	// Literal values: an OID must not change between releases or restarts,
	// since clients cache them.
	stable := map[string]uint32{"orders": 25545059, "customers": 1391527995, "products": 1921792910}
	for name, want := range stable {
		if got := TableOID(name); got != want {
			t.Errorf("TableOID(%q) = %d, want %d", name, got, want)
		}
	}
	seen := map[uint32]string{}
	for i := range 2000 {
		name := "table_" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		oid := TableOID(name)
		if oid < FirstTableOID || oid >= 1<<31 {
			t.Errorf("TableOID(%q) = %d out of range", name, oid)
		}
		if other, dup := seen[oid]; dup && other != name {
			t.Errorf("TableOID(%q) = TableOID(%q) = %d", name, other, oid)
		}
		seen[oid] = name
	}
}
