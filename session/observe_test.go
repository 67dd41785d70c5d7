package session

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

type statementEnd struct {
	class  string
	failed bool
}

// statementLog records StatementDone calls; package metrics is the real
// observer.
type statementLog struct {
	mu   sync.Mutex
	ends []statementEnd
}

func (l *statementLog) StatementDone(class string, _ time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ends = append(l.ends, statementEnd{class, err != nil})
}

func TestStatementObserver(t *testing.T) {
	cases := []struct {
		name string
		text string
		want []statementEnd
	}{
		{"select", "SELECT id, n FROM items", []statementEnd{{"select", false}}},
		{"explain counts as select", "EXPLAIN SELECT id FROM items", []statementEnd{{"select", false}}},
		{"unknown table fails at plan", "SELECT * FROM nosuch", []statementEnd{{"select", true}}},
		{"syntax error", "SELEC 1", []statementEnd{{"utility", true}}},
		{"set", "SET search_path = public", []statementEnd{{"utility", false}}},
		{"several", "SELECT 1; SHOW search_path", []statementEnd{{"select", false}, {"utility", false}}},
		{"native", `{"verb": "Scan", "TableName": "items"}`, []statementEnd{{"native", false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			obs := &statementLog{}
			f.backend.SetObserver(obs)
			s := f.session(t, nil)
			r := simple(context.Background(), s, c.text)
			if failed := c.want[len(c.want)-1].failed; (r.err != nil) != failed {
				t.Fatalf("err = %v, want failure %v", r.err, failed)
			}
			if len(obs.ends) != len(c.want) {
				t.Fatalf("observed %v, want %v", obs.ends, c.want)
			}
			for i := range c.want {
				if obs.ends[i] != c.want[i] {
					t.Errorf("statement %d: observed %+v, want %+v", i, obs.ends[i], c.want[i])
				}
			}
		})
	}
}

// A suspended portal is one statement, counted when its last Execute ends
// or, when the client stops early, when the portal is closed.
func TestStatementObserverSuspendedPortal(t *testing.T) {
	cases := []struct {
		name     string
		executes int // of one row each; the table has three rows
	}{
		{"read to the end", 4},
		{"closed early", 1},
		{"closed before any execute", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			obs := &statementLog{}
			f.backend.SetObserver(obs)
			s := f.session(t, nil)
			ctx := context.Background()
			stmts, err := s.Prepare(ctx, "SELECT id FROM items", nil)
			if err != nil {
				t.Fatal(err)
			}
			p, err := stmts[0].Bind(ctx, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range c.executes {
				_, suspended, err := p.Execute(ctx, 1, &recorder{})
				if err != nil {
					t.Fatal(err)
				}
				if suspended && len(obs.ends) != 0 {
					t.Fatalf("after suspended Execute %d: %d statements observed, want 0", i, len(obs.ends))
				}
			}
			p.Close()
			want := []statementEnd{{"select", false}}
			if c.executes == 0 {
				want = nil // never ran: not a statement
			}
			if len(obs.ends) != len(want) || len(want) == 1 && obs.ends[0] != want[0] {
				t.Errorf("observed %v, want %v", obs.ends, want)
			}
		})
	}
}

const selectSecret = "SELECT id, n, 'secret-value' AS x FROM items"

// Slow statements are logged at info with their cost, never their text;
// limits.slow_statement 0 turns the line off.
func TestSlowStatementLog(t *testing.T) {
	cases := []struct {
		name      string
		text      string
		threshold time.Duration
		wantSlow  bool
		wantField string // a field of the slow line
	}{
		{"everything is slow", selectSecret, time.Nanosecond, true, "requests"},
		{"off", selectSecret, 0, false, ""},
		{"fast enough", selectSecret, time.Hour, false, ""},
		{"utility statements too", "SET application_name = 'secret-value'", time.Nanosecond, true, "class"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			core, logs := observer.New(zapcore.InfoLevel)
			f.backend.log = zap.New(core)
			f.backend.SetSlowStatement(c.threshold)
			s := f.session(t, nil)
			if r := simple(context.Background(), s, c.text); r.err != nil {
				t.Fatal(r.err)
			}
			slow := logs.FilterMessage("slow statement").All()
			if (len(slow) == 1) != c.wantSlow {
				t.Fatalf("%d slow statement lines, want slow=%v", len(slow), c.wantSlow)
			}
			for _, e := range logs.All() {
				for k, v := range e.ContextMap() {
					if s, ok := v.(string); ok && strings.Contains(s, "secret-value") {
						t.Errorf("info log field %s holds the statement's text: %q", k, s)
					}
				}
			}
			if c.wantSlow && slow[0].ContextMap()[c.wantField] == nil {
				t.Errorf("slow statement fields %v, want %s", slow[0].ContextMap(), c.wantField)
			}
		})
	}
}
