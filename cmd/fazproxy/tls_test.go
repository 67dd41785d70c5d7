package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/pgerr"
)

// testPKI is a CA and a server certificate it signed, as PEM files.
type testPKI struct {
	dir               string
	caFile            string
	certFile, keyFile string
}

// newTestPKI writes a self-signed CA and a server certificate for
// 127.0.0.1 and localhost, valid from notBefore to notAfter.
func newTestPKI(t *testing.T, notBefore, notAfter time.Time) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fazproxy test CA"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: notBefore, NotAfter: notAfter,
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{dir: dir, caFile: filepath.Join(dir, "ca.pem"), certFile: filepath.Join(dir, "server.crt"),
		keyFile: filepath.Join(dir, "server.key")}
	writePEM(t, p.caFile, "CERTIFICATE", caDER)
	writePEM(t, p.certFile, "CERTIFICATE", leafDER)
	writePEM(t, p.keyFile, "EC PRIVATE KEY", keyDER)
	return p
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBuildTLS(t *testing.T) {
	now := time.Now()
	good := newTestPKI(t, now.Add(-time.Hour), now.Add(time.Hour))
	other := newTestPKI(t, now.Add(-time.Hour), now.Add(time.Hour))
	cases := []struct {
		name    string
		cfg     *config.TLSConfig
		now     time.Time
		wantErr string
	}{
		{"no tls section", nil, now, ""},
		{"valid", &config.TLSConfig{CertFile: good.certFile, KeyFile: good.keyFile}, now, ""},
		{"expired", &config.TLSConfig{CertFile: good.certFile, KeyFile: good.keyFile}, now.Add(2 * time.Hour), "expired on"},
		{"not yet valid", &config.TLSConfig{CertFile: good.certFile, KeyFile: good.keyFile}, now.Add(-2 * time.Hour), "not valid before"},
		{"missing file", &config.TLSConfig{CertFile: filepath.Join(good.dir, "nope.crt"), KeyFile: good.keyFile}, now, "nope.crt"},
		{"key of another certificate", &config.TLSConfig{CertFile: good.certFile, KeyFile: other.keyFile}, now, "private key does not match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := buildTLS(c.cfg, c.now)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || pgerr.CodeOf(err) != pgerr.ConfigFileError {
					t.Fatalf("err = %v, want F0000 containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.cfg == nil {
				if got != nil {
					t.Error("TLS configured without a tls: section")
				}
				return
			}
			if got.MinVersion != tls.VersionTLS12 || len(got.Certificates) != 1 {
				t.Errorf("MinVersion %x, %d certificates", got.MinVersion, len(got.Certificates))
			}
		})
	}
}

// TestServeTLSWiring starts the server newProxy builds from a tls: section
// and connects with libpq's sslmode semantics (pgconn): verify-full against
// the CA succeeds and runs a query, TLS 1.1 is refused, and with
// require: true a client that does not ask for TLS gets 28000.
func TestServeTLSWiring(t *testing.T) {
	pki := newTestPKI(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	yaml := "listen: 127.0.0.1:0\nauth: {method: trust}\ntls: {cert_file: " + pki.certFile + ", key_file: " + pki.keyFile + ", require: true}\n" +
		"users: [{name: u}]\ndatabases: [{name: shop, username: a, password: b, extra: {endpoint_url: 'http://127.0.0.1:1'}}]\n" +
		"permissions: [{database: shop, access: R}]\n"
	cfg, err := config.Parse("faz.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	p, err := newProxy(context.Background(), cfg, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.server.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.server.Shutdown(ctx)
	})
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	cases := []struct {
		name, dsn string
		wantCode  string
	}{
		{"verify-full", "postgres://u@localhost:" + port + "/shop?sslmode=verify-full&sslrootcert=" + pki.caFile, ""},
		{"require", "postgres://u@" + host + ":" + port + "/shop?sslmode=require", ""},
		{"disable is refused", "postgres://u@" + host + ":" + port + "/shop?sslmode=disable", "28000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, err := pgconn.Connect(ctx, c.dsn+"&connect_timeout=5")
			if c.wantCode != "" {
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != c.wantCode {
					t.Errorf("err = %v, want SQLSTATE %s", err, c.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, ok := conn.Conn().(*tls.Conn); !ok {
				t.Errorf("connection is %T, not TLS", conn.Conn())
			}
			res, err := conn.Exec(ctx, "SELECT 40 + 2").ReadAll()
			if err != nil || len(res) != 1 || len(res[0].Rows) != 1 || string(res[0].Rows[0][0]) != "42" {
				t.Errorf("SELECT over TLS: %v %v", res, err)
			}
		})
	}
	t.Run("TLS 1.1 is refused", func(t *testing.T) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// SSLRequest: length 8, code 80877103.
		if _, err := conn.Write([]byte{0, 0, 0, 8, 4, 210, 22, 47}); err != nil {
			t.Fatal(err)
		}
		answer := make([]byte, 1)
		if _, err := conn.Read(answer); err != nil || answer[0] != 'S' {
			t.Fatalf("SSLRequest answer %q, %v", answer, err)
		}
		tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}) //nolint:gosec // the point of the test
		if err := tc.Handshake(); err == nil {
			t.Error("a TLS 1.1 handshake succeeded")
		}
	})
}
