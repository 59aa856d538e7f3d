// Package console is billgate's web console: a single-page app for
// admins, businesses and customers, embedded in the binary and served at
// /console. It speaks only the public API (api/openapi.yaml), with the
// session cookie, from billgate's own origin. Its pages are ES modules
// over Preact and htm, vendored (vendor.sh): no build step, no CDN, and
// nothing inline, so its Content-Security-Policy allows scripts and
// styles from billgate alone (docs/console.md).
package console

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// CSP is the console's Content-Security-Policy: its own files, the API
// and the event stream on billgate's origin, and nothing else.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Files are the console's files: index.html and what it loads.
func Files() fs.FS {
	files, _ := fs.Sub(static, "static") // the embedded directory exists
	return files
}

// Handler serves the console's files under /console/, with its CSP. Its
// pages are routes after "#", so every page is index.html.
func Handler() http.Handler {
	files := http.StripPrefix("/console/", http.FileServerFS(Files()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("Cache-Control", "no-cache") // revalidated: a new binary's files replace the old at once
		files.ServeHTTP(w, r)
	})
}
