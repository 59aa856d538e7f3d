package topology

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The proxy sends each request to the next replica, skips one that refuses
// the connection, forwards the body, and appends the client to
// X-Forwarded-For.
func TestProxy(t *testing.T) {
	replica := func(name string) *url.URL {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			_, _ = io.WriteString(w, name+" "+string(body)+" "+r.Header.Get("X-Forwarded-For")+" from "+host)
		}))
		t.Cleanup(s.Close)
		u, _ := url.Parse(s.URL)
		return u
	}
	down := httptest.NewServer(nil)
	downURL, _ := url.Parse(down.URL)
	down.Close()
	p, err := newProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.backends = []*url.URL{replica("a"), downURL, replica("b")}

	var got []string
	for range 6 {
		req, _ := http.NewRequest("POST", p.URL()+"/x", strings.NewReader("hi"))
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(b))
	}
	want := "hi 203.0.113.9, 127.0.0.1 from " + ProxyAddr
	seen := map[byte]int{}
	for _, g := range got {
		if !strings.HasSuffix(g, want) {
			t.Errorf("answer %q, want it to end %q", g, want)
		}
		seen[g[0]]++
	}
	// In turn a, down, b: down's turns go to b.
	if seen['a'] != 2 || seen['b'] != 4 {
		t.Errorf("answers %q, want a's two turns and b's with down's", got)
	}
}
