package skrill

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// MaxTransactionIDLen is the longest transaction_id Skrill takes (Quick
// Checkout Integration Guide, "Parameters to be posted to Quick Checkout":
// transaction_id, max length 100).
const MaxTransactionIDLen = 100

// hashedIDPrefix starts the transaction ID of a key too long to spell out.
// transactionID never writes it otherwise: it escapes '.'.
const hashedIDPrefix = "."

// transactionID is the Skrill transaction_id (frn_trn_id for 1-Tap) of a
// billgate idempotency key. The guide limits its length and names no
// character set, so the key is spelled with letters, digits and '-' only:
// every other byte becomes "_XX" (hex), which keeps the mapping reversible
// ("0190…/1" becomes "0190…_2F1"). A key whose spelling would pass 100
// characters becomes "." and the hex SHA-256 of the key: still one ID per
// key, but no longer reversible.
func transactionID(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if isIDChar(c) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02X", c)
	}
	if b.Len() > MaxTransactionIDLen {
		sum := sha256.Sum256([]byte(key))
		return hashedIDPrefix + hex.EncodeToString(sum[:])
	}
	return b.String()
}

// idempotencyKey is the key a transaction ID spells, when transactionID
// made it reversibly.
func idempotencyKey(id string) (string, bool) {
	if id == "" || len(id) > MaxTransactionIDLen || strings.HasPrefix(id, hashedIDPrefix) {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case isIDChar(c):
			b.WriteByte(c)
		case c == '_' && i+2 < len(id):
			v, err := hex.DecodeString(id[i+1 : i+3])
			if err != nil || isIDChar(v[0]) || strings.ToUpper(id[i+1:i+3]) != id[i+1:i+3] {
				return "", false
			}
			b.WriteByte(v[0])
			i += 2
		default:
			return "", false
		}
	}
	return b.String(), true
}

// validReference reports whether reference is a transaction ID this
// adapter could have made (so it is worth asking Skrill about).
func validReference(reference string) bool {
	if h, ok := strings.CutPrefix(reference, hashedIDPrefix); ok {
		_, err := hex.DecodeString(h)
		return err == nil && len(h) == 2*sha256.Size
	}
	_, ok := idempotencyKey(reference)
	return ok
}

func isIDChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}
