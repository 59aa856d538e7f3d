package outbound

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a Standard Webhooks delivery (standard-webhooks.md,
// "Webhook headers"). net/http sends them canonicalised (Webhook-Id);
// header names are case-insensitive.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// SignHeaders sets a delivery's Standard Webhooks headers: webhook-id,
// webhook-timestamp (at, in Unix seconds) and webhook-signature, one
// "v1,<base64 HMAC-SHA256 of msgID.timestamp.body>" per key of secrets,
// space-separated in the order given: during a rotation, newest first
// (standard-webhooks.md, "Signature scheme" and "Webhook headers").
//
// msgID must be printable ASCII without spaces or full stops: a full stop
// would let one (id, timestamp, body) sign as another. Every key must have
// 24 to 64 bytes, as ParseSecret returns them. On error h is unchanged.
func SignHeaders(h http.Header, secrets [][]byte, msgID string, at time.Time, body []byte) error {
	if err := checkMessageID(msgID); err != nil {
		return err
	}
	if len(secrets) == 0 {
		return errors.New("standard webhooks: no secret to sign with")
	}
	timestamp := strconv.FormatInt(at.Unix(), 10)
	signatures := make([]string, len(secrets))
	for i, key := range secrets {
		if err := checkKeyLength(len(key)); err != nil {
			return fmt.Errorf("standard webhooks: secret %d of %d: %w", i+1, len(secrets), err)
		}
		signatures[i] = "v1," + webhookSignature(key, msgID, timestamp, body)
	}
	h.Set(HeaderWebhookID, msgID)
	h.Set(HeaderWebhookTimestamp, timestamp)
	h.Set(HeaderWebhookSignature, strings.Join(signatures, " "))
	return nil
}

// webhookSignature is the base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>").
func webhookSignature(key []byte, msgID, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + timestamp + "."))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func checkMessageID(msgID string) error {
	if msgID == "" {
		return errors.New("standard webhooks: message id is empty")
	}
	for i := 0; i < len(msgID); i++ {
		if c := msgID[i]; c <= ' ' || c > '~' || c == '.' {
			return fmt.Errorf("standard webhooks: message id %q holds %q; want printable ASCII without spaces or full stops", msgID, c)
		}
	}
	return nil
}
