package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TemporalAuth is how `billgate api` and `billgate worker` prove who they are
// to a production Temporal, and check that it is the Temporal they meant.
type TemporalAuth struct {
	TLSCert, TLSKey string // client certificate and key files: mutual TLS
	TLSCA           string // CA file that signed the frontend's certificate; empty: the system's roots
	TLSServerName   string // name the frontend's certificate must carry; empty: the host of --temporal
	// APIKey is sent as "Authorization: Bearer" on every call. It always
	// travels over TLS, as Temporal Cloud requires: in plain text anyone on
	// the path could replay it.
	APIKey string
}

// TLS tells whether the connection to Temporal is encrypted.
func (a TemporalAuth) TLS() bool {
	return a.TLSCert != "" || a.TLSKey != "" || a.TLSCA != "" || a.TLSServerName != "" || a.APIKey != ""
}

// Authenticated tells whether billgate presents a credential to Temporal.
func (a TemporalAuth) Authenticated() bool { return a.TLSCert != "" || a.APIKey != "" }

// TLSConfig reads the files and returns the client's TLS, or nil for plain
// text. The client certificate is read again at every handshake, so a
// rotated certificate (cert-manager renews the Secret's files in place) is
// picked up by the next connection without a restart.
func (a TemporalAuth) TLSConfig() (*tls.Config, error) {
	if !a.TLS() {
		return nil, nil
	}
	if (a.TLSCert == "") != (a.TLSKey == "") {
		return nil, errors.New("--temporal-tls-cert and --temporal-tls-key: give both or neither")
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: a.TLSServerName}
	if a.TLSCA != "" {
		pem, err := os.ReadFile(a.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("--temporal-tls-ca: %w", err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--temporal-tls-ca %s: no PEM certificate in it", a.TLSCA)
		}
	}
	if a.TLSCert != "" {
		if _, err := a.clientCertificate(); err != nil {
			return nil, err
		}
		conf.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return a.clientCertificate() }
	}
	return conf, nil
}

func (a TemporalAuth) clientCertificate() (*tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(a.TLSCert, a.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("--temporal-tls-cert %s, --temporal-tls-key %s: %w", a.TLSCert, a.TLSKey, err)
	}
	return &cert, nil
}
