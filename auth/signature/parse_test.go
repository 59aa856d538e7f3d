package signature

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	testSig    = bytes.Repeat([]byte{0xfb}, 32)
	testSigB64 = base64.StdEncoding.EncodeToString(testSig)
	sigParam   = `signature="` + testSigB64 + `"`
)

func TestParseAuthorization(t *testing.T) {
	full := Params{KeyID: "porta-1", Algorithm: HMACSHA256, Headers: []string{"(request-target)", "host", "date"}, Signature: testSig}
	dateOnly := Params{KeyID: "porta-1", Algorithm: HMACSHA256, Headers: []string{"date"}, Signature: testSig}
	tests := []struct {
		name   string
		header string
		want   Params
	}{
		{"every parameter", `Signature keyId="porta-1",algorithm="hmac-sha256",headers="(request-target) host date",` + sigParam, full},
		{"headers absent: date", `Signature keyId="porta-1",algorithm="hmac-sha256",` + sigParam, dateOnly},
		{"lower-case scheme", `signature keyId="porta-1",algorithm="hmac-sha256",` + sigParam, dateOnly},
		{"upper-case scheme", `SIGNATURE keyId="porta-1",algorithm="hmac-sha256",` + sigParam, dateOnly},
		{"spaces after the scheme", `Signature   keyId="porta-1",algorithm="hmac-sha256",` + sigParam, dateOnly},
		{"spaces around commas", `Signature keyId="porta-1" , algorithm="hmac-sha256",  ` + sigParam + `  `, dateOnly},
		{"another order", `Signature ` + sigParam + `,headers="(request-target) host date",algorithm="hmac-sha256",keyId="porta-1"`, full},
		{"no algorithm", `Signature keyId="porta-1",` + sigParam,
			Params{KeyID: "porta-1", Headers: []string{"date"}, Signature: testSig}},
		{"names and values in any case", `Signature KEYID="porta-1",Algorithm="HMAC-SHA256",HEADERS="(Request-Target) Host DATE",Signature="` + testSigB64 + `"`, full},
		{"unknown parameters ignored", `Signature keyId="porta-1",opaque="x",ext=token,algorithm="hmac-sha256",` + sigParam, dateOnly},
		{"draft-cavage-12 example form", `Signature keyId="rsa-key-1",algorithm="hs2019", created=1402170695, expires=1402170699, headers="(request-target) (created) (expires) host date digest content-length", ` + sigParam,
			Params{KeyID: "rsa-key-1", Algorithm: "hs2019", Headers: []string{"(request-target)", "(created)", "(expires)", "host", "date", "digest", "content-length"}, Signature: testSig, Created: 1402170695, Expires: 1402170699}},
		{"quoted created and expires", `Signature keyId="k",created="1402170695",expires="1402170699",` + sigParam,
			Params{KeyID: "k", Headers: []string{"date"}, Signature: testSig, Created: 1402170695, Expires: 1402170699}},
		{"comma, equals and spaces inside a value", `Signature keyId="a, b=c d",` + sigParam,
			Params{KeyID: "a, b=c d", Headers: []string{"date"}, Signature: testSig}},
		{"repeated header names kept", `Signature keyId="k",headers="date date",` + sigParam,
			Params{KeyID: "k", Headers: []string{"date", "date"}, Signature: testSig}},
		{"one-byte signature", `Signature keyId="k",signature="AA=="`,
			Params{KeyID: "k", Headers: []string{"date"}, Signature: []byte{0}}},
		{"keyId at the size limit", `Signature keyId="` + strings.Repeat("k", maxParam) + `",` + sigParam,
			Params{KeyID: strings.Repeat("k", maxParam), Headers: []string{"date"}, Signature: testSig}},
		{"32 signed headers", `Signature keyId="k",headers="` + strings.TrimSpace(strings.Repeat("date ", maxSignedHeaders)) + `",` + sigParam,
			Params{KeyID: "k", Headers: slicesRepeat("date", maxSignedHeaders), Signature: testSig}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthorization(tt.header)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAuthorization(%q) = %+v, %v, want %+v", tt.header, got, err, tt.want)
			}
		})
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestParseAuthorizationRefusals(t *testing.T) {
	const key = `Signature keyId="k",`
	tests := []struct {
		name   string
		header string
		reason string
	}{
		{"empty header", "", "scheme"},
		{"scheme only", "Signature", "no parameters"},
		{"scheme and spaces", "Signature   ", "no parameters"},
		{"another scheme", `Basic keyId="k",` + sigParam, "scheme"},
		{"scheme prefix", `Signatur keyId="k",` + sigParam, "scheme"},
		{"scheme suffix", `Signatures keyId="k",` + sigParam, "scheme"},
		{"scheme without a space", `Signature,keyId="k",` + sigParam, "scheme"},
		{"space before the scheme", ` Signature keyId="k",` + sigParam, "scheme"},
		{"tab after the scheme", "Signature\tkeyId=\"k\"," + sigParam, "control or non-ASCII"},
		{"Cyrillic look-alike in the scheme", "Signatur\u0435 keyId=\"k\"," + sigParam, "control or non-ASCII"},
		{"long s look-alike in the scheme", "\u017fignature keyId=\"k\"," + sigParam, "control or non-ASCII"},

		{"no keyId", `Signature algorithm="hmac-sha256",` + sigParam, "keyId is missing"},
		{"empty keyId", `Signature keyId="",` + sigParam, "keyId is missing"},
		{"no signature", `Signature keyId="k",algorithm="hmac-sha256"`, "signature is missing"},
		{"empty signature", key + `signature=""`, "signature is empty"},
		{"signature not base64", key + `signature="!!!!"`, "not base64"},
		{"signature without padding", key + `signature="` + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte{1, 2}), "=") + `"`, "not base64"},
		{"signature in the URL alphabet", key + `signature="-_-_"`, "not base64"},
		{"signature with stray bits", key + `signature="AB=="`, "not base64"},
		{"signature with a space", key + `signature="AAAA AAAA"`, "not base64"},

		{"keyId twice", `Signature keyId="k",keyId="j",` + sigParam, "keyid is repeated"},
		{"keyId twice, in two cases", `Signature keyId="k",KEYID="k",` + sigParam, "keyid is repeated"},
		{"signature twice", key + sigParam + "," + sigParam, "signature is repeated"},
		{"headers twice", key + `headers="date",headers="host",` + sigParam, "headers is repeated"},
		{"created twice", key + `created=1,created=2,` + sigParam, "created is repeated"},
		{"unknown parameter twice", key + `opaque="a",opaque="b",` + sigParam, "opaque is repeated"},

		{"unquoted keyId", `Signature keyId=k,` + sigParam, "keyid is not quoted"},
		{"single-quoted keyId", `Signature keyId='k',` + sigParam, "keyid is not quoted"},
		{"unquoted algorithm", key + `algorithm=hmac-sha256,` + sigParam, "algorithm is not quoted"},
		{"unquoted headers", key + `headers=date,` + sigParam, "headers is not quoted"},
		{"unquoted signature", key + `signature=AAAA`, "signature is not quoted"},
		{"no closing quote", key + `signature="AAAA`, "signature has no closing quote"},
		{"backslash escape", `Signature keyId="a\"b",` + sigParam, "backslash"},
		{"lone backslash", `Signature keyId="a\b",` + sigParam, "backslash"},
		{"quote inside a token", `Signature keyId=a"b",` + sigParam, "not followed by a comma"},
		{"no value", `Signature keyId=,` + sigParam, "keyId has no value"},
		{"no equals sign", `Signature keyId,` + sigParam, "not name=value"},
		{"name only at the end", key + sigParam + `,opaque`, "not name=value"},
		{"space before equals", `Signature keyId ="k",` + sigParam, "not name=value"},
		{"space after equals", `Signature keyId= "k",` + sigParam, "keyId has no value"},
		{"no name", `Signature ="k",` + sigParam, "not name=value"},
		{"missing comma", `Signature keyId="k" ` + sigParam, "not followed by a comma"},
		{"semicolon separator", `Signature keyId="k";` + sigParam, "not followed by a comma"},
		{"trailing comma", key + sigParam + ",", "not name=value"},
		{"empty element", `Signature keyId="k",,` + sigParam, "not name=value"},
		{"leading comma", `Signature ,keyId="k",` + sigParam, "not name=value"},

		{"empty headers", key + `headers="",` + sigParam, "headers is empty"},
		{"headers of one space", key + `headers=" ",` + sigParam, "not a header name"},
		{"double space in headers", key + `headers="host  date",` + sigParam, "not a header name"},
		{"leading space in headers", key + `headers=" date",` + sigParam, "not a header name"},
		{"colon in a header name", key + `headers="date:",` + sigParam, "not a header name"},
		{"unclosed pseudo-header", key + `headers="(request-target host",` + sigParam, "not a header name"},
		{"unopened pseudo-header", key + `headers="request-target)",` + sigParam, "not a header name"},
		{"empty pseudo-header", key + `headers="()",` + sigParam, "not a header name"},
		{"too many headers", key + `headers="` + strings.TrimSpace(strings.Repeat("date ", maxSignedHeaders+1)) + `",` + sigParam, "at most 32"},

		{"created not a number", key + `created=abc,` + sigParam, "created is not Unix seconds"},
		{"created zero", key + `created=0,` + sigParam, "created is not Unix seconds"},
		{"created negative", key + `created=-1,` + sigParam, "created is not Unix seconds"},
		{"created with a plus", key + `created=+1402170695,` + sigParam, "created is not Unix seconds"},
		{"created with a leading zero", key + `created=01402170695,` + sigParam, "created is not Unix seconds"},
		{"created in exponent form", key + `created=1e9,` + sigParam, "created is not Unix seconds"},
		{"created too long", key + `created=1234567890123,` + sigParam, "created is not Unix seconds"},
		{"created beyond int64", key + `created=99999999999999999999,` + sigParam, "created is not Unix seconds"},
		{"created quoted empty", key + `created="",` + sigParam, "created is not Unix seconds"},
		{"expires not a number", key + `expires="soon",` + sigParam, "expires is not Unix seconds"},

		{"newline in keyId", "Signature keyId=\"a\nb\"," + sigParam, "control or non-ASCII"},
		{"NUL in keyId", "Signature keyId=\"a\x00b\"," + sigParam, "control or non-ASCII"},
		{"DEL in keyId", "Signature keyId=\"a\x7fb\"," + sigParam, "control or non-ASCII"},
		{"non-ASCII in keyId", "Signature keyId=\"zo\u00eb\"," + sigParam, "control or non-ASCII"},
		{"invalid UTF-8", "Signature keyId=\"\xff\"," + sigParam, "control or non-ASCII"},
		{"CRLF after a parameter", "Signature keyId=\"k\"\r\n," + sigParam, "control or non-ASCII"},
		{"keyId over the size limit", `Signature keyId="` + strings.Repeat("k", maxParam+1) + `",` + sigParam, "keyId has 1025 bytes"},
		{"header over the size limit", key + sigParam + `,opaque="` + strings.Repeat("x", maxHeader) + `"`, "at most 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthorization(tt.header)
			if !reflect.DeepEqual(got, Params{}) {
				t.Errorf("ParseAuthorization(%q) = %+v, want zero Params", tt.header, got)
			}
			checkInvalid(t, "ParseAuthorization("+tt.header+")", err, tt.reason)
		})
	}
}

// A megabyte of header is refused at once, whatever it holds.
func TestParseAuthorizationHugeHeader(t *testing.T) {
	const size = 1 << 20
	for name, header := range map[string]string{
		"1 MB keyId":     `Signature keyId="` + strings.Repeat("k", size) + `",` + sigParam,
		"1 MB of commas": `Signature keyId="k"` + strings.Repeat(",", size),
		"1 MB scheme":    strings.Repeat("S", size) + ` keyId="k"`,
	} {
		start := time.Now()
		_, err := ParseAuthorization(header)
		if elapsed := time.Since(start); elapsed > 100*time.Millisecond {
			t.Errorf("ParseAuthorization(%s) took %v, want well under 100ms", name, elapsed)
		}
		checkInvalid(t, "ParseAuthorization("+name+")", err, "at most 4096")
	}
}
