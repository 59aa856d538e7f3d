// Package testcerts makes a throwaway PKI for tests of TLS to Temporal: a
// CA, a server certificate for 127.0.0.1 and localhost, and a client
// certificate, both signed by the CA, written as PEM files.
package testcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is one CA and the two certificates it signed, in memory and on disk.
type PKI struct {
	CAPEM                       []byte
	ServerCertPEM, ServerKeyPEM []byte
	ClientCertPEM, ClientKeyPEM []byte

	// Files holding the PEMs above.
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
}

// New makes a fresh PKI in a temporary directory. Two calls make two CAs
// that trust nothing of each other.
func New(t testing.TB) *PKI {
	t.Helper()
	caKey := newKey(t)
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "billgate test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER := sign(t, ca, ca, caKey, caKey)
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	p := &PKI{CAPEM: pemBlock("CERTIFICATE", caDER)}
	p.ServerCertPEM, p.ServerKeyPEM = leaf(t, caCert, caKey, 2, "temporal-frontend", x509.ExtKeyUsageServerAuth)
	p.ClientCertPEM, p.ClientKeyPEM = leaf(t, caCert, caKey, 3, "billgate", x509.ExtKeyUsageClientAuth)

	dir := t.TempDir()
	for _, f := range []struct {
		path *string
		name string
		data []byte
	}{
		{&p.CA, "ca.crt", p.CAPEM},
		{&p.ServerCert, "server.crt", p.ServerCertPEM},
		{&p.ServerKey, "server.key", p.ServerKeyPEM},
		{&p.ClientCert, "client.crt", p.ClientCertPEM},
		{&p.ClientKey, "client.key", p.ClientKeyPEM},
	} {
		*f.path = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.path, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// leaf is a certificate for 127.0.0.1 and localhost, signed by the CA.
func leaf(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64, name string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("CERTIFICATE", sign(t, tmpl, ca, key, caKey)), pemBlock("EC PRIVATE KEY", der)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, key, parentKey *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
