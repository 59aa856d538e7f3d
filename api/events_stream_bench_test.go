package api_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/eventstream"
	"github.com/billgate/billgate/models"
)

// streamClients is how many sockets the stream benchmarks hold open.
const streamClients = 1000

// streamBatch is how many events one round of the fan-out publishes:
// fewer than a stream's buffer, so that no client is cut off.
const streamBatch = 100

// BenchmarkEventStream measures the live stream with streamClients
// sockets, each against a baseline measured in the same run:
//
//   - "raw-broadcast": the floor, a bare WebSocket server that writes each
//     frame to every socket from a goroutine per socket, as the streams
//     do, with none of the stream's work (authentication, the hub, scope
//     filters, the event's rendering);
//   - "fan-out": events recorded in the log reach every stream, through
//     the hub, as frames/s and vs-raw;
//   - "idle-memory": the heap and stacks per idle authenticated stream
//     (client and server side, both in this process), beside a bare
//     socket pair's (bytes/idle-stream, bytes/idle-raw, vs-raw).
func BenchmarkEventStream(b *testing.B) {
	payload := api.LiveEventFrame(&models.Event{Type: models.EventInvoicePaid, ObjectType: models.ObjectInvoice, Data: "null"})
	var rawNs float64
	b.Run("raw-broadcast", func(b *testing.B) {
		srv := newRawBroadcaster(b)
		clients := dialMany(b, srv.url, nil, streamClients)
		srv.waitConns(b, streamClients)
		b.ResetTimer()
		for sent := 0; sent < b.N; sent += streamBatch {
			n := min(streamBatch, b.N-sent)
			srv.broadcast(payload, n)
			clients.await(b, sent+n)
		}
		b.StopTimer()
		rawNs = nsPerOp(b)
		b.ReportMetric(float64(b.N*streamClients)/b.Elapsed().Seconds(), "frames/s")
	})
	b.Run("fan-out", func(b *testing.B) {
		st := newStreamServer(b)
		clients := dialMany(b, st.url, st.header, streamClients)
		clients.await(b, 0) // every stream is ready
		b.ResetTimer()
		for sent := 0; sent < b.N; sent += streamBatch {
			n := min(streamBatch, b.N-sent)
			st.log.burst(n)
			st.hub.Notify()
			clients.await(b, sent+n)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N*streamClients)/b.Elapsed().Seconds(), "frames/s")
		if rawNs > 0 {
			b.ReportMetric(rawNs/nsPerOp(b), "vs-raw")
		}
	})
	b.Run("idle-memory", func(b *testing.B) {
		var stream, raw float64
		for range b.N {
			srv := newRawBroadcaster(b)
			raw = heapPerSocket(b, func() { dialMany(b, srv.url, nil, streamClients); srv.waitConns(b, streamClients) })
			st := newStreamServer(b)
			stream = heapPerSocket(b, func() { dialMany(b, st.url, st.header, streamClients).await(b, 0) })
		}
		b.ReportMetric(stream, "bytes/idle-stream")
		b.ReportMetric(raw, "bytes/idle-raw")
		if raw > 0 {
			b.ReportMetric(stream/raw, "vs-raw")
		}
	})
}

func nsPerOp(b *testing.B) float64 { return float64(b.Elapsed().Nanoseconds()) / float64(b.N) }

// heapPerSocket is what open adds to the heap and the stacks, per socket,
// once the garbage is collected.
func heapPerSocket(b *testing.B, open func()) float64 {
	b.Helper()
	inUse := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse + m.StackInuse
	}
	before := inUse()
	open()
	time.Sleep(100 * time.Millisecond) // the handlers settle into their wait
	return (float64(inUse()) - float64(before)) / streamClients
}

// streamServer is billgate's API with the live stream over an event log
// in memory, and the Basic header of its admin.
type streamServer struct {
	url    string
	header http.Header
	log    *burstLog
	hub    *eventstream.Hub
}

func newStreamServer(b *testing.B) *streamServer {
	b.Helper()
	ctx := context.Background()
	id := adminIdentity(b, auth.DefaultConfig())
	st := &streamServer{log: &burstLog{},
		header: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin password"))}}}
	st.hub = eventstream.NewHub(st.log, api.LiveEventFrame, slog.New(slog.DiscardHandler))
	st.hub.Poll = time.Hour // a round is published by Notify alone
	runCtx, stop := context.WithCancel(ctx)
	b.Cleanup(stop)
	go st.hub.Run(runCtx)
	srv := httptest.NewServer(api.NewServer(api.Deps{Authn: id.Requests, Logins: id.Logins, Sessions: id.Sessions, Events: st.log, Streams: st.hub}))
	b.Cleanup(srv.Close)
	st.url = srv.URL
	return st
}

// rawBroadcaster is the floor: it accepts sockets and writes each frame it
// is given to every one, from a goroutine per socket.
type rawBroadcaster struct {
	url   string
	mu    sync.Mutex
	conns []chan []byte
}

func newRawBroadcaster(b *testing.B) *rawBroadcaster {
	r := &rawBroadcaster{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		conn, err := websocket.Accept(w, req, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		ctx := conn.CloseRead(req.Context())
		frames := make(chan []byte, api.DefaultStreamBuffer)
		r.mu.Lock()
		r.conns = append(r.conns, frames)
		r.mu.Unlock()
		for {
			select {
			case <-ctx.Done():
				return
			case f := <-frames:
				if conn.Write(ctx, websocket.MessageText, f) != nil {
					return
				}
			}
		}
	}))
	b.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *rawBroadcaster) waitConns(b *testing.B, n int) {
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		got := len(r.conns)
		r.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d sockets accepted", got, n)
		}
	}
}

func (r *rawBroadcaster) broadcast(frame []byte, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range n {
		for _, c := range r.conns {
			c <- frame
		}
	}
}

// socketClients are client sockets that count the events they read; a
// stream's socket counts -1 until its ready frame.
type socketClients struct {
	counts []atomic.Int64
}

// dialMany opens n sockets to base's stream path with header (billgate's
// streams when it is given), each read by a goroutine of its own until the
// benchmark ends.
func dialMany(b *testing.B, base string, header http.Header, n int) *socketClients {
	b.Helper()
	c := &socketClients{counts: make([]atomic.Int64, n)}
	if header != nil {
		for i := range c.counts {
			c.counts[i].Store(-1)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(base, "http") + "/v1/events/stream"
	for i := range n {
		conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
		if err != nil {
			b.Fatalf("socket %d: %v", i, err)
		}
		conn.SetReadLimit(-1)
		b.Cleanup(func() { conn.CloseNow() })
		go func() {
			for {
				_, data, err := conn.Read(ctx)
				if err != nil {
					return
				}
				if strings.Contains(string(data[:min(len(data), 20)]), `"ready"`) {
					c.counts[i].Store(0)
					continue
				}
				c.counts[i].Add(1)
			}
		}()
	}
	return c
}

// await waits until every socket has read n events; 0 is until every
// stream is ready, which its subscription precedes.
func (c *socketClients) await(b *testing.B, n int) {
	b.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Microsecond) {
		done := true
		for i := range c.counts {
			if c.counts[i].Load() < int64(n) {
				done = false
				break
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("not every socket read %d events within a minute", n)
		}
	}
}
