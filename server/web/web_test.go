package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton"
	"github.com/batonchat/baton/server/web"
)

const (
	loaderJS = "console.log('loader')"
	chatJS   = "console.log('chat')"
	plainTXT = "not hashed"
	allowed  = "https://shop.example"
	// consoleHTML stands for the console's shell, which the build writes with the hashed names.
	consoleHTML = `<!doctype html><script src="/console/app.0123456789.js"></script>`
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testAssets mimics the build: precompressed siblings for the widget files, none for plain.txt.
func testAssets(t *testing.T) fstest.MapFS {
	return fstest.MapFS{
		"widget.js":                    {Data: []byte(loaderJS)},
		"widget.js.gz":                 {Data: gz(t, loaderJS)},
		"widget.js.br":                 {Data: []byte("BR:" + loaderJS)},
		"widget/chat.0123456789.js":    {Data: []byte(chatJS)},
		"widget/chat.0123456789.js.gz": {Data: gz(t, chatJS)},
		"widget/plain.txt":             {Data: []byte(plainTXT)},
		"console/index.html":           {Data: []byte(consoleHTML)},
		"console/app.0123456789.js":    {Data: []byte(chatJS)},
	}
}

func newServer(t *testing.T, o web.Options) *echo.Echo {
	t.Helper()
	h, err := web.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := echo.New()
	e.GET("/", h.Demo)
	e.HEAD("/", h.Demo)
	e.GET("/widget.js", h.Loader)
	e.HEAD("/widget.js", h.Loader)
	e.GET("/widget/*", h.Asset)
	e.GET("/console*", h.Console)
	return e
}

func defaultOptions(t *testing.T) web.Options {
	return web.Options{
		Assets:    testAssets(t),
		PublicURL: "http://127.0.0.1:8080",
		AllowOrigin: func(_ context.Context, origin string) bool {
			return origin == allowed
		},
	}
}

func do(e *echo.Echo, method, target string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// decoded returns the response body with its Content-Encoding undone (br is faked in the fixtures).
func decoded(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	body := rec.Body.Bytes()
	switch rec.Header().Get("Content-Encoding") {
	case "gzip":
		r, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		return string(b)
	case "br":
		return strings.TrimPrefix(string(body), "BR:")
	}
	return string(body)
}

func TestServesTheBestEncodingTheClientAccepts(t *testing.T) {
	e := newServer(t, defaultOptions(t))
	tests := []struct {
		name           string
		target         string
		acceptEncoding string
		wantEncoding   string
		wantBody       string
	}{
		{"no header gets identity", "/widget.js", "", "", loaderJS},
		{"browser default gets brotli", "/widget.js", "gzip, deflate, br, zstd", "br", loaderJS},
		{"gzip only", "/widget.js", "gzip", "gzip", loaderJS},
		{"brotli refused with q=0", "/widget.js", "br;q=0, gzip", "gzip", loaderJS},
		{"higher q wins", "/widget.js", "br;q=0.5, gzip;q=0.8", "gzip", loaderJS},
		{"tie goes to brotli", "/widget.js", "gzip;q=0.7, br;q=0.7", "br", loaderJS},
		{"star accepts brotli", "/widget.js", "*", "br", loaderJS},
		{"x-gzip alias", "/widget.js", "x-gzip", "gzip", loaderJS},
		{"identity only", "/widget.js", "identity", "", loaderJS},
		{"everything refused falls back to identity", "/widget.js", "gzip;q=0, br;q=0", "", loaderJS},
		{"upper case and spaces", "/widget.js", " GZIP ; Q=1 ", "gzip", loaderJS},
		{"asset without a brotli sibling gets gzip", "/widget/chat.0123456789.js", "br, gzip", "gzip", chatJS},
		{"asset without siblings gets identity", "/widget/plain.txt", "br, gzip", "", plainTXT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(e, http.MethodGet, tt.target, map[string]string{"Accept-Encoding": tt.acceptEncoding})
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", rec.Code)
			}
			if got := rec.Header().Get("Content-Encoding"); got != tt.wantEncoding {
				t.Errorf("Content-Encoding %q, want %q", got, tt.wantEncoding)
			}
			if got := decoded(t, rec); got != tt.wantBody {
				t.Errorf("body %q, want %q", got, tt.wantBody)
			}
			if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
				t.Errorf("Content-Length %s, want %s", got, want)
			}
			if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", rec.Header().Get("Vary"))
			}
		})
	}
}

func TestCacheHeadersFollowTheURLScheme(t *testing.T) {
	e := newServer(t, defaultOptions(t))
	tests := []struct {
		name      string
		target    string
		wantCache string
		wantType  string
	}{
		{"loader URL never changes: short cache", "/widget.js", "public, max-age=300", "text/javascript; charset=utf-8"},
		{"hashed file: immutable for a year", "/widget/chat.0123456789.js", "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"unhashed file under /widget/: short cache", "/widget/plain.txt", "public, max-age=300", "text/plain; charset=utf-8"},
		{"demo page: always revalidated", "/", "no-cache", "text/html; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(e, http.MethodGet, tt.target, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", rec.Code)
			}
			h := rec.Header()
			if got := h.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control %q, want %q", got, tt.wantCache)
			}
			if got := h.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type %q, want %q", got, tt.wantType)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if !regexp.MustCompile(`^"[0-9a-f]{24}(-gz|-br)?"$`).MatchString(h.Get("ETag")) {
				t.Errorf("ETag %q is not a strong content hash", h.Get("ETag"))
			}
		})
	}
}

func TestConditionalRequestsGet304(t *testing.T) {
	e := newServer(t, defaultOptions(t))
	first := do(e, http.MethodGet, "/widget.js", map[string]string{"Accept-Encoding": "gzip"})
	etag := first.Header().Get("ETag")
	identityTag := do(e, http.MethodGet, "/widget.js", nil).Header().Get("ETag")
	if etag == identityTag {
		t.Fatalf("gzip and identity share the ETag %s; each representation needs its own", etag)
	}
	tests := []struct {
		name        string
		ifNoneMatch string
		acceptEnc   string
		wantStatus  int
	}{
		{"same ETag", etag, "gzip", http.StatusNotModified},
		{"weakened by a proxy", "W/" + etag, "gzip", http.StatusNotModified},
		{"one of a list", `"other", ` + etag, "gzip", http.StatusNotModified},
		{"star", "*", "gzip", http.StatusNotModified},
		{"other encoding's ETag", identityTag, "gzip", http.StatusOK},
		{"stale ETag", `"0000"`, "gzip", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(e, http.MethodGet, "/widget.js", map[string]string{"If-None-Match": tt.ifNoneMatch, "Accept-Encoding": tt.acceptEnc})
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if rec.Code == http.StatusNotModified {
				if rec.Body.Len() != 0 {
					t.Errorf("304 with a body of %d bytes", rec.Body.Len())
				}
				if rec.Header().Get("ETag") != etag || rec.Header().Get("Cache-Control") == "" {
					t.Errorf("304 must repeat ETag and Cache-Control, got %v", rec.Header())
				}
			}
		})
	}
}

func TestCORSOnlyForAllowedOrigins(t *testing.T) {
	e := newServer(t, defaultOptions(t))
	tests := []struct {
		name       string
		target     string
		origin     string
		wantAllow  string
		wantVaryOn bool
	}{
		{"allowed origin on the loader", "/widget.js", allowed, allowed, true},
		{"allowed origin on a hashed file", "/widget/chat.0123456789.js", allowed, allowed, true},
		{"other origin", "/widget.js", "https://evil.example", "", true},
		{"no origin (a plain script tag)", "/widget.js", "", "", true},
		{"allowed origin on the demo page gets nothing", "/", allowed, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := map[string]string{}
			if tt.origin != "" {
				headers["Origin"] = tt.origin
			}
			rec := do(e, http.MethodGet, tt.target, headers)
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.wantAllow)
			}
			if got := strings.Contains(rec.Header().Get("Vary"), "Origin"); got != tt.wantVaryOn {
				t.Errorf("Vary %q: contains Origin = %v, want %v", rec.Header().Get("Vary"), got, tt.wantVaryOn)
			}
		})
	}
}

func TestCORSDeniedWithoutAllowOrigin(t *testing.T) {
	o := defaultOptions(t)
	o.AllowOrigin = nil
	e := newServer(t, o)
	rec := do(e, http.MethodGet, "/widget.js", map[string]string{"Origin": allowed})
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin %q without an AllowOrigin func", got)
	}
}

func TestUnknownAssetsAre404(t *testing.T) {
	e := newServer(t, defaultOptions(t))
	for _, target := range []string{"/widget/", "/widget/nope.js", "/widget/../widget.js", "/widget/chat.0123456789.js.gz", "/widget/%2e%2e/widget.js"} {
		t.Run(target, func(t *testing.T) {
			rec := do(e, http.MethodGet, target, nil)
			if rec.Code != http.StatusNotFound {
				t.Errorf("status %d, want 404 (body %q)", rec.Code, rec.Body.String())
			}
		})
	}
}

func TestHeadHasHeadersButNoBody(t *testing.T) {
	e := newServer(t, defaultOptions(t))
	rec := do(e, http.MethodHead, "/widget.js", map[string]string{"Accept-Encoding": "gzip"})
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("status %d body %d bytes, want 200 and no body", rec.Code, rec.Body.Len())
	}
	if rec.Header().Get("Content-Length") == "0" || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("HEAD headers %v should describe the GET response", rec.Header())
	}
}

func TestDemoPageIncludesTheSnippetForTheDemoSite(t *testing.T) {
	tests := []struct {
		name      string
		publicURL string
		wantTag   string
	}{
		{"public URL", "http://127.0.0.1:8080", `<script src="http://127.0.0.1:8080/widget.js" data-site="demo" async></script>`},
		{"trailing slash", "https://chat.example.com/", `<script src="https://chat.example.com/widget.js" data-site="demo" async></script>`},
		{"under a path", "https://example.com/chat", `<script src="https://example.com/chat/widget.js" data-site="demo" async></script>`},
		{"empty: same origin", "", `<script src="/widget.js" data-site="demo" async></script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultOptions(t)
			o.PublicURL = tt.publicURL
			rec := do(newServer(t, o), http.MethodGet, "/", nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if !strings.Contains(rec.Body.String(), tt.wantTag) {
				t.Errorf("demo page lacks %s", tt.wantTag)
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		edit func(*web.Options)
		want string
	}{
		{"no assets", func(o *web.Options) { o.Assets = nil }, "Assets is nil"},
		{"no loader", func(o *web.Options) { o.Assets = fstest.MapFS{"widget/a.js": {Data: []byte("x")}} }, "widget.js is missing"},
		{"relative public URL", func(o *web.Options) { o.PublicURL = "chat.example.com" }, "not an absolute http(s) URL"},
		{"public URL with a query", func(o *web.Options) { o.PublicURL = "https://x.example/?a=1" }, "not an absolute http(s) URL"},
		{"script injection in the public URL", func(o *web.Options) { o.PublicURL = `javascript:alert(1)` }, "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultOptions(t)
			tt.edit(&o)
			_, err := web.New(o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestCommittedBuildIsServable checks the embedded widget/dist: the loader names chat files
// that exist, and every precompressed sibling decodes to its file.
func TestCommittedBuildIsServable(t *testing.T) {
	assets := baton.Assets()
	loader, err := fs.ReadFile(assets, "widget.js")
	if err != nil {
		t.Fatalf("widget.js: %v", err)
	}
	names := regexp.MustCompile(`chat\.[0-9a-f]{10}\.(js|css)`).FindAllString(string(loader), -1)
	if len(names) != 2 {
		t.Fatalf("widget.js names %v, want the chat script and stylesheet", names)
	}
	e := newServer(t, web.Options{Assets: assets})
	for _, name := range append(names, "") {
		target := "/widget/" + name
		if name == "" {
			target = "/widget.js"
		}
		t.Run(target, func(t *testing.T) {
			plain := do(e, http.MethodGet, target, nil)
			if plain.Code != http.StatusOK {
				t.Fatalf("status %d", plain.Code)
			}
			zipped := do(e, http.MethodGet, target, map[string]string{"Accept-Encoding": "gzip"})
			if zipped.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("no gzip sibling for %s", target)
			}
			if decoded(t, zipped) != plain.Body.String() {
				t.Errorf("%s.gz does not decode to %s", target, target)
			}
			if br := do(e, http.MethodGet, target, map[string]string{"Accept-Encoding": "br"}); br.Header().Get("Content-Encoding") != "br" || br.Body.Len() == 0 {
				t.Errorf("no brotli sibling for %s", target)
			}
		})
	}
}

func TestConsoleShellIsFreshConfinedAndItsFilesImmutable(t *testing.T) {
	e := newServer(t, defaultOptions(t))
	tests := []struct {
		name, target string
		status       int
		body         string
		cache        string
	}{
		{"the shell at /console", "/console", http.StatusOK, consoleHTML, "no-cache"},
		{"the shell at /console/", "/console/", http.StatusOK, consoleHTML, "no-cache"},
		{"a hashed file", "/console/app.0123456789.js", http.StatusOK, chatJS, "public, max-age=31536000, immutable"},
		{"the shell under its file name", "/console/index.html", http.StatusNotFound, "", ""},
		{"an unknown file", "/console/app.ffffffffff.js", http.StatusNotFound, "", ""},
		{"a longer word", "/consoles", http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(e, http.MethodGet, tt.target, nil)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			if got := rec.Body.String(); got != tt.body {
				t.Errorf("body %q, want %q", got, tt.body)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("the console is same-origin only, yet Access-Control-Allow-Origin is %q", got)
			}
		})
	}
	shell := do(e, http.MethodGet, "/console", map[string]string{"Origin": allowed})
	csp := shell.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || shell.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("the shell allows inline code or framing: %v", shell.Header())
	}
}

// TestCommittedConsoleNamesItsFiles checks the embedded build: the console's shell names a script
// and a stylesheet that are served.
func TestCommittedConsoleNamesItsFiles(t *testing.T) {
	e := newServer(t, web.Options{Assets: baton.Assets()})
	shell := do(e, http.MethodGet, "/console", nil)
	if shell.Code != http.StatusOK {
		t.Fatalf("/console: %d", shell.Code)
	}
	names := regexp.MustCompile(`/console/app\.[0-9a-f]{10}\.(js|css)`).FindAllString(shell.Body.String(), -1)
	if len(names) != 2 {
		t.Fatalf("the shell names %v, want the console's script and stylesheet", names)
	}
	for _, n := range names {
		if rec := do(e, http.MethodGet, n, map[string]string{"Accept-Encoding": "br"}); rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "br" {
			t.Errorf("%s: %d %q", n, rec.Code, rec.Header().Get("Content-Encoding"))
		}
	}
}
