package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// BenchmarkMiddlewareStack serves /healthz on a bare gin engine (the
// baseline) and then through billgate's full middleware stack, and reports
// the stack's throughput as a ratio of the baseline's from the same run
// ("vs-bare": 1.0 would mean the stack costs nothing).
func BenchmarkMiddlewareStack(b *testing.B) {
	bare := gin.New()
	bare.GET("/healthz", healthz)
	var bareNsPerOp float64
	b.Run("bare", func(b *testing.B) {
		serveLoop(b, bare)
		bareNsPerOp = nsPerOp(b)
	})
	b.Run("stack", func(b *testing.B) {
		serveLoop(b, NewServer(Deps{}))
		b.ReportMetric(bareNsPerOp/nsPerOp(b), "vs-bare")
	})
}

func nsPerOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

func serveLoop(b *testing.B, h http.Handler) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Errorf("GET /healthz = %d", w.Code)
				return
			}
		}
	})
}
