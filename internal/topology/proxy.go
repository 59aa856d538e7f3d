package topology

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"
)

// ProxyAddr is the address the proxy reaches the replicas from: on
// loopback, yet apart from the clients on 127.0.0.1.
const ProxyAddr = "127.0.0.2"

// maxBody is the largest request body the proxy forwards, as an ingress's
// limit would be: above billgate's own --body-limit, so billgate answers
// for bodies it refuses.
const maxBody = 8 << 20

// Proxy spreads requests over the API replicas in turn, each request to
// the next, as a load balancer without session affinity does: a client's
// consecutive requests land on different replicas. A replica that refuses
// the connection (it is down) is skipped for the next, which is safe
// because the request never reached it; a failure after that is the
// client's to retry. It appends the client's address to X-Forwarded-For,
// as nginx's $proxy_add_x_forwarded_for does, and reaches the replicas
// from ProxyAddr, so that they can trust it alone.
type Proxy struct {
	backends []*url.URL
	next     atomic.Uint64
	server   *http.Server
	ln       net.Listener
}

// newProxy listens on addr; its backends are added before it is used.
func newProxy(addr string) (*Proxy, error) {
	p := &Proxy{}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p.ln = ln
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 256
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ProxyAddr)}, Timeout: 5 * time.Second}
	transport.DialContext = dialer.DialContext
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
			r.SetXForwarded()
		},
		Transport: &nextUp{p: p, inner: transport},
		// Flush at once: the event stream and WebSocket are live.
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			status := http.StatusBadGateway
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				status = http.StatusRequestEntityTooLarge
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, http.StatusText(status)+"\n")
		},
	}
	p.server = &http.Server{Handler: http.MaxBytesHandler(rp, maxBody), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.server.Serve(ln) }()
	return p, nil
}

// URL is the proxy's base URL: billgate's public address.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Close stops the proxy.
func (p *Proxy) Close() error { return p.server.Close() }

// nextUp forwards a request to the next replica, and to the one after
// when a replica refuses the connection.
type nextUp struct {
	p     *Proxy
	inner http.RoundTripper
}

func (n *nextUp) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	first := n.p.next.Add(1)
	var err error
	for i := range uint64(len(n.p.backends)) {
		backend := n.p.backends[(first+i)%uint64(len(n.p.backends))]
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = backend.Scheme, backend.Host
		if req.Body != nil {
			out.Body = io.NopCloser(bytes.NewReader(body))
		}
		var resp *http.Response
		resp, err = n.inner.RoundTrip(out)
		if !refused(err) {
			return resp, err
		}
	}
	return nil, err
}

// refused tells whether err is a failure to connect: the request was not sent.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
