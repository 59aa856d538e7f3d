package console

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, srv *httptest.Server, p string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + p)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// The page and its modules are served under the console's CSP, with the
// types a browser runs them as.
func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for p, typ := range map[string]string{"/console/": "text/html", "/console/app.js": "text/javascript", "/console/style.css": "text/css",
		"/console/vendor/preact.js": "text/javascript"} {
		resp, body := get(t, srv, p)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), typ) || body == "" {
			t.Errorf("GET %s = %d %q (%d bytes), want 200 %s", p, resp.StatusCode, resp.Header.Get("Content-Type"), len(body), typ)
		}
		if resp.Header.Get("Content-Security-Policy") != CSP {
			t.Errorf("GET %s: CSP %q", p, resp.Header.Get("Content-Security-Policy"))
		}
	}
	if resp, _ := get(t, srv, "/console/nothing.js"); resp.StatusCode != 404 {
		t.Errorf("a missing file: %d", resp.StatusCode)
	}
}

// Nothing runs inline, which the CSP would block, and every module a
// module imports is one the binary embeds.
func TestFilesHoldTogether(t *testing.T) {
	files := Files()
	page, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if inline := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|<style|\son[a-z]+=|style=`).FindString(string(page)); inline != "" {
		t.Errorf("index.html runs something inline: %q", inline)
	}
	imports := regexp.MustCompile(`(?:import|from)\s*"(\.[^"]+)"`)
	err = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".js" {
			return err
		}
		src, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		for _, m := range imports.FindAllStringSubmatch(string(src), -1) {
			target := path.Join(path.Dir(p), m[1])
			if _, err := fs.Stat(files, target); err != nil {
				t.Errorf("%s imports %s, which is not embedded", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
