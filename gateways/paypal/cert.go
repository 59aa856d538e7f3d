package paypal

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// maxCachedCerts bounds the certificate cache: PayPal signs with few
// certificates, and URLs are taken from allowed hosts only.
const maxCachedCerts = 32

// certChain is a downloaded certificate: the leaf that signs, and the
// intermediates served with it.
type certChain struct {
	leaf          *x509.Certificate
	intermediates *x509.CertPool
}

// certCache downloads webhook certificates once per URL.
type certCache struct {
	http  *http.Client
	roots *x509.CertPool

	mu    sync.Mutex
	byURL map[string]*certChain
}

// errBadCert is wrapped when a certificate does not do: the caller reports
// the webhook's signature as bad.
var errBadCert = errors.New("webhook certificate")

// get is the chain at rawURL, downloaded on first use. A failure to
// download is transient (the caller answers so, and PayPal redelivers); a
// document that is no certificate wraps errBadCert.
func (c *certCache) get(ctx context.Context, rawURL string) (*certChain, error) {
	c.mu.Lock()
	chain, ok := c.byURL[rawURL]
	c.mu.Unlock()
	if ok {
		return chain, nil
	}
	chain, err := c.download(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.byURL) >= maxCachedCerts {
		clear(c.byURL)
	}
	c.byURL[rawURL] = chain
	c.mu.Unlock()
	return chain, nil
}

func (c *certCache) download(ctx context.Context, rawURL string) (*certChain, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadCert, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transient(fmt.Errorf("download webhook certificate: %w", err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	switch {
	case err != nil:
		return nil, transient(fmt.Errorf("download webhook certificate: %w", err))
	case retryable(resp.StatusCode):
		return nil, transient(fmt.Errorf("download webhook certificate: HTTP %d", resp.StatusCode))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: %s answered HTTP %d", errBadCert, rawURL, resp.StatusCode)
	}
	return parseChain(body)
}

// parseChain reads PEM certificates, the leaf first.
func parseChain(b []byte) (*certChain, error) {
	chain := &certChain{intermediates: x509.NewCertPool()}
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errBadCert, err)
		}
		if chain.leaf == nil {
			chain.leaf = cert
		} else {
			chain.intermediates.AddCert(cert)
		}
	}
	if chain.leaf == nil {
		return nil, fmt.Errorf("%w: no PEM certificate in the document", errBadCert)
	}
	return chain, nil
}

// verify checks that the leaf chains up to roots (nil: the system's) and
// that every certificate is valid at now.
func (c *certChain) verify(roots *x509.CertPool, now time.Time) error {
	_, err := c.leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: c.intermediates,
		CurrentTime:   now,
		// PayPal's signing certificate is not a TLS server certificate.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("%w %q: %w", errBadCert, c.leaf.Subject.CommonName, err)
	}
	return nil
}
