package main

import (
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/pgerr"
)

// buildTLS turns faz.yaml's tls: section into the listener's TLS
// configuration: TLS 1.2 or later (PostgreSQL's default
// ssl_min_protocol_version), Go's default cipher suites. A certificate that
// cannot be loaded, or is outside its validity period, stops the start-up:
// a server that cannot complete a handshake would fail every client later
// and less clearly. nil t means no TLS (SSLRequest is answered 'N').
func buildTLS(t *config.TLSConfig, now time.Time) (*tls.Config, error) {
	if t == nil {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.ConfigFileError, "tls: loading cert_file %s and key_file %s", t.CertFile, t.KeyFile)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.ConfigFileError, "tls: parsing cert_file %s", t.CertFile)
	}
	switch {
	case now.After(leaf.NotAfter):
		return nil, pgerr.New(pgerr.ConfigFileError, "tls: the certificate in %s expired on %s", t.CertFile, leaf.NotAfter.UTC().Format(time.RFC3339)).
			WithHint("renew the certificate; clients with sslmode=verify-ca or verify-full refuse it")
	case now.Before(leaf.NotBefore):
		return nil, pgerr.New(pgerr.ConfigFileError, "tls: the certificate in %s is not valid before %s", t.CertFile, leaf.NotBefore.UTC().Format(time.RFC3339)).
			WithHint("check this machine's clock")
	}
	cert.Leaf = leaf
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
