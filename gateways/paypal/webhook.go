package paypal

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/billgate/billgate/gateways"
)

// The headers of a webhook delivery (verify_webhook_signature in
// notifications_webhooks_v1.json names each as the source of a field).
const (
	HeaderTransmissionID   = "PAYPAL-TRANSMISSION-ID"
	HeaderTransmissionTime = "PAYPAL-TRANSMISSION-TIME"
	HeaderTransmissionSig  = "PAYPAL-TRANSMISSION-SIG"
	HeaderCertURL          = "PAYPAL-CERT-URL"
	HeaderAuthAlgo         = "PAYPAL-AUTH-ALGO"
)

// AuthAlgo is the one signature algorithm PayPal uses and billgate takes:
// RSA PKCS #1 v1.5 over SHA-256.
const AuthAlgo = "SHA256withRSA"

// SignedString is what PayPal signs for a delivery:
// "<transmission id>|<transmission time>|<webhook id>|<CRC-32 (IEEE) of
// the raw body, in unsigned decimal>".
func SignedString(transmissionID, transmissionTime, webhookID string, body []byte) string {
	return transmissionID + "|" + transmissionTime + "|" + webhookID + "|" + strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
}

// ReadWebhook implements gateways.WebhookReader. The signature is verified
// here, without asking PayPal: the transmission time must be within the
// tolerance of now, the certificate URL https on an allowed host, the
// certificate (downloaded once per URL) must chain to the roots and be
// valid now, and its key must verify PAYPAL-TRANSMISSION-SIG over
// SignedString with the account's webhook ID. Then the event is read (see
// readEvent).
func (g *Gateway) ReadWebhook(ctx context.Context, header http.Header, body []byte) (gateways.Event, error) {
	if err := g.verify(ctx, header, body); err != nil {
		return gateways.Event{}, err
	}
	return g.readEvent(ctx, body)
}

func (g *Gateway) verify(ctx context.Context, header http.Header, body []byte) error {
	h := map[string]string{}
	for _, name := range []string{HeaderTransmissionID, HeaderTransmissionTime, HeaderTransmissionSig, HeaderCertURL, HeaderAuthAlgo} {
		if h[name] = header.Get(name); h[name] == "" {
			return badSignature("no %s header", name)
		}
	}
	if !strings.EqualFold(h[HeaderAuthAlgo], AuthAlgo) {
		return badSignature("%s %q is not %s", HeaderAuthAlgo, h[HeaderAuthAlgo], AuthAlgo)
	}
	sent, err := time.Parse(time.RFC3339Nano, h[HeaderTransmissionTime])
	if err != nil {
		return badSignature("%s %q is not an RFC 3339 time", HeaderTransmissionTime, h[HeaderTransmissionTime])
	}
	now := g.now()
	if d := now.Sub(sent); d > g.tolerance || d < -g.tolerance {
		return badSignature("sent at %s, %s from now, more than %s", h[HeaderTransmissionTime], d.Round(time.Second), g.tolerance)
	}
	if err := g.checkCertURL(h[HeaderCertURL]); err != nil {
		return badSignature("%s: %v", HeaderCertURL, err)
	}
	sig, err := base64.StdEncoding.DecodeString(h[HeaderTransmissionSig])
	if err != nil {
		return badSignature("%s is not base64: %v", HeaderTransmissionSig, err)
	}
	chain, err := g.certs.get(ctx, h[HeaderCertURL])
	if errors.Is(err, errBadCert) {
		return badSignature("%v", err)
	}
	if err != nil {
		return err
	}
	if err := chain.verify(g.certs.roots, now); err != nil {
		return badSignature("%v", err)
	}
	pub, ok := chain.leaf.PublicKey.(*rsa.PublicKey)
	if !ok {
		return badSignature("the certificate's key is not RSA")
	}
	digest := sha256.Sum256([]byte(SignedString(h[HeaderTransmissionID], h[HeaderTransmissionTime], g.webhookID, body)))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return badSignature("the signature does not match the body, transmission and webhook ID")
	}
	return nil
}

// checkCertURL allows https URLs on the allowed hosts only, before anything
// is downloaded from them.
func (g *Gateway) checkCertURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("%q is not https", raw)
	}
	for _, h := range g.certHosts {
		if strings.EqualFold(u.Host, h) || strings.EqualFold(u.Hostname(), h) {
			return nil
		}
	}
	return fmt.Errorf("host %q is not one of %v", u.Host, g.certHosts)
}

func badSignature(format string, args ...any) error {
	return permanent(fmt.Errorf("%w: %s", gateways.ErrBadSignature, fmt.Sprintf(format, args...)))
}
