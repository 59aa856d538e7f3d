package signature

import (
	"net/http"
	"testing"
)

// BenchmarkVerify is the cost of checking one signed request: parsing the
// header, rebuilding a three-header signing string and verifying the MAC.
func BenchmarkVerify(b *testing.B) {
	secret := []byte("portabilling-shared-secret-0001")
	header := http.Header{"Host": {"billgate.test"}, "Date": {testDate}}
	names := []string{"(request-target)", "host", "date"}
	const method, target = "GET", "/v1/invoices?status=open&limit=10"
	signing, err := SigningString(method, target, header, names)
	if err != nil {
		b.Fatal(err)
	}
	sig, err := Sign(HMACSHA256, secret, signing)
	if err != nil {
		b.Fatal(err)
	}
	authz := authorization(Params{KeyID: "porta-1", Algorithm: HMACSHA256, Headers: names, Signature: sig})
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParseAuthorization(authz)
		if err != nil {
			b.Fatal(err)
		}
		s, err := p.SigningString(method, target, header)
		if err != nil || !Verify(p.Algorithm, secret, s, p.Signature) {
			b.Fatalf("Verify = false, %v, want true", err)
		}
	}
}
