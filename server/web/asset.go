package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// asset is one file in its identity, gzip and brotli encodings (the last two optional).
type asset struct {
	contentType string
	identity    []byte
	gzip        []byte
	br          []byte
	tag         string // hex digest of identity; each encoding's ETag derives from it
}

// contentTypes fixes the types Baton serves, rather than trusting the host's mime tables.
var contentTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".html":  "text/html; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
}

func newAsset(name string, identity, gz, br []byte) *asset {
	ext := path.Ext(name)
	ct, ok := contentTypes[ext]
	if !ok {
		if ct = mime.TypeByExtension(ext); ct == "" {
			ct = "application/octet-stream"
		}
	}
	sum := sha256.Sum256(identity)
	return &asset{contentType: ct, identity: identity, gzip: gz, br: br, tag: hex.EncodeToString(sum[:12])}
}

// loadAssets reads every file of fsys into memory, pairing each with its .gz and .br siblings
// (written by the build next to the file; a file without them is served uncompressed).
func loadAssets(fsys fs.FS) (map[string]*asset, error) {
	files := map[string]*asset{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".br") {
			return nil
		}
		identity, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		gz, err := readOptional(fsys, name+".gz")
		if err != nil {
			return err
		}
		br, err := readOptional(fsys, name+".br")
		if err != nil {
			return err
		}
		files[name] = newAsset(name, identity, gz, br)
		return nil
	})
	return files, err
}

func readOptional(fsys fs.FS, name string) ([]byte, error) {
	b, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// pick chooses the encoding for an Accept-Encoding header and returns its
// Content-Encoding value ("" for identity), body and ETag. Each encoding has its own strong
// ETag, as RFC 9110 asks for different representations.
func (a *asset) pick(acceptEncoding string) (enc string, body []byte, etag string) {
	switch preferred(acceptEncoding, a.br != nil, a.gzip != nil) {
	case "br":
		return "br", a.br, `"` + a.tag + `-br"`
	case "gzip":
		return "gzip", a.gzip, `"` + a.tag + `-gz"`
	}
	return "", a.identity, `"` + a.tag + `"`
}

// preferred returns "br", "gzip" or "" (identity) for an Accept-Encoding header, honouring
// q-values and "*"; on a tie brotli wins because it is smaller.
func preferred(header string, haveBr, haveGzip bool) string {
	weights := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if name == "*" {
			star = q
		} else {
			weights[name] = q
		}
	}
	weight := func(coding string) float64 {
		if q, ok := weights[coding]; ok {
			return q
		}
		if coding == "gzip" {
			if q, ok := weights["x-gzip"]; ok {
				return q
			}
		}
		return max(star, 0)
	}
	best, bestQ := "", 0.0
	if haveBr && weight("br") > bestQ {
		best, bestQ = "br", weight("br")
	}
	if haveGzip && weight("gzip") > bestQ {
		best = "gzip"
	}
	return best
}

// etagMatch reports whether an If-None-Match header matches etag, with the weak comparison
// RFC 9110 prescribes for If-None-Match (proxies may weaken ETags to W/"…").
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}

// hashedName matches the content hash the build puts in file names (chat.0123456789.js).
var hashedName = regexp.MustCompile(`\.[0-9a-f]{8,}\.[a-z0-9]+$`)

func hashed(name string) bool { return hashedName.MatchString(name) }
