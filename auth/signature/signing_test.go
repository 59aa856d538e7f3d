package signature

import (
	"net/http"
	"testing"
)

const testDate = "Tue, 07 Jun 2014 20:51:35 GMT"

func testHeader() http.Header {
	return http.Header{
		"Host":            {"billgate.test"},
		"Date":            {testDate},
		"Content-Type":    {"application/json"},
		"X-Forwarded-For": {" 192.0.2.1 ", "\t198.51.100.7\t"},
		"X-Empty":         {""},
		"X-Tabbed":        {"a\tb"},
	}
}

func TestSigningString(t *testing.T) {
	tests := []struct {
		name           string
		method, target string
		headers        []string
		want           string
	}{
		{"date only", "GET", "/v1/accounts", []string{"date"}, "date: " + testDate},
		{"request-target host date", "GET", "/v1/accounts", []string{"(request-target)", "host", "date"},
			"(request-target): get /v1/accounts\nhost: billgate.test\ndate: " + testDate},
		{"method lower-cased", "POST", "/v1/invoices", []string{"(request-target)"}, "(request-target): post /v1/invoices"},
		{"query and escapes kept as sent", "GET", "/v1/Invoices?status=open&from=2014-06-01T00%3A00%3A00Z", []string{"(request-target)"},
			"(request-target): get /v1/Invoices?status=open&from=2014-06-01T00%3A00%3A00Z"},
		{"names in any case", "GET", "/", []string{"Content-Type", "HOST"}, "content-type: application/json\nhost: billgate.test"},
		{"several values joined and trimmed", "GET", "/", []string{"x-forwarded-for"}, "x-forwarded-for: 192.0.2.1, 198.51.100.7"},
		{"empty value", "GET", "/", []string{"x-empty"}, "x-empty: "},
		{"tab inside a value kept", "GET", "/", []string{"x-tabbed"}, "x-tabbed: a\tb"},
		{"listed order, repeats kept", "GET", "/", []string{"host", "date", "host"}, "host: billgate.test\ndate: " + testDate + "\nhost: billgate.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SigningString(tt.method, tt.target, testHeader(), tt.headers)
			if err != nil || got != tt.want {
				t.Errorf("SigningString(%q, %q, %v) = %q, %v, want %q", tt.method, tt.target, tt.headers, got, err, tt.want)
			}
		})
	}
}

func TestParamsSigningString(t *testing.T) {
	p := Params{Headers: []string{"(request-target)", "(created)", "(expires)", "host"}, Created: 1402174295, Expires: 1402174595}
	want := "(request-target): delete /v1/sessions/current\n(created): 1402174295\n(expires): 1402174595\nhost: billgate.test"
	if got, err := p.SigningString("DELETE", "/v1/sessions/current", testHeader()); err != nil || got != want {
		t.Errorf("Params.SigningString = %q, %v, want %q", got, err, want)
	}
}

func TestSigningStringRefusals(t *testing.T) {
	withValue := func(name, value string) http.Header {
		h := testHeader()
		h.Set(name, value)
		return h
	}
	tests := []struct {
		name           string
		method, target string
		header         http.Header
		headers        []string
		reason         string
	}{
		{"no headers", "GET", "/", testHeader(), nil, "no headers"},
		{"absent header named", "GET", "/", testHeader(), []string{"date", "digest"}, "digest is absent"},
		{"nil header", "GET", "/", nil, []string{"date"}, "date is absent"},
		{"(created) without its parameter", "GET", "/", testHeader(), []string{"(created)"}, "(created) is signed but its parameter is absent"},
		{"(expires) without its parameter", "GET", "/", testHeader(), []string{"(expires)"}, "(expires) is signed but its parameter is absent"},
		{"unsupported pseudo-header", "GET", "/", testHeader(), []string{"(keyid)"}, `cannot sign "(keyid)"`},
		{"request-line of old drafts", "GET", "/", testHeader(), []string{"request-line"}, "request-line is absent"},
		{"empty name", "GET", "/", testHeader(), []string{""}, `cannot sign ""`},
		{"name with a colon", "GET", "/", testHeader(), []string{"date:"}, "cannot sign"},
		{"name with a newline", "GET", "/", testHeader(), []string{"date\nhost"}, "cannot sign"},
		{"newline in a value", "GET", "/", withValue("Date", "x\nhost: evil"), []string{"date"}, "date holds a control character"},
		{"carriage return in a value", "GET", "/", withValue("Date", "x\ry"), []string{"date"}, "control character"},
		{"NUL in a value", "GET", "/", withValue("Date", "x\x00"), []string{"date"}, "control character"},
		{"DEL in a value", "GET", "/", withValue("Date", "x\x7f"), []string{"date"}, "control character"},
		{"empty method", "", "/", testHeader(), []string{"(request-target)"}, "method or target"},
		{"method with a space", "G T", "/", testHeader(), []string{"(request-target)"}, "method or target"},
		{"empty target", "GET", "", testHeader(), []string{"(request-target)"}, "method or target"},
		{"target with a space", "GET", "/a b", testHeader(), []string{"(request-target)"}, "method or target"},
		{"target with a newline", "GET", "/a\nhost: evil", testHeader(), []string{"(request-target)"}, "method or target"},
		{"non-ASCII target", "GET", "/zo\u00eb", testHeader(), []string{"(request-target)"}, "method or target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SigningString(tt.method, tt.target, tt.header, tt.headers)
			if got != "" {
				t.Errorf("SigningString(%q, %q, %v) = %q, want \"\"", tt.method, tt.target, tt.headers, got)
			}
			checkInvalid(t, "SigningString", err, tt.reason)
		})
	}
}
