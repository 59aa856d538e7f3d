// Package safehttp is an HTTP client for requests to addresses someone
// else chose (a business's webhook endpoint): it never connects to
// billgate's own network or the cloud's metadata service, follows no
// redirect, and bounds time and the response body read.
//
// The address is checked when the connection is made, on the IP address
// DNS resolved to, so that a name rebound to an internal address between a
// check and the request (DNS rebinding) is refused too.
package safehttp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// DefaultTimeout bounds a request, connection and response included.
const DefaultTimeout = 15 * time.Second

// Options configure a client; the zero value is safe.
type Options struct {
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Allow lists networks a request may reach although they are
	// internal: for development (a receiver on localhost), never in
	// production.
	Allow []netip.Prefix
}

// ErrBlocked is wrapped when a request would reach an internal address.
var ErrBlocked = errors.New("the address is internal: billgate does not deliver there")

// BlockedError names the address a connection was refused to.
type BlockedError struct {
	Addr netip.Addr
}

func (e *BlockedError) Error() string { return fmt.Sprintf("%s: %v", e.Addr, ErrBlocked) }

// Unwrap makes errors.Is(err, ErrBlocked) hold.
func (e *BlockedError) Unwrap() error { return ErrBlocked }

// NewClient is a client that refuses internal addresses, follows no
// redirect (a 3xx is the answer) and gives up after the timeout. It uses
// no proxy: a proxy would connect for it, unchecked.
func NewClient(o Options) *http.Client {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: timeout, Control: refuseInternal(o.Allow)}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// refuseInternal is the dialer's Control: it runs for each address the
// name resolved to, before the connection is made.
func refuseInternal(allow []netip.Prefix) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("connect to %s: %w", address, err)
		}
		if addr := ap.Addr().Unmap(); Internal(addr) && !slices.ContainsFunc(allow, func(p netip.Prefix) bool { return p.Contains(addr) }) {
			return &BlockedError{Addr: addr}
		}
		return nil
	}
}

// internalNetworks are special-purpose networks (IANA's registries, RFC
// 6890) that Addr's own predicates do not cover.
var internalNetworks = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may reach any IPv4 address, internal ones too
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any IPv4 address
}

// Internal reports whether a is an address billgate must not send a
// business's traffic to: loopback, private, link-local (the metadata
// service at 169.254.169.254 among them), multicast, unspecified, or
// another special-purpose network.
func Internal(a netip.Addr) bool {
	a = a.Unmap()
	return !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() ||
		slices.ContainsFunc(internalNetworks, func(p netip.Prefix) bool { return p.Contains(a) })
}

// ReadCapped reads at most limit bytes of body, and tells whether there
// was more.
func ReadCapped(body io.Reader, limit int64) (data []byte, truncated bool, err error) {
	data, err = io.ReadAll(io.LimitReader(body, limit+1))
	if int64(len(data)) > limit {
		return data[:limit], true, err
	}
	return data, false, err
}
