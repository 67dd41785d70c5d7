package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// selfSignedTLS makes a server TLS config with a fresh self-signed cert.
func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fazproxy test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func TestTLS(t *testing.T) {
	cases := []struct {
		name    string
		method  AuthMethod
		user    string
		pw      string
		sslmode string
	}{
		{"scram over TLS", AuthSCRAM, "alice", "secret", "require"},
		{"cleartext over TLS", AuthPassword, "alice", "secret", "require"},
		{"prefer upgrades", AuthTrust, "alice", "", "prefer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, Config{TLS: selfSignedTLS(t), RequireTLS: true}, nil)
			ts.be.method = tc.method
			ctx := testCtx(t)
			url := ts.url(tc.user, tc.pw, "")
			url = url[:len(url)-len("sslmode=disable&connect_timeout=5")] + "sslmode=" + tc.sslmode + "&connect_timeout=5"
			conn, err := pgconn.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, ok := conn.Conn().(*tls.Conn); !ok {
				t.Errorf("client connection is %T, not TLS", conn.Conn())
			}
			if _, err := conn.Exec(ctx, "select 3").ReadAll(); err != nil {
				t.Fatal(err)
			}
			ts.be.mu.Lock()
			defer ts.be.mu.Unlock()
			if len(ts.be.sessions) != 1 || !ts.be.sessions[0].info.TLS {
				t.Error("the session was not told the connection is TLS")
			}
		})
	}
}
