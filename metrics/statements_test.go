package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestStatements(t *testing.T) {
	type done struct {
		class string
		err   error
	}
	boom := errors.New("boom")
	cases := []struct {
		name  string
		runs  []done
		class string
		ok    float64
		fail  float64
		count uint64 // histogram samples of class
	}{
		{"selects", []done{{"select", nil}, {"select", nil}, {"select", boom}}, "select", 2, 1, 3},
		{"other classes do not count", []done{{"insert", nil}, {"ddl", boom}}, "select", 0, 0, 0},
		{"unknown class is utility", []done{{"VACUUM FULL secret", nil}}, "utility", 1, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := New()
			for _, d := range c.runs {
				r.StatementDone(d.class, 20*time.Millisecond, d.err)
			}
			if got := testutil.ToFloat64(r.statements.total.WithLabelValues(c.class, "ok")); got != c.ok {
				t.Errorf("ok = %v, want %v", got, c.ok)
			}
			if got := testutil.ToFloat64(r.statements.total.WithLabelValues(c.class, "error")); got != c.fail {
				t.Errorf("error = %v, want %v", got, c.fail)
			}
			if got := histogramCount(t, r, "fazproxy_statement_duration_seconds", "class", c.class); got != c.count {
				t.Errorf("duration samples = %d, want %d", got, c.count)
			}
			for _, d := range c.runs {
				if !knownClass(d.class) && testutil.ToFloat64(r.statements.total.WithLabelValues(d.class, "ok")) != 0 {
					t.Errorf("class %q became a label value", d.class)
				}
			}
		})
	}
}

// histogramCount reads the sample count of the histogram name whose label
// key has value, through the registry as a scrape would.
func histogramCount(t *testing.T, r *Registry, name, key, value string) uint64 {
	t.Helper()
	families, err := r.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == key && l.GetValue() == value {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}
