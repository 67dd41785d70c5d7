package wire

import (
	"bytes"
	"net"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	cases := []struct {
		addr net.Addr
		want bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, true},
		{&net.TCPAddr{IP: net.IPv6loopback}, true},
		{&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1)}, false},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1")}, true},
		{&net.UnixAddr{Name: "/tmp/.s.PGSQL.5432", Net: "unix"}, true},
		{fakeAddr("127.0.0.2:5432"), true},
		{fakeAddr("pipe"), false},
		{nil, false},
	}
	for _, tc := range cases {
		if got := isLoopback(tc.addr); got != tc.want {
			t.Errorf("isLoopback(%v) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

type fakeAddr string

func (a fakeAddr) Network() string { return "fake" }
func (a fakeAddr) String() string  { return string(a) }

func TestCopyValuesKeepsNullsAndDetaches(t *testing.T) {
	src := [][]byte{[]byte("ab"), nil, {}, []byte("c")}
	got := copyValues(src)
	src[0][0] = 'X'
	want := [][]byte{[]byte("ab"), nil, {}, []byte("c")}
	for i := range want {
		if (got[i] == nil) != (want[i] == nil) || !bytes.Equal(got[i], want[i]) {
			t.Errorf("value %d = %q (nil %v), want %q (nil %v)", i, got[i], got[i] == nil, want[i], want[i] == nil)
		}
	}
	// Appending to one value must not overwrite the next.
	_ = append(got[0], 'Z')
	if string(got[3]) != "c" {
		t.Errorf("values share capacity: %q", got[3])
	}
}

// closeCounter is a Statement that counts Close calls.
type closeCounter struct {
	Statement
	closed int
}

func (c *closeCounter) Close() { c.closed++ }

func TestDeallocateDropsPreparedStatements(t *testing.T) {
	a, b := &closeCounter{}, &closeCounter{}
	c := &conn{stmts: map[string]*prepared{"a": {stmt: a, refs: 1}, "b": {stmt: b, refs: 1}}}
	w := resultWriter{c: c}

	if err := w.Deallocate("missing", false); err == nil {
		t.Fatal("Deallocate of an unknown name succeeded; want 26000")
	}
	if err := w.Deallocate("a", false); err != nil {
		t.Fatalf("Deallocate(a): %v", err)
	}
	if _, ok := c.stmts["a"]; ok || a.closed != 1 {
		t.Fatalf("after Deallocate(a): present=%v closed=%d", ok, a.closed)
	}
	if err := w.Deallocate("", true); err != nil {
		t.Fatalf("Deallocate ALL: %v", err)
	}
	if len(c.stmts) != 0 || b.closed != 1 {
		t.Fatalf("after DEALLOCATE ALL: %d left, b closed %d times", len(c.stmts), b.closed)
	}
}
