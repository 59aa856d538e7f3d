package paypaltest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"hash/crc32"
	"math/big"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The server signs webhooks as PayPal does: RSA PKCS #1 v1.5 over SHA-256
// ("SHA256withRSA") of "<transmission id>|<transmission time>|<webhook
// id>|<CRC-32 of the body>", with a certificate served at the
// PAYPAL-CERT-URL the delivery names. Its certificates chain to a root of
// its own (CertPool) through an intermediate, as PayPal's chain to a
// public root.

// authority is a certificate authority: a root and an intermediate that
// issues leaves.
type authority struct {
	root, intermediate *x509.Certificate
	key                crypto.Signer // the intermediate's
}

func (a *authority) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.root)
	return p
}

// pki holds the trusted authority and, made on first use, an untrusted one
// for tests of a certificate that does not chain to CertPool.
type pki struct {
	trusted *authority
	rogue   *authority
	created time.Time
}

func newPKI(now time.Time) *pki { return &pki{trusted: newAuthority("paypaltest", now), created: now} }

func (p *pki) untrusted() *authority {
	if p.rogue == nil {
		p.rogue = newAuthority("paypaltest rogue", p.created)
	}
	return p.rogue
}

// newAuthority makes a root and an intermediate (ECDSA P-256: fast to
// make; the leaves that sign webhooks are RSA).
func newAuthority(name string, now time.Time) *authority {
	rootKey := newECKey()
	root := mustCert(&x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: name + " root CA"},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(20 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, rootKey.Public(), rootKey)
	interKey := newECKey()
	inter := mustCert(&x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: name + " intermediate CA"},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign,
	}, root, interKey.Public(), rootKey)
	return &authority{root: root, intermediate: inter, key: interKey}
}

func newECKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("paypaltest: " + err.Error())
	}
	return k
}

// signingKey is the RSA key of every leaf: making one takes long, and
// tests tell certificates apart, not keys.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("paypaltest: " + err.Error())
	}
	return k
})

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// mustCert makes a certificate; parent nil makes it self-signed.
func mustCert(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		panic("paypaltest: " + err.Error())
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic("paypaltest: " + err.Error())
	}
	return c
}

// IssueOptions describe a signing certificate.
type IssueOptions struct {
	// NotBefore and NotAfter bound its validity; zero means from a day
	// before the server's now to a year after.
	NotBefore, NotAfter time.Time
	// Untrusted issues it from an authority outside CertPool.
	Untrusted bool
}

// Signer signs webhook deliveries with one certificate, served at URL.
type Signer struct {
	url string
	key *rsa.PrivateKey
}

// IssueSigner issues a signing certificate and serves it, with its
// intermediate, at a certificate URL of the server.
func (s *Server) IssueSigner(opts IssueOptions) *Signer {
	now := s.now()
	if opts.NotBefore.IsZero() {
		opts.NotBefore = now.Add(-24 * time.Hour)
	}
	if opts.NotAfter.IsZero() {
		opts.NotAfter = now.Add(365 * 24 * time.Hour)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ca := s.pki.trusted
	if opts.Untrusted {
		ca = s.pki.untrusted()
	}
	key := signingKey()
	leaf := mustCert(&x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "messageverificationcerts.paypaltest.example"},
		NotBefore: opts.NotBefore, NotAfter: opts.NotAfter, KeyUsage: x509.KeyUsageDigitalSignature,
	}, ca.intermediate, key.Public(), ca.key)
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.intermediate.Raw})...)
	id := "CERT-" + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(4)
	s.certs[id] = chain
	return &Signer{url: s.ts.URL + "/v1/notifications/certs/" + id, key: key}
}

// Signer is the server's own signer, with a valid, trusted certificate.
func (s *Server) Signer() *Signer { return s.signer }

// URL is the certificate's URL, the deliveries' PAYPAL-CERT-URL.
func (sg *Signer) URL() string { return sg.url }

// Sign signs a delivery of body to the webhook webhookID sent at at, and
// returns its headers: PAYPAL-TRANSMISSION-ID (a new UUID),
// PAYPAL-TRANSMISSION-TIME (RFC 3339), PAYPAL-TRANSMISSION-SIG (base64),
// PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO, with Content-Type.
func (sg *Signer) Sign(webhookID string, body []byte, at time.Time) http.Header {
	id, sent := uuid.NewString(), at.UTC().Format(time.RFC3339)
	signed := id + "|" + sent + "|" + webhookID + "|" + strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, sg.key, crypto.SHA256, digest[:])
	if err != nil {
		panic("paypaltest: " + err.Error())
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("PAYPAL-TRANSMISSION-ID", id)
	h.Set("PAYPAL-TRANSMISSION-TIME", sent)
	h.Set("PAYPAL-TRANSMISSION-SIG", base64.StdEncoding.EncodeToString(sig))
	h.Set("PAYPAL-CERT-URL", sg.url)
	h.Set("PAYPAL-AUTH-ALGO", "SHA256withRSA")
	return h
}

// getCert serves a signing certificate chain (PEM, the leaf first).
func (s *Server) getCert(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	chain, ok := s.certs[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		s.writeError(w, http.StatusNotFound, issue("INVALID_RESOURCE_ID", "", "path"))
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(chain)
}
