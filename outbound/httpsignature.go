package outbound

import (
	"net/http"
	"strings"
	"time"

	"github.com/billgate/billgate/auth/signature"
)

// validateSignature checks signature's keyId, which goes into a quoted
// string that takes no escapes (draft-cavage-http-signatures-12 §2.1),
// its algorithm, and that there is a key.
func (a Auth) validateSignature() []error {
	var errs []error
	if err := required("key_id", a.KeyID); err != nil {
		errs = append(errs, err)
	} else if !isPrintableASCII(a.KeyID) || strings.ContainsAny(a.KeyID, `"\`) {
		errs = append(errs, fieldError("key_id", "%q must be printable ASCII without quotes or backslashes", a.KeyID))
	}
	switch a.Algorithm {
	case signature.HMACSHA1, signature.HMACSHA256:
	case "":
		errs = append(errs, fieldError("algorithm", "is required: %s or %s", signature.HMACSHA1, signature.HMACSHA256))
	default:
		errs = append(errs, fieldError("algorithm", "is %q; want %s or %s", a.Algorithm, signature.HMACSHA1, signature.HMACSHA256))
	}
	if err := required("secret", string(a.Secret)); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// signatureHeaders are the Date header of a delivery made at now and an
// Authorization header signing it: `Signature keyId="…",algorithm="…",
// headers="date",signature="<base64 MAC of 'date: <Date>'>"`
// (draft-cavage-http-signatures-12 §2.1 and §2.3), written as npm
// http-signature writes it.
func (a Auth) signatureHeaders(now time.Time) (date, authorization string, err error) {
	date = now.UTC().Format(http.TimeFormat)
	signed := []string{"date"}
	// Only date is signed: the method and target go unused.
	signing, err := signature.SigningString("", "", http.Header{"Date": {date}}, signed)
	if err != nil {
		return "", "", err
	}
	mac, err := signature.Sign(a.Algorithm, []byte(a.Secret), signing)
	if err != nil {
		return "", "", err
	}
	params := signature.Params{KeyID: a.KeyID, Algorithm: a.Algorithm, Headers: signed, Signature: mac}
	return date, params.Authorization(), nil
}
