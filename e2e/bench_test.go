package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/models"
)

// The benchmarks drive billgate over HTTP with a plain client rather than
// env.HTTP, which checks every exchange against the OpenAPI spec: they
// measure billgate, not the validator. Each starts one billgate (on
// TEST_DATABASE_URL's Postgres when set, SQLite in memory otherwise) in the
// top-level benchmark and measures in sub-benchmarks, which the testing
// package calls several times with growing b.N; the server is started once.

// benchConns is the number of connections the benchmarks hold open to the
// server, and benchParallelism the goroutines per GOMAXPROCS that use them
// (2 cores × 32 = 64 goroutines, one connection each).
const (
	benchConns       = 64
	benchParallelism = benchConns / 2
)

// benchHTTP is a client that keeps up to benchConns connections alive to
// the server instead of the default transport's two idle ones.
func benchHTTP(b *testing.B) *http.Client {
	tr := &http.Transport{
		MaxIdleConns:        benchConns,
		MaxIdleConnsPerHost: benchConns,
		MaxConnsPerHost:     benchConns,
	}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// benchDo sends req and reads and discards the answer (so the connection
// is reused), reporting an error unless it is 200.
func benchDo(b *testing.B, c *http.Client, req *http.Request) bool {
	resp, err := c.Do(req)
	if err != nil {
		b.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("%s %s = %d, want 200", req.Method, req.URL.Path, resp.StatusCode)
		return false
	}
	return true
}

func benchNsPerOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

// BenchmarkLogin is logins per second at OWASP's argon2id parameters
// (password.DefaultParams), end to end: POST /auth/session over HTTP,
// which looks the client up, reserves a login attempt, verifies the
// password, records the success, creates a session and writes the audit
// event.
//
// testenv's hasher uses cheap parameters, so the clients are inserted
// directly in the store with a hash at the default parameters. A client's
// first successful login is verified at the stored (default) cost, but
// then flags needsRehash and stores a hash at the server's cheap
// parameters, so a second login by the same client would no longer cost a
// real one. Every iteration therefore logs in a distinct client,
// pre-created before the timer starts. They all share one hash (computed
// once: the same password and salt), which costs the verifier exactly what
// distinct hashes at the same parameters would. The rehash at the cheap
// parameters that follows each login is a few microseconds.
//
// The "verify" sub-benchmark is the ceiling: password.Verify at the same
// parameters in-process with the same parallelism (argon2id with one lane
// keeps one core busy per login). "http" reports logins/s and vs-verify,
// the fraction of that ceiling reached over HTTP. The hasher's own cost at
// one login at a time is BenchmarkVerifyDefault in auth/password.
func BenchmarkLogin(b *testing.B) {
	const pw = goodPassword
	hasher := password.New(password.DefaultParams())
	hash, err := hasher.Hash(pw)
	if err != nil {
		b.Fatal(err)
	}

	var verifyNsPerOp float64
	b.Run("verify", func(b *testing.B) {
		b.SetParallelism(2)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if ok, _, err := hasher.Verify(pw, hash); !ok || err != nil {
					b.Errorf("Verify = %v, %v, want true", ok, err)
					return
				}
			}
		})
		verifyNsPerOp = benchNsPerOp(b)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
	})

	env := testenv.Start(b, testenv.Options{})
	c := benchHTTP(b)
	var created int
	b.Run("http", func(b *testing.B) {
		bodies := make([]string, b.N)
		for i := range bodies {
			created++
			login := fmt.Sprintf("bench-login-%d", created)
			client := &models.Client{Login: login, PasswordHash: hash}
			if err := env.Store().CreateClient(context.Background(), client, "business"); err != nil {
				b.Fatal(err)
			}
			bodies[i] = `{"login":"` + login + `","password":"` + pw + `"}`
		}
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(2) // hides the database round trips around argon2id
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				body := bodies[next.Add(1)-1]
				req, err := http.NewRequest(http.MethodPost, env.URL+"/auth/session", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				if !benchDo(b, c, req) {
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
		if verifyNsPerOp > 0 {
			b.ReportMetric(verifyNsPerOp/benchNsPerOp(b), "vs-verify")
		}
	})
}

// BenchmarkAuthenticatedGET is the rate of authenticated GETs, per scheme,
// as a ratio of an unauthenticated route (GET /healthz) served by the same
// server in the same run, all over benchConns connections. Every scheme
// calls GET /v1/profile, which answers from the principal: Basic, API key
// and Signature callers have no session, so GET /auth/session is no
// common ground. The targets are vs-unauthenticated ≥ 0.6 for the sid
// cookie and a Bearer session secret, ≥ 0.7 for a Bearer JWT and a
// Signature, and ≥ 0.5 for Basic credentials already verified (a first
// call runs argon2id, which BenchmarkLogin measures). Every authenticated
// request reads its client's identity version from the database, so that a
// revocation applies on the next request on every replica; on the shared
// 2-core machine that misses the session and JWT targets
// (docs/benchmarks.md).
//
// The client shares the machine's cores with the server, so both rates
// include the client's own cost; the ratio is of whole round trips.
func BenchmarkAuthenticatedGET(b *testing.B) {
	shop := newBenchShop(b, 0)
	env, c := shop.env, shop.c
	session := strings.TrimPrefix(shop.auth, "Bearer ")
	jwt := shop.mustPost(b, "/auth/token", "", http.StatusOK)["token"].(string)
	apiKey := shop.mustPost(b, "/v1/api-keys", `{"name":"bench"}`, http.StatusCreated)["secret"].(string)
	signingKey := shop.mustPost(b, "/v1/signing-keys", `{"algorithm":"hmac-sha256"}`, http.StatusCreated)

	// get sends GET path with header() each time.
	get := func(b *testing.B, path string, header func() []string) {
		b.ReportAllocs()
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			req, err := http.NewRequest(http.MethodGet, env.URL+path, nil)
			if err != nil {
				b.Error(err)
				return
			}
			for pb.Next() {
				h := header()
				for i := 0; i+1 < len(h); i += 2 {
					req.Header.Set(h[i], h[i+1])
				}
				if !benchDo(b, c, req) {
					return
				}
			}
		})
	}

	// Each scheme is measured right after a baseline of its own, so a
	// drift of the machine during the run does not favour the schemes that
	// come first. baseline stays 0 when -bench leaves a scheme's
	// "unauthenticated" out, and then no ratio is reported.
	profile := func(name string, header func() []string) {
		var baseline float64
		b.Run(name+"/unauthenticated", func(b *testing.B) {
			get(b, "/healthz", func() []string { return nil })
			baseline = benchNsPerOp(b)
		})
		b.Run(name, func(b *testing.B) {
			get(b, "/v1/profile", header)
			if baseline > 0 {
				b.ReportMetric(baseline/benchNsPerOp(b), "vs-unauthenticated")
			}
		})
	}
	always := func(header ...string) func() []string { return func() []string { return header } }
	profile("cookie", always("Cookie", "sid="+session))
	profile("bearer", always("Authorization", "Bearer "+session))
	profile("jwt", always("Authorization", "Bearer "+jwt))
	// The password is verified in the first round (b.N = 1), and the
	// measured rounds repeat remembered credentials.
	profile("basic-repeat", always(basic("shop", goodPassword)...))
	profile("api-key", always("Authorization", "Plain "+apiKey))
	// The server takes each signature once, so every call is signed anew,
	// over a request ID of its own: the client's HMAC is in the figure.
	var calls atomic.Int64
	profile("signature", func() []string {
		signed := signer{base: env.URL, keyID: signingKey["keyId"].(string), secret: signingKey["secret"].(string),
			algorithm: "hmac-sha256", signs: []string{"(request-target)", "host", "date", "x-request-id"}, now: time.Now,
			extra: http.Header{"X-Request-Id": {fmt.Sprint("bench-", calls.Add(1))}}}
		return signed.headers(b, http.MethodGet, "/v1/profile", "")
	})
}
