package skrill

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// The names of an account's credentials.
const (
	// CredMerchantID is the account's numeric merchant ID, posted back as
	// merchant_id and signed in md5sig.
	CredMerchantID = "merchantId"
	// CredEmail is the account's email: pay_to_email at Quick Checkout and
	// the login of the API and MQI.
	CredEmail = "email"
	// CredSecretWord is the secret word of Settings > Developer Settings,
	// which status posts are signed with.
	CredSecretWord = "secretWord"
	// CredAPIPassword is the API/MQI password of Settings > Developer
	// Settings (not the account's login password).
	CredAPIPassword = "apiPassword"
	// CredSignature is "md5" (the default) or "sha2": "sha2" when Merchant
	// Services enabled sha2sig, which status posts must then carry.
	CredSignature = "signature"
	// CredOneTapMaxAmount, when set, is the most a 1-Tap renewal may take
	// ("100.00", in the first payment's currency), if more than the first
	// payment: a plan that grows needs room (ondemand_max_amount).
	CredOneTapMaxAmount = "oneTapMaxAmount"
)

// The values of CredSignature.
const (
	SignatureMD5  = "md5"
	SignatureSHA2 = "sha2"
)

// maxPayToEmailLen is pay_to_email's limit (Quick Checkout Integration
// Guide, "Parameters to be posted to Quick Checkout").
const maxPayToEmailLen = 50

// maxSecretWordLen is the secret word's limit (Appendix "MD5 signature",
// "Secret Word": lower case, at most 10 characters, no special
// characters).
const maxSecretWordLen = 10

// minAPIPasswordLen is the API/MQI password's minimum (1-Tap, "1-Tap
// configuration": at least 8 characters, one alphabetic and one
// non-alphabetic).
const minAPIPasswordLen = 8

// credentials are an account's credentials, checked and in the forms
// Skrill's interfaces take.
type credentials struct {
	merchantID string
	email      string
	// secretHash is the upper-case hex MD5 of the secret word, as md5sig
	// signs it.
	secretHash string
	// passwordHash is the lower-case hex MD5 of the API/MQI password, the
	// only form the API and MQI accept.
	passwordHash string
	requireSHA2  bool
	// oneTapMax is CredOneTapMaxAmount as given; "" for none.
	oneTapMax string
}

func credentialList() []gateways.Credential {
	return []gateways.Credential{
		{Name: CredMerchantID},
		{Name: CredEmail},
		{Name: CredSecretWord, Secret: true},
		{Name: CredAPIPassword, Secret: true},
		{Name: CredSignature, Optional: true},
		{Name: CredOneTapMaxAmount, Optional: true},
	}
}

func parseCredentials(values map[string]string) (credentials, error) {
	field := func(name, msg string) error {
		return &billing.FieldError{Field: "credentials." + name, Message: msg}
	}
	c := credentials{merchantID: values[CredMerchantID], email: values[CredEmail]}
	if c.merchantID == "" || len(c.merchantID) > 20 || !digits(c.merchantID) {
		return credentials{}, field(CredMerchantID, "must be the account's numeric merchant ID")
	}
	if !validEmail(c.email, maxPayToEmailLen) {
		return credentials{}, field(CredEmail, "must be the account's email address, at most 50 characters")
	}
	word := values[CredSecretWord]
	if word == "" || len(word) > maxSecretWordLen || !lowerAlnum(word) {
		return credentials{}, field(CredSecretWord, "must be 1 to 10 lower-case letters and digits, as Skrill's Developer Settings take it")
	}
	c.secretHash = secretWordHash(word)
	password := values[CredAPIPassword]
	if !validAPIPassword(password) {
		return credentials{}, field(CredAPIPassword, "must be the API/MQI password: at least 8 characters, with a letter and a non-letter")
	}
	sum := md5.Sum([]byte(password))
	c.passwordHash = hex.EncodeToString(sum[:])
	switch values[CredSignature] {
	case "", SignatureMD5:
	case SignatureSHA2:
		c.requireSHA2 = true
	default:
		return credentials{}, field(CredSignature, `must be "md5" or "sha2"`)
	}
	if c.oneTapMax = values[CredOneTapMaxAmount]; c.oneTapMax != "" && !positiveDecimal(c.oneTapMax) {
		return credentials{}, field(CredOneTapMaxAmount, `must be a positive decimal amount, such as "100.00"`)
	}
	return c, nil
}

// positiveDecimal accepts what an amount of any currency may be: digits,
// then at most three decimals, above zero. The first payment's currency
// says which decimals it takes.
func positiveDecimal(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	return whole != "" && len(whole) <= 15 && digits(whole) && len(frac) <= 3 && digits(frac) && strings.Trim(whole+frac, "0") != ""
}

func lowerAlnum(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func validAPIPassword(p string) bool {
	letter, other := false, false
	for _, r := range p {
		if unicode.IsLetter(r) {
			letter = true
		} else {
			other = true
		}
	}
	return len(p) >= minAPIPasswordLen && letter && other
}

// oneTapCeiling is the most a 1-Tap renewal of the first payment may take:
// the account's CredOneTapMaxAmount in the payment's currency when it is
// more (and that currency can write it), else the first payment's amount.
func (c credentials) oneTapCeiling(first billing.Money) billing.Money {
	if c.oneTapMax == "" {
		return first
	}
	ceiling, err := parseAmount(c.oneTapMax, first.Currency)
	if err != nil || ceiling.Amount <= first.Amount {
		return first
	}
	return ceiling
}
