package skrill

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"strings"
)

// Skrill signs its status posts with a digest of some of their fields and
// of the secret word (Quick Checkout Integration Guide, Appendix "MD5
// signature"): md5sig is the upper-case hex MD5 of merchant_id,
// transaction_id, the upper-case hex MD5 of the secret word, mb_amount,
// mb_currency and status, concatenated exactly as posted; sha2sig, when
// Merchant Services enabled it, is the same with SHA-256.

// secretWordHash is the upper-case hex MD5 of the secret word, as the
// signed string carries it.
func secretWordHash(word string) string { return upperHex(md5.New, word) }

// paymentSigned is the string md5sig and sha2sig sign in a payment's or a
// refund's status post.
func paymentSigned(merchantID, transactionID, secretHash, mbAmount, mbCurrency, status string) string {
	return merchantID + transactionID + secretHash + mbAmount + mbCurrency + status
}

// mandateSigned is the string md5sig signs in the post telling that a
// 1-Tap payment was canceled (Appendix "MD5 signature", "Cancelled
// Payment": merchant_id, transaction_id, the secret word's hash, status,
// rec_payment_id).
func mandateSigned(merchantID, transactionID, secretHash, status, recPaymentID string) string {
	return merchantID + transactionID + secretHash + status + recPaymentID
}

func md5sig(signed string) string  { return upperHex(md5.New, signed) }
func sha2sig(signed string) string { return upperHex(sha256.New, signed) }

func upperHex(h func() hash.Hash, s string) string {
	d := h()
	d.Write([]byte(s))
	return strings.ToUpper(hex.EncodeToString(d.Sum(nil)))
}

// sameDigest compares a posted signature with the expected one in constant
// time. Hex digits are compared as the bytes they spell, so a lower-case
// signature matches: Skrill sends upper case, but the digest is the same
// value either way and accepting both gives a forger nothing.
func sameDigest(posted, want string) bool {
	p, err := hex.DecodeString(posted)
	if err != nil {
		return false
	}
	w, err := hex.DecodeString(want)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(p, w) == 1
}
