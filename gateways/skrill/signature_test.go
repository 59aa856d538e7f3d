package skrill

import (
	"strings"
	"testing"
)

// The Quick Checkout guide's Appendix "MD5 signature" defines md5sig but
// works no example through with a secret word, and the md5sig of its
// "Status URL parameters" table (327638C253A4637199CEBA6642371F20) is an
// illustration that no published secret word reproduces. The vectors here
// were computed apart from this code, with Python's hashlib, for secret
// word "secret" and the status table's example values (merchant_id 100005,
// transaction_id A205220, mb_amount 25.46, mb_currency GBP, status 2).
func TestSignatureVectors(t *testing.T) {
	secret := secretWordHash("secret")
	if want := "5EBE2294ECD0E0F08EAB7690D2A6EE69"; secret != want {
		t.Fatalf("secretWordHash(secret) = %s, want %s", secret, want)
	}
	signed := paymentSigned("100005", "A205220", secret, "25.46", "GBP", "2")
	tests := []struct {
		name, got, want string
	}{
		{"signed string", signed, "100005A2052205EBE2294ECD0E0F08EAB7690D2A6EE6925.46GBP2"},
		{"md5sig", md5sig(signed), "1C75B4AF2CC00735EE217F14B69F195C"},
		{"sha2sig", sha2sig(signed), "65F092EBDF46BFCCAF62B27BE2FE84784B018F6633C700C6382CB9268FF84EF9"},
		{"1-Tap canceled md5sig", md5sig(mandateSigned("100005", "A205220", secret, "-1", "500000001")), "DA68CD59D8BE38B63ED38711F576C6C3"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

// Skrill's one published vector of this construction is the payouts
// guide's "SIGN Parameter Calculation" example: merchant_id 299202295,
// transaction_id frn123merid, the secret word's upper-case MD5
// EE38B95C14D6CC07F48EF550C4474EE3, amount 20.45 and currency GBP
// concatenate to the string below. md5sig signs the same fields in the same
// order, then status.
func TestSignedStringMatchesSkrillsPublishedConcatenation(t *testing.T) {
	const published = "299202295frn123meridEE38B95C14D6CC07F48EF550C4474EE320.45GBP"
	got := paymentSigned("299202295", "frn123merid", "EE38B95C14D6CC07F48EF550C4474EE3", "20.45", "GBP", "2")
	if got != published+"2" {
		t.Errorf("paymentSigned = %s, want %s2", got, published)
	}
}

func TestSameDigest(t *testing.T) {
	const want = "1C75B4AF2CC00735EE217F14B69F195C"
	tests := []struct {
		name, posted string
		ok           bool
	}{
		{"as Skrill sends it", want, true},
		{"lower case", strings.ToLower(want), true},
		{"one digit changed", "1C75B4AF2CC00735EE217F14B69F195D", false},
		{"truncated", want[:30], false},
		{"not hex", "ZZ75B4AF2CC00735EE217F14B69F195C", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		if got := sameDigest(tt.posted, want); got != tt.ok {
			t.Errorf("sameDigest(%s) = %v, want %v", tt.name, got, tt.ok)
		}
	}
}
