// Package web serves Baton's built front-end files (the visitor widget and the agent console)
// and the demo page.
//
// Files come precompressed from the build (name, name.gz, name.br), are read into memory once
// by New, and are served with content negotiation, ETags and cache lifetimes that match how
// their URLs change: widget.js keeps its URL forever, so it is cached briefly and revalidated;
// everything under /widget/ carries a content hash in its name, so it is cached for a year.
package web

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// Options configures a Handler.
type Options struct {
	Assets      fs.FS                                         // baton.Assets()
	PublicURL   string                                        // e.g. http://127.0.0.1:8080, used in the demo page's script tag
	AllowOrigin func(ctx context.Context, origin string) bool // true when some site allows this origin (CORS)
}

// Handler serves the widget's files and the demo page; it is safe for concurrent use.
type Handler struct {
	files  map[string]*asset
	demo   *asset
	allow  func(ctx context.Context, origin string) bool
	public string
}

// Cache lifetimes. widget.js is short so a new release reaches every site within minutes; the
// hashed files never change under their name.
const (
	cacheLoader    = "public, max-age=300"
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheDemo      = "no-cache"
)

//go:embed demo.html
var demoHTML string

var demoTemplate = template.Must(template.New("demo").Parse(demoHTML))

// New reads the built files from o.Assets and renders the demo page.
func New(o Options) (*Handler, error) {
	if o.Assets == nil {
		return nil, errors.New("web: Options.Assets is nil")
	}
	files, err := loadAssets(o.Assets)
	if err != nil {
		return nil, fmt.Errorf("web: load assets: %w", err)
	}
	if files["widget.js"] == nil {
		return nil, errors.New("web: widget.js is missing from the assets (run `npm run build`)")
	}
	public, err := publicBase(o.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("web: public URL: %w", err)
	}
	var page bytes.Buffer
	if err := demoTemplate.Execute(&page, struct{ WidgetURL string }{public + "/widget.js"}); err != nil {
		return nil, fmt.Errorf("web: render demo page: %w", err)
	}
	allow := o.AllowOrigin
	if allow == nil {
		allow = func(context.Context, string) bool { return false }
	}
	return &Handler{
		files:  files,
		demo:   newAsset("index.html", page.Bytes(), nil, nil),
		allow:  allow,
		public: public,
	}, nil
}

// publicBase checks the public URL and drops a trailing slash; empty means "same origin".
func publicBase(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// Loader serves GET /widget.js: short cache + ETag (its URL is not hashed).
func (h *Handler) Loader(c echo.Context) error {
	return h.serve(c, h.files["widget.js"], cacheLoader, true)
}

// Asset serves GET /widget/*: hashed files, Cache-Control immutable 1 year, ETag.
func (h *Handler) Asset(c echo.Context) error {
	name := c.Param("*")
	a := h.files["widget/"+name]
	if a == nil || name == "" {
		return echo.ErrNotFound
	}
	cache := cacheImmutable
	if !hashed(name) {
		cache = cacheLoader // not content-addressed: it may change under this name
	}
	return h.serve(c, a, cache, true)
}

// consoleCSP confines the console to Baton's own origin: its own scripts and styles only, no
// inline code, no framing (clickjacking), connections (REST and the WebSocket) to itself only.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Console serves GET /console* : the agent console's HTML shell at /console (never cached, so a
// release reaches agents at their next load) and its hashed files under /console/.
func (h *Handler) Console(c echo.Context) error {
	name := c.Param("*")
	hdr := c.Response().Header()
	if name == "" || name == "/" {
		a := h.files["console/index.html"]
		if a == nil {
			return echo.ErrNotFound
		}
		hdr.Set("Content-Security-Policy", consoleCSP)
		hdr.Set("X-Frame-Options", "DENY")
		return h.serve(c, a, cacheDemo, false)
	}
	rel, ok := strings.CutPrefix(name, "/")
	a := h.files["console/"+rel]
	if !ok || a == nil || rel == "index.html" {
		return echo.ErrNotFound
	}
	cache := cacheImmutable
	if !hashed(rel) {
		cache = cacheDemo
	}
	return h.serve(c, a, cache, false)
}

// Demo serves GET /: the demo shop page with the script tag for site "demo".
func (h *Handler) Demo(c echo.Context) error {
	return h.serve(c, h.demo, cacheDemo, false)
}

// serve writes one asset: the best encoding the client accepts, or 304 when its copy is current.
func (h *Handler) serve(c echo.Context, a *asset, cacheControl string, cors bool) error {
	req, hdr := c.Request(), c.Response().Header()
	enc, body, etag := a.pick(req.Header.Get("Accept-Encoding"))
	hdr.Set("Cache-Control", cacheControl)
	hdr.Set("ETag", etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	vary := "Accept-Encoding"
	if cors {
		vary += ", Origin"
		// The widget is meant to be embedded by other origins, also on pages that require
		// cross-origin isolation (COEP).
		hdr.Set("Cross-Origin-Resource-Policy", "cross-origin")
		if origin := req.Header.Get("Origin"); origin != "" && h.allow(req.Context(), origin) {
			hdr.Set("Access-Control-Allow-Origin", origin)
		}
	}
	hdr.Set("Vary", vary)
	if etagMatch(req.Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	hdr.Set("Content-Type", a.contentType)
	if enc != "" {
		hdr.Set("Content-Encoding", enc)
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	if req.Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
}

// PublicURL is how browsers reach Baton ("" when it was not configured: the request's own host).
func (h *Handler) PublicURL() string { return h.public }
