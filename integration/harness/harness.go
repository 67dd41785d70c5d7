// Package harness starts the real things the integration tests run against:
// DynamoDB Local (via scripts/dynamodb-local), a throwaway reference
// PostgreSQL holding the demo data (for differential tests), and the fazproxy
// binary itself.
//
// Each service has two entry points: StartX(ctx, t) for a single test, which
// registers its stop with t.Cleanup and calls t.Fatal (never t.Skip) when the
// service cannot start, and X(ctx, r) returning an error, for TestMain, where
// r is a *Stack whose Close stops everything in reverse order:
//
//	func TestMain(m *testing.M) {
//		ctx := context.Background()
//		var st harness.Stack
//		endpoint, err := harness.DynamoDBLocal(ctx, &st)
//		...
//		code := m.Run()
//		st.Close()
//		os.Exit(code)
//	}
//
// Nothing here keeps package-level state; the fazproxy binary is built once
// per test process into integration/.work/bin (see Build).
package harness

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Registrar registers a function to run when the test (or the suite) ends.
// testing.TB and *Stack satisfy it.
type Registrar interface {
	Cleanup(func())
}

// Stack is a Registrar for TestMain: Close runs the registered functions in
// reverse order of registration. The zero value is ready to use.
type Stack struct {
	mu  sync.Mutex
	fns []func()
}

// Cleanup registers f to run at Close.
func (s *Stack) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fns = append(s.fns, f)
}

// Close runs the registered functions, last registered first. It is safe to
// call more than once.
func (s *Stack) Close() {
	for {
		s.mu.Lock()
		if len(s.fns) == 0 {
			s.mu.Unlock()
			return
		}
		f := s.fns[len(s.fns)-1]
		s.fns = s.fns[:len(s.fns)-1]
		s.mu.Unlock()
		f()
	}
}

// RepoRoot returns the root of the fazproxy module (the directory holding its
// go.mod), found from the working directory (go test runs in the package
// directory) or, failing that, from this source file's location.
func RepoRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			b, err := os.ReadFile(filepath.Join(d, "go.mod"))
			if err == nil && bytes.Contains(b, []byte("module github.com/fazproxy/fazproxy\n")) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", errors.New("harness: cannot find the fazproxy module root (go.mod) above the working directory")
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("harness: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Tail returns the last n lines of a file ("" if it cannot be read).
func Tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
