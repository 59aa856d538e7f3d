package signature

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// CheckDigest checks an RFC 3230 Digest header against the body. Of its
// comma-separated algorithm=value entries (algorithm names are
// case-insensitive), exactly one must be SHA-256, in base64, and match the
// body's SHA-256; entries for other algorithms are ignored.
func CheckDigest(value string, body []byte) error {
	if len(value) > maxHeader {
		return invalid("Digest has %d bytes, at most %d", len(value), maxHeader)
	}
	if !isPrintable(value) {
		return invalid("Digest holds a control or non-ASCII byte")
	}
	var want []byte
	for i, entry := range strings.Split(value, ",") {
		// isToken first: it keeps EqualFold from matching Unicode look-alikes.
		alg, encoded, ok := strings.Cut(strings.Trim(entry, " "), "=")
		if !ok || !isToken(alg) || encoded == "" {
			return invalid("Digest entry %d is not algorithm=value", i+1)
		}
		if !strings.EqualFold(alg, "SHA-256") {
			continue
		}
		if want != nil {
			return invalid("Digest has SHA-256 twice")
		}
		sum, err := base64.StdEncoding.Strict().DecodeString(encoded)
		if err != nil || len(sum) != sha256.Size {
			return invalid("Digest SHA-256 is not %d bytes of base64", sha256.Size)
		}
		want = sum
	}
	if want == nil {
		return invalid("Digest has no SHA-256")
	}
	if got := sha256.Sum256(body); !bytes.Equal(got[:], want) {
		return invalid("Digest SHA-256 does not match the body")
	}
	return nil
}
