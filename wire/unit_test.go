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
