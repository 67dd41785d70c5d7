package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/integration/harness"
)

// tlsFiles are a test CA and a server certificate it signed for 127.0.0.1
// and localhost, as PEM files in a temporary directory.
type tlsFiles struct{ ca, cert, key string }

func makeTLSFiles(t *testing.T) tlsFiles {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fazproxy integration CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
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
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	f := tlsFiles{ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "server.crt"), key: filepath.Join(dir, "server.key")}
	for path, block := range map[string]*pem.Block{
		f.ca: {Type: "CERTIFICATE", Bytes: caDER}, f.cert: {Type: "CERTIFICATE", Bytes: leafDER},
		f.key: {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

const tlsPassword = "tls-test-Secret-1"

// tlsConfig serves the demo data over TLS only, with SCRAM-SHA-256.
func tlsConfig(t *testing.T, f tlsFiles) string {
	t.Helper()
	v, err := config.MakeVerifier(tlsPassword, 4096)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`listen: "{{listen}}"
tls:
  cert_file: %s
  key_file: %s
  require: true
auth:
  method: scram-sha-256
users:
  - name: alice
    password: %q
databases:
  - name: demo
    username: local
    password: local
    extra:
      endpoint_url: %s
permissions:
  - database: demo
    access: R
`, f.cert, f.key, v, env.endpoint)
}

// TestTLS runs fazproxy with a tls: section and require: true: psql and
// pgx connect with sslmode=require and with verify-full against the test
// CA and run a query; a client that does not ask for TLS is refused with
// 28000; a wrong password is refused after the failure delay and logged
// without the password.
func TestTLS(t *testing.T) {
	f := makeTLSFiles(t)
	p := harness.StartFazproxyProcess(t, env.binary, tlsConfig(t, f))
	_, port, _ := net.SplitHostPort(p.Addr)
	conninfo := func(host, extra string) string {
		return fmt.Sprintf("host=%s port=%s user=alice dbname=demo connect_timeout=10 %s", host, port, extra)
	}
	const query = "SELECT name FROM products WHERE sku = 10001"
	cases := []struct {
		name, conninfo string
		wantCode       string // "" = connects and runs the query
	}{
		{"require", conninfo("127.0.0.1", "sslmode=require"), ""},
		{"verify-full", conninfo("localhost", "sslmode=verify-full sslrootcert="+f.ca), ""},
		{"verify-ca by address", conninfo("127.0.0.1", "sslmode=verify-ca sslrootcert="+f.ca), ""},
		{"disable is refused", conninfo("127.0.0.1", "sslmode=disable"), "28000"},
	}
	for _, c := range cases {
		t.Run("psql "+c.name, func(t *testing.T) {
			out, err := tlsPsql(t, c.conninfo, tlsPassword, "-Atc", query)
			if c.wantCode != "" {
				if err == nil || !strings.Contains(out, "SSL connection is required") {
					t.Errorf("psql was not refused: %v\n%s", err, out)
				}
				return
			}
			if err != nil || strings.TrimSpace(out) != "Mini Thingamajig" {
				t.Errorf("psql: %v\n%s", err, out)
			}
		})
		t.Run("pgx "+c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, c.conninfo+" password="+tlsPassword)
			if c.wantCode != "" {
				if !hasCode(err, c.wantCode) {
					t.Errorf("err = %v, want SQLSTATE %s", err, c.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
				t.Errorf("pgx connection is %T, not TLS", conn.PgConn().Conn())
			}
			var name string
			if err := conn.QueryRow(ctx, query).Scan(&name); err != nil || name != "Mini Thingamajig" {
				t.Errorf("query: %q, %v", name, err)
			}
		})
	}
	t.Run("wrong password is delayed and logged", func(t *testing.T) {
		const wrong = "not-the-Password-9"
		start := time.Now()
		out, err := tlsPsql(t, conninfo("127.0.0.1", "sslmode=require"), wrong, "-Atc", "SELECT 1")
		took := time.Since(start)
		if err == nil || !strings.Contains(out, "password authentication failed") {
			t.Fatalf("psql with a wrong password: %v\n%s", err, out)
		}
		if took < 200*time.Millisecond {
			t.Errorf("the failure came back after %s, before the delay", took)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(p.LogTail(50), "authentication failed") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		log := p.LogTail(50)
		if !strings.Contains(log, "authentication failed") || !strings.Contains(log, `"alice"`) {
			t.Errorf("the failure was not logged with the user:\n%s", log)
		}
		if strings.Contains(log, wrong) || strings.Contains(log, tlsPassword) {
			t.Errorf("a password reached the log:\n%s", log)
		}
	})
}

// tlsPsql runs psql with a conninfo string and returns its combined output.
func tlsPsql(t *testing.T, conninfo, password string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", append([]string{"-X", "-d", conninfo}, args...)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGSSLMODE=", "PGSSLROOTCERT=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
