package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

const requestIDHeader = "X-Request-Id"

// acceptableRequestID limits what a caller-supplied request ID may look
// like, so it is safe to log and echo.
var acceptableRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// withRequestID takes the caller's X-Request-Id when it is well-formed and
// makes one otherwise, then echoes it on the response.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !acceptableRequestID.MatchString(id) {
			b := make([]byte, 16)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(requestIDHeader, id)
		c.Header(requestIDHeader, id)
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(requestIDHeader) }

// The Content-Security-Policy of every answer but the HTML pages: JSON, YAML
// and metrics load nothing and are framed by nobody.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// securityHeaders tells browsers not to sniff a type, send a Referer, or
// frame any answer; an HTML page replaces the CSP with its own (setCSP).
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", apiCSP)
		c.Next()
	}
}

// setCSP gives an HTML page its own Content-Security-Policy. Every policy
// keeps frame-ancestors 'none'.
func setCSP(c *gin.Context, policy string) {
	c.Header("Content-Security-Policy", policy+"; frame-ancestors 'none'")
}

// accessLog writes one JSON line per request, with the errors handlers
// attached.
func accessLog(log *slog.Logger, now func() time.Time) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := now()
		c.Next()
		level := slog.LevelInfo
		switch {
		case c.Writer.Status() >= 500:
			level = slog.LevelError
		case len(c.Errors) > 0: // answered, but something was lost on the way
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("requestId", requestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", now().Sub(start)),
			slog.String("remoteIp", c.ClientIP()),
		}
		if len(c.Errors) > 0 {
			attrs = append(attrs, slog.String("error", c.Errors.String()))
		}
		log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

// recoverInto500 turns a panic into the 500 envelope. The stack goes to the
// log, never to the client.
func recoverInto500(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			recovered := recover()
			if recovered == nil {
				return
			}
			if recovered == http.ErrAbortHandler {
				panic(recovered) // the client went away; let net/http drop the connection
			}
			log.ErrorContext(c.Request.Context(), "panic",
				slog.String("requestId", requestID(c)), slog.Any("panic", recovered), slog.String("stack", string(debug.Stack())))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			fail(c, errInternal)
		}()
		c.Next()
	}
}

// limitBody caps every request body. Content-Length over the cap is refused
// before reading; a body that runs over while streaming fails its decode.
func limitBody(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			fail(c, bodyTooLarge(limit))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

func bodyTooLarge(limit int64) *Problem {
	return Invalid("body", "request body is larger than "+formatBytes(limit), nil)
}

func asMaxBytes(err error) *http.MaxBytesError {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return tooLarge
	}
	return nil
}
