package outbound

import (
	"net/http"
	"testing"
	"time"
)

func TestAuthorizeBasic(t *testing.T) {
	tests := []struct {
		name, user, password, want string
	}{
		// RFC 7617 §2's example.
		{"RFC 7617 example", "Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="},
		// RFC 7617 §2.1's example, in UTF-8.
		{"RFC 7617 UTF-8 example", "test", "123£", "Basic dGVzdDoxMjPCow=="},
		{"password with colons", "acme", "a:b:c", "Basic YWNtZTphOmI6Yw=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			a := Auth{Scheme: SchemeBasic, User: tt.user, Secret: Secret(tt.password)}
			if err := a.Authorize(h, time.Now()); err != nil {
				t.Fatal(err)
			}
			checkHeaders(t, h, http.Header{"Authorization": {tt.want}})
			// What a Go receiver reads back.
			r := &http.Request{Header: h}
			if user, password, ok := r.BasicAuth(); !ok || user != tt.user || password != tt.password {
				t.Errorf("BasicAuth() = %q, %q, %v; want %q, %q", user, password, ok, tt.user, tt.password)
			}
		})
	}
}
