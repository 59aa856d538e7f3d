package safehttp

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Internal addresses are refused at connect time, whatever the URL names:
// an IP literal, a name that resolves to one, the metadata service, an
// IPv4-mapped IPv6 address.
func TestRefusesInternalAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	client := NewClient(Options{Timeout: 2 * time.Second})
	for _, url := range []string{
		srv.URL,
		"http://localhost:" + itoa(port) + "/",
		"http://[::ffff:127.0.0.1]:" + itoa(port) + "/",
		"http://169.254.169.254/latest/meta-data/",
		"http://10.1.2.3/",
		"http://[::1]:" + itoa(port) + "/",
		"http://0.0.0.0:" + itoa(port) + "/",
	} {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			t.Errorf("GET %s reached the server (%d), want it refused", url, resp.StatusCode)
			continue
		}
		var blocked *BlockedError
		if !errors.Is(err, ErrBlocked) || !errors.As(err, &blocked) {
			t.Errorf("GET %s = %v, want ErrBlocked", url, err)
		}
	}
}

// A development allow-list lets a request reach a local receiver.
func TestAllowListReachesLocalReceivers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	resp, err := localClient(0).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("status = %d", resp.StatusCode)
	}
}

// A redirect is the answer, not followed: it could lead anywhere.
func TestFollowsNoRedirect(t *testing.T) {
	followed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed = true
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	resp, err := localClient(0).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed {
		t.Errorf("status = %d, followed = %v; want the 302 itself", resp.StatusCode, followed)
	}
}

// A receiver that does not answer in time is given up on.
func TestGivesUpAfterTheTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	_, err := localClient(200 * time.Millisecond).Get(srv.URL)
	var timeout interface{ Timeout() bool }
	if err == nil || !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Errorf("GET a silent receiver = %v, want a timeout", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("gave up after %s", time.Since(start))
	}
}

func TestInternal(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "10.0.0.1": true, "172.16.5.4": true, "192.168.1.1": true, "169.254.169.254": true,
		"100.64.0.1": true, "0.0.0.0": true, "255.255.255.255": true, "224.0.0.1": true, "::1": true, "fc00::1": true,
		"fe80::1": true, "64:ff9b::a00:1": true, "2002:a00:1::": true, "::ffff:10.0.0.1": true,
		"93.184.216.34": false, "2606:2800:220:1:248:1893:25c8:1946": false, "8.8.8.8": false,
	} {
		if got := Internal(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Internal(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestReadCapped(t *testing.T) {
	data, truncated, err := ReadCapped(strings.NewReader("abcdef"), 4)
	if err != nil || string(data) != "abcd" || !truncated {
		t.Errorf("ReadCapped(6 bytes, 4) = %q, %v, %v", data, truncated, err)
	}
	data, truncated, _ = ReadCapped(strings.NewReader("abcd"), 4)
	if string(data) != "abcd" || truncated {
		t.Errorf("ReadCapped(4 bytes, 4) = %q, %v", data, truncated)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// localClient may reach receivers on loopback, as a development allow-list
// lets it.
func localClient(timeout time.Duration) *http.Client {
	return NewClient(Options{Timeout: timeout, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
}
