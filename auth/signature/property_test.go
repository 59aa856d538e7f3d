package signature

import (
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const (
	nameChars  = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
	pathChars  = "abcdefghijklmnopqrstuvwxyz0123456789/?&=%-._~"
	valueChars = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\t"
)

func randomString(r *rand.Rand, chars string, minLen, maxLen int) string {
	b := make([]byte, minLen+r.IntN(maxLen-minLen+1))
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}

// randomRequest is a request and the names to sign: (request-target) and
// some of its headers, in random order and case.
func randomRequest(r *rand.Rand) (method, target string, header http.Header, names []string) {
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "REPORT"}
	method = methods[r.IntN(len(methods))]
	target = "/" + randomString(r, pathChars, 0, 40)
	header = http.Header{}
	names = []string{"(request-target)"}
	for range 1 + r.IntN(6) {
		name := randomString(r, nameChars, 1, 12)
		for range r.IntN(3) + 1 {
			header.Add(name, randomString(r, valueChars, 0, 30))
		}
		names = append(names, name)
	}
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	return method, target, header, names
}

// Signing, writing the header, parsing it, rebuilding the signing string
// and verifying round-trip; any one byte changed in the signing string or
// the signature fails.
func TestSignVerifyProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		method, target, header, names := randomRequest(r)
		alg := []string{HMACSHA1, HMACSHA256}[r.IntN(2)]
		secret := []byte(randomString(r, valueChars, 1, 64))
		signing, err := SigningString(method, target, header, names)
		if err != nil {
			t.Fatalf("#%d: SigningString(%q, %q, %v) error = %v", i, method, target, names, err)
		}
		sig, err := Sign(alg, secret, signing)
		if err != nil {
			t.Fatalf("#%d: Sign error = %v", i, err)
		}
		sent := Params{KeyID: randomString(r, nameChars, 1, 20), Algorithm: alg, Headers: lower(names), Signature: sig}
		p, err := ParseAuthorization(authorization(sent))
		if err != nil || !reflect.DeepEqual(p, sent) {
			t.Fatalf("#%d: ParseAuthorization(%q) = %+v, %v, want %+v", i, authorization(sent), p, err, sent)
		}
		rebuilt, err := p.SigningString(method, target, header)
		if err != nil || rebuilt != signing {
			t.Fatalf("#%d: Params.SigningString = %q, %v, want %q", i, rebuilt, err, signing)
		}
		if !Verify(p.Algorithm, secret, rebuilt, p.Signature) {
			t.Fatalf("#%d: Verify = false, want true", i)
		}

		changed := []byte(signing)
		pos := r.IntN(len(changed))
		changed[pos] ^= byte(1 + r.IntN(255))
		if Verify(alg, secret, string(changed), sig) {
			t.Errorf("#%d: Verify(signing string with byte %d changed) = true, want false", i, pos)
		}
		badSig := append([]byte(nil), sig...)
		pos = r.IntN(len(badSig))
		badSig[pos] ^= byte(1 + r.IntN(255))
		if Verify(alg, secret, signing, badSig) {
			t.Errorf("#%d: Verify(signature with byte %d changed) = true, want false", i, pos)
		}
	}
}

func lower(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ToLower(n)
	}
	return out
}
